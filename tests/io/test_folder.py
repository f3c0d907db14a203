"""The store's folder format (vecs.io.folder): write_dir/load_dir, and atomic replacement: a failed
write or rename never leaves a half-written model or temporary folders."""

from __future__ import annotations

import os

import numpy as np
import pytest
from vectorfiles import tricky

from vecs import Space
from vecs.errors import FormatError, ModelExists
from vecs.io.folder import load_dir, write_dir
from vecs.io.store import exists, load, save
from vecs.paths import models_dir


def test_write_dir_and_load_dir(tmp_path, toy):
    d = write_dir(toy, tmp_path / "res" / "space")
    s = load_dir(d)
    assert s.words == toy.words and isinstance(s.vectors, np.memmap)
    with pytest.raises(ModelExists):
        write_dir(toy, d)
    with pytest.raises(FormatError, match="not a model folder"):
        load_dir(tmp_path)


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


def test_corrupt_model_is_a_format_error(toy):
    path = save(toy, "m")
    (path / "words.txt").write_text("one\ntwo\n")
    with pytest.raises(FormatError, match="2 words in words.txt but 7 vectors"):
        load("m")
