"""The hooked forward pass: what it captures equals what the model computes, and edits change
exactly what they name."""

from __future__ import annotations

import math

import pytest

from vecs.errors import ContextualError
from vecs.inside.probe import Edit, run

torch = pytest.importorskip("torch")


def test_probe_leaves_the_residual_stream_as_the_model_computes_it(tiny_gpt):
    acts = tiny_gpt.batch(["the bank of the river"])
    tr = run(tiny_gpt, ["the bank of the river"])
    assert tr.resid.shape == (3, 1, 6, 8)
    assert torch.allclose(tr.resid[:, 0], acts.states[:, 0], atol=1e-5)


def test_attention_and_mlp_outputs_add_up_to_each_block(tiny_gpt):
    tr = run(tiny_gpt, ["the bank of the river"])
    step = tr.resid[1:, 0] - tr.resid[:-1, 0]  # (L, T, C)
    assert torch.allclose(tr.attn[:, 0] + tr.mlp[:, 0], step, atol=1e-5)


def test_heads_sum_to_the_attention_output_minus_its_bias(tiny_gpt):
    tr = run(tiny_gpt, ["the bank of the river"])
    for layer in (1, 2):
        bias = tiny_gpt.model.blocks[layer - 1].attn.c_proj.bias
        heads = sum(tr.head_write(layer, h) for h in range(2))
        assert torch.allclose(heads + bias, tr.attn[layer - 1, 0], atol=1e-5)


def test_attention_weights_match_a_hand_computation(tiny_gpt):
    tr = run(tiny_gpt, ["the bank of the river"])
    block = tiny_gpt.model.blocks[0]
    x = block.ln_1(tr.resid[0, 0])  # (T, C)
    q, k, _ = block.attn.c_attn(x).split(8, dim=1)
    D = 4
    for h in range(2):
        qh, kh = q[:, h * D:(h + 1) * D], k[:, h * D:(h + 1) * D]
        scores = (qh @ kh.T) / math.sqrt(D)
        scores = scores.masked_fill(torch.ones(6, 6).triu(1).bool(), float("-inf"))
        assert torch.allclose(tr.scores[0, 0, h], scores, atol=1e-5)
        assert torch.allclose(tr.pattern[0, 0, h], torch.softmax(scores, -1), atol=1e-6)
    assert torch.allclose(tr.pattern.sum(-1), torch.ones(2, 1, 2, 6), atol=1e-6)
    assert float(tr.pattern[0, 0, 0].triu(1).abs().max()) == 0.0  # never the future


def test_zero_attention_query_key_gives_uniform_causal_attention(tiny_gpt):
    with torch.no_grad():
        tiny_gpt.model.blocks[0].attn.c_attn.weight[:16] = 0  # queries and keys
        tiny_gpt.model.blocks[0].attn.c_attn.bias[:16] = 0
    tr = run(tiny_gpt, ["the bank of the river"])
    expect = torch.tril(torch.ones(6, 6)) / torch.arange(1, 7).unsqueeze(1)
    assert torch.allclose(tr.pattern[0, 0, 0], expect, atol=1e-6)


def test_final_logits_equal_the_models_forward(tiny_gpt):
    ids = tiny_gpt.encode_ids("the bank of the river")
    logits, _ = tiny_gpt.model(torch.tensor([ids]))
    tr = run(tiny_gpt, ["the bank of the river"])
    assert torch.allclose(tr.logits(), logits[0], atol=1e-5)


def test_zeroing_an_mlp_removes_exactly_its_output(tiny_gpt):
    clean = run(tiny_gpt, ["the bank of the river"])
    cut = run(tiny_gpt, ["the bank of the river"], edits=[Edit("mlp", 2, lambda x: torch.zeros_like(x))])
    assert torch.allclose(cut.resid[2, 0], clean.resid[2, 0] - clean.mlp[1, 0], atol=1e-5)
    assert torch.allclose(cut.resid[:2], clean.resid[:2])


def test_a_head_edit_changes_only_that_heads_write(tiny_gpt):
    clean = run(tiny_gpt, ["the bank of the river"])
    cut = run(tiny_gpt, ["the bank of the river"], edits=[Edit("head", 2, lambda z: torch.zeros_like(z), head=1)])
    assert torch.allclose(cut.attn[1, 0], clean.attn[1, 0] - clean.head_write(2, 1), atol=1e-5)


def test_patching_the_whole_last_residual_gives_the_clean_answer(tiny_gpt):
    clean = run(tiny_gpt, ["the bank of the river"])
    donor = clean.resid[2]

    def patch(x):
        return donor.clone()

    patched = run(tiny_gpt, ["we sat on a money"], edits=[Edit("resid", 2, patch)])
    assert torch.allclose(patched.logits(), clean.logits(), atol=1e-5)


def test_the_model_is_unchanged_after_a_run(tiny_gpt):
    run(tiny_gpt, ["the bank"], edits=[Edit("mlp", 1, lambda x: x * 0)])
    assert all(b.attn.attention_fn is None for b in tiny_gpt.model.blocks)
    assert not any(b._forward_hooks for b in tiny_gpt.model.blocks)


def test_bad_places_and_ranges_are_one_line(tiny_gpt):
    with pytest.raises(ContextualError, match="out of range"):
        run(tiny_gpt, ["the bank"], edits=[Edit("mlp", 3, lambda x: x)])
    with pytest.raises(ContextualError, match="out of range"):
        run(tiny_gpt, ["the bank"], edits=[Edit("head", 1, lambda x: x, head=2)])
    with pytest.raises(ContextualError, match="unknown place"):
        run(tiny_gpt, ["the bank"], edits=[Edit("ffn", 1, lambda x: x)])
    with pytest.raises(ContextualError, match="empty"):
        run(tiny_gpt, ["  "])
    with pytest.raises(ContextualError, match="reads at most"):
        run(tiny_gpt, [" ".join(["the"] * 40)])


@pytest.mark.real
def test_probe_on_real_models_matches_their_own_forward(smollm2, gemma3):
    prompt = "When Mary and John went to the store, John gave a drink to"
    for m in (smollm2, gemma3):
        acts = m.batch([prompt])
        tr = run(m, [prompt])
        scale = float(acts.states.abs().max())
        assert float((tr.resid[:, 0] - acts.states[:, 0]).abs().max()) < 1e-5 * scale
        assert torch.allclose(tr.pattern.sum(-1), torch.ones_like(tr.pattern.sum(-1)), atol=1e-4)
        L = m.n_layers
        heads = sum(tr.head_write(L // 2, h) for h in range(tr.z.shape[3]))
        assert float((heads - tr.attn[L // 2 - 1, 0]).abs().max()) < 1e-3 * float(tr.attn[L // 2 - 1, 0].abs().max())
        assert m.token_text(int(tr.logits()[-1].argmax())) == " Mary"


@pytest.mark.real
def test_encoders_give_attention_patterns(minilm):
    tr = run(minilm, ["the bank of the river"], capture=("pattern",))
    assert tr.pattern.shape[:3] == (6, 1, 12)
    assert torch.allclose(torch.softmax(tr.scores, -1), tr.pattern, atol=1e-5)
    with pytest.raises(ContextualError, match="causal language model"):
        run(minilm, ["the bank"], edits=[Edit("mlp", 1, lambda x: x)])
