"""Static spaces from a contextual model: each word's vectors averaged over a corpus
(Bommasani, Davis & Cardie 2020), as Spaces (:func:`distill`) or as stored models
(:func:`distill_models`, the producer behind ``vecs distill``)."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from vecs.contextual.align import WORD_RE
from vecs.contextual.batches import BATCH_TOKENS, pool_groups, run_batches, span_indexes
from vecs.contextual.load import load_model
from vecs.contextual.model import ContextModel, check_pooling
from vecs.errors import ContextualError, ModelExists
from vecs.extras import require_torch
from vecs.progress import ProgressFn, estimate, report
from vecs.space import Space

#: sentences sampled from the corpus by default (20,000, the old default, was over an hour on a
#: 2-core laptop); ``max_sentences`` asks for more
DEFAULT_SENTENCES = 3000


@dataclass
class DistilledModel:
    """One stored model: the average of the contextual vectors at one layer."""

    name: str
    layer: int
    words: int
    dim: int
    path: str


@dataclass
class DistillResult:
    """What :func:`distill_models` stored: one model per layer asked for."""

    model: str  # the contextual model as asked for
    corpus: str
    pooling: str
    models: list[DistilledModel]
    sentences: int = 0  # the sentences averaged over
    corpus_sentences: int = 0  # the sentences in the corpus (more than ``sentences`` when sampled)


def _corpus_texts(corpus) -> Iterable[str]:
    if isinstance(corpus, (str, os.PathLike)) or hasattr(corpus, "raw_sentences"):
        from vecs.corpus.reader import open_corpus

        c = open_corpus(corpus, lower=False)
        return c.raw_sentences()
    return corpus


def _is_all(layer) -> bool:
    return isinstance(layer, str) and layer.strip().lower() == "all"


def distill(model, corpus, layer=None, pooling: str = "mean", max_sentences: int | None = DEFAULT_SENTENCES,
            min_count: int = 2, max_words: int | None = None, lower: bool = True, batch_size: int | None = None,
            progress: ProgressFn | None = None):
    """Average each word's contextual vectors over a corpus into a static Space (Bommasani,
    Davis & Cardie 2020). ``corpus``: a corpus spec (name or path, see :mod:`vecs.corpus`) or an
    iterable of sentence strings. Words are ``\\w+`` runs (lower-cased with ``lower``), kept when
    seen ``min_count`` times in the first ``max_sentences`` sentences; the ``max_words`` most
    frequent at most; rows in frequency order. A corpus of more than ``max_sentences`` sentences
    is sampled (the same sample every time; ``None``: every sentence). Returns a Space, or a list of Spaces (one per
    layer, 0..L) for ``layer="all"``."""
    check_pooling(pooling)
    model = load_model(model, progress=progress)
    spaces = _distill(model, corpus, model.resolve_layers(layer), pooling, max_sentences, min_count, max_words,
                      lower, batch_size, progress)
    return spaces if _is_all(layer) else spaces[0]


def distill_models(model, corpus, name: str, layer=None, pooling: str = "mean",
                   max_sentences: int | None = DEFAULT_SENTENCES, min_count: int = 2, max_words: int | None = None,
                   lower: bool = True, batch_size: int | None = None, force: bool = False,
                   progress: ProgressFn | None = None) -> DistillResult:
    """:func:`distill`, stored: the space of one layer as model ``name``, or with ``layer="all"``
    one model per layer, ``NAME-L0``, ``NAME-L1``... An existing name is refused before any work
    (:class:`ModelExists` unless ``force``); the models are written once all are computed."""
    from vecs.io.store import exists, save, validate_name

    validate_name(name)
    every = _is_all(layer)

    def refuse(names: list[str]) -> None:
        taken = [n for n in names if exists(n)]
        if taken and not force:
            raise ModelExists(f"model {taken[0]!r} exists; use --force to replace it")

    if not every:
        refuse([name])  # before the model loads
    check_pooling(pooling)
    cm = load_model(model, progress=progress)
    layers = cm.resolve_layers(layer)
    names = [f"{name}-L{L}" for L in layers] if every else [name]
    for n in names:
        validate_name(n)
    refuse(names)
    spaces = _distill(cm, corpus, layers, pooling, max_sentences, min_count, max_words, lower, batch_size,
                      progress)
    saved = []
    for sp, nm in zip(spaces, names):
        sp.name = nm
        sp.meta["name"] = nm
        path = save(sp, nm, force=force)
        saved.append(DistilledModel(nm, sp.meta["layer"], len(sp), sp.dim, str(path)))
    asked = cm.name if isinstance(model, ContextModel) else os.fspath(model if model is not None else cm.name)
    params = spaces[0].meta["params"]
    return DistillResult(asked, _describe(corpus), pooling, saved, params["sentences"], params["corpus_sentences"])


def _describe(corpus) -> str:
    if isinstance(corpus, (str, os.PathLike)):
        return os.fspath(corpus)
    return str(getattr(corpus, "name", "") or "sentences")


def _distill(model: ContextModel, corpus, layers: list[int], pooling: str, max_sentences: int | None,
             min_count: int, max_words: int | None, lower: bool, batch_size: int | None,
             progress: ProgressFn | None, batch_tokens: int = BATCH_TOKENS) -> list[Space]:
    """One Space per layer in ``layers``: the corpus read, counted, and run through the model."""
    torch = require_torch()
    texts, total = sample_sentences(_corpus_texts(corpus), max_sentences)
    counts: Counter = Counter()
    for s in texts:
        counts.update(m.group().lower() if lower else m.group() for m in WORD_RE.finditer(s))
    if not texts:
        raise ContextualError("the corpus has no sentences")
    vocab = [w for w, c in counts.most_common(max_words) if c >= min_count]
    if not vocab:
        raise ContextualError(f"no word occurs {min_count} times in {len(texts)} sentences")
    index_of = {w: i for i, w in enumerate(vocab)}
    sums = torch.zeros(len(layers), len(vocab), model.dim, dtype=torch.float64)  # (L', V, C)
    seen = np.zeros(len(vocab), dtype=np.int64)  # (V,) occurrences of each word
    enc = model.tokenize(texts)  # one tokenizer call; batches by token length (vecs.contextual.batches)
    index = span_indexes(enc)
    stage = f"distill {model.name}"
    t0 = time.perf_counter()
    chars = sum(map(len, texts))
    done = 0
    with torch.inference_mode():
        for batch in run_batches(model, enc, layers, batch_tokens, batch_size):
            groups, rows = [], []
            for r, t in enumerate(batch.texts):
                for m in WORD_RE.finditer(texts[t]):
                    w = m.group().lower() if lower else m.group()
                    if w not in index_of:
                        continue
                    pos = index[t].positions(*m.span())
                    if not pos:  # past the model's window
                        continue
                    rows.append(index_of[w])
                    groups.append(batch.flat(r, pos))
            if rows:
                pooled = pool_groups(batch.states, groups, pooling)  # (L', n_words, C)
                sums.index_add_(1, torch.tensor(rows, dtype=torch.long), pooled.double())
                np.add.at(seen, rows, 1)
            first = done == 0
            done += len(batch.texts)
            if first and done < len(texts):  # the longest batch measured: the rest will take at most this rate
                took = time.perf_counter() - t0
                estimate(progress, stage, took * chars / max(sum(len(texts[t]) for t in batch.texts), 1),
                         f"{len(texts):,} sentences at the rate of the first batch")
            report(progress, stage, done, len(texts), sentences_per_s=done / max(time.perf_counter() - t0, 1e-9))
    report(progress, stage, len(texts), len(texts), finished=True)
    keep = np.flatnonzero(seen > 0)
    words = [vocab[i] for i in keep]
    avg = (sums[:, keep] / torch.from_numpy(seen[keep]).double()[None, :, None]).float().numpy()  # (L', V', C)
    spaces = []
    for k, L in enumerate(layers):
        meta = {"kind": "distilled", "source": f"{model.name} layer {L}", "model": model.name, "layer": L,
                "params": {"layer": L, "pooling": pooling, "sentences": len(texts), "corpus_sentences": total,
                           "min_count": min_count,
                           "max_words": max_words, "lower": lower, "model": model.source},
                "citation": "Bommasani, Davis & Cardie 2020"}
        spaces.append(Space(words, avg[k], name=f"{model.name}-L{L}", meta=meta))
    return spaces


def sample_sentences(sentences: Iterable[str], n: int | None, seed: int = 0) -> tuple[list[str], int]:
    """Up to ``n`` of the non-empty sentences, drawn uniformly at random (reservoir sampling:
    memory for ``n`` sentences, the same sample for the same corpus and ``seed``), in corpus order,
    and how many there were. ``n`` None or 0: all of them."""
    import random

    rng = random.Random(seed)
    kept: list[tuple[int, str]] = []
    total = 0
    for s in sentences:
        s = s.strip()
        if not s:
            continue
        if not n or len(kept) < n:
            kept.append((total, s))
        else:
            j = rng.randrange(total + 1)
            if j < n:
                kept[j] = (total, s)
        total += 1
    return [s for _, s in sorted(kept)], total
