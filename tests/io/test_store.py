"""The model store (vecs.io.store): save/load/list/remove, names, import, and the CLI commands
`vecs models`, `vecs import`, `vecs export`, `vecs rm`; and its faults: concurrent writers, a swap a
kill left half-done, a full disk, a read-only home, damaged and linked model folders."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner
from vectorfiles import ALL_FORMATS, write

from cli.main import app
from vecs.errors import FormatError, ModelExists, ModelNotFound, StoreError
from vecs.io.folder import write_dir
from vecs.io.formats import read_vectors
from vecs.io.store import (check_new_name, exists, import_vectors, info, list_models, load, model_names, remove,
                            remove_models, save)
from vecs.io.write import write_vectors
from vecs.paths import models_dir
from vecs.swap import leftovers

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
    assert model_names() == ["m"] and leftovers(models_dir()) == []  # old copy deleted


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
    assert model_names() == [] and leftovers(models_dir()) == []
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
    assert model_names() == ["c"] and leftovers(models_dir()) == []


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
    assert set(items[0]) == {"name", "kind", "words", "dim", "source", "created", "path", "problem"}
    assert items[0]["problem"] == ""


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


# -- faults: concurrent writers, kills, full disks, read-only homes, damaged and linked folders --
def _writer(script: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))


def test_concurrent_forced_saves_of_one_name_take_turns(toy):
    """6 processes x 4 forced saves of one name (before the lock: 9 of 24 died with 'Directory not
    empty'): every save succeeds, the last one wins whole, nothing is left behind."""
    save(toy, "m")
    script = ("import sys, numpy as np\nfrom vecs import Space\nfrom vecs.io.store import save\n"
              "k = int(sys.argv[1]) if len(sys.argv) > 1 else 0\n"
              "for i in range(4):\n"
              "    n = 3 + (k * 4 + i) % 5\n"
              "    save(Space([f'w{j}' for j in range(n)], np.full((n, 4), k * 4 + i, np.float32)), 'm', force=True)\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(k)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in range(6)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    s = load("m")
    v = float(s.vectors[0, 0])
    assert len(s) == 3 + int(v) % 5 and np.all(s.vectors == v)  # one writer's model, whole
    assert leftovers(models_dir()) == [] and model_names() == ["m"]


def test_second_writer_waits_for_the_first_then_gets_one_line(toy, tmp_path, monkeypatch):
    save(toy, "m")
    holder = _writer("import time\nfrom vecs.io.store import name_lock\n"
                     "with name_lock('m'):\n    print('held', flush=True)\n    time.sleep(1.0)\n")
    try:
        assert holder.stdout.readline().strip() == "held"
        t = time.perf_counter()
        save(toy.restrict(3), "m", force=True)  # waits for the holder, then writes
        assert time.perf_counter() - t > 0.3 and len(load("m")) == 3
    finally:
        holder.wait()
    holder = _writer("import time\nfrom vecs.io.store import name_lock\n"
                     "with name_lock('m'):\n    print('held', flush=True)\n    time.sleep(30)\n")
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr("vecs.io.store.LOCK_WAIT", 0.3)
        src = write_vectors(toy, tmp_path / "v.txt", "glove")
        res = runner.invoke(app, ["import", str(src), "--name", "m", "--force"])
        assert res.exit_code == 1 and "Traceback" not in res.output
        assert res.stderr.strip().splitlines() == [
            f"error: 'm' is being written by another process (lock {models_dir() / '.m.lock'}); "
            f"waited 0.3 s: try again when it has finished"]
        res = runner.invoke(app, ["rm", "m"])
        assert res.exit_code == 1 and "being written by another process" in res.stderr
    finally:
        holder.kill()
        holder.wait()
    assert len(load("m")) == 3


def test_opening_the_store_finishes_a_swap_a_kill_left_half_done(toy):
    """The state a SIGKILL between the two renames leaves (before: NAME missing for good)."""
    old = save(toy, "m")
    root = models_dir()
    os.replace(old, root / ".m.old-1")
    write_dir(toy.restrict(2), root / ".m.tmp-2")
    (root / ".m.swap").write_text(json.dumps({"dest": "m", "new": ".m.tmp-2", "old": ".m.old-1"}))
    assert exists("m") and len(load("m")) == 2 and leftovers(root) == []
    # killed before the new model was whole: the old one comes back
    os.replace(root / "m", root / ".m.old-3")
    (root / ".m.tmp-4").mkdir()
    (root / ".m.tmp-4" / "vectors.npy").write_bytes(b"half")
    (root / ".m.swap").write_text(json.dumps({"dest": "m", "new": ".m.tmp-4", "old": ".m.old-3",
                                              "files": {"vectors.npy": 999}}))
    assert [m.name for m in list_models()] == ["m"] and len(load("m")) == 2 and leftovers(root) == []


def test_models_lists_a_broken_model_instead_of_failing(toy, tmp_path):
    save(toy, "good")
    path = save(toy, "bad")
    meta = json.loads((path / "meta.json").read_text())
    (path / "meta.json").write_text(json.dumps({**meta, "words": "many"}))
    infos = list_models()
    assert [(m.name, m.kind, m.problem) for m in infos] == [
        ("bad", "broken", f"{path / 'meta.json'}: words is 'many', not a count"), ("good", "unknown", "")]
    res = runner.invoke(app, ["models"])
    assert res.exit_code == 0 and "broken" in res.stdout and "not a count" in res.stdout
    assert json.loads(runner.invoke(app, ["models", "--json"]).stdout)[0]["kind"] == "broken"
    (path / "meta.json").write_text("{not json")
    assert list_models()[0].kind == "broken" and "not valid JSON" in list_models()[0].problem
    src = write_vectors(toy, tmp_path / "v.txt", "glove")
    res = runner.invoke(app, ["import", str(src), "--name", "later"])  # later imports are not affected
    assert res.exit_code == 0, res.output


def test_damaged_store_files_give_one_line_naming_the_file(toy):
    path = save(toy, "m")
    (path / "norms.npy").write_bytes((path / "norms.npy").read_bytes()[:-8])
    res = runner.invoke(app, ["neighbours", "king", "-m", "m"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1 and f"{path / 'norms.npy'}: cannot load" in res.stderr


def test_rm_and_import_force_on_a_linked_model(toy, tmp_path):
    target = save(toy, "real")
    link = models_dir() / "linked"
    link.symlink_to(target)
    assert exists("linked") and "linked" in model_names()
    res = runner.invoke(app, ["rm", "linked"])  # before: IsADirectoryError
    assert res.exit_code == 0, res.output
    assert not os.path.lexists(link) and len(load("real")) == 7  # the target is untouched
    link.symlink_to(target)
    src = write_vectors(toy.restrict(3), tmp_path / "v.txt", "glove")
    res = runner.invoke(app, ["import", str(src), "--name", "linked", "--force"])
    assert res.exit_code == 0, res.output
    assert not link.is_symlink() and len(load("linked")) == 3 and len(load("real")) == 7
    assert leftovers(models_dir()) == []
    (models_dir() / "dangling").symlink_to(tmp_path / "gone")
    remove("dangling")
    assert not os.path.lexists(models_dir() / "dangling")


def test_import_on_a_full_disk_leaves_the_store_intact(toy, tmp_path, monkeypatch):
    save(toy, "m")
    src = write_vectors(toy.restrict(3), tmp_path / "v.txt", "glove")
    from vecs.io import folder

    real_save = folder.save_npy
    calls = []

    def full(file, arr):
        calls.append(file)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(file, arr)

    with monkeypatch.context() as m:
        m.setattr(folder, "save_npy", full)
        res = runner.invoke(app, ["import", str(src), "--name", "m", "--force"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.strip().splitlines() == [
        f"error: cannot write model 'm' in {models_dir()}: No space left on device; nothing was replaced"]
    assert len(load("m")) == 7 and leftovers(models_dir()) == [] and model_names() == ["m"]


@contextmanager
def read_only(*roots: Path):
    """Every write under ``roots`` fails as on a read-only file system (root ignores permission
    bits, so CI cannot use chmod): opening for writing, creating, renaming, removing."""
    import builtins
    import io

    roots = tuple(str(r) for r in roots)

    def under(path) -> bool:
        return isinstance(path, (str, os.PathLike)) and os.path.abspath(os.fspath(path)).startswith(roots)

    def deny(path):
        raise OSError(errno.EROFS, "Read-only file system", os.fspath(path))

    real = {n: getattr(os, n) for n in ("open", "mkdir", "replace", "rename", "unlink", "remove", "rmdir", "chmod")}
    real_open = builtins.open

    def os_open(path, flags, *a, **k):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and (under(path) or "dir_fd" in k):
            deny(path)
        return real["open"](path, flags, *a, **k)

    def mkdir(path, *a, **k):
        if under(path) and not os.path.isdir(path):
            deny(path)
        if under(path):
            raise FileExistsError(errno.EEXIST, "File exists", os.fspath(path))
        return real["mkdir"](path, *a, **k)

    def writes(name):
        def f(path, *a, **k):
            if under(path) or "dir_fd" in k:
                deny(path)
            return real[name](path, *a, **k)
        return f

    def py_open(file, mode="r", *a, **k):
        if any(c in mode for c in "wax+") and under(file):
            deny(file)
        return real_open(file, mode, *a, **k)

    patches = {"open": os_open, "mkdir": mkdir, **{n: writes(n) for n in ("replace", "rename", "unlink", "remove",
                                                                         "rmdir", "chmod")}}
    try:
        for n, f in patches.items():
            setattr(os, n, f)
        builtins.open = io.open = py_open
        yield
    finally:
        for n, f in real.items():
            setattr(os, n, f)
        builtins.open = io.open = real_open


def test_read_only_home_queries_work_and_writes_give_one_line(toy, tmp_path, vecs_home):
    save(toy, "toy")
    (models_dir() / ".toy.tmp-gone").mkdir()  # a leftover recovery would remove: it must not try
    src = write_vectors(toy, tmp_path / "v.txt", "glove")
    with read_only(vecs_home):
        res = runner.invoke(app, ["models"])
        assert res.exit_code == 0 and "toy" in res.stdout, res.output
        res = runner.invoke(app, ["neighbours", "king", "-m", "toy"])
        assert res.exit_code == 0 and "queen" in res.stdout, res.output
        res = runner.invoke(app, ["similarity", "king", "queen", "-m", "toy"])
        assert res.exit_code == 0, res.output
        for args in (["import", str(src), "--name", "new"], ["import", str(src), "--name", "toy", "--force"],
                     ["rm", "toy"]):
            res = runner.invoke(app, args)
            assert res.exit_code == 1 and "Traceback" not in res.output, (args, res.output)
            lines = res.stderr.strip().splitlines()
            assert len(lines) == 1 and "Read-only file system" in lines[0], (args, res.stderr)
    assert len(load("toy")) == 7 and leftovers(models_dir()) == []  # writable again: recovered


def _permission_bits_hold(folder: Path) -> bool:
    """Whether writes into a folder without write permission fail here (not as root)."""
    probe = folder / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        (probe / "x").touch()
        return False
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
        (probe / "x").unlink(missing_ok=True)
        probe.rmdir()


def test_read_only_home_by_permissions(toy, tmp_path, vecs_home):
    if os.name != "posix" or not _permission_bits_hold(tmp_path):
        pytest.skip("permission bits are not enforced here (root): the monkeypatched test above stands in")
    save(toy, "toy")
    src = write_vectors(toy, tmp_path / "v.txt", "glove")
    subprocess.run(["chmod", "-R", "a-w", str(vecs_home)], check=True)
    try:
        res = runner.invoke(app, ["models"])
        assert res.exit_code == 0 and "toy" in res.stdout, res.output
        res = runner.invoke(app, ["neighbours", "king", "-m", "toy"])
        assert res.exit_code == 0 and "queen" in res.stdout, res.output
        res = runner.invoke(app, ["import", str(src), "--name", "new"])
        assert res.exit_code == 1 and len(res.stderr.strip().splitlines()) == 1, res.output
        assert "Permission denied" in res.stderr
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(vecs_home)], check=True)


def test_read_only_home_without_a_store_folder(tmp_path, monkeypatch):
    home = tmp_path / "ro" / "home"  # does not exist and cannot be created
    monkeypatch.setenv("VECS_HOME", str(home))
    with read_only(tmp_path / "ro"):
        res = runner.invoke(app, ["models"])
        assert res.exit_code == 0 and "no stored models" in res.stdout, res.output
        res = runner.invoke(app, ["neighbours", "king", "-m", "toy"])
        assert res.exit_code == 1 and len(res.stderr.strip().splitlines()) == 1 and "toy" in res.stderr
    assert not home.exists()


def test_a_stored_model_has_the_usual_permissions(toy):
    path = save(toy, "m")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o777 & ~mask  # not mkdtemp's private 0o700


def test_cli_import_says_how_many_repeated_words_were_dropped(tmp_path):
    import json as _json

    from helpers import ok

    p = tmp_path / "dup.txt"
    p.write_text("3 2\ncat 0.1 0.9\ndog 0.4 0.5\ncat 0.9 0.1\n")
    r = ok(["import", str(p), "--name", "d"])
    assert "note: 1 repeated word(s) dropped" in r.stdout and "'cat'" in r.stdout
    out = _json.loads(ok(["import", str(p), "--name", "d2", "--json"]).stdout)
    assert out["words"] == 2 and out["duplicates_dropped"] == 1 and out["duplicate_words"] == ["cat"]


def test_rm_also_removes_an_interrupted_training_of_the_model(toy):
    from vecs.io.store import remove_models, save
    from vecs.swap import leftovers

    path = save(toy, "m")
    pending = path.parent / ".m.checkpoint"
    pending.mkdir()
    (pending / "model.safetensors").write_bytes(b"x")
    remove_models(["m"])
    assert not path.exists() and not pending.exists() and leftovers(path.parent) == []
