"""Vector expressions: ``biggest - big + small``, ``0.5*king + (queen - woman)``.

Grammar (columns in error messages are 1-based)::

    expression := sum
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := NUMBER atom          -- a number right before a word or "(" multiplies it: "2 king"
                | atom
    atom       := WORD | QUOTED | NUMBER | "(" sum ")"

* A WORD is a run of letters, digits and ``_``, which may also contain ``'``, ``@``, ``.`` and
  ``-`` *inside* it (followed by another letter, digit or ``_``): ``new_york``, ``bank@3``,
  ``don't``, ``u.s``, ``well-known``. So ``king-man`` is one (hyphenated) word: put spaces around
  an operator, ``king - man``.
* A run that reads as a number (``2``, ``0.5``, ``.5``, ``1e-3``) is a NUMBER. A word that would
  read as a number, or that contains any other character, is written in quotes: ``"1990"``,
  ``'c++'``, ``"new york"`` (no escapes: quote a ``"`` with ``'`` and the other way round).
* ``*`` multiplies a vector by a number (either side) or two numbers; ``/`` divides by a number.
  A vector times a vector, a number plus a vector and dividing by a vector are errors, and so is an
  expression that is only a number. Two words side by side are an error (join them with ``+``).
* Numbers must be finite floats (``1e400`` is an error) and every word's weight must fit a float32
  (``1e39 king`` is an error naming the word); parentheses nest at most :data:`MAX_DEPTH` deep.
  Long flat expressions (a thousand terms, a thousand signs) are fine.

Every expression is linear in its words, so it evaluates to a coefficient per word
(:attr:`Evaluated.terms`); the vector is ``sum(coefficient * unit(word))`` — **unit-normalised word
vectors by default** (as in gensim's ``most_similar`` and the word2vec tool); ``norm=False`` uses
the raw vectors.

>>> parse("king - man + woman").terms()
{'king': 1.0, 'man': -1.0, 'woman': 1.0}
>>> str(parse("2 (king - man)/4"))
'2 * (king - man) / 4'
>>> parse("king + ) queen")
Traceback (most recent call last):
...
vecs.errors.ExpressionError: unexpected ')' at column 8
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vecs.errors import ExpressionError
from vecs.static.expression_tree import (Neg, Node, Number, Product, Sum, Token, Word, error_at,
                                         tokenize)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from vecs.space import Space


# -- parser ---------------------------------------------------------------------------------
MAX_DEPTH = 50  # parentheses inside parentheses; deeper is refused (the parser is recursive)


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of expression"
    if tok.kind == "word":
        return f"word {tok.text!r}"
    if tok.kind == "number":
        return f"number {tok.text}"
    return repr(tok.text)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.pos = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.pos]

    def take(self) -> Token:
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def at_op(self, ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise error_at("empty expression", 1)
        node = self.sum()
        t = self.tok
        if t.kind != "end":
            if t.kind in ("word", "number") or (t.kind == "op" and t.text == "("):
                raise error_at(f"missing operator before {_describe(t)} (join terms with + or -)", t.col)
            raise error_at(f"unexpected {_describe(t)}", t.col)
        if not node.is_vector:
            raise error_at("the expression has no word, only numbers", 1)
        return node

    def sum(self) -> Node:
        first = self.product()
        items, ops = [first], []
        while self.at_op("+-"):
            op = self.take()
            right = self.product()
            if first.is_vector != right.is_vector:
                raise error_at(f"cannot {'add' if op.text == '+' else 'subtract'} a number and a vector", op.col)
            items.append(right)
            ops.append(op.text)
        return first if not ops else Sum(first.col, items, ops)

    def product(self) -> Node:
        first = self.unary()
        items, ops = [first], []
        vector = first.is_vector
        while self.at_op("*/"):
            op = self.take()
            right = self.unary()
            if op.text == "*" and vector and right.is_vector:
                raise error_at("cannot multiply two vectors", op.col)
            if op.text == "/":
                if right.is_vector:
                    raise error_at("cannot divide by a vector", op.col)
                f = right.scalar()
                if f == 0:
                    raise error_at("division by zero", op.col)
                if not math.isfinite(f):
                    raise error_at("dividing by a number too large for a float", op.col)
            vector = vector or right.is_vector
            items.append(right)
            ops.append(op.text)
        return first if not ops else Product(first.col, items, ops)

    def unary(self) -> Node:
        # a run of signs is read in a loop (1,000 minus signs are one sign, not 1,000 calls deep)
        negate, col = False, self.tok.col
        while self.at_op("-+"):
            negate ^= self.take().text == "-"
        node = self.power()
        if not negate:
            return node
        return node.operand if isinstance(node, Neg) else Neg(col, node)  # -(-a) is a

    def power(self) -> Node:
        node = self.atom()
        if isinstance(node, Number) and (self.tok.kind == "word" or self.at_op("(")):
            node = Product(node.col, [node, self.atom()], ["*"])
        return node

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "word":
            self.take()
            return Word(t.col, t.text, t.quoted)
        if t.kind == "number":
            self.take()
            value = float(t.text)
            if not math.isfinite(value):
                raise error_at(f"number {_short(t.text)} is too large for a float", t.col)
            return Number(t.col, value, t.text)
        if self.at_op("("):
            self.take()
            if self.at_op(")"):
                raise error_at("empty parentheses", t.col)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise error_at(f"expression nested too deeply (limit {MAX_DEPTH} levels of parentheses)", t.col)
            inner = self.sum()
            if not self.at_op(")"):
                close = self.tok
                raise error_at(f"expected ')' (to close the '(' of column {t.col}), found {_describe(close)}", close.col)
            self.take()
            self.depth -= 1
            return inner
        if t.kind == "end":
            raise error_at("unexpected end of expression", t.col)
        raise error_at(f"unexpected {_describe(t)}", t.col)


def _short(s: str, n: int = 24) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def parse(text: str) -> Node:
    """Parse an expression into a syntax tree (raises :class:`ExpressionError` with a column)."""
    return _Parser(text).parse()


# -- evaluation -----------------------------------------------------------------------------
FLOAT32_MAX = 3.4028234663852886e38  # the largest float32
FLOAT32_TINY = 1.1754943508222875e-38  # the smallest normal float32


@dataclass
class Evaluated:
    expression: str  # normalised text of the expression
    vector: "np.ndarray"  # float32 (dim,)
    words: list[str]  # input words, each once, in order of appearance
    terms: dict[str, float]  # coefficient of each word
    rows: list[int] = field(default_factory=list)  # the row of each word in the space


def check_weights(terms: dict[str, float]) -> None:
    """Every coefficient finite and within float32's range, else :class:`ExpressionError` naming
    the word (``1e39 king``)."""
    for w, c in terms.items():
        if not math.isfinite(c):
            raise ExpressionError(f"the weight of {w!r} is not a finite number ({c}): the numbers overflow")
        if abs(c) > FLOAT32_MAX:
            raise ExpressionError(f"the weight of {w!r} is {c:.3g}, beyond float32's range "
                                  f"(at most {FLOAT32_MAX:.3g} in size)")


def evaluate(space: "Space", expr: str | Node, norm: bool = True) -> Evaluated:
    """The vector an expression stands for in ``space``: ``sum(coef * unit(word))`` (raw vectors
    with ``norm=False``), summed in float64 and returned as float32. Unknown words raise
    :class:`~vecs.errors.UnknownWord`; a weight beyond float32's range, a word whose vector is zero
    or not finite, a result that overflows float32, is too small for it or is zero (``king -
    king``) raise :class:`ExpressionError`: the vector is always finite and non-zero."""
    import numpy as np

    node = parse(expr) if isinstance(expr, str) else expr
    terms = node.terms()
    check_weights(terms)
    rows = space.rows(terms)  # UnknownWord, with suggestions
    where = f" in {space.name!r}" if space.name else ""
    vec = np.zeros(space.dim, dtype=np.float64)
    for (w, c), r in zip(terms.items(), rows):
        v = np.asarray(space.vectors[r], dtype=np.float64)
        if not np.isfinite(v).all():
            raise ExpressionError(f"{w!r} has a vector that is not finite (NaN or infinity){where}")
        n = float(np.linalg.norm(v))
        if n == 0:
            raise ExpressionError(f"{w!r} has a zero vector{where}: it has no direction")
        if c != 0:
            vec += c * (v / n if norm else v)
    if not np.isfinite(vec).all():
        raise ExpressionError(f"{node} overflows: its vector is not finite")
    big = float(np.abs(vec).max())
    if big == 0:
        raise ExpressionError(f"{node} is the zero vector (its words cancel out)")
    if big > FLOAT32_MAX:
        raise ExpressionError(f"{node} overflows float32 (a component of {big:.3g})")
    if big < FLOAT32_TINY:
        raise ExpressionError(f"{node} is too small for float32 (its largest component is {big:.3g}): "
                              "use larger weights")
    return Evaluated(str(node), vec.astype(np.float32), list(terms), terms, rows)
