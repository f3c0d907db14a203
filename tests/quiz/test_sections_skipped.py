"""Quiz sections the model cannot answer are skipped and counted; a chosen one is one clear error."""

from __future__ import annotations

import pytest

from vecs.errors import QuizError
from vecs.quiz.questions import load_questions


@pytest.fixture
def qfile(tmp_path):
    f = tmp_path / "q.txt"
    f.write_text(": family\nman woman king queen\nwoman man queen king\n: capitals\nparis france berlin germany\n")
    return f


def test_unanswerable_section_is_counted_in_one_line(toy, qfile):
    qs = load_questions(toy, qfile)
    assert [c.section for c in qs.unanswerable] == ["capitals"]
    assert qs.sections_note() == "1 of 2 sections; capitals skipped: 0 of 1 questions answerable on this model"
    assert len(qs.questions) == 2


def test_every_section_answerable_gives_no_note(toy, qfile):
    assert load_questions(toy, qfile, section="family").sections_note() == ""
    assert load_questions(None, qfile).sections_note() == ""


def test_choosing_an_unanswerable_section_is_one_error(toy, qfile):
    with pytest.raises(QuizError, match="no usable question in section capitals: 0 of 1 answerable"):
        load_questions(toy, qfile, section="capitals")


def test_quiz_help_example_is_on_the_default_model():
    from cli.quiz import quiz

    assert "father : mother :: king : ?" in quiz.__doc__


@pytest.mark.real
def test_help_example_is_a_question_of_the_default_model(googlenews):
    qs = load_questions(googlenews, "google", section="family")
    assert any(q.prompt == "father : mother :: king : ?" for q in qs.questions)
    assert "capital-world" in [c.section for c in load_questions(googlenews, "google").unanswerable]
