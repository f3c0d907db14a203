"""Fixtures of the hub room: resources and a cache of the test's own, and small crafted
archives registered in the catalogue (a file:// ``url`` origin or a local wheel for pip), so
that fetching, extraction and verification are tested without the network."""

from __future__ import annotations

import base64
import hashlib
import stat
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from vecs.hub.catalogue import CATALOGUE, Member, Origin, Resource


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def set_sha(files: dict[str, bytes]) -> str:
    """The catalogue's sha256 of a glob member: over the sorted ``name\\0sha256\\n`` lines."""
    h = hashlib.sha256()
    for name, data in sorted(files.items()):
        h.update(name.encode() + b"\0" + sha(data).encode() + b"\n")
    return h.hexdigest()


def write_zip(path: Path, members: dict[str, bytes], symlinks: dict[str, str] | None = None) -> Path:
    """A zip with ``members`` (names written as given, unchecked) and symbolic-link members."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name), data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return path


def write_wheel(folder: Path, package: str, version: str, files: dict[str, bytes]) -> Path:
    """A minimal valid wheel (what ``pip download`` accepts) holding ``files``."""
    norm = package.replace("-", "_")
    info = f"{norm}-{version}.dist-info"
    content = dict(files)
    content[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n".encode()
    content[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: vecs-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{k},sha256={base64.urlsafe_b64encode(hashlib.sha256(v).digest()).rstrip(b'=').decode()},"
                     f"{len(v)}\n" for k, v in content.items())
    content[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{norm}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for k, v in content.items():
            z.writestr(k, v)
    return path


@pytest.fixture
def own_home(tmp_path, monkeypatch):
    """Resources and a download cache of this test's own (the shared real ones untouched)."""
    res, cache = tmp_path / "res", tmp_path / "cache"
    monkeypatch.setenv("VECS_RESOURCES", str(res))
    monkeypatch.setenv("VECS_CACHE", str(cache))
    monkeypatch.delenv("VECS_OFFLINE", raising=False)
    return SimpleNamespace(res=res, cache=cache, root=tmp_path)


@pytest.fixture
def url_resource(own_home, monkeypatch):
    """``url_resource(name, archive, members, archive_sha=None, main=...)`` registers a
    resource whose origin is ``archive`` as a file:// URL (sha256 of the archive pinned unless
    ``archive_sha=""``); returns the Resource."""

    def make(name: str, archive: Path, members: tuple[Member, ...], archive_sha: str | None = None,
             main: str | None = None, kind: str = "wordlist") -> Resource:
        digest = sha(archive.read_bytes()) if archive_sha is None else archive_sha
        r = Resource(name, kind, "a crafted test resource", "CC0", 0, main or members[0].dest,
                     origins=(Origin("url", url=archive.as_uri(), sha256=digest, members=members),))
        monkeypatch.setitem(CATALOGUE, name, r)
        return r

    return make


@pytest.fixture
def craft():
    """The crafting helpers above: ``craft.sha``, ``craft.set_sha``, ``craft.zip``, ``craft.wheel``."""
    return SimpleNamespace(sha=sha, set_sha=set_sha, zip=write_zip, wheel=write_wheel)
