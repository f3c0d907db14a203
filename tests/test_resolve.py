"""Resolving a --model spec (vecs.resolve.resolve): store names, then resources, then paths; close
names suggested."""

from __future__ import annotations

import numpy as np
import pytest
from vectorfiles import write

from vecs.errors import FormatError, ModelNotFound
from vecs.io.store import save
from vecs.io.write import write_vectors
from vecs.paths import models_dir
from vecs.resolve import resolve


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
