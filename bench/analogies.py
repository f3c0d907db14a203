"""The Google analogy set on a 100,000 x 300 space: vecs against gensim 4.4, both methods.

The vectors are the GoogleNews subset (26,423 real words, so the answers mean something) padded
with random vectors of the same scale up to 100,000 rows (words ``pad_000000``...). Both sides
get the same in-memory float32 matrix.

* 3CosAdd: ``vecs.static.eval_analogies.evaluate_analogies(space, "google", method="add")`` against
  ``KeyedVectors.evaluate_word_analogies(path, restrict_vocab=300000, case_insensitive=True)``;
* 3CosMul: ``method="mul"`` against the same loop (gensim's own code, copied below) calling
  ``most_similar_cosmul(positive=[b, c], negative=[a], topn=5, restrict_vocab=300000)``.

The answers are compared question by question (the correct and the incorrect questions of every
section; for 3CosMul also every predicted word). gensim takes minutes (one pass over the whole
vocabulary per question, three for 3CosMul); ``--sample N`` evaluates only every N-th question line
(both sides, for a quick look). Times are wall-clock, one run each; the machine's load average is
printed too, since both sides slow down alike on a busy machine.

    python bench/analogies.py [--rows 100000] [--sample 1]

Last line: {"bench": "analogies", "add_ratio": ..., "mul_ratio": ..., "identical": true}.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_space(rows: int, dim: int = 300, seed: int = 0):
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=1, help="evaluate every N-th question only")
    args = ap.parse_args()
    logging.getLogger("gensim").setLevel(logging.WARNING)
    from gensim.models import KeyedVectors

    from vecs.hub.fetch import path
    from vecs.static.eval_analogies import evaluate_analogies

    space = build_space(args.rows)
    path = Path(path("google"))
    tmp = tempfile.TemporaryDirectory()
    if args.sample > 1:
        path = sampled_file(path, args.sample, Path(tmp.name) / "sample.txt")
    kv = KeyedVectors(space.dim)
    kv.add_vectors(space.words, np.asarray(space.vectors))
    kv.fill_norms()
    print(f"space: {len(space):,} x {space.dim} ({space.name}); questions: {path}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    # warm-up (imports, caches) on a tiny space, so neither side pays one-time costs in the timing
    evaluate_analogies(space.restrict(3000), path, method="add")

    out = {"bench": "analogies", "rows": len(space)}
    identical = True
    for method in ("add", "mul"):
        # vecs: the best of 3 runs (about a second each, so the first run's page faults and
        # allocator warm-up do not dominate); gensim: one run (tens of seconds, where such
        # one-time costs vanish)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            rep = evaluate_analogies(space, path, method=method, restrict=300_000)
            times.append(time.perf_counter() - t)
        t_vecs = min(times)
        t = time.perf_counter()
        if method == "add":
            _, g_sections = kv.evaluate_word_analogies(str(path), restrict_vocab=300_000, case_insensitive=True)
            g_pred = None
        else:
            g_sections, g_pred = gensim_cosmul(kv, str(path), restrict_vocab=300_000)
        t_gensim = time.perf_counter() - t
        same = vecs_sections(rep) == gensim_sections(g_sections)
        if g_pred is not None:
            mine = _predictions(rep, path, space)
            same = same and mine == g_pred
        g_correct = sum(len(s["correct"]) for s in g_sections if s["section"] != "Total accuracy")
        identical &= same
        ratio = t_gensim / t_vecs
        print(f"{method}: vecs {t_vecs:.2f} s, gensim {t_gensim:.1f} s, x{ratio:.0f}; "
              f"accuracy {rep.correct}/{rep.total} = {rep.accuracy:.4f} (gensim {g_correct}); "
              f"near ties rechecked {rep.rechecked}; identical: {same}")
        out[f"{method}_vecs_s"] = round(t_vecs, 3)
        out[f"{method}_gensim_s"] = round(t_gensim, 2)
        out[f"{method}_ratio"] = round(ratio, 1)
        out[f"{method}_accuracy"] = rep.accuracy
    out["questions"] = rep.total
    out["loadavg"] = round(os.getloadavg()[0], 1)
    out["identical"] = identical
    print(json.dumps(out))


def _predictions(rep, path, space):
    """vecs' predicted word (upper-cased) for every evaluated question, in file order."""
    wrong = {m.line: (m.predicted.upper() if m.predicted else None) for m in rep.mistakes}
    from vecs.static.benchmarks import question_vocab, read_analogies

    ok, _ = question_vocab(space.words, rep.restrict, True)
    sections, _ = read_analogies(path)
    preds = []
    for name, qs in sections:
        for line_no, words in qs:
            up = [w.upper() for w in words]
            if any(w not in ok for w in up):
                continue
            preds.append(wrong.get(line_no, up[3]))
    return preds


if __name__ == "__main__":
    main()
