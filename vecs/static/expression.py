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

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vecs.errors import ExpressionError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from vecs.space import Space


_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

_INSIDE = "'@.-"  # allowed inside a word, never at its start or end

_OPS = "+-*/()"


def _core(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# -- tokens ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # "word", "number", "op", "end"
    text: str  # the word (unquoted), the number's text, the operator
    col: int  # 1-based column of its first character
    quoted: bool = False


def _err(message: str, col: int) -> ExpressionError:
    e = ExpressionError(f"{message} at column {col}")
    e.column = col  # type: ignore[attr-defined]
    return e


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens (words, numbers, operators), ending with an ``end`` token."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _OPS:
            out.append(Token("op", ch, i + 1))
            i += 1
        elif ch in "\"'":
            end = text.find(ch, i + 1)
            if end < 0:
                raise _err(f"unterminated quote {ch}", i + 1)
            word = text[i + 1 : end]
            if not word:
                raise _err("empty quoted word", i + 1)
            out.append(Token("word", word, i + 1, quoted=True))
            i = end + 1
        elif _core(ch) or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (_core(text[j]) or (text[j] in _INSIDE and j + 1 < n and _core(text[j + 1]))
                             or (text[j] in "+-" and text[j - 1] in "eE" and _NUMBER.fullmatch(text[i:j - 1])
                                 and j + 1 < n and text[j + 1].isdigit())):
                j += 1
            run = text[i:j]
            kind = "number" if _NUMBER.fullmatch(run) else "word"
            out.append(Token(kind, run, i + 1))
            i = j
        else:
            raise _err(f"unexpected character {ch!r}", i + 1)
    out.append(Token("end", "", n + 1))
    return out


# -- syntax tree ----------------------------------------------------------------------------
@dataclass
class Node:
    col: int

    @property
    def is_vector(self) -> bool:
        raise NotImplementedError

    def terms(self) -> dict[str, float]:
        """Coefficient of every word (words in order of first appearance; zeros kept)."""
        raise NotImplementedError

    def scalar(self) -> float:
        raise NotImplementedError

    def words(self) -> list[str]:
        """The input words, each once, in order of appearance."""
        return list(self.terms())


@dataclass
class Word(Node):
    word: str = ""
    quoted: bool = False

    is_vector = True  # type: ignore[assignment]

    def terms(self) -> dict[str, float]:
        return {self.word: 1.0}

    def __str__(self) -> str:
        if self.quoted or _NUMBER.fullmatch(self.word) or not _plain_word(self.word):
            q = "'" if '"' in self.word else '"'
            return f"{q}{self.word}{q}"
        return self.word


@dataclass
class Number(Node):
    value: float = 0.0
    text: str = ""

    is_vector = False  # type: ignore[assignment]

    def scalar(self) -> float:
        return self.value

    def __str__(self) -> str:
        return self.text


@dataclass
class Neg(Node):
    operand: Node = field(default_factory=lambda: Number(0))

    @property
    def is_vector(self) -> bool:
        return self.operand.is_vector

    def terms(self) -> dict[str, float]:
        return {w: -c for w, c in self.operand.terms().items()}

    def scalar(self) -> float:
        return -self.operand.scalar()

    def __str__(self) -> str:
        return f"-{_wrap(self.operand, 3)}"


@dataclass
class BinOp(Node):
    op: str = "+"
    left: Node = field(default_factory=lambda: Number(0))
    right: Node = field(default_factory=lambda: Number(0))

    @property
    def is_vector(self) -> bool:
        return self.left.is_vector or self.right.is_vector

    def terms(self) -> dict[str, float]:
        if self.op in "+-":
            out = dict(self.left.terms())
            sign = 1.0 if self.op == "+" else -1.0
            for w, c in self.right.terms().items():
                out[w] = out.get(w, 0.0) + sign * c
            return out
        if self.op == "*":
            vec, num = (self.left, self.right) if self.left.is_vector else (self.right, self.left)
            f = num.scalar()
            return {w: c * f for w, c in vec.terms().items()}
        f = self.right.scalar()  # "/": checked non-zero at parse time
        return {w: c / f for w, c in self.left.terms().items()}

    def scalar(self) -> float:
        a, b = self.left.scalar(), self.right.scalar()
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else float("nan")}[self.op]

    def __str__(self) -> str:
        p = _PREC[self.op]
        right = _wrap(self.right, p + 1)  # left-associative: a - (b - c) keeps its parentheses
        return f"{_wrap(self.left, p)} {self.op} {right}"


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2}


def _prec(node: Node) -> int:
    if isinstance(node, BinOp):
        return _PREC[node.op]
    if isinstance(node, Neg):
        return 3
    return 4


def _wrap(node: Node, min_prec: int) -> str:
    return f"({node})" if _prec(node) < min_prec else str(node)


def _plain_word(w: str) -> bool:
    try:
        toks = tokenize(w)
    except ExpressionError:
        return False
    return len(toks) == 2 and toks[0].kind == "word" and toks[0].text == w


# -- parser ---------------------------------------------------------------------------------
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
            raise _err("empty expression", 1)
        node = self.sum()
        t = self.tok
        if t.kind != "end":
            if t.kind in ("word", "number") or (t.kind == "op" and t.text == "("):
                raise _err(f"missing operator before {_describe(t)} (join terms with + or -)", t.col)
            raise _err(f"unexpected {_describe(t)}", t.col)
        if not node.is_vector:
            raise _err("the expression has no word, only numbers", 1)
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at_op("+-"):
            op = self.take()
            right = self.product()
            if node.is_vector != right.is_vector:
                raise _err(f"cannot {'add' if op.text == '+' else 'subtract'} a number and a vector", op.col)
            node = BinOp(op.col, op.text, node, right)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at_op("*/"):
            op = self.take()
            right = self.unary()
            if op.text == "*" and node.is_vector and right.is_vector:
                raise _err("cannot multiply two vectors", op.col)
            if op.text == "/":
                if right.is_vector:
                    raise _err("cannot divide by a vector", op.col)
                if right.scalar() == 0:
                    raise _err("division by zero", op.col)
            node = BinOp(op.col, op.text, node, right)
        return node

    def unary(self) -> Node:
        if self.at_op("-+"):
            op = self.take()
            operand = self.unary()
            return Neg(op.col, operand) if op.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        node = self.atom()
        if isinstance(node, Number) and (self.tok.kind == "word" or self.at_op("(")):
            t = self.tok
            right = self.atom()
            node = BinOp(t.col, "*", node, right)
        return node

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "word":
            self.take()
            return Word(t.col, t.text, t.quoted)
        if t.kind == "number":
            self.take()
            return Number(t.col, float(t.text), t.text)
        if self.at_op("("):
            self.take()
            if self.at_op(")"):
                raise _err("empty parentheses", t.col)
            inner = self.sum()
            if not self.at_op(")"):
                close = self.tok
                raise _err(f"expected ')' (to close the '(' of column {t.col}), found {_describe(close)}", close.col)
            self.take()
            return inner
        if t.kind == "end":
            raise _err("unexpected end of expression", t.col)
        raise _err(f"unexpected {_describe(t)}", t.col)


def parse(text: str) -> Node:
    """Parse an expression into a syntax tree (raises :class:`ExpressionError` with a column)."""
    return _Parser(text).parse()


# -- evaluation -----------------------------------------------------------------------------
@dataclass
class Evaluated:
    expression: str  # normalised text of the expression
    vector: "np.ndarray"  # float32 (dim,)
    words: list[str]  # input words, each once, in order of appearance
    terms: dict[str, float]  # coefficient of each word
    rows: list[int] = field(default_factory=list)  # the row of each word in the space


def evaluate(space: "Space", expr: str | Node, norm: bool = True) -> Evaluated:
    """The vector an expression stands for in ``space``: ``sum(coef * unit(word))`` (raw vectors
    with ``norm=False``). Unknown words raise :class:`~vecs.errors.UnknownWord`; an expression
    whose words cancel out (``king - king``) raises :class:`ExpressionError`."""
    import numpy as np

    node = parse(expr) if isinstance(expr, str) else expr
    terms = node.terms()
    rows = space.rows(terms)  # UnknownWord, with suggestions
    vec = np.zeros(space.dim, dtype=np.float32)
    norms = space.norms if norm else None
    for (w, c), r in zip(terms.items(), rows):
        v = np.asarray(space.vectors[r], dtype=np.float32)
        if norm:
            n = norms[r]
            v = v / n if n > 0 else v
        if c != 0:
            vec += np.float32(c) * v
    if not np.any(vec):
        raise ExpressionError(f"{node} is the zero vector (its words cancel out)")
    return Evaluated(str(node), vec, list(terms), terms, rows)
