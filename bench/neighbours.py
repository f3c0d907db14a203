"""Cold-process nearest-neighbour queries: `vecs neighbours WORD --model NAME` against gensim
(`KeyedVectors.load(path, mmap='r').most_similar(WORD)`), on the same 100k x 300 vectors.

The vectors are the GoogleNews subset (26,423 real words, so the answers mean something) padded
with random vectors of the same scale up to 100,000 rows; without the resource, all random.
Each side runs once to warm the page cache, then N fresh processes each, alternating; the
figures are wall-clock medians. Both answers are compared word for word.

    python bench/neighbours.py [--runs 7] [--rows 100000] [--word cat]

Last line: {"bench": "neighbours", ..., "ratio": gensim_median / vecs_median}.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def build_vectors(rows: int, dim: int, seed: int = 0) -> tuple[list[str], np.ndarray, str]:
    rng = np.random.default_rng(seed)
    words: list[str] = []
    vecs = np.empty((rows, dim), dtype=np.float32)
    source = "synthetic"
    try:
        from vecs.resolve import resolve

        real = resolve("googlenews")
        if real.dim == dim:
            n = min(rows, len(real))
            words = list(real.words[:n])
            vecs[:n] = np.asarray(real.vectors[:n])
            source = f"googlenews ({n:,} real rows) + random padding"
    except Exception as e:  # no resource here: all random
        print(f"(googlenews unavailable: {e}; using random vectors)", file=sys.stderr)
    n = len(words)
    scale = float(np.std(vecs[:n])) if n else 0.1
    vecs[n:] = rng.normal(0, scale, size=(rows - n, dim)).astype(np.float32)
    words += [f"pad_{i:06d}" for i in range(rows - n)]
    return words, vecs, source


def timed(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) seconds of one process, and its stdout."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return dt, cpu, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--word", default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="vecs-bench-") as tmp:
        tmp = Path(tmp)
        words, vectors, source = build_vectors(args.rows, args.dim)
        word = args.word or ("cat" if "cat" in words else words[0])

        env = dict(os.environ, VECS_HOME=str(tmp / "home"), COLUMNS="200")
        os.environ["VECS_HOME"] = env["VECS_HOME"]
        from vecs import Space
        from vecs.io.store import save

        name = "bench100k"
        save(Space(words, vectors, name=name), name)

        from gensim.models import KeyedVectors

        kv = KeyedVectors(args.dim, dtype=np.float32)
        kv.add_vectors(words, vectors)
        kv_path = tmp / "bench.kv"
        kv.save(str(kv_path))  # the matrix goes to its own .npy, so mmap='r' works
        del kv

        vecs_bin = str(Path(sys.executable).parent / "vecs")
        vecs_cmd = [vecs_bin, "neighbours", word, "--model", name, "--json"]
        peer_cmd = [sys.executable, "-c",
                    "from gensim.models import KeyedVectors; "
                    f"kv = KeyedVectors.load({str(kv_path)!r}, mmap='r'); print(kv.most_similar({word!r}))"]

        _, _, out_v = timed(vecs_cmd, env)  # warm the page cache and any bytecode
        _, _, out_g = timed(peer_cmd, env)
        ours = [r["word"] for r in json.loads(out_v)["results"]]
        theirs = [w for w, _ in ast.literal_eval(out_g.strip().splitlines()[-1])]

        tv, tg, cv, cg = [], [], [], []
        for _ in range(args.runs):
            wall, cpu, _ = timed(vecs_cmd, env)
            tv.append(wall), cv.append(cpu)
            wall, cpu, _ = timed(peer_cmd, env)
            tg.append(wall), cg.append(cpu)
        mv, mg = statistics.median(tv), statistics.median(tg)
        mcv, mcg = statistics.median(cv), statistics.median(cg)
        load = os.getloadavg()[0]
        print(f"{args.rows:,} x {args.dim} ({source}); query {word!r}; {args.runs} cold processes each")
        print(f"vecs neighbours      median {mv * 1000:7.0f} ms wall (min {min(tv) * 1000:.0f}), "
              f"{mcv * 1000:.0f} ms CPU")
        print(f"gensim most_similar  median {mg * 1000:7.0f} ms wall (min {min(tg) * 1000:.0f}), "
              f"{mcg * 1000:.0f} ms CPU")
        print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores (wall times suffer above 1)")
        print(f"same top-10: {ours == theirs}  ({', '.join(ours[:5])}, ...)")
        print(f"ratio (gensim / vecs): {mg / mv:.2f}x")
        print(json.dumps({"bench": "neighbours", "rows": args.rows, "dim": args.dim, "word": word,
                          "runs": args.runs, "vecs_median_s": round(mv, 4), "gensim_median_s": round(mg, 4),
                          "vecs_cpu_s": round(mcv, 4), "gensim_cpu_s": round(mcg, 4), "cpu_ratio": round(mcg / mcv, 2),
                          "load": round(load, 1), "same_top10": ours == theirs, "ratio": round(mg / mv, 2)}))


if __name__ == "__main__":
    main()
