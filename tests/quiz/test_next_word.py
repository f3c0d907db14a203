"""The next-word quiz's library: drawing and cutting sentences, placing a guess in the model's
distribution, the versus score — on the tiny GPT whose next-token distribution is known by hand
(tests/inside/successor.py: after word t its top guess is word t + 1, then t + 2...)."""

from __future__ import annotations

import pytest

from tests.inside.successor import WORDS, probs_after, successor_gpt
from vecs.errors import QuizError
from vecs.quiz.next_word import MIN_CONTEXT, MIN_WORDS, NextWordSession, draw_sentences

pytest.importorskip("torch")

# every word the successor of the one before (the model is always right), then a shuffled order
IN_ORDER = "the bank river money is a of by on we the bank."
SHUFFLED = "money the we on by of a is river bank money of."
SHORT = "the bank river."


@pytest.fixture
def corpus(tmp_path):
    p = tmp_path / "words.txt"
    p.write_text("\n".join([IN_ORDER, SHORT, SHUFFLED, SHORT, IN_ORDER.replace("we", "by")]) + "\n", encoding="utf-8")
    return str(p)


@pytest.fixture
def succ():
    return successor_gpt()


def rank_after(t: int, v: int) -> int:
    return (v - t - 1) % len(WORDS) + 1


def test_sentences_are_cut_before_a_word_with_enough_before_it(corpus):
    name, qs, read = draw_sentences(corpus, n=10, seed=3)
    assert name == "words" and read == 5 and len(qs) == 3  # the two short sentences are skipped
    for q in qs:
        assert q.prompt + " " + q.word + q.rest == q.sentence
        assert len(q.prompt.split()) >= MIN_CONTEXT and len(q.sentence.split()) >= MIN_WORDS
        assert q.word.isalpha()


def test_the_same_seed_gives_the_same_quiz(corpus):
    a = draw_sentences(corpus, n=2, seed=5)[1]
    assert a == draw_sentences(corpus, n=2, seed=5)[1]
    cuts = {tuple(q.prompt for q in draw_sentences(corpus, n=3, seed=s)[1]) for s in range(8)}
    assert len(cuts) > 1  # other seeds, other sentences or cuts


def test_no_usable_sentence_is_one_error(tmp_path):
    p = tmp_path / "short.txt"
    p.write_text("the bank.\nwe on by.\n", encoding="utf-8")
    with pytest.raises(QuizError, match="no sentence"):
        draw_sentences(str(p), n=2, seed=0)


def test_the_models_view_is_its_distribution(succ, corpus):
    s = NextWordSession(succ, corpus, n=3, seed=1)
    for q in s.questions:
        prev = WORDS.index(q.prompt.split()[-1].lower())
        logits, top, probs, top_id, truth = s.view(q)
        assert top[:3] == [WORDS[(prev + k) % 12] for k in (1, 2, 3)]
        assert probs[0] == pytest.approx(probs_after(prev)[(prev + 1) % 12], abs=1e-5)
        word = WORDS.index(q.word.lower())
        assert truth.rank == rank_after(prev, word)
        assert truth.probability == pytest.approx(probs_after(prev)[word], abs=1e-5)


def test_answers_are_placed_graded_and_scored(succ, corpus):
    s = NextWordSession(succ, corpus, n=3, seed=1)
    results = []
    for k, q in enumerate(s.questions):
        prev = WORDS.index(q.prompt.split()[-1].lower())
        guess = q.word.upper() if k == 0 else "river"
        rec, g = s.answer(q, guess)
        assert g.correct == rec.correct == (guess.casefold() == q.word.casefold())
        assert rec.guess.rank == rank_after(prev, WORDS.index(guess.lower()))
        assert rec.model_correct == (WORDS.index(q.word.lower()) == (prev + 1) % 12)
        assert rec.model_answer == WORDS[(prev + 1) % 12]
        results.append((rec.correct, rec.model_correct))
    assert set(results) == {(True, False), (False, True)}  # seed 1: each side wins a round
    summ = s.summary()
    assert summ.mode == "next-word" and summ.dataset == "words" and summ.model == "succ"
    assert summ.you.correct == sum(y for y, _ in results) and summ.model_score.correct == sum(m for _, m in results)
    assert summ.asked == summ.planned == 3


def test_a_word_the_model_does_not_know_has_no_rank(succ, corpus):
    s = NextWordSession(succ, corpus, n=1, seed=0)
    rec, g = s.answer(s.questions[0], "zebra")
    assert not g.correct and rec.guess.rank is None and "vocabulary" in rec.guess.note


def test_an_empty_answer_is_wrong_and_placed_nowhere(succ, corpus):
    s = NextWordSession(succ, corpus, n=1, seed=0)
    rec, g = s.answer(s.questions[0], "   ")
    assert not rec.correct and rec.guess is None


def test_hints_are_the_models_top_five_and_counted(succ, corpus):
    s = NextWordSession(succ, corpus, n=1, seed=0)
    q = s.questions[0]
    prev = WORDS.index(q.prompt.split()[-1].lower())
    assert s.hint(q) == [WORDS[(prev + k) % 12] for k in range(1, 6)]
    rec, _ = s.answer(q, "bank")
    assert rec.hints == 1 and s.summary().you.hints == 1


def test_an_encoder_is_refused(succ, corpus):
    succ.causal = False
    with pytest.raises(Exception, match="causal"):
        NextWordSession(succ, corpus, n=1, seed=0)


@pytest.mark.real
def test_smollm2_on_sotu_ranks_as_a_plain_forward_pass():
    """The real word's rank and probability equal those of a plain transformers forward pass."""
    import torch

    from vecs.contextual.load import load_model

    m = load_model("smollm2")
    s = NextWordSession(m, "sotu", n=3, seed=1)
    assert len(s.questions) == 3
    for q in s.questions:
        rec, g = s.answer(q, q.word)
        assert g.correct and rec.guess.rank == rec.truth.rank
        ids = torch.tensor([m.encode_ids(q.prompt)])
        with torch.no_grad():
            logits = m.model(input_ids=ids).logits[0, -1]
        word = m.tok.encode(" " + q.word, add_special_tokens=False)[0]
        assert rec.truth.rank == int((logits > logits[word]).sum()) + 1
        assert rec.truth.probability == pytest.approx(float(torch.softmax(logits, -1)[word]), rel=1e-4)
        assert rec.model_top[0] == label_of(m, int(logits.argmax()))


def label_of(m, i: int) -> str:
    from vecs.inside.tokens import label

    return label(m, i)
