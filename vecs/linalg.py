"""Vector helpers shared by every room: unit rows, cosines, standardisation."""

from __future__ import annotations

import numpy as np

def row_norms(m: np.ndarray) -> np.ndarray:
    """Euclidean length of every row, as float32, in blocks (``m`` may be a memory map)."""
    out = np.empty(len(m), dtype=np.float32)
    step = 65536
    for s in range(0, len(m), step):
        block = np.asarray(m[s : s + step], dtype=np.float32)
        out[s : s + step] = np.sqrt(np.einsum("ij,ij->i", block, block))
    return out


def unit_rows(m: np.ndarray, norms: np.ndarray | None = None, dtype=np.float32) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero.

    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]]), dtype=np.float64).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    m = np.asarray(m, dtype=dtype)
    n = np.linalg.norm(m, axis=-1) if norms is None else np.asarray(norms, dtype=dtype)
    n = np.where(n > 0, n, 1.0).astype(dtype, copy=False)
    return (m / n[..., None]).astype(dtype, copy=False)


def unit(v: np.ndarray, dtype=np.float64) -> np.ndarray:
    """``v`` scaled to unit length (a zero vector stays zero)."""
    v = np.asarray(v, dtype=dtype)
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors (0 when either is zero)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = float(np.linalg.norm(a)) * float(np.linalg.norm(b))
    return float(a @ b) / n if n > 0 else 0.0



# --------------------------------------------------------------------------------------------
# Standardisation and cosine
# --------------------------------------------------------------------------------------------
def standardize(x: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None) -> np.ndarray:
    """z-score every dimension (Timkey & van Schijndel 2021): ``(x - mean) / std``, with
    ``mean``/``std`` estimated over ``x`` itself when not given. Constant dimensions (std 0)
    are only centred."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(0) if mean is None else np.asarray(mean, dtype=np.float64)
    std = x.std(0) if std is None else np.asarray(std, dtype=np.float64)
    std = np.where(std > 1e-12, std, 1.0)
    return ((x - mean) / std).astype(np.float32)


def cosine_matrix(x: np.ndarray) -> np.ndarray:
    u = unit_rows(x, dtype=np.float64)
    return u @ u.T


def paired_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    return (a * b).sum(-1) / np.maximum(na * nb, 1e-12)
