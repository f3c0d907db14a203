"""`vecs cache`: list the cached downloads, free them, --json, a bad name."""

from __future__ import annotations

import json
import os

import pytest
from helpers import fails, ok

from vecs.hub.catalogue import CATALOGUE, Member, Origin, Resource


@pytest.fixture
def cache_with_a_wheel(tmp_path, monkeypatch):
    import zipfile

    cache = tmp_path / "cache"
    cache.mkdir()
    whl = cache / "tiny_pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        z.writestr("tiny/a.txt", "alpha\n")
    (cache / "corpora").mkdir()
    monkeypatch.setenv("VECS_CACHE", str(cache))
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setitem(CATALOGUE, "tiny-a", Resource(
        "tiny-a", "wordlist", "a test list", "CC0", 100, "a.txt",
        origins=(Origin("pypi", package="tiny-pkg", version="1.0", members=(Member("tiny/a.txt", "a.txt", ""),)),)))
    return cache


def test_cache_lists_each_file_with_the_resource_it_serves_and_the_total(cache_with_a_wheel):
    out = ok(["cache"], env={"COLUMNS": "80"}).stdout
    assert "tiny_pkg-1.0-py3-none-any.whl" in out and "tiny-a" in out and "corpora" in out
    assert "Total" in out and "vecs cache --free" in out


def test_cache_json_gives_the_files_and_total(cache_with_a_wheel):
    got = json.loads(ok(["cache", "--json"]).stdout)
    files = {f["name"]: f for f in got["files"]}
    assert files["tiny_pkg-1.0-py3-none-any.whl"]["resources"] == ["tiny-a"]
    assert files["tiny_pkg-1.0-py3-none-any.whl"]["installed"] == []
    assert got["total"] == sum(f["size"] for f in got["files"])


def test_cache_free_names_removes_only_those(cache_with_a_wheel):
    out = ok(["cache", "--free", "tiny-a"]).stdout
    assert "Freed" in out and "Installed resources keep working" in out
    assert os.listdir(cache_with_a_wheel) == ["corpora"]
    got = json.loads(ok(["cache", "--free", "--json"]).stdout)
    assert got["freed"] == ["corpora"] and got["remaining"] == 0
    assert "is empty" in ok(["cache"]).stdout


def test_cache_refuses_an_unknown_name_in_one_line(cache_with_a_wheel):
    assert "neither a cached file nor a resource" in fails(["cache", "--free", "tiny-b"])
    assert "nothing cached is named 'nope'" in fails(["cache", "nope"])
    assert len(os.listdir(cache_with_a_wheel)) == 2


@pytest.fixture
def cache_with_tokenised(tmp_path, monkeypatch):
    from vecs.corpus.reader import open_corpus
    from vecs.static.tokenised import corpus_file

    cache = tmp_path / "cache"
    monkeypatch.setenv("VECS_CACHE", str(cache))
    text = tmp_path / "speech.txt"
    text.write_text("It rained. Then it stopped! Did it? Yes, it did.\n" * 3, encoding="utf-8")
    return corpus_file(open_corpus(text, segment="space"))


def test_cache_lists_each_tokenised_corpus_and_frees_it_by_name(cache_with_tokenised):
    cf = cache_with_tokenised
    name = f"corpora/{cf.path.stem}"
    out = ok(["cache"], env={"COLUMNS": "120"}).stdout
    assert "Tokenised corpora" in out and name in out and "speech" in out and f"{cf.tokens:,}" in out
    assert "vecs cache --free corpora" in " ".join(out.split())  # (the line wraps where the folder's name puts it)
    got = json.loads(ok(["cache", name, "--json"]).stdout)
    assert [t["name"] for t in got["corpora"]] == [name] and got["corpora"][0]["tokens"] == cf.tokens
    assert got["total"] == got["corpora"][0]["size"] > cf.path.stat().st_size
    freed = json.loads(ok(["cache", "--free", name, "--json"]).stdout)
    assert freed["freed"] == [name] and not cf.path.exists()
    assert not list(cf.path.parent.iterdir())
    assert "corpora/nope" in fails(["cache", "--free", "corpora/nope"])
