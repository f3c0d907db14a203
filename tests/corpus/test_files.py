"""Reading corpus files (vecs.corpus.files): plain and compressed files, folders read recursively
in order, lazy streaming with UTF-8 errors at their offset, long lines cut at spaces, the BOM."""

from __future__ import annotations

import bz2
import gzip
import lzma

import pytest

import vecs.corpus.files as corpus_mod
from vecs.corpus.reader import open_corpus
from vecs.errors import CorpusError

TEXT = "The cat sat. The dog ran!\nA cat? Yes.\n"


TEXT_SENTS = [["the", "cat", "sat"], ["the", "dog", "ran"], ["a", "cat"], ["yes"]]


@pytest.mark.parametrize("suffix,opener", [(".txt", open), (".txt.gz", gzip.open), (".txt.bz2", bz2.open),
                                           (".txt.xz", lzma.open)])
def test_stream_plain_and_compressed(tmp_path, suffix, opener):
    p = tmp_path / f"a{suffix}"
    with opener(p, "wt", encoding="utf-8") as f:
        f.write(TEXT)
    c = open_corpus(p)
    assert c.name == "a"
    s = c.sentences()
    assert list(s) == TEXT_SENTS
    assert list(s) == TEXT_SENTS  # re-iterable: a second pass gives the same


def test_stream_folder_recursive_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Zeta here.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Alpha here.", encoding="utf-8")
    with gzip.open(tmp_path / "b" / "c.txt.gz", "wt", encoding="utf-8") as f:
        f.write("Gamma here.")
    (tmp_path / "notes.md").write_text("Ignored: not a .txt file.", encoding="utf-8")
    c = open_corpus(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in c.files] == ["a.txt", "b/c.txt.gz", "b/z.txt"]
    assert list(c.sentences()) == [["alpha", "here"], ["gamma", "here"], ["zeta", "here"]]
    assert [d.name for d in c.documents()] == ["a.txt", "b/c.txt.gz", "b/z.txt"]


def test_streaming_reads_lazily_and_reports_utf8_offset(tmp_path):
    # the first sentences come out before the bad byte far into the file is read
    good = ("A fine sentence here.\n" * 200).encode()
    p = tmp_path / "late.txt"
    p.write_bytes(good + b"caf\xe9 au lait\n")
    c = open_corpus(p)  # the first KB is fine: no error yet
    it = iter(c.sentences())
    assert next(it) == ["a", "fine", "sentence", "here"]
    with pytest.raises(CorpusError) as e:
        list(c.sentences())
    assert str(e.value) == f"{p}: not UTF-8 text (byte 0xe9 at offset {len(good) + 3})"


def test_long_lines_are_cut_at_spaces(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_mod, "CHUNK", 64)
    words = [f"w{i}" for i in range(500)]
    p = tmp_path / "long.txt"
    p.write_text(" ".join(words) + "\n" + "é" * 300 + "\nend", encoding="utf-8")
    sents = list(open_corpus(p).sentences())
    flat = [t for s in sents for t in s]
    assert flat[:500] == words  # no word cut in two
    assert "".join(flat[500:-1]) == "é" * 300  # no UTF-8 sequence cut in two
    assert flat[-1] == "end"


def test_bom_is_dropped(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffHello there.".encode("utf-8"))
    assert list(open_corpus(p).sentences()) == [["hello", "there"]]


# -- issue 9: corrupt archives ------------------------------------------------------------------
def _damaged(tmp_path, suffix, opener, damage):
    p = tmp_path / f"c{suffix}"
    with opener(p, "wt", encoding="utf-8") as f:
        f.write(TEXT * 200)
    data = bytearray(p.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    return p


@pytest.mark.parametrize("suffix,opener,name", [(".txt.gz", gzip.open, "gzip"), (".txt.bz2", bz2.open, "bzip2"),
                                                (".txt.xz", lzma.open, "xz")])
@pytest.mark.parametrize("damage", ["flip a byte", "truncate"])
def test_corrupt_compressed_corpus_is_a_corpus_error_naming_the_file(tmp_path, suffix, opener, name, damage):
    # these gave zlib.error, LZMAError, EOFError or OSError from corpus show, train and eval
    p = _damaged(tmp_path, suffix, opener, damage)
    with pytest.raises(CorpusError, match=f"corrupt {name} data in {p}"):
        list(open_corpus(p).sentences())


@pytest.mark.parametrize("compress,name", [(lambda b: gzip.compress(b, mtime=0), "gzip"), (lzma.compress, "xz")])
def test_byte_12_flipped_gives_the_typed_error_not_zlib_error_or_lzma_error(tmp_path, compress, name):
    p = tmp_path / f"c.txt.{'gz' if name == 'gzip' else 'xz'}"
    data = bytearray(compress((TEXT * 200).encode()))  # gzip: byte 12 is deflate data (zlib.error before)
    data[12] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(CorpusError, match=f"corrupt {name} data in {p}"):
        list(open_corpus(p).sentences())


def test_strip_tags_keeps_the_given_words():
    from vecs.corpus.files import strip_tags

    assert strip_tags("迈向/v  充满/v  希望/n  的/u  新/a  世纪/n  ——/w") == "迈向 充满 希望 的 新 世纪 ——"
    assert strip_tags("19980101-01-001-001/m  迈向/v  充满/v") == "迈向 充满"  # the line's id goes
    assert strip_tags("通过/p  [中央/n  人民/n  广播/vn  电台/n]nt  ，/w") == "通过 中央 人民 广播 电台 ，"
    assert strip_tags("１/m  张/q  （/w  [/w  ]/w  //w  1/2/m") == "１ 张 （ [ ] / 1/2"
    assert strip_tags("untagged words stay") == "untagged words stay"
