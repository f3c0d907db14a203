"""The logit lens you can aim and the feed-forward lens (vecs/inside/lens.py): ranks and
probabilities checked by hand on tiny GPTs, positions, targets, bad inputs; then SmolLM2."""

from __future__ import annotations

import numpy as np
import pytest

from vecs.errors import ContextualError
from vecs.inside.lens import (feed_forward_lens, logit_lens, mlp_before_after, readable_raised, resolve_positions,
                              starts_word)

torch = pytest.importorskip("torch")
real = pytest.mark.real

DARWIN = "What is Charles Darwin's most famous book? Darwin wrote"


def hand_logits(m, text: str):
    """Every layer's logits (L+1, T, V) written out from the model's own modules: hidden states,
    the final norm once, the unembedding."""
    ids = torch.tensor([m.encode_ids(text)])
    with torch.inference_mode():
        hs = m.model.hidden_states(ids)
        return torch.stack([m.model.lm_head(m.model.ln_f(h))[0] for h in hs]).float()


def hand_rank(row, i: int) -> int:
    """1 + the number of tokens ranked before ``i`` in a full descending sort."""
    order = np.argsort(-row.numpy(), kind="stable")
    return int(np.where(order == i)[0][0]) + 1


# -- the logit lens on a tiny GPT ----------------------------------------------------------------
def test_target_rank_and_probability_equal_the_hand_computation_at_every_cell(tiny_gpt):
    m = tiny_gpt
    text = "we sat on the bank of the river"
    r = logit_lens(m, text, k=2, target="money")
    logits = hand_logits(m, text)
    tid = m.tokenizer.encode("money")[0][0]
    assert r.target.id == tid and r.target.note == "" and r.vocab == 12
    assert r.positions == list(range(logits.shape[1])) and len(r.tracks) == logits.shape[1]
    for t, tr in zip(r.positions, r.tracks):
        assert tr.position == t and tr.token == r.tokens[t]
        for k in range(len(r.layers)):
            row = logits[k, t]
            assert tr.ranks[k] == hand_rank(row, tid), (k, t)
            assert tr.probs[k] == pytest.approx(float(row.softmax(-1)[tid]), abs=1e-6)
        assert tr.best_rank == min(tr.ranks) and tr.ranks[r.layers.index(tr.best_layer)] == tr.best_rank
        assert tr.final_rank == tr.ranks[-1]
        assert tr.top1_from == next((L for L, x in zip(r.layers, tr.ranks) if x == 1), None)
        assert tr.top10_from == next((L for L, x in zip(r.layers, tr.ranks) if x <= 10), None)


def test_first_layers_in_the_top_1_and_top_10():
    from vecs.inside.lens import track

    tr = track(3, "·x", [0, 1, 2, 3], [40, 9, 1, 2], [0.0, 0.1, 0.5, 0.4])
    assert (tr.best_rank, tr.best_layer, tr.final_rank, tr.top10_from, tr.top1_from) == (1, 2, 2, 1, 2)
    tr = track(0, "·x", [0, 1], [30, 12], [0.0, 0.0])
    assert (tr.top10_from, tr.top1_from, tr.best_layer) == (None, None, 1)


def test_top_guesses_are_the_hand_sorted_probabilities(tiny_gpt):
    m = tiny_gpt
    text = "the river bank"
    r = logit_lens(m, text, k=3)
    logits = hand_logits(m, text)
    for k in range(len(r.layers)):
        for j, t in enumerate(r.positions):
            p = logits[k, t].softmax(-1)
            top = p.topk(3)
            assert [g.id for g in r.guesses[k][j]] == top.indices.tolist()
            assert [g.rank for g in r.guesses[k][j]] == [1, 2, 3]
            assert [g.score for g in r.guesses[k][j]] == pytest.approx(top.values.tolist(), abs=1e-6)
    assert r.tokens == ["⟨eos⟩", "the", "river", "bank"]  # the start token marked
    assert r.final is r.guesses[-1][-1]


def test_positions_choose_the_columns(tiny_gpt):
    m = tiny_gpt
    text = "the river bank"
    full = logit_lens(m, text, k=2, target="money")
    for spec, want in [("-1", [3]), (-1, [3]), ("1", [1]), ("river", [2]), ("all", [0, 1, 2, 3]), (None, [0, 1, 2, 3]),
                       ([0, "bank"], [0, 3])]:
        r = logit_lens(m, text, k=2, target="money", positions=spec)
        assert r.positions == want, spec
        for j, t in enumerate(want):
            assert r.tracks[j].ranks == full.tracks[t].ranks
            assert [g.id for g in r.guesses[-1][j]] == [g.id for g in full.guesses[-1][t]]


def test_a_target_of_several_tokens_follows_the_first_and_says_so(tiny_gpt):
    r = logit_lens(tiny_gpt, "we sat on the", target="river bank")
    assert r.target.id == 4 and r.target.tokens == ["river", "bank"]
    assert "following the first" in r.target.note


@pytest.mark.parametrize("kw, message", [
    ({"target": "  "}, "the target is empty"),
    ({"target": ""}, "the target is empty"),
    ({"target": "zzzqqq"}, "'zzzqqq' is not in tiny's vocabulary"),
    ({"positions": "9"}, "position 9 is beyond the prompt: it has 4 tokens"),
    ({"positions": "-5"}, "position -5 is beyond the prompt"),
    ({"positions": "money"}, "'money' is not a token of the prompt; its tokens: 0:⟨eos⟩ 1:the 2:river 3:bank"),
    ({"positions": " "}, "the position is empty"),
    ({"k": 0}, "k must be at least 1"),
])
def test_bad_inputs_are_one_clear_error(tiny_gpt, kw, message):
    with pytest.raises(ContextualError) as e:
        logit_lens(tiny_gpt, "the river bank", **kw)
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_an_empty_prompt_or_one_that_fills_the_context_is_refused(tiny_gpt):
    with pytest.raises(ContextualError, match="the prompt is empty"):
        logit_lens(tiny_gpt, "  ")
    with pytest.raises(ContextualError, match="limit of 16 tokens"):
        logit_lens(tiny_gpt, " ".join(["the bank"] * 8))  # 16 words + <eos>


# -- positions -------------------------------------------------------------------------------------
TOKENS = ["⟨endoftext⟩", "What", "·is", "·Charles", "·Darwin", "'s", "·most", "·famous", "·book", "?", "·Darwin",
          "·wrote"]


@pytest.mark.parametrize("spec, want", [
    ("-1", [11]), ("0", [0]), ("11", [11]), ("-12", [0]), (3, [3]), ("all", list(range(12))), ("ALL", list(range(12))),
    ("Charles", [3]), ("·Charles", [3]), (" Charles", [3]), ("charles", [3]), ("What", [0 + 1]), ("?", [9]),
    ("'s", [5]), (["wrote", -1, "?"], [11, 9]),
])
def test_position_forms(spec, want):
    assert resolve_positions(spec, TOKENS) == want


def test_a_position_that_is_absent_repeated_or_beyond_is_one_line():
    with pytest.raises(ContextualError) as e:
        resolve_positions("Darwin", TOKENS)
    assert str(e.value).startswith("'Darwin' is at positions 4, 10: give one by number; the tokens: 0:⟨endoftext⟩ "
                                   "1:What 2:·is 3:·Charles")
    with pytest.raises(ContextualError, match=r"^position 12 is beyond the prompt: it has 12 tokens \(positions 0 "
                                              r"to 11, -1 = the last\)$"):
        resolve_positions("12", TOKENS)
    with pytest.raises(ContextualError, match="'Dickens' is not a token of the prompt"):
        resolve_positions("Dickens", TOKENS)
    with pytest.raises(ContextualError, match="'·What' is not a token"):  # the · asks for the spaced form
        resolve_positions("·What", TOKENS)


# -- the feed-forward lens -------------------------------------------------------------------------
def test_the_mlp_seam_gives_the_residual_before_and_after_each_mlp():
    from inside.constructed import ANSWER_SCALE, MONEY, constructed_gpt

    m = constructed_gpt()
    before, after, last = mlp_before_after(m, "we sat on the")
    ids = torch.tensor([m.tokenizer.encode("we sat on the")[0]])
    with torch.inference_mode():
        hs = m.model.hidden_states(ids)
    assert before.shape == after.shape == (2, 8)
    torch.testing.assert_close(after[1], hs[2][0, -1].float())
    torch.testing.assert_close(last, hs[2][0, -1].float())
    # block 2's MLP writes a constant: ANSWER_SCALE x the embedding of "money"
    torch.testing.assert_close(after[1] - before[1], ANSWER_SCALE * m.model.wte.weight[MONEY].float(),
                               rtol=0, atol=1e-5)


def test_the_block_that_writes_the_answer_is_found_and_raises_it_most():
    from inside.constructed import constructed_gpt

    m = constructed_gpt()
    r = feed_forward_lens(m, "we sat on the", target="money")
    logits = hand_logits(m, "we sat on the")
    assert r.target == "money" and r.target_id == 5 and r.note == ""
    assert r.final_rank == hand_rank(logits[-1, -1], 5) == 1
    assert [L.layer for L in r.layers] == [1, 2]
    assert r.layers[1].rank_after == 1 and r.layers[1].rank_after < r.layers[1].rank_before
    assert r.best_layer == 2 and r.layers[1].raised[0].word == "money"
    assert r.layers[0].rank_after == hand_rank(logits[1, -1], 5)  # after block 1 = layer 1
    default = feed_forward_lens(m, "we sat on the")  # the model's own guess
    assert default.target_id == 5 and default.target_tokens == ["money"]


def test_ffn_refuses_an_unknown_or_empty_target(tiny_gpt):
    with pytest.raises(ContextualError, match="'zzzqqq' is not in tiny's vocabulary"):
        feed_forward_lens(tiny_gpt, "we sat on the", target="zzzqqq")
    with pytest.raises(ContextualError, match="the target is empty"):
        feed_forward_lens(tiny_gpt, "we sat on the", target="  ")


class _Vocab:
    """A stand-in model for the raised-tokens column: texts by id, two special ids."""

    texts = ["<s>", "akespe", " Warsaw", "\ufffd", " ", " the", "rokes", " 北京", "京", ".", " Poland"]

    def token_text(self, i):
        return self.texts[i]

    def special_ids(self):
        return {0}

    def raw_token(self, i):
        return {3: "<0xE8>"}.get(i, self.texts[i])

    def decode_ids(self, ids):
        return "".join(self.texts[i] for i in ids)


def test_raised_tokens_prefer_word_starts_and_leave_out_fragments():
    change = torch.tensor([99.0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5])  # id 0 (special) rises most
    got = readable_raised(_Vocab(), change, 4)
    assert [g.shown for g in got] == ["·Warsaw", "·the", "·北京", "京"]
    assert [g.rank for g in got] == [3, 6, 8, 9]  # rank among the tokens raised most
    got = readable_raised(_Vocab(), change, 6)
    assert [g.shown for g in got] == ["·Warsaw", "·the", "·北京", "京", "·Poland", "akespe"]
    assert starts_word(" the") and starts_word("京") and not starts_word("akespe") and not starts_word(" ")
    assert not starts_word(" .") and not starts_word(" \ufffd")


# -- SmolLM2 ---------------------------------------------------------------------------------------
@real
def test_lens_refuses_an_encoder(minilm):
    with pytest.raises(ContextualError, match="causal"):
        logit_lens(minilm, "Hello there")


@real
def test_lens_last_layer_is_the_models_own_prediction(smollm2):
    text = "The capital of France is"
    r = logit_lens(smollm2, text, k=3)
    assert len(r.guesses) == smollm2.n_layers + 1 == 31
    assert r.final[0].shown == "·Paris"
    ids = torch.tensor([smollm2.encode_ids(text)])
    with torch.inference_mode():
        own = smollm2.model(ids).logits[0].float().softmax(-1)
    for t in range(ids.shape[1]):
        top = own[t].topk(3)
        assert [g.id for g in r.guesses[-1][t]] == top.indices.tolist()
        assert r.guesses[-1][t][0].score == pytest.approx(float(top.values[0]), abs=1e-4)


@real
def test_darwin_prompt_gives_the_rank_of_the_in_every_cell(smollm2):
    r = logit_lens(smollm2, DARWIN, k=1, target="the", positions="all")
    assert r.tokens == TOKENS
    assert len(r.tracks) == 12 and all(len(tr.ranks) == 31 for tr in r.tracks)
    assert all(1 <= x <= r.vocab for tr in r.tracks for x in tr.ranks)
    _, logits = smollm2.lens_logits(DARWIN)
    for k, t in [(0, 0), (21, 11), (30, 11), (15, 3)]:
        assert r.tracks[t].ranks[k] == hand_rank(logits[k, t].float(), r.target.id)
    last = r.tracks[-1]
    assert last.final_rank > 1 and last.best_rank <= 5  # never the top guess; best #3 in the issue


@real
def test_the_charles_column_follows_dickens(smollm2):
    r = logit_lens(smollm2, DARWIN, k=1, target="Dickens", positions="Charles")
    assert r.positions == [3] and r.target.shown == "·Dickens" and r.target.note == ""
    tr = r.tracks[0]
    assert tr.token == "·Charles" and tr.final_rank <= 10 and tr.ranks[0] > 700  # the issue: #7, > 700 early


@real
def test_a_late_mlp_writes_warsaw(smollm2):
    r = feed_forward_lens(smollm2, "The capital of Poland is", target="Warsaw")
    assert r.target == "·Warsaw" and r.final_rank == 1 and len(r.layers) == 30
    best = next(L for L in r.layers if L.layer == r.best_layer)
    assert best.rank_after < best.rank_before
    assert r.layers[-1].rank_after == r.final_rank
    assert r.layers[0].rank_after > 100
    words = [g for L in r.layers[1:] for g in L.raised]
    assert sum(g.word.startswith(" ") for g in words) >= 0.9 * len(words)  # word starts, not fragments


@real
def test_decode_applies_the_final_norm_once(smollm2):
    acts = smollm2.batch(["Darwin wrote"])  # (31, 1, T, C)
    logits = smollm2.decode(acts.stream(0))  # (31, T, V)
    with torch.inference_mode():
        own = smollm2.model.lm_head(smollm2.model.base_model.norm(acts.layer(30)[0]))  # (T, V)
    assert tuple(logits.shape[:2]) == (31, acts.states.shape[2])
    torch.testing.assert_close(logits[-1], own.float(), rtol=0, atol=1e-4)
