"""Heads ranked for a token (vecs.inside.heads): the name said once, the weights from a query on a
source, and the direct logit attribution, checked by hand on the tiny GPT of
tests/inside/attending.py; then the name movers of SmolLM2 and Gemma 3 for real."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from tests.inside.attending import WORDS, attending_gpt  # noqa: E402

from vecs.errors import ContextualError  # noqa: E402
from vecs.inside.heads import find_names, frozen_norm, indirect_object, rank_heads  # noqa: E402

IOI = "When Mary and John went to the store, John gave a drink to"
HIS = "John wants his bank to cash the"


@pytest.fixture(scope="module")
def tiny():
    return attending_gpt()


def test_the_name_said_once_is_the_indirect_object():
    assert indirect_object(IOI)[:2] == ("Mary", "John")
    assert indirect_object("Mary and John went to the store. John gave a drink to")[:2] == ("Mary", "John")
    assert indirect_object("When Tom and Anna got home, Anna gave the keys to")[:2] == ("Tom", "Anna")


def test_prompts_without_one_clear_name_are_errors():
    with pytest.raises(ContextualError, match="one name is repeated"):
        indirect_object("When Mary and John went to the store, Paul gave a drink to")
    with pytest.raises(ContextualError, match="cannot tell"):
        indirect_object("When Mary, Paul and John went to the store, John gave a drink to")


def test_find_names_picks_mary_and_weighs_by_hand(tiny):
    r = find_names(tiny, IOI)
    T = len(r.tokens)
    assert r.tokens[r.positions[0]] == "mary" and r.other == "John" and r.other_positions == [4, 9]
    assert r.query == T - 1 and r.target.id == WORDS.index("mary")
    assert "Mary" in r.chose and "John" in r.chose
    by = {(h.layer, h.head): h for h in r.heads}
    assert by[(1, 1)].weight == pytest.approx(1 / T, abs=1e-6)  # the even head
    assert by[(1, 1)].other_weight == pytest.approx(2 / T, abs=1e-6)  # John twice
    assert by[(1, 0)].weight == pytest.approx(0.0, abs=1e-6)  # the previous-token head looks at "drink"
    assert [h.weight for h in r.heads] == sorted((h.weight for h in r.heads), reverse=True)
    assert [h.weight_rank for h in r.heads] == [1, 2, 3, 4]
    assert sorted(h.effect_rank for h in r.heads) == [1, 2, 3, 4]


def test_the_logit_effect_is_the_direct_logit_attribution_by_hand(tiny):
    import torch

    from vecs.inside.probe import run

    r = rank_heads(tiny, HIS, "John", source_from="his")
    assert r.query == 3 and r.positions == [1] and r.query_token == "his"
    trace = run(tiny, [HIS], capture=("resid", "attn", "mlp", "pattern", "z"))
    ln = tiny.model.ln_f
    x = trace.resid[2, 0, 3]
    U = tiny.model.lm_head.weight.detach()
    direction = U[WORDS.index("john")] - U.mean(0)
    with torch.no_grad():
        for h in r.heads:
            w = trace.head_write(h.layer, h.head)[3]
            want = (ln.weight * (w - w.mean()) / torch.sqrt(x.var(unbiased=False) + ln.eps)) @ direction
            assert h.effect == pytest.approx(float(want), abs=1e-5)
    even = next(h for h in r.heads if (h.layer, h.head) == (1, 1))
    assert even.weight == pytest.approx(1 / 4, abs=1e-6)


def test_the_frozen_final_norm_is_linear_and_adds_up_to_the_logits(tiny):
    import torch

    from vecs.inside.probe import run

    trace = run(tiny, [IOI], capture=("resid", "attn", "mlp", "pattern", "z"))
    q = len(trace.ids[0]) - 1
    x = trace.resid[2, 0, q]
    frozen = frozen_norm(tiny.model.ln_f, x)
    ln = tiny.model.ln_f
    with torch.no_grad():
        torch.testing.assert_close(frozen(x), ln(x) - ln(torch.zeros_like(x)), atol=1e-5, rtol=1e-5)
        a, b = trace.attn[0, 0, q], trace.mlp[1, 0, q]
        torch.testing.assert_close(frozen(a + b), frozen(a) + frozen(b), atol=1e-5, rtol=1e-5)
        # every part of the residual: the embeddings, each head, each attention bias, each MLP
        parts = [trace.resid[0, 0, q]]
        for L in (1, 2):
            parts += [trace.head_write(L, h)[q] for h in (0, 1)]
            parts += [tiny.model.blocks[L - 1].attn.c_proj.bias, trace.mlp[L - 1, 0, q]]
        torch.testing.assert_close(sum(frozen(p) for p in parts), frozen(x), atol=1e-4, rtol=1e-4)


def test_bad_sources_and_queries_are_errors(tiny):
    with pytest.raises(ContextualError, match="not a token of the prompt"):
        rank_heads(tiny, HIS, "Mary")
    with pytest.raises(ContextualError, match="only looks back"):
        rank_heads(tiny, HIS, "cash", source_from="his")
    with pytest.raises(ContextualError, match="beyond the prompt"):
        rank_heads(tiny, HIS, "John", source_from="20")
    with pytest.raises(ContextualError, match="positions 4, 9"):
        rank_heads(tiny, IOI, "mary", source_from="john")  # which John?
    r = rank_heads(tiny, IOI, "2")  # a position works too: its token is the target
    assert r.positions == [2] and r.target.id == WORDS.index("mary")


# --------------------------------------------------------------------------------------------
# Real models: the name movers
# --------------------------------------------------------------------------------------------
def _movers(r, n=5):
    return [(h.name, round(h.weight, 3), round(h.effect, 2)) for h in r.heads[:n]]


@pytest.mark.real
def test_smollm2_moves_mary_to_the_last_position(smollm2):
    r = find_names(smollm2, IOI)
    assert r.tokens[r.positions[0]] == "·Mary" and r.target.shown == "·Mary" and r.query_token == "·to"
    top = r.heads[:5]
    print("smollm2 name movers (head, weight on Mary, logit effect):", _movers(r))
    assert top[0].weight > 0.3
    assert any(h.effect_rank <= 5 and h.effect > 0.5 for h in top)  # a head that looks at Mary also raises it
    his = rank_heads(smollm2, HIS, "John", source_from="his")
    print("smollm2 his -> John:", _movers(his))
    assert his.tokens[his.positions[0]] == "John" and his.heads[0].weight > 0.5


@pytest.mark.real
def test_gemma3_moves_mary_to_the_last_position(gemma3):
    r = find_names(gemma3, IOI)
    assert r.tokens[r.positions[0]] == "·Mary"
    print("gemma3 name movers (head, weight on Mary, logit effect):", _movers(r))
    assert r.heads[0].weight > 0.3
    assert any(h.effect_rank <= 5 and h.effect > 1.0 for h in r.heads[:5])
    his = rank_heads(gemma3, HIS, "John", source_from="his")
    print("gemma3 his -> John:", _movers(his))
    assert his.heads[0].weight > 0.3


@pytest.mark.real
def test_an_encoder_ranks_by_attention_only(minilm):
    r = rank_heads(minilm, HIS, "john", source_from="his")
    assert r.target is None and all(h.effect is None for h in r.heads) and "encoder" in r.note
    assert len(r.heads) == 6 * 12
