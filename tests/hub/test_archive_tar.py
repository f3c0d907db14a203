"""Safe extraction from tar archives (sdists), with the zip path's guarantees: every member
checked before anything is written (no '..', no absolute path, no link, no device or fifo, no
duplicate, no absurd size), every taken file hashed before it is moved into place — on tiny
crafted tar files; and a PyPI sdist origin fetched by its pinned file URL."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from vecs.errors import ResourceError
from vecs.hub import archive as archive_mod
from vecs.hub.archive import Corrupt, Unsafe, extract_members
from vecs.hub.catalogue import CATALOGUE, Member, Origin, Resource
from vecs.hub.fetch import fetch, path


def write_tar(p, files: dict[str, bytes], mode: str = "w:gz", special: list[tarfile.TarInfo] = ()):
    with tarfile.open(p, mode) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for info in special:
            t.addfile(info)
    return p


def special(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _extract(tmp_path, archive, members):
    r = Resource("t", "corpus", "", "", 0, "x", origins=(Origin("url", members=members),))
    target = tmp_path / "build"
    target.mkdir(exist_ok=True)
    return extract_members(r, r.origins[0], archive, target), target


def test_a_tar_gz_member_is_extracted_with_its_hash(tmp_path, craft):
    data = "迈向/v  充满/v  希望/n\n".encode()
    archive = write_tar(tmp_path / "p-1.tar.gz", {"p-1/tag/199801.txt": data, "p-1/setup.py": b"raise SystemExit"})
    hashes, target = _extract(tmp_path, archive, (Member("p-1/tag/199801.txt", "199801.txt", craft.sha(data)),))
    assert files_under(target) == ["199801.txt"] and (target / "199801.txt").read_bytes() == data
    assert hashes == {"199801.txt": (craft.sha(data), len(data))}


@pytest.mark.parametrize("mode, suffix", [("w:xz", ".tar.xz"), ("w:bz2", ".tar.bz2"), ("w", ".tar")])
def test_other_tar_compressions_work_alike(tmp_path, mode, suffix, craft):
    archive = write_tar(tmp_path / f"a{suffix}", {"d/a.txt": b"a\n"}, mode=mode)
    _, target = _extract(tmp_path, archive, (Member("d/a.txt", "a.txt", craft.sha(b"a\n")),))
    assert (target / "a.txt").read_bytes() == b"a\n"


@pytest.mark.parametrize("evil", ["../escape.txt", "d/../../escape.txt", "/tmp/escape.txt", "d\\..\\escape.txt"])
def test_unsafe_tar_names_are_refused_before_anything_is_written(tmp_path, evil):
    archive = write_tar(tmp_path / "a.tar.gz", {"d/a.txt": b"a\n", evil: b"pwned\n"})
    with pytest.raises(Unsafe, match="refusing member"):
        _extract(tmp_path, archive, (Member("d/a.txt", "a.txt", ""),))
    assert files_under(tmp_path / "build") == []
    assert not any(p.name == "escape.txt" for p in tmp_path.parent.rglob("escape.txt"))


@pytest.mark.parametrize("info, why", [
    (special("d/link.txt", tarfile.SYMTYPE, "/etc/passwd"), "a link"),
    (special("d/hard.txt", tarfile.LNKTYPE, "d/a.txt"), "a link"),
    (special("d/dev", tarfile.CHRTYPE), "a device, fifo"),
    (special("d/blk", tarfile.BLKTYPE), "a device, fifo"),
    (special("d/fifo", tarfile.FIFOTYPE), "a device, fifo"),
])
def test_links_devices_and_fifos_are_refused_even_when_not_taken(tmp_path, info, why):
    archive = write_tar(tmp_path / "a.tar.gz", {"d/a.txt": b"a\n"}, special=[info])
    with pytest.raises(Unsafe, match=why):
        _extract(tmp_path, archive, (Member("d/a.txt", "a.txt", ""),))
    assert files_under(tmp_path / "build") == []


def test_a_symlink_named_as_the_member_is_refused(tmp_path):
    archive = write_tar(tmp_path / "a.tar.gz", {}, special=[special("d/a.txt", tarfile.SYMTYPE, "/etc/passwd")])
    with pytest.raises(Unsafe, match="'d/a.txt'.*a link"):
        _extract(tmp_path, archive, (Member("d/a.txt", "a.txt", ""),))
    assert files_under(tmp_path / "build") == []


def test_a_name_twice_is_refused(tmp_path):
    archive = write_tar(tmp_path / "a.tar.gz", {"d/a.txt": b"good\n"})
    with tarfile.open(tmp_path / "b.tar", "w") as t, tarfile.open(archive) as src:
        for m in src.getmembers():
            t.addfile(m, src.extractfile(m))
        info = tarfile.TarInfo("d/a.txt")
        info.size = 5
        t.addfile(info, io.BytesIO(b"evil\n"))
    with pytest.raises(Unsafe, match="appears twice"):
        _extract(tmp_path, tmp_path / "b.tar", (Member("d/a.txt", "a.txt", ""),))


def test_a_member_over_the_size_bound_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_mod, "MAX_MEMBER", 10)
    archive = write_tar(tmp_path / "a.tar.gz", {"d/a.txt": b"a\n", "d/big.bin": b"x" * 11})
    with pytest.raises(Unsafe, match="11 bytes"):
        _extract(tmp_path, archive, (Member("d/a.txt", "a.txt", ""),))


def test_a_tar_member_hash_mismatch_places_nothing(tmp_path, craft):
    archive = write_tar(tmp_path / "a.tar.gz", {"d/a.txt": b"tampered\n"})
    with pytest.raises(Corrupt, match="sha256 mismatch for d/a.txt"):
        _extract(tmp_path, archive, (Member("d/a.txt", "a.txt", craft.sha(b"original\n")),))
    assert files_under(tmp_path / "build") == []


@pytest.mark.parametrize("damage", ["cut", "garbage"])
def test_a_damaged_tar_gz_is_corrupt_not_a_traceback(tmp_path, damage):
    data = os.urandom(200_000)
    archive = write_tar(tmp_path / "a.tar.gz", {"d/a.txt": data})
    raw = archive.read_bytes()
    archive.write_bytes(raw[: len(raw) // 2] if damage == "cut" else b"\x1f\x8b" + os.urandom(500))
    with pytest.raises(Corrupt, match=r"a\.tar\.gz is (corrupt|not a valid archive)") as e:
        _extract(tmp_path, archive, (Member("d/a.txt", "a.txt", ""),))
    assert "\n" not in str(e.value)  # one line
    assert files_under(tmp_path / "build") == []


def test_an_sdist_origin_is_fetched_by_its_file_url_and_checked(own_home, monkeypatch, craft):
    data = "中共中央/nt  总书记/n\n".encode()
    archive = write_tar(own_home.root / "toy-1.0.tar.gz", {"toy-1.0/tag/c.txt": data})
    origin = Origin("pypi", package="toy", version="1.0", sha256=craft.sha(archive.read_bytes()),
                    url=archive.as_uri(), members=(Member("toy-1.0/tag/c.txt", "c.txt", craft.sha(data)),))
    monkeypatch.setitem(CATALOGUE, "toy-sdist", Resource("toy-sdist", "corpus", "", "MIT", 0, "c.txt", (origin,)))
    assert origin.describe() == "PyPI toy==1.0 (sdist)"
    assert path("toy-sdist").read_bytes() == data
    assert (own_home.cache / "toy-1.0.tar.gz").is_file()


def test_an_sdist_whose_archive_hash_differs_is_refused(own_home, monkeypatch, craft):
    archive = write_tar(own_home.root / "toy-1.0.tar.gz", {"toy-1.0/c.txt": b"x\n"})
    origin = Origin("pypi", package="toy", version="1.0", sha256=craft.sha(b"another archive"),
                    url=archive.as_uri(), members=(Member("toy-1.0/c.txt", "c.txt", ""),))
    monkeypatch.setitem(CATALOGUE, "toy-sdist", Resource("toy-sdist", "corpus", "", "MIT", 0, "c.txt", (origin,)))
    with pytest.raises(ResourceError, match="sha256 mismatch"):
        fetch("toy-sdist")
