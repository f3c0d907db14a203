"""Installed resources: where they are, their record (``resource.json``) and whether they are
still what was installed.

At install every file of a resource is hashed into the record's ``members`` map (path ->
sha256 and size). :func:`check_sizes` is the cheap check made whenever a resource is opened
(file sizes only, no hashing); :func:`verify_resources` is the full one behind
``vecs get --verify``. Resources installed before records had members are checked against the
catalogue's own hashes where those cover the installed files (resources used as fetched).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from vecs.errors import ResourceError
from vecs.hub.archive import Hashes, set_digest, sha256_file
from vecs.hub.catalogue import CATALOGUE, get
from vecs.paths import resources_dir
from vecs.progress import ProgressFn, report

RECORD = "resource.json"


def location(name: str) -> Path:
    return resources_dir() / name


def is_installed(name: str) -> bool:
    get(name)
    return (location(name) / RECORD).is_file()


def read_record(name: str) -> dict:
    """The install record of ``name`` (``{}`` when it is not installed)."""
    p = location(name) / RECORD
    try:
        record = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise ResourceError(f"resource {name!r}: its record {p} is unreadable ({e}); "
                            f"reinstall it with `vecs get --force {name}`") from None
    if not isinstance(record, dict):
        raise ResourceError(f"resource {name!r}: its record {p} is not a JSON object; "
                            f"reinstall it with `vecs get --force {name}`")
    return record


def members(record: dict) -> dict[str, dict]:
    """The record's ``members`` map (path -> ``{"sha256", "size"}``), ``{}`` for old records."""
    m = record.get("members")
    return m if isinstance(m, dict) else {}


def build_manifest(folder: Path, known: Hashes | None = None, progress: ProgressFn | None = None,
                   stage: str = "hash") -> dict[str, dict]:
    """``members`` for a resource built in ``folder``: every file but the record itself, with
    its sha256 and size (``known`` hashes are reused for files hashed while they were extracted)."""
    known = known or {}
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and not (p.name == RECORD and p.parent == folder)]
    out: dict[str, dict] = {}
    for i, p in enumerate(files, 1):
        rel = p.relative_to(folder).as_posix()
        size = p.stat().st_size
        sha = known[rel][0] if rel in known and known[rel][1] == size else sha256_file(p)
        out[rel] = {"sha256": sha, "size": size}
        report(progress, stage, i, len(files), finished=i == len(files))
    return out


def check_sizes(name: str) -> None:
    """The cheap check made when a resource is opened: every recorded file is there with its
    recorded size (no hashing). Raises :class:`ResourceError` naming the first difference."""
    folder = location(name)
    for rel, entry in members(read_record(name)).items():
        expected = entry.get("size") if isinstance(entry, dict) else None
        try:
            size = (folder / rel).stat().st_size
        except FileNotFoundError:
            what = f"{rel} is missing"
        else:
            if size == expected:
                continue
            was = f"{expected:,}" if isinstance(expected, int) else "unknown"
            what = f"{rel} has changed ({size:,} bytes, {was} when installed)"
        raise ResourceError(f"resource {name!r} was modified after it was installed: {what}; "
                            f"check it with `vecs get --verify {name}`, reinstall it with `vecs get --force {name}`")


@dataclass
class VerifyResult:
    """``vecs get --verify`` for one resource: ``ok``, or the files that differ from the record."""

    name: str
    ok: bool
    files: int  # files checked
    modified: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    note: str = ""  # why it could not be verified, or how

    @property
    def problems(self) -> list[str]:
        """One line per problem."""
        out = [f"{self.name}: modified {f}" for f in self.modified]
        out += [f"{self.name}: missing {f}" for f in self.missing]
        out += [f"{self.name}: unexpected file {f}" for f in self.added]
        if not self.ok and not out:
            out.append(f"{self.name}: {self.note}")
        return out


def verify_resources(names: list[str] | None = None, progress: ProgressFn | None = None) -> list[VerifyResult]:
    """Hash every file of each named resource (default: every installed one) and compare with
    what was recorded at install. Every name is checked before anything is hashed."""
    if names:
        for n in names:
            get(n)
    else:
        names = [n for n in CATALOGUE if is_installed(n)]
    return [verify_one(n, progress=progress) for n in names]


def verify_one(name: str, progress: ProgressFn | None = None) -> VerifyResult:
    if not is_installed(name):
        return VerifyResult(name, False, 0, note=f"not installed (fetch it with `vecs get {name}`)")
    folder = location(name)
    record = read_record(name)
    recorded = members(record)
    if not recorded:
        return _verify_by_catalogue(name, record)
    res = VerifyResult(name, True, len(recorded))
    total = sum(e.get("size", 0) for e in recorded.values() if isinstance(e, dict) and isinstance(e.get("size"), int))
    done = 0
    for rel, entry in sorted(recorded.items()):
        p = folder / rel
        if not p.is_file():
            res.missing.append(rel)
        elif not isinstance(entry, dict) or p.stat().st_size != entry.get("size") \
                or sha256_file(p) != entry.get("sha256"):
            res.modified.append(rel)
        done += entry.get("size", 0) if isinstance(entry, dict) and isinstance(entry.get("size"), int) else 0
        report(progress, f"verify {name}", done, total or None, bytes=done)
    report(progress, f"verify {name}", done, total or None, finished=True, bytes=done)
    from vecs.io.folder import INDEX, INDEX_META  # an index built beside the vectors is ours, not "added"

    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
               and p.name not in (INDEX, INDEX_META)} - {RECORD}
    res.added = sorted(on_disk - set(recorded))
    res.ok = not (res.modified or res.missing or res.added)
    return res


def _verify_by_catalogue(name: str, record: dict) -> VerifyResult:
    """An install from before records had members: the catalogue's hashes cover the files of a
    resource used as fetched (not converted)."""
    r = get(name)
    origin = next((o for o in r.origins if o.describe() == record.get("origin")), None)
    if origin is None or origin.convert or not all(m.sha256 for m in origin.members):
        return VerifyResult(name, False, 0, note="installed by an older vecs, which recorded no hashes to check "
                                                 f"it against; reinstall it with `vecs get --force {name}`")
    folder = location(name)
    res = VerifyResult(name, True, 0, note="checked against the catalogue: installed by an older vecs")
    for m in origin.members:
        target = folder / m.dest
        if "*" not in m.pattern:
            res.files += 1
            if not target.is_file():
                res.missing.append(m.dest)
            elif sha256_file(target) != m.sha256:
                res.modified.append(m.dest)
            continue
        files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else []
        res.files += len(files)
        if set_digest([(p.relative_to(target).as_posix(), sha256_file(p)) for p in files]) != m.sha256:
            res.modified.append(f"{m.dest}/ (the set of files differs from the pinned one)")
    res.ok = not (res.modified or res.missing)
    return res
