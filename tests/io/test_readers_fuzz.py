"""Property-based tests of the vector-file readers (vecs.io: text, binary, TSV, compressed or
not): any bytes either load as a Space of finite float32 vectors with unique words, or raise
FormatError with a one-line message naming the file; and any Space of finite values round-trips
through write_vectors and read_vectors in every format (or the writer refuses a word that format
cannot hold, before writing).

Bounded and repeatable: ``derandomize=True``, ~200 examples a test. Outcomes are recorded as
hypothesis events (``pytest --hypothesis-show-statistics`` shows the typed-error rate)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from fuzzfiles import COMPRESS, FUZZ, damage
from hypothesis import event, given, settings
from hypothesis import strategies as st

from vecs import Space
from vecs.errors import FormatError, VecsError
from vecs.io.formats import read_vectors
from vecs.io.write import write_vectors

# -- strategies ---------------------------------------------------------------------------------
FLOAT = st.floats(width=32).map(repr)  # NaN and infinities included
NUMBER = st.one_of(
    FLOAT, FLOAT, FLOAT, st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["nan", "-inf", "inf", "1e39", "-1e400", "0,5", "1.2.3", "x", "", "-0", "1e-50", "0x10",
                     "1_0", "+.5", "NaN", "٣"]),
)
WORD = st.one_of(st.sampled_from(["cat", "dog", "cat", "日本", "x", "", " ", "\x00", "\ufeff", "\r", "5"]),
                 st.text(max_size=6))
SEP = st.sampled_from([" ", " ", " ", "  ", "\t", " \t"])
EOL = st.sampled_from(["\n", "\n", "\n", "\r\n", "", "\n\n", "\x0b"])
COUNT = st.one_of(st.integers(-2, 6), st.sampled_from([0, 10**12, 10**23, 2**63]))


def _rows(draw, n: int, d: int) -> int:
    """How many rows to write: mostly the header's count."""
    return n if draw(st.integers(0, 3)) else draw(st.integers(0, 6))


def _width(draw, d: int) -> int:
    """How many values a row gets: mostly the dimension."""
    return d if draw(st.integers(0, 5)) else draw(st.integers(0, 5))


@st.composite
def text_file(draw) -> bytes:
    """Lines of a word and values (mostly the right number of them), under a header or not."""
    d = draw(st.integers(1, 4))
    n = draw(st.integers(1, 5))
    header = draw(st.one_of(st.just(f"{n} {d}"), st.just(f"{n} {d}"), st.none(),
                            st.tuples(COUNT, COUNT).map(lambda t: f"{t[0]} {t[1]}"), st.text(max_size=8)))
    lines = [] if header is None else [header]
    for _ in range(_rows(draw, n, d)):
        lines.append(draw(WORD) + "".join(draw(SEP) + draw(NUMBER) for _ in range(_width(draw, d))))
    return "".join(line + draw(EOL) for line in lines).encode("utf-8", "surrogatepass")


@st.composite
def binary_file(draw) -> bytes:
    """A word2vec binary header, then records: a word, a space, float32s (or any bytes), a newline."""
    d = draw(st.integers(1, 4))
    n = draw(st.integers(1, 5))
    header = draw(st.one_of(st.just(f"{n} {d}"), st.just(f"{n} {d}"),
                            st.tuples(COUNT, COUNT).map(lambda t: f"{t[0]} {t[1]}")))
    out = header.encode() + b"\n"
    for _ in range(_rows(draw, n, d)):
        word = draw(st.one_of(WORD.map(lambda w: w.encode("utf-8", "surrogatepass")), st.binary(max_size=4)))
        k = _width(draw, d)
        vals = draw(st.one_of(
            st.lists(st.floats(width=32), min_size=k, max_size=k).map(lambda v: np.array(v, "<f4").tobytes()),
            st.lists(st.floats(width=32), min_size=k, max_size=k).map(lambda v: np.array(v, "<f4").tobytes()),
            st.binary(min_size=4 * k, max_size=4 * k)))
        out += word + b" " + vals + draw(st.sampled_from([b"\n", b"\n", b""]))
    return out


@st.composite
def vector_file(draw) -> tuple[bytes, str]:
    """Bytes of a would-be vector file (damaged, compressed, damaged again) and a file name."""
    data = damage(draw, draw(st.one_of(text_file(), binary_file(), st.binary(max_size=200))))
    comp = draw(st.sampled_from([None, None, None, "gz", "gz", "bz2", "xz", "xz"]))
    name = "v" + draw(st.sampled_from([".txt", ".bin", ".vec", ""]))
    if comp is not None:
        data = damage(draw, COMPRESS[comp](data), intact=1)
        name += draw(st.sampled_from(["." + comp, ""]))  # compression is recognised by content
    return data, name


# -- checks -------------------------------------------------------------------------------------
def loads_or_refuses(read, path: Path) -> Space | None:
    """``read()`` gives a sound Space, or a one-line VecsError naming ``path``: never anything else."""
    try:
        s = read()
    except VecsError as e:
        assert isinstance(e, FormatError), f"{type(e).__name__}: {e}"
        msg = str(e)
        assert "\n" not in msg and path.name in msg, msg
        event("outcome: typed error (FormatError)")
        return None
    event("outcome: loaded")
    assert s.vectors.dtype == np.float32 and s.vectors.ndim == 2 and s.dim >= 1
    assert s.vectors.shape[0] == len(s.words) >= 1
    assert np.isfinite(s.vectors).all()
    assert len(set(s.words)) == len(s.words)
    return s


# -- any bytes ----------------------------------------------------------------------------------
@FUZZ
@given(f=vector_file(), fmt=st.sampled_from(["auto", "auto", "word2vec", "word2vec-bin", "glove", "fasttext"]),
       limit=st.sampled_from([None, None, 1, 3]))
def test_any_vector_file_loads_or_raises_format_error(f, fmt, limit):
    data, name = f
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / name
        p.write_bytes(data)
        loads_or_refuses(lambda: read_vectors(p, format=fmt, limit=limit), p)


@FUZZ
@given(vec=st.one_of(st.binary(max_size=120), st.lists(st.lists(NUMBER, min_size=0, max_size=4).map("\t".join),
                                                        max_size=5).map(lambda ls: "\n".join(ls).encode())),
       meta=st.one_of(st.binary(max_size=40), st.lists(WORD, max_size=6).map(lambda ws: "\n".join(ws).encode(
           "utf-8", "surrogatepass"))),
       comp=st.sampled_from([None, None, "gz", "xz"]))
def test_any_tsv_folder_loads_or_raises_format_error(vec, meta, comp):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "proj"
        p.mkdir()
        (p / "vectors.tsv").write_bytes(vec if comp is None else COMPRESS[comp](vec))
        (p / "metadata.tsv").write_bytes(meta)
        loads_or_refuses(lambda: read_vectors(p), p)


# -- well-formed files: an exact oracle ----------------------------------------------------------
@st.composite
def rows(draw) -> tuple[list[str], np.ndarray]:
    """Words from a small alphabet (so some come again) and float32 rows, NaN and infinities too."""
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 4))
    words = draw(st.lists(st.text("ab日", min_size=1, max_size=2), min_size=n, max_size=n))
    finite = st.floats(width=32, allow_nan=False, allow_infinity=False)
    values = draw(st.lists(st.one_of(finite, finite, finite, finite, finite, st.floats(width=32)),
                           min_size=n * d, max_size=n * d))
    return words, np.array(values, np.float32).reshape(n, d)


def _text(words, v, header: bool, overflow: bool) -> bytes:
    def num(x):  # a non-finite value written as NaN/inf, or as a number beyond float32's range
        return ("1e39" if x > 0 else "-1e39") if overflow and np.isinf(x) else repr(float(x))
    lines = [f"{len(words)} {v.shape[1]}"] if header else []
    lines += [w + " " + " ".join(num(x) for x in row) for w, row in zip(words, v)]
    return "".join(line + "\n" for line in lines).encode()


@FUZZ
@given(r=rows(), fmt=st.sampled_from(["word2vec", "glove", "word2vec-bin", "tsv"]),
       comp=st.sampled_from([None, None, "gz", "bz2", "xz"]), overflow=st.booleans())
def test_well_formed_files_load_exactly_or_name_the_non_finite_value(r, fmt, comp, overflow):
    words, v = r
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "tsv":
            p = Path(tmp) / "proj"
            p.mkdir()
            (p / "metadata.tsv").write_text("".join(w + "\n" for w in words), encoding="utf-8")
            vec = "".join("\t".join(repr(float(x)) for x in row) + "\n" for row in v).encode()
            (p / "vectors.tsv").write_bytes(vec if comp is None else COMPRESS[comp](vec))
        else:
            if fmt == "word2vec-bin":
                data = f"{len(words)} {v.shape[1]}\n".encode() + b"".join(
                    w.encode() + b" " + row.astype("<f4").tobytes() + b"\n" for w, row in zip(words, v))
            else:
                data = _text(words, v, fmt == "word2vec", overflow)
            p = Path(tmp) / ("v.bin" if fmt == "word2vec-bin" else "v.txt")
            p.write_bytes(data if comp is None else COMPRESS[comp](data))
        read = (lambda: read_vectors(p, format=fmt)) if fmt == "glove" else (lambda: read_vectors(p))
        if not np.isfinite(v).all():
            with pytest.raises(FormatError, match="is not a finite number") as e:
                read()
            bad = int(np.argmin(np.isfinite(v).all(axis=1))) + 1
            where = f"row {bad} " if fmt == "word2vec-bin" else f"line {bad + (fmt == 'word2vec')}:"
            assert where in str(e.value), str(e.value)
            event("outcome: typed error (non-finite value)")
            return
        s = read()
        event("outcome: loaded" + (" (duplicates dropped)" if "duplicates_dropped" in s.meta else ""))
        first = list(dict.fromkeys(words))
        assert s.words == first
        np.testing.assert_array_equal(s.vectors, v[[words.index(w) for w in first]])
        assert s.meta.get("duplicates_dropped", 0) == len(words) - len(first)


# -- round trips --------------------------------------------------------------------------------
@st.composite
def spaces(draw) -> Space:
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 5))
    printable = st.text(st.characters(categories=["L", "N", "P", "S", "M"]), min_size=1, max_size=8)
    anything = st.text(min_size=1, max_size=8)
    word = st.tuples(st.integers(0, 4), printable, anything).map(lambda t: t[1] if t[0] else t[2])
    words = draw(st.lists(word, min_size=n, max_size=n, unique=True))  # one in five: any text at all
    values = draw(st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False), min_size=n * d,
                           max_size=n * d))
    return Space(words, np.array(values, np.float32).reshape(n, d))


def _unwritable(words: list[str], fmt: str) -> bool:
    if fmt == "tsv":
        return any(not w or "\n" in w or "\r" in w for w in words)
    control = fmt != "word2vec-bin"
    return any(not w or any(c.isspace() or (control and (c < " " or c == "\x7f")) for c in w) for w in words)


NAMES = {"word2vec": ["v.txt", "v.vec.xz"], "word2vec-bin": ["v.bin", "v.bin.gz"], "glove": ["v.txt", "v.txt.bz2"],
         "tsv": ["proj"]}


@pytest.mark.parametrize("fmt", list(NAMES))
@settings(FUZZ, max_examples=100)
@given(space=spaces(), data=st.data())
def test_any_space_round_trips_through_write_and_read(fmt, space, data):
    name = data.draw(st.sampled_from(NAMES[fmt]))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / name
        try:
            write_vectors(space, out, fmt)
        except FormatError as e:
            assert _unwritable(space.words, fmt), e  # refused only for a word the format cannot hold
            event("outcome: word refused by the writer")
            return
        assert not _unwritable(space.words, fmt)
        event("outcome: round trip")
        # glove has no header, so a first row like "5 3" reads as one: auto-detection is for the others
        for fmt_read in ([fmt] if fmt == "glove" else [fmt, "auto"]):
            back = read_vectors(out, format=fmt_read)
            assert back.words == space.words
            assert back.vectors.dtype == np.float32
            np.testing.assert_array_equal(back.vectors, space.vectors)
            assert np.array_equal(np.signbit(back.vectors), np.signbit(space.vectors))  # -0.0 too
