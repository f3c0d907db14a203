"""Reading corpus files: compression, encodings, line splitting, recipe cleaning."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator

from vecs.errors import CorpusError
from vecs.io.compressed import DECOMPRESSION_ERRORS, decompression_problem, open_by_suffix, suffix_kind

TEXT_SUFFIXES = (".txt", ".txt.gz", ".txt.bz2", ".txt.xz")


CHUNK = 1 << 20  # longest piece of a line processed at once


# -- cleaning (recipe [clean] steps) --------------------------------------------------------
_BRACKET = re.compile(r"\[([^\[\]]*)\]")


_REACTIONS = {"laughter", "applause", "inaudible", "moment of silence", "cheers", "booing"}


def _bracket_note(m: re.Match) -> str:
    inner = m.group(1).strip()
    low = inner.lower()
    if low.endswith("; white house correction"):
        return inner[: -len("; white house correction")]
    if (low in _REACTIONS or low.startswith("see app note") or not any(c.isalpha() for c in inner)
            or re.fullmatch(r"p\.\s*\d+", low) or inner.endswith(".") or len(inner.split()) >= 5):
        return " "
    return inner


_LINE_ID = re.compile(r"\d{8}-\d{2}-\d{3}-\d{3}/m")
_COMPOUND_END = re.compile(r"\][A-Za-z]+$")


def strip_tags(line: str) -> str:
    """A line of ``word/TAG`` tokens (People's Daily style) as its words: ``迈向/v  充满/v`` ->
    ``迈向 充满``; a line id (``19980101-01-001-001/m``) dropped; a bracketed compound
    ``[中央/n  人民/n  广播/vn  电台/n]nt`` kept as its words. The segmentation is kept as given."""
    out = []
    for tok in line.split():
        if _LINE_ID.fullmatch(tok):
            continue
        if tok.startswith("[") and not tok.startswith("[/"):
            tok = tok[1:]
        tok = _COMPOUND_END.sub("", tok)
        word = tok.rsplit("/", 1)[0] if "/" in tok[1:] else tok
        if word:
            out.append(word)
    return " ".join(out)


def cleaner(clean: dict) -> Callable[[str, bool], str | None] | None:
    """A function (line, first_nonempty_line) -> cleaned line or None (drop), or None if the
    recipe cleans nothing."""
    notes = bool(clean.get("bracket_notes"))
    salutation = bool(clean.get("drop_salutation"))
    labels = tuple(clean.get("speaker_labels") or ())
    drops = tuple(clean.get("drop_lines_starting") or ())
    tags = bool(clean.get("pos_tags"))
    if not (notes or salutation or labels or drops or tags):
        return None

    def clean_line(line: str, first: bool) -> str | None:
        s = line.strip()
        if drops and s.startswith(drops):
            return None
        if tags:
            s = strip_tags(s)
        if notes and "[" in s:
            s = " ".join(_BRACKET.sub(_bracket_note, s).split())
        for lab in labels:
            if s.startswith(lab):
                s = s[len(lab):].lstrip()
        if not s:
            return None
        if salutation and first and s.endswith(":") and len(s.split()) <= 40:
            return None
        return s

    return clean_line


# -- reading files --------------------------------------------------------------------------
def _unreadable(path: Path, e: BaseException) -> CorpusError:
    """``corrupt gzip data in PATH (...)`` or ``cannot read PATH (...)``."""
    return CorpusError(decompression_problem(path, suffix_kind(path), e))


def _head(path: Path, n: int = 1024) -> bytes:
    try:
        with open_by_suffix(path) as f:
            return f.read(n)
    except DECOMPRESSION_ERRORS as e:
        raise _unreadable(path, e) from None


def check_file(path: Path) -> bool:
    """Reject binary and (at the start) non-UTF-8 files; True if the file has any content."""
    head = _head(path)
    if b"\x00" in head:
        raise CorpusError(f"{path}: looks binary (NUL byte at offset {head.index(0)}); expected UTF-8 text")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.end < len(head) or e.reason != "unexpected end of data":
            raise CorpusError(f"{path}: not UTF-8 text (byte 0x{head[e.start]:02x} at offset {e.start})") from None
    return bool(head)


def read_lines(path: Path) -> Iterator[tuple[str, bool, int]]:
    """(text, ends_line, bytes_done) for each line of ``path``; lines over :data:`CHUNK` bytes come
    in pieces cut after a space (``ends_line`` False for all pieces but the last). Strict UTF-8:
    an invalid byte raises :class:`CorpusError` with its offset (in the decompressed text)."""
    offset = 0
    carry = b""
    try:
        with open_by_suffix(path) as f:
            while True:
                chunk = f.readline(CHUNK)
                if not chunk and not carry:
                    return
                data = carry + chunk
                if not chunk or data.endswith(b"\n") or len(chunk) < CHUNK:
                    carry, ends = b"", True  # a whole line (the last one may lack its newline)
                else:
                    cut = data.rfind(b" ") + 1
                    if cut <= 0:  # no space: cut before the last character, never inside one
                        cut = len(data) - 1
                        while cut > 0 and (data[cut] & 0xC0) == 0x80:
                            cut -= 1
                    data, carry, ends = data[:cut], data[cut:], False
                start = offset
                offset += len(data)
                text = _decode(path, data, start)
                if start == 0 and text.startswith("\ufeff"):
                    text = text[1:]
                yield text, ends, offset
    except DECOMPRESSION_ERRORS as e:
        raise _unreadable(path, e) from None


def _decode(path: Path, data: bytes, start: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(
            f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {start + e.start})") from None


def _is_text_file(p: Path) -> bool:
    return p.name.lower().endswith(TEXT_SUFFIXES)


def files_of(path: Path, pattern: str | None = None) -> list[Path]:
    if path.is_dir():
        if pattern:
            files = [p for p in path.glob(pattern) if p.is_file()]
        else:
            files = [p for p in path.rglob("*") if p.is_file() and _is_text_file(p)]
        files.sort(key=lambda p: p.relative_to(path).as_posix())
        if not files:
            what = pattern or "*.txt (or .txt.gz, .txt.bz2, .txt.xz)"
            raise CorpusError(f"{path}: no {what} files in this folder")
        return files
    return [path]
