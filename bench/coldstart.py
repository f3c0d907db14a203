"""Cold starts: a fresh process for every run, as a user at a shell prompt starts one.

(a) `vecs --help` beside the floor `python -c "import numpy"` (Python and numpy, which every
    query needs; `vecs --help` imports neither numpy nor any command module).
(b) `vecs neighbours WORD -m M` against the gensim one-liner
    `KeyedVectors.load(P, mmap='r').most_similar(WORD)` on a stored 100,000 x 300 model: the
    26,423 GoogleNews words padded with random rows of the same scale (PADDED: the answers are
    real words, the vocabulary mostly not).
(c) the same on GloVe 6B 50d restricted to its first 100,000 words (a real vocabulary).

Both sides read the same vectors stored their own way, memory-mapped: the vecs store (vectors.npy,
norms.npy, words.txt) and gensim's KeyedVectors.save (.kv + .vectors.npy). The page cache is warm
(the warm-up runs read the files) and Python's bytecode is cached for both sides (children run
without PYTHONDONTWRITEBYTECODE); the processes are cold. Each side's top-10 words are compared
word for word. Wall-clock medians of interleaved runs (bench/harness.py), CPU medians alongside.

    python bench/coldstart.py [--runs 7] [--rows 100000] [--word cat]

Last line: one JSON object (bench/harness.py).
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from harness import Bench, median_time, run_cold

ROOT = Path(__file__).resolve().parent.parent


def padded_googlenews(rows: int, dim: int = 300, seed: int = 0) -> tuple[list[str], np.ndarray, str]:
    """The GoogleNews words and vectors, padded with random rows of the same scale up to ``rows``."""
    from vecs.resolve import resolve

    real = resolve("googlenews")
    n = min(rows, len(real))
    words = list(real.words[:n])
    vecs = np.empty((rows, dim), dtype=np.float32)
    vecs[:n] = np.asarray(real.vectors[:n])
    rng = np.random.default_rng(seed)
    vecs[n:] = rng.normal(0, float(np.std(vecs[:n])), size=(rows - n, dim)).astype(np.float32)
    words += [f"pad_{i:06d}" for i in range(rows - n)]
    return words, vecs, f"GoogleNews {n:,} real words PADDED with {rows - n:,} random rows"


def glove(rows: int) -> tuple[list[str], np.ndarray, str]:
    from vecs.resolve import resolve

    g = resolve("glove-6b-50d")
    n = min(rows, len(g))
    return list(g.words[:n]), np.array(g.vectors[:n]), f"GloVe 6B 50d, its first {n:,} words (real vocabulary)"


def store_both(words: list[str], vectors: np.ndarray, name: str, tmp: Path) -> Path:
    """Save the vectors in the vecs store (VECS_HOME is ``tmp/home``) and as gensim's .kv;
    returns the .kv path."""
    from gensim.models import KeyedVectors

    from vecs import Space
    from vecs.io.store import save

    save(Space(words, vectors, name=name), name)
    kv = KeyedVectors(vectors.shape[1], dtype=np.float32)
    kv.add_vectors(words, vectors)
    path = tmp / f"{name}.kv"
    kv.save(str(path))  # the matrix goes to its own .npy, so mmap='r' works
    return path


class Cold:
    """A command run as a fresh process; keeps the CPU seconds (user + system) of every run."""

    def __init__(self, cmd: list[str], env: dict, parse=None):
        self.cmd, self.env, self.parse = cmd, env, parse
        self.cpu: list[float] = []

    def __call__(self):
        out, cpu = run_cold(self.cmd, self.env)
        self.cpu.append(cpu)
        return self.parse(out) if self.parse else None

    def cpu_median(self, warmup: int) -> float:
        return round(statistics.median(self.cpu[warmup:] or self.cpu), 4)


def table_words(out: str) -> list[str]:
    """The words of `vecs neighbours`'s table, in order (its rows read '│  1 │ cats │ 0.8099 │')."""
    rows = [ln.split("│") for ln in out.splitlines() if ln.startswith("│")]
    return [r[2].strip() for r in rows if len(r) > 3 and r[1].strip().isdigit()]


def gensim_words(out: str) -> list[str]:
    return [w for w, _ in ast.literal_eval(out.strip().splitlines()[-1])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--word", default="cat")
    args = ap.parse_args()

    b = Bench("coldstart", runs=args.runs, warmup=args.warmup, packages=("numpy", "typer", "rich", "gensim", "scipy"))
    vecs_bin = Path(sys.executable).parent / "vecs"
    vecs_cmd = [str(vecs_bin)] if vecs_bin.exists() else [sys.executable, "-m", "cli.main"]
    with tempfile.TemporaryDirectory(prefix="vecs-coldstart-") as tmp:
        tmp = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(VECS_HOME=str(tmp / "home"), COLUMNS="120", PYTHONPATH=str(ROOT))
        os.environ["VECS_HOME"] = env["VECS_HOME"]  # where store_both saves

        # (a) the help, and the floor it stands on
        python_floor = Cold([sys.executable, "-c", "pass"], env)
        numpy_floor = Cold([sys.executable, "-c", "import numpy"], env)
        for _ in range(args.warmup):
            python_floor(), numpy_floor()
        floor = median_time(numpy_floor, args.runs)
        python_s = median_time(python_floor, args.runs)
        help_cmd = Cold(vecs_cmd + ["--help"], env, parse=lambda out: "neighbours" in out)
        b.case("vecs --help (cold process)", {"vecs --help": help_cmd}, same=lambda a: a["vecs --help"],
               floor=floor, note=f"floor: python -c 'import numpy' (Python alone: {python_s * 1000:.0f} ms)")
        b.extra("python_s", round(python_s, 4))
        b.extra("numpy_import_s", round(floor, 4))
        cpu: dict[str, dict[str, float]] = {"vecs --help": {"vecs": help_cmd.cpu_median(args.warmup),
                                                            "floor": numpy_floor.cpu_median(args.warmup)}}

        # (b) and (c): cold neighbours against the gensim one-liner, the same stored vectors
        for key, build, label in (("padded", lambda: padded_googlenews(args.rows),
                                   f"cold neighbours, {args.rows:,} x 300 PADDED GoogleNews"),
                                  ("glove", lambda: glove(args.rows), f"cold neighbours, GloVe {args.rows:,} x 50")):
            words, vectors, source = build()
            kv_path = store_both(words, vectors, key, tmp)
            del words, vectors
            ours = Cold(vecs_cmd + ["neighbours", args.word, "-m", key], env, parse=table_words)
            peer = Cold([sys.executable, "-c", "from gensim.models import KeyedVectors; "
                         f"kv = KeyedVectors.load({str(kv_path)!r}, mmap='r'); print(kv.most_similar({args.word!r}))"],
                        env, parse=gensim_words)
            rec = b.case(label, {"vecs neighbours": ours, "gensim one-liner": peer},
                         same=lambda a: a["vecs neighbours"] == a["gensim one-liner"] and len(a["vecs neighbours"]) == 10,
                         note=f"{source}; query {args.word!r}; warm page cache, cold processes")
            cpu[label] = {"vecs": ours.cpu_median(args.warmup), "gensim": peer.cpu_median(args.warmup)}
            print(f"  CPU (user + system) medians: vecs {cpu[label]['vecs'] * 1000:.0f} ms, gensim "
                  f"{cpu[label]['gensim'] * 1000:.0f} ms ({cpu[label]['gensim'] / cpu[label]['vecs']:.2f}x)")
            rec["cpu_median_s"] = cpu[label]
        b.extra("cpu_median_s", cpu)
    b.finish()


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
