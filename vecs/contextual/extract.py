"""Extraction: the vectors of target words in sentences at chosen layers, batched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.contextual.align import (
    Alignment,
    Target,
    check_known,
    find_word,
    inspect_tokens,
    token_warnings,
    unknown_forms,
)
from vecs.contextual.batches import (
    BATCH_TOKENS,
    TokenStats,
    pool_groups,
    run_batches,
    span_indexes,
)
from vecs.contextual.load import load_model
from vecs.contextual.model import check_pooling
from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.linalg import standardize
from vecs.progress import ProgressFn, report
from vecs.space import Space

if TYPE_CHECKING:
    from vecs.contextual.model import ContextModel


def layer_vectors(vectors: np.ndarray, token_mean: np.ndarray, token_std: np.ndarray, k: int,
                  standardized: bool = False) -> np.ndarray:
    """(n, C): ``vectors[k]`` (of (L', n, C)), z-scored with the token statistics of layer
    index ``k`` when ``standardized``."""
    v = vectors[k]
    return standardize(v, token_mean[k], token_std[k]) if standardized else v


@dataclass
class Extraction:
    """Vectors of several targets (one per item) at the chosen layers, plus every token's
    per-layer mean and standard deviation over the sentences (for standardisation)."""

    layers: list[int]
    vectors: np.ndarray  # (len(layers), n, C)
    alignments: list[Alignment]
    token_mean: np.ndarray  # (len(layers), C) over all non-special tokens of the sentences
    token_std: np.ndarray  # (len(layers), C)
    warnings: list[str] = field(default_factory=list)  # unknown tokens, byte pieces... (token_warnings)
    model_name: str = ""

    def at(self, layer: int, standardized: bool = False) -> np.ndarray:
        """(n, C): the vectors at one layer (z-scored with ``standardized``)."""
        return layer_vectors(self.vectors, self.token_mean, self.token_std, _index(self.layers, layer), standardized)

    def subset(self, items: Sequence[int]) -> Extraction:
        """The extraction of ``items`` only (token statistics kept: they are the sample's)."""
        idx = list(items)
        aligns = [self.alignments[i] for i in idx]
        model = self.model_name
        return Extraction(self.layers, self.vectors[:, idx], aligns, self.token_mean, self.token_std,
                          token_warnings(aligns, model), model)


def _index(layers: list[int], layer: int) -> int:
    try:
        return layers.index(layer)
    except ValueError:
        raise ContextualError(f"layer {layer} was not extracted (have {layers})") from None


def extract(model: ContextModel, items: Sequence[Target], layers: Sequence[int], pooling: str = "mean",
            batch_size: int | None = None, progress: ProgressFn | None = None,
            batch_tokens: int = BATCH_TOKENS) -> Extraction:
    """The core loop (:mod:`vecs.contextual.batches`): every distinct sentence tokenised in one
    call and run once, in batches of similar token lengths under ``batch_tokens`` padded tokens
    (and ``batch_size`` sentences, when given); the words of a batch pooled with index tensors.
    The results are in the order of ``items`` and do not depend on the batching."""
    torch = require_torch()
    check_pooling(pooling)
    n = len(items)
    out = np.zeros((len(layers), n, model.dim), dtype=np.float32)  # (L', n, C)
    aligns: list[Alignment | None] = [None] * n
    texts = list(dict.fromkeys(it.sentence for it in items))  # distinct sentences, once each
    by_text: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_text.setdefault(it.sentence, []).append(i)
    enc = model.tokenize(texts)
    index = span_indexes(enc)
    stats = TokenStats(len(layers), model.dim)
    unknown = unknown_forms(model)
    stage = "contextual vectors"
    done = 0
    with torch.inference_mode():
        for batch in run_batches(model, enc, layers, batch_tokens, batch_size):
            groups, targets, real = [], [], []
            for r, t in enumerate(batch.texts):
                real += batch.flat(r, index[t].real)
                for i in by_text[texts[t]]:
                    it = items[i]
                    pos = index[t].positions(it.start, it.end)
                    if not pos:
                        raise ContextualError(f"sentence {i + 1} is longer than {model.name}'s window of "
                                              f"{model.max_tokens} tokens before the target word")
                    toks = enc.tokens[t]
                    shown, n_unk, n_bytes, n_shared = inspect_tokens(it.sentence, it.start, it.end, toks,
                                                                     enc.spans[t], pos, unknown)
                    a = Alignment(i + 1, it.sentence[it.start : it.end], it.start, it.end, [toks[p] for p in pos],
                                  pos, shown, n_unk, n_bytes, n_shared)
                    check_known(a, model.name)  # an entirely unknown word has nothing to measure
                    aligns[i] = a
                    groups.append(batch.flat(r, pos))
                    targets.append(i)
            stats.add(batch.states, real)
            out[:, targets] = pool_groups(batch.states, groups, pooling).numpy()  # (L', n_batch, C)
            done += len(batch.texts)
            report(progress, stage, done, len(texts))
    report(progress, stage, len(texts), len(texts), finished=True)
    mean, std = stats.result()
    return Extraction(list(layers), out, aligns, mean, std, token_warnings(aligns, model.name), model.name)


@dataclass
class WordVectors:
    """A word's vectors in several sentences: ``vectors[k, i]`` is sentence ``i``'s vector at
    layer ``layers[k]``."""

    word: str
    model: str
    pooling: str
    layers: list[int]
    sentences: list[str]
    alignments: list[Alignment]
    vectors: np.ndarray  # (len(layers), n, C)
    token_mean: np.ndarray  # (len(layers), C), for standardize()
    token_std: np.ndarray
    default_layer: int = 0
    warnings: list[str] = field(default_factory=list)  # unknown tokens, byte pieces... (token_warnings)

    def at(self, layer: int, standardized: bool = False) -> np.ndarray:
        """(n, C): the vectors at one layer (z-scored with ``standardized``)."""
        return layer_vectors(self.vectors, self.token_mean, self.token_std, _index(self.layers, layer), standardized)

    def space(self, layer: int, standardized: bool = False) -> Space:
        """The occurrences as a Space with keys ``word@1``, ``word@2``..."""
        v = self.at(layer, standardized)
        return Space([f"{self.word}@{i + 1}" for i in range(len(v))], v, name=f"{self.model} layer {layer}",
                     meta={"kind": "contextual", "layer": layer, "pooling": self.pooling})


def _as_list(x, n: int, what: str) -> list:
    if x is None or isinstance(x, (str, int)):
        return [x] * n
    x = list(x)
    if len(x) != n:
        raise ContextualError(f"{len(x)} {what} for {n} sentences")
    return x


def word_vectors(model, sentences: Sequence[str], target: str, occurrence: int | Sequence[int] | None = None,
                 layer=None, pooling: str = "mean", batch_size: int | None = None,
                 string: str | Sequence[str] | None = None, progress: ProgressFn | None = None) -> WordVectors:
    """The vectors of ``target`` in each sentence at ``layer`` (None: the model's default layer;
    an int; ``"all"``). ``string`` is the exact form to look for when it differs from ``target``
    (one for all sentences, or one per sentence); ``occurrence`` (1-based) picks a repeated word.
    Batches are planned by token length (:mod:`vecs.contextual.batches`); ``batch_size`` caps the
    sentences in one forward pass (None: the token budget alone).
    Raises :class:`ContextualError` naming the sentence where the word is missing."""
    check_pooling(pooling)
    model = load_model(model, progress=progress)
    sentences = [s for s in (sentences or [])]
    if not sentences:
        raise ContextualError("no sentences given")
    for i, s in enumerate(sentences):
        if not s or not s.strip():
            raise ContextualError(f"sentence {i + 1} is empty")
    strings = _as_list(string, len(sentences), "strings")
    occs = _as_list(occurrence, len(sentences), "occurrences")
    items = []
    for i, s in enumerate(sentences):
        a, b = find_word(s, strings[i] or target, occs[i], number=i + 1)
        items.append(Target(s, a, b))
    layers = model.resolve_layers(layer)
    ex = extract(model, items, layers, pooling, batch_size, progress)
    return WordVectors(target, model.name, pooling, layers, sentences, ex.alignments, ex.vectors,
                       ex.token_mean, ex.token_std, model.default_layer, ex.warnings)


def template_space(model, words: Sequence[str], layer=None, template: str = "This is a {word}.",
                   pooling: str = "mean", batch_size: int | None = None, progress: ProgressFn | None = None) -> Space:
    """Each word's vector in a neutral template sentence (for WEAT and other static probes on a
    contextual model; May et al. 2019). One layer (None: the model's default)."""
    check_pooling(pooling)
    model = load_model(model, progress=progress)
    if "{word}" not in template:
        raise ContextualError("the template must contain {word}")
    words = list(dict.fromkeys(w for w in words if w and w.strip()))
    if not words:
        raise ContextualError("no words given")
    layers = model.resolve_layers(layer)
    if len(layers) != 1:
        raise ContextualError("template_space takes a single layer")
    pre = template.index("{word}")
    items = []
    for w in words:
        s = template.replace("{word}", w)
        items.append(Target(s, pre, pre + len(w)))
    ex = extract(model, items, layers, pooling, batch_size, progress)
    meta = {"kind": "contextual-template", "source": f"{model.name} layer {layers[0]}", "layer": layers[0],
            "params": {"template": template, "pooling": pooling, "model": model.source}}
    if ex.warnings:
        meta["warnings"] = ex.warnings
    return Space(words, ex.vectors[0], name=f"{model.name}-L{layers[0]}", meta=meta)
