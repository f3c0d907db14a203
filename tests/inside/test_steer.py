"""Steering (vecs.inside.steer) on a constructed GPT whose block-2 MLP adds a known vector: the added
vector and its effect checked by hand; scale 0 and a prompt minus itself change nothing."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from tests.inside.constructed import ANSWER_SCALE, MONEY, constructed_gpt  # noqa: E402

from vecs.errors import ContextualError  # noqa: E402
from vecs.inside.steer import parse_at, steer  # noqa: E402

PROMPT = "we sat on the river"


@pytest.fixture(scope="module")
def tiny():
    return constructed_gpt()


def steered_by_hand(m, text: str, layer: int, vector):
    """Next-token probabilities with ``vector`` added to the residual after block ``layer`` at the
    last position (the blocks run one by one)."""
    gpt = m.model
    ids, _ = m.tokenizer.encode(text)
    with torch.no_grad():
        x = gpt.embed(torch.tensor([ids]))
        for i, b in enumerate(gpt.blocks, start=1):
            x = b(x)
            if i == layer:
                x[0, -1] += vector
        return torch.softmax(gpt.unembed(gpt.final_norm(x))[0, -1], -1)


def test_scale_zero_changes_nothing(tiny):
    r = steer(tiny, PROMPT, "the money is@all", scale=0.0, target="money", k=3)
    assert [s.layer for s in r.layers] == [0, 1, 2]
    for s in r.layers:
        assert s.prob == pytest.approx(r.target_prob, rel=1e-6) and s.rank == r.target_rank
        assert s.change == pytest.approx(0.0, abs=1e-6)
        assert [g.id for g in s.top] == [g.id for g in r.before]
        assert s.added_norm == 0.0


def test_a_prompt_minus_itself_adds_nothing(tiny):
    r = steer(tiny, PROMPT, "the bank is@1", subtract="the bank is", scale=5.0, target="money")
    assert r.layers[0].added_norm == pytest.approx(0.0, abs=1e-6)
    assert r.layers[0].prob == pytest.approx(r.target_prob, rel=1e-6)


def test_the_mlp_vector_is_what_the_mlp_adds_and_it_is_added_as_it_is(tiny):
    # block 2's MLP adds ANSWER_SCALE x the embedding of "money", whatever it reads
    v = ANSWER_SCALE * tiny.model.wte.weight[MONEY].detach()
    r = steer(tiny, PROMPT, "the bank is@2", scale=0.5, component="mlp", target="money")
    assert r.layers[0].added_norm == pytest.approx(float(0.5 * v.norm()), rel=1e-5)
    p = steered_by_hand(tiny, PROMPT, 2, 0.5 * v)
    assert r.layers[0].prob == pytest.approx(float(p[MONEY]), rel=1e-4)
    assert r.best_layer == 2 and r.best is r.layers[0]


def test_the_residual_vector_minus_a_baseline_is_added_at_the_last_position(tiny):
    from vecs.inside.probe import run

    t = run(tiny, ["the money is", "the bank is"], capture=("resid",))
    v = t.resid[1, 0, 2] - t.resid[1, 1, 2]
    r = steer(tiny, PROMPT, "the money is@1", subtract="the bank is@1", scale=2.0, target="money")
    p = steered_by_hand(tiny, PROMPT, 1, 2.0 * v)
    assert r.layers[0].prob == pytest.approx(float(p[MONEY]), rel=1e-4)
    assert r.layers[0].top[0].score == pytest.approx(float(p.max()), rel=1e-4)


def test_a_layer_sweep_reports_where_the_target_rises_most(tiny):
    r = steer(tiny, PROMPT, "the money is@1", layer="all", scale=3.0, target="money")
    assert [s.layer for s in r.layers] == [0, 1, 2]
    assert r.best_layer == max(r.layers, key=lambda s: s.change).layer
    single = steer(tiny, PROMPT, f"the money is@{r.best_layer}", scale=3.0, target="money")
    assert single.layers[0].prob == pytest.approx(r.best.prob, rel=1e-4)


def test_without_a_target_it_shows_the_guesses_only(tiny):
    r = steer(tiny, PROMPT, "the money is@-1", k=2)
    assert r.target is None and r.target_prob is None and r.layers[0].prob is None
    assert [s.layer for s in r.layers] == [2] and len(r.before) == 2


def test_parse_at_splits_at_the_last_at():
    assert parse_at("mail me @ home@12") == ("mail me @ home", "12")
    assert parse_at("x@all") == ("x", "all")


@pytest.mark.parametrize("kwargs, message", [
    ({"add": "the money is"}, "--add must be PROMPT@LAYER"),
    ({"add": "@3"}, "--add has no prompt before the @"),
    ({"add": "the money is@three"}, "--add must end in @LAYER"),
    ({"add": "the money is@"}, "--add must end in @LAYER"),
    ({"add": "the money is@5"}, "layer 5 is out of range"),
    ({"add": "the money is@0", "component": "mlp"}, "layer 0 is out of range"),
    ({"add": "the money is@1", "subtract": "the bank is@2"}, "give both the same layer"),
    ({"add": "the money is@1", "target": ""}, "the target is empty"),
    ({"add": "the money is@1", "component": "attn"}, "unknown component 'attn'"),
    ({"add": "the money is@1", "prompt": ""}, "the prompt is empty"),
])
def test_bad_inputs_are_one_clear_error(tiny, kwargs, message):
    args = {"prompt": PROMPT, **kwargs}
    with pytest.raises(ContextualError, match=message):
        steer(tiny, args.pop("prompt"), args.pop("add"), **args)
