"""Hard debiasing (vecs.bias.debias): equalise and neutralise hand-computed on tiny spaces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vecs.bias.debias import equalize_pair, hard_debias
from vecs.bias.direction import direct_bias


def test_equalize_pair_hand_computed():
    u = np.array([0.8, 0.6, 0])
    v = np.array([-0.4, 0.6, math.sqrt(0.48)])
    a, b = equalize_pair(u, v, np.array([1.0, 0, 0]))
    s = math.sqrt(0.52)
    assert a == pytest.approx([s, 0.6, math.sqrt(0.48) / 2], abs=1e-9)
    assert b == pytest.approx([-s, 0.6, math.sqrt(0.48) / 2], abs=1e-9)
    assert np.linalg.norm(a) == pytest.approx(1) and np.linalg.norm(b) == pytest.approx(1)


def test_hard_debias_tiny(axis):
    before = np.array(axis.vectors).copy()
    out = hard_debias(axis, pairs=[("she", "he"), ("woman", "man")], equalize=[("queen", "king")],
                           specific=["queen", "king"], name="tiny-hard")
    assert np.array_equal(np.asarray(axis.vectors), before)  # the original is untouched
    d = np.array([1.0, 0, 0])
    v = {w: out.vector(w).astype(np.float64) for w in out.words}
    # neutralised: no x component, unit length (nurse (3,4,0) -> (0,1,0))
    assert v["nurse"] == pytest.approx([0, 1, 0], abs=1e-6)
    assert v["engineer"] == pytest.approx([0, 0, 1], abs=1e-6)
    # equalised: mirror images across the direction (hand values of test_equalize_pair_hand_computed)
    z = (0.6 + math.sqrt(0.48)) / 2  # mean of queen and king minus its x part: (0, 0.3, z)
    assert v["queen"] == pytest.approx([math.sqrt(1 - 0.09 - z * z), 0.3, z], abs=1e-5)
    assert v["king"] == pytest.approx([-math.sqrt(1 - 0.09 - z * z), 0.3, z], abs=1e-5)
    assert v["queen"] @ d == pytest.approx(-(v["king"] @ d), abs=1e-6)
    assert v["queen"] - (v["queen"] @ d) * d == pytest.approx(v["king"] - (v["king"] @ d) * d, abs=1e-6)
    # definitional words keep their direction (already symmetric here)
    assert v["she"] == pytest.approx([1, 0, 0], abs=1e-6)
    prov = out.meta["provenance"]
    assert out.meta["kind"] == "debiased" and out.meta["source"] == "tiny"
    assert prov["neutralised"] == 3 and prov["equalised_pairs"] == 3  # queen/king + the 2 definitional
    assert direct_bias(out, ["nurse", "engineer", "doctor"], d).value == pytest.approx(0, abs=1e-6)


def test_debias_model_stores_a_copy_and_checks_the_name_first(axis):
    from vecs.bias.debias import debias_model
    from vecs.errors import ModelExists, StoreError
    from vecs.io.store import load

    out = debias_model(axis, "axis-hard", pairs=[("she", "he"), ("woman", "man")], equalize=[("queen", "king")],
                       specific=["queen", "king"])
    assert (out.name, out.source, out.method, out.neutralised, out.equalised_pairs) == ("axis-hard", "tiny", "hard", 3, 3)
    assert out.direct_bias_after == pytest.approx(0, abs=1e-6) and out.path.endswith("axis-hard")
    assert load("axis-hard").meta["kind"] == "debiased"
    with pytest.raises(ModelExists):
        debias_model("nosuchmodel", "axis-hard")
    with pytest.raises(StoreError, match="invalid model name"):
        debias_model("nosuchmodel", "bad name")
