"""Compressed input (gzip, bzip2, xz): recognising it, opening it, and turning every way a
compressed stream can be broken (``zlib.error``, ``LZMAError``, ``EOFError``, ``OSError``) into
one message naming the file: ``corrupt gzip data in PATH (...)``.

Used by every reader of user files: vector files (:class:`Reader`, by magic bytes), corpora and
benchmark files (by suffix, :func:`open_by_suffix`)."""

from __future__ import annotations

import lzma
import os
import zlib
from pathlib import Path
from typing import BinaryIO

from vecs.errors import FormatError

MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}


SUFFIXES = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}


# what reading a broken compressed stream can raise: gzip (BadGzipFile is an OSError, zlib.error,
# EOFError when truncated), bz2 (OSError "Invalid data stream", EOFError), lzma (LZMAError, EOFError)
DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


def decompression_problem(path: str | os.PathLike, kind: str | None, e: BaseException) -> str:
    """The one-line message for an error raised while reading ``path`` (compressed as ``kind``,
    or None): ``corrupt gzip data in PATH (why)``, or ``cannot read PATH (why)`` for a real I/O
    error (one with an errno: a disk, a permission)."""
    why = (getattr(e, "strerror", None) or str(e) or type(e).__name__).strip()
    if isinstance(e, EOFError):
        why = f"truncated: {why}" if "ended" not in why else why
    if kind is None or (isinstance(e, OSError) and e.errno is not None):
        return f"cannot read {path} ({why})"
    return f"corrupt {kind} data in {path} ({why})"


def compression(path: Path) -> str | None:
    """``gzip``, ``bzip2`` or ``xz`` by the file's first bytes, else None."""
    with open(path, "rb") as f:
        head = f.read(6)
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def open_kind(source, kind: str | None) -> BinaryIO:
    """A decompressing binary reader over ``source`` (a path or a file object)."""
    if kind == "gzip":
        import gzip

        return gzip.GzipFile(filename=source, mode="rb") if isinstance(source, (str, Path)) else \
            gzip.GzipFile(fileobj=source, mode="rb")
    if kind == "bzip2":
        import bz2

        return bz2.BZ2File(source, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(source, mode="rb")
    return open(source, "rb") if isinstance(source, (str, Path)) else source


def suffix_kind(path: Path) -> str | None:
    """The compression a file's suffix names (``.gz``, ``.bz2``, ``.xz``), else None."""
    return SUFFIXES.get(path.suffix.lower())


def open_by_suffix(path: Path) -> BinaryIO:
    """``path`` opened for binary reading, decompressed when its suffix says so."""
    return open_kind(path, suffix_kind(path))


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


class Reader:
    """Decompressed byte stream of ``path`` (compression recognised by its magic bytes) plus how
    far through the file on disk we are. ``read`` raises ``error`` (a :class:`VecsError` class)
    with :func:`decompression_problem`'s message on corrupt or truncated data."""

    def __init__(self, path: Path, error: type[Exception] = FormatError):
        self.error = error
        self.path = path
        self.size = path.stat().st_size
        self.compressed = compression(path)
        self.raw = _Counting(open(path, "rb"))
        self.stream = open_kind(self.raw, self.compressed)

    def read(self, n: int) -> bytes:
        try:
            return self.stream.read(n)
        except (*DECOMPRESSION_ERRORS, ValueError) as e:
            raise self.error(decompression_problem(self.path, self.compressed, e)) from None

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
    """The suffix of ``path`` under any compression suffix (``v.bin.gz`` -> ``.bin``)."""
    name = path.name.lower()
    for ext in SUFFIXES:
        if name.endswith(ext):
            name = name[: -len(ext)]
    return os.path.splitext(name)[1]
