"""The store's folder format (vecs.io.folder): write_dir/load_dir, and atomic replacement: a failed
write or rename (a full disk) never leaves a half-written model or temporary folders; a damaged
file is one FormatError naming it; a linked model folder is replaced, not its target."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from vectorfiles import tricky

from vecs import Space
from vecs.errors import FormatError, ModelExists, StoreError
from vecs.io.folder import load_dir, write_dir
from vecs.io.store import exists, load, model_names, save
from vecs.paths import models_dir
from vecs.swap import leftovers


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
def test_full_disk_leaves_old_model_and_no_temporaries(toy, monkeypatch, force):
    if force:
        save(toy, "m")
    from vecs.io import folder

    real_save = folder.save_npy
    calls = []

    def failing_save(file, arr):
        calls.append(file)
        if len(calls) == 2:  # vectors written, then the norms fail
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(file, arr)

    with monkeypatch.context() as m, pytest.raises(StoreError) as e:
        m.setattr(folder, "save_npy", failing_save)
        save(toy.restrict(2), "m", force=force)
    assert str(e.value) == (f"cannot write model 'm' in {models_dir()}: No space left on device; "
                            f"nothing was replaced")
    assert len(calls) == 2
    assert leftovers(models_dir()) == []
    if force:
        assert model_names() == ["m"]
        s = load("m")  # the old model, whole
        assert len(s) == 7
        np.testing.assert_array_equal(s.vectors, toy.vectors)
    else:
        assert model_names() == [] and not exists("m")


def test_failed_rename_puts_old_model_back(toy, monkeypatch):
    save(toy, "m")
    real = os.replace

    def flaky(src, dst):
        if os.path.basename(src).startswith(".m.tmp-"):  # old moved aside, new fails to move in
            raise OSError("rename failed")
        return real(src, dst)

    with monkeypatch.context() as m, pytest.raises(OSError, match="rename failed"):
        m.setattr(os, "replace", flaky)
        save(toy.restrict(2), "m", force=True)
    assert model_names() == ["m"] and leftovers(models_dir()) == []
    assert len(load("m")) == 7


def test_corrupt_model_is_a_format_error(toy):
    path = save(toy, "m")
    (path / "words.txt").write_text("one\ntwo\n")
    with pytest.raises(FormatError, match="2 words in words.txt but 7 vectors"):
        load("m")


def _npy_header(header: bytes) -> bytes:
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


def test_truncated_norms_is_a_format_error_naming_the_file(toy):
    path = save(toy, "m")
    data = (path / "norms.npy").read_bytes()
    (path / "norms.npy").write_bytes(data[:-8])  # "mmap length is greater than file size" in numpy
    with pytest.raises(FormatError, match=r"norms\.npy: cannot load .*damaged"):
        load("m")
    np.save(path / "norms.npy", np.ones(3, np.float64))
    with pytest.raises(FormatError, match=r"norms\.npy: expected 7 float32 norms, got float64 \(3,\)"):
        load("m")


def test_malformed_npy_header_is_a_format_error_naming_the_file(toy):
    path = save(toy, "m")
    # an unterminated dict: numpy's header parser raises tokenize.TokenError
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (7, 4 " + b" " * 60 + b"\n"
    (path / "vectors.npy").write_bytes(_npy_header(header))
    with pytest.raises(FormatError, match=r"vectors\.npy: cannot load"):
        load("m")
    (path / "vectors.npy").write_bytes(b"not numpy at all")
    with pytest.raises(FormatError, match=r"vectors\.npy: cannot load"):
        load("m")


def test_write_dir_replaces_a_link_not_its_target(tmp_path, toy):
    target = write_dir(toy, tmp_path / "elsewhere")
    link = tmp_path / "store" / "m"
    link.parent.mkdir()
    link.symlink_to(target)
    with pytest.raises(ModelExists):
        write_dir(toy.restrict(2), link)
    write_dir(toy.restrict(2), link, force=True)
    assert not link.is_symlink() and len(load_dir(link)) == 2
    assert len(load_dir(target)) == 7  # what the link pointed to is untouched
    assert leftovers(link.parent) == []


def test_vectors_are_written_through_python_so_ctrl_c_stays_ctrl_c(tmp_path, monkeypatch):
    """numpy's tofile turns a KeyboardInterrupt landing in its flush into a TypeError (seen in the
    random-kill test); the store writes the .npy through write() instead, byte for byte np.save."""
    import numpy as np
    import pytest

    from vecs.io import folder

    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    folder.save_npy(tmp_path / "mine.npy", a)
    np.save(tmp_path / "numpy.npy", a, allow_pickle=False)
    assert (tmp_path / "mine.npy").read_bytes() == (tmp_path / "numpy.npy").read_bytes()

    def interrupted_write(self, f):
        def write(data):
            raise KeyboardInterrupt
        self.write = write

    monkeypatch.setattr(folder._WriteOnly, "__init__", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        folder.save_npy(tmp_path / "again.npy", a)
