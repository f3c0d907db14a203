"""The compiled inner loop of analogy evaluation (numba): one block of the vocabulary at a time,
every question's running top K, most of the block skipped by bounds.

Imported only when numba is installed (``vecs.static.analogy_topk`` falls back to numpy, with the
same answers, when it is not). Compiled once, then cached beside this file (``cache=True``).
Everything here is sequential and releases the GIL: the caller runs one block per thread.

Per block of w vocabulary words, with T the (U, w) table of cosines between the U distinct
question words and the block (from one BLAS product, done by the caller), ``merge_block``:

1. turns T into 1 + cos, in place, for 3CosMul, and takes the best value of every question word
   over every run of ``sub`` words, and over every group of ``g`` runs;
2. computes for every distinct (a, b) pair the partial score P = cos b - cos a (3CosAdd) or
   (1 + cos b) / (1 + cos a + 2e-6) (3CosMul), with the same maxima;
3. for every question, checks the groups whose bound — the best P plus (times) the best of c —
   beats the question's current K-th best score, then the runs of those groups, then scores the
   runs that pass word by word into its top K (input rows excluded, as gensim).

Scores are float32 operations in the same order as the numpy engine, so the same floats; only the
maxima use fast-math flags (a maximum is exact in any order).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_EPS_MUL = np.float32(2e-6)
_ONE = np.float32(1.0)
_NINF = np.float32(-np.inf)
_FAST = {"nnan", "nsz", "reassoc"}  # lets LLVM vectorise the maxima; never used for a score


@njit(cache=True, nogil=True, fastmath=_FAST)
def run_max(M, sub, out):  # pragma: no cover - compiled
    """out[i, r] = the best of M[i] over columns [r * sub, (r + 1) * sub)."""
    n, w = M.shape
    for i in range(n):
        for r in range(out.shape[1]):
            m = _NINF
            for j in range(r * sub, min(w, (r + 1) * sub)):
                v = M[i, j]
                m = v if v > m else m
            out[i, r] = m


@njit(cache=True, nogil=True)
def _plus_one(T):  # pragma: no cover - compiled
    n, w = T.shape
    for i in range(n):
        for j in range(w):
            T[i, j] = T[i, j] + _ONE


@njit(cache=True, nogil=True)
def _pair_scores(T, pa, pb, mul, P):  # pragma: no cover - compiled
    w = T.shape[1]
    for p in range(pa.shape[0]):
        a, b = pa[p], pb[p]
        if mul:
            for j in range(w):
                P[p, j] = T[b, j] / (T[a, j] + _EPS_MUL)
        else:
            for j in range(w):
                P[p, j] = T[b, j] - T[a, j]


@njit(cache=True, nogil=True, inline="always")
def _insert(top_s, top_i, q, s, col):  # pragma: no cover - compiled
    """Put (s, col) into row q's top K (best first; an equal score stays after the earlier one)."""
    k = top_s.shape[1] - 1
    while k > 0 and top_s[q, k - 1] < s:
        top_s[q, k] = top_s[q, k - 1]
        top_i[q, k] = top_i[q, k - 1]
        k -= 1
    top_s[q, k] = s
    top_i[q, k] = col


@njit(cache=True, nogil=True)
def merge_block(T, P, start, sub, g, mul, pa, pb, pidx, uc, qa, qb, qc, top_s, top_i, counts):  # pragma: no cover
    """Merge the block [start, start + w) (T: its (U, w) cosines; P: scratch (npairs, w)) into
    every question's top K. counts += (bounds checked, runs scored)."""
    U, w = T.shape
    npairs = pa.shape[0]
    nr = (w + sub - 1) // sub
    ng = (nr + g - 1) // g
    if mul:
        _plus_one(T)
    maxT = np.empty((U, nr), dtype=np.float32)
    run_max(T, sub, maxT)
    gT = np.empty((U, ng), dtype=np.float32)
    run_max(maxT, g, gT)
    Pw = P[:, :w]
    _pair_scores(T, pa, pb, mul, Pw)
    maxP = np.empty((npairs, nr), dtype=np.float32)
    run_max(Pw, sub, maxP)
    gP = np.empty((npairs, ng), dtype=np.float32)
    run_max(maxP, g, gP)

    K = top_s.shape[1]
    groups = np.empty(ng, dtype=np.int64)
    runs = np.empty(nr, dtype=np.int64)
    buf = np.empty(sub, dtype=np.float32)
    checked = scored = 0
    for q in range(pidx.shape[0]):
        p, c = pidx[q], uc[q]
        a, b, cc = qa[q], qb[q], qc[q]
        t = top_s[q, K - 1]
        n_g = 0
        for k in range(ng):  # coarse bounds, branch-free
            bound = gP[p, k] * gT[c, k] if mul else gP[p, k] + gT[c, k]
            groups[n_g] = k
            n_g += 1 if bound > t else 0
        n = 0
        for i in range(n_g):  # fine bounds within the groups that pass
            k = groups[i]
            for r in range(k * g, min(nr, (k + 1) * g)):
                bound = maxP[p, r] * maxT[c, r] if mul else maxP[p, r] + maxT[c, r]
                runs[n] = r
                n += 1 if bound > t else 0
        checked += ng + n_g * g
        scored += n
        for i in range(n):
            lo = runs[i] * sub
            m = min(sub, w - lo)
            hit = False
            for j in range(m):
                if mul:
                    s = Pw[p, lo + j] * T[c, lo + j]
                else:
                    s = Pw[p, lo + j] + T[c, lo + j]
                buf[j] = s
                hit |= s > t
            if not hit:
                continue
            for j in range(m):
                s = buf[j]
                if s > t:
                    col = start + lo + j
                    if col != a and col != b and col != cc:
                        _insert(top_s, top_i, q, s, col)
                        t = top_s[q, K - 1]
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
