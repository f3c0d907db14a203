"""The expression language: grammar, precedence, weights, quoting, every error with its column,
and evaluation against a Space."""

from __future__ import annotations

import numpy as np
import pytest

from vecs import Space, UnknownWord, VecsError
from vecs.errors import ExpressionError
from vecs.static.expression import evaluate, parse, tokenize


@pytest.mark.parametrize(
    "text, terms",
    [
        ("king", {"king": 1}),
        ("king - man + woman", {"king": 1, "man": -1, "woman": 1}),
        # precedence: * and / bind tighter than + and -
        ("a + b * 2", {"a": 1, "b": 2}),
        ("a + 2 * b - c / 4", {"a": 1, "b": 2, "c": -0.25}),
        ("(a + b) * 2", {"a": 2, "b": 2}),
        # left associativity, parentheses
        ("a - b - c", {"a": 1, "b": -1, "c": -1}),
        ("a - (b - c)", {"a": 1, "b": -1, "c": 1}),
        ("((a))", {"a": 1}),
        # unary minus and plus
        ("-a + b", {"a": -1, "b": 1}),
        ("- -a", {"a": 1}),
        ("+a", {"a": 1}),
        ("-(a - b)", {"a": -1, "b": 1}),
        ("-(a + b) * 2", {"a": -2, "b": -2}),
        ("a - -b", {"a": 1, "b": 1}),
        # weights, either side, as a coefficient, divided
        ("0.5*king", {"king": 0.5}),
        ("king*0.5", {"king": 0.5}),
        ("2 king", {"king": 2}),
        ("2 (a - b)", {"a": 2, "b": -2}),
        ("-2 a", {"a": -2}),
        ("king / 4", {"king": 0.25}),
        ("a / 2 / 4", {"a": 0.125}),
        ("2 * 3 * a", {"a": 6}),
        (".5 * a", {"a": 0.5}),
        ("1e-1 * a", {"a": 0.1}),
        ("1e+1 * a", {"a": 10}),
        # repeated words add up
        ("a + a - 0.5 a", {"a": 1.5}),
        ("a - a", {"a": 0}),
    ],
)
def test_terms(text, terms):
    got = parse(text).terms()
    assert list(got) == list(terms)  # order of first appearance
    for w, c in terms.items():
        assert got[w] == pytest.approx(c)


@pytest.mark.parametrize(
    "text, words",
    [
        ("new_york - york", ["new_york", "york"]),
        ("bank@3 + bank@12", ["bank@3", "bank@12"]),
        ("don't + won't", ["don't", "won't"]),
        ("u.s - usa", ["u.s", "usa"]),
        ("well-known - known", ["well-known", "known"]),  # '-' inside a word
        ("king-man", ["king-man"]),  # one hyphenated word, not a subtraction
        ("1990s + 3d", ["1990s", "3d"]),  # digits then letters: words
        ("café + naïve", ["café", "naïve"]),
        ('"new york" + paris', ["new york", "paris"]),
        ("'c++' - c", ["c++", "c"]),
        ('"1990" + 2 "2000"', ["1990", "2000"]),  # quoted numbers are words
        ("'say \"hi\"'", ['say "hi"']),
        ("\"don't\"", ["don't"]),
        ("king_", ["king_"]),
    ],
)
def test_words(text, words):
    assert parse(text).words() == words


def test_trailing_inside_character_is_not_part_of_the_word():
    # "king-" is the word king and a dangling minus
    with pytest.raises(ExpressionError, match="unexpected end of expression at column 6"):
        parse("king-")


@pytest.mark.parametrize(
    "text",
    ["king - man + woman", "0.5*king + (queen - woman) / 2", "-(a + b) * 2", "a - (b - c)", "'c++' + \"1990\"",
     "2 (a - b)", "a - -b", '"new york"', "'say \"hi\"'"],
)
def test_str_round_trips(text):
    node = parse(text)
    again = parse(str(node))
    assert again.terms() == pytest.approx(node.terms())
    assert str(again) == str(node)


def test_str_is_normalised():
    assert str(parse("king-man  +woman")) == "king-man + woman"
    assert str(parse("2(a-b)/4")) == "2 * a-b / 4"  # a-b is one word here
    assert str(parse("2 (a - b)/4")) == "2 * (a - b) / 4"
    assert str(parse("'c++'")) == '"c++"'
    assert str(parse('"1990"')) == '"1990"'


def test_numbers_and_words_tokenised():
    kinds = [(t.kind, t.text, t.col) for t in tokenize("0.5*king + 2 x2")]
    assert kinds == [("number", "0.5", 1), ("op", "*", 4), ("word", "king", 5), ("op", "+", 10),
                     ("number", "2", 12), ("word", "x2", 14), ("end", "", 16)]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty expression at column 1"),
        ("   ", "empty expression at column 1"),
        ("king +", "unexpected end of expression at column 7"),
        ("king + ) queen", "unexpected ')' at column 8"),
        ("king )", "unexpected ')' at column 6"),
        ("(king", "expected ')' (to close the '(' of column 1), found end of expression at column 6"),
        ("(king queen)", "expected ')' (to close the '(' of column 1), found word 'queen' at column 7"),
        ("()", "empty parentheses at column 1"),
        ("king queen", "missing operator before word 'queen' (join terms with + or -) at column 6"),
        ("king 2", "missing operator before number 2 (join terms with + or -) at column 6"),
        ("king (queen)", "missing operator before '(' (join terms with + or -) at column 6"),
        ("2 + 3", "the expression has no word, only numbers at column 1"),
        ("2", "the expression has no word, only numbers at column 1"),
        ("king * queen", "cannot multiply two vectors at column 6"),
        ("king / queen", "cannot divide by a vector at column 6"),
        ("king / 0", "division by zero at column 6"),
        ("king / (1 - 1)", "division by zero at column 6"),
        ("king + 2", "cannot add a number and a vector at column 6"),
        ("2 - king", "cannot subtract a number and a vector at column 3"),
        ("* king", "unexpected '*' at column 1"),
        ("king * * 2", "unexpected '*' at column 8"),
        ('"abc', 'unterminated quote " at column 1'),
        ("king + 'abc", "unterminated quote ' at column 8"),
        ('""', "empty quoted word at column 1"),
        ("king # q", "unexpected character '#' at column 6"),
        ("king + ,", "unexpected character ',' at column 8"),
    ],
)
def test_errors_give_the_column(text, message):
    with pytest.raises(ExpressionError) as e:
        parse(text)
    assert str(e.value) == message
    assert "\n" not in str(e.value)
    assert isinstance(e.value, VecsError)
    assert e.value.column == int(message.rsplit(" ", 1)[1])


# -- evaluation ------------------------------------------------------------------------------
@pytest.fixture
def space():
    words = ["man", "woman", "king", "queen", "bank@3", "new york"]
    v = np.array([[3, 0, 0], [0, 2, 0], [1, 0, 1], [0, 1, 1], [0, 0, 5], [1, 1, 1]], dtype=np.float32)
    return Space(words, v, name="s")


def test_evaluate_uses_unit_vectors(space):
    ev = evaluate(space, "king - man + woman")
    r2 = 1 / np.sqrt(2)
    assert ev.vector == pytest.approx([r2 - 1, 1, r2], abs=1e-6)
    assert ev.words == ["king", "man", "woman"]
    assert ev.terms == {"king": 1.0, "man": -1.0, "woman": 1.0}
    assert ev.expression == "king - man + woman"
    assert ev.vector.dtype == np.float32


def test_evaluate_raw_vectors_and_weights(space):
    ev = evaluate(space, "0.5*man + 2 (woman - bank@3)", norm=False)
    assert ev.vector == pytest.approx([1.5, 4, -10])
    assert evaluate(space, '"new york" / 2', norm=False).vector == pytest.approx([0.5, 0.5, 0.5])


def test_evaluate_unknown_word_suggests(space):
    with pytest.raises(UnknownWord) as e:
        evaluate(space, "kings - man")
    assert e.value.word == "kings"
    assert "king" in e.value.suggestions


def test_evaluate_zero_vector_is_an_error(space):
    with pytest.raises(ExpressionError, match="zero vector"):
        evaluate(space, "king - king")
    with pytest.raises(ExpressionError, match="zero vector"):
        evaluate(space, "2 man - 2 man")


# -- size and range limits (issue 9: no RecursionError, no NaN) --------------------------------
def test_a_thousand_terms_of_a_flat_sum_parse_and_evaluate(space):
    text = " + ".join(["king"] * 500 + ["queen"] * 500)
    node = parse(text)
    assert node.terms() == {"king": 500.0, "queen": 500.0}
    assert parse(str(node)).terms() == node.terms()  # printing is not recursive either
    ev = evaluate(space, text)
    assert np.isfinite(ev.vector).all()
    long = " - ".join("2 * man / 4" for _ in range(1000)) + " + 1000 woman"
    assert parse(long).terms() == pytest.approx({"man": 0.5 - 999 * 0.5, "woman": 1000})


def test_twelve_hundred_unary_minus_signs_are_one_sign():
    assert parse("-" * 1200 + "king").terms() == {"king": 1.0}
    assert parse("-" * 1201 + "king").terms() == {"king": -1.0}
    assert parse("king - " + "-+" * 600 + "queen").terms() == {"king": 1.0, "queen": -1.0}  # 600: even
    assert parse("king - " + "-+" * 601 + "queen").terms() == {"king": 1.0, "queen": 1.0}
    assert str(parse("-(-king)")) == "king"


def test_deep_parentheses_are_refused_with_the_limit():
    from vecs.static.expression import MAX_DEPTH

    ok_text = "(" * MAX_DEPTH + "king" + ")" * MAX_DEPTH
    assert parse(ok_text).terms() == {"king": 1.0}
    nested = "".join("2 * (b - " for _ in range(MAX_DEPTH)) + "a" + ")" * MAX_DEPTH
    assert str(parse(str(parse(nested)))) == str(parse(nested))
    for text in ("(" * 200 + "king" + ")" * 200, "-(" * 200 + "king" + ")" * 200, "(" * 100000):
        with pytest.raises(ExpressionError) as e:
            parse(text)
        assert str(e.value).startswith(f"expression nested too deeply (limit {MAX_DEPTH} levels of parentheses)")


def test_numbers_that_are_not_finite_floats_are_refused():
    with pytest.raises(ExpressionError, match="number 1e400 is too large for a float at column 1"):
        parse("1e400 king")
    with pytest.raises(ExpressionError, match="number 1e999 is too large for a float at column 8"):
        parse("king / 1e999")
    with pytest.raises(ExpressionError, match="dividing by a number too large for a float at column 6"):
        parse("king / (1e300 * 1e300)")
    assert parse("1e-400 king").terms() == {"king": 0.0}  # an underflow is zero: evaluates to "zero vector"


@pytest.mark.parametrize("text, message", [
    ("1e39 king - queen", "the weight of 'king' is 1e+39, beyond float32's range"),
    ("king / 1e-320", "the weight of 'king' is not a finite number"),
    ("1e300 * 1e300 * 0 * king", "the weight of 'king' is not a finite number"),
    ("1e-400 king", "is the zero vector (its words cancel out)"),
    ("1e-320 king", "too small for float32"),
    ("3e38 king + 3e38 woman + 3e38 man", "overflows float32"),
])
def test_weights_beyond_float32_are_an_error_naming_the_word(space, text, message):
    with pytest.raises(ExpressionError) as e:
        evaluate(space, text)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_raw_vectors_that_overflow_float32_are_an_error():
    s = Space(["a", "b"], np.array([[3e38, 0], [3e38, 1]], dtype=np.float32))
    with pytest.raises(ExpressionError, match="overflows float32"):
        evaluate(s, "a + b", norm=False)
    assert np.isfinite(evaluate(s, "a + b").vector).all()  # unit vectors first: fine


def test_a_word_without_a_direction_is_an_error_not_a_nan():
    s = Space(["a", "zero", "nan"], np.array([[1, 0], [0, 0], [np.nan, 1]], dtype=np.float32), name="holes")
    with pytest.raises(ExpressionError, match="'zero' has a zero vector in 'holes'"):
        evaluate(s, "a + zero")
    with pytest.raises(ExpressionError, match="'nan' has a vector that is not finite"):
        evaluate(s, "a - 0 nan")
