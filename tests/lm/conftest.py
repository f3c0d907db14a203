"""Fixtures of the tests of our GPT (vecs/lm)."""

from __future__ import annotations

import random

import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """Tiny models: with more threads than free cores they only wait for each other."""
    try:
        import torch
    except ImportError:  # pragma: no cover - the tests that need torch skip themselves
        yield
        return
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture
def tiny_corpus(tmp_path):
    """A file of sentences from a small grammar: next words are quite predictable."""
    rng = random.Random(0)
    subjects = ["the cat", "the dog", "a bird", "my neighbour", "the old king"]
    verbs = ["sees", "likes", "chases", "feeds"]
    objects = ["the mouse", "a ball", "the queen", "some bread", "the garden"]
    lines = []
    for _ in range(400):
        lines.append(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} today.")
    p = tmp_path / "tiny.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p
