"""One word across sentences, layer by layer: pairwise similarities, word senses, and the
relatedness of sense pairs against human judgements.

Cosine between contextual vectors is inflated by a few rogue dimensions (anisotropy):
``standardize=True`` z-scores every dimension before cosine (Timkey & van Schijndel 2021). The
mean and standard deviation are those of *every token* of the sentences in the sample at that
layer (not just the target's occurrences, so two sentences are enough); results say whether it
was on.

>>> # context_similarities("minilm", "bank", ["I paid at the bank.", "We sat on the bank."])
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass, field
from importlib import resources as _res
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from vecs.contextual.align import Target, find_word, unspaced
from vecs.contextual.extract import extract, word_vectors
from vecs.contextual.load import load_model
from vecs.contextual.model import DEFAULT_MODEL, check_pooling
from vecs.errors import ContextualError, DatasetError
from vecs.linalg import cosine_matrix
from vecs.progress import ProgressFn


CJK_MODEL = "gemma3"  # the default for a word in a script without spaces (whole Chinese words in its vocabulary)


def choose_model(word: str, model=None) -> tuple[object, str]:
    """``(model, note)``: ``model`` when one is given; else :data:`CJK_MODEL` for a word in a
    script written without spaces (the default encoder, minilm, maps many Chinese characters to
    [UNK]: 杨, 柳 and 输 among them) and :data:`DEFAULT_MODEL` otherwise. ``note`` says why
    when the choice was made here."""
    if model is not None:
        return model, ""
    if unspaced(word or ""):
        return CJK_MODEL, (f"model {CJK_MODEL} chosen for {word!r}: the default {DEFAULT_MODEL} has no token for many "
                           f"Chinese characters (they become [UNK]); choose another with -m")
    return DEFAULT_MODEL, ""


# --------------------------------------------------------------------------------------------
# context: pairwise similarities
# --------------------------------------------------------------------------------------------
@dataclass
class Pair:
    layer: int
    a: int  # 1-based sentence numbers
    b: int
    word: str
    score: float  # cosine


@dataclass
class ContextResult:
    word: str
    model: str
    pooling: str
    standardized: bool
    layers: list[int]
    default_layer: int
    sentences: list[str]
    alignments: list  # contextual.Alignment
    pairs: list[Pair]  # every pair at every layer
    matrices: list[list[list[float]]]  # per layer, n x n
    warnings: list[str] = field(default_factory=list)  # unknown tokens, byte pieces... (align.token_warnings)
    model_note: str = ""  # why this model, when it was chosen for the word (choose_model)

    def score(self, layer: int, a: int, b: int) -> float:
        return self.matrices[self.layers.index(layer)][a - 1][b - 1]


def context_similarities(model, word: str, sentences: Sequence[str], layer=None, pooling: str = "mean",
                         standardize: bool = False, string: str | None = None, occurrence: int | None = None,
                         batch_size: int | None = None, progress: ProgressFn | None = None) -> ContextResult:
    """Pairwise cosine similarities of ``word``'s vectors in ``sentences`` at each requested layer
    (None: the model's default layer; ``"all"``). ``model`` None: :func:`choose_model`."""
    check_pooling(pooling)
    model, note = choose_model(word, model)
    sentences = list(sentences or [])
    if not sentences:
        raise ContextualError("no sentences given")
    if len(sentences) < 2:
        raise ContextualError("give at least two sentences to compare")
    wv = word_vectors(model, sentences, word, occurrence=occurrence, layer=layer, pooling=pooling,
                      batch_size=batch_size, string=string, progress=progress)
    pairs, mats = [], []
    for L in wv.layers:
        m = cosine_matrix(wv.at(L, standardize))  # (n, n)
        mats.append(m.round(6).tolist())
        for a, b in itertools.combinations(range(len(sentences)), 2):
            pairs.append(Pair(L, a + 1, b + 1, word, float(m[a, b])))
    return ContextResult(word, wv.model, pooling, bool(standardize), wv.layers, wv.default_layer, sentences,
                         wv.alignments, pairs, mats, wv.warnings, note)


# --------------------------------------------------------------------------------------------
# senses: within-sense versus across-sense
# --------------------------------------------------------------------------------------------
@dataclass
class SenseLayer:
    layer: int
    within: float  # mean cosine of pairs in the same group
    across: float  # mean cosine of pairs from different groups
    gap: float  # within - across
    groups: dict[str, float] = field(default_factory=dict)  # within-group mean, per group


@dataclass
class SensesResult:
    word: str
    model: str
    pooling: str
    standardized: bool
    default_layer: int
    groups: dict[str, int]  # name -> number of sentences
    layers: list[SenseLayer]
    alignments: list = field(default_factory=list)
    kind: str = ""  # "homonym" / "polyseme" for the shipped examples
    warnings: list[str] = field(default_factory=list)  # unknown tokens, byte pieces... (align.token_warnings)
    model_note: str = ""  # why this model, when it was chosen for the word (choose_model)

    @property
    def best(self) -> SenseLayer:
        """The layer with the largest gap (within - across)."""
        return max(self.layers, key=lambda x: x.gap)

    def at(self, layer: int) -> SenseLayer:
        for s in self.layers:
            if s.layer == layer:
                return s
        raise ContextualError(f"layer {layer} was not computed")


def senses(model, word: str, groups: Mapping[str, Sequence[str]] | None = None, layer="all",
           pooling: str = "mean", standardize: bool = False, string: str | None = None, batch_size: int | None = None,
           file: str | os.PathLike | None = None, progress: ProgressFn | None = None) -> SensesResult:
    """Mean cosine within each sense group and across groups, per layer, and the gap. ``groups``
    maps a sense name to its sentences; ``file`` (a JSON object of the same shape, see
    :func:`read_groups`) adds to them. ``model`` None: :func:`choose_model`."""
    check_pooling(pooling)
    model, note = choose_model(word, model)
    groups = {str(k): list(v) for k, v in (groups or {}).items()}
    if file is not None:
        for k, v in read_groups(file).items():
            groups.setdefault(k, []).extend(v)
    if not groups:
        raise ContextualError("no sentences given (use --group NAME sentences... at least twice)")
    if len(groups) < 2:
        raise ContextualError("give at least two sense groups (e.g. --group money ... --group river ...)")
    for name, sents in groups.items():
        if not sents:
            raise ContextualError(f"sense group {name!r} has no sentences")
    if all(len(s) < 2 for s in groups.values()):
        raise ContextualError("at least one sense group needs two sentences for a within-sense similarity")
    sentences, labels = [], []
    for name, sents in groups.items():
        sentences += sents
        labels += [name] * len(sents)
    wv = word_vectors(model, sentences, word, layer=layer, pooling=pooling, batch_size=batch_size,
                      string=string, progress=progress)
    out = _sense_layers(wv, labels, list(groups), standardize)
    return SensesResult(word, wv.model, pooling, bool(standardize), wv.default_layer,
                        {k: len(v) for k, v in groups.items()}, out, wv.alignments, warnings=wv.warnings,
                        model_note=note)


def read_groups(path: str | os.PathLike) -> dict[str, list[str]]:
    """Sense groups from a JSON file: ``{"money": ["I paid at the bank.", ...], "river": [...]}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DatasetError(f"cannot read {path}: {e}") from None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise DatasetError(f"{path}: expected a JSON object {{group: [sentences...]}}")
    return {str(k): [str(s) for s in v] for k, v in data.items()}


def _sense_layers(ex, labels: list[str], names: list[str], standardized: bool) -> list[SenseLayer]:
    """Within, across and per-group mean cosines at every layer of ``ex`` (an Extraction or
    WordVectors: ``.layers`` and ``.at(layer, standardized)``); ``labels`` name each item's group."""
    lab = np.array(labels)
    same = lab[:, None] == lab[None, :]  # (n, n)
    upper = np.triu(np.ones_like(same, dtype=bool), 1)
    out = []
    for L in ex.layers:
        m = cosine_matrix(ex.at(L, standardized))  # (n, n)
        within = float(m[same & upper].mean())
        across = float(m[~same & upper].mean())
        per = {}
        for name in names:
            idx = lab == name
            sub = m[np.ix_(idx, idx)]
            tri = np.triu(np.ones_like(sub, dtype=bool), 1)
            per[name] = float(sub[tri].mean()) if tri.any() else float("nan")
        out.append(SenseLayer(L, within, across, within - across, per))
    return out


EXAMPLE_FILES = ("senses.json", "senses_zh.json")  # the first is the homonym/polyseme claim's set


def load_examples(name: str = "senses.json") -> dict:
    """A shipped example set (``vecs/data/senses.json``, the English homonyms and polysemes;
    ``senses_zh.json``, Chinese words): word -> {kind, senses: {name: [...]}, sources...}."""
    text = _res.files("vecs").joinpath("data", name).read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def example_words() -> list[str]:
    """Every word with shipped example sentences, in every language."""
    return [w for name in EXAMPLE_FILES for w in load_examples(name)]


def example_groups(word: str) -> dict[str, list[str]]:
    """The shipped sense groups of ``word`` (``vecs senses --example 杨柳``)."""
    for name in EXAMPLE_FILES:
        entry = load_examples(name).get(word)
        if entry is not None:
            return {k: list(v) for k, v in entry["senses"].items()}
    raise ContextualError(f"no shipped examples for {word!r}; words with examples: {', '.join(example_words())}")


@dataclass
class ExampleLayer:
    layer: int
    homonym_across: float  # mean across-sense cosine over the homonyms
    polyseme_across: float
    homonym_gap: float
    polyseme_gap: float
    holds: bool  # homonym_across < polyseme_across


@dataclass
class ExamplesResult:
    model: str
    standardized: bool
    default_layer: int
    words: list[SensesResult]
    layers: list[ExampleLayer]
    holds_at_default: bool | None  # None when the default layer was not among those computed
    layers_holding: int


def sense_examples(model, layer="all", pooling: str = "mean", standardize: bool = False,
                   batch_size: int | None = None, progress: ProgressFn | None = None) -> ExamplesResult:
    """Run the shipped set: is across-sense similarity lower for homonyms (bank: money/river)
    than for polysemes (magazine: object/publisher), layer by layer?"""
    check_pooling(pooling)
    model = load_model(model, progress=progress)
    ex = load_examples()
    layers_wanted = model.resolve_layers(layer)
    items, owners = [], []
    for w, entry in ex.items():
        for name, sents in entry["senses"].items():
            for s in sents:
                a, b = find_word(s, w)
                items.append(Target(s, a, b))
                owners.append((w, name))
    # one batched pass over every example sentence; standardisation statistics over all of them
    x = extract(model, items, layers_wanted, pooling, batch_size, progress)
    results = []
    for w, entry in ex.items():
        idx = [i for i, (ww, _) in enumerate(owners) if ww == w]
        labels = [owners[i][1] for i in idx]
        part = x.subset(idx)
        sl = _sense_layers(part, labels, list(entry["senses"]), standardize)
        r = SensesResult(w, model.name, pooling, bool(standardize), model.default_layer,
                         {k: len(v) for k, v in entry["senses"].items()}, sl, part.alignments,
                         kind=entry.get("kind", ""), warnings=part.warnings)
        results.append(r)
    layers = []
    for k, sl in enumerate(results[0].layers):
        hom = [r.layers[k] for r in results if r.kind == "homonym"]
        pol = [r.layers[k] for r in results if r.kind == "polyseme"]
        ha = float(np.mean([x.across for x in hom]))
        pa = float(np.mean([x.across for x in pol]))
        layers.append(ExampleLayer(sl.layer, ha, pa, float(np.mean([x.gap for x in hom])),
                                   float(np.mean([x.gap for x in pol])), ha < pa))
    d = results[0].default_layer
    at_default = next((x.holds for x in layers if x.layer == d), None)
    return ExamplesResult(results[0].model, bool(standardize), d, results, layers, at_default,
                          sum(x.holds for x in layers))
