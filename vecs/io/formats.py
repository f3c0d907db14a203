"""Reading and writing word-vector files: word2vec text and binary, GloVe, fastText ``.vec``,
and the TensorFlow Embedding Projector TSV pair.

Our own parsers (never gensim's loader, which may unpickle): strict, fast, and every refusal
is a :class:`FormatError` naming the file and the line (text) or row (binary).

Formats
-------
``word2vec``      text: header ``COUNT DIM``, then ``word v1 ... vDIM`` per line.
``fasttext``      the same as ``word2vec`` (fastText's ``.vec`` files).
``word2vec-bin``  Mikolov/gensim binary: the header line, then per word the UTF-8 word, a
                  space, DIM little-endian float32 values, and an optional newline.
``glove``         text without a header; DIM is the number of values on the first line.
``tsv``           (read and write) a folder holding ``vectors.tsv`` (tab-separated floats, no
                  header) and ``metadata.tsv`` (one word per line, no header), as the TensorFlow
                  Embedding Projector loads them. PATH is the folder.

Text files may be compressed with gzip, bzip2 or xz (recognised by their magic bytes, so
the suffix does not matter); ``write_vectors`` compresses when PATH ends in ``.gz``, ``.bz2``
or ``.xz``. Text output writes each float32 with the fewest significant digits
that reads back to the same float32 (the shortest such form), so every write/read round trip
is exact.
"""

from __future__ import annotations

import os
from pathlib import Path

from vecs.errors import FormatError
from vecs.io.binary import read_bin
from vecs.io.text import NUMERIC_TAIL, Reader, base_suffix, parse_header, read_text
from vecs.io.tsv import TSV_VECTORS, read_tsv
from vecs.progress import ProgressFn
from vecs.space import Space

READ_FORMATS = ("auto", "word2vec", "word2vec-bin", "glove", "fasttext", "tsv")


def sniff(path: str | os.PathLike) -> str:
    """Guess the format of a vector file (or TSV folder): ``word2vec-bin`` for binary content
    or a ``.bin`` suffix, ``word2vec`` when the first line is two integers, else ``glove``."""
    path = Path(path)
    if path.is_dir():
        if (path / TSV_VECTORS).is_file():
            return "tsv"
        raise FormatError(f"{path}: a folder, but neither a stored model nor a TSV pair ({TSV_VECTORS})")
    with Reader(path) as r:
        head = r.read(1 << 16)
    if not head.strip():
        raise FormatError(f"{path}: empty file")
    if base_suffix(path) == ".bin":
        return "word2vec-bin"
    nl = head.find(b"\n")
    first = head if nl < 0 else head[:nl]
    hdr = parse_header(first)
    if hdr is None:
        if b"\x00" in head:
            raise FormatError(f"{path}: binary data without a word2vec header ('COUNT DIM')")
        return "glove"
    rest = head[nl + 1:] if nl >= 0 else b""
    end = rest.find(b"\n")
    line2 = rest if end < 0 else rest[:end]
    sp = line2.find(b" ")
    if not line2 or (sp > 0 and b"\x00" not in line2 and NUMERIC_TAIL.match(line2[sp + 1:])):
        return "word2vec"
    return "word2vec-bin"


# -- reading ------------------------------------------------------------------------------------
def read_vectors(path: str | os.PathLike, format: str = "auto", limit: int | None = None,
                 progress: ProgressFn | None = None) -> Space:
    """Read a vector file into a :class:`Space` (``meta``: kind ``imported``, ``source`` the
    absolute path, ``format`` the format actually read). ``limit`` keeps the first N words.
    Progress events report bytes read (of the file on disk) and words so far."""
    path = Path(path).expanduser()
    if format not in READ_FORMATS:
        raise FormatError(f"unknown vector format {format!r}; choose one of {', '.join(READ_FORMATS)}")
    if limit is not None and limit < 1:
        raise FormatError(f"limit must be at least 1, got {limit}")
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    if format == "auto":
        format = sniff(path)
    if format == "tsv":
        words, vectors = read_tsv(path, limit, progress)
    elif path.is_dir():
        raise FormatError(f"{path}: a folder, not a {format} file")
    elif format == "word2vec-bin":
        words, vectors = read_bin(path, limit, progress)
    else:
        words, vectors = read_text(path, header=format != "glove", limit=limit, progress=progress,
                                    fmt=format)
    meta = {"kind": "imported", "source": str(path.resolve()), "format": format}
    if limit is not None:
        meta["limit"] = limit
    return Space(words, vectors, name=path.name, meta=meta)

