"""Shared pieces of the property-based reader tests (``test_*_fuzz.py``): bounded, repeatable
settings, compression, and damage (truncation, a flipped byte, inserted bytes) of any file."""

from __future__ import annotations

from pathlib import Path

import bz2
import gzip
import lzma

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

# derandomized, no example database: the same examples on every machine, every run
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

COMPRESS = {"gz": lambda b: gzip.compress(b, mtime=0), "bz2": bz2.compress, "xz": lzma.compress}


def damage(draw, data: bytes, intact: int = 4) -> bytes:
    """``data`` (``intact`` times in ``intact`` + 3), or truncated, one byte flipped, or a few
    bytes inserted."""
    how = draw(st.sampled_from(["none"] * intact + ["truncate", "flip", "flip", "insert"][:3 + (intact < 2)]))
    if not data or how == "none":
        return data
    i = draw(st.integers(0, len(data) - 1))
    if how == "truncate":
        return data[:i]
    if how == "flip":
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    return data[:i] + draw(st.binary(min_size=1, max_size=4)) + data[i:]


@st.composite
def stored(draw, content, suffixes=(".txt",)) -> tuple[bytes, str]:
    """``content`` (a strategy of bytes) as a file: damaged, maybe compressed (and damaged
    again), with a name from ``suffixes`` plus a compression suffix that may or may not match."""
    data = damage(draw, draw(content))
    comp = draw(st.sampled_from([None, None, None, "gz", "gz", "bz2", "xz", "xz"]))
    name = "f" + draw(st.sampled_from(list(suffixes)))
    if comp is not None:
        data = damage(draw, COMPRESS[comp](data), intact=1)
    right = "." + comp if comp else ""  # mostly the suffix that says how the file is compressed
    suffix = draw(st.sampled_from([right, right, right, right, "", ".gz", ".bz2", ".xz"]))
    return data, name + suffix


def outcome(kind: str) -> None:
    """Record what an example did (``pytest --hypothesis-show-statistics`` shows the shares)."""
    event(f"outcome: {kind}")


def loads_or_typed_error(load, path, error: type, loaded: str = "loaded"):
    """``load(path)``: its value, or None when it raised ``error`` (a VecsError of that kind) in one
    line naming the file. Any other exception fails the example. Records the outcome."""
    from vecs.errors import VecsError

    try:
        got = load(path)
    except VecsError as e:
        assert isinstance(e, error), f"{type(e).__name__}: {e}"
        assert "\n" not in str(e) and Path(path).name in str(e), str(e)
        outcome(f"typed error ({error.__name__})")
        return None
    outcome(loaded)
    return got
