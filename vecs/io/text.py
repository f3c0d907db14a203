"""Reading text vector files (word2vec text, GloVe, fastText .vec), streamed and checked line by
line: a header of two integers is checked against the file's size before anything is read, every
row must have the header's (or the first row's) dimension, every value must be a finite float32."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Iterator

import numpy as np

from vecs.errors import FormatError
from vecs.io.compressed import Reader
from vecs.progress import ProgressFn, report

CHUNK = 8 << 20  # bytes per read: big enough to amortise numpy calls, small enough to stream


_HEADER = re.compile(rb"[ \t]*([+-]?[0-9]+)[ \t]+([+-]?[0-9]+)[ \t\r]*")


_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never in text vector files


_NONE = np.empty((0, 0), np.float32)  # no rows (never shaped by a header's dimension)


# -- the header -------------------------------------------------------------------------------
def parse_header(line: bytes, path: Path | str = "", line_no: int = 1) -> tuple[int, int] | None:
    """``(count, dim)`` if ``line`` is two integers (a word2vec header), None if it is anything
    else. Two integers that are not a positive count and dimension raise :class:`FormatError`:
    a first line of two integers is a header, never a GloVe row."""
    m = _HEADER.fullmatch(line)
    if m is None:
        return None
    n, d = int(m.group(1)), int(m.group(2))
    if n <= 0 or d <= 0:
        shown = line.strip().decode("ascii", "replace")[:60]
        bad = f"{n} vectors" if n <= 0 else f"{d} dimensions"
        raise FormatError(f"{path}: line {line_no}: the header {shown!r} promises {bad}; a header 'COUNT DIM' "
                          f"needs a positive count and dimension")
    return n, d


def check_header_fits(path: Path, n: int, d: int, r: Reader, row_bytes: int) -> None:
    """Refuse a header that promises more than the file can hold, before anything is allocated
    or read: ``n`` rows of at least ``row_bytes`` bytes each must fit in an uncompressed file. (A
    compressed file is never preallocated from its header, so it is not checked here.)"""
    if r.compressed is None and n * row_bytes > r.size:
        raise FormatError(f"{path}: truncated, or a wrong header: the header promises {n:,} vectors of {d:,} "
                          f"dimensions (at least {row_bytes:,} bytes each), but the file has only {r.size:,} bytes")


def text_shape(data: bytes, d: int, whole: bool) -> str:
    """What the bytes after a header look like: ``"rows"`` (UTF-8 lines of a word and ``d``
    fields each), ``"text"`` (printable UTF-8, but not that shape) or ``"binary"``.
    ``whole``: ``data`` is the rest of the file, not a prefix of it."""
    if not whole:
        cut = data.rfind(b"\n")
        if cut >= 0:
            data = data[:cut + 1]
    if _CONTROL.search(data):
        return "binary"
    try:
        text = data.decode("utf-8")
        partial = not whole and not data.endswith(b"\n")
    except UnicodeDecodeError as e:
        if whole or e.reason != "unexpected end of data":
            return "binary"
        text, partial = data[:e.start].decode("utf-8"), True
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if partial and lines:
        lines.pop()  # a line cut in the middle: its field count is unknown
    if lines and all(len(ln.split()) == d + 1 for ln in lines):
        return "rows"
    return "text"


def binary_layout(data: bytes, n: int, d: int, whole: bool) -> bool:
    """True if ``data`` (after the header) reads as word2vec binary records of ``d`` float32s:
    all ``n`` of them and nothing after (``whole``), or as many as ``data`` holds."""
    rec = 4 * d
    pos = rows = 0
    while rows < n:
        sp = data.find(b" ", pos, pos + 100_000)
        if sp < 0 or sp + 1 + rec > len(data):
            break
        rows += 1
        pos = sp + 1 + rec
    if whole:
        return rows == n and not data[pos:].strip()
    return rows > 0


# -- reading ----------------------------------------------------------------------------------
def chunks(r: Reader) -> Iterator[bytes]:
    """Decompressed data in pieces that end at a newline (or at the end of the file)."""
    tail = b""
    while True:
        block = r.read(CHUNK)
        if not block:
            if tail:
                yield tail
            return
        data = tail + block
        cut = data.rfind(b"\n")
        if cut < 0:
            tail = data
            continue
        tail = data[cut + 1:]
        yield data[: cut + 1]


def decode_chunk(chunk: bytes, path: Path, line0: int, fmt: str) -> str:
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError as e:
        line = line0 + chunk.count(b"\n", 0, e.start)
        col = e.start - (chunk.rfind(b"\n", 0, e.start) + 1) + 1
        if b"\x00" in chunk:
            hint = "; it looks binary: for a word2vec binary file use format word2vec-bin"
        else:
            hint = "; vector files must be UTF-8"
        raise FormatError(f"{path}: line {line}: not valid UTF-8 (byte 0x{chunk[e.start]:02x} at "
                          f"column {col}){hint}") from None


def read_text(path: Path, header: bool, limit: int | None, progress: ProgressFn | None,
              fmt: str) -> tuple[list[str], np.ndarray]:
    stage = f"read {path.name}"
    words: list[str] = []
    blocks: list[np.ndarray] = []
    n_expected: int | None = None
    d: int | None = None
    line0 = 1  # line number of the first line of the current chunk
    with Reader(path) as r:
        for chunk in chunks(r):
            if not words and not blocks and line0 == 1 and b"\x00" in chunk[:1 << 16]:
                raise FormatError(f"{path}: looks like a binary file (NUL bytes), not {fmt} text; "
                                  f"for a word2vec binary file use format word2vec-bin")
            text = decode_chunk(chunk, path, line0, fmt)
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            first = 0
            if header and n_expected is None:
                # the header: first non-blank line
                while first < len(lines) and not lines[first].strip():
                    first += 1
                if first == len(lines):
                    line0 += len(lines)
                    continue
                hdr = parse_header(lines[first].encode(), path, line0 + first)
                if hdr is None:
                    raise FormatError(f"{path}: line {line0 + first}: a {fmt} file starts with a header "
                                      f"'COUNT DIM' (two integers), got {lines[first].strip()[:60]!r}; "
                                      f"for a file without header use format glove")
                n_expected, d = hdr
                check_header_fits(path, n_expected if limit is None else min(n_expected, limit), d, r, 2 * d + 1)
                first += 1
            if d is None:
                while first < len(lines) and not lines[first].strip():
                    first += 1
                if first == len(lines):
                    line0 += len(lines)
                    continue
                d = len(lines[first].split()) - 1
                if d < 1:
                    raise FormatError(f"{path}: line {line0 + first}: a word with no values")
            want = None
            if limit is not None:
                want = limit - len(words)
            if n_expected is not None:
                left = n_expected - len(words)
                want = left if want is None else min(want, left)
            cw, cv, used = _parse_lines(lines, first, d, path, line0, want)
            if n_expected is not None and used < len(lines) and (limit is None or len(words) + len(cw) < limit):
                extra = next((i for i in range(used, len(lines)) if lines[i].strip()), None)
                if extra is not None:
                    raise FormatError(f"{path}: line {line0 + extra}: more rows than the header's "
                                      f"{n_expected:,}")
            words.extend(cw)
            if len(cv):
                blocks.append(cv)
            line0 += len(lines)
            report(progress, stage, r.done, r.size, words=len(words))
            if limit is not None and len(words) >= limit:
                break
        report(progress, stage, r.done, r.size, finished=True, words=len(words))
    if n_expected is None and d is None:
        raise FormatError(f"{path}: empty file")
    if n_expected is not None and len(words) < n_expected and (limit is None or len(words) < limit):
        raise FormatError(f"{path}: the header promises {n_expected:,} rows but the file has only "
                          f"{len(words):,}")
    if not words:
        raise FormatError(f"{path}: no vectors in file")
    vectors = np.concatenate(blocks) if len(blocks) != 1 else blocks[0]
    return words, np.ascontiguousarray(vectors, dtype=np.float32)


def _parse_lines(lines: list[str], first: int, d: int, path: Path, line0: int,
                 want: int | None) -> tuple[list[str], np.ndarray, int]:
    """Parse ``lines[first:]`` (at most ``want`` non-blank rows) into words and a (k, d) matrix
    of finite float32s; also return the index of the first line not consumed."""
    words: list[str] = []
    rests: list[str] = []
    at: list[int] = []  # the index in ``lines`` of each row
    i = first
    end = len(lines)
    if want is not None and want <= 0:
        return words, _NONE, first
    for i in range(first, end):
        line = lines[i].rstrip()
        if not line:
            continue
        if line[0].isspace():
            raise FormatError(f"{path}: line {line0 + i}: starts with white space, so its word is empty "
                              f"(a line is the word, then its values)")
        w, _, rest = line.partition(" ")
        words.append(w)
        rests.append(rest)
        at.append(i)
        if want is not None and len(words) >= want:
            i += 1
            break
    else:
        i = end
    if not words:
        return words, _NONE, i
    try:  # fast path: numpy's C parser, exactly one space between values
        with warnings.catch_warnings():  # "input contained no data": rows without values, diagnosed below
            warnings.simplefilter("ignore", UserWarning)
            flat = np.loadtxt(rests, dtype=np.float32, delimiter=" ", comments=None, quotechar=None, ndmin=2)
        fast = flat.shape == (len(rests), d)
    except ValueError:
        fast = False
    if not fast:
        # slow path: exact diagnostics, and tolerant of tabs and repeated spaces between values;
        # every row is checked before the matrix is allocated
        split = []
        for w, rest, j in zip(words, rests, at):
            vals = rest.split()
            if len(vals) != d:
                raise FormatError(f"{path}: line {line0 + j}: wrong dimension: {len(vals)} values after "
                                  f"{w[:40]!r}, expected {d}")
            split.append(vals)
        flat = np.empty((len(words), d), dtype=np.float32)
        for row, (vals, j) in enumerate(zip(split, at)):
            try:
                with np.errstate(over="ignore"):
                    flat[row] = np.array(vals, dtype=np.float64)
            except ValueError:
                check_numbers(path, line0 + j, vals)
                raise  # pragma: no cover
    bad = first_nonfinite(flat)
    if bad is not None:
        raise nonfinite_error(path, f"line {line0 + at[bad]}", rests[bad].split())
    return words, flat, i


def first_nonfinite(block: np.ndarray) -> int | None:
    """The index of the first row of ``block`` holding a NaN or an infinity, else None."""
    ok = np.isfinite(block).all(axis=1)
    return None if ok.all() else int(np.argmin(ok))


def nonfinite_error(path, where: str, vals: list[str] | np.ndarray) -> FormatError:
    """The error for a row (``where``: ``line 5``, ``row 3 ('cat')``) holding a value that is
    not a finite float32; ``vals`` are the row's values (text or numbers)."""
    for k, v in enumerate(vals, 1):
        try:
            with np.errstate(over="ignore"):
                finite = bool(np.isfinite(np.float32(float(v))))
        except (ValueError, OverflowError):
            finite = False
        if not finite:
            shown = f"({v[:40]!r})" if isinstance(v, str) else f"({float(v)})"
            return FormatError(f"{path}: {where}: value {k} {shown} is not a finite number (NaN, infinity, "
                               f"or beyond float32's range of ±3.4e38)")
    return FormatError(f"{path}: {where}: a value is not a finite number")  # pragma: no cover


def looks_like_text(b: bytes) -> bool:
    """True if these bytes (supposedly binary floats) are printable UTF-8 text."""
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((c < " " and c not in "\t\n\r") or c == "\x7f" for c in t)


def check_numbers(path, line: int, vals: list[str]) -> None:
    """Raise a FormatError naming the first value on ``line`` that is not a number."""
    for k, v in enumerate(vals, 1):
        try:
            float(v)
        except ValueError:
            raise FormatError(f"{path}: line {line}: value {k} ({v[:40]!r}) is not a number") from None


def read_words(path: Path) -> list[str]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise FormatError(f"{path}: line {line}: not valid UTF-8") from None
    words = text.split("\n")
    if words and words[-1] == "":
        words.pop()
    if "\r" not in text:  # the usual case: no per-word pass (a cold query reads every word)
        return words
    return [w[:-1] if w.endswith("\r") else w for w in words]
