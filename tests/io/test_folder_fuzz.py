"""Fuzzed store folders (vecs.io.folder.load_dir, vecs.io.store.list_models): any damage to any file of
a model folder either loads or raises the project's FormatError naming the file, and `vecs models`
never fails for one model. Bounded and seeded (hypothesis, derandomized)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vecs import Space
from vecs.errors import FormatError
from vecs.io.folder import load_dir, write_dir
from vecs.io.store import exists, list_models, model_path, save

FILES = ["vectors.npy", "norms.npy", "words.txt", "meta.json"]
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def pristine(tmp_path):
    s = Space(["man", "woman", "king", "queen", "apple"],
              np.arange(20, dtype=np.float32).reshape(5, 4) / 7)
    return write_dir(s, tmp_path / "pristine")


# one damage to one file: new bytes, a truncation, flipped bytes, or a rewritten .npy header
damage = st.one_of(
    st.tuples(st.just("replace"), st.binary(max_size=300)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=6)),
    st.tuples(st.just("header"), st.text(max_size=120)),
)


def _damage(data: bytes, how) -> bytes:
    kind, arg = how
    if kind == "replace":
        return arg
    if kind == "truncate":
        return data[: int(len(data) * arg)]
    if kind == "flip":
        b = bytearray(data)
        for where, x in arg:
            if b:
                i = min(int(where * len(b)), len(b) - 1)
                b[i] ^= x
        return bytes(b)
    header = arg.encode("utf-8", "replace")
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + data[128:]


@SETTINGS
@given(file=st.sampled_from(FILES), how=damage)
def test_any_damage_to_a_model_folder_loads_or_is_a_format_error(tmp_path_factory, pristine, file, how):
    folder = tmp_path_factory.mktemp("m") / "m"
    shutil.copytree(pristine, folder)
    (folder / file).write_bytes(_damage((folder / file).read_bytes(), how))
    try:
        s = load_dir(folder)
    except FormatError as e:
        assert str(folder) in str(e)
        event(f"{file}: FormatError")
        return
    event(f"{file}: loaded")
    assert len(s.words) == s.vectors.shape[0] and s.norms.shape == (len(s.words),)
    np.asarray(s.vectors).sum()  # the memory map is readable to the end


@SETTINGS
@given(meta=st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(["name", "kind", "words", "dim", "source", "created"]),
                    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10),
                              st.lists(st.integers(), max_size=2)), max_size=6).map(
        lambda d: json.dumps(d).encode())))
def test_models_listing_survives_any_meta_json(toy, meta):
    path = model_path("m") if exists("m") else save(toy, "m")
    (path / "meta.json").write_bytes(meta)
    (info,) = list_models()
    event(f"listed as {'broken' if info.kind == 'broken' else 'a model'}")
    assert info.name == "m"
    assert (info.kind == "broken") == bool(info.problem)
    assert isinstance(info.words, int) and isinstance(info.dim, int) and info.words >= 0
