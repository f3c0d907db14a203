"""Fixtures of the tests of our GPT (vecs/lm)."""

from __future__ import annotations

import random

import pytest


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
