"""Fixtures of the contextual room: the real models, loaded once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def minilm():
    from vecs.contextual.load import load_model

    return load_model("minilm")


@pytest.fixture(scope="session")
def smollm2():
    from vecs.contextual.load import load_model

    return load_model("smollm2")
