"""Text vector files (vecs.io.text): word2vec text, GloVe and fastText parsing, every malformed
line refused with its line number, and a real GloVe round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner
from vectorfiles import refuse, write

from cli.main import app
from vecs.io.formats import read_vectors
from vecs.io.write import write_vectors
from vecs.resolve import resolve

runner = CliRunner()


def test_irregular_whitespace_between_values_is_accepted(tmp_path):
    p = write(tmp_path / "ws.txt", "a 1\t2  3\nb 4 5 6\n")
    s = read_vectors(p, format="glove")
    np.testing.assert_array_equal(s.vectors, [[1, 2, 3], [4, 5, 6]])


def test_limit_stops_before_bad_rows(tmp_path):
    p = write(tmp_path / "v.txt", "5 2\na 1 2\nb 3 4\nc oops\n")  # header promises 5, only 3 rows
    assert read_vectors(p, limit=2).words == ["a", "b"]


@pytest.mark.parametrize("fmt", ["word2vec", "glove", "fasttext"])
def test_binary_given_as_text(tmp_path, toy, fmt):
    p = write_vectors(toy, tmp_path / "v.bin", "word2vec-bin")
    msg = refuse(p, fmt, "word2vec-bin")
    assert "binary" in msg or "line 1" in msg


@pytest.mark.parametrize("fmt", ["word2vec", "glove"])
def test_non_utf8_text(tmp_path, fmt):
    head = "2 2\n" if fmt == "word2vec" else ""
    p = write(tmp_path / "latin1.txt", (head + "ok 1 2\ncaf\xe9 3 4\n").encode("latin-1"))
    refuse(p, fmt, f"line {3 if head else 2}", "UTF-8", "0xe9")


@pytest.mark.parametrize("fmt", ["word2vec", "fasttext"])
def test_text_header_promises_more_rows(tmp_path, fmt):
    p = write(tmp_path / "v.txt", "4 2\na 1.5 2.5\nb 3.5 4.5\n")  # 4 rows of 2 values could fit in 24 bytes
    refuse(p, fmt, "promises 4 rows", "only 2")


def test_text_with_more_rows_than_header(tmp_path):
    p = write(tmp_path / "v.txt", "1 2\na 1 2\nb 3 4\n")
    refuse(p, "word2vec", "line 3", "more rows")


@pytest.mark.parametrize("fmt,text,line", [
    ("word2vec", "3 3\na 1 2 3\nb 4 5\nc 7 8 9\n", 3),
    ("word2vec", "2 3\na 1 2 3\nb 4 5 6 7\n", 3),
    ("glove", "a 1 2 3\nb 4 5 6\n\nc 7 8\n", 4),
    ("fasttext", "1 3\nonly 1 2\n", 2),
])
def test_wrong_dimension(tmp_path, fmt, text, line):
    refuse(write(tmp_path / "v.txt", text), fmt, f"line {line}", "wrong dimension", "expected 3")


@pytest.mark.parametrize("fmt,text,line,value", [
    ("word2vec", "2 3\na 1 2 3\nb 4 five 6\n", 3, 2),
    ("glove", "a 1 2 3\nb 4 5 6\nc 7 8 1.2.3\n", 3, 3),
    ("fasttext", "1 2\na 1,5 2\n", 2, 1),
])
def test_non_numeric_value(tmp_path, fmt, text, line, value):
    refuse(write(tmp_path / "v.txt", text), fmt, f"line {line}", f"value {value}", "not a number")


@pytest.mark.parametrize("fmt,header", [("word2vec", "hello world"), ("word2vec", "3"), ("fasttext", "3 x"),
                                        ("word2vec", "1.5 2"), ("word2vec-bin", "three 4")])
def test_header_not_two_integers(tmp_path, fmt, header):
    p = write(tmp_path / "v.txt", f"{header}\na 1 2 3 4\n")
    refuse(p, fmt, "line 1", "two integers")


@pytest.mark.real
def test_glove_text_round_trip_and_resolve(tmp_path, glove):
    assert glove.shape == (400000, 50) and isinstance(glove.vectors, np.memmap)
    np.testing.assert_allclose(glove.vector("the")[:3], [0.418, 0.24968, -0.41242], rtol=1e-6)
    s = glove.restrict(5000)
    p = write_vectors(s, tmp_path / "glove.5k.txt.gz", "glove")
    back = resolve(str(p))
    assert back.words == s.words
    np.testing.assert_array_equal(back.vectors, s.vectors)
    res = runner.invoke(app, ["import", str(p), "--name", "g5k", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["words"] == 5000


# -- issue 9: hostile and careless files --------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e39", "-3.5e38", "1e400"])
@pytest.mark.parametrize("fmt,head,line", [("word2vec", "3 3\n", 3), ("glove", "", 2)])
@pytest.mark.parametrize("sep", [" ", "  "])  # numpy's fast path, and the slow path (repeated spaces)
def test_text_reader_rejects_nan_inf_and_float32_overflow_with_file_and_line(tmp_path, value, fmt, head, line, sep):
    text = head + f"a 1 2 3\nb 4{sep}{value} 6\nc 7 8 9\n"
    refuse(write(tmp_path / "v.txt", text), fmt, f"line {line}", f"value 2 ({value!r})", "not a finite number")


def test_largest_float32_is_accepted(tmp_path):
    s = read_vectors(write(tmp_path / "v.txt", "1 2\na 3.4028235e38 -3.4028235e38\n"))
    assert np.isfinite(s.vectors).all()


@pytest.mark.parametrize("text,line", [("2 2\n cat 0.1 0.2\ndog 0.3 0.4\n", 2),
                                       ("3 5\ncat 1 2 3 4 5\n\tdog 1 2 3 4 5\ncar 1 2 3 4 5\n", 3),
                                       (" cat 0.1 0.2\n", 1)])
def test_a_leading_space_is_reported_as_an_empty_word_not_as_truncation(tmp_path, text, line):
    msg = refuse(write(tmp_path / "v.txt", text), "auto", f"line {line}", "starts with white space")
    assert "truncated" not in msg


@pytest.mark.parametrize("text,line,value", [("2 2\ncat 0.1 x\ndog 0.3 0.4\n", 2, "'x'"),
                                             ("3 3\ncat 1 2 3\ndog 1 2 3\ncar 1 two 3\n", 4, "'two'")])
def test_non_numeric_values_are_reported_with_line_and_value_not_as_truncation(tmp_path, text, line, value):
    msg = refuse(write(tmp_path / "v.txt", text), "auto", f"line {line}", value, "not a number")
    assert "truncated" not in msg


@pytest.mark.parametrize("header", ["1000000000000 4", "5 1000000000000", "99999999999999999999999 4"])
def test_absurd_text_headers_are_refused_before_anything_is_allocated(tmp_path, header):
    # these gave MemoryError (a 3.6 TiB row) or read a whole file before complaining
    p = write(tmp_path / "v.txt", f"{header}\ncat 0.1 0.2 0.3 0.4\n")
    refuse(p, "auto", "the header promises", "but the file has only")


@pytest.mark.parametrize("header,message", [("1000000000000 4", "promises 1,000,000,000,000 rows"),
                                            ("5 1000000000000", "wrong dimension"),
                                            ("99999999999999999999999 4", "promises 99,999,999,999,999,999,999,999")])
def test_absurd_headers_of_compressed_text_are_refused_without_preallocating(tmp_path, header, message):
    import gzip

    p = write(tmp_path / "v.txt.gz", gzip.compress(f"{header}\ncat 0.1 0.2 0.3 0.4\n".encode()))
    refuse(p, "auto", message)
