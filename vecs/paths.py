"""Where vecs keeps its data: ``VECS_HOME`` or the platform's user data directory."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The data directory (created on demand). ``VECS_HOME`` overrides the platform default."""
    env = os.environ.get("VECS_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("vecs", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """The model store: one folder per model."""
    p = home() / "models"
    p.mkdir(parents=True, exist_ok=True)
    return p


def resources_dir() -> Path:
    """Extracted resources: one folder per resource (``VECS_RESOURCES`` overrides)."""
    env = os.environ.get("VECS_RESOURCES")
    p = Path(env).expanduser() if env else home() / "resources"
    p.mkdir(parents=True, exist_ok=True)
    return p


def cache_dir() -> Path:
    """Downloaded archives (wheels), kept so that re-extraction needs no network
    (``VECS_CACHE`` overrides)."""
    env = os.environ.get("VECS_CACHE")
    p = Path(env).expanduser() if env else home() / "cache"
    p.mkdir(parents=True, exist_ok=True)
    return p
