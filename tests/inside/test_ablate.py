"""Ablation (vecs.inside.ablate) on a constructed GPT whose block-2 MLP writes the answer, checked
against the forward pass written out by hand; then SmolLM2 on the explainer's Poland prompt."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("torch")

from tests.inside.constructed import MONEY, by_hand, constructed_gpt  # noqa: E402

from vecs.errors import ContextualError  # noqa: E402
from vecs.inside.ablate import ablate  # noqa: E402

PROMPT = "the bank is a"


@pytest.fixture(scope="module")
def tiny():
    return constructed_gpt()


def rank_of(p, i: int) -> int:
    return int((p > p[i]).sum()) + 1


def test_the_baseline_is_the_models_own_probability(tiny):
    r = ablate(tiny, PROMPT, "money")
    p = by_hand(tiny, PROMPT)
    assert r.baseline_prob == pytest.approx(float(p[MONEY]), rel=1e-5)
    assert r.baseline_rank == rank_of(p, MONEY)
    assert [a.layer for a in r.rows] == [1, 2] and all(a.head is None for a in r.rows)


def test_zero_ablating_the_mlp_that_writes_the_answer_leaves_what_the_other_paths_give(tiny):
    r = ablate(tiny, PROMPT, "money", component="mlp", mode="zero")
    full, without = by_hand(tiny, PROMPT), by_hand(tiny, PROMPT, skip={"mlp2"})
    row = r.rows[1]
    assert row.layer == 2
    assert row.prob == pytest.approx(float(without[MONEY]), rel=1e-4)
    assert row.rank == rank_of(without, MONEY)
    assert row.change == pytest.approx(math.log(without[MONEY]) - math.log(full[MONEY]), abs=1e-4)
    assert row.prob < 0.01 < 0.3 < r.baseline_prob  # the answer is gone
    assert r.worst is row


def test_zero_ablating_attention_matches_the_pass_without_it(tiny):
    r = ablate(tiny, PROMPT, "money", component="attn", layer="1")
    assert [a.layer for a in r.rows] == [1]
    assert r.rows[0].prob == pytest.approx(float(by_hand(tiny, PROMPT, skip={"attn1"})[MONEY]), rel=1e-4)


def test_mean_ablation_of_a_constant_writer_changes_nothing(tiny):
    # block 2's MLP adds the same vector at every position: its mean over the positions is itself
    r = ablate(tiny, PROMPT, "money", layer=-1, mode="mean")
    assert [a.layer for a in r.rows] == [2]
    assert r.rows[0].prob == pytest.approx(r.baseline_prob, rel=1e-5)
    assert r.rows[0].change == pytest.approx(0.0, abs=1e-5)


def test_mean_ablation_differs_from_zero_where_the_output_varies(tiny):
    zero, mean = ablate(tiny, PROMPT, "money", layer=1), ablate(tiny, PROMPT, "money", layer=1, mode="mean")
    assert zero.rows[0].prob != pytest.approx(mean.rows[0].prob, rel=1e-3)


def test_ablating_at_one_position_only_touches_that_position(tiny):
    import torch

    gpt = tiny.model
    ids, _ = tiny.tokenizer.encode(PROMPT)
    mlp = gpt.blocks[0].mlp
    with torch.no_grad():  # block 1's MLP off at position 1 ("bank") only, by hand
        x = gpt.embed(torch.tensor([ids]))
        b = gpt.blocks[0]
        x = x + b.attn(b.ln_1(x))
        out = mlp(b.ln_2(x))
        out[0, 1] = 0
        x = x + out
        x = gpt.blocks[1](x)
        p = torch.softmax(gpt.unembed(gpt.final_norm(x))[0, -1], -1)
    for spec in (1, "1", "bank", -3):
        r = ablate(tiny, PROMPT, "money", layer=1, position=spec)
        assert r.positions == [1]
        assert r.rows[0].prob == pytest.approx(float(p[MONEY]), rel=1e-4)
    assert "position 1 (bank)" in r.method
    assert ablate(tiny, PROMPT, "money", position="all").positions is None
    # the constant writer's mean put at the last position only: still nothing changes
    assert ablate(tiny, PROMPT, "money", layer=2, mode="mean", position=-1).rows[0].change == pytest.approx(0, abs=1e-5)


def test_head_sweep_covers_every_head_of_every_layer(tiny):
    r = ablate(tiny, PROMPT, "money", component="head")
    assert [a.name for a in r.rows] == ["1.0", "1.1", "2.0", "2.1"]
    one = ablate(tiny, PROMPT, "money", component="head", layer=2, head=1)
    assert [a.name for a in one.rows] == ["2.1"]
    assert one.rows[0].prob == pytest.approx(r.rows[3].prob, rel=1e-5)


def test_row_batched_sweeps_equal_one_at_a_time_runs(tiny):
    import torch

    from vecs.inside.probe import Edit, run

    for component in ("mlp", "attn", "head"):
        for mode in ("zero", "mean"):
            batched = ablate(tiny, PROMPT, "money", component=component, mode=mode)
            single = ablate(tiny, PROMPT, "money", component=component, mode=mode, rows_per_pass=1)
            for a, b in zip(batched.rows, single.rows):
                assert (a.layer, a.head, a.rank) == (b.layer, b.head, b.rank)
                assert a.prob == pytest.approx(b.prob, rel=1e-4, abs=1e-7)
    # and one head switched off with a plain (not row-aware) edit of the probe
    t = run(tiny, [PROMPT], [Edit("head", 1, lambda z: torch.zeros_like(z), head=1)], capture=("resid",))
    p = torch.softmax(t.logits(position=-1), -1)[MONEY]
    assert ablate(tiny, PROMPT, "money", component="head").rows[1].prob == pytest.approx(float(p.detach()), rel=1e-4)


def test_a_sweep_over_layers_takes_one_forward_pass_per_batch(tiny, monkeypatch):
    import vecs.inside.intervene as iv

    calls = []
    real = iv.run
    monkeypatch.setattr(iv, "run", lambda model, ids, *a, **k: calls.append(len(ids)) or real(model, ids, *a, **k))
    ablate(tiny, PROMPT, "money", component="head")
    assert calls == [5]  # the baseline and four heads, one pass
    calls.clear()
    ablate(tiny, PROMPT, "money", rows_per_pass=2)
    assert calls == [2, 1]


@pytest.mark.parametrize("kwargs, message", [
    ({"target": ""}, "the target is empty"),
    ({"target": "   "}, "the target is empty"),
    ({"prompt": ""}, "the prompt is empty"),
    ({"layer": 3}, "layer 3 is out of range"),
    ({"layer": 0}, "layer 0 is out of range"),
    ({"layer": -3}, "layer -3 is out of range"),
    ({"layer": "x"}, "layer must be a number or 'all'"),
    ({"component": "head", "head": 2}, "head 2 is out of range"),
    ({"head": 0}, "--head needs --component head"),
    ({"component": "resid"}, "unknown component 'resid'"),
    ({"mode": "random"}, "unknown mode 'random'"),
    ({"position": 9}, "position 9 is beyond the prompt"),
    ({"position": "river"}, "'river' is not a token of the prompt"),
])
def test_bad_inputs_are_one_clear_error(tiny, kwargs, message):
    args = {"prompt": PROMPT, "target": "money", **kwargs}
    with pytest.raises(ContextualError, match=message):
        ablate(tiny, args.pop("prompt"), args.pop("target"), **args)


@pytest.mark.real
def test_smollm2_poland_warsaw_mlp_ablation(smollm2):
    r = ablate(smollm2, "The capital of Poland is", "Warsaw", component="mlp", layer="all")
    assert r.target.shown == "·Warsaw" and r.baseline_rank == 1 and r.baseline_prob > 0.1
    assert [a.layer for a in r.rows] == list(range(1, smollm2.n_layers + 1))
    assert r.worst.change < 0 and r.worst.prob < r.baseline_prob
    assert r.worst.change == min(a.change for a in r.rows)
