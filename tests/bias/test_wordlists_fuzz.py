"""Property-based tests of the word-list readers (vecs.bias.wordlists): any bytes as a list file
or a pairs file either give words (a list: one word a line, no repeats; pairs: two words a line)
or raise DatasetError with a one-line message naming the file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzzfiles import FUZZ, loads_or_typed_error
from hypothesis import given
from hypothesis import strategies as st

from vecs.bias.wordlists import load_list, load_pairs
from vecs.errors import DatasetError

WORD = st.one_of(st.sampled_from(["she", "he", "nurse", "new_york", "日本", "queen", "king"]), st.text(max_size=6))
LINE = st.one_of(WORD, WORD, st.tuples(WORD, WORD).map(" ".join), st.tuples(WORD, WORD).map(", ".join),
                 st.tuples(WORD, WORD).map("\t".join), st.sampled_from(["# a comment", "", "   ", "a b c"]))
FILE = st.one_of(
    st.lists(LINE, max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass")),
    st.lists(LINE, max_size=6).map(lambda ls: "\r\n".join(ls).encode("utf-8", "surrogatepass")),
    st.binary(max_size=60),
)


def _check(load, p: Path):
    got = loads_or_typed_error(lambda q: load(str(q)), p, DatasetError)
    assert got is None or got
    return got


@FUZZ
@given(data=FILE)
def test_any_word_list_file_loads_or_raises_dataset_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "words.txt"
        p.write_bytes(data)
        words = _check(load_list, p)
        if words is not None:
            assert len(set(words)) == len(words)
            assert all(w and not any(c.isspace() or c == "," for c in w) for w in words)


@FUZZ
@given(data=FILE)
def test_any_pairs_file_loads_or_raises_dataset_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "pairs.txt"
        p.write_bytes(data)
        pairs = _check(load_pairs, p)
        if pairs is not None:
            assert all(len(pair) == 2 and all(pair) for pair in pairs)
