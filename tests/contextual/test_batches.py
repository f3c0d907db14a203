"""The batching engine: the token-budget plan, pooling with index tensors, the token statistics,
one tokenizer call, and batched results equal to one sentence at a time on minilm."""

from __future__ import annotations

import numpy as np
import pytest

from vecs.contextual.align import Target, find_word
from vecs.contextual.batches import TokenStats, plan_batches, pool_groups
from vecs.contextual.extract import extract, word_vectors


# -- the plan (no model) -------------------------------------------------------------------------
def test_equal_lengths_fill_the_budget_without_padding():
    assert plan_batches([5, 5, 5, 5], max_tokens=10) == [[0, 1], [2, 3]]
    assert plan_batches([5, 5, 5, 5, 5], max_tokens=100) == [[0, 1, 2, 3, 4]]
    assert plan_batches([], max_tokens=10) == []


def test_padding_is_bought_only_when_cheaper_than_another_pass():
    # one batch costs 4 x 10 padded tokens + 32 = 72; [10] + [3, 3, 3] costs 10 + 32 + 9 + 32 = 83
    assert plan_batches([3, 10, 3, 3], max_tokens=100, pass_cost=32) == [[1, 0, 2, 3]]
    # passes for free: no padding at all
    assert plan_batches([3, 10, 3, 3], max_tokens=100, pass_cost=0) == [[1], [0, 2, 3]]


def test_limits_a_long_text_alone_and_rows():
    assert plan_batches([2, 50, 2], max_tokens=10) == [[1], [0, 2]]  # longer than the budget: alone
    assert plan_batches([4, 4, 4], max_tokens=100, max_rows=1) == [[0], [1], [2]]
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 60, size=300).tolist()
    plan = plan_batches(lengths, max_tokens=256, max_rows=20)
    flat = [i for b in plan for i in b]
    assert sorted(flat) == list(range(300))  # every text exactly once
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)  # longest first
    for b in plan:
        assert len(b) <= 20 and (len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 256)
    padded = sum(len(b) * max(lengths[i] for i in b) for b in plan)
    assert padded < 1.1 * sum(lengths)  # little padding


# -- pooling and statistics (no model) -----------------------------------------------------------
def test_pool_groups_gathers_each_words_tokens():
    torch = pytest.importorskip("torch")
    states = [torch.arange(8.0).reshape(4, 2), 10 * torch.arange(8.0).reshape(4, 2)]  # 2 layers x (N=4, C=2)
    groups = [[0, 1], [3], [1, 2, 3]]
    got = {p: pool_groups(states, groups, p).numpy() for p in ("mean", "first", "last", "sum")}
    assert got["mean"].shape == (2, 3, 2)
    np.testing.assert_allclose(got["mean"][0], [[1, 2], [6, 7], [4, 5]])
    np.testing.assert_allclose(got["sum"][1], [[20, 40], [60, 70], [120, 150]])
    np.testing.assert_allclose(got["first"][0], [[0, 1], [6, 7], [2, 3]])
    np.testing.assert_allclose(got["last"][1], [[20, 30], [60, 70], [60, 70]])


def test_token_stats_are_exact_even_with_a_large_mean():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(3, 500, 4)) * [1, 0.01, 3, 1] + [1e4, -50, 0, 7]).astype(np.float32)  # (L', N, C)
    stats = TokenStats(3, 4)
    for a, b in ((0, 100), (100, 101), (101, 500)):  # three batches, one of a single token
        keep = list(range(a, b))
        padded = np.concatenate([x[:, a:b], np.full((3, 7, 4), 1e9, np.float32)], 1)  # padding never counted
        stats.add([torch.from_numpy(padded[k]) for k in range(3)], list(range(len(keep))))
    mean, std = stats.result()
    ref = x.astype(np.float64)
    np.testing.assert_allclose(mean, ref.mean(1), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(std, ref.std(1), rtol=2e-5)
    assert stats.count == 500
    assert all(np.all(v == 0) for v in TokenStats(2, 3).result())  # nothing seen


# -- minilm --------------------------------------------------------------------------------------
SENTENCES = [
    "A bank.",
    "She walked along the bank of the wide, slow river at dusk, thinking about nothing in particular.",
    "The embankment broke, unbelievably!",  # un ##bel ##ie ##va ##bly
    "Antidisestablishmentarianism is a word.",  # eight pieces
    "The bank raised rates.",
    "The bank raised rates.",  # a duplicate
    "我在中国上学。",  # Chinese, one character per token
    "bank",
    ("Yesterday the committee, after a long and heated debate that lasted well into the night, "
     "finally voted to approve the new budget for the library."),
]
TARGETS = ["bank", "river", "unbelievably", "Antidisestablishmentarianism", "bank", "rates", "中国", "bank",
           "budget"]


@pytest.mark.real
def test_one_tokenizer_call_gives_the_tokens_and_spans(minilm):
    enc = minilm.tokenize(SENTENCES)
    assert len(enc) == len(SENTENCES)
    for ids, toks, spans in zip(enc.ids, enc.tokens, enc.spans):
        assert toks == minilm.tok.convert_ids_to_tokens(ids)
        assert spans[0] is None and spans[-1] is None  # [CLS] ... [SEP]
    assert enc.tokens[2][5:10] == ["un", "##bel", "##ie", "##va", "##bly"] and enc.spans[2][5] == (22, 24)
    hs = minilm.hidden(enc.ids[:2])
    assert len(hs) == 7 and tuple(hs[0].shape) == (2, len(enc.ids[1]), 384) and hs[0].is_inference()


@pytest.mark.real
@pytest.mark.parametrize("batch_size", [None, 2])
def test_batched_equals_one_sentence_at_a_time(minilm, batch_size):
    batched = word_vectors(minilm, SENTENCES, "w", string=TARGETS, layer="all", batch_size=batch_size)
    for i, (s, t) in enumerate(zip(SENTENCES, TARGETS)):
        alone = word_vectors(minilm, [s], "w", string=t, layer="all")
        np.testing.assert_allclose(batched.vectors[:, i], alone.vectors[:, 0], atol=1e-5, rtol=0)
        assert batched.alignments[i].positions == alone.alignments[0].positions
        assert batched.alignments[i].tokens == alone.alignments[0].tokens
    a = batched.alignments
    assert a[3].tokens[:3] == ["anti", "##dis", "##est"] and len(a[3].tokens) == 8
    assert a[6].tokens == ["中", "国"] and a[6].positions == [3, 4]
    # the mean over the word's tokens of a single forward pass, by hand
    states = minilm.batch([SENTENCES[2]]).states[:, 0].numpy()  # (7, T, C)
    np.testing.assert_allclose(batched.vectors[:, 2], states[:, 5:10].mean(1), atol=1e-5)


@pytest.mark.real
def test_results_do_not_depend_on_the_batching(minilm):
    items = [Target(s, *find_word(s, t)) for s, t in zip(SENTENCES, TARGETS)]
    one = extract(minilm, items, [0, 3, 6])
    for tokens in (16, 40, 100):  # many batches, padded ones among them
        other = extract(minilm, items, [0, 3, 6], batch_tokens=tokens)
        np.testing.assert_allclose(other.vectors, one.vectors, atol=1e-5, rtol=0)
        np.testing.assert_allclose(other.token_mean, one.token_mean, atol=1e-5, rtol=0)
        np.testing.assert_allclose(other.token_std, one.token_std, atol=1e-5, rtol=0)
    # the statistics are over every real token of the distinct sentences
    acts = minilm.batch(list(dict.fromkeys(SENTENCES)))
    real = np.concatenate([acts.states[[0, 3, 6], r][:, acts.real_positions(r)].numpy()
                           for r in range(len(acts.spans))], 1).astype(np.float64)  # (3, N, C)
    np.testing.assert_allclose(one.token_mean, real.mean(1), atol=1e-5)
    np.testing.assert_allclose(one.token_std, real.std(1), atol=1e-5)
