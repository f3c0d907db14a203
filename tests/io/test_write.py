"""Writing vector files (vecs.io.write): exact round trips in every format, compression by suffix,
shortest float text, refusing to overwrite, atomic writes with ordinary permissions, words that
cannot be written, and gensim reading what we write."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os

import numpy as np
import pytest
from vectorfiles import ALL_FORMATS, tricky, write

from vecs import Space
from vecs.errors import FormatError, StoreError
from vecs.io.formats import read_vectors
from vecs.io.write import check_format, export_vectors, write_vectors


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_round_trip_is_exact(tmp_path, fmt):
    s = tricky()
    out = tmp_path / ("out" if fmt == "tsv" else f"out.{fmt}")
    assert write_vectors(s, out, fmt) == out
    back = read_vectors(out, format=fmt)
    assert back.words == s.words
    assert back.vectors.dtype == np.float32
    np.testing.assert_array_equal(back.vectors, s.vectors)  # float32 exact, -0.0 included
    assert np.signbit(back.vectors[0, 1])
    # and auto-detection agrees
    assert read_vectors(out).meta["format"] == fmt


@pytest.mark.parametrize("comp,opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
@pytest.mark.parametrize("fmt", ["word2vec", "glove", "word2vec-bin"])
def test_compressed_round_trip(tmp_path, toy, comp, opener, fmt):
    out = tmp_path / f"v.txt{comp}"
    write_vectors(toy, out, fmt)
    with opener(out, "rb") as f:  # really compressed
        raw = f.read()
    assert raw.startswith(b"7 4\n") == (fmt != "glove")
    back = read_vectors(out)
    assert back.meta["format"] == fmt
    assert back.words == toy.words
    np.testing.assert_array_equal(back.vectors, toy.vectors)


def test_text_output_is_short_and_readable(tmp_path, toy):
    write_vectors(toy, tmp_path / "t.txt", "word2vec")
    lines = (tmp_path / "t.txt").read_text().splitlines()
    assert lines[0] == "7 4"
    assert lines[1] == "man 1 0 0 0.1"  # shortest float32 repr, not 0.100000001
    write_vectors(toy, tmp_path / "g.txt", "glove")
    assert (tmp_path / "g.txt").read_text().splitlines()[0] == "man 1 0 0 0.1"


def test_write_refuses_to_overwrite_without_force(tmp_path, toy):
    p = write(tmp_path / "v.txt", "keep me")
    with pytest.raises(StoreError, match="exists; use --force"):
        write_vectors(toy, p, "word2vec")
    assert p.read_text() == "keep me"
    write_vectors(toy, p, "word2vec", force=True)
    assert read_vectors(p).words == toy.words
    write_vectors(toy, tmp_path / "proj", "tsv")
    with pytest.raises(StoreError, match="exists"):
        write_vectors(toy, tmp_path / "proj", "tsv")
    assert sorted(os.listdir(tmp_path)) == ["proj", "v.txt"]  # no temp files left
    mask = os.umask(0o022)
    os.umask(mask)
    assert p.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600


def test_export_reports_what_was_written(tmp_path, toy):
    out = export_vectors(toy, tmp_path / "v.txt.gz", "word2vec")
    assert (out.model, out.format, out.words, out.dim) == ("toy", "word2vec", 7, 4)
    assert out.path == str(tmp_path / "v.txt.gz") and out.files == [out.path]
    out = export_vectors(toy, tmp_path / "proj", "tsv")
    assert out.files == [str(tmp_path / "proj" / "vectors.tsv"), str(tmp_path / "proj" / "metadata.tsv")]
    assert check_format("glove") == "glove"
    with pytest.raises(FormatError, match="unknown format 'npz'; choose one of word2vec, word2vec-bin"):
        check_format("npz")


class _Exploding(np.ndarray):
    """A matrix whose rows cannot be read: the write fails half-way, after the header."""

    def __getitem__(self, key):
        raise OSError("disk full")


@pytest.mark.parametrize("name", ["v.txt", "v.txt.gz"])
def test_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, name):
    p = write(tmp_path / name, "keep me")
    bad = Space(["a", "b"], np.zeros((2, 2), np.float32).view(_Exploding))
    with pytest.raises(OSError, match="disk full") as e:
        write_vectors(bad, p, "word2vec", force=True)
    assert e.value.filename == str(p)  # the file asked for, never the temporary one
    assert p.read_text() == "keep me" and os.listdir(tmp_path) == [name]


def test_words_that_cannot_be_written(tmp_path):
    s = Space(["two words", "b"], np.ones((2, 2), np.float32))
    for fmt in ("word2vec", "word2vec-bin", "glove"):
        with pytest.raises(FormatError, match="whitespace"):
            write_vectors(s, tmp_path / f"x.{fmt}", fmt)
    write_vectors(s, tmp_path / "proj", "tsv")  # a space is fine in TSV metadata
    assert read_vectors(tmp_path / "proj").words == ["two words", "b"]
    assert not list(tmp_path.glob("x.*"))


@pytest.mark.real
def test_gensim_reads_what_we_write(tmp_path, googlenews):
    from gensim.models import KeyedVectors

    s = googlenews.restrict(2000)
    for fmt, binary in (("word2vec", False), ("word2vec-bin", True)):
        p = write_vectors(s, tmp_path / f"gn.{fmt}", fmt)
        kv = KeyedVectors.load_word2vec_format(str(p), binary=binary)
        assert kv.index_to_key == s.words
        np.testing.assert_array_equal(kv.vectors, s.vectors)
    # gensim's own text output (9-digit floats) reads back exactly with our parser
    kv.save_word2vec_format(str(tmp_path / "gensim.txt"), binary=False)
    back = read_vectors(tmp_path / "gensim.txt")
    assert back.words == s.words
    np.testing.assert_array_equal(back.vectors, s.vectors)


@pytest.mark.parametrize("target,why", [("/proc/x.txt", "does not take new files"),
                                        ("/proc/new/x.txt", "does not take new files"),
                                        ("{tmp}/afile/x.txt", "is not a folder")])
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_export_to_a_folder_that_takes_no_files_is_refused_first_naming_the_path(tmp_path, toy, target, why, fmt):
    if target.startswith("/proc") and not os.path.isdir("/proc/self"):
        pytest.skip("no /proc here")
    write(tmp_path / "afile", "x")
    target = target.format(tmp=tmp_path)
    with pytest.raises(StoreError, match=why) as e:
        export_vectors(toy, target, fmt)
    assert str(e.value).startswith(f"cannot write {target}:")
    assert ".tmp-" not in str(e.value)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc here")
def test_cli_export_to_proc_is_one_line_naming_the_path(toy):
    from helpers import fails

    from vecs.io.store import save

    save(toy, "toy")
    msg = fails(["export", "toy", "/proc/x.txt"])
    assert "cannot write /proc/x.txt" in msg and ".tmp-" not in msg


def test_export_creates_missing_folders_inside_a_writable_one(tmp_path, toy):
    out = export_vectors(toy, tmp_path / "new" / "deeper" / "v.txt", "word2vec")
    assert read_vectors(out.path).words == toy.words
