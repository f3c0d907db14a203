"""`vecs quiz --mode next-word` end to end, answers from stdin, on the tiny GPT whose next-token
distribution is known by hand (tests/inside/successor.py: after word t its top guess is t + 1)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import fails, ok
from tests.inside.successor import WORDS
from tests.quiz.test_next_word import IN_ORDER, SHORT, SHUFFLED

pytest.importorskip("torch")


@pytest.fixture
def succ(monkeypatch):
    from tests.inside.successor import successor_gpt
    from vecs.contextual import load

    m = successor_gpt("succ")
    monkeypatch.setitem(load.LOADED, "succ", m)
    return m


@pytest.fixture
def corpus(tmp_path):
    p = tmp_path / "words.txt"
    p.write_text("\n".join([IN_ORDER, SHORT, SHUFFLED, SHORT, IN_ORDER.replace("we", "by")]) + "\n", encoding="utf-8")
    return str(p)


def quiz(corpus, *args, input=None, **kw):
    return ok(["quiz", "--mode", "next-word", "-m", "succ", "-c", corpus, "--seed", "1", *args], input=input, **kw)


def test_rounds_show_ranks_the_models_top_5_and_the_versus_score(succ, corpus):
    # seed 1: "money the we on by of a is … river", "the bank river money is … a", "… we the … bank"
    r = quiz(corpus, "-q", "3", input="river\nriver\nriver\n", env={"COLUMNS": "80"})
    out = r.stdout
    assert "1/3 · words" in out and "money the we on by of a is … river" in out
    assert "✓ right" in out and "the next word was a" in out and "the next word was bank" in out
    assert "your word   river: #10 in succ (p 4e-3)" in out  # after "is" (6): a, of, by... river (4) 10th
    assert "the real one a: #1 in succ (p 0.39)" in out
    assert "succ's top 5: a 0.39  of 0.24  by 0.15  on 0.09  we 0.05" in out
    assert "your word   river: #2 in succ (p 0.24)" in out  # after "the": bank, then river
    assert "score: you 1 – succ 0" in out and "score: you 1 – succ 2" in out
    assert "versus: a point to you when your word is the real next word" in out


def test_json_summary_records_every_round(succ, corpus):
    d = json.loads(quiz(corpus, "-q", "3", "--json", input="river\na\nzebra\n").stdout)
    assert d["mode"] == "next-word" and d["dataset"] == "words" and d["model"] == "succ" and d["seed"] == 1
    assert [r["correct"] for r in d["records"]] == [True, True, False]
    assert [r["model_correct"] for r in d["records"]] == [False, True, True]
    assert d["you"]["correct"] == 2 and d["model_score"]["correct"] == 2
    assert d["records"][2]["guess"]["rank"] is None and "vocabulary" in d["records"][2]["guess"]["note"]
    assert d["records"][1]["truth"] == {"word": "a", "id": 7, "token": "a", "rank": 1,
                                        "probability": pytest.approx(0.394, abs=1e-3), "note": ""}


def test_hint_then_answer_and_the_history(succ, corpus):
    r = quiz(corpus, "-q", "1", input="hint\nriver\n")
    prompt = next(ln for ln in r.stdout.splitlines() if " … hint" in ln)
    t = WORDS.index(prompt.split(" … ")[0].split()[-1])
    assert "hint — the model's top 5: " + "  ".join(WORDS[(t + k) % 12] for k in range(1, 6)) in r.stdout
    h = json.loads(ok(["quiz", "--history", "--json"]).stdout)
    assert h["sessions"][-1]["mode"] == "next-word" and h["sessions"][-1]["you"]["hints"] == 1


def test_ctrl_c_ends_with_the_summary_so_far(succ, corpus, monkeypatch):
    import builtins

    calls = iter(["river"])

    def fake_input(prompt=""):
        try:
            return next(calls)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(builtins, "input", fake_input)
    r = quiz(corpus, "-q", "3")
    assert "quiz ended early" in r.stdout and "1 of 3 sentences asked" in r.stdout and "Score" in r.stdout


def test_end_of_input_ends_with_the_summary_so_far(succ, corpus):
    d = json.loads(quiz(corpus, "-q", "3", "--json", input="river\n").stdout)
    assert d["interrupted"] and d["asked"] == 1 and d["planned"] == 3


@pytest.mark.parametrize("extra,msg", [(["-d", "google"], "analogy quiz"), (["--section", "x"], "analogy quiz")])
def test_analogy_options_with_next_word_are_one_line(succ, corpus, extra, msg):
    assert msg in fails(["quiz", "--mode", "next-word", "-m", "succ", "-c", corpus, *extra])


def test_corpus_without_next_word_is_one_line(corpus):
    assert "next-word" in fails(["quiz", "-c", corpus])


def test_an_encoder_is_one_line(succ, corpus):
    succ.causal = False
    assert "causal" in fails(["quiz", "--mode", "next-word", "-m", "succ", "-c", corpus], input="x\n")


def test_a_missing_corpus_is_one_line(succ):
    assert "no such corpus" in fails(["quiz", "--mode", "next-word", "-m", "succ", "-c", "/no/such/file.txt"])


@pytest.mark.real
def test_smollm2_next_word_quiz_from_stdin():
    d = json.loads(ok(["quiz", "--mode", "next-word", "-q", "2", "--seed", "4", "--json"], input="the\nof\n").stdout)
    assert d["model"] == "smollm2" and d["dataset"] == "sotu" and d["asked"] == 2
    for r in d["records"]:
        assert r["guess"]["rank"] >= 1 and r["truth"]["rank"] >= 1 and len(r["model_top"]) == 5
        assert r["model_correct"] == (r["truth"]["rank"] == 1)
