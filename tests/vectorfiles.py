"""Helpers for the vector-file tests (tests/io/): a space whose values need every digit, raw file
writers, and the check that a malformed file is refused with a message naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vecs import Space
from vecs.errors import FormatError
from vecs.io.formats import read_vectors

ALL_FORMATS = ["word2vec", "word2vec-bin", "glove", "tsv"]


def tricky() -> Space:
    """Unicode words and float32 values that need all 9 digits, tiny, huge, negative zero."""
    rng = np.random.default_rng(0)
    v = rng.standard_normal((6, 5)).astype(np.float32)
    v[0] = [np.float32(1) / 3, -0.0, 1e-30, 3.4028235e38, np.nextafter(np.float32(1), 2, dtype=np.float32)]
    v[1] = [0.418, 0.24968, -0.41242, 1e-45, -1.5e-7]
    return Space(["the", "café", "日本", "naïve", "a'b\"c", "x-y"], v, name="tricky")


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def bin_bytes(words, vectors, header=None, newline=True) -> bytes:
    n, d = np.asarray(vectors).shape
    out = (header if header is not None else f"{n} {d}\n").encode()
    for w, v in zip(words, vectors):
        out += w.encode() + b" " + np.asarray(v, dtype="<f4").tobytes() + (b"\n" if newline else b"")
    return out


def refuse(path, fmt, *patterns):
    """``read_vectors(path, fmt)`` raises a FormatError naming the file and containing every pattern."""
    with pytest.raises(FormatError) as e:
        read_vectors(path, format=fmt)
    msg = str(e.value)
    assert str(path) in msg or path.name in msg, msg
    for p in patterns:
        assert p in msg, msg
    return msg
