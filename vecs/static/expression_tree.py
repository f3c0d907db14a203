"""Tokens and syntax tree of the expression language of :mod:`vecs.static.expression` (which
holds the grammar, the parser and the evaluation).

Sums and products are n-ary (``a + b - c`` is one :class:`Sum` of three terms), so a long flat
expression is a shallow tree; only parentheses nest, and the parser bounds how deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vecs.errors import ExpressionError

NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

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


def error_at(message: str, col: int) -> ExpressionError:
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
                raise error_at(f"unterminated quote {ch}", i + 1)
            word = text[i + 1 : end]
            if not word:
                raise error_at("empty quoted word", i + 1)
            out.append(Token("word", word, i + 1, quoted=True))
            i = end + 1
        elif _core(ch) or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (_core(text[j]) or (text[j] in _INSIDE and j + 1 < n and _core(text[j + 1]))
                             or (text[j] in "+-" and text[j - 1] in "eE" and NUMBER.fullmatch(text[i:j - 1])
                                 and j + 1 < n and text[j + 1].isdigit())):
                j += 1
            run = text[i:j]
            kind = "number" if NUMBER.fullmatch(run) else "word"
            out.append(Token(kind, run, i + 1))
            i = j
        else:
            raise error_at(f"unexpected character {ch!r}", i + 1)
    out.append(Token("end", "", n + 1))
    return out


# -- syntax tree ----------------------------------------------------------------------------
@dataclass
class Node:
    col: int

    is_vector = False  # whether the node stands for a vector (else a number)

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
        if self.quoted or NUMBER.fullmatch(self.word) or not _plain_word(self.word):
            q = "'" if '"' in self.word else '"'
            return f"{q}{self.word}{q}"
        return self.word


@dataclass
class Number(Node):
    value: float = 0.0
    text: str = ""

    def scalar(self) -> float:
        return self.value

    def __str__(self) -> str:
        return self.text


@dataclass
class Neg(Node):
    operand: Node = field(default_factory=lambda: Number(0))

    def __post_init__(self):
        self.is_vector = self.operand.is_vector

    def terms(self) -> dict[str, float]:
        return {w: -c for w, c in self.operand.terms().items()}

    def scalar(self) -> float:
        return -self.operand.scalar()

    def __str__(self) -> str:
        return f"-{_wrap(self.operand, 3)}"


@dataclass
class Chain(Node):
    """``items[0] op1 items[1] op2 ...``: a :class:`Sum` (``+ -``) or a :class:`Product` (``* /``);
    ``ops[i]`` is the operator before ``items[i + 1]``."""

    items: list[Node] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)

    prec = 0

    def __post_init__(self):
        self.is_vector = any(n.is_vector for n in self.items)

    def __str__(self) -> str:
        # left-associative: a later operand of the same precedence keeps its parentheses (a - (b - c))
        parts = [_wrap(self.items[0], self.prec)]
        for op, node in zip(self.ops, self.items[1:]):
            parts.append(f"{op} {_wrap(node, self.prec + 1)}")
        return " ".join(parts)


@dataclass
class Sum(Chain):
    prec = 1

    def terms(self) -> dict[str, float]:
        out = dict(self.items[0].terms())
        for op, node in zip(self.ops, self.items[1:]):
            sign = 1.0 if op == "+" else -1.0
            for w, c in node.terms().items():
                out[w] = out.get(w, 0.0) + sign * c
        return out

    def scalar(self) -> float:
        a = self.items[0].scalar()
        for op, node in zip(self.ops, self.items[1:]):
            a = a + node.scalar() if op == "+" else a - node.scalar()
        return a


@dataclass
class Product(Chain):
    prec = 2

    def _factor(self) -> float:
        f = 1.0
        for i, node in enumerate(self.items):
            if not node.is_vector:
                f = f / node.scalar() if i and self.ops[i - 1] == "/" else f * node.scalar()
        return f

    def terms(self) -> dict[str, float]:
        vec = next(n for n in self.items if n.is_vector)  # exactly one: checked when parsed
        f = self._factor()
        return {w: c * f for w, c in vec.terms().items()}

    def scalar(self) -> float:
        return self._factor()


def _prec(node: Node) -> int:
    if isinstance(node, Chain):
        return node.prec
    return 3 if isinstance(node, Neg) else 4


def _wrap(node: Node, min_prec: int) -> str:
    return f"({node})" if _prec(node) < min_prec else str(node)


def _plain_word(w: str) -> bool:
    try:
        toks = tokenize(w)
    except ExpressionError:
        return False
    return len(toks) == 2 and toks[0].kind == "word" and toks[0].text == w
