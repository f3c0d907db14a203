"""A --model spec -> a Space: the one place where the store, the hub and paths meet."""

from __future__ import annotations

from pathlib import Path

from vecs.errors import ModelNotFound
from vecs.io.folder import VECTORS, load_dir
from vecs.io.formats import read_vectors
from vecs.io.store import close_names, exists, load, model_names
from vecs.progress import ProgressFn
from vecs.space import Space


# -- resolving a --model spec ---------------------------------------------------------------
def _vector_resources() -> dict:
    try:
        from vecs.hub.catalogue import CATALOGUE
        from vecs.hub.fetch import path
    except ImportError:  # pragma: no cover - resources not installed
        return {}
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
    close = close_names(spec, model_names() + list(vres))
    msg = f"no model, vector resource or file named {spec!r}"
    if close:
        msg += "; did you mean " + ", ".join(repr(c) for c in close) + "?"
    else:
        msg += f"; vector resources: {', '.join(vres) or 'none'} (stored models: `vecs models`)"
    raise ModelNotFound(msg)
