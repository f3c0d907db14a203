"""The model store: named Spaces on disk, and resolving a ``--model`` spec to a Space.

A model is a folder ``models/NAME/`` (see HACKING.md):

* ``vectors.npy`` float32 ``(n, d)``, C order, loaded memory-mapped (a query on a 3M-word
  model starts at once);
* ``norms.npy`` float32 row norms, written once so queries need not recompute them;
* ``words.txt`` UTF-8, one word per line, row order;
* ``meta.json`` ``name``, ``kind``, ``words``, ``dim``, ``source``, ``created``, ``params`` ...

Writes are atomic: the model is written into a hidden sibling ``models/.NAME.tmp-XXXX`` and
renamed into place; replacing (``force``) renames the old model aside first and deletes it
only once the new one is in, so at every instant NAME is either the old or the new model.

File formats (word2vec, GloVe, fastText, TSV) live in :mod:`vecs.formats`; ``read_vectors``
and ``write_vectors`` are re-exported here.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vecs.errors import FormatError, ModelExists, ModelNotFound, StoreError
from vecs.formats import read_words, read_vectors, sniff, write_vectors  # noqa: F401  (re-exported)
from vecs.jsonify import plain
from vecs.paths import models_dir
from vecs.progress import ProgressFn
from vecs.space import Space

__all__ = ["ModelInfo", "save", "load", "exists", "remove", "list_models", "write_dir", "load_dir",
           "resolve", "read_vectors", "write_vectors", "validate_name"]

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
VECTORS, NORMS, WORDS, META = "vectors.npy", "norms.npy", "words.txt", "meta.json"


@dataclass
class ModelInfo:
    name: str
    kind: str
    words: int
    dim: int
    source: str
    created: str
    path: str


# -- names ----------------------------------------------------------------------------------
def validate_name(name: str) -> str:
    """``name`` if it is a valid model name (letters, digits, ``._-``, not starting with a
    punctuation mark), else :class:`StoreError`."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or len(name) > 200:
        raise StoreError(f"invalid model name {name!r}: use letters, digits, '.', '_' and '-', "
                         f"starting with a letter or digit")
    return name


def _model_path(name: str) -> Path:
    return models_dir() / validate_name(name)


def _names() -> list[str]:
    root = models_dir()
    return sorted(p.name for p in root.iterdir()
                  if not p.name.startswith(".") and (p / META).is_file())


def _close(name: str, candidates: list[str]) -> list[str]:
    low = {c.lower(): c for c in candidates}
    out = [low[name.lower()]] if name.lower() in low and low[name.lower()] != name else []
    for c in difflib.get_close_matches(name, candidates, n=3, cutoff=0.6):
        if c not in out:
            out.append(c)
    return out[:3]


def _not_found(name: str, what: str = "model", extra: list[str] | None = None) -> ModelNotFound:
    candidates = _names() + list(extra or [])
    close = _close(name, candidates)
    msg = f"no {what} named {name!r}"
    if close:
        msg += "; did you mean " + ", ".join(repr(c) for c in close) + "?"
    elif what == "model":
        msg += " (see `vecs models`)"
    return ModelNotFound(msg)


# -- writing --------------------------------------------------------------------------------
def _write_into(space: Space, folder: Path, name: str) -> None:
    words = space.words
    for i, w in enumerate(words):
        if "\n" in w:
            raise FormatError(f"word {i + 1} ({w[:40]!r}) contains a line break; it cannot be stored")
    vectors = np.ascontiguousarray(space.vectors, dtype=np.float32)
    np.save(folder / VECTORS, vectors, allow_pickle=False)
    norms = space._norms if space._norms is not None and len(space._norms) == len(words) else space.norms
    np.save(folder / NORMS, np.ascontiguousarray(norms, dtype=np.float32), allow_pickle=False)
    (folder / WORDS).write_bytes("".join(w + "\n" for w in words).encode("utf-8"))
    meta = dict(space.meta)
    meta.update(
        name=name,
        kind=meta.get("kind") or "unknown",
        words=len(words),
        dim=space.dim,
        source=str(meta.get("source", "")),
        created=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        params=meta.get("params") or {},
    )
    (folder / META).write_text(json.dumps(plain(meta), ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")


def write_dir(space: Space, path: str | os.PathLike, force: bool = False) -> Path:
    """Write ``space`` in the store format into the folder ``path`` (atomically). An existing
    ``path`` raises :class:`ModelExists` unless ``force``; with ``force`` it is replaced with
    no moment at which ``path`` is missing or half-written."""
    path = Path(path).expanduser()
    name = path.name
    if path.exists() and not force:
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} exists and is not a model folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=path.parent))
    old: Path | None = None
    try:
        _write_into(space, tmp, name)
        if path.exists():
            if not force:  # appeared while we were writing
                raise ModelExists(f"model {name!r} exists; use --force to replace it")
            if not (path / META).is_file() and any(path.iterdir()):
                raise StoreError(f"{path} exists and is not a model folder; not replacing it")
            old = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=path.parent))
            os.replace(path, old)  # an empty dir as target: rename over it
        try:
            os.replace(tmp, path)
        except BaseException:
            if old is not None:
                os.replace(old, path)  # put the old model back
                old = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return path


def save(space: Space, name: str, force: bool = False) -> Path:
    """Store ``space`` as ``models/NAME`` and return that folder."""
    path = _model_path(name)
    if path.exists() and not force:
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    return write_dir(space, path, force=force)


# -- reading --------------------------------------------------------------------------------
def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as e:
        raise FormatError(f"{path / META}: not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise FormatError(f"{path / META}: expected a JSON object")
    return meta


def load_dir(path: str | os.PathLike, name: str | None = None) -> Space:
    """A Space from a store-format folder; ``vectors`` (and the norms) are read-only memory maps."""
    path = Path(path).expanduser()
    if not (path / VECTORS).is_file() or not (path / WORDS).is_file():
        raise FormatError(f"{path}: not a model folder (needs {VECTORS} and {WORDS})")
    meta = _read_meta(path)
    try:
        vectors = np.load(path / VECTORS, mmap_mode="r", allow_pickle=False)
    except ValueError as e:
        raise FormatError(f"{path / VECTORS}: cannot load ({e})") from None
    if vectors.ndim != 2 or vectors.dtype != np.float32:
        raise FormatError(f"{path / VECTORS}: expected a float32 matrix, got {vectors.dtype} {vectors.shape}")
    words = read_words(path / WORDS)
    if len(words) != vectors.shape[0]:
        raise FormatError(f"{path}: {len(words):,} words in {WORDS} but {vectors.shape[0]:,} vectors")
    space = Space(words, vectors, name=name if name is not None else meta.get("name", path.name), meta=meta)
    if (path / NORMS).is_file():
        norms = np.load(path / NORMS, mmap_mode="r", allow_pickle=False)
        if norms.shape == (len(words),) and norms.dtype == np.float32:
            space._norms = norms
    return space


def exists(name: str) -> bool:
    """Is there a stored model called ``name``? (False for invalid names.)"""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        return False
    return (models_dir() / name / META).is_file()


def load(name: str) -> Space:
    """The stored model ``name`` (memory-mapped); :class:`ModelNotFound` with close names."""
    path = _model_path(name)
    if not (path / META).is_file():
        raise _not_found(name)
    return load_dir(path, name=name)


def remove(name: str) -> Path:
    """Delete the stored model ``name`` (renamed aside first, so it vanishes at once)."""
    path = _model_path(name)
    if not (path / META).is_file():
        raise _not_found(name)
    gone = Path(tempfile.mkdtemp(prefix=f".{name}.rm-", dir=path.parent))
    os.replace(path, gone)
    shutil.rmtree(gone, ignore_errors=True)
    return path


def list_models() -> list[ModelInfo]:
    """Every stored model, by name, from ``meta.json`` alone (nothing big is read)."""
    out = []
    for name in _names():
        path = models_dir() / name
        try:
            meta = _read_meta(path)
        except FormatError:
            meta = {"kind": "broken"}
        out.append(ModelInfo(
            name=name,
            kind=str(meta.get("kind", "?")),
            words=int(meta.get("words", 0) or 0),
            dim=int(meta.get("dim", 0) or 0),
            source=str(meta.get("source", "")),
            created=str(meta.get("created", "")),
            path=str(path),
        ))
    return out


# -- resolving a --model spec ---------------------------------------------------------------
def _vector_resources() -> dict:
    try:
        from vecs import resources
    except ImportError:  # pragma: no cover - resources not installed
        return {}
    return {n: r for n, r in resources.CATALOGUE.items() if r.kind == "vectors"}


def resolve(spec: str, progress: ProgressFn | None = None) -> Space:
    """The Space a ``--model`` spec names: a stored model, else a vector resource (fetched on
    first use), else a path (a store-format folder, a TSV folder, or a vector file in any format
    :func:`read_vectors` recognises). The Space's ``name`` is ``spec``."""
    spec = str(spec)
    if exists(spec):
        space = load(spec)
        space.name = spec
        return space
    vres = _vector_resources()
    if spec in vres:
        from vecs import resources

        return load_dir(resources.path(spec, progress=progress), name=spec)
    if spec:
        p = Path(spec).expanduser()
        if p.is_dir() and (p / VECTORS).is_file():
            return load_dir(p, name=spec)
        if p.is_dir() or p.is_file():
            space = read_vectors(p, progress=progress)
            space.name = spec
            return space
        try:
            from vecs import resources

            if spec in resources.CATALOGUE:
                kind = resources.CATALOGUE[spec].kind
                raise ModelNotFound(f"{spec!r} is a {kind} resource, not word vectors; vector resources: "
                                    + ", ".join(vres))
        except ImportError:  # pragma: no cover
            pass
    close = _close(spec, _names() + list(vres))
    msg = f"no model, vector resource or file named {spec!r}"
    if close:
        msg += "; did you mean " + ", ".join(repr(c) for c in close) + "?"
    else:
        msg += f"; vector resources: {', '.join(vres) or 'none'} (stored models: `vecs models`)"
    raise ModelNotFound(msg)
