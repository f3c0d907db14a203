"""`vecs import` takes what `vecs export` writes, in every export format: the file, the folder (tsv),
either file of the tsv pair, compressed text; the vectors come back exactly."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ok

from vecs.io import store
from vecs.io.write import WRITE_FORMATS


def _back(toy, name: str) -> None:
    back = store.load(name)
    assert back.words == toy.words
    np.testing.assert_array_equal(np.asarray(back.vectors), toy.vectors)


@pytest.mark.parametrize("fmt", WRITE_FORMATS)
def test_import_takes_what_export_writes(tmp_path, toy, fmt):
    store.save(toy, "toy")
    out = tmp_path / ("out" if fmt == "tsv" else f"toy.{fmt}")
    ok(["export", "toy", str(out), "--format", fmt])
    r = ok(["import", str(out), "--name", "back"])
    assert "Warning" not in r.stdout + r.stderr
    _back(toy, "back")


@pytest.mark.parametrize("member", ["vectors.tsv", "metadata.tsv"])
def test_import_takes_either_file_of_a_tsv_export(tmp_path, toy, member):
    store.save(toy, "toy")
    ok(["export", "toy", str(tmp_path / "out"), "--format", "tsv"])
    r = ok(["import", str(tmp_path / "out" / member), "--name", "back"])
    assert "wrong dimension" not in r.stdout + r.stderr
    _back(toy, "back")


@pytest.mark.parametrize("fmt", ["word2vec", "glove"])
def test_import_takes_compressed_export(tmp_path, toy, fmt):
    store.save(toy, "toy")
    out = tmp_path / f"toy.{fmt}.gz"
    ok(["export", "toy", str(out), "--format", fmt])
    ok(["import", str(out), "--name", "back"])
    _back(toy, "back")


def test_tsv_file_with_metadata_beside_it_is_sniffed_as_tsv(tmp_path, toy):
    from vecs.io.formats import sniff
    from vecs.io.write import write_vectors

    write_vectors(toy, tmp_path / "pair", "tsv")
    (tmp_path / "pair" / "vectors.tsv").rename(tmp_path / "pair" / "mine.tsv")
    assert sniff(tmp_path / "pair" / "mine.tsv") == "tsv"
