"""A ``--model`` spec -> what it names: the one place where the store, the hub and paths meet.

:func:`resolve` gives a :class:`Space` (word vectors); :func:`resolve_transformer` gives a
:class:`TransformerSpec` (where a transformer's files are and which kind of model it is), which
:mod:`vecs.contextual` and :mod:`vecs.lm` load. Order, for both: a stored model, a named
resource (fetched on first use), a path."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vecs.errors import ModelNotFound
from vecs.io.folder import MODEL_FILE, VECTORS, is_transformer, load_dir
from vecs.io.formats import read_vectors
from vecs.io.store import exists, load, model_names, model_path, store_root
from vecs.progress import ProgressFn
from vecs.space import Space
from vecs.util import close_names, did_you_mean


# -- resolving a --model spec ---------------------------------------------------------------
def _vector_resources() -> dict:
    from vecs.hub.catalogue import CATALOGUE

    return {n: r for n, r in CATALOGUE.items() if r.kind == "vectors"}


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
        from vecs.hub.catalogue import CATALOGUE
        from vecs.hub.fetch import path

        return load_dir(path(spec, progress=progress), name=spec)
    if spec:
        p = Path(spec).expanduser()
        if p.is_dir() and (p / VECTORS).is_file():
            return load_dir(p, name=spec)
        if p.is_dir() or p.is_file():
            space = read_vectors(p, progress=progress)
            space.name = spec
            return space
        try:
            from vecs.hub.catalogue import CATALOGUE
            from vecs.hub.fetch import path

            if spec in CATALOGUE:
                kind = CATALOGUE[spec].kind
                raise ModelNotFound(f"{spec!r} is a {kind} resource, not word vectors; vector resources: "
                                    + ", ".join(vres))
        except ImportError:  # pragma: no cover
            pass
    close = close_names(spec, model_names() + list(vres), cutoff=0.6)
    msg = f"no model, vector resource or file named {spec!r}"
    if close:
        msg += did_you_mean(close)
    else:
        msg += f"; vector resources: {', '.join(vres) or 'none'} (stored models: `vecs models`)"
    raise ModelNotFound(msg)


# -- resolving a transformer ------------------------------------------------------------------
@dataclass(frozen=True)
class TransformerSpec:
    """Where a transformer's files are. ``kind``: ``"ours"`` (one of our trained GPTs, a store
    folder) or ``"hf"`` (a Hugging Face checkpoint folder: config.json + safetensors)."""

    name: str
    kind: str
    path: Path


def _transformer_resources() -> list[str]:
    from vecs.hub.catalogue import CATALOGUE

    return [n for n, r in CATALOGUE.items() if r.kind == "transformer"]


def transformer_names() -> list[str]:
    """Transformer resources, then our trained transformers in the store."""
    root = store_root()
    return _transformer_resources() + [n for n in model_names() if is_transformer(root / n)]


def resolve_transformer(spec: str | os.PathLike, progress: ProgressFn | None = None,
                        ours_only: bool = False) -> TransformerSpec:
    """The transformer a ``--model`` spec names: a transformer resource (fetched on first use),
    one of our trained transformers in the store, or a folder holding either kind. With
    ``ours_only`` only our own transformers are accepted (training resumes only those)."""
    key = os.fspath(spec)
    if not ours_only and key in _transformer_resources():
        from vecs.extras import require_transformers
        from vecs.hub.fetch import path

        require_transformers()  # a missing extra is reported before any download
        return TransformerSpec(key, "hf", path(key, progress=progress))
    if key and "/" not in key and exists(key):
        folder = model_path(key)
        if is_transformer(folder):
            return TransformerSpec(key, "ours", folder)
        raise ModelNotFound(f"model {key!r} is not a transformer (it has no {MODEL_FILE})")
    p = Path(key).expanduser()
    if key and p.is_dir():
        if is_transformer(p):
            return TransformerSpec(p.name, "ours", p)
        if ours_only:
            raise ModelNotFound(f"{p}: not one of our transformers (needs {MODEL_FILE} and config.json)")
        if (p / "config.json").is_file():
            return TransformerSpec(p.name, "hf", p)
        if (p / "model" / "config.json").is_file():  # a resource folder
            return TransformerSpec(p.name, "hf", p / "model")
    known = transformer_names()
    if ours_only:
        known = [n for n in known if n not in _transformer_resources()]
        hint = did_you_mean(close_names(key, known)) if known else " (train one with `vecs train transformer`)"
        if known and not hint:
            hint = f"; trained transformers: {', '.join(known)}"
        raise ModelNotFound(f"no transformer named {key!r}{hint}")
    hint = did_you_mean(close_names(key, known)) or f" (known: {', '.join(known)}, or a checkpoint folder)"
    raise ModelNotFound(f"no transformer model named {key!r}{hint}")
