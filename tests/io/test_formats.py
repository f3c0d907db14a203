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


# -- issue 9: hostile and careless files --------------------------------------------------------
ISSUE_COMMA_FILE = "3 2\ncat 0,1 0,9\ndog 0,4 0,5\ncar 0,9 0,1\n"  # the issue's c.txt: decimal commas


def test_sniff_reads_short_text_lines_as_text_and_names_the_non_numeric_value(tmp_path):
    from vecs.io.formats import sniff

    p = write(tmp_path / "c.txt", ISSUE_COMMA_FILE)
    assert sniff(p) == "word2vec"  # was word2vec-bin: 'cat ' + 8 bytes + ... fits binary records of 2 floats
    refuse(p, "auto", "line 2", "value 1", "'0,1'", "not a number")
    # the same file with numbers is read exactly
    q = write(tmp_path / "d.txt", ISSUE_COMMA_FILE.replace(",", "."))
    s = read_vectors(q)
    assert s.meta["format"] == "word2vec" and s.words == ["cat", "dog", "car"]
    np.testing.assert_array_equal(s.vectors, np.array([[0.1, 0.9], [0.4, 0.5], [0.9, 0.1]], np.float32))


def test_cli_import_of_the_comma_file_is_one_line_naming_the_line(tmp_path):
    from helpers import fails

    p = write(tmp_path / "c.txt", ISSUE_COMMA_FILE)
    msg = fails(["import", str(p), "--name", "c"])
    assert "c.txt: line 2: value 1 ('0,1') is not a number" in msg


def test_sniff_still_finds_small_binary_files_without_bin_suffix(tmp_path):
    from vecs import Space
    from vecs.io.formats import sniff

    s = Space(["a", "b"], np.array([[0.25, -1.5], [3.0, 1e-3]], np.float32))
    p = write_vectors(s, tmp_path / "v.bin", "word2vec-bin")
    q = tmp_path / "v.dat"
    p.rename(q)
    assert sniff(q) == "word2vec-bin"
    np.testing.assert_array_equal(read_vectors(q).vectors, s.vectors)


def test_duplicate_words_keep_the_first_row_and_are_counted_in_meta(tmp_path):
    p = write(tmp_path / "dup.txt", "5 2\ncat 1 0\ndog 0 1\ncat 9 9\ncar 1 1\ndog 8 8\n")
    s = read_vectors(p)
    assert s.words == ["cat", "dog", "car"]
    np.testing.assert_array_equal(s.vectors, [[1, 0], [0, 1], [1, 1]])  # the first rows, as gensim keeps
    assert s.meta["duplicates_dropped"] == 2 and s.meta["duplicate_words"] == ["cat", "dog"]
    assert "duplicates_dropped" not in read_vectors(write(tmp_path / "ok.txt", "1 2\ncat 1 0\n")).meta


@pytest.mark.parametrize("fmt", ["word2vec-bin", "tsv", "glove"])
def test_duplicate_words_are_dropped_in_every_format(tmp_path, fmt):
    from vecs import Space

    s = Space(["x", "y", "x"], np.array([[1, 2], [3, 4], [5, 6]], np.float32))
    out = write_vectors(s, tmp_path / ("o" if fmt == "tsv" else "o.bin"), fmt)
    back = read_vectors(out, format=fmt)
    assert back.words == ["x", "y"] and back.meta["duplicates_dropped"] == 1
    np.testing.assert_array_equal(back.vectors, [[1, 2], [3, 4]])


@pytest.mark.parametrize("header,what", [("-1 4", "-1 vectors"), ("5 0", "0 dimensions"), ("0 4", "0 vectors"),
                                         ("5 -3", "-3 dimensions")])
@pytest.mark.parametrize("fmt", ["auto", "word2vec", "word2vec-bin"])
def test_a_first_line_of_two_integers_is_a_header_and_must_be_positive(tmp_path, header, what, fmt):
    p = write(tmp_path / "h.txt", f"{header}\ncat 0.1 0.2 0.3 0.4\n")
    refuse(p, fmt, "line 1", f"the header '{header}' promises {what}", "positive")


@pytest.mark.parametrize("comp", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("damage", ["flip a byte", "truncate"])
def test_corrupt_compressed_vector_files_are_one_typed_error_naming_the_file(tmp_path, toy, comp, damage):
    p = write_vectors(toy, tmp_path / f"v.txt.{comp}", "word2vec")
    data = bytearray(p.read_bytes())
    if damage == "truncate":
        data = data[: len(data) - 8]
    else:  # in the compressed data (byte 12 of a gzip file written by Python is in the file name)
        data[len(data) // 2] ^= 0xFF
    write(p, bytes(data))
    name = {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[comp]
    for fmt in ("auto", "word2vec", "word2vec-bin", "glove"):
        with pytest.raises(FormatError, match=f"corrupt {name} data in {p}"):
            read_vectors(p, format=fmt)
