"""Property-based tests of the expression language (issue 9): any string either parses — and then
evaluates on a toy space to finite scores, or raises ExpressionError / UnknownWord — or raises
ExpressionError. Never another exception (RecursionError, OverflowError, ZeroDivisionError,
IndexError...), never a NaN score. Bounded and derandomised so the suite stays fast and repeatable.

``pytest tests/static/test_expression_fuzz.py --hypothesis-show-statistics`` prints how the
examples ended (the ``event`` lines)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vecs import Space, UnknownWord
from vecs.errors import ExpressionError
from vecs.static.expression import parse
from vecs.static.query import calc

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

TOY = Space(["man", "woman", "king", "queen", "apple", "new york", "c++", "1990", "zero"],
            np.array([[1, 0, 0, .1], [0, 1, 0, .1], [1, 0, 1, .1], [0, 1, 1, .1], [0, 0, .1, 1], [.5, .5, .5, 0],
                      [.2, 0, 0, 1], [0, .3, .3, .3], [0, 0, 0, 0]], dtype=np.float32), name="toy")

# pieces an expression is made of, the awkward ones included
WORDS = ["man", "woman", "king", "queen", "apple", "kings", "zero", "'new york'", '"c++"', '"1990"', "new_york",
         "king-man", "bank@3", "don't", "u.s"]
NUMBERS = ["0", "1", "2", ".5", "0.5", "1e3", "1e-3", "1e39", "1e38", "3e38", "1e400", "1e-320", "1e-400", "1e308",
           "1e-45", "00", "1.", "9" * 400]
OPS = ["+", "-", "*", "/", "(", ")", " ", "  ", "'", '"', "#", ",", "\t", "e", "E", "."]

piece = st.sampled_from(WORDS + NUMBERS + OPS)
soup = st.lists(piece, max_size=30).map(" ".join) | st.lists(piece, max_size=30).map("".join)
deep = st.tuples(st.integers(0, 300), st.sampled_from(["(", "-(", "- ", "-", "2 * (", "+"]),
                 st.sampled_from(WORDS + NUMBERS), st.integers(0, 300)).map(
    lambda t: t[1] * t[0] + t[2] + ")" * t[3])
long_flat = st.tuples(st.integers(1, 1200), st.sampled_from([" + ", " - ", " * ", " / ", " "]),
                      st.sampled_from(WORDS + NUMBERS)).map(lambda t: t[1].join([t[2]] * t[0]))
anything = st.text(max_size=60)
# mostly well-formed expressions, so evaluation is fuzzed too, not only the syntax errors
atom = st.sampled_from(WORDS[:7] + WORDS[7:10])
grammar = st.recursive(atom, lambda e: st.one_of(
    st.tuples(e, st.sampled_from([" + ", " - ", "-", "+"]), e).map("".join),
    st.tuples(st.sampled_from(NUMBERS), st.sampled_from([" * ", " ", "*"]), e).map("".join),
    st.tuples(e, st.sampled_from([" * ", " / ", "/"]), st.sampled_from(NUMBERS)).map("".join),
    e.map(lambda x: f"({x})"), e.map(lambda x: f"-{x}")), max_leaves=12)

OTHERS = [soup, deep, long_flat, anything]
expressions = st.integers(0, 9).flatmap(lambda i: grammar if i < 4 else OTHERS[i % 4])  # 40% well-formed


def check(text: str) -> str:
    """Parse and evaluate ``text`` on TOY; returns how it ended (a typed error or finite scores)."""
    try:
        node = parse(text)
    except ExpressionError as e:
        assert str(e) and "\n" not in str(e)
        return "parse: ExpressionError"
    again = parse(str(node))  # the normalised text parses to the same thing
    assert str(again) == str(node)
    if all(math.isfinite(c) for c in node.terms().values()):
        assert again.terms() == pytest.approx(node.terms(), nan_ok=True)
    try:
        res = calc(TOY, text, k=3)
    except ExpressionError as e:
        assert str(e) and "\n" not in str(e)
        return "evaluate: ExpressionError"
    except UnknownWord:
        return "evaluate: UnknownWord"
    assert res.results or len(res.terms) >= 8, text  # only when every word with a direction is an input
    assert all(math.isfinite(r.score) and -1.0001 <= r.score <= 1.0001 for r in res.results), res.results
    assert all(i.score is None or math.isfinite(i.score) for i in res.inputs)
    return "evaluated to finite scores"


@SETTINGS
@given(expressions)
def test_any_string_parses_and_evaluates_or_raises_a_typed_error(text):
    event(check(text))


@pytest.mark.parametrize("text", [
    "(" * 200 + "king" + ")" * 200, "-" * 1200 + "king", " + ".join(["king"] * 1000), "-(" * 600 + "king",
    "king" + " * 2" * 1100, "2 " * 1000 + "king", "1e39 king - queen", "1e400 king", "king / 1e-320",
    "king / " + "(" * 60 + "0" + ")" * 60, "'" * 1001, "(" * 100000, "9" * 5000 + " king",
])
def test_the_strings_that_broke_the_parser_now_end_in_a_typed_error_or_an_answer(text):
    check(text)
