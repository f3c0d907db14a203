"""Nearest neighbours in bulk: 1,000 queries on GloVe 6B 50d (400,000 words, real vocabulary).

Sides, all exact, all asked for the 10 nearest words of the same 1,000 query words (drawn with a
fixed seed from the 100,000 most frequent words), the query word itself left out:

* vecs, batched: ``neighbours_many(space, words, k=10, index="exact")`` — one library call;
* vecs, one at a time: ``neighbours(space, w, k=10, index="exact")`` in a loop;
* gensim 4.4: ``kv.most_similar(w, topn=10)`` in a loop (gensim has no batched query);
* plain numpy: unit rows, one ``np.dot`` per batch of 64 queries, ``argpartition`` (the reference
  the issue measured: what a careful script does by hand).

The ten words of every query are compared across the sides (identical lists, order included).
The approximate index is a separate bench (``bench/ann.py``).

    python bench/neighbours.py [--runs 3] [--queries 1000]

Last line: one JSON object.
"""

from __future__ import annotations

import argparse

import numpy as np

from harness import Bench


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=0, help="use only the first N words (0: all)")
    args = ap.parse_args()
    from gensim.models import KeyedVectors

    from vecs.resolve import resolve
    from vecs.static.query import neighbours, neighbours_many

    space = resolve("glove-6b-50d")
    if args.rows:
        space = space.restrict(args.rows)
    rng = np.random.default_rng(0)
    words = [space.words[i] for i in rng.choice(min(100_000, len(space)), args.queries, replace=False)]
    kv = KeyedVectors(space.dim)
    kv.add_vectors(list(space.words), np.asarray(space.vectors))
    kv.fill_norms()
    V = np.asarray(space.vectors, dtype=np.float32)
    Vn = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-30)
    rows = np.array([space.index[w] for w in words])

    def batched():
        return [[x.word for x in r.results] for r in neighbours_many(space, words, k=10, index="exact")]

    def single():
        return [[x.word for x in neighbours(space, w, k=10, index="exact").results] for w in words]

    def gensim():
        return [[w for w, _ in kv.most_similar(q, topn=10)] for q in words]

    def numpy64():
        out = []
        for s in range(0, len(rows), 64):
            r = rows[s:s + 64]
            S = Vn[r] @ Vn.T
            S[np.arange(len(r)), r] = -np.inf
            top = np.argpartition(-S, 10, axis=1)[:, :10]
            top = np.take_along_axis(top, np.argsort(-np.take_along_axis(S, top, 1), axis=1), 1)
            out += [[space.words[i] for i in t] for t in top]
        return out

    def same(a):
        ref = a["vecs batched"]
        return all(ref == v for v in a.values())

    b = Bench("neighbours", runs=args.runs, warmup=1, packages=("numpy", "gensim"))
    b.case(f"{len(words):,} queries, GloVe {len(space):,} x {space.dim}, k=10, exact",
           {"vecs batched": batched, "vecs one at a time": single, "gensim most_similar loop": gensim,
            "numpy, batches of 64": numpy64}, same=same)
    b.finish()


if __name__ == "__main__":
    main()
