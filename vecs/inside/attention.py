"""Attention heads: where each position looks, what kind of head each is, and what one writes.

:func:`attention_heads` reads a prompt once (:func:`vecs.inside.probe.run`) and gives, for every
head of the chosen layers, each query position's top source tokens with their weights, and a
summary of the head over the prompt (the measures of Olsson et al. 2022 and TransformerLens):

* **entropy** — how spread a query's weights are, ``-Σ p log2 p`` in bits (0: one key takes it
  all; ``log2(n)``: even over ``n`` keys), the mean over the query positions;
* **sink** — the mean weight on the first token (heads with nothing to do often park there);
* **previous token** — the mean weight from each position on the one just before it;
* **induction** — measured on a separate input: random tokens ``r`` repeated once (the model's
  start tokens, then ``r r``, ``len(r)`` = :data:`INDUCTION_LEN`, seed fixed), the mean weight
  from each position of the second copy on the token *after* its earlier occurrence — the head
  that completes ``A B … A`` with ``B``. The prompt and this sequence go through one forward pass
  (a batch of two).

Summaries leave out query position 0 (in a causal model it can only look at itself).

:func:`explain_head` opens one head at one query position: every key's query·key score before
the softmax, its weight after it, and what the head writes there read through the final norm
and unembedding (the tokens it promotes). :func:`layer_pattern` gives a layer's full patterns
(for the plots). Head rankings for a token (name movers) are in :mod:`vecs.inside.heads`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vecs.contextual.load import load_model
from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.anatomy import anatomy
from vecs.inside.lens import resolve_positions
from vecs.inside.probe import check_head, encode, run
from vecs.inside.tokens import label, labels
from vecs.progress import ProgressFn

INDUCTION_LEN = 20  # random tokens in each half of the induction sequence (fewer if the context is short)
MEASURES = ("entropy: bits, -Σ p log2 p over the keys, mean over query positions 1..T-1; sink: mean weight on "
            "position 0; previous token: mean weight on position t-1; induction: on random tokens repeated once "
            "(start tokens + r + r), mean weight from each position of the second copy on the token after its "
            "earlier occurrence")
DECODED = "the head's write at that position, through the final norm and the unembedding (its logits alone)"


@dataclass
class Look:
    """One source (key) position a query looks at."""

    position: int
    token: str  # shown text
    weight: float


@dataclass
class HeadSummary:
    layer: int  # the block, 1-based
    head: int  # 0-based
    entropy: float  # bits, mean over query positions 1..T-1
    sink: float  # mean weight on position 0
    prev: float  # mean weight on the previous position
    induction: float  # on the repeated random sequence

    @property
    def name(self) -> str:
        return f"{self.layer}.{self.head}"


@dataclass
class HeadView:
    """One head on the prompt: ``looks[t]`` are query position ``t``'s top-k keys, heaviest first."""

    layer: int
    head: int
    summary: HeadSummary
    looks: list[list[Look]]


@dataclass
class AttentionResult:
    model: str
    prompt: str
    tokens: list[str]  # the prompt's tokens, shown text
    layers: list[int]  # the blocks shown (1-based)
    n_heads: int
    heads: list[HeadView]  # layer by layer, head by head
    k: int
    causal: bool
    induction_len: int  # random tokens in each half of the induction sequence
    seed: int
    measures: str = MEASURES


@dataclass
class KeyScore:
    position: int
    token: str
    score: float  # before the softmax (q·k times the model's scale, plus any position bias)
    weight: float  # after it


@dataclass
class Promoted:
    token: str  # shown text
    id: int
    logit: float


@dataclass
class ExplainResult:
    model: str
    prompt: str
    tokens: list[str]
    layer: int
    head: int
    position: int  # the query position
    query: str  # its token
    keys: list[KeyScore]  # every key the query may look at, in prompt order
    promotes: list[Promoted] = field(default_factory=list)  # highest logits of the head's decoded write
    suppresses: list[Promoted] = field(default_factory=list)  # lowest
    write_norm: float = 0.0  # the length of the head's write at the position
    decoded: str = DECODED
    note: str = ""  # why nothing is decoded (an encoder)


@dataclass
class LayerPattern:
    """Every head's weights in one layer: ``weights[h][q][k]`` (rows = queries, columns = keys)."""

    model: str
    prompt: str
    tokens: list[str]
    layer: int
    heads: list[int]
    weights: list  # (len(heads), T, T) numpy


# --------------------------------------------------------------------------------------------
# Layers, heads, positions
# --------------------------------------------------------------------------------------------
def attention_layers(model, layer) -> list[int]:
    """The blocks ``layer`` names (1..L; ``-1`` the last, ``all`` every one; ``None``: the model's
    default layer). Layer 0 (the embeddings) has no attention: an error."""
    if layer is None:
        return [max(1, model.default_layer)]
    if isinstance(layer, str) and layer.strip().lower() == "all":
        return list(range(1, model.n_layers + 1))
    chosen = model.resolve_layers(layer)
    if 0 in chosen:
        raise ContextualError(f"layer 0 is the embeddings: it has no attention; {model.name}'s attention layers are "
                              f"1..{model.n_layers} (-1 = the last)")
    return chosen


def position_of(spec, tokens: list[str]) -> int:
    """One query position: a number (negative from the end) or a token of the prompt (see
    :func:`vecs.inside.lens.resolve_positions`)."""
    found = resolve_positions(spec, tokens)
    if len(found) != 1:
        raise ContextualError(f"give one position, not {spec!r}")
    return found[0]


# --------------------------------------------------------------------------------------------
# Measures of a head (numpy, on patterns (..., T, T) with rows = queries)
# --------------------------------------------------------------------------------------------
def queries(T: int) -> np.ndarray:
    """The query positions a summary averages over: 1..T-1 (just 0 for a one-token prompt)."""
    return np.arange(1, T) if T > 1 else np.arange(1)


def entropy_bits(p: np.ndarray) -> np.ndarray:
    """``-Σ p log2 p`` over the last axis (0 log 0 = 0)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return -terms.sum(-1)


def head_measures(pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(entropy, sink, prev)`` of each head, each ``pattern.shape[:-2]``: see :data:`MEASURES`."""
    p = np.asarray(pattern, dtype=np.float64)
    T = p.shape[-1]
    q = queries(T)
    ent = entropy_bits(p[..., q, :]).mean(-1)
    sink = p[..., q, 0].mean(-1)
    prev = p[..., q, q - 1].mean(-1) if T > 1 else np.zeros(p.shape[:-2])
    return ent, sink, prev


def induction_score(pattern: np.ndarray, start: int, n: int) -> np.ndarray:
    """Mean weight from each position ``q`` of the second copy (``start + n .. start + 2n - 1``)
    on ``q - n + 1``, the token after its earlier occurrence; ``pattern`` (..., T, T) of the
    sequence ``start tokens + r + r`` with ``len(r) = n``."""
    p = np.asarray(pattern, dtype=np.float64)
    q = np.arange(start + n, start + 2 * n)
    return p[..., q, q - n + 1].mean(-1)


def _vocab(model) -> int:
    return int(model.vocab_size) if model.causal else int(model.model.config.vocab_size)


def repeated_tokens(model, n: int = INDUCTION_LEN, seed: int = 0) -> tuple[list[int], int, int]:
    """``(ids, start, n)``: the model's start tokens, ``n`` random ordinary tokens (distinct when the
    vocabulary allows; no special or placeholder ``<...>`` tokens), the same ``n`` again, then the
    model's end tokens (encoders); ``n`` is cut to what the context holds."""
    sample = model.encode_ids("the")
    specials = model.special_ids()
    lead = 0
    while lead < len(sample) and sample[lead] in specials:
        lead += 1
    trail = 0
    while trail < len(sample) - lead and sample[len(sample) - 1 - trail] in specials:
        trail += 1
    head, tail = sample[:lead], sample[len(sample) - trail:] if trail else []
    n = max(1, min(n, (model.max_tokens - lead - trail - 1) // 2))
    rng = np.random.default_rng(seed)
    V = _vocab(model)
    chosen: list[int] = []
    for attempt in range(100):  # distinct first; repeats only if a tiny vocabulary runs out
        for i in rng.integers(0, V, size=4 * n).tolist():
            raw = model.raw_token(i) if i not in specials else "<>"
            placeholder = raw.startswith("<") and raw.endswith(">") and len(raw) > 2
            if i in specials or placeholder or (i in chosen and attempt < 50):
                continue
            chosen.append(int(i))
            if len(chosen) == n:
                return head + chosen + chosen + tail, lead, n
    raise ContextualError(f"{model.name}: cannot draw {n} ordinary tokens from its vocabulary")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Every head of the chosen layers
# --------------------------------------------------------------------------------------------
def attention_heads(model, prompt: str, layer=None, head: int | None = None, k: int = 3, seed: int = 0,
                    progress: ProgressFn | None = None) -> AttentionResult:
    """Where each position of ``prompt`` looks in every head of ``layer`` (see
    :func:`attention_layers`; one ``head`` only if given): its ``k`` heaviest keys, and each head's
    :class:`HeadSummary`. One forward pass (the prompt and the induction sequence together)."""
    if k < 1:
        raise ContextualError("k must be at least 1")
    model = load_model(model, progress=progress)
    layers = attention_layers(model, layer)
    heads = [check_head(model, head)] if head is not None else list(range(anatomy(model).n_heads))
    ids = encode(model, [prompt])[0]
    rep, start, n = repeated_tokens(model, seed=seed)
    trace = run(model, [ids, rep], capture=("pattern",))
    T = len(ids)
    tokens = labels(model, ids)
    pat = trace.pattern[:, 0, :, :T, :T].numpy()  # (L, H, T, T)
    ent, sink, prev = head_measures(pat)  # (L, H)
    ind = induction_score(trace.pattern[:, 1, :, :len(rep), :len(rep)].numpy(), start, n)  # (L, H)
    views = []
    for L in layers:
        for h in heads:
            s = HeadSummary(L, h, float(ent[L - 1, h]), float(sink[L - 1, h]), float(prev[L - 1, h]),
                            float(ind[L - 1, h]))
            views.append(HeadView(L, h, s, top_looks(pat[L - 1, h], tokens, k)))
    return AttentionResult(model.name, prompt, tokens, layers, len(heads), views, k, model.causal, n, seed)


def top_looks(weights: np.ndarray, tokens: list[str], k: int) -> list[list[Look]]:
    """``weights`` (T, T): each query's ``k`` heaviest keys (ties: the earlier key first); keys
    of zero weight (the future of a causal model) are never listed."""
    out = []
    for row in np.asarray(weights, dtype=np.float64):
        order = np.argsort(-row, kind="stable")[:k]
        out.append([Look(int(j), tokens[j], float(row[j])) for j in order if row[j] > 0])
    return out


# --------------------------------------------------------------------------------------------
# One head at one position
# --------------------------------------------------------------------------------------------
def explain_head(model, prompt: str, layer, head: int, position, k: int = 10,
                 progress: ProgressFn | None = None) -> ExplainResult:
    """Head ``head`` of block ``layer`` at query ``position`` (a number or one of the prompt's
    tokens): every key's score before the softmax and weight after it; for a causal model, what
    the head writes there decoded alone through the final norm and unembedding — its ``k``
    highest (promoted) and lowest logits."""
    torch = require_torch()
    if k < 1:
        raise ContextualError("k must be at least 1")
    model = load_model(model, progress=progress)
    chosen = attention_layers(model, layer)
    if len(chosen) != 1:
        raise ContextualError("--explain needs one layer, not all")
    L = chosen[0]
    h = check_head(model, head)
    ids = encode(model, [prompt])[0]
    tokens = labels(model, ids)
    q = position_of(position, tokens)
    causal = anatomy(model).causal
    trace = run(model, [ids], capture=("pattern", "z", "attn") if causal else ("pattern",))
    scores = trace.scores[L - 1, 0, h, q].numpy()
    weights = trace.pattern[L - 1, 0, h, q].numpy()
    keys = [KeyScore(j, tokens[j], float(scores[j]), float(weights[j]))
            for j in range(len(tokens)) if np.isfinite(scores[j])]
    r = ExplainResult(model.name, prompt, tokens, L, h, q, tokens[q], keys)
    if not causal:
        r.note = (f"{model.name} is an encoder: it has no language-model head, so what the head writes cannot be "
                  "read as tokens")
        return r
    write = trace.head_write(L, h)[q]  # (C,)
    with torch.inference_mode():
        logits = model.decode(write)  # (V,)
        n = min(k, int(logits.shape[-1]))
        top_v, top_i = logits.topk(n)
        low_v, low_i = (-logits).topk(n)
    r.promotes = [Promoted(label(model, i), int(i), float(v)) for v, i in zip(top_v.tolist(), top_i.tolist())]
    r.suppresses = [Promoted(label(model, i), int(i), -float(v)) for v, i in zip(low_v.tolist(), low_i.tolist())]
    r.write_norm = float(write.norm())
    return r


def layer_pattern(model, prompt: str, layer, head: int | None = None,
                  progress: ProgressFn | None = None) -> LayerPattern:
    """The attention weights of every head of one block (or one ``head``) on ``prompt``."""
    model = load_model(model, progress=progress)
    chosen = attention_layers(model, layer)
    if len(chosen) != 1:
        raise ContextualError("a plot shows one layer, not all")
    L = chosen[0]
    heads = [check_head(model, head)] if head is not None else list(range(anatomy(model).n_heads))
    ids = encode(model, [prompt])[0]
    trace = run(model, [ids], capture=("pattern",))
    w = trace.pattern[L - 1, 0].numpy()[heads]  # (H', T, T)
    return LayerPattern(model.name, prompt, labels(model, ids), L, heads, w)
