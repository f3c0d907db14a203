"""Reading vector files (vecs.io.formats): format sniffing, fastText, --limit, progress, empty
files and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest
from vectorfiles import ALL_FORMATS, refuse, write

from vecs.errors import FormatError
from vecs.io.formats import read_vectors
from vecs.io.write import write_vectors


def test_fasttext_vec_is_word2vec_text(tmp_path):
    p = write(tmp_path / "wiki.vec", "2 3\nhello 1 2 3 \nworld 4 5 6 \n")  # fastText's trailing space
    s = read_vectors(p, format="fasttext")
    assert s.words == ["hello", "world"]
    np.testing.assert_array_equal(s.vectors, [[1, 2, 3], [4, 5, 6]])
    assert read_vectors(p).meta["format"] == "word2vec"


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_limit_keeps_first_words(tmp_path, toy, fmt):
    out = tmp_path / ("o" if fmt == "tsv" else "o.vecs")
    write_vectors(toy, out, fmt)
    s = read_vectors(out, format=fmt, limit=3)
    assert s.words == ["man", "woman", "king"]
    np.testing.assert_array_equal(s.vectors, toy.vectors[:3])
    assert s.meta["limit"] == 3


def test_progress_reports_bytes(tmp_path, toy):
    p = tmp_path / "v.txt"
    write_vectors(toy, p, "word2vec")
    for path in (p, write_vectors(toy, tmp_path / "v.bin", "word2vec-bin")):
        events = []
        read_vectors(path, progress=events.append)
        assert events and events[-1].finished
        assert events[-1].total == path.stat().st_size
        assert events[-1].done == path.stat().st_size
        assert events[-1].info["words"] == 7
        assert [e.done for e in events] == sorted(e.done for e in events)


@pytest.mark.parametrize("fmt", ["auto", "word2vec", "word2vec-bin", "glove", "fasttext"])
def test_empty_file(tmp_path, fmt):
    refuse(write(tmp_path / "empty.txt", ""), fmt, "empty")
    refuse(write(tmp_path / "blank.txt", "\n\n  \n"), fmt, "empty")


def test_bad_arguments(tmp_path, toy):
    p = write_vectors(toy, tmp_path / "v.txt", "word2vec")
    with pytest.raises(FormatError, match="unknown vector format"):
        read_vectors(p, format="csv")
    with pytest.raises(FormatError, match="no such file"):
        read_vectors(tmp_path / "nope.txt")
    with pytest.raises(FormatError, match="at least 1"):
        read_vectors(p, limit=0)
    with pytest.raises(FormatError, match="unknown output format"):
        write_vectors(toy, tmp_path / "o", "npz")


def test_auto_detects_binary_without_bin_suffix(tmp_path, toy):
    p = write_vectors(toy, tmp_path / "v.bin", "word2vec-bin")
    q = tmp_path / "vectors.dat"
    p.rename(q)
    s = read_vectors(q)
    assert s.meta["format"] == "word2vec-bin" and s.words == toy.words
