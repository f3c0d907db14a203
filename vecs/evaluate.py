"""Benchmarks: word analogies (Google, MSR) and word-pair similarity (WS353, SimLex, MEN...).

Answers are identical to gensim 4.4 — ``KeyedVectors.evaluate_word_analogies(path,
restrict_vocab=N, case_insensitive=True)`` for ``method="add"``, the same loop over
``most_similar_cosmul`` for ``method="mul"``, ``evaluate_word_pairs(path, restrict_vocab=N,
case_insensitive=True)`` for similarity — and the analogy run is two orders of magnitude faster.

How the analogies go fast
-------------------------
gensim scores each question with one pass over the whole (restricted) vocabulary: a
matrix-vector product per question (three for 3CosMul). Here the cosine of every *question word*
with every vocabulary word is computed once, block by block of the vocabulary, by one matrix
product (the Google set has ~900 distinct words). A question's scores are then sums (3CosAdd:
``cos(x,b) + cos(x,c) - cos(x,a)``, the same ranking as gensim's cosine with the normalised mean)
or products (3CosMul) of rows of that table, and only a running top 8 per question is kept;
runs of words whose upper bound cannot beat a question's 8th best are skipped.

Float rounding differs from gensim's, so two candidates whose scores are closer than a safety
margin (far above float32 noise) could come out in the other order. Such questions — about one in
a thousand — are settled with gensim's own formula on the few candidates concerned, and if still
too close to call, recomputed exactly as gensim does it (the same numpy/BLAS operations on the
same float32 data), so the answers stay identical.

gensim semantics kept on purpose (see ``evaluate_analogies``): the vocabulary is the first
``restrict`` words, upper-cased with the first (most frequent) variant winning; a question is
skipped when any of its four words is missing; the five best candidates other than the input rows
are examined in order and the first whose upper-case form is not an input's is the answer (the
last examined one if none qualifies).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from vecs.errors import DatasetError
from vecs.progress import ProgressFn, report
from vecs.space import Space

ANALOGY_SETS = ("google", "msr")
SIMILARITY_SETS = ("ws353", "simlex", "men", "rw", "mturk771", "rg65")
METHODS = ("add", "mul")

_TOPN = 5  # gensim's evaluate_word_analogies asks most_similar for topn=5
_K = _TOPN + 3  # candidates kept per question: the 5 examined, and more to settle near ties
_ADD_TOL = 1e-4  # near-tie margin (absolute on 3CosAdd sums of cosines, scaled for |s| > 1)
_MUL_TOL = 1e-4  # near-tie margin (relative on 3CosMul scores)
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


# --------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------
def dataset_path(dataset: str | Path, kind: str, progress: ProgressFn | None = None) -> tuple[str, Path]:
    """Resolve a dataset name (``google``, ``ws353``...) or a file path to ``(label, path)``.

    ``kind`` is ``"analogies"`` or ``"similarity"``; a name of the other kind is an error."""
    own, other = (ANALOGY_SETS, SIMILARITY_SETS) if kind == "analogies" else (SIMILARITY_SETS, ANALOGY_SETS)
    name = str(dataset)
    if name in own:
        from vecs import resources

        return name, Path(resources.path(name, progress=progress))
    p = Path(name).expanduser()
    if p.is_file():
        return str(p), p
    if p.exists():
        raise DatasetError(f"{name!r} is not a file")
    if name in other:
        raise DatasetError(f"{name!r} is a{'n analogy' if kind == 'similarity' else ' similarity'} set; "
                           f"{kind} sets: {', '.join(own)} (or a file)")
    raise DatasetError(f"unknown dataset {name!r}: not one of {', '.join(own)} and no such file")


def _read_bytes(path: Path) -> bytes:
    opener: Callable = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as f:
            return f.read()
    except OSError as e:  # unreadable, a folder, a broken archive
        raise DatasetError(f"cannot read {path}: {e.strerror or e}") from None
    except EOFError:
        raise DatasetError(f"cannot read {path}: truncated archive") from None


def _decode(raw: bytes, path: Path, line_no: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"{path} is not UTF-8 text (line {line_no})") from None


def read_analogies(path: Path) -> tuple[list[tuple[str, list[tuple[int, list[str]]]]], int]:
    """Parse a file in the Google format: ``: section`` lines, then ``a b c d`` lines.

    Returns ``([(section, [(line_no, [a, b, c, d]), ...]), ...], invalid)``. As gensim: lines
    are split at ``\\n`` only and on any whitespace, a section starts at a line beginning with
    ``": "`` (its name is the line with leading ':' and ' ' stripped), lines that are not four
    words are skipped. Unlike gensim (which refuses the file), questions before the first header
    go into a section called ``questions``."""
    data = _read_bytes(path)
    sections: list[tuple[str, list[tuple[int, list[str]]]]] = []
    invalid = 0
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    for i, raw in enumerate(pieces):
        line = _decode(raw, path, i + 1)
        if line.startswith(": "):
            sections.append((line.lstrip(": ").strip(), []))
            continue
        words = line.split()
        if len(words) != 4:
            invalid += bool(words)
            continue
        if not sections:
            sections.append(("questions", []))
        sections[-1][1].append((i + 1, words))
    if not any(qs for _, qs in sections):
        raise DatasetError(f"no analogy questions in {path} (expected ': section' lines, then lines of 4 words)")
    return sections, invalid


def read_pairs(path: Path) -> tuple[list[tuple[int, str, str, float]], int]:
    """Parse a word-pair file: ``word<TAB>word<TAB>score`` lines, ``#`` comment lines.

    As gensim's ``evaluate_word_pairs``: UTF-8 with universal newlines, split at tabs, the words
    kept as they are (not stripped), the score read by ``float``, other lines skipped. One
    addition: a line that does not split into exactly three fields is retried with its empty
    fields dropped, which reads ``RG_word.tsv`` (fields separated by runs of tabs; gensim skips
    58 of its 65 lines). Lines gensim accepts are read exactly as gensim reads them.

    Returns ``([(line_no, a, b, score), ...], invalid)``."""
    data = _read_bytes(path)
    try:
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        lines = list(text)
    except UnicodeDecodeError:
        raise DatasetError(f"{path} is not UTF-8 text") from None
    pairs: list[tuple[int, str, str, float]] = []
    invalid = 0
    for i, line in enumerate(lines):
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            parts = [p for p in parts if p.strip()]
        try:
            a, b, sim = parts
            score = float(sim)
        except (ValueError, TypeError):
            invalid += bool(line.strip())
            continue
        pairs.append((i + 1, a, b, score))
    if not pairs:
        raise DatasetError(f"no word pairs in {path} (expected lines of word<TAB>word<TAB>score)")
    return pairs, invalid


# --------------------------------------------------------------------------------------------
# Vocabulary as gensim sees it
# --------------------------------------------------------------------------------------------
def _restricted(space: Space, restrict: int | None) -> int:
    n = len(space)
    return n if not restrict or restrict <= 0 else min(int(restrict), n)


def _ok_vocab(words: Sequence[str], R: int, case_insensitive: bool) -> tuple[dict[str, int], np.ndarray]:
    """gensim's ``ok_vocab``: key (upper-cased) -> row of its first occurrence among the first R
    words; and for every row the row its key maps to (so "same key" is an integer comparison)."""
    keys = [w.upper() for w in words[:R]] if case_insensitive else list(words[:R])
    ok: dict[str, int] = {}
    kid = np.empty(R, dtype=np.int64)
    setdefault = ok.setdefault
    for i, k in enumerate(keys):
        kid[i] = setdefault(k, i)
    return ok, kid


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
    R = _restricted(space, restrict)
    ok, kid = _ok_vocab(space.words, R, case_insensitive)
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
            exact = _Exact(space, R)
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
    block = np.asarray(block, dtype=np.float32)
    n = np.sqrt(np.einsum("ij,ij->i", block, block))
    n[n == 0] = 1.0
    return block / n[:, None]


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

    K = _K
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
    n_exam = np.minimum(n_valid, _TOPN)
    ki = kid[np.clip(top_i, 0, None)]
    elig = valid & (ki != qa[:, None]) & (ki != qb[:, None]) & (ki != qc[:, None])
    elig[:, _TOPN:] = False
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
        unsafe = has_next & (sp - s[ar, nxt] <= _tol(method, sp))
        unsafe |= has_prev & (s[ar, prv] - sp <= _tol(method, s[ar, prv]))
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


def _tol(method: str, hi):
    """The safety margin below a table score ``hi``: far above the float32 error of the table
    (about 1e-6) and of gensim's own scores."""
    if method == "add":
        return _ADD_TOL * np.maximum(1.0, np.abs(hi))
    return _MUL_TOL * np.abs(hi)


def _first_answer(cands: list[int], kid: np.ndarray, inputs: tuple[int, int, int]) -> int:
    """gensim's loop: the first candidate whose key is not an input's; else the last one."""
    pred = -1
    for c in cands:
        pred = c
        if kid[c] not in inputs:
            break
    return pred


class _Exact:
    """Near ties, settled the way gensim computes.

    ``settle`` scores only the table's best candidates, with gensim's formula in float32 (so
    within a few units in the last place of gensim's own floats): if their order is clear by
    more than that and no row outside them can reach the top five, that is gensim's answer.
    Otherwise ``candidates`` scores the question exactly as gensim 4.4 does — the same
    operations on the same float32 data, so the same floats and the same order, ties included."""

    _EPS = 1e-5  # settle's margin: far above float32 rounding of a 300-term dot product

    def __init__(self, space: Space, R: int):
        self.space = space
        self.R = R
        self._full: tuple[np.ndarray, np.ndarray] | None = None
        from scipy.linalg import get_blas_funcs

        probe = np.array([], dtype=float)
        self._nrm2 = get_blas_funcs(("nrm2",), (probe,))[0]
        self._scal = get_blas_funcs(("scal",), (probe,))[0]

    def _mean(self, V: np.ndarray, norms: np.ndarray, rows: Sequence[int]) -> np.ndarray:
        """gensim's get_mean_vector(positive=[b, c], negative=[a], pre_normalize=True,
        post_normalize=True) for rows (b, c, a)."""
        weight = np.concatenate((np.ones(2), -1.0 * np.ones(1)))
        mean = np.zeros(V.shape[1], V.dtype)
        total_weight = 0
        for idx, r in enumerate(rows):
            vec = V[r] / norms[r]
            mean += weight[idx] * vec
            total_weight += abs(weight[idx])
        mean = mean / total_weight
        return self._unitvec(mean).astype(np.float32)

    def settle(self, method: str, a: int, b: int, c: int, rows: np.ndarray, scores: np.ndarray) -> list[int] | None:
        n_in = min(len(rows), _K - 1)
        C = rows[:n_in]
        X = np.asarray(self.space.vectors[np.concatenate([C, [b, c, a]])], dtype=np.float32)
        norms = np.linalg.norm(X, axis=1)
        Xc, nc = X[:n_in], norms[:n_in]
        if method == "add":
            mean = self._mean(X, norms, [n_in, n_in + 1, n_in + 2])
            g = np.dot(Xc, mean) / nc
            eps = np.full(n_in, self._EPS)
        else:
            terms = [X[n_in + k] / norms[n_in + k] for k in range(3)]
            pos = [((1 + np.dot(Xc, t) / nc) / 2) for t in terms[:2]]
            neg = [((1 + np.dot(Xc, t) / nc) / 2) for t in terms[2:]]
            g = np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 0.000001)
            eps = self._EPS * np.abs(g.astype(np.float64))
        order = np.argsort(-g, kind="stable")
        top = order[: _TOPN + 1]
        gt = g[top].astype(np.float64)
        if np.any(gt[:-1] - gt[1:] <= eps[top[:-1]]):
            return None  # too close to call without gensim's exact floats
        if len(rows) > n_in:  # rows outside C score at most scores[n_in] in the table
            lowest = float(np.min(scores[top[:_TOPN]]))
            if not scores[n_in] < lowest - _tol(method, lowest):
                return None
        return [int(C[i]) for i in order[:_TOPN]]

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        if self._full is None:
            V = np.asarray(self.space.vectors[: self.R])
            self._full = (V, np.linalg.norm(V, axis=1))  # gensim's fill_norms
        return self._full

    def _unitvec(self, vec: np.ndarray) -> np.ndarray:  # gensim.matutils.unitvec for a dense vector
        veclen = self._nrm2(vec) if vec.size else 0.0
        if veclen > 0.0:
            return self._scal(1.0 / veclen, vec).astype(vec.dtype)
        return vec

    @staticmethod
    def _argsort(x: np.ndarray, topn: int) -> np.ndarray:  # gensim.matutils.argsort(reverse=True)
        x = -x
        if topn >= x.size:
            return np.argsort(x)[:topn]
        most_extreme = np.argpartition(x, topn)[:topn]
        return most_extreme.take(np.argsort(x.take(most_extreme)))

    def candidates(self, method: str, a: int, b: int, c: int) -> list[int]:
        V, norms = self._vectors()
        if method == "add":  # most_similar(positive=[b, c], negative=[a], topn=5)
            keys = [b, c, a]
            mean = self._mean(V, norms, keys)
            dists = np.dot(V, mean) / norms
            best = self._argsort(dists, _TOPN + len(keys))
            return [int(i) for i in best if i not in keys][:_TOPN]
        # most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        all_words = {b, c, a}
        pos = [V[r] / norms[r] for r in (b, c)]
        neg = [V[a] / norms[a]]
        pos_dists = [((1 + np.dot(V, term) / norms) / 2) for term in pos]
        neg_dists = [((1 + np.dot(V, term) / norms) / 2) for term in neg]
        dists = np.prod(pos_dists, axis=0) / (np.prod(neg_dists, axis=0) + 0.000001)
        best = self._argsort(dists, _TOPN + len(all_words))
        return [int(i) for i in best if i not in all_words][:_TOPN]


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
    R = _restricted(space, restrict)
    ok, _ = _ok_vocab(space.words, R, case_insensitive)
    key: Callable[[str], str] = str.upper if case_insensitive else str
    exact = _PairSim(space)
    gold: list[float] = []
    model: list = []
    oov = 0
    for _, a, b, score in pairs:
        ra, rb = ok.get(key(a)), ok.get(key(b))
        if ra is None or rb is None:
            oov += 1
            continue
        gold.append(score)
        model.append(exact.similarity(ra, rb))
    nan = float("nan")
    sp = sp_p = pe = pe_p = nan
    if len(gold) >= 2:
        from scipy import stats

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spearman = stats.spearmanr(gold, model)
            pearson = stats.pearsonr(gold, model)
        sp, sp_p = float(spearman[0]), float(spearman[1])
        pe, pe_p = float(pearson[0]), float(pearson[1])
    used = len(gold)
    return SimilarityReport(model=space.name, dataset=label, restrict=R, spearman=sp, spearman_p=sp_p,
                            pearson=pe, pearson_p=pe_p, pairs=used, oov=oov,
                            coverage=used / (used + oov) if used + oov else 0.0, invalid=invalid)


def evaluate_similarity_all(space: Space, restrict: int | None = 300_000, case_insensitive: bool = True,
                            progress: ProgressFn | None = None) -> list[SimilarityReport]:
    """``evaluate_similarity`` on every packaged set, in the order of ``SIMILARITY_SETS``."""
    out = []
    for i, name in enumerate(SIMILARITY_SETS):
        out.append(evaluate_similarity(space, name, restrict, case_insensitive, progress=progress))
        report(progress, "evaluate similarity", i + 1, len(SIMILARITY_SETS), finished=i + 1 == len(SIMILARITY_SETS))
    return out


class _PairSim:
    """gensim's ``similarity(w1, w2)``: ``dot(unitvec(v1), unitvec(v2))`` with the same BLAS
    calls, so the same float32 values (and the same correlations, to the last bit)."""

    def __init__(self, space: Space):
        from scipy.linalg import get_blas_funcs

        probe = np.array([], dtype=float)
        self._nrm2 = get_blas_funcs(("nrm2",), (probe,))[0]
        self._scal = get_blas_funcs(("scal",), (probe,))[0]
        self.V = space.vectors

    def _unitvec(self, vec: np.ndarray) -> np.ndarray:
        veclen = self._nrm2(vec) if vec.size else 0.0
        if veclen > 0.0:
            return self._scal(1.0 / veclen, vec).astype(vec.dtype)
        return vec

    def similarity(self, a: int, b: int):
        return np.dot(self._unitvec(np.asarray(self.V[a])), self._unitvec(np.asarray(self.V[b])))

