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
    ranges: list[tuple[int, int]] = []
    for lo, hi in ((0x300, 0x20000), (0xE0100, 0xE01F0)):  # the major class of each, in C: ~20 ms, not ~150
        major = "".join(map(unicodedata.category, map(chr, range(lo, hi))))[::2]
        ranges += [(lo + m.start(), lo + m.end() - 1) for m in re.finditer("M+", major)]
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


def _class_of(codes) -> str:
    """A regex character class holding exactly ``codes``."""
    ranges: list[list[int]] = []
    for cp in sorted(codes):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                         for a, b in ranges) + "]"


# The characters FOLD changes, found with one search: far faster than str.translate over a whole
# non-ASCII text, which looks each character up in the table.
_FOLDABLE = re.compile(_class_of(FOLD))


def _fold_one(m: re.Match) -> str:
    return FOLD[ord(m.group())]


def fold(text: str) -> str:
    """``text`` with :data:`FOLD` applied, then in NFC form (the first step of :func:`tokenize`)."""
    if _FOLDABLE.search(text) is not None:
        text = _FOLDABLE.sub(_fold_one, text)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split ``text`` into word tokens (see the module docstring for the exact rule).

    >>> tokenize("Naïve Zürich-bound cafés don't close at 4:00 — 1,000 times in the 1990s!")
    ['naïve', 'zürich', 'bound', 'cafés', "don't", 'close', 'at', '4', '00', '1,000', 'times', 'in', 'the', '1990s']
    """
    if text.isascii():
        return _ASCII_TOKEN_RE.findall(text.lower() if lower else text)
    plain = ascii_form(text)
    if plain is not None:  # no letters beyond ASCII: the ASCII rule, no need for the full one
        return _ASCII_TOKEN_RE.findall(plain.lower() if lower else plain)
    text = fold(text)
    return _token_re().findall(text.lower() if lower else text)


# Non-ASCII characters that are neither word characters nor (checked in _separator) combining
# marks: they only ever separate tokens, like a space. (No such character lower-cases into a word
# character, a mark, or ' . , : checked over all of Unicode when this was written.)
_NON_ASCII_OTHER = re.compile(r"[^\x00-\x7f\w]")


def _separator(m: re.Match) -> str:
    c = m.group()
    return c if unicodedata.category(c)[0] == "M" else " "


def ascii_form(text: str) -> str | None:
    """``text`` folded (:func:`fold`) with every non-ASCII character that can only separate
    tokens (dashes, curly quotes, symbols...) turned into a space, when that leaves it ASCII
    (else None): the same tokens under :func:`tokenize`, by the ASCII rule."""
    if text.isascii():
        return text
    text = fold(text)
    if not text.isascii():
        text = _NON_ASCII_OTHER.sub(_separator, text)
    return text if text.isascii() else None


# -- many ASCII sentences at once ------------------------------------------------------------
# The rule above on ASCII text, done on bytes for a whole block of sentences: every byte but word
# characters, apostrophes, full stops, commas and line breaks becomes a space (and A-Z a-z); the
# apostrophes, full stops and commas a token keeps are marked; a token ends after a run of digits
# that follows a kept full stop or comma when a letter comes next ("1.5kg" -> "1.5" "kg"); then
# the unmarked ones become spaces and the marked ones themselves again.
_WORD_BYTES = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def _byte_table(lower: bool) -> bytes:
    table = bytearray(b" " * 256)
    for c in _WORD_BYTES + b"'.,\n":
        table[c] = c
    if lower:
        for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            table[c] = c + 32
    return bytes(table)


_TO_BYTES = {True: _byte_table(True), False: _byte_table(False)}
_KEPT_DOT = re.compile(rb"\.(?<=\d\.)(?=\d)")  # the literal first: far faster to search than a lookbehind
_KEPT_COMMA = re.compile(rb",(?<=\d,)(?=\d)")
_KEPT_APOSTROPHE = re.compile(rb"'(?<=\w')(?=\w)")
_NUMBER_THEN_LETTER = [re.compile(rb"\x01\d+(?=[A-Za-z_])"), re.compile(rb"\x02\d+(?=[A-Za-z_])")]  # one literal each: fast
_UNMARK = bytes.maketrans(b"'.,\x01\x02\x03", b"   .,'")


def tokenize_ascii(text: str, lower: bool = True) -> bytes:
    """The tokens of ASCII ``text`` as :func:`tokenize` gives them, for many sentences at once:
    ``text`` as bytes with everything but its tokens turned into spaces, line breaks (``\\n``)
    kept, so that line by line ``tokenize_ascii(t).split() == [w.encode() for w in tokenize(t)]``.
    Several times faster than :func:`tokenize` sentence by sentence. Raises
    :class:`UnicodeEncodeError` for text that is not ASCII."""
    b = text.encode("ascii").translate(_TO_BYTES[bool(lower)])
    if b"." in b:
        b = _KEPT_DOT.sub(b"\x01", b)
    if b"," in b:
        b = _KEPT_COMMA.sub(b"\x02", b)
    if b"'" in b:
        b = _KEPT_APOSTROPHE.sub(b"\x03", b)
    for mark, rx in zip((b"\x01", b"\x02"), _NUMBER_THEN_LETTER):
        if mark in b:
            b = rx.sub(rb"\g<0> ", b)
    return b.translate(_UNMARK)


# -- sentence splitting ---------------------------------------------------------------------
_CLOSE = "[\"'’”)\\]]"


# A sentence boundary: the white space after . ! or ? and up to two closing quotes or brackets
# (group 1), when more text follows. Searched from the punctuation, which is fast: a pattern that
# starts with a lookbehind is tried at every position of the line.
_BOUNDARY = re.compile(rf"[.!?]{_CLOSE}{{0,2}}(\s+)(?=\S)")
_FULL_STOP_BOUNDARY = re.compile(rf"\.{_CLOSE}{{0,2}}(\s+)(?=\S)")  # the same without ! or ?: 3x faster again


#: a full stop after one of these (or after a single capital: "D." "U.S.") does not end a sentence
ABBREVIATIONS = ("Mr Mrs Ms Messrs Mme Dr St Jr Sr Gen Gov Hon Rev Sen Rep Reps Lt Col Capt Cmdr Adm Maj Sgt Prof "
                 "Pres Supt No Nos Art Sec Vol vs viz cf ca Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mt Ft "
                 "Co Corp Inc Ltd Bros").split()

# Whether a sentence's last ten characters end with an abbreviation (preceded by the start, white
# space or an opening quote or bracket) or a single capital (those, or a full stop), and its full
# stop: matched on them reversed, from their end, so one quick attempt rather than a search.
_ABBREV_REVERSED = re.compile(
    r"\n?\.(?:(?:" + "|".join(w[::-1] for w in ABBREVIATIONS) + r")(?:\Z|[\s(\"'‘“])|[A-Z](?:\Z|[\s(\"'‘“.]))")


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
    if not line.isascii() and _CJK_END.search(line):
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
    others = "!" in line or "?" in line
    if not others and "." not in line:
        return [line] if line else []
    pieces, start = [], 0
    for m in (_BOUNDARY if others else _FULL_STOP_BOUNDARY).finditer(line):
        pieces.append(line[start:m.start(1)])
        start = m.end(1)
    if not pieces:
        return [line]
    pieces.append(line[start:])
    out = [pieces[0]]
    for p in pieces[1:]:
        # no new sentence when the next text starts in lower case or the last one ends with an abbreviation
        c = p[:1]
        lower = c.islower() if c.isalnum() else (m := _FIRST_ALNUM.search(p)) is not None and m.group().islower()
        if lower or _ABBREV_REVERSED.match(out[-1][:-11:-1]):
            out[-1] = out[-1] + " " + p
        else:
            out.append(p)
    return [s for s in out if s]
