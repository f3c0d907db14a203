"""The corpus tokeniser: Unicode words, sentence splitting, character spans."""

from __future__ import annotations

import re
import unicodedata


#: Bumped whenever tokenisation or sentence splitting changes (part of cache keys).
TOKENIZER_VERSION = "2"


_APOSTROPHES = {ord("\u2019"): "'", ord("\u02bc"): "'"}


def _full_width() -> dict[int, str]:
    """Full-width and half-width forms (U+FF01-U+FFEE: ＡＢＣ１２３，！) -> their NFKC form
    (ABC123,!), and the ideographic space U+3000 -> a space."""
    table = {0x3000: " "}
    for cp in range(0xFF01, 0xFFEF):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded != chr(cp):
            table[cp] = folded
    return table


#: What every non-ASCII text goes through, one character at a time, before NFC: typographic
#: apostrophes and full-width forms folded.
FOLD = {**_full_width(), **_APOSTROPHES}


def _marks_class() -> str:
    """A regex character-class body with every combining mark (Mn, Mc, Me)."""
    ranges: list[list[int]] = []
    for cp in list(range(0x300, 0x20000)) + list(range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


# The same rule twice: with \w alone (fast, for ASCII text) and with \w plus every combining mark.
TOKEN_RE: re.Pattern | None = None
_ASCII_TOKEN_RE = re.compile(r"\w+(?:'\w+|(?<=\d)[.,]\d+)*")


def _token_re() -> re.Pattern:
    global TOKEN_RE
    if TOKEN_RE is None:
        w = rf"[\w{_marks_class()}]"
        TOKEN_RE = re.compile(rf"{w}+(?:'{w}+|(?<=\d)[.,]\d+)*")
    return TOKEN_RE


def fold(text: str) -> str:
    """``text`` with :data:`FOLD` applied, then in NFC form (the first step of :func:`tokenize`)."""
    text = text.translate(FOLD)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split ``text`` into word tokens (see the module docstring for the exact rule).

    >>> tokenize("Naïve Zürich-bound cafés don't close at 4:00 — 1,000 times in the 1990s!")
    ['naïve', 'zürich', 'bound', 'cafés', "don't", 'close', 'at', '4', '00', '1,000', 'times', 'in', 'the', '1990s']
    """
    if text.isascii():
        return _ASCII_TOKEN_RE.findall(text.lower() if lower else text)
    text = fold(text)
    return _token_re().findall(text.lower() if lower else text)


# -- sentence splitting ---------------------------------------------------------------------
_CLOSE = "[\"'’”)\\]]"


_BOUNDARY = re.compile(rf"(?:(?<=[.!?])|(?<=[.!?]{_CLOSE})|(?<=[.!?]{_CLOSE}{_CLOSE}))\s+(?=\S)")


_ABBREV = re.compile(
    r"(?:^|[\s(\"'‘“])(?:Mr|Mrs|Ms|Messrs|Mme|Dr|St|Jr|Sr|Gen|Gov|Hon|Rev|Sen|Rep|Reps|Lt|Col|Capt|Cmdr|"
    r"Adm|Maj|Sgt|Prof|Pres|Supt|No|Nos|Art|Sec|Vol|vs|viz|cf|ca|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|"
    r"Sept|Oct|Nov|Dec|Mt|Ft|Co|Corp|Inc|Ltd|Bros)\.$|(?:^|[\s(\"'‘“.])[A-Z]\.$"
)


_FIRST_ALNUM = re.compile(r"[^\W_]")


def token_spans(text: str, lower: bool = True) -> list[tuple[str, tuple[int, int]]]:
    """The tokens of ``text`` exactly as :func:`vecs.corpus.tokenize` gives them, each with its
    ``(start, end)`` character span in ``text`` itself (before any normalisation)."""
    if text.isascii():
        rx = _ASCII_TOKEN_RE
        low = text.lower() if lower else text
        return [(m.group(), m.span()) for m in rx.finditer(low)]
    # Map each character of a lower-cased, apostrophe-normalised copy back to its source
    # character, match there, and take each token's text as tokenize() would (NFC first).
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        t = c.translate(FOLD)
        t = t.lower() if lower else t
        chars.append(t)
        origin.extend([i] * len(t))
    mapped = "".join(chars)
    out = []
    for m in _token_re().finditer(mapped):
        a, b = origin[m.start()], origin[m.end() - 1] + 1
        piece = fold(text[a:b])
        out.append((piece.lower() if lower else piece, (a, b)))
    expected = tokenize(text, lower)
    if [t for t, _ in out] != expected and len(out) == len(expected):
        out = [(t, span) for t, (_, span) in zip(expected, out)]
    return out


def split_sentences(line: str) -> list[str]:
    """The sentences of one line of text (see the module docstring).

    >>> split_sentences("Mr. Smith went to Washington D.C. in Jan. 1800. He spoke! e.g. this. Did he?")
    ['Mr. Smith went to Washington D.C. in Jan. 1800.', 'He spoke! e.g. this.', 'Did he?']
    """
    line = line.strip()
    if _CJK_END.search(line):
        return [p for s in _split_spaced(line) for p in _split_cjk(s)]
    return _split_spaced(line)


# A CJK sentence ends after 。！？ (or the half-width ｡), and any closing quotes or brackets,
# whether or not a space follows.
_CJK_END = re.compile("[\u3002\uff01\uff1f\uff61]+[\u201d\u2019\u300d\u300f\uff09\u300b\u3009\u3011\u3015\"')\\]]*")


def _split_cjk(text: str) -> list[str]:
    out, start = [], 0
    for m in _CJK_END.finditer(text):
        piece = text[start:m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    rest = text[start:].strip()
    return out + [rest] if rest else out


def _split_spaced(line: str) -> list[str]:
    if "." not in line and "!" not in line and "?" not in line:
        return [line] if line else []
    pieces = _BOUNDARY.split(line)
    out: list[str] = []
    for p in pieces:
        if out:
            m = _FIRST_ALNUM.search(p)
            if (m and m.group().islower()) or _ABBREV.search(out[-1][-10:]):
                out[-1] = out[-1] + " " + p
                continue
        out.append(p)
    return [s for s in out if s]
