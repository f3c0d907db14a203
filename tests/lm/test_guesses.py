"""The next-word guesses shown before and after training (vecs/lm/guesses.py): the prompt taken
from the held-out text, the guesses equal to the model's own softmax, and a tiny run whose guesses
go from near-uniform noise to the word the text goes on with."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from vecs.errors import VecsError  # noqa: E402
from vecs.lm.guesses import next_words, prompt_from_corpus, prompt_from_text  # noqa: E402
from vecs.lm.model import GPT, GPTConfig  # noqa: E402
from vecs.lm.tokenizer import WordTokenizer  # noqa: E402
from vecs.lm.train import train_transformer  # noqa: E402

TINY = dict(layers=2, dim=32, heads=2, context=16, batch=8, lr=1e-2, max_vocab=200, min_count=1,
            device="cpu")
TOK = WordTokenizer(["the", "cat", "sat", "on", "mat", "a", "dog", "ran"])


def test_the_default_prompt_is_the_start_of_the_first_long_enough_held_out_sentence_without_unk():
    unk, eos = TOK.unk_id, TOK.eos_id
    i = TOK.token_id
    val = np.array([i("a"), i("dog"), eos,  # too short
                    i("the"), unk, i("sat"), i("on"), i("the"), eos,  # an <unk> among the first words
                    i("the"), i("cat"), i("sat"), i("on"), i("a"), unk, eos])  # <unk> only after them
    p = prompt_from_corpus(val, TOK, context=16, words=3)
    assert p.text == "the cat sat" and p.ids == [eos, i("the"), i("cat"), i("sat")] and p.expected == i("on")
    assert prompt_from_corpus(val[:3], TOK, context=16, words=3) is None
    # a short context keeps fewer words (the model reads <eos> + the words)
    short = prompt_from_corpus(val, TOK, context=3, words=6)
    assert short.ids == [eos, i("the"), i("cat")] and short.expected == i("sat")
    # held-out text split off by tokens may begin inside a sentence: its first piece is skipped
    cut = np.array([i("cat"), i("sat"), i("on"), eos, i("a"), i("dog"), i("ran"), eos])
    assert prompt_from_corpus(cut, TOK, context=16, words=2).text == "cat sat"
    assert prompt_from_corpus(cut, TOK, context=16, words=2, mid_sentence=True).text == "a dog"


def test_a_user_prompt_marks_unknown_words_and_must_have_words():
    p = prompt_from_text("The zebra sat", TOK, context=16)
    assert p.ids == [TOK.eos_id, TOK.token_id("the"), TOK.unk_id, TOK.token_id("sat")]
    assert p.unknown == ["zebra"] and p.expected is None and p.text == "the zebra sat"
    assert prompt_from_text("a b c d e f g", TOK, context=3).ids == [TOK.unk_id] * 3  # the last `context` tokens
    with pytest.raises(VecsError, match="has no words"):
        prompt_from_text("?!", TOK, context=16)


def test_the_guesses_are_the_models_softmax_at_the_last_position():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=TOK.vocab_size, n_layer=1, n_head=2, n_embd=8, block_size=8))
    with torch.no_grad():  # a model with clear preferences
        model.wte.weight.mul_(50)
    p = prompt_from_corpus(np.array([0, 1, 2, 3, TOK.eos_id]), TOK, context=8, words=2)
    g = next_words(model, p, TOK, step=7, top=4)
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor([p.ids]))[0][0, -1], -1)
    order = torch.argsort(probs, descending=True)
    assert [x.word for x in g.guesses] == [TOK.itos[int(j)] for j in order[:4]]
    assert [x.probability for x in g.guesses] == pytest.approx(probs[order[:4]].tolist(), rel=1e-5)
    assert g.step == 7 and g.prompt == "the cat" and g.expected == "sat"
    assert g.expected_probability == pytest.approx(float(probs[2]), rel=1e-5)
    assert g.expected_rank == int((order == 2).nonzero()) + 1
    assert g.uniform == pytest.approx(1 / TOK.vocab_size)


def test_training_shows_the_guesses_before_and_after(tiny_corpus):
    r = train_transformer(tiny_corpus, name="g", steps=40, **TINY)
    b, a = r.guesses_before, r.guesses_after
    assert b.step == 0 and a.step == 40 and b.prompt == a.prompt and len(b.guesses) == len(a.guesses) == 5
    # before: near uniform (every word close to 1 / vocabulary); after: the word the text goes on with
    assert max(x.probability for x in b.guesses) < 3 * b.uniform
    assert a.guesses[0].probability > 0.5 and a.expected_rank == 1 and a.guesses[0].word == a.expected
    assert a.expected_probability > 10 * b.expected_probability
    assert [x.word for x in a.guesses] != [x.word for x in b.guesses]
    r = train_transformer(tiny_corpus, name="g", force=True, steps=40, prompt="my neighbour feeds", **TINY)
    after = [x.word for x in r.guesses_after.guesses]
    assert r.guesses_after.prompt == "my neighbour feeds" and r.guesses_after.expected is None
    assert set(after[:3]) <= {"the", "a", "some"}  # what follows a verb in this grammar
    with pytest.raises(VecsError, match="--prompt '...' has no words"):
        train_transformer(tiny_corpus, name="g2", steps=2, prompt="...", **TINY)


@pytest.mark.real
def test_on_sotu_the_prompt_is_the_start_of_the_newest_held_out_address_and_the_curve_falls():
    r = train_transformer("sotu", name="s", steps=30, layers=2, dim=32, heads=2, context=32, batch=8, lr=1e-2,
                          device="cpu")  # the default vocabulary (8,000 words)
    b, a = r.guesses_before, r.guesses_after
    assert a.prompt == "mr speaker mr vice president members" and a.expected == "of"  # the 2012 address
    assert max(x.probability for x in b.guesses) < 3 * b.uniform
    assert a.expected_probability > 10 * b.expected_probability and a.expected_rank < b.expected_rank
    h = r.history
    assert h.steps[0] == 0 and h.steps[-1] == 30 and h.val_tokens == 8192
    assert h.val[-1] < h.val[0] - 1.5 and h.train[-1] < h.train[0] - 1.5
