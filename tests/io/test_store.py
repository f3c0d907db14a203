"""The model store (vecs.io.store): save/load/list/remove, names, import, and the CLI commands
`vecs models`, `vecs import`, `vecs export`, `vecs rm`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner
from vectorfiles import ALL_FORMATS, write

from cli.main import app
from vecs.errors import FormatError, ModelExists, ModelNotFound, StoreError
from vecs.io.formats import read_vectors
from vecs.io.store import (check_new_name, exists, import_vectors, info, list_models, load, model_names, remove,
                            remove_models, save)
from vecs.io.write import write_vectors
from vecs.paths import models_dir

runner = CliRunner()


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


def test_remove_several_checks_every_name_first(toy):
    for name in ("a", "b", "c"):
        save(toy, name)
    with pytest.raises(ModelNotFound, match="no model named 'x'"):
        remove_models(["a", "x", "b"])
    assert [m.name for m in list_models()] == ["a", "b", "c"]  # nothing removed
    gone = remove_models(["b", "a", "b"])  # each once, in order
    assert [(r.removed, Path(r.path).name) for r in gone] == [("b", "b"), ("a", "a")]
    assert model_names() == ["c"] and os.listdir(models_dir()) == ["c"]


def test_check_new_name_and_info(toy):
    assert check_new_name("fresh") == "fresh"
    with pytest.raises(StoreError, match="invalid model name"):
        check_new_name("a b")
    save(toy, "m")
    with pytest.raises(ModelExists, match="model 'm' exists; use --force"):
        check_new_name("m")
    assert check_new_name("m", force=True) == "m"
    i = info("m")
    assert (i.name, i.words, i.dim) == ("m", 7, 4) and i == list_models()[0]
    with pytest.raises(ModelNotFound, match="did you mean 'm'"):
        info("M")


def test_import_vectors_checks_the_name_before_reading(tmp_path, toy):
    p = write_vectors(toy, tmp_path / "v.txt", "glove")
    got = import_vectors(p, "imp", limit=2)
    assert (got.name, got.kind, got.words, got.source) == ("imp", "imported", 2, f"{p.resolve()} (glove)")
    assert load("imp").meta["params"] == {"format": "glove", "limit": 2}
    missing = tmp_path / "missing.txt"  # never read: the name is refused first
    with pytest.raises(ModelExists):
        import_vectors(missing, "imp")
    with pytest.raises(StoreError, match="invalid model name"):
        import_vectors(missing, "bad name")
    with pytest.raises(FormatError, match="unknown format 'csv'"):
        import_vectors(p, "x", format="csv")


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



def test_cli_rm_several(toy):
    for name in ("a", "b", "c"):
        save(toy, name)
    res = runner.invoke(app, ["rm", "a", "zz"])
    assert res.exit_code == 1 and "no model named 'zz'" in res.stderr
    assert exists("a")  # nothing removed
    res = runner.invoke(app, ["rm", "a", "b"])
    assert res.exit_code == 0 and res.stdout.splitlines() == ["removed model a", "removed model b"]
    save(toy, "a")
    res = runner.invoke(app, ["rm", "a", "c", "--json"])
    assert res.exit_code == 0
    assert [r["removed"] for r in json.loads(res.stdout)] == ["a", "c"]
    assert list_models() == []


def test_cli_export_checks_the_format_before_the_model(tmp_path):
    res = runner.invoke(app, ["export", "nosuchmodel", str(tmp_path / "o"), "--format", "npz"])
    assert res.exit_code == 1 and "unknown format 'npz'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
