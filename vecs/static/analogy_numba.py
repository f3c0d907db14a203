"""The compiled inner loop of analogy evaluation (numba): one block of the vocabulary at a time,
every question's running top K, most of the block skipped by bounds.

Imported only when numba is installed (``vecs.static.analogy_topk`` falls back to numpy, with the
same answers, when it is not). Compiled once, then cached beside this file (``cache=True``).
Everything here is sequential and releases the GIL: the caller runs blocks (or ranges of
questions) on several threads.

Per block of w vocabulary words, with T the (U, wp) table of cosines between the U distinct
question words and the block (from one BLAS product, done by the caller; wp is w rounded up to
whole runs of ``RUN`` = 16 words, the tail padding):

1. ``prepare`` turns T into 1 + cos, in place, for 3CosMul; computes for every distinct (a, b)
   pair the partial score P = cos b - cos a (3CosAdd) or (1 + cos b) / (1 + cos a + 2e-6)
   (3CosMul); and takes the best of every row of T and P over every run of 16 words.
   ``pair_bounds`` then adds a bound that holds word by word. The (a, b) pairs are grouped by
   the c words asked with them (``analogy_topk.pair_groups``), and W = P plus (times) the best
   T of the pair's group's c words is, at every word, at least the score of every question of
   that pair. Its run maxima (maxW) are far tighter than maxP's times maxT's, whose two maxima
   usually come from different words: on the Google set and GloVe 300k, 3CosMul, 56% of
   (question, block) bounds pass without it and 23% with it; of runs, 3.2% and 0.8%. The
   caller takes each table's best over the whole block (``row_max``).
2. ``merge_questions``, for every question in a range: skips the block when its bound — the best
   P plus (times) the best of c, or the best W if lower — cannot beat the question's current
   keep-th best score; else tests all the block's runs at once (a vectorised loop into a bit
   mask), then scores the runs that pass (16 scores at once) into its top ``keep`` (as many as
   its answer needs), input rows excluded (as gensim).

Scores are float32 operations in the same order as the numpy engine, so the same floats; only the
maxima use fast-math flags (a maximum is exact in any order).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

RUN = 16  # words per run: the finest bound, and one 512-bit vector of float32 scores
_EPS_MUL = np.float32(2e-6)
_ONE = np.float32(1.0)
_NINF = np.float32(-np.inf)
_INF = np.float32(np.inf)
_FAST = {"nnan", "nsz", "reassoc"}  # lets LLVM vectorise the maxima; never used for a score


@njit(cache=True, nogil=True, fastmath=_FAST, inline="always")
def _max16(row, b):  # pragma: no cover - compiled
    """The best of row[b:b + 16], as a tree (vectorises; a chain of 16 maxima does not)."""
    m0 = max(row[b], row[b + 8])
    m1 = max(row[b + 1], row[b + 9])
    m2 = max(row[b + 2], row[b + 10])
    m3 = max(row[b + 3], row[b + 11])
    m4 = max(row[b + 4], row[b + 12])
    m5 = max(row[b + 5], row[b + 13])
    m6 = max(row[b + 6], row[b + 14])
    m7 = max(row[b + 7], row[b + 15])
    m0, m1, m2, m3 = max(m0, m4), max(m1, m5), max(m2, m6), max(m3, m7)
    return max(max(m0, m2), max(m1, m3))


@njit(cache=True, nogil=True, fastmath=_FAST)
def run_max(row, out):  # pragma: no cover - compiled
    """out[r] = the best of row[16 r : 16 r + 16] (len(row) a multiple of 16)."""
    for r in range(out.shape[0]):
        out[r] = _max16(row, r * RUN)


@njit(cache=True, nogil=True, fastmath=_FAST)
def row_max(M, out):  # pragma: no cover - compiled
    """out[i] = the best of M[i]."""
    for i in range(M.shape[0]):
        best = _NINF
        for j in range(M.shape[1]):
            best = max(best, M[i, j])
        out[i] = best


@njit(cache=True, nogil=True)
def prepare(T, w, mul, pa, pb, P, maxT, maxP):  # pragma: no cover - compiled
    """Columns [w, wp) of T are padding: set so they never score. T -> 1 + cos for 3CosMul;
    P (npairs, wp) the partial scores; maxT, maxP the best of every run of 16."""
    U, wp = T.shape
    for i in range(U):
        if mul:
            for j in range(w):
                T[i, j] = T[i, j] + _ONE
        for j in range(w, wp):
            T[i, j] = _ONE if mul else _NINF
        run_max(T[i], maxT[i])
    for p in range(pa.shape[0]):
        a, b = pa[p], pb[p]
        if mul:
            for j in range(w):
                P[p, j] = T[b, j] / (T[a, j] + _EPS_MUL)
        else:
            for j in range(w):
                P[p, j] = T[b, j] - T[a, j]
        for j in range(w, wp):
            P[p, j] = _NINF
        run_max(P[p], maxP[p])


@njit(cache=True, nogil=True)
def pair_bounds(T, w, mul, P, pg, gptr, grow, Tmax, row, maxW):  # pragma: no cover - compiled
    """After ``prepare``: maxW[p, r], the best over run r of W = P[p] plus (times) Tmax[pg[p]],
    where Tmax[g] is the best of T over group g's c words grow[gptr[g]:gptr[g + 1]]. Every
    question of pair p has its c among them, and rounding is monotone, so W is at least each
    of their scores, word by word. ``row`` is scratch. (3CosMul: where P < 0 — 1 + cos b a hair
    below 0 — W is +inf: the product would not bound.) A pass of its own: folded into
    ``prepare`` it left the tables colder for the merge, which then took 20-30% longer."""
    wp = T.shape[1]
    for g in range(gptr.shape[0] - 1):
        first = grow[gptr[g]]
        for j in range(w):
            Tmax[g, j] = T[first, j]
        for i in range(gptr[g] + 1, gptr[g + 1]):
            r = grow[i]
            for j in range(w):
                Tmax[g, j] = max(Tmax[g, j], T[r, j])
    for j in range(w, wp):
        row[j] = _NINF
    for p in range(P.shape[0]):
        g = pg[p]
        if mul:
            for j in range(w):
                x = P[p, j]
                row[j] = x * Tmax[g, j] if x >= 0 else _INF
        else:
            for j in range(w):
                row[j] = P[p, j] + Tmax[g, j]
        run_max(row, maxW[p])


@njit(cache=True, nogil=True, inline="always")
def _insert(top_s, top_i, q, s, col, k):  # pragma: no cover - compiled
    """Put (s, col) into row q's top k + 1 (best first; an equal score stays after the earlier
    one); the entries past k are left alone."""
    while k > 0 and top_s[q, k - 1] < s:
        top_s[q, k] = top_s[q, k - 1]
        top_i[q, k] = top_i[q, k - 1]
        k -= 1
    top_s[q, k] = s
    top_i[q, k] = col


@njit(cache=True, nogil=True, inline="always")
def _score_run(P, T, p, c, lo, mul, buf):  # pragma: no cover - compiled
    """The 16 scores of run [lo, lo + 16) into buf (exact float32, in the numpy engine's order:
    P, then times 1 + cos c or plus cos c); returns their best (a maximum: exact in any order)."""
    for j in range(RUN):
        buf[j] = _mul_or_add(P[p, lo + j], T[c, lo + j], mul)
    return _max16(buf, 0)


@njit(cache=True, nogil=True, inline="always")
def _mul_or_add(x, y, mul):  # pragma: no cover - compiled
    return x * y if mul else x + y


def _run_test(mul):
    """The runs test of one method: bit r - r0 set for each run r in [r0, r1) (at most 64) whose
    bound passes. ``mul`` is a constant of the compiled loop, not a flag in it, so LLVM
    vectorises it."""
    @njit(nogil=True, inline="always")
    def passes(maxP, maxT, maxW, p, c, r0, r1, t, o):  # pragma: no cover - compiled
        bits = np.uint64(0)
        for i in range(r1 - r0):
            r = np.uint64(r0 + i)  # unsigned: no wraparound test, so unit-stride loads, not gathers
            bound = min(_mul_or_add(maxP[p, r], maxT[c, r], mul), maxW[p, r])
            bits |= np.uint64((bound > t) & (bound >= o)) << np.uint64(i)
        return bits
    return passes


_pass_mul, _pass_add = _run_test(True), _run_test(False)


@njit(cache=True, nogil=True)
def merge_questions(T, P, maxT, maxP, bT, bP, maxW, bW, start, mul,
                    pidx, uc, qa, qb, qc, keep, q0, q1, top_s, top_i, kth, me, counts):  # pragma: no cover - compiled
    """Merge the block [start, start + wp) into the top keep[q] of questions q0 <= q < q1
    (the lists hold K = top_s.shape[1] >= keep[q] entries; those past keep[q] are never touched).

    ``kth[j, q]``: worker j's current keep[q]-th best score of question q (this worker is ``me``
    and keeps its row up to date). A value below another worker's is beaten by keep[q] distinct
    rows already, so it cannot be in the merged top keep[q]: it is skipped (one equal to it is
    not: the lower row wins a tie). Read while the others write: a stale value is only lower, so
    safe. counts += (bounds checked, runs scored)."""
    nr = maxT.shape[1]
    buf = np.empty(RUN, dtype=np.float32)
    checked = scored = 0
    for q in range(q0, q1):
        p, c = pidx[q], uc[q]
        kq = keep[q] - 1
        t = top_s[q, kq]
        o = _NINF  # the best keep[q]-th score of the other workers
        for j in range(kth.shape[0]):
            if j != me:
                o = max(o, kth[j, q])
        checked += 1
        bound = min(_mul_or_add(bP[p], bT[c], mul), bW[p])
        if not (bound > t and bound >= o):  # the whole block
            continue
        a, b, cc = qa[q], qb[q], qc[q]
        t0 = t
        for r0 in range(0, nr, 64):  # the runs, 64 bounds at a time, then the runs that pass
            r1 = min(nr, r0 + 64)
            checked += r1 - r0
            if mul:
                bits = _pass_mul(maxP, maxT, maxW, p, c, r0, r1, t, o)
            else:
                bits = _pass_add(maxP, maxT, maxW, p, c, r0, r1, t, o)
            while bits:
                lo = (r0 + trailing_zeros(bits)) * RUN
                bits &= bits - np.uint64(1)
                scored += 1
                best = _score_run(P, T, p, c, lo, mul, buf)
                if not (best > t and best >= o):
                    continue
                for j in range(RUN):
                    s = buf[j]
                    if s > t and s >= o:
                        col = start + lo + j
                        if col != a and col != b and col != cc:
                            _insert(top_s, top_i, q, s, col, kq)
                            t = top_s[q, kq]
        if t != t0:
            kth[me, q] = t
    counts[0] += checked
    counts[1] += scored


@njit(cache=True, nogil=True)
def merge_tops(top_s, top_i, other_s, other_i, skip_below):  # pragma: no cover - compiled
    """Merge another top K (from other blocks) into top_s/top_i: by score, and among equal
    scores the lower row first — what one pass over the blocks in order would keep. The other's
    rows below ``skip_below`` (the seed block both started from) are already in top_s."""
    K = top_s.shape[1]
    s_out = np.empty(K, dtype=np.float32)
    i_out = np.empty(K, dtype=np.int64)
    more_s = np.full((1, K), _NINF, dtype=np.float32)
    more_i = np.full((1, K), -1, dtype=np.int64)
    for q in range(top_s.shape[0]):
        n = 0
        for k in range(K):
            if other_i[q, k] >= skip_below:
                more_s[0, n] = other_s[q, k]
                more_i[0, n] = other_i[q, k]
                n += 1
        for k in range(n, K):
            more_s[0, k] = _NINF
            more_i[0, k] = -1
        x = y = 0
        for k in range(K):
            take_x = True
            if y < K and more_i[0, y] >= 0:
                if x >= K or top_i[q, x] < 0:
                    take_x = False
                elif more_s[0, y] > top_s[q, x] or (more_s[0, y] == top_s[q, x] and more_i[0, y] < top_i[q, x]):
                    take_x = False
            if take_x:
                s_out[k] = top_s[q, x] if x < K else _NINF
                i_out[k] = top_i[q, x] if x < K else -1
                x += 1
            else:
                s_out[k] = more_s[0, y]
                i_out[k] = more_i[0, y]
                y += 1
        top_s[q] = s_out
        top_i[q] = i_out
