"""The Google analogy set: vecs against gensim 4.4, both methods, on real vocabularies.

Cases (both sides get the same in-memory float32 matrix):

* GloVe 6B 50d, all 400,000 words, ``restrict=300,000`` (gensim's default ``restrict_vocab``);
* GloVe 6B 50d, the first 100,000 words (``restrict=100,000``);
* ``--padded``: the 26,423 real GoogleNews words padded with random rows to 100,000 x 300 — an
  extra, labelled as such: random rows are easy to skip, so it flatters any pruning search.

vecs: ``evaluate_analogies(space, "google", method=add|mul, restrict=R)``; gensim:
``KeyedVectors.evaluate_word_analogies(path, restrict_vocab=R, case_insensitive=True)`` (3CosAdd)
and the same loop with ``most_similar_cosmul`` (3CosMul, gensim's code copied below). The
answers are compared question by question (correct and incorrect questions of every section; for
3CosMul every predicted word too). Both sides are warmed up on every 50th question first, then
timed the same number of runs, interleaved (``--runs``; gensim takes minutes per run at 400k).

The floor: the one product every method needs, a (distinct question words x 50) by
(50 x R) matrix product, timed with ``np.dot`` on this machine, interleaved with vecs
(``--floor-runs``). Memory: peak resident memory of a fresh process evaluating once, over the same
process before it touches the matrix, against the matrix's size.

    python bench/analogies.py [--runs 1] [--floor-runs 5] [--padded] [--sample N]

Last line: one JSON object (``bench/table.py`` builds README's table from it).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from harness import ROOT, Bench, median_time  # noqa: F401  (ROOT puts the repo on sys.path)

def padded_space(rows: int, dim: int = 300, seed: int = 0):
    from vecs import Space
    from vecs.resolve import resolve

    real = resolve("googlenews")
    n = min(rows, len(real))
    vecs = np.empty((rows, dim), dtype=np.float32)
    vecs[:n] = np.asarray(real.vectors[:n])
    scale = float(np.std(vecs[:n]))
    vecs[n:] = np.random.default_rng(seed).normal(0, scale, size=(rows - n, dim)).astype(np.float32)
    words = list(real.words[:n]) + [f"pad_{i:06d}" for i in range(rows - n)]
    return Space(words, vecs, name=f"googlenews+pad{rows}")


def sampled_file(src: Path, every: int, dst: Path) -> Path:
    """Every N-th question line of each section (all headers kept)."""
    out, i = [], 0
    for line in src.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith(": "):
            out.append(line)
        else:
            if i % every == 0:
                out.append(line)
            i += 1
    dst.write_text("".join(out), encoding="utf-8")
    return dst


def gensim_cosmul(kv, analogies, restrict_vocab=300000, case_insensitive=True):
    """gensim 4.4's ``evaluate_word_analogies`` loop with ``most_similar_cosmul`` in place of
    ``most_similar`` (copied from gensim/models/keyedvectors.py; also returns the predictions)."""
    from gensim import utils

    ok_keys = kv.index_to_key[:restrict_vocab]
    if case_insensitive:
        ok_vocab = {k.upper(): kv.get_index(k) for k in reversed(ok_keys)}
    else:
        ok_vocab = {k: kv.get_index(k) for k in reversed(ok_keys)}
    sections, section, predictions = [], None, []
    with utils.open(analogies, "rb") as fin:
        for line_no, line in enumerate(fin):
            line = utils.to_unicode(line)
            if line.startswith(": "):
                if section:
                    sections.append(section)
                section = {"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []}
            else:
                try:
                    if case_insensitive:
                        a, b, c, expected = [word.upper() for word in line.split()]
                    else:
                        a, b, c, expected = [word for word in line.split()]
                except ValueError:
                    continue
                if a not in ok_vocab or b not in ok_vocab or c not in ok_vocab or expected not in ok_vocab:
                    continue
                original_key_to_index = kv.key_to_index
                kv.key_to_index = ok_vocab
                ignore = {a, b, c}
                predicted = None
                sims = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5, restrict_vocab=restrict_vocab)
                kv.key_to_index = original_key_to_index
                for element in sims:
                    predicted = element[0].upper() if case_insensitive else element[0]
                    if predicted in ok_vocab and predicted not in ignore:
                        break
                predictions.append(predicted)
                if predicted == expected:
                    section["correct"].append((a, b, c, expected))
                else:
                    section["incorrect"].append((a, b, c, expected))
    if section:
        sections.append(section)
    return sections, predictions


def vecs_sections(rep):
    """vecs' report as gensim's (section, correct tuples, incorrect tuples), upper-cased."""
    wrong: dict[str, list] = {}
    for m in rep.mistakes:
        wrong.setdefault(m.section, []).append(tuple(w.upper() for w in m.question))
    return {s.name: (s.correct, sorted(wrong.get(s.name, []))) for s in rep.sections}


def gensim_sections(sections):
    return {s["section"]: (len(s["correct"]), sorted(s["incorrect"])) for s in sections
            if s["section"] != "Total accuracy"}


def _predictions(rep, path, space):
    """vecs' predicted word (upper-cased) for every evaluated question, in file order."""
    wrong = {m.line: (m.predicted.upper() if m.predicted else None) for m in rep.mistakes}
    from vecs.static.benchmarks import read_analogies

    first, _ = space.key_index(True, rep.restrict)
    sections, _ = read_analogies(path)
    preds = []
    for name, qs in sections:
        for line_no, words in qs:
            up = [w.upper() for w in words]
            if any(first.get(w, rep.restrict) >= rep.restrict for w in up):
                continue
            preds.append(wrong.get(line_no, up[3]))
    return preds

def gensim_kv(space):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(space.dim)
    kv.add_vectors(list(space.words), np.asarray(space.vectors))
    kv.fill_norms()
    return kv


def compare(space, path, R):
    """Both sides as zero-argument callables returning their raw answers (compared afterwards,
    outside the timing, by ``same``)."""
    from vecs.static.eval_analogies import evaluate_analogies

    kv = gensim_kv(space)
    # gensim 4.4's most_similar_cosmul ignores restrict_vocab (it ranks every word): for 3CosMul
    # it gets the first R words, the candidates vecs ranks (and gensim's add ranks)
    kv_mul = kv if R >= len(space) else gensim_kv(space.restrict(R))

    def vecs_side(method):
        return lambda: evaluate_analogies(space, path, method=method, restrict=R)

    def gensim_side(method):
        def run():
            if method == "add":
                _, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=R, case_insensitive=True)
                return sections, None
            return gensim_cosmul(kv_mul, str(path), restrict_vocab=R)
        return run

    def same(answers):
        rep, (sections, pred) = answers["vecs"], answers["gensim"]
        mine = _predictions(rep, path, space) if pred is not None else None
        return vecs_sections(rep) == gensim_sections(sections) and mine == pred

    return vecs_side, gensim_side, same


def floor_fn(space, path, R):
    """np.dot of the shape every method needs: distinct question words x R, over 50 dims."""
    from vecs.static.benchmarks import read_analogies

    first, _ = space.key_index(True, R)
    sections, _ = read_analogies(path)
    rows = set()
    for _, qs in sections:
        for _, words in qs:
            r = [first.get(w.upper(), R) for w in words]
            if max(r) < R:
                rows.update(r[:3])
    V = np.asarray(space.vectors[:R], dtype=np.float32)
    Vn = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
    Un = Vn[sorted(rows)]
    buf = np.empty(len(Un) * 2048, dtype=np.float32)

    def blockwise():  # the same product, 2,048 words at a time into one reused buffer (no 1 GB result)
        for s in range(0, len(Vn), 2048):
            blk = Vn[s:s + 2048]
            np.dot(Un, blk.T, out=buf[: len(Un) * len(blk)].reshape(len(Un), len(blk)))

    return (lambda: np.dot(Un, Vn.T)), blockwise, len(rows)


MEMORY_CHILD = r"""
import json, sys
import numpy as np
from vecs.resolve import resolve
from vecs.static.eval_analogies import evaluate_analogies
from vecs.static.analogy_topk import numba_kernels
numba_kernels()
space = resolve("glove-6b-50d")
def status(key):  # VmHWM, not ru_maxrss: that one keeps the parent's size across fork + exec
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
before = status("VmRSS")
rep = evaluate_analogies(space, "google", method=sys.argv[1], restrict=300000)
peak = status("VmHWM")
print(json.dumps({"before_mb": round(before, 1), "peak_mb": round(peak, 1),
                  "matrix_mb": round(space.vectors.nbytes / 2**20, 1), "kernel": rep.kernel}))
"""


def memory(method):
    """Peak resident memory of one evaluation in a fresh process (the first one compiles numba
    from its cache, not counted: the cache is warm after the timed runs)."""
    import json

    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, method], capture_output=True, text=True,
                         cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    m = json.loads(out.stdout.strip().splitlines()[-1])
    m["extra_mb"] = round(m["peak_mb"] - m["before_mb"], 1)
    m["within"] = m["extra_mb"] <= m["matrix_mb"] + 300
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1, help="timed runs per side (gensim: minutes each)")
    ap.add_argument("--floor-runs", type=int, default=5)
    ap.add_argument("--padded", action="store_true", help="also the padded 100k x 300 space (labelled)")
    ap.add_argument("--sample", type=int, default=1, help="evaluate every N-th question only (a quick look)")
    ap.add_argument("--only", choices=["400k", "100k"], help="one GloVe case only")
    ap.add_argument("--memory-only", action="store_true", help="only the peak-memory figures")
    args = ap.parse_args()
    if args.memory_only:
        b = Bench("analogies-memory", runs=0, warmup=0, packages=("numpy", "numba"))
        for method in ("add", "mul"):
            m = memory(method)
            print(f"memory, 400k {method}: {m}")
            b.extra(f"memory_{method}", m)
        b.finish()
        return
    logging.getLogger("gensim").setLevel(logging.WARNING)
    from vecs.hub.fetch import path as resource_path
    from vecs.resolve import resolve
    from vecs.static.analogy_topk import numba_kernels

    numba_kernels()  # import (and load compiled code) before any timing
    b = Bench("analogies", runs=args.runs, warmup=0, packages=("numpy", "gensim", "numba"))
    tmp = tempfile.TemporaryDirectory()
    path = Path(resource_path("google"))
    if args.sample > 1:
        path = sampled_file(path, args.sample, Path(tmp.name) / "sample.txt")
    warm = sampled_file(path, 50, Path(tmp.name) / "warm.txt")
    glove = resolve("glove-6b-50d")
    cases = []
    if args.only in (None, "400k"):
        cases.append(("GloVe 400k x 50 (restrict 300k)", glove, 300_000))
    if args.only in (None, "100k"):
        cases.append(("GloVe first 100k x 50", glove.restrict(100_000), 100_000))
    if args.padded:
        cases.append(("PADDED: GoogleNews 26k + 74k random rows, 100k x 300", padded_space(100_000), 300_000))
    b.extra("questions_file", str(path))
    for label, space, R in cases:
        vecs_side, gensim_side, same = compare(space, path, R)
        w_vecs, w_gensim, _ = compare(space, warm, R)
        for method, name in (("add", "3CosAdd"), ("mul", "3CosMul")):
            w_vecs(method)(), w_gensim(method)()  # warm-up: imports, caches, compiled code
            rec = b.case(f"{label}, {name}", {"vecs": vecs_side(method), "gensim": gensim_side(method)},
                         same=same, runs=args.runs, warmup=0)
            rec["method"] = method
            rec["space"] = label
            if "PADDED" not in label and args.sample == 1:
                dot, blockwise, U = floor_fn(space, path, R)
                fl = b.case(f"{label}, {name}: vecs against the floor (np.dot {U} x 50 by 50 x {R:,})",
                            {"vecs": vecs_side(method), "floor: np.dot, one call": dot,
                             "floor: np.dot by 2,048-word blocks": blockwise}, runs=args.floor_runs, warmup=1)
                fl["floor_of"] = rec["case"]
                med = fl["median_s"]
                fl["vs_floor"] = round(med["vecs"] / med["floor: np.dot, one call"], 2)
                fl["vs_block_floor"] = round(med["vecs"] / med["floor: np.dot by 2,048-word blocks"], 2)
                print(f"  vecs at {fl['vs_floor']}x np.dot in one call, {fl['vs_block_floor']}x np.dot by blocks")
    if args.only in (None, "400k") and args.sample == 1:
        for method in ("add", "mul"):
            m = memory(method)
            print(f"memory, 400k {method}: {m}")
            b.extra(f"memory_{method}", m)
    b.finish()




if __name__ == "__main__":
    main()
