"""The download cache (``VECS_CACHE``): what it holds, which resource each file serves, and
freeing it.

A downloaded archive (a wheel, a pinned source archive) is kept after extraction so that
``vecs get --force`` or a second resources folder needs no network. Nothing reads it once a
resource is installed: installed resources keep working when the cache is freed (only a
re-fetch downloads again). Besides archives the cache holds derived work (``corpora/``: the
tokenised corpora word2vec streams; ``jieba/``: jieba's dictionary cache), re-made on demand.

Each tokenised corpus (written by :mod:`vecs.static.tokenised`) is three files in ``corpora/``:
``STEM.txt`` (the tokens), ``STEM.counts.json`` and ``STEM.json`` (what it is: ``corpus``,
``source``, ``tokens``, ``words``...). :func:`cached` lists them one by one
(:class:`TokenisedCorpus`, named ``corpora/STEM``) and :func:`free` takes those names too, or
``corpora`` for all of them.

:func:`needs` says, per resource, how many bytes ``vecs get`` would still download, counting an
archive shared by several resources (msr, men, ... come from one wheel) once, and nothing
for one already cached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vecs.errors import ResourceError
from vecs.hub.catalogue import CATALOGUE, Origin, Resource, get
from vecs.hub.verify import is_installed
from vecs.paths import cache_dir
from vecs.util import close_names, did_you_mean

__all__ = ["CORPORA", "CachedFile", "CacheListing", "Freed", "Need", "TokenisedCorpus", "archive_matches", "archives",
           "cached", "download_total", "free", "needs", "serves", "tokenised_corpora"]


# --------------------------------------------------------------------------------------------
# Which file serves which resource
# --------------------------------------------------------------------------------------------
def archive_matches(package: str, version: str, filename: str) -> bool:
    """Whether ``filename`` is the wheel of ``package==version`` (how ``pip download`` names it)."""
    norm = package.replace("-", "_").replace(".", "_").lower()
    return filename.lower().startswith(f"{norm}-{version}-".lower()) and filename.endswith(".whl")


def archives(origin: Origin) -> list[tuple[str, str, str]]:
    """The downloads an origin needs, as ``(package, version, file)`` (``file`` is the name of
    a plain URL's archive, empty for a wheel named by pip); none for an installed origin."""
    if origin.kind == "installed":
        return []
    if origin.kind == "url" or origin.url:
        return [(origin.package, origin.version, origin.url.rsplit("/", 1)[-1])]
    return [(origin.package, origin.version, "")] + [(p, v, "") for p, v, _ in origin.parts]


def _is(archive: tuple[str, str, str], filename: str) -> bool:
    package, version, file = archive
    return filename == file if file else archive_matches(package, version, filename)


def serves(filename: str) -> list[str]:
    """The resources that are fetched from the cached file ``filename`` (sorted)."""
    return sorted(r.name for r in CATALOGUE.values()
                  if any(_is(a, filename) for o in r.origins for a in archives(o)))


# --------------------------------------------------------------------------------------------
# Listing and freeing
# --------------------------------------------------------------------------------------------
@dataclass
class CachedFile:
    name: str  # the file or folder name inside the cache
    kind: str  # "download": an archive a resource is fetched from; "other": an archive no resource
    # of this version names (an old pin); "work": derived files (corpora/, jieba/), re-made on demand
    size: int  # bytes (a folder: everything under it)
    resources: list[str] = field(default_factory=list)  # the resources it serves
    installed: list[str] = field(default_factory=list)  # those of them that are installed
    link: str | None = None  # a link into another cache: freeing it removes the link, no space


@dataclass
class TokenisedCorpus:
    """A corpus tokenised for word2vec, kept in ``corpora/`` for the next training on it."""

    name: str  # "corpora/STEM": what `vecs cache --free` takes to remove it alone
    corpus: str  # the corpus's name
    source: str  # where its text is
    tokens: int | None
    words: int | None  # distinct words
    size: int  # bytes of its files (the tokens, the counts, the description)
    path: str  # the tokenised text
    used: str  # when it was last made or used (ISO 8601, UTC)


@dataclass
class CacheListing:
    folder: str
    files: list[CachedFile]
    total: int  # bytes that freeing everything gives back (links count nothing)
    corpora: list[TokenisedCorpus] = field(default_factory=list)  # what the corpora/ folder holds, one by one


@dataclass
class Freed:
    folder: str
    freed: list[str]  # the names removed
    bytes: int  # space given back
    remaining: int  # bytes still in the cache


def _size(p: Path) -> int:
    if p.is_symlink():
        return 0
    if p.is_dir():
        return sum((Path(d) / f).lstat().st_size for d, _, fs in os.walk(p) for f in fs)
    return p.lstat().st_size


def _entries(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    # hidden names are temporaries of a download or write in progress: never listed nor freed
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _describe(p: Path) -> CachedFile:
    link = None
    if p.is_symlink():
        link = os.readlink(p)
        try:
            size = p.stat().st_size
        except OSError:  # a dangling link
            size = 0
    else:
        size = _size(p)
    if p.is_dir() and not p.is_symlink():
        return CachedFile(p.name, "work", size, link=link)
    names = serves(p.name)
    return CachedFile(p.name, "download" if names else "other", size, names,
                      [n for n in names if is_installed(n)], link)


CORPORA = "corpora"  # the folder of tokenised corpora, inside the cache


def _tokenised_files(text: Path) -> list[Path]:
    stem = text.name[: -len(".txt")]
    return [p for p in (text, text.with_name(f"{stem}.counts.json"), text.with_name(f"{stem}.json")) if p.exists()]


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def tokenised_corpora(folder: Path | None = None) -> list[TokenisedCorpus]:
    """The tokenised corpora in the cache's ``corpora/`` folder, most recently used first."""
    import json
    from datetime import datetime, timezone

    root = (folder if folder is not None else cache_dir(create=False)) / CORPORA
    if not root.is_dir() or root.is_symlink():
        return []
    out = []
    for text in sorted(root.glob("*.txt")):
        if text.name.startswith("."):
            continue
        stem = text.name[: -len(".txt")]
        try:
            with open(text.with_name(f"{stem}.json"), encoding="utf-8") as f:
                info = json.loads(f.read(1 << 20))  # a description (an old one holds the counts too)
        except (OSError, ValueError):
            info = {}
        info = info if isinstance(info, dict) else {}
        counts = info.get("counts")
        words = _int_or_none(info.get("words")) or (len(counts) if isinstance(counts, dict) else None)
        try:
            mtime = text.stat().st_mtime
        except OSError:
            continue
        used = datetime.fromtimestamp(mtime, timezone.utc).replace(microsecond=0).isoformat()
        out.append((mtime, TokenisedCorpus(
            f"{CORPORA}/{stem}", str(info.get("corpus") or stem), str(info.get("source") or ""),
            _int_or_none(info.get("tokens")), words, sum(p.lstat().st_size for p in _tokenised_files(text)),
            str(text), used)))
    return [t for _, t in sorted(out, key=lambda x: -x[0])]


def cached(names: list[str] | None = None) -> CacheListing:
    """What the download cache holds, with the resources each file serves: everything, or the
    files named and those serving the resources named (a name matching nothing is refused);
    the tokenised corpora one by one (all of them, or those named ``corpora/STEM``, or all with
    ``corpora``)."""
    folder = cache_dir(create=False)
    files = [_describe(p) for p in _entries(folder)]
    corpora = tokenised_corpora(folder)
    if names:
        wanted = set(names)
        unknown = sorted(wanted - {f.name for f in files} - {r for f in files for r in f.resources}
                         - {t.name for t in corpora})
        if unknown:
            known = [f.name for f in files] + [t.name for t in corpora] + sorted(CATALOGUE)
            raise ResourceError(f"nothing cached is named {unknown[0]!r}"
                                + did_you_mean(close_names(unknown[0], known)))
        files = [f for f in files if f.name in wanted or wanted & set(f.resources)]
        if CORPORA not in wanted:
            corpora = [t for t in corpora if t.name in wanted]
    return CacheListing(str(folder), files, sum(f.size for f in files if f.link is None)
                        + sum(t.size for t in corpora if not any(f.name == CORPORA for f in files)), corpora)


def free(names: list[str] | None = None) -> Freed:
    """Remove cached files: all of them (``names`` empty), or those named — a file or folder
    of the cache, or a resource (the archives it is fetched from). Installed resources are not
    touched and keep working. An unknown name is refused before anything is removed."""
    folder = cache_dir(create=False)
    entries = {p.name: p for p in _entries(folder)}
    corpora = {t.name: Path(t.path) for t in tokenised_corpora(folder)}
    chosen: dict[str, Path] = {}
    for name in names or []:
        if name in entries:
            chosen[name] = entries[name]
        elif name in corpora:
            continue  # below
        elif name in CATALOGUE:
            chosen.update((k, p) for k, p in entries.items() if name in serves(k))
        else:
            known = sorted(entries) + sorted(corpora) + sorted(CATALOGUE)
            raise ResourceError(f"{name!r} is neither a cached file nor a resource"
                                + did_you_mean(close_names(name, known)))
    if not names:
        chosen = dict(entries)
    gone, total = [], 0
    for name in sorted(set(names or []) & set(corpora)):
        if CORPORA in chosen:
            break  # the whole folder goes
        for p in _tokenised_files(corpora[name]):
            total += p.lstat().st_size
            p.unlink(missing_ok=True)
        gone.append(name)
    for name, p in sorted(chosen.items()):
        size = _size(p)
        if p.is_dir() and not p.is_symlink():
            import shutil

            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)
        gone.append(name)
        total += size
    return Freed(str(folder), gone, total, sum(_size(p) for p in _entries(folder)))


# --------------------------------------------------------------------------------------------
# What a fetch would still download
# --------------------------------------------------------------------------------------------
@dataclass
class Need:
    name: str
    download: int  # bytes `vecs get NAME` would download now (0: installed, in an installed package, or cached)
    archive: int  # bytes of its download as a whole (the cached file's real size once cached)
    cached: bool  # its download is in the cache already
    shared_with: list[str] = field(default_factory=list)  # resources fetched from the same download


def _distribution_present(package: str) -> bool:
    from importlib import metadata

    try:
        metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def _origin(r: Resource) -> Origin | None:
    """The origin a fetch would use first: an installed distribution when it is there,
    else the first that downloads."""
    for o in r.origins:
        if o.kind == "installed":
            if _distribution_present(o.package):
                return o
            continue
        return o
    return None


def _need(r: Resource, present: list[Path], sharing: dict[tuple, list[str]]) -> Need:
    o = _origin(r)
    wanted = archives(o) if o is not None else []
    hits = [next((p for p in present if _is(a, p.name)), None) for a in wanted]
    got = sum(p.stat().st_size for p in hits if p is not None)
    complete = bool(wanted) and all(hits)
    archive = got if complete else max(r.size, got)
    download = 0 if (not wanted or complete or is_installed(r.name)) else max(r.size - got, 0)
    shared = sorted({n for a in wanted for n in sharing.get(a, []) if n != r.name})
    return Need(r.name, download, archive if wanted else 0, complete, shared)


def needs(names: list[str] | None = None) -> dict[str, Need]:
    """Per resource (every one, or ``names``), the bytes a fetch would still download."""
    present = [p for p in _entries(cache_dir(create=False)) if p.is_file()]
    sharing: dict[tuple, list[str]] = {}
    for r in CATALOGUE.values():
        o = _origin(r)
        for a in archives(o) if o is not None else []:
            sharing.setdefault(a, []).append(r.name)
    chosen = [get(n) for n in names] if names else list(CATALOGUE.values())
    return {r.name: _need(r, present, sharing) for r in chosen}


def download_total(names: list[str]) -> int:
    """Bytes fetching all of ``names`` would download, a shared archive counted once."""
    seen: set[tuple] = set()
    total = 0
    for n, need in needs(names).items():
        o = _origin(CATALOGUE[n])
        key = tuple(archives(o)) if o is not None else ()
        if need.download and key not in seen:
            seen.add(key)
            total += need.download
    return total
