"""The feed-forward lens: which block's MLP writes the answer (real SmolLM2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
pytestmark = pytest.mark.real


def test_a_late_mlp_writes_warsaw():
    from vecs.contextual.lens import feed_forward_lens

    r = feed_forward_lens("smollm2", "The capital of Poland is", target="Warsaw")
    assert r.target.strip() == "Warsaw" and r.final_rank == 1
    assert len(r.layers) == 30
    best = next(L for L in r.layers if L.layer == r.best_layer)
    assert best.rank_after < best.rank_before
    # the ranks chain: after block i is before block i+1 plus the attention in between; the
    # last block's "after" is the model's own answer
    assert r.layers[-1].rank_after == r.final_rank
    # early blocks know nothing of Warsaw
    assert r.layers[0].rank_after > 100


def test_cli_ffn_json_and_default_target():
    res = runner.invoke(app, ["ffn", "The capital of France is", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["final_rank"] == 1 and out["target"].strip() == "Paris"
    assert {"layer", "rank_before", "rank_after", "raised"} <= set(out["layers"][0])


def test_cli_ffn_needs_a_causal_model():
    res = runner.invoke(app, ["ffn", "The capital of Poland is", "-m", "minilm"])
    assert res.exit_code == 1
    assert "causal" in res.stderr and "Traceback" not in res.output
