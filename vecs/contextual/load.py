"""A model spec -> a loaded :class:`ContextModel`, kept for the life of the process."""

from __future__ import annotations

import os

from vecs.contextual.gpt import GPTModel
from vecs.contextual.hf import HFModel
from vecs.contextual.model import DEFAULT_MODEL, ContextModel
from vecs.extras import require_torch
from vecs.progress import ProgressFn
from vecs.resolve import resolve_transformer

LOADED: dict[str, ContextModel] = {}  # spec -> model, for the life of the process


def load_model(spec: str | os.PathLike | ContextModel | None = None,
               progress: ProgressFn | None = None) -> ContextModel:
    """A :class:`ContextModel` for ``spec`` (see :func:`vecs.resolve.resolve_transformer`): a
    transformer resource name (fetched on first use), one of our trained transformers in the
    store, a folder holding one, or a local Hugging Face checkpoint folder. Loaded models are
    kept for the life of the process."""
    if isinstance(spec, ContextModel):
        return spec
    spec = DEFAULT_MODEL if spec is None else spec
    key = os.fspath(spec)
    if key in LOADED:
        return LOADED[key]
    found = resolve_transformer(key, progress=progress)
    if found.kind == "ours":
        require_torch()
        model: ContextModel = GPTModel(found.path, name=found.name)
    else:
        model = HFModel(found.path, name=found.name)
    LOADED[key] = model
    return model
