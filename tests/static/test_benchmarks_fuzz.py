"""Property-based tests of the benchmark readers (vecs.static.benchmarks): any bytes as an analogy
file or a word-pair file, plain or compressed (damaged or not, the suffix matching or not),
either parse or raise DatasetError with a one-line message naming the file; parsed analogy
questions are four words, parsed pair scores are finite."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from fuzzfiles import FUZZ, stored, loads_or_typed_error
from hypothesis import given
from hypothesis import strategies as st

from vecs.errors import DatasetError
from vecs.static.benchmarks import read_analogies, read_pairs

SIMPLE = st.sampled_from(["man", "woman", "king", "queen", "Paris", "France", "日本", "KING"])
WORD = st.one_of(SIMPLE, st.sampled_from(["a b", "", " ", "\t"]), st.text(max_size=5))
SCORE = st.one_of(st.floats().map(repr), st.sampled_from(["nan", "inf", "-inf", "1e400", "7.5", "x", "", " 3 "]))
ANALOGY_LINE = st.one_of(
    st.lists(SIMPLE, min_size=4, max_size=4).map(" ".join), st.lists(SIMPLE, min_size=4, max_size=4).map(" ".join),
    st.lists(WORD, min_size=4, max_size=4).map(" ".join),
    WORD.map(lambda w: ": " + w), st.sampled_from([": capital-common-countries", ":", ": ", "#"]),
    st.lists(WORD, max_size=6).map("\t".join),
)
PAIR_LINE = st.one_of(
    st.tuples(SIMPLE, SIMPLE, SCORE).map("\t".join), st.tuples(SIMPLE, SIMPLE, SCORE).map("\t".join),
    st.tuples(WORD, WORD, SCORE).map("\t".join), st.tuples(WORD, WORD, SCORE).map("\t\t".join),
    st.just("# word1\tword2\tscore"), st.lists(st.one_of(WORD, SCORE), max_size=5).map("\t".join),
    st.text(max_size=12),
)
EOL = st.sampled_from(["\n", "\n", "\r\n", "\r", "\x85", "\u2028"])


def lines(line) -> st.SearchStrategy[bytes]:
    text = st.lists(st.tuples(line, EOL), max_size=6).map(lambda ls: "".join(a + b for a, b in ls))
    return st.one_of(text.map(lambda t: t.encode("utf-8", "surrogatepass")), text.map(lambda t: t.encode("utf-8",
                     "surrogatepass")), st.binary(max_size=80))


def _check(read, p: Path):
    return loads_or_typed_error(read, p, DatasetError, "parsed")


@FUZZ
@given(f=stored(lines(ANALOGY_LINE), suffixes=(".txt",)))
def test_any_analogy_file_parses_or_raises_dataset_error(f):
    data, name = f
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / name
        p.write_bytes(data)
        got = _check(read_analogies, p)
        if got is not None:
            sections, invalid = got
            assert invalid >= 0 and any(qs for _, qs in sections)
            assert all(len(q) == 4 and all(w and not any(c.isspace() for c in w) for w in q)
                       for _, qs in sections for _, q in qs)


@FUZZ
@given(f=stored(lines(PAIR_LINE), suffixes=(".tsv", ".txt")))
def test_any_pair_file_parses_or_raises_dataset_error(f):
    data, name = f
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / name
        p.write_bytes(data)
        got = _check(read_pairs, p)
        if got is not None:
            pairs, invalid = got
            assert pairs and invalid >= 0
            assert all(math.isfinite(score) for _, _, _, score in pairs)


@given(st.lists(st.sampled_from(["cat", "Cat", "CAT", "dog", "Dog", "ox", "straße", "STRASSE", "ǅ", "ǆ", "a\nb"]),
                min_size=1, max_size=40),
       st.lists(st.integers(min_value=0, max_value=45), min_size=1, max_size=3), st.booleans())
def test_key_index_is_gensims_vocabulary_whatever_order_it_is_asked_in(words, sizes, ci):
    """gensim's ``ok_vocab`` (key -> first row among the first n words, upper-cased keys when
    case-insensitive) and every row's first row of its key, for each n asked in turn: the cache
    extended, never stale, and a row at or past n means "not among the first n"."""
    import numpy as np

    from vecs.space import Space

    space = Space(words, np.zeros((len(words), 2), dtype=np.float32))
    for n in sizes:
        R = min(n, len(words))
        key = (lambda w: w.upper()) if ci else (lambda w: w)
        want = {key(w): i for i, w in reversed(list(enumerate(words[:R])))}  # gensim's ok_vocab
        first, kid = space.key_index(ci, n)
        assert {k: r for k, r in first.items() if r < R} == want
        assert kid.tolist() == [want[key(w)] for w in words[:R]] and kid.dtype == np.int64
        assert not kid.flags.writeable  # the cache is shared: no caller may change it


ASCII_LINE = st.one_of(
    st.lists(st.sampled_from(["a", "Bb", "c:d", ":", ": x", "x y"]), min_size=3, max_size=5).map(" ".join),
    st.text(st.sampled_from(list("ab: \t\x0b\x0c\r\x1c\x1f\x7f")), max_size=12),
    st.sampled_from([": capital", ":", ": ", ":  a b c d", ""]),
)


@FUZZ
@given(st.lists(ASCII_LINE, max_size=8), st.booleans())
def test_the_vectorised_ascii_parse_is_the_line_by_line_parse(lines, final_newline):
    """ASCII files are parsed with array operations: the same sections, lines, words and
    invalid count as the line-by-line loop, for any mix of headers, blanks and odd whitespace."""
    import numpy as np

    from vecs.static.benchmarks import _parse_ascii, _parse_lines

    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    got, want = _parse_ascii(text.encode("ascii"), pieces), _parse_lines(pieces)
    assert got[0] == want[0] and got[3] == want[3] and got[4] == want[4]
    assert np.array_equal(got[1], want[1]) and np.array_equal(got[2], want[2])
