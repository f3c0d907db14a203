"""Settling near ties of the batched analogy scores exactly, as gensim would order them, and
gensim's own unit-length function (the same BLAS calls, so the same floats)."""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

from vecs.space import Space

TOPN = 5  # gensim's evaluate_word_analogies asks most_similar for topn=5

CANDIDATES_KEPT = TOPN + 3  # candidates kept per question: the 5 examined, and more to settle near ties

_ADD_TOL = 1e-4  # near-tie margin (absolute on 3CosAdd sums of cosines, scaled for |s| > 1)

_MUL_TOL = 1e-4  # near-tie margin (relative on 3CosMul scores)


def tol(method: str, hi):
    """The safety margin below a table score ``hi``: far above the float32 error of the table
    (about 1e-6) and of gensim's own scores."""
    if method == "add":
        return _ADD_TOL * np.maximum(1.0, np.abs(hi))
    return _MUL_TOL * np.abs(hi)


@lru_cache(maxsize=None)
def _x87() -> bool:
    """Whether numpy's long double is the x87 80-bit format OpenBLAS's x86-64 dnrm2 sums in."""
    import platform

    return platform.machine().lower() in ("x86_64", "amd64", "i386", "i686") and np.finfo(np.longdouble).nmant == 63


def blas_nrm2(vec: np.ndarray) -> float | np.ndarray:
    """gensim's ``blas_nrm2`` (scipy's BLAS dnrm2) of a vector, bit for bit (of each row of a
    matrix: an array). On x86-64, where OpenBLAS squares and sums in x87 extended precision,
    four interleaved partial sums over blocks of eight with the rest in the first, added as
    ((s2 + s0) + s1) + s3, the same sums in numpy's long double give the same floats without
    importing scipy (+0.5 s); elsewhere scipy's own function."""
    m = np.asarray(vec, dtype=np.float64)
    rows = np.atleast_2d(m)
    if not _x87():  # pragma: no cover - other platforms
        from scipy.linalg import get_blas_funcs

        nrm2 = get_blas_funcs(("nrm2",), (np.array([], dtype=float),))[0]
        out = np.array([nrm2(r) for r in rows], dtype=np.float64)
    else:
        sq = rows.astype(np.longdouble)
        sq *= sq
        n = sq.shape[1]
        main = n - n % 8
        acc = [np.add.accumulate(sq[:, k:main:4], axis=1)[:, -1] if main else np.zeros(len(sq), np.longdouble)
               for k in range(4)]
        for j in range(main, n):
            acc[0] = acc[0] + sq[:, j]
        out = np.sqrt(((acc[2] + acc[0]) + acc[1]) + acc[3]).astype(np.float64)
    return float(out[0]) if m.ndim < 2 else out


def gensim_unitvec(vec: np.ndarray) -> np.ndarray:
    """``gensim.matutils.unitvec`` of a dense vector (of each row of a matrix), with the same
    arithmetic as its BLAS calls (dnrm2, then dscal: each float64 value times 1 / norm; a zero
    vector left as it is): bit for bit the vector gensim scores with (``vecs.linalg.unit`` may
    round differently: the benchmarks, which must equal gensim's, use this)."""
    m = np.asarray(vec)
    if m.size == 0:
        return vec
    norms = np.asarray(blas_nrm2(m))
    ok = norms > 0.0
    scale = np.where(ok, 1.0 / np.where(ok, norms, 1.0), 1.0)
    return (m.astype(np.float64) * (scale[:, None] if m.ndim == 2 else scale)).astype(m.dtype)


class Exact:
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
        self._windows: bool | None = None

    def _mean(self, V: np.ndarray, norms, rows: Sequence[int]) -> np.ndarray:
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
        return gensim_unitvec(mean).astype(np.float32)

    def settle(self, method: str, a: int, b: int, c: int, rows: np.ndarray, scores: np.ndarray,
               kept: int = CANDIDATES_KEPT) -> list[int] | None:
        """``rows``/``scores``: the table's best ``kept`` candidates (fewer: there are no more);
        every other row scores at most the last of them."""
        n_in = min(len(rows), kept - 1)
        C = rows[:n_in]
        exact = self.windows_exact()
        if exact:  # gensim's own floats: only a true tie needs its full pass
            X, norms, dots = None, self._norms(np.concatenate([C, [b, c, a]])), self._dots
        else:  # within a few units in the last place of gensim's floats
            X = np.asarray(self.space.vectors[np.concatenate([C, [b, c, a]])], dtype=np.float32)
            norms = np.linalg.norm(X, axis=1)
            dots = lambda _rows, vec: np.dot(X[:n_in], vec)  # noqa: E731
        V = self.space.vectors
        nc = norms[:n_in]
        if method == "add":
            mean = self._mean(V, dict(zip((b, c, a), norms[n_in:])), [b, c, a])
            g = dots(C, mean) / nc
            eps = np.full(n_in, 0.0 if exact else self._EPS)
        else:
            terms = [np.asarray(V[r], dtype=np.float32) / norms[n_in + k] for k, r in enumerate((b, c, a))]
            pos = [((1 + dots(C, t) / nc) / 2) for t in terms[:2]]
            neg = [((1 + dots(C, t) / nc) / 2) for t in terms[2:]]
            g = np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 0.000001)
            eps = (0.0 if exact else self._EPS) * np.abs(g.astype(np.float64))
        order = np.argsort(-g, kind="stable")
        top = order[: TOPN + 1]
        gt = g[top].astype(np.float64)
        if np.any(gt[:-1] - gt[1:] <= eps[top[:-1]]):
            return None  # a tie (or too close to call): gensim's full pass decides
        if len(rows) > n_in:  # rows outside C score at most scores[n_in] in the table
            lowest = float(np.min(scores[top[:TOPN]]))
            if not scores[n_in] < lowest - tol(method, lowest):
                return None
        return [int(C[i]) for i in order[:TOPN]]

    # gensim scores with one BLAS gemv over the first R rows. The same gemv over an aligned window
    # of _WIN rows of the same array gives the same floats for the rows in it (OpenBLAS treats
    # rows alike by their place in blocks of 4..16): checked here once per run against the full
    # gemv, and when it does not hold, settle keeps a margin instead.
    _WIN = 64

    def windows_exact(self) -> bool:
        if self._windows is None:
            R = self.R
            V = self.space.vectors
            rng = np.random.default_rng(0)
            probe = rng.normal(size=V.shape[1]).astype(np.float32)
            full = np.dot(V[:R], probe)
            rows = np.unique(np.concatenate([rng.integers(0, R, 192), np.arange(max(0, R - 64), R)]))
            self._windows = bool(np.array_equal(self._dots(rows, probe), full[rows]))
        return self._windows

    def _dots(self, rows: np.ndarray, vec: np.ndarray) -> np.ndarray:
        """np.dot(V[:R], vec)[rows], computed on the rows' aligned windows only."""
        V, W = self.space.vectors, self._WIN
        out = np.empty(len(rows), dtype=np.result_type(V.dtype, vec.dtype))
        for i, r in enumerate(rows):
            s = int(r) - int(r) % W
            out[i] = np.dot(V[s: min(self.R, s + W)], vec)[int(r) - s]
        return out

    def _norms(self, rows: np.ndarray) -> np.ndarray:
        """gensim's fill_norms (np.linalg.norm over every row, each row on its own) at rows."""
        V = self.space.vectors
        return np.array([np.linalg.norm(V[int(r): int(r) + 1], axis=1)[0] for r in rows], dtype=V.dtype)

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        if self._full is None:
            V = np.asarray(self.space.vectors[: self.R])
            step = 1 << 16  # gensim's fill_norms, row by row alike, without a full-matrix temporary
            norms = np.concatenate([np.linalg.norm(V[i: i + step], axis=1) for i in range(0, len(V), step)])
            self._full = (V, norms)
        return self._full

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
            best = self._argsort(dists, TOPN + len(keys))
            return [int(i) for i in best if i not in keys][:TOPN]
        # most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        all_words = {b, c, a}
        pos = [V[r] / norms[r] for r in (b, c)]
        neg = [V[a] / norms[a]]
        pos_dists = [((1 + np.dot(V, term) / norms) / 2) for term in pos]
        neg_dists = [((1 + np.dot(V, term) / norms) / 2) for term in neg]
        dists = np.prod(pos_dists, axis=0) / (np.prod(neg_dists, axis=0) + 0.000001)
        best = self._argsort(dists, TOPN + len(all_words))
        return [int(i) for i in best if i not in all_words][:TOPN]
