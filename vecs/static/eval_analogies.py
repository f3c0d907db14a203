"""Analogy benchmarks (Google, MSR): every question answered at once, scored exactly as gensim scores it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np

from vecs.errors import DatasetError
from vecs.progress import ProgressFn, report
from vecs.space import Space, all_keys
from vecs.static.analogy_topk import pick_kernel, top_candidates, unit_rows_f32
from vecs.static.benchmarks import AnalogyTable, dataset_path, read_analogy_table, restricted_rows
from vecs.static.eval_ties import CANDIDATES_KEPT, TOPN, Exact, tol

METHODS = ("add", "mul")

_MUL_FACTOR_MIN = 0.01  # 1 + cos below this: the float32 table is not trusted (recompute)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class AnalogySection:
    name: str
    correct: int
    total: int  # questions evaluated (all four words known)
    accuracy: float  # correct / total; 0.0 for a section with no question evaluated (as gensim)


@dataclass
class AnalogyMistake:
    section: str
    line: int  # 1-based line number in the file
    question: list[str]  # a, b, c, expected as written in the file (a : b :: c : expected)
    predicted: str | None  # the vocabulary word given instead (None: no candidate at all)


@dataclass
class AnalogyReport:
    model: str
    dataset: str
    method: str
    restrict: int  # the number of words actually used (min(restrict, words in the space))
    sections: list[AnalogySection]
    correct: int
    total: int  # questions evaluated
    accuracy: float  # correct / total (0.0 when nothing was evaluated, as gensim)
    questions: int  # valid question lines in the file
    oov: int  # questions skipped because a word is not among the first `restrict` words
    coverage: float  # (questions - oov) / questions
    invalid: int  # non-blank lines that are neither a section header nor four words
    mistakes: list[AnalogyMistake] = field(default_factory=list)
    rechecked: int = 0  # near ties recomputed the exact (slow, gensim) way
    seconds: float = 0.0
    kernel: str = ""  # the engine that searched the vocabulary: numba or numpy


# --------------------------------------------------------------------------------------------
# Analogies
# --------------------------------------------------------------------------------------------
def evaluate_analogies(space: Space, dataset: str | Path = "google", method: str = "add",
                       restrict: int | None = 300_000, case_insensitive: bool = True,
                       progress: ProgressFn | None = None, kernel: str = "auto") -> AnalogyReport:
    """Accuracy on an analogy set (``google``, ``msr`` or a file in the Google format).

    ``method="add"`` gives exactly gensim's ``evaluate_word_analogies(path, restrict_vocab=restrict,
    case_insensitive=case_insensitive)``; ``method="mul"`` exactly the same loop with
    ``most_similar_cosmul(positive=[b, c], negative=[a], topn=5)`` in place of ``most_similar``.
    One difference for ``mul``: gensim 4.4 accepts ``restrict_vocab`` in ``most_similar_cosmul``
    but ignores it (it ranks the whole vocabulary); here candidates are the first ``restrict``
    words, for both methods — the same answers as gensim given only those words (and the same,
    full stop, when ``restrict`` covers the space).

    ``restrict`` None or 0: the whole space. Questions with a word outside the first ``restrict``
    words are skipped (``oov``).

    ``kernel``: ``"numba"`` (a compiled loop), ``"numpy"`` or ``"auto"`` (numba when installed);
    the answers are the same, only the time differs."""
    if method not in METHODS:
        raise DatasetError(f"unknown method {method!r}: use add (3CosAdd) or mul (3CosMul)")
    t0 = time.perf_counter()
    label, path = dataset_path(dataset, "analogies", progress=progress)
    table = read_analogy_table(path)
    R = restricted_rows(space, restrict)

    # questions whose four words are among the first R: rows (a, b, c, expected)
    questions = len(table)
    first, kid = space.key_index(case_insensitive, R)
    keys = all_keys(table.words, case_insensitive)
    r4 = np.fromiter(map(first.get, keys, repeat(R)), dtype=np.int64, count=len(keys)).reshape(-1, 4)
    known = (r4 < R).all(axis=1)  # a row >= R: not among the first R words
    oov = int(questions - known.sum())
    q_rows = r4[known]
    where = np.flatnonzero(known)  # file order of the evaluated questions
    Q = len(q_rows)
    correct = np.zeros(Q, dtype=bool)
    predicted = np.full(Q, -1, dtype=np.int64)
    rechecked = 0
    if Q:
        qa, qb, qc, qd = (np.ascontiguousarray(q_rows[:, k]) for k in range(4))
        keep = answer_depth(kid, R, qa, qb, qc)
        top_i, top_s = top_candidates(space, R, qa, qb, qc, method, progress, kernel=kernel, keep=keep)
        predicted, unsafe, force = _predict(top_i, top_s, kid, qa, qb, qc, method, space)
        todo = np.flatnonzero(unsafe | force)
        if todo.size:
            exact = Exact(space, R)
            for j in todo:
                a, b, c = int(qa[j]), int(qb[j]), int(qc[j])
                cands = None
                if not force[j]:
                    ok_rows = top_i[j][top_i[j] >= 0]
                    cands = exact.settle(method, a, b, c, ok_rows, top_s[j][: len(ok_rows)], int(keep[j]))
                if cands is None:
                    cands = exact.candidates(method, a, b, c)
                predicted[j] = _first_answer(cands, kid, (a, b, c))
            rechecked = int(todo.size)
        correct = (predicted >= 0) & (kid[np.clip(predicted, 0, None)] == qd)

    sec = table.section_of[where]
    per_total = np.bincount(sec, minlength=len(table.sections)).tolist()
    per_correct = np.bincount(sec[correct], minlength=len(table.sections)).tolist()
    mistakes = _mistakes(table, where[~correct].tolist(), predicted[~correct].tolist(), space.words)
    out_sections = [AnalogySection(name, c, t, c / t if t else 0.0)
                    for name, c, t in zip(table.sections, per_correct, per_total)]
    n_correct = int(correct.sum())
    report(progress, "evaluate analogies", R, R, finished=True, questions=Q)
    return AnalogyReport(
        model=space.name, dataset=label, method=method, restrict=R, sections=out_sections,
        correct=n_correct, total=Q, accuracy=n_correct / Q if Q else 0.0, questions=questions, oov=oov,
        coverage=(questions - oov) / questions, invalid=table.invalid, mistakes=mistakes, rechecked=rechecked, kernel=pick_kernel(kernel),
        seconds=time.perf_counter() - t0,
    )


def answer_depth(kid: np.ndarray, R: int, qa, qb, qc) -> np.ndarray:
    """How many candidates each question needs: gensim's answer is the first of its top five
    whose key is not an input's, so with v other rows of the inputs' keys among the first R
    (case variants) it is within the first v + 1; one more tells a near tie after it, and one
    more lets the tie be settled on the candidates alone. Usually v = 0: three candidates, not
    ``CANDIDATES_KEPT``, and each question's bar is its third best score, not its eighth."""
    count = np.bincount(kid[:R], minlength=R)
    v = count[qa] + np.where(qb != qa, count[qb], 0) + np.where((qc != qa) & (qc != qb), count[qc], 0)
    v -= 1 + (qb != qa) + ((qc != qa) & (qc != qb))  # the input rows themselves
    return np.minimum(v + 3, CANDIDATES_KEPT).astype(np.int64)


def _mistakes(table: AnalogyTable, questions: list[int], predicted: list[int], words: list[str]) -> list[AnalogyMistake]:
    """The wrong answers: question i of the table (file order) and the row given instead."""
    names, section_of, lines, qw = table.sections, table.section_of.tolist(), table.lines.tolist(), table.words
    return [AnalogyMistake(names[section_of[i]], lines[i], qw[4 * i: 4 * i + 4], words[p] if p >= 0 else None)
            for i, p in zip(questions, predicted)]


def _predict(top_i, top_s, kid, qa, qb, qc, method: str,
             space: Space) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """gensim's choice among the candidates; which questions sit on a near tie (to settle
    exactly); and which the float32 table cannot be trusted for at all (to recompute in full)."""
    Q = len(qa)
    ar = np.arange(Q)
    valid = top_i >= 0
    n_valid = valid.sum(axis=1)
    n_exam = np.minimum(n_valid, TOPN)
    ki = kid[np.clip(top_i, 0, None)]
    elig = valid & (ki != qa[:, None]) & (ki != qb[:, None]) & (ki != qc[:, None])
    elig[:, TOPN:] = False
    has = elig.any(axis=1)
    p = np.where(has, elig.argmax(axis=1), n_exam - 1)
    predicted = np.where(p >= 0, top_i[ar, np.clip(p, 0, None)], -1)

    s = top_s.astype(np.float64)
    pc = np.clip(p, 0, None)
    sp = s[ar, pc]
    nxt = np.clip(p + 1, 0, top_s.shape[1] - 1)
    has_next = (p >= 0) & (p + 1 < n_valid)
    has_prev = (p >= 1) & ~has  # fallback answer: the last examined one, its rank matters
    prv = np.clip(p - 1, 0, None)
    with np.errstate(invalid="ignore"):
        unsafe = has_next & (sp - s[ar, nxt] <= tol(method, sp))
        unsafe |= has_prev & (s[ar, prv] - sp <= tol(method, s[ar, prv]))
    force = np.zeros(Q, dtype=bool)
    if method == "mul":
        # 3CosMul divides by (1 + cos a): where a factor is near 0 the float32 table is not
        # precise enough to trust the margin; recompute those questions exactly
        look = np.stack([prv, pc, nxt], axis=1)
        cand = top_i[ar[:, None], look]
        okc = cand >= 0
        cand = np.clip(cand, 0, None)
        V = space.vectors
        cn = unit_rows_f32(V[cand.ravel()]).reshape(Q, 3, -1)
        low = np.zeros(Q, dtype=bool)
        for x in (qa, qb, qc):
            xn = unit_rows_f32(V[x])
            f = 1.0 + np.einsum("qkd,qd->qk", cn, xn)
            low |= (okc & (f < _MUL_FACTOR_MIN)).any(axis=1)
        force = low & (p >= 0)
    return predicted, unsafe & ~force, force


def _first_answer(cands: list[int], kid: np.ndarray, inputs: tuple[int, int, int]) -> int:
    """gensim's loop: the first candidate whose key is not an input's; else the last one."""
    pred = -1
    for c in cands:
        pred = c
        if kid[c] not in inputs:
            break
    return pred
