"""Every analogy question's best candidates over the vocabulary: the batched search under
:func:`vecs.static.eval_analogies.evaluate_analogies`.

Two engines, the same answers: a compiled loop (numba, ``vecs.static.analogy_numba``) when numba is
installed, and numpy otherwise. Both score the same float32 table the same way; what differs is
how much of it they visit and how fast. ``kernel="auto"`` takes numba when it imports."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from vecs.errors import DatasetError
from vecs.linalg import row_norms, unit_rows
from vecs.progress import ProgressFn, report
from vecs.space import Space
from vecs.static.eval_ties import CANDIDATES_KEPT

KERNELS = ("auto", "numba", "numpy")


@lru_cache(maxsize=1)
def numba_kernels():
    """The compiled module, or None when numba is not installed (or fails to load)."""
    try:
        from vecs.static import analogy_numba
    except Exception:  # numba absent or broken: the numpy engine gives the same answers
        return None
    return analogy_numba


def pick_kernel(kernel: str) -> str:
    if kernel not in KERNELS:
        raise DatasetError(f"unknown kernel {kernel!r}: use auto, numba or numpy")
    if kernel == "numpy":
        return "numpy"
    if numba_kernels() is None:
        if kernel == "numba":
            raise DatasetError("kernel 'numba' needs numba: pip install numba (or use kernel='numpy')")
        return "numpy"
    return "numba"


def top_candidates(space: Space, R: int, qa, qb, qc, method: str, progress: ProgressFn | None,
                   kernel: str = "auto", stats: dict | None = None, keep=None) -> tuple[np.ndarray, np.ndarray]:
    """For each question, the ``keep[q]`` (default ``CANDIDATES_KEPT``, at most that) best rows
    among the first R (input rows excluded), best first, in ``CANDIDATES_KEPT`` columns; rows -1
    and scores -inf past them (or where the vocabulary has fewer). The fewer kept, the higher
    each question's threshold and the more of the vocabulary is skipped."""
    if pick_kernel(kernel) == "numba":
        return top_candidates_numba(space, R, qa, qb, qc, method, progress, stats=stats, keep=keep)
    return top_candidates_numpy(space, R, qa, qb, qc, method, progress, stats=stats, keep=keep)


def keep_counts(keep, Q: int) -> np.ndarray:
    """``keep`` as an int64 array of Q counts in [1, CANDIDATES_KEPT] (None: all of them)."""
    if keep is None:
        return np.full(Q, CANDIDATES_KEPT, dtype=np.int64)
    out = np.ascontiguousarray(np.broadcast_to(np.asarray(keep), (Q,)), dtype=np.int64)
    if out.size and (out.min() < 1 or out.max() > CANDIDATES_KEPT):
        raise DatasetError(f"keep must be between 1 and {CANDIDATES_KEPT} candidates a question")
    return out


def _question_words(space: Space, qa, qb, qc):
    """Distinct question words (unit rows) and the (a, b) pairs the questions share."""
    Q = len(qa)
    uniq, inv = np.unique(np.concatenate([qa, qb, qc]), return_inverse=True)
    U = len(uniq)
    ua, ub, uc = inv[:Q], inv[Q:2 * Q], inv[2 * Q:]
    pairs, pidx = np.unique(ua * U + ub, return_inverse=True)
    return unit_rows_f32(space.vectors[uniq]), pairs // U, pairs % U, pidx, uc


GROUP_JACCARD = 0.5  # a pair joins a group whose c words are at least this like its own (Jaccard)


def pair_groups(pidx, uc, npairs: int, U: int, jaccard: float = GROUP_JACCARD, max_groups: int = 256,
                max_cells: int = 20_000_000):
    """Groups of (a, b) pairs by the c words asked with them, for the numba engine's word-by-word
    bound (``analogy_numba.pair_bounds``): largest first, a pair joins the group whose c words
    are most like its own (Jaccard at least ``jaccard``), else starts one. Returns
    (pg, gptr, grow): each pair's group, and group g's c words grow[gptr[g]:gptr[g + 1]]; every
    question's c is among its pair's group's words. The tighter a group, the tighter the bound;
    each group costs a pass over its words per block, so where the groups would hold more than
    twice the U question words, or number more than ``max_groups``, one group holds every c word
    (a looser bound, never wrong); and so it does, without grouping, past ``max_cells`` pairs x
    words (the grouping's own memory and time)."""
    pidx, uc = np.asarray(pidx, dtype=np.int64), np.asarray(uc, dtype=np.int64)
    groups: list[list[int]] = []  # [words as bits, how many]
    pg = np.zeros(npairs, dtype=np.int64)
    if npairs * U <= max_cells:
        asked = np.zeros((npairs, U), dtype=bool)
        asked[pidx, uc] = True
        sizes = asked.sum(axis=1).tolist()
        sets = [int.from_bytes(r.tobytes(), "little") for r in np.packbits(asked, axis=1, bitorder="little")]
        for p in sorted(range(npairs), key=lambda p: (-sizes[p], p)):
            mine, best, pick = sets[p], jaccard, -1
            for g, (words, n) in enumerate(groups):
                both = (words & mine).bit_count()
                if both >= best * (n + sizes[p] - both):
                    best, pick = both / (n + sizes[p] - both), g
            if pick < 0:
                groups.append([mine, sizes[p]])
                pick = len(groups) - 1
            else:
                groups[pick][0] |= mine
                groups[pick][1] = groups[pick][0].bit_count()
            pg[p] = pick
    if not groups or len(groups) > max_groups or sum(n for _, n in groups) > 2 * U:
        pg[:] = 0
        members = [np.unique(uc)] if len(uc) else []
    else:
        nbytes = -(-U // 8)
        members = [np.flatnonzero(np.unpackbits(np.frombuffer(words.to_bytes(nbytes, "little"), dtype=np.uint8),
                                                count=U, bitorder="little")) for words, _ in groups]
    gptr = np.cumsum([0] + [len(m) for m in members]).astype(np.int64)
    return pg, gptr, np.concatenate([np.zeros(0, dtype=np.int64)] + members).astype(np.int64)


def top_candidates_numba(space: Space, R: int, qa, qb, qc, method: str, progress: ProgressFn | None,
                         first: int = 2048, block: int = 512, chunk: int = 8192,
                         threads: int | None = None, stats: dict | None = None,
                         keep=None) -> tuple[np.ndarray, np.ndarray]:
    """The compiled engine. Per block of ``block`` words (sized so the tables stay in a core's
    L2 cache): one BLAS product (the table T), then ``analogy_numba.prepare`` and
    ``merge_questions``. The first ``first`` words (the most frequent) are scored for every
    question, the questions shared among the threads, and set the thresholds. Then each of
    ``threads`` workers takes every n-th chunk of ``chunk`` words (unit rows computed per chunk),
    one BLAS thread each with the GIL released, into its own top K; the tops are merged as one
    pass in order would have kept them."""
    k = numba_kernels()
    Q = len(qa)
    Un, pa, pb, pidx, uc = _question_words(space, qa, qb, qc)
    U, K, npairs = len(Un), CANDIDATES_KEPT, len(pa)
    keep = keep_counts(keep, Q)
    ints = [np.ascontiguousarray(x, dtype=np.int64) for x in (pidx, uc, qa, qb, qc)] + [keep]
    pa, pb = (np.ascontiguousarray(x, dtype=np.int64) for x in (pa, pb))
    mul = method == "mul"
    pg, gptr, grow = pair_groups(pidx, uc, npairs, U)
    ngroups = len(gptr) - 1
    V = space.vectors
    run = k.RUN
    chunk = max(block, chunk // block * block)
    first = min(R, first)
    chunks = [(s, min(R, s + chunk)) for s in range(first, R, chunk)]
    n = max(1, min(threads or os.cpu_count() or 1, max(len(chunks), 1)))
    done = [0]
    lock = threading.Lock()

    class Tables:  # one worker's reusable buffers, sized for the widest block
        def __init__(self, width: int):
            wp = -(-width // run) * run
            nr = wp // run
            self.T, self.P = np.empty(U * wp, np.float32), np.empty(npairs * wp, np.float32)
            self.Tmax, self.row = np.empty(ngroups * wp, np.float32), np.empty(wp, np.float32)
            self.mT, self.bT = np.empty(U * nr, np.float32), np.empty(U, np.float32)
            self.mP, self.bP = np.empty(npairs * nr, np.float32), np.empty(npairs, np.float32)
            self.mW, self.bW = np.empty(npairs * nr, np.float32), np.empty(npairs, np.float32)

        def fill(self, unit_block: np.ndarray):
            """The block's tables (views into the buffers), ready for merge_questions."""
            w = len(unit_block)
            wp = -(-w // run) * run
            nr = wp // run
            T, P = self.T[: U * wp].reshape(U, wp), self.P[: npairs * wp].reshape(npairs, wp)
            mT, mP = self.mT[: U * nr].reshape(U, nr), self.mP[: npairs * nr].reshape(npairs, nr)
            mW = self.mW[: npairs * nr].reshape(npairs, nr)
            np.matmul(Un, unit_block.T, out=T[:, :w])  # (U, w) cosines
            k.prepare(T, w, mul, pa, pb, P, mT, mP)
            k.pair_bounds(T, w, mul, P, pg, gptr, grow, self.Tmax[: ngroups * wp].reshape(ngroups, wp), self.row[:wp],
                          mW)
            for m, whole in ((mT, self.bT), (mP, self.bP), (mW, self.bW)):
                k.row_max(m, whole)
            return T, P, mT, mP, self.bT, self.bP, mW, self.bW

    kth = np.full((n, Q), -np.inf, dtype=np.float32)  # every worker's keep-th best, shared

    def merge(tables, start, q0, q1, top_s, top_i, me, cnt):
        k.merge_questions(*tables, start, mul, *ints, q0, q1, top_s, top_i, kth, me, cnt)

    def worker(me, top_s, top_i, cnt):
        tb = Tables(block)
        for c0, c1 in chunks[me::n]:
            unit = unit_rows_f32(V[c0:c1])
            for s in range(c0, c1, block):
                merge(tb.fill(unit[s - c0: s - c0 + block]), s, 0, Q, top_s, top_i, me, cnt)
            with lock:
                done[0] += c1 - c0
                report(progress, "evaluate analogies", done[0], R, questions=Q)

    top_s = np.full((Q, K), -np.inf, dtype=np.float32)
    top_i = np.full((Q, K), -1, dtype=np.int64)
    counts = [np.zeros(2, dtype=np.int64) for _ in range(n)]
    with _one_blas_thread(n > 1), ThreadPoolExecutor(n) as pool:
        seed = Tables(first).fill(unit_rows_f32(V[:first]))
        cuts = np.linspace(0, Q, n + 1).astype(np.int64)  # the seed block: the questions shared out
        no_one = np.full((1, Q), -np.inf, dtype=np.float32)  # the seed: nothing shared yet
        list(pool.map(lambda i: k.merge_questions(*seed, 0, mul, *ints, cuts[i], cuts[i + 1],
                                                  top_s, top_i, no_one, 0, counts[i]), range(n)))
        done[0] = first
        report(progress, "evaluate analogies", first, R, questions=Q)
        kth[:] = top_s[np.arange(Q), keep - 1]
        tops = [(top_s.copy(), top_i.copy(), counts[i]) for i in range(n)]
        list(pool.map(lambda i: worker(i, *tops[i]), range(n)))
    top_s, top_i = tops[0][0], tops[0][1]
    for other_s, other_i, _ in tops[1:]:
        k.merge_tops(top_s, top_i, other_s, other_i, first)
    _cut(top_s, top_i, keep)
    if stats is not None:
        widths = [first] + [min(block, R - s) for s in range(first, R, block)]
        total = sum(-(-w // run) for w in widths if w > 0) * Q
        done_counts = sum(counts)
        stats.update(bounds_checked=int(done_counts[0]), runs_scored=int(done_counts[1]), runs_total=int(total),
                     words=U, pairs=npairs, kernel="numba", threads=n)
    return top_i, top_s


@contextmanager
def _one_blas_thread(on: bool):
    """BLAS at one thread while the workers run (each is one thread of the machine)."""
    if not on:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # no threadpoolctl: BLAS keeps its threads (slower, same answers)
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def unit_rows_f32(block: np.ndarray) -> np.ndarray:
    """Unit rows in float32, the norms summed as :func:`vecs.linalg.row_norms` sums them."""
    block = np.asarray(block, dtype=np.float32)
    return unit_rows(block, row_norms(block))


def top_candidates_numpy(space: Space, R: int, qa, qb, qc, method: str, progress: ProgressFn | None,
                    seed_block: int = 2048, block: int = 8192, sub: int = 64, batch: int = 256,
                    stats: dict | None = None, keep=None) -> tuple[np.ndarray, np.ndarray]:
    """For each question, the ``keep[q]`` best rows among the first R (input rows excluded), best
    first, scored from a table of cosines between question words and vocabulary words.
    Missing candidates (tiny vocabularies) have row -1 and score -inf.

    The first ``seed_block`` words (the most frequent) are scored for every question and give
    each question a threshold, its current keep[q]-th best score. In later blocks a question is scored
    only on the runs of ``sub`` words where an upper bound of its score (the run's best partial
    score of its (a, b) pair plus, or times, the run's best cosine of c) beats that threshold;
    most runs of most questions are skipped."""
    Q = len(qa)
    V = space.vectors
    # questions sharing (a, b) share the partial score P = f(b, a); the rest is one row of c:
    # 3CosAdd  s = (cos b - cos a) + cos c;  3CosMul  s = (1+cos b)/(1+cos a+2e-6) * (1+cos c)
    Un, pa, pb, pidx, uc = _question_words(space, qa, qb, qc)  # Un: (U, d) unit question words
    U, npairs = len(Un), len(pa)
    # keep the per-block tables to ~64 MB whatever the number of distinct words
    cap = max(sub, (2 ** 24 // max(U + npairs, 1)) // sub * sub)
    block, seed_block = min(block, cap), min(seed_block, cap)

    K = CANDIDATES_KEPT
    keep = keep_counts(keep, Q)
    last = (np.arange(Q), keep - 1)  # where each question's threshold sits in its list
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
        np.matmul(Un, unit_rows_f32(V[start:end]).T, out=T[:, :w])  # (U, w) cosines
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
            thr[:] = top_s[last]
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
                ok = (col != qa[hq]) & (col != qb[hq]) & (col != qc[hq])
                if ok.any():
                    _merge(top_s, top_i, thr, hq[ok], col[ok], vals.ravel()[hits[ok]], K, keep)
        report(progress, "evaluate analogies", end, R, questions=Q)
        start = end
    _cut(top_s, top_i, keep)
    if stats is not None:
        stats.update(runs_scored=runs_scored, runs_total=runs_total, words=U, pairs=npairs)
    return top_i, top_s


def _cut(top_s: np.ndarray, top_i: np.ndarray, keep: np.ndarray) -> None:
    """Blank each list past its keep-th entry (what is there was kept for a merge, not ranked)."""
    past = np.arange(top_s.shape[1]) >= keep[:, None]
    top_s[past], top_i[past] = -np.inf, -1


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


def _merge(top_s, top_i, thr, rows, cols, vals, K: int, keep: np.ndarray) -> None:
    """Merge new candidates (rows, cols, vals) into the running top K (sorted best first); each
    row's threshold is its keep-th best."""
    aff = np.unique(rows)
    all_rows = np.concatenate([np.repeat(aff, K), rows])
    all_cols = np.concatenate([top_i[aff].ravel(), cols])
    all_vals = np.concatenate([top_s[aff].ravel(), vals.astype(np.float32, copy=False)])
    order = np.lexsort((-all_vals, all_rows))
    sr = all_rows[order]
    starts = np.searchsorted(sr, aff)
    counts = np.diff(np.append(starts, len(sr)))
    rank = np.arange(len(sr)) - np.repeat(starts, counts)
    inside = rank < K
    top_s[sr[inside], rank[inside]] = all_vals[order][inside]
    top_i[sr[inside], rank[inside]] = all_cols[order][inside]
    thr[aff] = top_s[aff, keep[aff] - 1]


