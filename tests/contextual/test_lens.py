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
real = pytest.mark.real


@real
def test_lens_refuses_an_encoder(minilm):
    with pytest.raises(ContextualError, match="causal"):
        logit_lens(minilm, "Hello there")


@real
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


@real
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


@real
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


@real
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


@real
def test_cli_ffn_json_and_default_target():
    res = runner.invoke(app, ["ffn", "The capital of France is", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["final_rank"] == 1 and out["target"].strip() == "Paris"
    assert {"layer", "rank_before", "rank_after", "raised"} <= set(out["layers"][0])


@real
def test_cli_ffn_needs_a_causal_model():
    res = runner.invoke(app, ["ffn", "The capital of Poland is", "-m", "minilm"])
    assert res.exit_code == 1
    assert "causal" in res.stderr and "Traceback" not in res.output


# -- the target a lens follows (issue 9: never silently <unk> or a piece) ------------------------


def test_ffn_refuses_a_target_our_gpt_does_not_know(tiny_gpt):
    from vecs.contextual.lens import feed_forward_lens

    m = tiny_gpt
    with pytest.raises(ContextualError) as e:
        feed_forward_lens(m, "we sat on the", target="zzzqqq")
    assert str(e.value) == ("'zzzqqq' is not in tiny's vocabulary (it would be the unknown token '<unk>'): "
                            "choose a word the model knows")
    r = feed_forward_lens(m, "we sat on the", target="bank")
    assert r.target == "bank" and r.target_tokens == ["bank"] and r.note == ""
    assert r.target_id == 3 and len(r.layers) == 2
    with pytest.raises(ContextualError, match="the target is empty"):
        feed_forward_lens(m, "we sat on the", target="  ")


def test_ffn_says_which_token_of_a_several_token_target_it_follows(tiny_gpt):
    from vecs.contextual.lens import feed_forward_lens

    r = feed_forward_lens(tiny_gpt, "we sat on the", target="river bank")
    assert r.target == "river" and r.target_id == 4
    assert r.note == "'river bank' is more than one token: the lens follows the first, 'river'"


class _Adapter:
    """An adapter that can list a word's tokens and name its unknown token."""

    name = "stub"
    unknown_id = 0
    vocab = {"<unk>": 0, " War": 1, "saw": 2, " Paris": 3}

    def token_ids(self, word):
        return {"Warsaw": [1, 2], "Paris": [3], "zzz": [0], "Paris zzz": [3, 0]}[word]

    def token_id(self, word):
        return self.token_ids(word)[0]

    def token_text(self, i):
        return next(t for t, j in self.vocab.items() if j == i)


def test_target_token_uses_the_adapters_token_list_and_unknown_id():
    from vecs.contextual.lens import target_token

    t = target_token(_Adapter(), "Warsaw")
    assert (t.id, t.tokens) == (1, [" War", "saw"])
    assert t.note == "'Warsaw' is 2 tokens (' War', 'saw'): the lens follows the first, ' War'"
    assert target_token(_Adapter(), "Paris").note == ""
    with pytest.raises(ContextualError, match="'zzz' is not in stub's vocabulary"):
        target_token(_Adapter(), "zzz")
    assert target_token(_Adapter(), "Paris zzz").note.startswith("'Paris zzz' is 2 tokens")


@real
def test_smollm2_reports_a_target_split_into_pieces(smollm2):
    from vecs.contextual.lens import target_token

    assert target_token(smollm2, "Warsaw").note == ""
    t = target_token(smollm2, "zzzqqq")
    assert t.note.startswith("'zzzqqq' is ") and "the lens follows the first" in t.note
    assert "zzzqqq".startswith(smollm2.token_text(t.id).strip())
