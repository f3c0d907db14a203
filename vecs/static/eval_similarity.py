"""Word-pair similarity benchmarks (WS353, SimLex, MEN...): Spearman correlation, as gensim computes it
(the same cosines, bit for bit; the correlations of :mod:`vecs.static.correlation`, scipy's to 1e-12,
without importing scipy)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from vecs.progress import ProgressFn, report
from vecs.space import Space
from vecs.static.benchmarks import SIMILARITY_SETS, dataset_path, read_pairs, restricted_rows
from vecs.static.correlation import pearson, spearman
from vecs.static.eval_ties import gensim_unitvec


@dataclass
class SimilarityReport:
    model: str
    dataset: str
    restrict: int
    spearman: float  # NaN when fewer than two pairs are usable
    spearman_p: float
    pearson: float
    pearson_p: float
    pairs: int  # pairs used (both words known)
    oov: int  # pairs skipped for an unknown word
    coverage: float  # pairs / (pairs + oov)
    invalid: int  # non-comment lines that are not "word<TAB>word<TAB>number"
    note: str = ""  # why the correlations are undefined (NaN), when they are


# --------------------------------------------------------------------------------------------
# Word-pair similarity
# --------------------------------------------------------------------------------------------
def evaluate_similarity(space: Space, dataset: str | Path = "ws353", restrict: int | None = 300_000,
                        case_insensitive: bool = True, progress: ProgressFn | None = None) -> SimilarityReport:
    """Spearman and Pearson correlation of cosine similarity with human ratings, exactly as
    gensim's ``evaluate_word_pairs(path, restrict_vocab=restrict, case_insensitive=...)``.

    ``dataset``: ``ws353``, ``simlex``, ``men``, ``rw``, ``mturk771``, ``rg65`` or a file. Pairs
    with a word outside the first ``restrict`` words are skipped (``oov``). Unlike gensim, a set
    with fewer than two usable pairs gives NaN correlations instead of an exception."""
    label, path = dataset_path(dataset, "similarity", progress=progress)
    pairs, invalid = read_pairs(path)
    R = restricted_rows(space, restrict)
    first, _ = space.key_index(case_insensitive, R)
    key: Callable[[str], str] = str.upper if case_insensitive else str
    gold: list[float] = []
    known: list[tuple[int, int]] = []
    oov = 0
    for _, a, b, score in pairs:
        ra, rb = first.get(key(a), R), first.get(key(b), R)
        if ra >= R or rb >= R:  # not among the first R words
            oov += 1
            continue
        gold.append(score)
        known.append((ra, rb))
    model = _gensim_cosines(space.vectors, known)
    nan = float("nan")
    sp = sp_p = pe = pe_p = nan
    note = ""
    if len(gold) < 2:
        note = f"the correlations are undefined: {len(gold)} pair(s) with both words known (at least 2 needed)"
    elif len(set(gold)) < 2 or len(set(float(x) for x in model)) < 2:
        what = "human scores" if len(set(gold)) < 2 else "cosines"
        note = f"the correlations are undefined: the {what} of the {len(gold)} known pairs are all equal"
    else:
        sp, sp_p = spearman(gold, model)
        pe, pe_p = pearson(gold, model)
    used = len(gold)
    return SimilarityReport(model=space.name, dataset=label, restrict=R, spearman=sp, spearman_p=sp_p,
                            pearson=pe, pearson_p=pe_p, pairs=used, oov=oov,
                            coverage=used / (used + oov) if used + oov else 0.0, invalid=invalid, note=note)


def _gensim_cosines(V: np.ndarray, pairs: list[tuple[int, int]]) -> list:
    """gensim's ``similarity(w1, w2)`` of each pair of rows: the float32 dot product of the two
    ``matutils.unitvec`` vectors, the same floats to the last bit (each row normalised once)."""
    if not pairs:
        return []
    rows = sorted({r for pair in pairs for r in pair})
    at = {r: i for i, r in enumerate(rows)}
    U = gensim_unitvec(np.asarray(V[rows], dtype=np.float32))
    return [np.dot(U[at[a]], U[at[b]]) for a, b in pairs]


def evaluate_similarity_all(space: Space, restrict: int | None = 300_000, case_insensitive: bool = True,
                            progress: ProgressFn | None = None) -> list[SimilarityReport]:
    """``evaluate_similarity`` on every packaged set, in the order of ``SIMILARITY_SETS``."""
    out = []
    for i, name in enumerate(SIMILARITY_SETS):
        out.append(evaluate_similarity(space, name, restrict, case_insensitive, progress=progress))
        report(progress, "evaluate similarity", i + 1, len(SIMILARITY_SETS), finished=i + 1 == len(SIMILARITY_SETS))
    return out


def evaluate_similarity_sets(space: Space, dataset: str | Path = "all", restrict: int | None = 300_000,
                             case_insensitive: bool = True,
                             progress: ProgressFn | None = None) -> list[SimilarityReport]:
    """One report per set: every packaged set for ``dataset="all"``, else the one set or file."""
    if dataset == "all":
        return evaluate_similarity_all(space, restrict, case_insensitive, progress=progress)
    return [evaluate_similarity(space, dataset, restrict, case_insensitive, progress=progress)]
