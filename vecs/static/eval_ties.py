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
def _blas():
    from scipy.linalg import get_blas_funcs

    probe = np.array([], dtype=float)
    return get_blas_funcs(("nrm2",), (probe,))[0], get_blas_funcs(("scal",), (probe,))[0]


def gensim_unitvec(vec: np.ndarray) -> np.ndarray:
    """``gensim.matutils.unitvec`` of a dense vector, with the same BLAS calls: bit for bit the
    vector gensim scores with (``vecs.linalg.unit`` may round differently: the benchmarks, which
    must equal gensim's, use this)."""
    nrm2, scal = _blas()
    veclen = nrm2(vec) if vec.size else 0.0
    if veclen > 0.0:
        return scal(1.0 / veclen, vec).astype(vec.dtype)
    return vec


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
        return gensim_unitvec(mean).astype(np.float32)

    def settle(self, method: str, a: int, b: int, c: int, rows: np.ndarray, scores: np.ndarray) -> list[int] | None:
        n_in = min(len(rows), CANDIDATES_KEPT - 1)
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
        top = order[: TOPN + 1]
        gt = g[top].astype(np.float64)
        if np.any(gt[:-1] - gt[1:] <= eps[top[:-1]]):
            return None  # too close to call without gensim's exact floats
        if len(rows) > n_in:  # rows outside C score at most scores[n_in] in the table
            lowest = float(np.min(scores[top[:TOPN]]))
            if not scores[n_in] < lowest - tol(method, lowest):
                return None
        return [int(C[i]) for i in order[:TOPN]]

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        if self._full is None:
            V = np.asarray(self.space.vectors[: self.R])
            self._full = (V, np.linalg.norm(V, axis=1))  # gensim's fill_norms
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
