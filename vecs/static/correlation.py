"""Spearman and Pearson correlation with their two-sided p-values, in numpy and the standard
library: the same numbers as ``scipy.stats.spearmanr`` and ``pearsonr`` (the statistic computed
with the same numpy operations, ties ranked by their average rank as ``rankdata`` does; p-values
from the regularized incomplete beta function to about 1e-13), without importing scipy, which
costs a benchmark run half a second before the first pair is scored.

>>> r, p = spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])
>>> round(r, 10), round(p, 10)
(0.8207826817, 0.0885870053)
>>> rankdata([10, 20, 20, 30]).tolist()
[1.0, 2.5, 2.5, 4.0]
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

_EPS = 1e-16
_TINY = 1e-300
_MAX_TERMS = 100_000  # the continued fraction needs about sqrt(max(a, b)) terms


def rankdata(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """1-based ranks, ties given the average of the ranks they span (``scipy.stats.rankdata``,
    method ``average``), as float64."""
    a = np.asarray(values).ravel()
    order = np.argsort(a, kind="mergesort")
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = np.arange(order.size, dtype=np.intp)
    s = a[order]
    first = np.r_[True, s[1:] != s[:-1]]
    dense = first.cumsum()[inverse]
    count = np.r_[np.nonzero(first)[0], len(first)]
    return 0.5 * (count[dense] + count[dense - 1] + 1)


def _constant(x: np.ndarray) -> bool:
    return bool(np.all(x == x[0]))


def pearson(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """(r, two-sided p) of the Pearson correlation, as ``scipy.stats.pearsonr``: NaN for a
    constant input or fewer than two values; the p-value from the Beta(n/2 - 1, n/2 - 1)
    distribution of r under independence."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    if n != len(y):
        raise ValueError("x and y must have the same length")
    if n < 2 or _constant(x) or _constant(y):
        return math.nan, math.nan
    xm, ym = x - x.mean(), y - y.mean()
    xmax, ymax = np.max(np.abs(xm)), np.max(np.abs(ym))  # scaled first, as scipy: no premature overflow
    with np.errstate(invalid="ignore", divide="ignore"):
        # the norms along an axis (a sum of squares, not a BLAS dot) and np.vecdot, as scipy computes them
        u = xm / (xmax * np.linalg.norm(xm / xmax, axis=-1))
        v = ym / (ymax * np.linalg.norm(ym / ymax, axis=-1))
        r = float(np.vecdot(u, v) if hasattr(np, "vecdot") else (u[None, :] @ v[:, None])[0, 0])
    r = min(max(r, -1.0), 1.0)
    if n == 2:
        return float(round(r)), 1.0
    ab = n / 2 - 1
    # 2 * P(R >= |r|) for R ~ Beta(ab, ab) on (-1, 1); scipy asks betaincc(ab, ab, (|r| + 1) / 2)
    upper = (abs(r) + 1) / 2
    return r, 2 * _betainc(ab, ab, 1.0 - upper, upper)


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """(rho, two-sided p) of the Spearman rank correlation, as ``scipy.stats.spearmanr``: the
    Pearson correlation of the average ranks (numpy's ``corrcoef``, as scipy), the p-value from
    Student's t with n - 2 degrees of freedom; NaN for a constant input, fewer than two values or
    a NaN among them."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    if n != len(y):
        raise ValueError("x and y must have the same length")
    if n < 2 or _constant(x) or _constant(y) or np.isnan(x).any() or np.isnan(y).any():
        return math.nan, math.nan
    rs = float(np.corrcoef(np.vstack([rankdata(x), rankdata(y)]))[1, 0])
    dof = n - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = rs * np.sqrt(max(float(np.float64(dof) / ((rs + 1.0) * (1.0 - rs))), 0.0))
    return rs, _t_two_sided(float(t), dof)


def _t_two_sided(t: float, dof: int) -> float:
    """2 * P(T >= |t|) for Student's t with ``dof`` degrees of freedom (NaN for dof < 1)."""
    if dof < 1 or math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0
    tt = t * t
    # P(|T| >= |t|) = I_{dof / (dof + t^2)}(dof / 2, 1 / 2); both arguments computed directly
    return _betainc(dof / 2, 0.5, dof / (dof + tt), tt / (dof + tt))


def _betainc(a: float, b: float, x: float, one_minus_x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), given x and 1 - x each computed
    without cancellation; by the continued fraction on whichever side converges fast."""
    if x <= 0.0:
        return 0.0
    if one_minus_x <= 0.0:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc_direct(b, a, one_minus_x, x)
    return _betainc_direct(a, b, x, one_minus_x)


def _betainc_direct(a: float, b: float, x: float, one_minus_x: float) -> float:
    return math.exp(_log_front(a, b, x, one_minus_x)) * _continued_fraction(a, b, x)


def _log_front(a: float, b: float, x: float, one_minus_x: float) -> float:
    """log(x^a (1 - x)^b / (a B(a, b))), arranged so that the large terms of log B(a, b) cancel
    exactly (Stirling's series for the arguments >= 10) instead of in rounded lgamma values."""
    s = a + b
    if a < 10 and b < 10:
        lbeta = math.lgamma(a) + math.lgamma(b) - math.lgamma(s)
        return a * math.log(x) + b * math.log(one_minus_x) - math.log(a) - lbeta
    if a >= 10 and b >= 10:
        # log B(a, b) = (a - 1/2) log a + (b - 1/2) log b - (s - 1/2) log s + log sqrt(2 pi) + c(a) + c(b) - c(s)
        return (a * _log_ratio(x, s, a) + b * _log_ratio(one_minus_x, s, b)
                + 0.5 * math.log(a * b / s) - 0.5 * math.log(2 * math.pi) - math.log(a)
                - (_stirling(a) + _stirling(b) - _stirling(s)))
    # one small argument: log B = lgamma(small) - (big - 1/2) log1p(small / big) - small log s + small + c(big) - c(s)
    small, big, x_small, x_big = (a, b, x, one_minus_x) if a < b else (b, a, one_minus_x, x)
    log_x_big = math.log1p(-x_small) if x_big > 0.5 else math.log(x_big)  # big * log(x_big): no rounding of x_big
    return (small * (math.log(x_small) + math.log(s)) + big * log_x_big + (big - 0.5) * math.log1p(small / big)
            - small - math.lgamma(small) - _stirling(big) + _stirling(s) - math.log(a))


def _log_ratio(x: float, s: float, a: float) -> float:
    """log(x s / a): by log1p near 1 (near the peak of x^a (1 - x)^b, where a log x and a log(a / s)
    nearly cancel), else as a sum of logs (x far below a / s: no cancellation to lose)."""
    d = (x * s - a) / a
    return math.log1p(d) if abs(d) < 0.5 else math.log(x) + math.log(s / a)


def _stirling(z: float) -> float:
    """lgamma(z) - ((z - 1/2) log z - z + log sqrt(2 pi)) for z >= 10 (to double precision)."""
    z2 = z * z
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - (1 / 1188) / z2) / z2) / z2) / z2) / z


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (modified Lentz), for x < (a + 1) / (a + b + 2)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            return h
    return h  # pragma: no cover - not reached for the sizes of benchmark sets
