"""The explorer's session: lines parsed in the CLI's words, dispatched to the query functions,
completion from the vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from vecs import Space
from vecs.errors import QueryError, UnknownWord
from vecs.static.query_results import AnalogyResult, CalcResult, NeighboursResult, OddOneOut, Similarity
from vecs.static.session import Help, ModelShown, Quit, Session, Vocabulary, parse


# -- parsing ---------------------------------------------------------------------------------
def test_parse_reads_the_cli_options():
    c = parse("neighbours cat -k 5 --keep-inputs --restrict 100 --json")
    assert (c.name, c.args, c.top, c.keep_inputs, c.restrict, c.as_json) == ("neighbours", ["cat"], 5, True, 100, True)


def test_parse_takes_equals_and_glued_values():
    assert parse("neighbours cat --top=3").top == 3
    assert parse("neighbours cat -k7").top == 7


def test_parse_gives_each_command_its_cli_default_top():
    assert parse("neighbours cat").top == 10
    assert parse("analogy man king woman").top == 5


def test_parse_analogy_options():
    c = parse("analogy man king woman --method mul --expect queen -m other")
    assert (c.args, c.method, c.expect, c.model) == (["man", "king", "woman"], "mul", "queen", "other")


def test_parse_keeps_a_quoted_expression_whole():
    assert parse('calc "king - man + woman" -k 3').args == ["king - man + woman"]


def test_parse_reads_an_unquoted_expression_as_words():
    assert parse("neighbours king - man + woman").args == ["king", "-", "man", "+", "woman"]


def test_parse_double_dash_ends_options():
    assert parse("calc -- -man + king").args == ["-man", "+", "king"]


def test_parse_splits_on_spaces_when_a_quote_is_unmatched():
    assert parse("neighbours don't").args == ["don't"]


def test_parse_aliases():
    assert parse("neighbors cat").name == "neighbours"
    assert parse("exit").name == "quit"


def test_blank_lines_and_comments_are_nothing():
    assert parse("   ") is None
    assert parse("# a comment") is None


@pytest.mark.parametrize("line, says", [
    ("frobnicate cat", "unknown command"),
    ("neighbours", "at least 1"),
    ("analogy man king", "takes 3 arguments"),
    ("similarity cat", "takes 2 arguments"),
    ("odd-one-out cat dog", "at least 3"),
    ("neighbours cat -k", "needs a value"),
    ("neighbours cat -k zero", "whole number"),
    ("neighbours cat -k 0", "at least 1"),
    ("analogy a b c --method best", "--method is one of"),
    ("neighbours -man", "put --"),
    ("similarity cat dog -k 3", "no option"),
])
def test_bad_lines_are_one_query_error(line, says):
    with pytest.raises(QueryError, match=says):
        parse(line)


# -- dispatch --------------------------------------------------------------------------------
def test_neighbours_answer_is_the_library_result(toy):
    a = Session(toy).run("neighbours king -k 2")
    assert isinstance(a.result, NeighboursResult) and len(a.result.results) == 2 and a.command == "neighbours"


def test_analogy_answers_queen(toy):
    a = Session(toy).run("analogy man king woman -k 1 --expect queen")
    assert isinstance(a.result, AnalogyResult) and a.result.results[0].word == "queen" and a.expect == "queen"


def test_calc_answers_queen(toy):
    a = Session(toy).run('calc "king - man + woman" -k 1')
    assert isinstance(a.result, CalcResult) and a.result.results[0].word == "queen"


def test_keep_inputs_reaches_the_query(toy):
    a = Session(toy).run("neighbours king --keep-inputs -k 1")
    assert a.result.results[0].word == "king"


def test_similarity_and_odd_one_out(toy):
    s = Session(toy)
    sim = s.run("similarity apple banana").result
    assert isinstance(sim, Similarity) and sim.words == ["apple", "banana"] and sim.score > 0.9
    odd = s.run("odd-one-out apple banana car").result
    assert isinstance(odd, OddOneOut) and odd.word == "car"


def test_unknown_word_raises_and_the_session_goes_on(toy):
    s = Session(toy)
    with pytest.raises(UnknownWord):
        s.run("neighbours kingg")
    assert s.run("neighbours king -k 1").result.results


def test_model_switches_and_loads_each_model_once(toy):
    other = Space(["x", "y", "z"], np.eye(3, dtype=np.float32), name="other")
    loads = []
    s = Session(toy, load=lambda spec: loads.append(spec) or other)
    shown = s.run("model other").result
    assert isinstance(shown, ModelShown) and shown.switched and (shown.name, shown.words, shown.dim) == ("other", 3, 3)
    assert s.space is other
    s.run("model toy")  # the first model is known by its name: no load
    s.run("model other")
    assert loads == ["other"] and s.run("model").result.switched is False


def test_model_option_answers_from_another_model_without_switching(toy):
    other = Space(["x", "y", "z"], np.eye(3, dtype=np.float32), name="other")
    s = Session(toy, load=lambda spec: other)
    assert s.run("similarity x y -m other").result.model == "other"
    assert s.space is toy


def test_help_and_quit(toy):
    s = Session(toy)
    h = s.run("help").result
    assert isinstance(h, Help) and any(u.startswith("neighbours") for u, _ in h.commands)
    assert "--method" in s.run("help analogy").result.commands[0][1]
    assert isinstance(s.run("quit").result, Quit)
    with pytest.raises(QueryError):
        s.run("help frobnicate")


# -- completion ------------------------------------------------------------------------------
def test_vocabulary_completes_prefixes_in_order():
    v = Vocabulary(["cat", "dog", "cats", "car", "catalogue", "Cat"])
    assert v.complete("cat") == ["cat", "catalogue", "cats"]
    assert v.complete("ca", limit=2) == ["car", "cat"]
    assert v.complete("zebra") == []


def test_completion_of_words_after_a_command(toy):
    n, words = Session(toy).complete("neighbours ki")
    assert (n, words) == (2, ["king"])


def test_completion_inside_an_expression(toy):
    assert Session(toy).complete('calc "king - ma') == (2, ["man"])
    assert Session(toy).complete("calc (qu") == (2, ["queen"])


def test_completion_of_commands_options_and_methods(toy):
    s = Session(toy)
    assert s.complete("ne") == (2, ["neighbors", "neighbours"])
    assert s.complete("analogy man king woman --me") == (4, ["--method"])
    assert s.complete("analogy man king woman --method ") == (0, ["add", "mul", "pair"])
    assert s.complete("neighbours king -k ") == (0, [])


def test_completion_of_a_large_vocabulary_is_bounded():
    v = Vocabulary([f"w{i:06d}" for i in range(400_000)])
    assert len(v.complete("w")) == 100 and v.complete("w12345") == [f"w12345{i}" for i in range(10)]
