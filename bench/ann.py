"""The approximate-neighbour index against exact search, on GloVe 400k x 50 (glove-6b-50d): a
recall@10 / speed curve over the efSearch ladder, then both end to end through vecs.

* The model is copied into a temporary store (the resource itself is left alone) and its index
  is built once with `vecs.static.ann.build_index` (build time, index size, the efSearch it
  chose and the recall it measured are reported).
* N random vocabulary words (seeded) are the queries. The truth is exact search (numpy, batched,
  the word itself left out); recall@10 = the share of the exact top 10 the index finds.
* Curve, search only, per efSearch: faiss HNSW batched vs the same exact search (numpy batched
  matrix products + argpartition) — both sides return row ids, nothing else.
* End to end: `neighbours_many(index="ann")` vs `neighbours_many(index="exact")` on the same
  queries (results, scores and input ranks built for each), the index already loaded; the cold
  load of the index (read + sha256 + faiss) is timed on its own.

    python bench/ann.py [--runs 3] [--rows 400000] [--queries 1000] [--links 32] [--ef-construction 100]

Last line: one JSON object (bench/harness.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Bench, median_time  # noqa: E402


def recall(found: np.ndarray, truth: np.ndarray, rows: np.ndarray, k: int = 10) -> float:
    hits = 0
    for f, t, r in zip(found, truth, rows):
        got = [int(i) for i in f if i >= 0 and i != r][:k]
        hits += len(set(got) & set(t.tolist()))
    return hits / (k * len(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--rows", type=int, default=400_000, help="the first N words of glove-6b-50d")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--links", type=int, default=32, help="HNSW M")
    ap.add_argument("--ef-construction", type=int, default=100)
    ap.add_argument("--recall", type=float, default=0.95, help="the target the build chooses efSearch by")
    ap.add_argument("--ladder", default="16,32,64,128,256,512", help="efSearch values of the curve")
    args = ap.parse_args()
    ladder = [int(x) for x in args.ladder.split(",")]

    from vecs.resolve import resolve

    glove = resolve("glove-6b-50d")  # with the user's VECS_HOME / VECS_RESOURCES
    with tempfile.TemporaryDirectory(prefix="vecs-bench-ann-") as tmp:
        os.environ["VECS_HOME"] = str(Path(tmp) / "home")  # the copy and its index go here
        from vecs.io.store import save
        from vecs.static.ann import build_index, exact_top, search_ids
        from vecs.static.ann_store import LOADED, read_checked
        from vecs.static.query import neighbours_many

        name = "bench-glove"
        save(glove.restrict(args.rows), name)
        space = resolve(name)
        n, d = space.shape
        b = Bench("ann", runs=args.runs, warmup=args.warmup, packages=("numpy", "faiss-cpu"))
        label = f"GloVe {n // 1000}k x {d}, {args.queries:,} queries"

        t = time.perf_counter()
        info = build_index(space, m=args.links, ef_construction=args.ef_construction, recall=args.recall,
                           queries=args.queries, seed=args.seed)
        total_build = time.perf_counter() - t
        print(f"\nbuilt: M {info.m}, efConstruction {info.ef_construction}: {info.build_s:.1f} s adding rows, "
              f"{total_build:.1f} s in all (with measuring and writing); {info.size / 1e6:.1f} MB; "
              f"chose efSearch {info.ef_search} (recall@10 {info.recall_at_10:.4f} at build, target {args.recall})")
        index, _ = read_checked(Path(info.path), info.sha256)
        load_s = median_time(lambda: read_checked(Path(info.path), info.sha256), runs=max(args.runs, 1))
        print(f"loading the index (read + sha256 + faiss): median {load_s:.3f} s")

        rng = np.random.default_rng(args.seed + 1)  # other words than the build measured on
        rows = rng.choice(n, size=min(args.queries, n), replace=False)
        words = [space.words[i] for i in rows]
        q = np.asarray(space.vectors)[rows].astype(np.float64)
        q = (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)
        truth = exact_top(space, rows, 10)

        curve = []
        for ef in ladder:
            found: dict = {}

            def hnsw(ef=ef):
                found["ids"] = search_ids(index, q, 11, ef)
                return found["ids"]

            rec = b.case(f"{label}, search only: HNSW efSearch {ef} vs exact (numpy, batched)",
                         {"hnsw": hnsw, "exact": lambda: exact_top(space, rows, 10)},
                         note="answers are not identical by design: recall@10 below")
            r = recall(found["ids"], truth, rows)
            print(f"  recall@10 {r:.4f}")
            curve.append({"ef_search": ef, "recall_at_10": round(r, 4), "hnsw_s": rec["median_s"]["hnsw"],
                          "exact_s": rec["median_s"]["exact"], "speedup": rec["ratio"]["exact"]})

        LOADED.clear()
        LOADED[(info.path, info.sha256)] = index
        got: dict = {}

        def ann_side():
            got["ann"] = neighbours_many(space, words, k=10, index="ann")
            return got["ann"]

        def exact_side():
            got["exact"] = neighbours_many(space, words, k=10, index="exact")
            return got["exact"]

        rec = b.case(f"{label}, end to end: neighbours_many index=ann (efSearch {info.ef_search}) vs exact",
                     {"vecs ann": ann_side, "vecs exact": exact_side},
                     note="answers are not identical by design: recall@10 below")
        e2e = float(np.mean([len({x.word for x in a.results} & {x.word for x in e.results}) / 10
                             for a, e in zip(got["ann"], got["exact"])]))
        assert all(a.method.startswith("hnsw") for a in got["ann"]), "the index was not used"
        print(f"  recall@10 {e2e:.4f} (result lists against exact ones)")

        print(f"\n{'efSearch':>8} {'recall@10':>10} {'hnsw ms/q':>10} {'exact ms/q':>11} {'speed-up':>9}")
        for c in curve:
            print(f"{c['ef_search']:>8} {c['recall_at_10']:>10.4f} {c['hnsw_s'] * 1000 / len(rows):>10.3f} "
                  f"{c['exact_s'] * 1000 / len(rows):>11.3f} {c['speedup']:>8.1f}x")
        b.extra("rows", n)
        b.extra("dim", d)
        b.extra("queries", len(rows))
        b.extra("build", {"m": info.m, "ef_construction": info.ef_construction, "build_s": round(info.build_s, 2),
                          "total_s": round(total_build, 2), "index_bytes": info.size, "ef_search": info.ef_search,
                          "recall_at_10": round(info.recall_at_10, 4), "target": args.recall})
        b.extra("load_s", round(load_s, 4))
        b.extra("curve", curve)
        b.extra("end_to_end", {"ef_search": info.ef_search, "recall_at_10": round(e2e, 4),
                               "ratio": rec["ratio"]["vecs exact"]})
        b.finish()


if __name__ == "__main__":
    main()
