"""Analogy benchmarks (Google, MSR): every question answered at once, scored exactly as gensim scores it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from vecs.errors import DatasetError
from vecs.linalg import row_norms, unit_rows
from vecs.progress import ProgressFn, report
from vecs.space import Space
from vecs.static.benchmarks import dataset_path, question_vocab, read_analogies, restricted_rows
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


# --------------------------------------------------------------------------------------------
# Analogies
# --------------------------------------------------------------------------------------------
def evaluate_analogies(space: Space, dataset: str | Path = "google", method: str = "add",
                       restrict: int | None = 300_000, case_insensitive: bool = True,
                       progress: ProgressFn | None = None) -> AnalogyReport:
    """Accuracy on an analogy set (``google``, ``msr`` or a file in the Google format).

    ``method="add"`` gives exactly gensim's ``evaluate_word_analogies(path, restrict_vocab=restrict,
    case_insensitive=case_insensitive)``; ``method="mul"`` exactly the same loop with
    ``most_similar_cosmul(positive=[b, c], negative=[a], topn=5)`` in place of ``most_similar``.
    One difference for ``mul``: gensim 4.4 accepts ``restrict_vocab`` in ``most_similar_cosmul``
    but ignores it (it ranks the whole vocabulary); here candidates are the first ``restrict``
    words, for both methods — the same answers as gensim given only those words (and the same,
    full stop, when ``restrict`` covers the space).

    ``restrict`` None or 0: the whole space. Questions with a word outside the first ``restrict``
    words are skipped (``oov``)."""
    if method not in METHODS:
        raise DatasetError(f"unknown method {method!r}: use add (3CosAdd) or mul (3CosMul)")
    t0 = time.perf_counter()
    label, path = dataset_path(dataset, "analogies", progress=progress)
    sections, invalid = read_analogies(path)
    R = restricted_rows(space, restrict)
    ok, kid = question_vocab(space.words, R, case_insensitive)
    key: Callable[[str], str] = str.upper if case_insensitive else str

    # questions whose four words are known: rows (a, b, c, expected), section, line
    rows: list[tuple[int, int, int, int]] = []
    where: list[tuple[int, int, list[str]]] = []
    questions = oov = 0
    get = ok.get
    for s, (_, qs) in enumerate(sections):
        for line_no, words in qs:
            questions += 1
            r = [get(key(w)) for w in words]
            if None in r:
                oov += 1
                continue
            rows.append(tuple(r))  # type: ignore[arg-type]
            where.append((s, line_no, words))

    Q = len(rows)
    correct = np.zeros(Q, dtype=bool)
    predicted = np.full(Q, -1, dtype=np.int64)
    rechecked = 0
    if Q:
        q = np.asarray(rows, dtype=np.int64)
        qa, qb, qc, qd = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
        top_i, top_s = _top_candidates(space, R, qa, qb, qc, method, progress)
        predicted, unsafe, force = _predict(top_i, top_s, kid, qa, qb, qc, method, space)
        todo = np.flatnonzero(unsafe | force)
        if todo.size:
            exact = Exact(space, R)
            for j in todo:
                a, b, c = int(qa[j]), int(qb[j]), int(qc[j])
                cands = None
                if not force[j]:
                    ok_rows = top_i[j][top_i[j] >= 0]
                    cands = exact.settle(method, a, b, c, ok_rows, top_s[j][: len(ok_rows)])
                if cands is None:
                    cands = exact.candidates(method, a, b, c)
                predicted[j] = _first_answer(cands, kid, (a, b, c))
            rechecked = int(todo.size)
        correct = (predicted >= 0) & (kid[np.clip(predicted, 0, None)] == qd)

    per_correct = [0] * len(sections)
    per_total = [0] * len(sections)
    mistakes: list[AnalogyMistake] = []
    words = space.words
    for j, (s, line_no, qwords) in enumerate(where):
        per_total[s] += 1
        if correct[j]:
            per_correct[s] += 1
        else:
            p = int(predicted[j])
            mistakes.append(AnalogyMistake(sections[s][0], line_no, list(qwords), words[p] if p >= 0 else None))
    out_sections = [AnalogySection(name, c, t, c / t if t else 0.0)
                    for (name, _), c, t in zip(sections, per_correct, per_total)]
    n_correct = int(correct.sum())
    report(progress, "evaluate analogies", R, R, finished=True, questions=Q)
    return AnalogyReport(
        model=space.name, dataset=label, method=method, restrict=R, sections=out_sections,
        correct=n_correct, total=Q, accuracy=n_correct / Q if Q else 0.0, questions=questions, oov=oov,
        coverage=(questions - oov) / questions, invalid=invalid, mistakes=mistakes, rechecked=rechecked,
        seconds=time.perf_counter() - t0,
    )


def _unit_rows(block: np.ndarray) -> np.ndarray:
    """Unit rows in float32, the norms summed as :func:`vecs.linalg.row_norms` sums them."""
    block = np.asarray(block, dtype=np.float32)
    return unit_rows(block, row_norms(block))


def _top_candidates(space: Space, R: int, qa, qb, qc, method: str, progress: ProgressFn | None,
                    seed_block: int = 2048, block: int = 8192, sub: int = 64, batch: int = 256,
                    stats: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each question, the ``_K`` best rows among the first R (input rows excluded), best
    first, scored from a table of cosines between question words and vocabulary words.
    Missing candidates (tiny vocabularies) have row -1 and score -inf.

    The first ``seed_block`` words (the most frequent) are scored for every question and give
    each question a threshold, its current K-th best score. In later blocks a question is scored
    only on the runs of ``sub`` words where an upper bound of its score (the run's best partial
    score of its (a, b) pair plus, or times, the run's best cosine of c) beats that threshold;
    most runs of most questions are skipped."""
    Q = len(qa)
    V = space.vectors
    uniq, inv = np.unique(np.concatenate([qa, qb, qc]), return_inverse=True)
    U = len(uniq)
    ua, ub, uc = inv[:Q], inv[Q:2 * Q], inv[2 * Q:]
    Un = _unit_rows(V[uniq])  # (U, d) unit vectors of the question words
    # questions sharing (a, b) share the partial score P = f(b, a); the rest is one row of c:
    # 3CosAdd  s = (cos b - cos a) + cos c;  3CosMul  s = (1+cos b)/(1+cos a+2e-6) * (1+cos c)
    pairs, pidx = np.unique(ua * U + ub, return_inverse=True)
    pa, pb = pairs // U, pairs % U
    npairs = len(pairs)
    # keep the per-block tables to ~64 MB whatever the number of distinct words
    cap = max(sub, (2 ** 24 // max(U + npairs, 1)) // sub * sub)
    block, seed_block = min(block, cap), min(seed_block, cap)

    K = CANDIDATES_KEPT
    top_s = np.full((Q, K), -np.inf, dtype=np.float32)
    top_i = np.full((Q, K), -1, dtype=np.int64)
    thr = np.full(Q, -np.inf, dtype=np.float32)
    ninf = np.float32(-np.inf)
    mul = method == "mul"
    runs_scored = runs_total = 0

    start = 0
    while start < R:
        end = min(R, start + (seed_block if start == 0 else block))
        w = end - start
        nsb = -(-w // sub)
        wp = nsb * sub
        T = np.empty((U, wp), dtype=np.float32)
        np.matmul(Un, _unit_rows(V[start:end]).T, out=T[:, :w])  # (U, w) cosines
        P = np.empty((npairs, wp), dtype=np.float32)
        if mul:
            T[:, :w] += np.float32(1.0)  # (1 + cos): gensim's factor up to the constant 1/2
            T[:, w:] = 1.0
            np.divide(T[pb, :w], T[pa, :w] + np.float32(2e-6), out=P[:, :w])
        else:
            T[:, w:] = ninf
            np.subtract(T[pb, :w], T[pa, :w], out=P[:, :w])
        P[:, w:] = ninf  # padding never scores

        if start == 0:  # every question, every word: seeds the thresholds
            buf = np.empty((min(batch, Q), wp), dtype=np.float32)
            for qs in range(0, Q, batch):
                sel = np.arange(qs, min(Q, qs + batch))
                S = buf[: sel.size]
                np.take(P, pidx[sel], axis=0, out=S, mode="clip")
                if mul:
                    S *= T[uc[sel]]
                else:
                    S += T[uc[sel]]
                for arr in (qa, qb, qc):  # the input rows are never candidates (as gensim)
                    x = arr[sel]
                    r = np.flatnonzero(x < end)
                    S[r, x[r]] = ninf
                _seed(S, K, top_s, top_i, sel)
            thr[:] = top_s[:, K - 1]
        else:
            P3 = P.reshape(npairs, nsb, sub)
            T3 = T.reshape(U, nsb, sub)
            maxP, maxT = P3.max(axis=2), T3.max(axis=2)
            bound = maxP[pidx]
            if mul:
                bound *= maxT[uc]
            else:
                bound += maxT[uc]
            flat = np.flatnonzero(bound > thr[:, None])  # (question, run) pairs worth scoring
            runs_total += bound.size
            runs_scored += flat.size
            step = max(1, (1 << 20) // sub)
            for cs in range(0, flat.size, step):
                q, s = np.divmod(flat[cs: cs + step], nsb)
                vals = P3[pidx[q], s]
                if mul:
                    vals *= T3[uc[q], s]
                else:
                    vals += T3[uc[q], s]
                hits = np.flatnonzero(vals > thr[q][:, None])
                if not hits.size:
                    continue
                hr, c = np.divmod(hits, sub)
                hq = q[hr]
                col = start + s[hr] * sub + c
                keep = (col != qa[hq]) & (col != qb[hq]) & (col != qc[hq])
                if keep.any():
                    _merge(top_s, top_i, thr, hq[keep], col[keep], vals.ravel()[hits[keep]], K)
        report(progress, "evaluate analogies", end, R, questions=Q)
        start = end
    if stats is not None:
        stats.update(runs_scored=runs_scored, runs_total=runs_total, words=U, pairs=npairs)
    return top_i, top_s


def _seed(S: np.ndarray, K: int, top_s: np.ndarray, top_i: np.ndarray, sel: np.ndarray) -> None:
    """Best K of each row of S (clobbers S), best first, into rows ``sel`` of top_s/top_i."""
    n, w = S.shape
    ar = np.arange(n)
    for k in range(min(K, w)):
        j = S.argmax(axis=1)
        v = S[ar, j]
        top_s[sel, k] = v
        top_i[sel, k] = np.where(v > -np.inf, j, -1)
        S[ar, j] = -np.inf


def _merge(top_s, top_i, thr, rows, cols, vals, K: int) -> None:
    """Merge new candidates (rows, cols, vals) into the running top K (sorted best first)."""
    aff = np.unique(rows)
    all_rows = np.concatenate([np.repeat(aff, K), rows])
    all_cols = np.concatenate([top_i[aff].ravel(), cols])
    all_vals = np.concatenate([top_s[aff].ravel(), vals.astype(np.float32, copy=False)])
    order = np.lexsort((-all_vals, all_rows))
    sr = all_rows[order]
    starts = np.searchsorted(sr, aff)
    counts = np.diff(np.append(starts, len(sr)))
    rank = np.arange(len(sr)) - np.repeat(starts, counts)
    keep = rank < K
    top_s[sr[keep], rank[keep]] = all_vals[order][keep]
    top_i[sr[keep], rank[keep]] = all_cols[order][keep]
    thr[aff] = top_s[aff, K - 1]


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
        cn = _unit_rows(V[cand.ravel()]).reshape(Q, 3, -1)
        low = np.zeros(Q, dtype=bool)
        for x in (qa, qb, qc):
            xn = _unit_rows(V[x])
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
