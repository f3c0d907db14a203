"""The ground floor's shared helpers (vecs.util): atomic writes and suggestions."""

from __future__ import annotations

import doctest
import os

import pytest

import vecs.util
from vecs.util import atomic_path, atomic_write_text, close_names, did_you_mean


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


def test_suggestions():
    assert close_names("sotu", ["sotu-tour", "lee", "SOTU"]) == ["SOTU", "sotu-tour"]
    assert close_names("zzz", ["sotu", "lee"]) == []
    assert did_you_mean(["a", "b"]) == "; did you mean 'a', 'b'?"
    assert did_you_mean([], ["x"]) == "; known: x"
