"""A model spec -> a loaded :class:`ContextModel`, kept for the life of the process."""

from __future__ import annotations

import os
from pathlib import Path

from vecs.contextual.gpt import GPTModel
from vecs.contextual.hf import HFModel
from vecs.contextual.model import DEFAULT_MODEL, RESOURCES, ContextModel
from vecs.errors import ModelNotFound
from vecs.extras import require_torch, require_transformers
from vecs.progress import ProgressFn

_CACHE: dict[str, ContextModel] = {}


def available_models() -> list[str]:
    """Resource names plus our trained transformers in the store."""
    from vecs.paths import models_dir

    ours = []
    for p in sorted(models_dir().iterdir()):
        if _store_kind(p) == "transformer":
            ours.append(p.name)
    return list(RESOURCES) + ours


def _store_kind(folder: Path) -> str | None:
    meta = folder / "meta.json"
    if not meta.is_file():
        return None
    import json

    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError):
        return None


def load_model(spec: str | os.PathLike | ContextModel | None = None,
               progress: ProgressFn | None = None) -> ContextModel:
    """A :class:`ContextModel` for ``spec``: a transformer resource name (fetched on first use),
    one of our trained transformers in the store, a folder holding one, or a local Hugging Face
    checkpoint folder. Loaded models are kept for the life of the process."""
    if isinstance(spec, ContextModel):
        return spec
    spec = DEFAULT_MODEL if spec is None else spec
    key = os.fspath(spec)
    if key in _CACHE:
        return _CACHE[key]
    from vecs.hub.catalogue import CATALOGUE
    from vecs.hub.fetch import path
    from vecs.paths import models_dir

    model: ContextModel | None = None
    if isinstance(spec, str) and spec in CATALOGUE and CATALOGUE[spec].kind == "transformer":
        require_transformers()  # a missing extra is reported before any download
        folder = path(spec, progress=progress)
        model = HFModel(folder, name=spec)
    elif isinstance(spec, str) and "/" not in spec and _store_kind(models_dir() / spec) == "transformer":
        require_torch()
        model = GPTModel(spec, name=spec)
    else:
        p = Path(key).expanduser()
        if p.is_dir() and _store_kind(p) == "transformer":
            require_torch()
            model = GPTModel(p)
        elif p.is_dir() and (p / "config.json").is_file():
            model = HFModel(p)
        elif p.is_dir() and (p / "model" / "config.json").is_file():  # a resource folder
            model = HFModel(p / "model", name=p.name)
    if model is None:
        import difflib

        known = available_models()
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f" (known: {', '.join(known)}, or a checkpoint folder)"
        raise ModelNotFound(f"no transformer model named {key!r}{hint}")
    _CACHE[key] = model
    return model
