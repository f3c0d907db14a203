"""Tiny spaces with hand-checkable answers, shared by the bias tests."""

from __future__ import annotations

import numpy as np
import pytest

from vecs import Space


def _space(d: dict, name="tiny") -> Space:
    return Space(list(d), np.array(list(d.values()), dtype=np.float32), name=name)


@pytest.fixture
def skew() -> Space:
    """Two pairs whose centred vectors are ±(1,0,0) and ±(0.3,-0.3,0)."""
    return _space({
        "she": [1, 0, 0], "he": [-1, 0, 0],
        "her": [0.6, 0, 0.8], "his": [0, 0.6, 0.8],
        "lonely": [0, 0, 1],
    })


@pytest.fixture
def axis() -> Space:
    """The pairs differ only along x: the direction is exactly (1, 0, 0)."""
    return _space({
        "she": [1, 0, 0], "he": [-1, 0, 0],
        "woman": [0.6, 0.8, 0], "man": [-0.6, 0.8, 0],
        "queen": [0.8, 0, 0.6], "king": [-0.4, 0.6, 0.69282032],
        "nurse": [3, 4, 0], "engineer": [-1, 0, 1], "doctor": [0, 2, 0],
    })


@pytest.fixture
def weat_space() -> Space:
    # s(w) = cos(w, (1,0)) - cos(w, (0,1)): x1 1.0, x2 0.2, y1 -1.0, y2 -0.2
    return _space({"a1": [1, 0], "a2": [2, 0], "b1": [0, 1], "b2": [0, 3],
                   "x1": [1, 0], "x2": [4, 3], "y1": [0, 1], "y2": [3, 4], "z": [1, 1], "z2": [2, 2], "z3": [3, 3], "z4": [1.5, 1.5]})
