"""Reading text vector files (word2vec text, GloVe, fastText .vec), streamed and checked line by line."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from vecs.errors import FormatError
from vecs.progress import ProgressFn, report

CHUNK = 8 << 20  # bytes per read: big enough to amortise numpy calls, small enough to stream


_MAGIC = {b"\x1f\x8b": "gz", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}


NUMERIC_TAIL = re.compile(rb"^[0-9eE+\-.naifNAIF \t\r]*$")  # what follows the word on a text line


# -- opening ----------------------------------------------------------------------------------
class _Counting:
    """A raw file that remembers how many bytes were read (for progress on compressed input)."""

    def __init__(self, f: BinaryIO):
        self.f = f
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        b = self.f.read(n)
        self.pos += len(b)
        return b

    def readinto(self, buf) -> int:
        n = self.f.readinto(buf)
        self.pos += n or 0
        return n

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.f.close()

    @property
    def closed(self) -> bool:
        return self.f.closed


def _compression(path: Path) -> str | None:
    with open(path, "rb") as f:
        head = f.read(6)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


class Reader:
    """Decompressed byte stream of ``path`` plus how far through the file on disk we are."""

    def __init__(self, path: Path):
        self.path = path
        self.size = path.stat().st_size
        self.raw = _Counting(open(path, "rb"))
        kind = _compression(path)
        if kind == "gz":
            import gzip

            self.stream = gzip.GzipFile(fileobj=self.raw, mode="rb")
        elif kind == "bz2":
            import bz2

            self.stream = bz2.BZ2File(self.raw, mode="rb")
        elif kind == "xz":
            import lzma

            self.stream = lzma.LZMAFile(self.raw, mode="rb")
        else:
            self.stream = self.raw
        self.compressed = kind

    def read(self, n: int) -> bytes:
        try:
            return self.stream.read(n)
        except (OSError, EOFError, ValueError) as e:  # corrupt or truncated compressed data
            raise FormatError(f"{self.path}: cannot decompress ({self.compressed}): {e}") from None

    @property
    def done(self) -> int:
        return self.raw.pos

    def close(self) -> None:
        if self.stream is not self.raw:
            self.stream.close()
        self.raw.close()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def base_suffix(path: Path) -> str:
    name = path.name.lower()
    for ext in (".gz", ".bz2", ".xz"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return os.path.splitext(name)[1]


def parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) != 2:
        return None
    try:
        n, d = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    return (n, d) if n >= 0 and d > 0 else None


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
                hdr = parse_header(lines[first].encode())
                if hdr is None:
                    raise FormatError(f"{path}: line {line0 + first}: a {fmt} file starts with a header "
                                      f"'COUNT DIM' (two integers), got {lines[first].strip()[:60]!r}; "
                                      f"for a file without header use format glove")
                n_expected, d = hdr
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
    """Parse ``lines[first:]`` (at most ``want`` non-blank rows) into words and a (k, d) matrix;
    also return the index of the first line not consumed."""
    words: list[str] = []
    rests: list[str] = []
    i = first
    end = len(lines)
    if want is not None and want <= 0:
        return words, np.empty((0, d), np.float32), first
    for i in range(first, end):
        line = lines[i].rstrip()
        if not line:
            continue
        w, _, rest = line.partition(" ")
        words.append(w)
        rests.append(rest)
        if want is not None and len(words) >= want:
            i += 1
            break
    else:
        i = end
    if not words:
        return words, np.empty((0, d), np.float32), i
    try:  # fast path: numpy's C parser, exactly one space between values
        flat = np.loadtxt(rests, dtype=np.float32, delimiter=" ", comments=None, quotechar=None, ndmin=2)
        fast = flat.shape == (len(rests), d)
    except ValueError:
        fast = False
    if fast:
        return words, flat, i
    # slow path: exact diagnostics, and tolerant of tabs and repeated spaces between values
    out = np.empty((len(words), d), dtype=np.float32)
    row = 0
    for j in range(first, i):
        line = lines[j].rstrip()
        if not line:
            continue
        w, _, rest = line.partition(" ")
        vals = rest.split()
        if len(vals) != d:
            raise FormatError(f"{path}: line {line0 + j}: wrong dimension: {len(vals)} values after "
                              f"{w[:40]!r}, expected {d}")
        try:
            out[row] = np.array(vals, dtype=np.float64)
        except ValueError:
            check_numbers(path, line0 + j, vals)
            raise  # pragma: no cover
        row += 1
    return words, out, i


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
    return [w[:-1] if w.endswith("\r") else w for w in words]
