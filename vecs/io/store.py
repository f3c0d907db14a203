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

File formats (word2vec, GloVe, fastText, TSV) live in :mod:`vecs.io.formats` (reading) and
:mod:`vecs.io.write`; :func:`import_vectors` reads a file into the store in one call.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vecs.errors import FormatError, ModelExists, ModelNotFound, StoreError
from vecs.io.folder import META, load_dir, read_meta, write_dir
from vecs.io.formats import READ_FORMATS, read_vectors
from vecs.paths import models_dir
from vecs.progress import ProgressFn
from vecs.space import Space
from vecs.util import close_names, did_you_mean

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


def model_path(name: str) -> Path:
    return models_dir() / validate_name(name)


def model_names() -> list[str]:
    root = models_dir()
    return sorted(p.name for p in root.iterdir()
                  if not p.name.startswith(".") and (p / META).is_file())


def _not_found(name: str) -> ModelNotFound:
    hint = did_you_mean(close_names(name, model_names(), cutoff=0.6)) or " (see `vecs models`)"
    return ModelNotFound(f"no model named {name!r}{hint}")


def save(space: Space, name: str, force: bool = False) -> Path:
    """Store ``space`` as ``models/NAME`` and return that folder."""
    path = model_path(name)
    if path.exists() and not force:
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    return write_dir(space, path, force=force)


def exists(name: str) -> bool:
    """Is there a stored model called ``name``? (False for invalid names.)"""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        return False
    return (models_dir() / name / META).is_file()


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
    """Delete the stored models ``names`` (each once, in order). Every name is checked first, so
    a missing one (:class:`ModelNotFound`, with close names) removes nothing. Each model is
    renamed aside, so it vanishes at once, then deleted."""
    names = list(dict.fromkeys(names))
    paths = [model_path(n) for n in names]
    for name, path in zip(names, paths):
        if not (path / META).is_file():
            raise _not_found(name)
    for name, path in zip(names, paths):
        gone = Path(tempfile.mkdtemp(prefix=f".{name}.rm-", dir=path.parent))
        os.replace(path, gone)
        shutil.rmtree(gone, ignore_errors=True)
    return [Removed(name, str(path)) for name, path in zip(names, paths)]


def info(name: str) -> ModelInfo:
    """What ``meta.json`` says of the stored model ``name`` (nothing big is read)."""
    path = model_path(name)
    if not (path / META).is_file():
        raise _not_found(name)
    return _info(name, path)


def _info(name: str, path: Path) -> ModelInfo:
    try:
        meta = read_meta(path)
    except FormatError:
        meta = {"kind": "broken"}
    return ModelInfo(
        name=name,
        kind=str(meta.get("kind", "?")),
        words=int(meta.get("words", 0) or 0),
        dim=int(meta.get("dim", 0) or 0),
        source=str(meta.get("source", "")),
        created=str(meta.get("created", "")),
        path=str(path),
    )


def list_models() -> list[ModelInfo]:
    """Every stored model, by name, from ``meta.json`` alone (nothing big is read)."""
    return [_info(name, models_dir() / name) for name in model_names()]


def import_vectors(path: str | os.PathLike, name: str, format: str = "auto", limit: int | None = None,
                   force: bool = False, progress: ProgressFn | None = None) -> ModelInfo:
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
    return info(name)
