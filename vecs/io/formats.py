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

import numpy as np

from vecs.errors import FormatError
from vecs.io.binary import SAMPLE, read_bin
from vecs.io.compressed import Reader, base_suffix
from vecs.io.text import binary_layout, parse_header, read_text, text_shape
from vecs.io.tsv import TSV_METADATA, TSV_VECTORS, read_tsv
from vecs.progress import ProgressFn
from vecs.space import Space

READ_FORMATS = ("auto", "word2vec", "word2vec-bin", "glove", "fasttext", "tsv")


DUPLICATES_SHOWN = 5  # how many dropped duplicate words ``meta["duplicate_words"]`` lists


def sniff(path: str | os.PathLike) -> str:
    """Guess the format of a vector file (or TSV folder). ``glove`` unless the first line is
    two integers (a header: a zero or negative count is an error). After a header: ``word2vec``
    (text) when the next lines are UTF-8 text of a word and DIM fields each, or printable text
    that cannot be DIM-float binary records; else ``word2vec-bin``. A ``.bin`` suffix means
    ``word2vec-bin`` (whose reader refuses text)."""
    path = Path(path)
    if path.is_dir():
        if (path / TSV_VECTORS).is_file():
            return "tsv"
        raise FormatError(f"{path}: a folder, but neither a stored model nor a TSV pair ({TSV_VECTORS})")
    if tsv_member(path):
        return "tsv"
    with Reader(path) as r:
        head = r.read(SAMPLE)
        whole = not r.read(1)
    if not head.strip():
        raise FormatError(f"{path}: empty file")
    nl = head.find(b"\n")
    first = head if nl < 0 else head[:nl]
    hdr = parse_header(first, path)
    if base_suffix(path) == ".bin":
        return "word2vec-bin"
    if hdr is None:
        if b"\x00" in head:
            raise FormatError(f"{path}: binary data without a word2vec header ('COUNT DIM')")
        return "glove"
    n, d = hdr
    rest = head[nl + 1:] if nl >= 0 else b""
    if not rest.strip():
        return "word2vec"  # a header and nothing else: the text reader says what is missing
    shape = text_shape(rest, d, whole)
    if shape == "rows" or (shape == "text" and not binary_layout(rest, n, d, whole)):
        return "word2vec"
    return "word2vec-bin"


def tsv_member(path: Path) -> bool:
    """``path`` is one file of an Embedding Projector pair, as ``vecs export --format tsv`` writes
    it: ``vectors.tsv`` or ``metadata.tsv`` (or any ``.tsv`` file with a ``metadata.tsv`` beside it)."""
    name = path.name.lower()
    if name in (TSV_VECTORS, TSV_METADATA):
        return True
    return base_suffix(path) == ".tsv" and (path.parent / TSV_METADATA).is_file()


# -- reading ------------------------------------------------------------------------------------
def read_vectors(path: str | os.PathLike, format: str = "auto", limit: int | None = None,
                 progress: ProgressFn | None = None) -> Space:
    """Read a vector file into a :class:`Space` (``meta``: kind ``imported``, ``source`` the
    absolute path, ``format`` the format actually read). ``limit`` keeps the first N rows.
    Progress events report bytes read (of the file on disk) and words so far.

    A word that comes again is dropped, keeping its first row as gensim does; ``meta`` then
    says how many were dropped (``duplicates_dropped``) and the first few of them
    (``duplicate_words``). Every value is a finite float32, or :class:`FormatError` names the
    file and the line (the row, in a binary file)."""
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
    words, vectors, dropped = drop_duplicates(words, vectors)
    if dropped:
        meta["duplicates_dropped"] = len(dropped)
        meta["duplicate_words"] = dropped[:DUPLICATES_SHOWN]
    return Space(words, vectors, name=path.name, meta=meta)


def drop_duplicates(words: list[str], vectors: np.ndarray) -> tuple[list[str], np.ndarray, list[str]]:
    """Keep the first row of every word (as gensim does); also return the dropped words, in file
    order (a word repeated twice is listed twice). Rows are moved in place: no second matrix."""
    if len(set(words)) == len(words):
        return words, vectors, []
    seen: set[str] = set()
    keep = np.fromiter((not (w in seen or seen.add(w)) for w in words), dtype=bool, count=len(words))
    dropped = [w for w, k in zip(words, keep) if not k]
    idx = np.flatnonzero(keep)
    first = [words[i] for i in idx]
    step = 1 << 16
    for s in range(0, len(idx), step):  # idx[j] >= j: each block reads rows not yet overwritten
        vectors[s:s + len(idx[s:s + step])] = vectors[idx[s:s + step]]
    return first, vectors[:len(idx)], dropped
