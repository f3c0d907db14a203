"""Where vecs keeps its data: ``VECS_HOME`` or the platform's user data directory.

Each folder is created on demand where that is possible; a read-only home is fine for reading
(queries of installed resources and stored models), and a command that must write there fails
with the operating system's error naming the file."""

from __future__ import annotations

import os
from pathlib import Path


def _ensure(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only or not ours: readers need no new folder, writers will say so
        pass
    return path


def home(create: bool = True) -> Path:
    """The data directory (created on demand unless ``create=False``). ``VECS_HOME`` overrides
    the platform default."""
    env = os.environ.get("VECS_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("vecs", appauthor=False))
    return _ensure(path) if create else path


def models_dir() -> Path:
    """The model store: one folder per model (use it through :mod:`vecs.io.store`, which
    finishes or rolls back a swap a killed writer left half-done)."""
    return _ensure(home() / "models")


def resources_dir() -> Path:
    """Extracted resources: one folder per resource (``VECS_RESOURCES`` overrides)."""
    env = os.environ.get("VECS_RESOURCES")
    return _ensure(Path(env).expanduser() if env else home() / "resources")


def cache_dir(create: bool = True) -> Path:
    """Downloaded archives (wheels), kept so that re-extraction needs no network
    (``VECS_CACHE`` overrides); ``vecs cache`` lists and frees them. With ``create=False`` the
    folder is only named, nothing is made (to look at another environment's cache)."""
    env = os.environ.get("VECS_CACHE")
    path = Path(env).expanduser() if env else home(create) / "cache"
    return _ensure(path) if create else path
