"""Finding the target word in a sentence: the character span (:class:`Target`) that the model's
tokens are aligned to (:meth:`vecs.contextual.model.Activations.positions`), and the record of
that alignment (:class:`Alignment`), with what went wrong in it (:func:`token_warnings`).

Words in scripts written with spaces (Latin, Cyrillic, Greek...) match whole words only
(``bank`` is not found in ``embankment``). Words in scripts written without spaces between
words (Chinese, Japanese, Thai...: :func:`unspaced`) match their characters wherever they stand
(``杨柳`` inside ``河边的杨柳发芽了``); a Latin word between Chinese characters (``用iPhone打``) is
still a whole word. The alignment to the model's tokens is by character offsets either way.

A word the model cannot read properly is reported, in every language: some of its tokens are
the unknown token (``[UNK]``), it falls apart into byte pieces (SmolLM2 spells 杨柳 in five
pieces of UTF-8 bytes), or it shares a token with its neighbours (``输`` inside the token
``输入``). A word that is *entirely* unknown has no vector to measure: that is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from vecs.errors import ContextualError
from vecs.util import unspaced_char as cjk_char

WORD_RE = re.compile(r"\w+(?:['’-]\w+)*")
_LETTER = re.compile(r"\w")

# scripts written without spaces between words beyond the CJK ones of vecs.util.unspaced_char:
# Thai, Lao, Tibetan, Myanmar, Khmer
MORE_UNSPACED = ((0x0E00, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF))
UNKNOWN_FORMS = frozenset({"[UNK]", "<unk>", "<UNK>", "<|unk|>", "<|unknown|>"})
_BYTE_RE = re.compile(r"<0x[0-9A-Fa-f]{2}>")
CONTINUED = "⋯"  # a byte piece whose character is completed by a later token


def unspaced_char(c: str) -> bool:
    """Whether the character ``c`` belongs to a script written without spaces between words:
    :func:`vecs.util.unspaced_char` (CJK) or one of :data:`MORE_UNSPACED`."""
    o = ord(c)
    return cjk_char(c) or any(a <= o <= b for a, b in MORE_UNSPACED)


def unspaced(text: str) -> bool:
    """Whether ``text`` has a character of a script written without spaces between words."""
    return any(unspaced_char(c) for c in text or "")


@dataclass
class Alignment:
    """Where the target sits in one sentence and which tokens make it up."""

    sentence: int  # 1-based number of the sentence
    text: str  # the form found in the sentence
    start: int  # character span in the sentence
    end: int
    tokens: list[str]  # the model's tokens of the word, in order (as its vocabulary stores them)
    positions: list[int]  # their positions in the model's input (special tokens included)
    shown: list[str] = field(default_factory=list)  # the tokens as a reader sees them (byte pieces: ⋯ then the character)
    unknown: int = 0  # how many of the tokens are the unknown token ([UNK], <unk>)
    byte_pieces: int = 0  # how many are pieces of a character's bytes (several tokens for one character)
    shared: int = 0  # how many also cover characters outside the word (输 inside the token 输入)


def _spaced_letter(c: str) -> bool:
    """A letter or digit of a script written with spaces: what a whole word must not touch."""
    return bool(_LETTER.match(c)) and not unspaced_char(c)


def _matches(sentence: str, s: str, suffix: int = 0) -> list[tuple[int, int]]:
    """The non-overlapping spans, left to right, of ``s`` (case-insensitive) in ``sentence``,
    followed by up to ``suffix`` more letters: an edge of ``s`` in a spaced script must not
    touch another letter of a spaced script (whole words); an edge in an unspaced script may
    touch anything."""
    check_before, check_after = _spaced_letter(s[0]), _spaced_letter(s[-1])
    tail = rf"\w{{1,{suffix}}}" if suffix else ""
    out, last = [], 0
    for m in re.finditer(f"(?=({re.escape(s)}{tail}))", sentence, re.IGNORECASE):
        a, b = m.span(1)
        if a < last:
            continue
        if check_before and a > 0 and _spaced_letter(sentence[a - 1]):
            continue
        if (check_after or suffix) and b < len(sentence) and _spaced_letter(sentence[b]):
            continue
        out.append((a, b))
        last = b
    return out


def find_word(sentence: str, string: str, occurrence: int | None = None, number: int | None = None,
              loose: bool = False) -> tuple[int, int]:
    """Character span of the ``occurrence``-th (1-based, default 1) case-insensitive match of
    ``string`` in ``sentence``: a whole word in a spaced script, the characters anywhere in an
    unspaced one (see the module docstring). ``loose`` also accepts a short suffix (bank ->
    banks, broke -> broken) when there is no exact match. ``number`` names the sentence in errors."""
    s = string.strip()
    where = f"sentence {number}" if number is not None else "the sentence"
    if not s:
        raise ContextualError("the target word is empty")
    matches = _matches(sentence, s)
    if not matches and loose and not unspaced_char(s[-1]):
        stems = [s] + ([s[:-1]] if len(s) > 3 and s[-1] in "ey" else [])
        for stem in stems:
            matches = _matches(sentence, stem, suffix=3)
            if matches:
                break
    if not matches:
        short = sentence if len(sentence) <= 80 else sentence[:77] + "..."
        hint = "" if unspaced(s) else " (for an inflected form give the exact string, e.g. --string broke for break)"
        raise ContextualError(f"{string!r} is not in {where}: {short!r}{hint}")
    k = 1 if occurrence is None else int(occurrence)
    if not 1 <= k <= len(matches):
        raise ContextualError(f"{string!r} occurs {len(matches)} time(s) in {where}, so occurrence {k} does not exist")
    return matches[k - 1]


@dataclass
class Target:
    """One word to extract: its character span ``[start, end)`` in ``sentence``."""

    sentence: str
    start: int
    end: int


# --------------------------------------------------------------------------------------------
# What the model made of the word
# --------------------------------------------------------------------------------------------
def unknown_forms(model) -> set[str]:
    """The token strings that mean "unknown" for ``model``: the usual names, plus the model's
    special tokens (the only special token that stands for characters of a text is the unknown one)."""
    forms = set(UNKNOWN_FORMS)
    for i in model.special_ids():
        try:
            forms.add(str(model.raw_token(int(i))))
        except Exception:  # pragma: no cover - an odd tokenizer without that id
            continue
    return forms


def inspect_tokens(sentence: str, start: int, end: int, tokens: Sequence[str],
                   spans: Sequence[tuple[int, int] | None], positions: Sequence[int],
                   unknown: set[str] | frozenset[str] = UNKNOWN_FORMS) -> tuple[list[str], int, int, int]:
    """``(shown, unknown, byte_pieces, shared)`` for the word ``sentence[start:end]`` whose tokens
    are at ``positions`` (``tokens``/``spans``: the whole text's, as :class:`Activations` holds
    them). A byte piece is a token that shares a character with another token (or a ``<0xNN>``
    byte token); a shared token also covers letters outside the word (spaces do not count)."""
    real = [(t, sp) for t, sp in enumerate(spans) if sp is not None]
    shown, unk, pieces, shared = [], 0, 0, 0
    for k, p in enumerate(positions):
        s, e = spans[p]
        tok = tokens[p]
        piece = bool(_BYTE_RE.fullmatch(tok)) or any(q != p and qs < e and qe > s for q, (qs, qe) in real)
        if tok in unknown:
            unk += 1
            shown.append(tok)
        elif piece:
            pieces += 1
            nxt = positions[k + 1] if k + 1 < len(positions) else None
            done = nxt is None or spans[nxt][0] >= e
            shown.append(_visible(sentence[s:e]) if done else CONTINUED)
        else:
            shown.append(_visible(sentence[s:e]))
        if (sentence[s:start] + sentence[end:e]).strip():
            shared += 1
    return shown, unk, pieces, shared


def _visible(text: str) -> str:
    """A token's text with its leading spaces as ``·`` (the room's convention)."""
    rest = text.lstrip(" ")
    return "·" * (len(text) - len(rest)) + rest


def check_known(a: Alignment, model_name: str) -> None:
    """:class:`ContextualError` when every token of the word is the unknown token."""
    if a.tokens and a.unknown == len(a.tokens):
        hint = "; try -m gemma3, which reads Chinese words" if unspaced(a.text) else ""
        raise ContextualError(f"{a.text!r} is entirely unknown to {model_name} in sentence {a.sentence} "
                              f"({' '.join(a.tokens)}): there is no vector to measure{hint}")


def _which(nums: list[int], total: int) -> str:
    if len(nums) == total:
        return "in every sentence" if total > 1 else "in the sentence"
    listed = ", ".join(map(str, nums[:8])) + (", ..." if len(nums) > 8 else "")
    return f"in sentence{'s' if len(nums) > 1 else ''} {listed}"


def token_warnings(alignments: Sequence[Alignment], model_name: str) -> list[str]:
    """One line per problem the alignments show (unknown tokens, byte pieces, tokens shared with
    neighbouring characters), each naming the form, the tokens and the sentences; [] when the
    model reads the word cleanly everywhere."""
    out = []
    total = len(alignments)
    by_form: dict[str, list[Alignment]] = {}
    for a in alignments:
        by_form.setdefault(a.text, []).append(a)
    for form, group in by_form.items():
        unk = [a for a in group if a.unknown]
        if unk:
            a = unk[0]
            out.append(f"{form!r} has {a.unknown} unknown token(s) of {len(a.tokens)} in {model_name} "
                       f"({' '.join(a.tokens)}) {_which([x.sentence for x in unk], total)}: its vector pools "
                       f"the unknown token's, not the word's")
        pieces = [a for a in group if a.byte_pieces]
        if pieces:
            a = pieces[0]
            out.append(f"{form!r} falls apart into byte pieces in {model_name} ({len(a.tokens)} tokens for "
                       f"{len(form)} character(s): {' '.join(a.shown)}) {_which([x.sentence for x in pieces], total)}"
                       f": its vector pools pieces of UTF-8 bytes")
        shared = [a for a in group if a.shared]
        if shared:
            a = shared[0]
            out.append(f"{form!r} shares a token with the characters around it in {model_name} "
                       f"({' '.join(a.shown)}) {_which([x.sentence for x in shared], total)}: its vector is that "
                       f"longer token's")
    return out
