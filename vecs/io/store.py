"""The model store: named Spaces on disk, and resolving a ``--model`` spec to a Space.

A model is a folder ``models/NAME/`` (see HACKING.md):

* ``vectors.npy`` float32 ``(n, d)``, C order, loaded memory-mapped (a query on a 3M-word
  model starts at once);
* ``norms.npy`` float32 row norms, written once so queries need not recompute them;
* ``words.txt`` UTF-8, one word per line, row order;
* ``meta.json`` ``name``, ``kind``, ``words``, ``dim``, ``source``, ``created``, ``params`` ...

Writes are atomic and recoverable: the model is written into a hidden sibling
``models/.NAME.tmp-XXXX`` and renamed into place; replacing (``force``) journals the swap
(``.NAME.swap``), renames the old model aside and deletes it only once the new one is in, so a
kill at any instant leaves NAME the old or the new model, whole, once the store is next opened
(:func:`store_root` runs :func:`vecs.swap.recover_dir`; the protocol is in :mod:`vecs.swap`).
Writers of one name take its lock (:func:`name_lock`, the file ``models/.NAME.lock``): a
second writer waits, then gets one clear line.

File formats (word2vec, GloVe, fastText, TSV) live in :mod:`vecs.io.formats` (reading) and
:mod:`vecs.io.write`; :func:`import_vectors` reads a file into the store in one call.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from vecs.errors import FormatError, ModelExists, ModelNotFound, StoreError
from vecs.io.folder import META, load_dir, read_meta, write_dir
from vecs.io.formats import READ_FORMATS, read_vectors
from vecs.paths import models_dir
from vecs.progress import ProgressFn
from vecs.space import Space
from vecs.util import close_names, did_you_mean, fsync_dir
from vecs.swap import dir_lock, recover_dir

LOCK_WAIT = 60.0  # seconds a writer waits for another writer of the same name

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class ModelInfo:
    name: str
    kind: str
    words: int
    dim: int
    source: str
    created: str
    path: str
    problem: str = ""  # why a model is listed as broken (kind "broken"), else ""


@dataclass
class Imported(ModelInfo):
    """What ``import_vectors`` stored, and the repeated words it dropped (the first row of a
    word is kept, as gensim does)."""

    duplicates_dropped: int = 0
    duplicate_words: list[str] = field(default_factory=list)  # the first few dropped


# -- names ----------------------------------------------------------------------------------
def validate_name(name: str) -> str:
    """``name`` if it is a valid model name (letters, digits, ``._-``, not starting with a
    punctuation mark), else :class:`StoreError`."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or len(name) > 200:
        raise StoreError(f"invalid model name {name!r}: use letters, digits, '.', '_' and '-', "
                         f"starting with a letter or digit")
    return name


def check_new_name(name: str, force: bool = False) -> str:
    """``name`` if a new model may be stored under it (valid, and free unless ``force``), else
    :class:`StoreError` or :class:`ModelExists`: for commands that check before long work."""
    validate_name(name)
    if exists(name) and not force:
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    return name


def store_root() -> Path:
    """The store folder ``models/``, after finishing or rolling back any swap a killed writer
    left half-done and removing the temporaries of writers that are gone
    (:func:`vecs.swap.recover_dir`: one ``listdir`` when there is nothing to do; a read-only
    store is left as it is)."""
    root = models_dir()
    recover_dir(root)
    return root


def model_path(name: str) -> Path:
    return store_root() / validate_name(name)


@contextmanager
def name_lock(name: str, timeout: float | None = None) -> Iterator[Path]:
    """Hold the writers' lock of the model ``name`` (``models/.NAME.lock``) for the block and
    yield the model's folder: one writer per name at a time, across processes (a second one
    waits up to ``timeout`` seconds, default :data:`LOCK_WAIT`, then :class:`StoreError`).
    Anyone who makes ``.NAME.*`` temporaries in the store holds it while they exist.
    Re-entrant within a thread."""
    path = model_path(name)
    with dir_lock(path, timeout=LOCK_WAIT if timeout is None else timeout):
        yield path


def _names(root: Path) -> list[str]:
    try:
        entries = os.listdir(root)
    except FileNotFoundError:  # a read-only home without a store
        return []
    return sorted(e for e in entries if not e.startswith(".") and (root / e / META).is_file())


def model_names() -> list[str]:
    """The stored models' names, sorted (hidden entries and folders without meta.json are not models)."""
    return _names(store_root())


def _not_found(name: str) -> ModelNotFound:
    hint = did_you_mean(close_names(name, model_names(), cutoff=0.6)) or " (see `vecs models`)"
    return ModelNotFound(f"no model named {name!r}{hint}")


def save(space: Space, name: str, force: bool = False) -> Path:
    """Store ``space`` as ``models/NAME`` and return that folder. Writers of one name take
    turns (:func:`name_lock`); ``force`` replaces an existing model (or a link) only with a
    finished one."""
    path = model_path(name)
    if os.path.lexists(path) and not force:
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    with name_lock(name):
        return write_dir(space, path, force=force)


def exists(name: str) -> bool:
    """Is there a stored model called ``name``? (False for invalid names.)"""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or len(name) > 200:
        return False
    return (store_root() / name / META).is_file()


def load(name: str) -> Space:
    """The stored model ``name`` (memory-mapped); :class:`ModelNotFound` with close names."""
    path = model_path(name)
    if not (path / META).is_file():
        raise _not_found(name)
    return load_dir(path, name=name)


@dataclass
class Removed:
    removed: str  # the model's name
    path: str


def remove(name: str) -> Path:
    """Delete the stored model ``name`` (renamed aside first, so it vanishes at once)."""
    return Path(remove_models([name])[0].path)


def remove_models(names: list[str]) -> list[Removed]:
    """Delete the stored models ``names`` (each once, in order), with any interrupted training of
    them waiting in ``.NAME.checkpoint``. Every name is checked first, so a missing one
    (:class:`ModelNotFound`, with close names) removes nothing. Each model is renamed aside, so
    it vanishes at once, then deleted."""
    names = list(dict.fromkeys(names))
    paths = [model_path(n) for n in names]
    for name, path in zip(names, paths):
        if not (path / META).is_file() and not path.is_symlink():  # a dangling link may go too
            raise _not_found(name)
    for name, path in zip(names, paths):
        with name_lock(name):
            if path.is_symlink():  # a linked model: the link goes, what it points to stays
                path.unlink()
            elif os.path.lexists(path):
                gone = path.parent / f".{name}.rm-{secrets.token_hex(4)}"
                os.replace(path, gone)
                fsync_dir(path.parent)
                shutil.rmtree(gone, ignore_errors=True)
            pending = path.parent / f".{name}.checkpoint"  # an interrupted training of NAME goes too
            if pending.is_dir() and not pending.is_symlink():
                gone = path.parent / f".{name}.rm-{secrets.token_hex(4)}"
                os.replace(pending, gone)
                shutil.rmtree(gone, ignore_errors=True)
    return [Removed(name, str(path)) for name, path in zip(names, paths)]


def info(name: str) -> ModelInfo:
    """What ``meta.json`` says of the stored model ``name`` (nothing big is read)."""
    path = model_path(name)
    if not (path / META).is_file():
        raise _not_found(name)
    return _info(name, path)


def _count(meta: dict, key: str) -> int:
    v = meta.get(key, 0)
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise FormatError(f"{key} is {v!r}, not a count")
    return v


def _info(name: str, path: Path) -> ModelInfo:
    """What ``meta.json`` says; a model whose ``meta.json`` cannot be read or holds nonsense is
    listed with kind ``broken`` and the ``problem`` (the listing never fails for one model)."""
    try:
        meta = read_meta(path)
        words, dim = _count(meta, "words"), _count(meta, "dim")
    except (FormatError, OSError) as e:
        why = str(e) if not isinstance(e, OSError) else (e.strerror or str(e))
        return ModelInfo(name=name, kind="broken", words=0, dim=0, source="", created="", path=str(path),
                         problem=f"{path / META}: {why}" if not why.startswith(str(path)) else why)
    return ModelInfo(
        name=name,
        kind=str(meta.get("kind", "?")),
        words=words,
        dim=dim,
        source=str(meta.get("source", "")),
        created=str(meta.get("created", "")),
        path=str(path),
    )


def list_models() -> list[ModelInfo]:
    """Every stored model, by name, from ``meta.json`` alone (nothing big is read); a damaged
    one is listed as ``broken`` with its ``problem``."""
    root = store_root()
    return [_info(name, root / name) for name in _names(root)]


def import_vectors(path: str | os.PathLike, name: str, format: str = "auto", limit: int | None = None,
                   force: bool = False, progress: ProgressFn | None = None) -> Imported:
    """Read a vector file (any format :func:`~vecs.io.formats.read_vectors` reads) into the store
    as ``name``; the name is checked before the file is read. The model's ``meta`` says where it
    came from (``source``: the absolute path and the format read)."""
    if format not in READ_FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(READ_FORMATS)}")
    check_new_name(name, force)  # before reading a big file
    space = read_vectors(path, format=format, limit=limit, progress=progress)
    fmt = space.meta.get("format", format)
    space.meta.update(kind="imported", source=f"{Path(path).expanduser().resolve()} ({fmt})",
                      params={"format": fmt, "limit": limit})
    save(space, name, force=force)
    return Imported(**vars(info(name)), duplicates_dropped=int(space.meta.get("duplicates_dropped", 0)),
                    duplicate_words=list(space.meta.get("duplicate_words", [])))
