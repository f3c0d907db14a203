"""Embedding Projector TSV folders (vecs.io.tsv): the two files, and every malformed input refused."""

from __future__ import annotations

import pytest
from vectorfiles import refuse, write

from vecs.errors import FormatError
from vecs.io.write import write_vectors


def test_tsv_is_two_files_in_a_folder(tmp_path, toy):
    out = write_vectors(toy, tmp_path / "proj", "tsv")
    vec = (out / "vectors.tsv").read_text().splitlines()
    meta = (out / "metadata.tsv").read_text().splitlines()
    assert vec[0] == "1\t0\t0\t0.1" and len(vec) == 7
    assert meta == toy.words  # one column: no header line
    with pytest.raises(FormatError, match="folder"):
        write_vectors(toy, tmp_path / "x.tsv", "tsv")


def test_empty_tsv(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "")
    write(tmp_path / "p" / "metadata.tsv", "")
    refuse(tmp_path / "p", "tsv", "empty")


def test_non_utf8_tsv(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "1\t2\n3\t4\n")
    write(tmp_path / "p" / "metadata.tsv", "ok\ncaf\xe9\n".encode("latin-1"))
    refuse(tmp_path / "p", "tsv", "metadata.tsv", "line 2", "UTF-8")


def test_wrong_dimension_tsv(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "1\t2\n3\t4\t5\n")
    write(tmp_path / "p" / "metadata.tsv", "a\nb\n")
    refuse(tmp_path / "p", "tsv", "vectors.tsv", "line 2", "wrong dimension")


def test_tsv_word_count_mismatch(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "1\t2\n3\t4\n")
    write(tmp_path / "p" / "metadata.tsv", "a\n")
    refuse(tmp_path / "p", "tsv", "2 vectors", "1 words")


def test_non_numeric_tsv(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "1\t2\n3\tx\n")
    write(tmp_path / "p" / "metadata.tsv", "a\nb\n")
    refuse(tmp_path / "p", "tsv", "line 2", "value 2", "not a number")


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e39"])
@pytest.mark.parametrize("sep", ["\t", "\t\t"])  # numpy's fast path, and the slow path's diagnosis (empty field)
def test_tsv_reader_rejects_nonfinite_values_with_file_and_line(tmp_path, value, sep):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "metadata.tsv", "a\nb\n")
    if sep == "\t":
        write(tmp_path / "p" / "vectors.tsv", f"1\t2\n3\t{value}\n")
        refuse(tmp_path / "p", "tsv", "vectors.tsv: line 2", f"value 2 ({value!r})", "not a finite number")
    else:  # wrong dimension is found first, whatever the values
        write(tmp_path / "p" / "vectors.tsv", f"1\t2\n3{sep}{value}\n")
        refuse(tmp_path / "p", "tsv", "vectors.tsv: line 2", "wrong dimension")
