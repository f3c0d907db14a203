"""Attention heads (vecs.inside.attention) on a tiny GPT whose heads are built by hand (a
previous-token head, an even head, an induction head: tests/inside/attending.py), the measures on
constructed patterns, and SmolLM2 / MiniLM for real."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("torch")

from tests.inside.attending import D, attending_gpt, hand_qkv  # noqa: E402

from vecs.errors import ContextualError  # noqa: E402
from vecs.inside.attention import (attention_heads, entropy_bits, explain_head, head_measures,  # noqa: E402
                                   induction_score, layer_pattern, repeated_tokens)

PROMPT = "when mary and john went to the store john gave a drink to"


@pytest.fixture(scope="module")
def tiny():
    return attending_gpt()


@pytest.fixture(scope="module")
def even():
    return attending_gpt(uniform=True)


# --------------------------------------------------------------------------------------------
# The measures, on patterns made by hand
# --------------------------------------------------------------------------------------------
def causal_uniform(T: int) -> np.ndarray:
    return np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None]


def test_entropy_is_in_bits_and_zero_for_one_key():
    assert entropy_bits(np.array([1.0, 0.0, 0.0])) == pytest.approx(0.0)
    assert entropy_bits(np.full(4, 0.25)) == pytest.approx(2.0)
    assert entropy_bits(np.array([0.5, 0.5, 0.0])) == pytest.approx(1.0)


def test_measures_of_an_even_causal_head_by_hand():
    T = 6
    ent, sink, prev = head_measures(causal_uniform(T))
    qs = range(1, T)  # position 0 is left out: it can only look at itself
    assert ent == pytest.approx(np.mean([math.log2(t + 1) for t in qs]))
    assert sink == pytest.approx(np.mean([1 / (t + 1) for t in qs]))
    assert prev == pytest.approx(np.mean([1 / (t + 1) for t in qs]))


def test_measures_of_a_previous_token_head_and_a_sink_head():
    T = 5
    previous = np.eye(T, k=-1)
    previous[0, 0] = 1.0
    ent, sink, prev = head_measures(previous)
    assert (ent, prev) == (pytest.approx(0.0), pytest.approx(1.0))
    assert sink == pytest.approx(1 / 4)  # only position 1's previous token is the first
    parked = np.zeros((T, T))
    parked[:, 0] = 1.0
    ent, sink, prev = head_measures(parked)
    assert (ent, sink) == (pytest.approx(0.0), pytest.approx(1.0))


def test_induction_score_reads_the_token_after_the_earlier_copy():
    start, n = 1, 4
    T = start + 2 * n
    ind = np.zeros((T, T))
    for q in range(T):
        ind[q, q - n + 1 if q >= start + n else 0] = 1.0
    assert induction_score(ind, start, n) == pytest.approx(1.0)
    even = causal_uniform(T)
    assert induction_score(even, start, n) == pytest.approx(np.mean([1 / (q + 1) for q in range(start + n, T)]))
    assert induction_score(np.eye(T, k=-1), start, n) == pytest.approx(0.0)  # the previous token is not it (n > 2)


def test_the_repeated_sequence_is_random_tokens_twice_after_the_start_tokens(tiny):
    ids, start, n = repeated_tokens(tiny, seed=0)
    assert start == 1 and ids[0] == 1  # <eos> starts every text of ours
    assert n == 7  # 2n + 1 tokens must fit the 16-token context
    assert ids[start:start + n] == ids[start + n:start + 2 * n] and len(ids) == 1 + 2 * n
    assert not set(ids[start:]) & tiny.special_ids() and len(set(ids[start:])) == n
    assert repeated_tokens(tiny, seed=0) == (ids, start, n)
    assert repeated_tokens(tiny, seed=1)[0] != ids


# --------------------------------------------------------------------------------------------
# Heads built by hand
# --------------------------------------------------------------------------------------------
def test_zero_query_and_key_weights_give_even_causal_attention(even):
    for layer in (1, 2):
        p = layer_pattern(even, PROMPT, layer)
        T = len(p.tokens)
        for w in p.weights:
            np.testing.assert_allclose(w, causal_uniform(T), atol=1e-6)


def test_weights_sum_to_one_and_never_look_ahead(tiny):
    for layer in (1, 2):
        w = np.asarray(layer_pattern(tiny, PROMPT, layer).weights)
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-5)
        assert np.all(np.triu(w, 1) == 0)


def test_the_previous_token_head_is_found(tiny):
    r = attention_heads(tiny, PROMPT, layer=1, k=2)
    head = r.heads[0]
    assert (head.layer, head.head) == (1, 0)
    assert head.summary.prev > 0.999 and head.summary.entropy < 0.01
    assert all(row[0].position == t - 1 and row[0].weight > 0.999 for t, row in enumerate(head.looks) if t)
    assert head.looks[3][0].token == "mary"  # position 3 (and) looks at mary
    even = r.heads[1].summary  # head 1.1: zero queries and keys
    T = len(r.tokens)
    assert even.sink == pytest.approx(np.mean([1 / (t + 1) for t in range(1, T)]), abs=1e-6)
    assert even.entropy == pytest.approx(np.mean([math.log2(t + 1) for t in range(1, T)]), abs=1e-5)


def test_the_induction_head_is_found_and_the_even_head_scores_by_hand(tiny):
    r = attention_heads(tiny, PROMPT, layer="all")
    score = {(v.layer, v.head): v.summary.induction for v in r.heads}
    assert score[(2, 0)] > 0.99
    assert max(score, key=score.get) == (2, 0)
    assert score[(1, 0)] < 1e-6  # a previous-token head is not an induction head
    start, n = 1, r.induction_len
    assert score[(1, 1)] == pytest.approx(np.mean([1 / (q + 1) for q in range(start + n, start + 2 * n)]), abs=1e-6)


def test_top_k_sources_are_heaviest_first(tiny):
    r = attention_heads(tiny, PROMPT, layer=2, head=1, k=3)
    assert len(r.heads) == 1 and r.heads[0].head == 1
    for t, row in enumerate(r.heads[0].looks):
        assert len(row) == min(3, t + 1)
        assert [lk.weight for lk in row] == sorted((lk.weight for lk in row), reverse=True)


def test_scores_match_q_dot_k_over_sqrt_d_from_the_modules_own_weights(tiny):
    import torch

    e = explain_head(tiny, PROMPT, 2, 1, -1)
    q, k, _ = hand_qkv(tiny, PROMPT, 2)
    T = q.shape[1]
    want = (q[1, T - 1] @ k[1].T) / math.sqrt(D)  # (T,)
    assert e.position == T - 1 and [s.position for s in e.keys] == list(range(T))
    np.testing.assert_allclose([s.score for s in e.keys], want.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose([s.weight for s in e.keys], torch.softmax(want, -1).numpy(), atol=1e-5)
    assert sum(s.weight for s in e.keys) == pytest.approx(1.0, abs=1e-5)


def test_explain_shows_only_the_keys_a_causal_query_can_see(tiny):
    e = explain_head(tiny, PROMPT, 1, 0, "went")
    assert e.query == "went" and [s.position for s in e.keys] == list(range(e.position + 1))


def test_explain_promotes_the_top_of_the_heads_write_decoded(tiny):
    import torch

    from vecs.inside.probe import run

    e = explain_head(tiny, PROMPT, 2, 1, -1, k=4)
    trace = run(tiny, [PROMPT], capture=("pattern", "z"))
    with torch.inference_mode():
        logits = tiny.decode(trace.head_write(2, 1)[-1])
    assert [p.id for p in e.promotes] == logits.topk(4).indices.tolist()
    assert [p.id for p in e.suppresses] == (-logits).topk(4).indices.tolist()
    # and the write itself, by hand: the weights times the values, through the head's slice of c_proj
    q, k, v = hand_qkv(tiny, PROMPT, 2)
    w = torch.tensor([s.weight for s in e.keys])
    with torch.inference_mode():
        proj = tiny.model.blocks[1].attn.c_proj.weight[:, D:2 * D]
        by_hand = tiny.decode((w @ v[1]) @ proj.T)
    assert [p.id for p in e.promotes] == by_hand.topk(4).indices.tolist()
    assert e.promotes[0].logit == pytest.approx(float(by_hand.max()), rel=1e-4)


def test_bad_layers_heads_and_positions_are_errors(tiny):
    with pytest.raises(ContextualError, match="layer 0 is the embeddings"):
        attention_heads(tiny, PROMPT, layer=0)
    with pytest.raises(ContextualError, match="out of range"):
        attention_heads(tiny, PROMPT, layer=3)
    with pytest.raises(ContextualError, match="head 2 is out of range"):
        attention_heads(tiny, PROMPT, layer=1, head=2)
    with pytest.raises(ContextualError, match="beyond the prompt"):
        explain_head(tiny, PROMPT, 1, 0, 14)
    with pytest.raises(ContextualError, match="not a token of the prompt"):
        explain_head(tiny, PROMPT, 1, 0, "bank")
    with pytest.raises(ContextualError, match="one layer"):
        explain_head(tiny, PROMPT, "all", 0, -1)
    with pytest.raises(ContextualError, match="empty"):
        attention_heads(tiny, " ")


# --------------------------------------------------------------------------------------------
# Real models
# --------------------------------------------------------------------------------------------
@pytest.mark.real
def test_smollm2_has_previous_token_and_induction_heads(smollm2):
    r = attention_heads(smollm2, "When Mary and John went to the store, John gave a drink to", layer="all")
    assert len(r.heads) == 30 * 9 and r.tokens[0] == "⟨endoftext⟩" and r.tokens[2] == "·Mary"
    assert max(v.summary.prev for v in r.heads) > 0.7
    assert max(v.summary.induction for v in r.heads) > 0.7
    assert max(v.summary.sink for v in r.heads) > 0.95


@pytest.mark.real
def test_an_encoder_gives_patterns_but_no_decoded_write(minilm):
    e = explain_head(minilm, "the bank of the river", 3, 0, "bank")
    assert len(e.keys) == 7 and e.promotes == [] and "encoder" in e.note  # [CLS] ... [SEP]: keys both ways
    assert sum(k.weight for k in e.keys) == pytest.approx(1.0, abs=1e-5)
    r = attention_heads(minilm, "the bank of the river", layer=3)
    assert len(r.heads) == 12 and not r.causal
