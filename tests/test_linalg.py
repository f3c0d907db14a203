"""The ground floor's vector helpers (vecs.linalg), on hand-worked numbers."""

from __future__ import annotations

import doctest

import numpy as np

import vecs.linalg
from vecs.linalg import cosine, cosine_matrix, paired_cosine, row_norms, standardize, unit, unit_rows


def test_doctests():
    assert doctest.testmod(vecs.linalg).failed == 0


def test_unit_rows_and_norms():
    m = np.array([[3, 4], [0, 0], [1, 0]], dtype=np.float32)
    np.testing.assert_allclose(row_norms(m), [5, 0, 1])
    u = unit_rows(m)
    assert u.dtype == np.float32
    np.testing.assert_allclose(u, [[0.6, 0.8], [0, 0], [1, 0]], rtol=1e-6)
    np.testing.assert_allclose(unit_rows(m, norms=np.array([5, 0, 1])), u)
    np.testing.assert_allclose(unit([0, 2.0]), [0, 1])
    assert unit([0.0, 0.0]).tolist() == [0.0, 0.0]


def test_cosines():
    assert cosine([1, 0], [1, 1]) == np.float64(1 / np.sqrt(2))
    assert cosine([0, 0], [1, 1]) == 0.0
    c = cosine_matrix(np.array([[1.0, 0], [0, 2.0], [1, 1]]))
    np.testing.assert_allclose(c, [[1, 0, 1 / np.sqrt(2)], [0, 1, 1 / np.sqrt(2)], [1 / np.sqrt(2)] * 2 + [1]])
    np.testing.assert_allclose(paired_cosine(np.array([[1.0, 0], [1, 1]]), np.array([[2.0, 0], [-1, -1]])), [1, -1])


def test_standardize():
    x = np.array([[1.0, 5.0], [3.0, 5.0]])
    np.testing.assert_allclose(standardize(x), [[-1, 0], [1, 0]])  # constant column: centred only
