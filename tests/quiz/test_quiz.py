"""Analogy quizzes: grading, drawing, sessions, history, and `vecs quiz` end to end.

The toy space's analogies are exact (king - man + woman = queen, queen - woman + man = king,
queen - king + man = woman), so the model's answers are known by hand."""

from __future__ import annotations

import builtins
import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs.errors import QuizError
from vecs.quiz.history import history_path, read_history
from vecs.quiz.questions import draw, load_questions
from vecs.quiz.session import Grade, Session, grade
from vecs.util import edit_distance

runner = CliRunner()

QUIZ = """\
: royals
man king woman queen
woman queen man king
: people
king queen man woman
: unknown
man king woman princess
"""


@pytest.fixture
def toy_model(toy):
    from vecs.io.store import save

    save(toy, "toy")
    return "toy"


@pytest.fixture
def quiz_file(tmp_path):
    p = tmp_path / "teacher.txt"
    p.write_text(QUIZ, encoding="utf-8")
    return str(p)


def run(args, input=None):
    return runner.invoke(app, ["quiz", *args], input=input)


def _json(res):
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# -- grading ---------------------------------------------------------------------------------
def test_edit_distance_is_damerau_levenshtein():
    assert edit_distance("germany", "germany") == 0
    assert edit_distance("germny", "germany") == 1  # deletion
    assert edit_distance("germanyy", "germany") == 1  # insertion
    assert edit_distance("germeny", "germany") == 1  # substitution
    assert edit_distance("gremany", "germany") == 1  # transposition of neighbours
    assert edit_distance("grmeany", "germany") == 2
    assert edit_distance("", "abc") == 3


def test_grade_case_and_typos():
    assert grade("  GERMANY ", "Germany") == Grade("GERMANY", "Germany", True, False)
    g = grade("Gremany", "Germany")
    assert g.correct and g.typo
    assert not grade("Grmeany", "Germany").correct  # two edits
    assert not grade("", "a").correct  # no answer is never a typo of a one-letter word


def test_grade_real_words_are_not_typos():
    # another word of the question (singular for plural) is a wrong answer, not a typo
    g = grade("dollar", "dollars", others=("mouse", "mice", "dollar"))
    assert not g.correct and "question" in g.reason
    # a word the model knows is a different answer
    g = grade("worse", "worst", known={"worse", "bad"})
    assert not g.correct and not g.typo and "different" in g.reason
    assert grade("worsst", "worst", known={"worse"}).typo


# -- questions -------------------------------------------------------------------------------
def test_load_questions_skips_unknown_words_and_matches_case(toy, tmp_path):
    p = tmp_path / "q.txt"
    p.write_text(": caps\nMan King Woman Queen\nMAN KING WOMAN PRINCESS\n", encoding="utf-8")
    qs = load_questions(toy, str(p))
    assert qs.total == 2 and qs.skipped == 1 and len(qs.questions) == 1
    q = qs.questions[0]
    assert (q.a, q.d) == ("Man", "Queen")  # shown as in the file
    assert q.words == ("man", "king", "woman", "queen")  # looked up as the model spells them
    assert q.prompt == "Man : King :: Woman : ?"


def test_sections_filter_and_unknown_section(toy, quiz_file):
    qs = load_questions(toy, quiz_file, section="roy")  # a unique prefix
    assert qs.section == "royals" and len(qs.questions) == 2 and qs.skipped == 0
    assert [(c.section, c.questions, c.usable) for c in qs.sections] == [
        ("royals", 2, 2), ("people", 1, 1), ("unknown", 1, 0)]
    with pytest.raises(QuizError, match="unknown section 'nope'.*royals, people, unknown"):
        load_questions(toy, quiz_file, section="nope")


def test_draw_is_deterministic(toy, quiz_file):
    qs = load_questions(toy, quiz_file).questions
    a = [q.line for q in draw(qs, 2, seed=7)]
    assert a == [q.line for q in draw(qs, 2, seed=7)]
    assert sorted(q.line for q in draw(qs, 10, seed=1)) == [2, 3, 5]  # all, when fewer than n
    with pytest.raises(QuizError, match="no usable question"):
        draw([], 3, seed=1)


def test_session_library_api(toy, quiz_file):
    s = Session(toy, load_questions(toy, quiz_file, section="royals"), n=2, mode="versus", seed=3)
    q1, q2 = s.questions
    assert s.hint(q1)[0] == q1.d  # the toy model gets them right
    rec, g = s.answer(q1, q1.d.upper())
    assert g.correct and rec.hints == 1 and rec.model_correct and rec.expected_rank == 1
    rec, g = s.answer(q2, "banana")
    assert not g.correct
    summ = s.summary()
    assert (summ.you.correct, summ.you.answered, summ.you.longest_streak) == (1, 2, 1)
    assert (summ.model_score.correct, summ.model_score.longest_streak) == (2, 2)
    assert summ.sections[0].section == "royals" and summ.sections[0].you == 1 and summ.sections[0].model == 2


# -- the command -----------------------------------------------------------------------------
def test_you_mode_scripted_from_stdin(toy_model, quiz_file):
    # questions in the drawn order; answer right, with a typo, and wrong
    res = _json(run(["--model", toy_model, "--dataset", quiz_file, "--questions", "3", "--seed", "1", "--mode", "model", "--json"]))
    expected = [r["expected"] for r in res["records"]]
    typo = expected[1][:-1] + expected[1][-1] * 2  # one insertion: 'queen' -> 'queenn'
    answers = f"{expected[0]}\n{typo}\nbanana\n"
    r = run(["--model", toy_model, "--dataset", quiz_file, "-q", "3", "--seed", "1"], input=answers)
    assert r.exit_code == 0, r.output
    out = r.output
    assert "✓ right" in out and "accepted as a typo" in out and f"it is spelt {expected[1]}" in out
    assert f"✗ wrong — the answer is {expected[2]}" in out
    assert "ranks #1 in its list" in out  # where the expected answer ranked for the model
    assert "1 of 4 question(s) skipped" in out  # the 'princess' question
    assert "Score" in out and "Per section" in out


def test_json_records_and_score(toy_model, quiz_file):
    key = _json(run(["-m", toy_model, "-d", quiz_file, "-q", "3", "--seed", "4", "--mode", "model", "--json"]))
    exp = [r["expected"] for r in key["records"]]
    d = _json(run(["-m", toy_model, "-d", quiz_file, "-q", "3", "--seed", "4", "--json"],
                  input=f"{exp[0]}\n{exp[1].upper()}\nzzz\n"))
    assert d["mode"] == "you" and d["asked"] == 3 and d["planned"] == 3 and d["skipped"] == 1
    assert [r["correct"] for r in d["records"]] == [True, True, False]
    assert d["you"] == {"correct": 2, "answered": 3, "accuracy": pytest.approx(2 / 3), "longest_streak": 2,
                        "typos": 0, "hints": 0}
    assert not d["interrupted"] and d["seed"] == 4
    assert [r["expected"] for r in d["records"]] == exp  # same seed, same questions


def test_model_mode_answer_key(toy_model, quiz_file):
    d = _json(run(["-m", toy_model, "-d", quiz_file, "--mode", "model", "--seed", "2", "--json"]))
    assert d["you"] is None and d["model_score"]["correct"] == 3 == d["model_score"]["answered"]
    for r in d["records"]:
        assert r["model_answer"] == r["expected"] and r["expected_rank"] == 1 and r["answer"] is None
    r = run(["-m", toy_model, "-d", quiz_file, "--mode", "model", "--seed", "2"])
    assert r.exit_code == 0 and "Answer key" in r.output and "queen" in r.output


def test_versus_mode_shows_both_scores(toy_model, quiz_file):
    r = run(["-m", toy_model, "-d", quiz_file, "--mode", "versus", "--seed", "2", "-q", "2"], input="car\ncar\n")
    assert r.exit_code == 0, r.output
    assert "score: you 0 – model 2" in r.output
    assert "model answered:" in r.output
    lines = [ln for ln in r.output.splitlines() if ln.startswith("│ you") or ln.startswith("│ toy")]
    assert any("0" in ln for ln in lines) and len(lines) == 2


def test_hint_shows_top5_then_asks_again(toy_model, quiz_file):
    d = _json(run(["-m", toy_model, "-d", quiz_file, "--section", "royals", "-q", "1", "--seed", "0", "--json"],
                  input="hint\nHINT\nqueen\nking\n"))
    rec = d["records"][0]
    assert rec["hints"] == 2 and d["you"]["hints"] == 2 and d["asked"] == 1
    assert len(rec["model_top"]) == 4  # at most 5: the 7 toy words less the 3 inputs
    assert rec["model_top"][0] == rec["expected"]
    r = run(["-m", toy_model, "-d", quiz_file, "--section", "royals", "-q", "1", "--seed", "0"], input="hint\nx\n")
    assert "hint — the model's top 5: " + ", ".join(rec["model_top"]) in r.output


def test_answers_file(toy_model, quiz_file, tmp_path):
    ans = tmp_path / "answers.txt"
    ans.write_text("queen\nking\n", encoding="utf-8")
    d = _json(run(["-m", toy_model, "-d", quiz_file, "--section", "royals", "--seed", "5", "--answers", str(ans), "--json"]))
    assert d["asked"] == 2
    r = run(["-m", toy_model, "-d", quiz_file, "--answers", str(tmp_path / "missing.txt")])
    assert r.exit_code == 1 and "no such answers file" in r.output


def test_read_answers(tmp_path):
    from vecs.errors import DatasetError
    from vecs.quiz.session import read_answers

    ans = tmp_path / "answers.txt"
    ans.write_text("queen\nhint\n\nking\n", encoding="utf-8")
    assert read_answers(ans) == ["queen", "hint", "", "king"]
    ans.write_bytes(b"qu\xe9en\n")
    with pytest.raises(DatasetError, match="not UTF-8"):
        read_answers(ans)
    with pytest.raises(DatasetError, match="no such answers file"):
        read_answers(tmp_path / "missing.txt")


def test_eof_ends_cleanly_and_history_records_it(toy_model, quiz_file):
    d = _json(run(["-m", toy_model, "-d", quiz_file, "-q", "3", "--seed", "1", "--json"], input="queen\n"))
    assert d["interrupted"] and d["asked"] == 1 and d["planned"] == 3
    h = read_history()
    assert len(h.sessions) == 1 and h.sessions[0]["interrupted"] is True
    assert "records" not in h.sessions[0]


def test_ctrl_c_ends_cleanly_with_summary(toy_model, quiz_file, monkeypatch):
    calls = iter(["queen"])

    def fake_input(prompt=""):
        try:
            return next(calls)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(builtins, "input", fake_input)
    r = run(["-m", toy_model, "-d", quiz_file, "-q", "3", "--seed", "1"])
    assert r.exit_code == 0, r.output
    assert "quiz ended early" in r.output and "Score" in r.output and "Traceback" not in r.output
    assert "1 of 3 questions asked" in r.output
    assert read_history().sessions[-1]["interrupted"] is True


def test_history_file_and_command(toy_model, quiz_file):
    for seed in (1, 2):
        _json(run(["-m", toy_model, "-d", quiz_file, "--mode", "model", "--seed", str(seed), "--json"]))
    path = history_path()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(ln)["mode"] == "model" for ln in lines)
    with open(path, "a", encoding="utf-8") as f:
        f.write("{not json\n")  # a damaged line is skipped, not fatal
    d = _json(run(["--history", "--json"]))
    assert [s["seed"] for s in d["sessions"]] == [1, 2] and d["unreadable"] == 1
    r = run(["--history"])
    assert r.exit_code == 0 and "Quiz history" in r.output and "3/3" in r.output and "1 unreadable" in r.output


def test_history_empty():
    r = run(["--history"])
    assert r.exit_code == 0 and "no quiz yet" in r.output


def test_sections_listing(toy_model, quiz_file):
    d = _json(run(["-m", toy_model, "-d", quiz_file, "--sections", "--json"]))
    assert d == [{"section": "royals", "questions": 2, "usable": 2}, {"section": "people", "questions": 1, "usable": 1},
                 {"section": "unknown", "questions": 1, "usable": 0}]
    r = run(["-m", toy_model, "-d", quiz_file, "--sections"])
    assert r.exit_code == 0 and "royals" in r.output and "usable with toy" in r.output


def test_errors_are_one_line(toy_model, quiz_file, tmp_path):
    r = run(["-m", toy_model, "-d", quiz_file, "--section", "nope"])
    assert r.exit_code == 1 and "unknown section 'nope'" in r.output and "Traceback" not in r.output
    empty = tmp_path / "empty.txt"
    empty.write_text(": nothing\n", encoding="utf-8")
    r = run(["-m", toy_model, "-d", str(empty)])
    assert r.exit_code == 1 and "no analogy questions" in r.output
    r = run(["-m", toy_model, "-d", quiz_file, "--section", "unknown"])
    assert r.exit_code == 1 and "no usable question" in r.output
    r = run(["-m", toy_model, "-d", "ws353"])
    assert r.exit_code == 1 and "similarity set" in r.output
    r = run(["-m", toy_model, "-d", quiz_file, "--mode", "nope"])
    assert r.exit_code == 2  # typer rejects the choice
    assert not history_path().exists()


def test_option_letters(toy_model, quiz_file):
    # -q is the number of questions; -n (a store name elsewhere) and -s (--string elsewhere) are not quiz options
    assert _json(run(["-m", toy_model, "-d", quiz_file, "-q", "1", "--seed", "0", "--mode", "model",
                      "--json"]))["planned"] == 1
    for args in (["-n", "1"], ["-s", "royals"]):
        r = run(["-m", toy_model, "-d", quiz_file, "--mode", "model", *args])
        assert r.exit_code == 2 and "No such option" in r.output


# -- real vectors ----------------------------------------------------------------------------
@pytest.mark.real
def test_real_googlenews_google(googlenews):
    from vecs.static.query import analogy

    key = _json(run(["--mode", "model", "-q", "15", "--seed", "11", "--json"]))  # googlenews on google
    assert key["dataset"] == "google" and key["model"] == "googlenews"
    assert key["skipped"] > 5000  # the capitals: no place names in this subset
    for r in key["records"]:
        top = analogy(googlenews, r["a"].lower(), r["b"].lower(), r["c"].lower(), k=1).results[0].word
        assert r["model_answer"] == top
        assert r["model_correct"] == (top == r["expected"].lower())
    assert 5 <= key["model_score"]["correct"] <= 15
    # versus on the same questions, scripted: the model's answers given back score the same
    answers = "\n".join(r["model_answer"] for r in key["records"]) + "\n"
    d = _json(run(["--mode", "versus", "-q", "15", "--seed", "11", "--json"], input=answers))
    assert d["you"]["correct"] == d["model_score"]["correct"] == key["model_score"]["correct"]
