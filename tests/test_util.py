"""The ground floor's shared helpers: atomic writes, folder swaps, suggestions (vecs.util)."""

from __future__ import annotations

import doctest
import os

import pytest

import vecs.util
from vecs.util import atomic_path, atomic_write_text, close_names, did_you_mean, replace_dir


def test_doctests():
    assert doctest.testmod(vecs.util).failed == 0


def test_atomic_path_replaces_only_on_success(tmp_path):
    f = tmp_path / "a.txt"
    atomic_write_text(f, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(f) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert f.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # no temporary left
    with atomic_path(f, suffix=".png") as tmp:
        assert tmp.suffix == ".png" and tmp.parent == tmp_path
        tmp.write_text("new")
    assert f.read_text() == "new"
    assert oct(f.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_replace_dir_swaps_and_keeps_old_on_failure(tmp_path, monkeypatch):
    dest = tmp_path / "m"
    dest.mkdir()
    (dest / "v").write_text("old")
    new = tmp_path / ".m.tmp"
    new.mkdir()
    (new / "v").write_text("new")
    replace_dir(new, dest)
    assert (dest / "v").read_text() == "new" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # the old one is gone

    newer = tmp_path / ".m.tmp2"
    newer.mkdir()
    real = os.replace

    def failing(a, b):
        if str(a) == str(newer):
            raise OSError("disk full")
        return real(a, b)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        replace_dir(newer, dest)
    assert (dest / "v").read_text() == "new"  # put back
    assert sorted(p.name for p in tmp_path.iterdir()) == [".m.tmp2", "m"]


def test_suggestions():
    assert close_names("sotu", ["sotu-tour", "lee", "SOTU"]) == ["SOTU", "sotu-tour"]
    assert close_names("zzz", ["sotu", "lee"]) == []
    assert did_you_mean(["a", "b"]) == "; did you mean 'a', 'b'?"
    assert did_you_mean([], ["x"]) == "; known: x"
