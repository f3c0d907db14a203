"""Query commands in bulk: several words per call, stdin ('-' or a pipe), --file, one JSON object per
line, bad queries reported and the rest answered; an unknown word names the installed model that has it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import fails, ok, runner

from cli.main import app
from vecs import Space
from vecs.io import store


@pytest.fixture
def stored(toy):
    store.save(toy, "toy")
    return ["-m", "toy"]


def test_several_words_are_answered_in_turn(stored):
    out = ok(["neighbours", "king", "apple", "-k", "1", *stored]).stdout
    assert "Nearest to king" in out and "Nearest to apple" in out


def test_an_expression_in_several_arguments_is_still_one_query(stored):
    out = ok(["neighbours", "king", "-", "man", "+", "woman", "-k", "1", *stored]).stdout
    assert out.count("Nearest to") == 1 and "queen" in out


@pytest.mark.parametrize("args", [[], ["-"]])
def test_words_from_stdin_give_one_json_line_each(stored, args):
    out = ok(["neighbours", *args, "-k", "1", "--json", *stored], input="king\n\napple\n").stdout
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["query"] for x in lines] == ["king", "apple"]
    assert len(lines[0]["results"]) == 1


def test_empty_stdin_is_one_error_line(stored):
    assert "no words" in fails(["neighbours", *stored], input="")


def test_a_bad_query_in_a_batch_is_reported_and_the_rest_answered(stored):
    r = runner.invoke(app, ["neighbours", "-", "-k", "1", "--json", *stored], input="king\nparis\napple\n")
    assert r.exit_code == 1
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["query"] for x in lines] == ["king", "paris", "apple"]
    assert "error" in lines[1] and "results" in lines[2]
    assert r.stderr.count("error:") == 1


def test_analogies_from_a_file(stored, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("man king woman\nwoman queen man\n")
    out = ok(["analogy", "--file", str(f), "-k", "1", "--json", *stored]).stdout
    assert [json.loads(x)["results"][0]["word"] for x in out.splitlines()] == ["queen", "king"]


def test_an_analogy_line_with_two_words_is_one_error_line(stored, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("man king\n")
    assert "line 1" in fails(["analogy", "--file", str(f), *stored])


def test_calc_similarity_and_odd_one_out_read_stdin(stored):
    assert "queen" in ok(["calc", "-k", "1", *stored], input="king - man + woman\n").stdout
    sims = ok(["similarity", "--json", *stored], input="king queen\napple banana\n").stdout.splitlines()
    assert [json.loads(x)["words"] for x in sims] == [["king", "queen"], ["apple", "banana"]]
    odd = ok(["odd-one-out", "--json", *stored], input="apple banana car\n").stdout
    assert json.loads(odd)["word"] == "car"


def test_similarity_of_pairs_in_arguments(stored):
    out = ok(["similarity", "king", "queen", "apple", "banana", *stored]).stdout
    assert "king · queen" in out and "apple · banana" in out


def test_single_similarity_json_is_unchanged(stored):
    got = json.loads(ok(["similarity", "king", "queen", "--json", *stored]).stdout)
    assert set(got) == {"words", "score", "model"} and got["words"] == ["king", "queen"]


def test_unknown_word_names_the_installed_model_that_has_it(stored, tmp_path, monkeypatch):
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "no-resources"))
    store.save(Space(["paris", "france"], np.eye(2, dtype=np.float32)), "cities")
    msg = fails(["neighbours", "paris", *stored])
    assert "'paris' is not in toy; cities (installed) has it: -m cities" in msg


def test_unknown_word_nowhere_keeps_the_suggestions(stored):
    msg = fails(["neighbours", "kinq", *stored])
    assert "did you mean 'king'" in msg


@pytest.mark.real
def test_paris_on_googlenews_points_to_glove(googlenews, glove):
    msg = fails(["neighbours", "paris"])
    assert "'paris' is not in googlenews; glove-6b-50d (installed) has it: -m glove-6b-50d" in msg
