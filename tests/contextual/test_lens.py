"""The logit lens and the feed-forward lens (real SmolLM2): decoding the residual stream layer by
layer, and which block's MLP writes the answer."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs.contextual.lens import logit_lens
from vecs.errors import ContextualError

runner = CliRunner()
pytestmark = pytest.mark.real


def test_lens_refuses_an_encoder(minilm):
    with pytest.raises(ContextualError, match="causal"):
        logit_lens(minilm, "Hello there")


def test_lens_last_layer_is_the_models_own_prediction(smollm2):
    import torch

    r = logit_lens(smollm2, "The capital of France is", k=3)
    assert len(r.guesses) == smollm2.n_layers + 1 == 31
    assert r.final[0].word.strip() == "Paris"
    # final norm applied once: the lens's last row equals the model's own logits
    ids = smollm2.tok("The capital of France is", return_tensors="pt")["input_ids"]
    ids = torch.cat([torch.tensor([smollm2.prefix]), ids], 1)
    with torch.inference_mode():
        own = smollm2.model(ids).logits[0].softmax(-1)
    for t in range(ids.shape[1]):
        top = own[t].topk(3)
        assert [g.id for g in r.guesses[-1][t]] == top.indices.tolist()
        assert r.guesses[-1][t][0].score == pytest.approx(float(top.values[0]), abs=1e-4)


def test_cli_lens(smollm2):
    res = runner.invoke(app, ["lens", "The capital of France is", "-k", "2", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert len(d["layers"]) == 31 and d["guesses"][-1][-1][0]["word"].strip() == "Paris"
    assert {"word", "score"} <= set(d["guesses"][0][0][0])
    res = runner.invoke(app, ["lens", "Darwin wrote", "--every", "10"])
    assert res.exit_code == 0 and "next token" in res.output
    res = runner.invoke(app, ["lens", "Hello", "--model", "minilm"])
    assert res.exit_code == 1 and "causal" in res.output


def test_decode_and_show_token_belong_to_the_adapter(smollm2, minilm):
    import torch

    acts = smollm2.batch(["Darwin wrote"])  # (31, 1, T, C)
    logits = smollm2.decode(acts.stream(0))  # (31, T, V)
    with torch.inference_mode():
        own = smollm2.model.lm_head(smollm2.model.base_model.norm(acts.layer(30)[0]))  # (T, V)
    assert tuple(logits.shape[:2]) == (31, acts.states.shape[2])
    torch.testing.assert_close(smollm2.decode(acts.layer(30)[0]), own.float(), rtol=0, atol=0)
    torch.testing.assert_close(logits[-1], own.float(), rtol=0, atol=1e-4)
    assert smollm2.show_token("Ġwrote") == " wrote" and minilm.show_token("##bank") == "##bank"
    with pytest.raises(ContextualError, match="causal"):
        minilm.require_causal()


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
