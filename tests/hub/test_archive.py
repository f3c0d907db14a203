"""Safe extraction (vecs.hub.archive): every member name is checked before anything is written
(no absolute path, no '..', no drive letter, no backslash, no symbolic link, no duplicate), and
every member's sha256 is checked before it is moved into place — with crafted zip files."""

from __future__ import annotations

import os

import pytest

from vecs.errors import ResourceError
from vecs.hub.archive import Corrupt, OriginUnavailable, extract_members, unsafe_name
from vecs.hub.catalogue import Member, Origin, Resource
from vecs.hub.fetch import fetch
from vecs.swap import leftovers


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name, why", [
    ("../x.txt", "'..'"), ("data/../../x.txt", "'..'"), ("/etc/passwd", "absolute"), ("C:/x.txt", "drive letter"),
    ("c:x.txt", "drive letter"), ("data\\..\\x.txt", "backslash"), ("", "empty"), ("a/\x00b", "control"),
])
def test_unsafe_member_names_are_named(name, why):
    assert why in unsafe_name(name)


@pytest.mark.parametrize("name", ["words.txt", "data/words.txt", "a/./b.txt", "..hidden/x", "x..y"])
def test_ordinary_member_names_are_safe(name):
    assert unsafe_name(name) is None


@pytest.mark.parametrize("evil", ["data/../../../escape.txt", "/ABS/escape.txt", "C:/escape.txt",
                                  "data\\..\\..\\..\\escape.txt"])
def test_unsafe_member_is_refused_before_anything_is_written_even_without_hashes(
        evil, own_home, url_resource, craft):
    # no archive hash, no member hash: the names alone must keep every write inside the folder
    archive = craft.zip(own_home.root / "evil.zip", {"data/a.txt": b"a\n", evil: b"pwned\n"})
    url_resource("evil", archive, (Member("data/*", "words", ""),), archive_sha="")
    with pytest.raises(ResourceError, match=r"refusing member .*escape.txt"):
        fetch("evil")
    assert not (own_home.root / "escape.txt").exists()
    assert not any(p.name == "escape.txt" for p in own_home.root.rglob("*"))
    assert leftovers(own_home.res) == [] and not [p for p in os.listdir(own_home.res) if not p.endswith(".lock")]


def test_symlink_member_is_refused(own_home, url_resource, craft):
    archive = craft.zip(own_home.root / "link.zip", {"data/a.txt": b"a\n"}, symlinks={"data/b.txt": "/etc/passwd"})
    url_resource("link", archive, (Member("data/*", "words", ""),), archive_sha="")
    with pytest.raises(ResourceError, match=r"refusing member 'data/b.txt'.*symbolic link"):
        fetch("link")
    assert not [p for p in os.listdir(own_home.res) if not p.endswith(".lock")]


def test_duplicate_member_is_refused(own_home, url_resource, craft, recwarn):
    path = own_home.root / "dup.zip"
    craft.zip(path, {"data/a.txt": b"good\n", "data/a.txt ": b"x"})
    import zipfile

    with zipfile.ZipFile(path, "a") as z:  # the same name twice: the second would overwrite the first
        z.writestr("data/a.txt", b"evil\n")
    url_resource("dup", path, (Member("data/*", "words", ""),), archive_sha="")
    with pytest.raises(ResourceError, match="appears twice"):
        fetch("dup")


def _resource(members):
    return Resource("t", "wordlist", "", "", 0, "x", origins=(Origin("url", members=members),))


def test_member_hash_is_checked_before_the_file_is_moved_into_place(tmp_path, craft):
    archive = craft.zip(tmp_path / "a.zip", {"data/words.txt": b"tampered\n"})
    origin = Origin("url", members=(Member("data/words.txt", "words.txt", craft.sha(b"original\n")),))
    target = tmp_path / "build"
    target.mkdir()
    with pytest.raises(Corrupt, match="sha256 mismatch for data/words.txt"):
        extract_members(_resource(origin.members), origin, archive, target)
    assert files_under(target) == []  # never placed, and the staging folder is gone


def test_glob_member_set_hash_is_checked_before_any_file_is_placed(tmp_path, craft):
    good = {"a.txt": b"a\n", "b.txt": b"b\n"}
    archive = craft.zip(tmp_path / "a.zip", {"data/a.txt": b"a\n", "data/b.txt": b"B\n"})
    origin = Origin("url", members=(Member("data/*", "words", craft.set_sha(good)),))
    target = tmp_path / "build"
    target.mkdir()
    with pytest.raises(Corrupt):
        extract_members(_resource(origin.members), origin, archive, target)
    assert files_under(target) == []


def test_verified_members_are_placed_with_their_hashes(tmp_path, craft):
    files = {"a.txt": b"a\n", "sub/b.txt": b"bb\n"}
    archive = craft.zip(tmp_path / "a.zip", {f"data/{k}": v for k, v in files.items()})
    origin = Origin("url", members=(Member("data/*", "words", craft.set_sha(files)),))
    target = tmp_path / "build"
    target.mkdir()
    hashes = extract_members(_resource(origin.members), origin, archive, target)
    assert files_under(target) == ["words", "words/a.txt", "words/sub", "words/sub/b.txt"]
    assert hashes == {f"words/{k}": (craft.sha(v), len(v)) for k, v in files.items()}


def test_not_a_zip_is_one_clear_reason(tmp_path):
    bad = tmp_path / "bad.whl"
    bad.write_bytes(b"not a zip at all")
    origin = Origin("url", members=(Member("x", "x", ""),))
    with pytest.raises(OriginUnavailable, match="bad.whl is not a valid archive"):
        extract_members(_resource(origin.members), origin, bad, tmp_path)


def test_damaged_compressed_member_is_corrupt_not_a_zlib_traceback(tmp_path, craft):
    import zipfile

    path = tmp_path / "a.zip"
    data = bytes(range(256)) * 64
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("data/words.txt", data)
    raw = bytearray(path.read_bytes())
    start = raw.find(b"data/words.txt") + len("data/words.txt")  # the compressed bytes follow the local header
    for i in range(start + 8, start + 40):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))
    origin = Origin("url", members=(Member("data/words.txt", "words.txt", ""),))
    target = tmp_path / "build"
    target.mkdir()
    with pytest.raises(Corrupt, match="a.zip is corrupt"):
        extract_members(_resource(origin.members), origin, path, target)
    assert files_under(target) == []


def test_a_file_and_a_folder_of_the_same_name_are_refused(tmp_path, craft):
    archive = craft.zip(tmp_path / "a.zip", {"data/a": b"x", "data/a/b.txt": b"y"})
    origin = Origin("url", members=(Member("data/*", "words", ""),))
    target = tmp_path / "build"
    target.mkdir()
    with pytest.raises(OriginUnavailable, match="clashes with another member"):
        extract_members(_resource(origin.members), origin, archive, target)
