"""Static spaces from a contextual model: each word's vectors averaged over a corpus."""

from __future__ import annotations

import os
from typing import Iterable

import numpy as np

from vecs.contextual.align import WORD_RE
from vecs.contextual.load import load_model
from vecs.contextual.model import POOLINGS, pool
from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.progress import ProgressFn, report
from vecs.space import Space


# --------------------------------------------------------------------------------------------
# Static spaces from a contextual model
# --------------------------------------------------------------------------------------------
def _corpus_texts(corpus) -> Iterable[str]:
    if isinstance(corpus, (str, os.PathLike)) or hasattr(corpus, "raw_sentences"):
        from vecs.corpus.reader import open_corpus

        c = open_corpus(corpus, lower=False)
        return c.raw_sentences()
    return corpus


def distill(model, corpus, layer=None, pooling: str = "mean", max_sentences: int | None = 20000,
            min_count: int = 2, max_words: int | None = None, lower: bool = True, batch_size: int = 32,
            progress: ProgressFn | None = None):
    """Average each word's contextual vectors over a corpus into a static Space (Bommasani,
    Davis & Cardie 2020). ``corpus``: a corpus spec (name or path, see :mod:`vecs.corpus`) or an
    iterable of sentence strings. Words are ``\\w+`` runs (lower-cased with ``lower``), kept when
    seen ``min_count`` times in the first ``max_sentences`` sentences; the ``max_words`` most
    frequent at most; rows in frequency order. Returns a Space, or a list of Spaces (one per
    layer, 0..L) for ``layer="all"``."""
    torch = require_torch()
    model = load_model(model, progress=progress)
    layers = model.resolve_layers(layer)
    if pooling not in POOLINGS:
        raise ContextualError(f"unknown pooling {pooling!r}; choose one of {', '.join(POOLINGS)}")
    texts: list[str] = []
    from collections import Counter

    counts: Counter = Counter()
    for s in _corpus_texts(corpus):
        s = s.strip()
        if not s:
            continue
        texts.append(s)
        counts.update(m.group().lower() if lower else m.group() for m in WORD_RE.finditer(s))
        if max_sentences and len(texts) >= max_sentences:
            break
    if not texts:
        raise ContextualError("the corpus has no sentences")
    vocab = [w for w, c in counts.most_common(max_words) if c >= min_count]
    if not vocab:
        raise ContextualError(f"no word occurs {min_count} times in {len(texts)} sentences")
    index = {w: i for i, w in enumerate(vocab)}
    sums = torch.zeros(len(layers), len(vocab), model.dim, dtype=torch.float64)
    seen = np.zeros(len(vocab), dtype=np.int64)
    lay = torch.tensor(layers, dtype=torch.long)
    texts.sort(key=len, reverse=True)
    bs = max(1, int(batch_size))
    stage = f"distill {model.name}"
    import time

    t0 = time.perf_counter()
    for b0 in range(0, len(texts), bs):
        chunk = texts[b0 : b0 + bs]
        with torch.inference_mode():
            batch = model.batch(chunk)
            states = batch.states.index_select(0, lay)  # (L', B, T, C)
            for r, text in enumerate(chunk):
                spans = batch.spans[r]
                real = [(t, sp) for t, sp in enumerate(spans) if sp is not None]
                j = 0
                rows, vecs = [], []
                for m in WORD_RE.finditer(text):
                    w = m.group().lower() if lower else m.group()
                    a, b = m.span()
                    while j < len(real) and real[j][1][1] <= a:
                        j += 1
                    pos = []
                    k = j
                    while k < len(real) and real[k][1][0] < b:
                        pos.append(real[k][0])
                        k += 1
                    if not pos or w not in index:
                        continue
                    rows.append(index[w])
                    vecs.append(pool(states[:, r, pos], pooling))
                if rows:
                    ridx = torch.tensor(rows, dtype=torch.long)
                    sums.index_add_(1, ridx, torch.stack(vecs, 1).double())
                    np.add.at(seen, rows, 1)
        done = min(b0 + bs, len(texts))
        report(progress, stage, done, len(texts), sentences_per_s=done / max(time.perf_counter() - t0, 1e-9))
    report(progress, stage, len(texts), len(texts), finished=True)
    keep = np.flatnonzero(seen > 0)
    words = [vocab[i] for i in keep]
    avg = (sums[:, keep] / torch.from_numpy(seen[keep]).double()[None, :, None]).float().numpy()
    spaces = []
    for k, L in enumerate(layers):
        meta = {"kind": "distilled", "source": f"{model.name} layer {L}", "model": model.name, "layer": L,
                "params": {"layer": L, "pooling": pooling, "sentences": len(texts), "min_count": min_count,
                           "max_words": max_words, "lower": lower, "model": model.source},
                "citation": "Bommasani, Davis & Cardie 2020"}
        spaces.append(Space(words, avg[k], name=f"{model.name}-L{L}", meta=meta))
    if isinstance(layer, str) and layer.strip().lower() == "all":
        return spaces
    return spaces[0]
