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
       st.integers(min_value=1, max_value=40), st.booleans(), st.data())
def test_question_vocab_for_wanted_keys_agrees_with_the_whole_vocabulary(words, R, ci, data):
    """Hashing only the question words gives the same rows for them, and the same 'same key'
    answers for every row compared with one of their rows, as hashing every word."""
    import numpy as np

    from vecs.static.benchmarks import all_keys, question_vocab

    R = min(R, len(words))
    full_ok, full_kid = question_vocab(words, R, ci)
    keys = all_keys(words[:R], ci)
    wanted = data.draw(st.lists(st.sampled_from(sorted(set(keys)) + ["ABSENT"]), max_size=6))
    ok, kid = question_vocab(words, R, ci, wanted=wanted)
    assert ok == {k: full_ok[k] for k in wanted if k in full_ok}
    for r in range(R):
        if keys[r] in ok:
            assert kid[r] == full_kid[r] == ok[keys[r]]
        else:  # a row with no wanted key is itself, so never equal to a wanted key's row
            assert kid[r] == r and r not in ok.values()
    assert len(kid) == R and kid.dtype == np.int64
