"""The optional extras, imported only when needed: a missing one raises :class:`MissingExtra`."""

from __future__ import annotations

import os

from vecs.errors import MissingExtra


# --------------------------------------------------------------------------------------------
# Lazy imports
# --------------------------------------------------------------------------------------------
def require_torch():
    try:
        import torch
    except ImportError:
        raise MissingExtra("contextual", "torch") from None
    return torch


def require_transformers():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is ever fetched from a hub
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    require_torch()
    try:
        import transformers
    except ImportError:
        raise MissingExtra("contextual", "transformers") from None
    transformers.logging.set_verbosity_error()
    try:
        transformers.logging.disable_progress_bar()
    except AttributeError:  # pragma: no cover - older transformers
        pass
    return transformers
