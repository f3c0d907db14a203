"""The word2vec a tour trains itself: reused from the store when an earlier tour trained it on the
same corpus with the same parameters, else trained now and saved under its tour name."""

from __future__ import annotations

import time

from vecs.progress import ProgressFn


def self_trained(corpus: str, name: str, params: dict, progress: ProgressFn | None = None) -> tuple[object, dict]:
    """``(space, {"name", "params", "seconds", "reused"})`` for a word2vec on ``corpus``."""
    from vecs.io.store import exists, load
    from vecs.static.word2vec import train_word2vec

    if exists(name):
        space = load(name)
        p = space.meta.get("params", {})
        if space.meta.get("corpus", {}).get("name") == corpus and all(p.get(k) == v for k, v in params.items()):
            space.name = name
            return space, {"name": name, "params": params, "seconds": 0.0, "reused": True}
    t0 = time.perf_counter()
    space = train_word2vec(corpus, name=name, force=True, progress=progress, **params).space
    seconds = time.perf_counter() - t0
    space.name = name
    return space, {"name": name, "params": params, "seconds": round(seconds, 1), "reused": False}
