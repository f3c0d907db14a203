"""The logit lens and the feed-forward lens: decoding the residual stream layer by layer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vecs.contextual.load import load_model
from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.progress import ProgressFn


# --------------------------------------------------------------------------------------------
# Logit lens
# --------------------------------------------------------------------------------------------
@dataclass
class Guess:
    word: str  # the token as text (leading space kept)
    score: float  # probability
    id: int = 0


@dataclass
class LensResult:
    """``guesses[k][t]``: the top-k next-token guesses at layer ``layers[k]`` for position ``t``
    (after reading ``tokens[: t + 1]``)."""

    model: str
    prompt: str
    tokens: list[str]
    layers: list[int]
    guesses: list[list[list[Guess]]]
    k: int = 3
    final_norm: str = "applied once to every layer, then the unembedding"

    @property
    def final(self) -> list[Guess]:
        """The model's own guesses after the whole prompt (last layer, last position)."""
        return self.guesses[-1][-1]


def logit_lens(model, prompt: str, k: int = 3, progress: ProgressFn | None = None) -> LensResult:
    """Decode every layer's residual stream at every position into the top ``k`` next tokens
    (nostalgebraist 2020). Needs a causal model (``smollm2`` or one of ours)."""
    torch = require_torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    if k < 1:
        raise ContextualError("k must be at least 1")
    model = load_model(model, progress=progress)
    tokens, logits = model.lens_logits(prompt)  # (L+1, T, V)
    probs = torch.softmax(logits.float(), -1)
    top_p, top_i = probs.topk(min(k, probs.shape[-1]), dim=-1)
    cache: dict[int, str] = {}

    def text(i: int) -> str:
        if i not in cache:
            cache[i] = model.token_text(i)
        return cache[i]

    guesses = [[[Guess(text(int(i)), float(p), int(i)) for p, i in zip(pp.tolist(), ii.tolist())]
                for pp, ii in zip(lp, li)] for lp, li in zip(top_p, top_i)]
    shown = [model.show_token(t) for t in tokens]
    return LensResult(model.name, prompt, shown, model.layers, guesses, k)


# --------------------------------------------------------------------------------------------
# Feed-forward lens: which layer's MLP writes the answer (Geva et al. 2022)
# --------------------------------------------------------------------------------------------
@dataclass
class FFNLayer:
    layer: int  # the block whose feed-forward (MLP) output this is, 1-based
    rank_before: int  # the target's rank decoding the residual just before this MLP's output is added
    rank_after: int  # ... and just after
    prob_before: float
    prob_after: float
    raised: list[Guess]  # the tokens whose logit this MLP raised most (score: logit change)


@dataclass
class FFNLensResult:
    model: str
    prompt: str
    target: str  # the token followed, as text
    target_id: int
    final_rank: int  # the target's rank in the model's own next-token distribution
    layers: list[FFNLayer]
    best_layer: int  # the block whose MLP improves the target's rank most (by log-rank)
    method: str = ("logit lens at the last position just before and just after each block's "
                   "feed-forward output is added (final norm applied once, then the unembedding)")
    target_tokens: list[str] = field(default_factory=list)  # the tokens the asked-for word splits into
    note: str = ""  # says so when the word is several tokens and only the first is followed


@dataclass
class Target:
    """The token a lens follows for a word: ``id`` (the word's first token), ``tokens`` (the text
    of every token the word splits into, when the adapter can tell, else the first only),
    ``note`` (empty when the word is one token)."""

    word: str
    id: int
    tokens: list[str]
    note: str = ""


def _norm(s: str) -> str:
    return s.strip().casefold()


def target_token(model, word: str) -> Target:
    """The token to follow for ``word`` (a word, as it would follow other text).

    A word the vocabulary does not have — one that maps to the unknown token (``<unk>`` of our
    GPT) — is a :class:`ContextualError` naming it: the lens would follow ``<unk>``, not the word.
    A word split into several tokens (any word outside a BPE vocabulary, ``New York`` for our
    word-level GPT) is followed by its first token, and the note says which. The adapter's
    ``token_id`` gives the first token; ``token_ids`` (all of them) and ``unknown_id`` are used when
    the adapter has them, else the token's text tells (the unknown token's text is not the start
    of the word; a piece's text is)."""
    if not word or not word.strip():
        raise ContextualError("the target is empty")
    all_ids = getattr(model, "token_ids", None)
    ids = [int(i) for i in all_ids(word)] if callable(all_ids) else [int(model.token_id(word))]
    if not ids:
        raise ContextualError(f"{word!r} gives no token in {model.name}'s vocabulary")
    texts = [model.token_text(i) for i in ids]
    unk = getattr(model, "unknown_id", None)
    first = texts[0]
    if unk is not None:
        unknown = ids[0] == unk
    else:  # no word to compare the token with: a piece is the start of the word, <unk> is not
        unknown = _norm(first) != _norm(word) and not (
            "\ufffd" in first or (_norm(first) and _norm(word).startswith(_norm(first))))
    if unknown:
        raise ContextualError(f"{word!r} is not in {model.name}'s vocabulary (it would be the unknown token "
                              f"{first.strip()!r}): choose a word the model knows")
    if len(ids) == 1 and _norm(first) == _norm(word):
        return Target(word, ids[0], texts)
    if len(ids) > 1:
        listed = ", ".join(repr(t) for t in texts)
        note = f"{word!r} is {len(ids)} tokens ({listed}): the lens follows the first, {first!r}"
    else:
        note = f"{word!r} is more than one token: the lens follows the first, {first!r}"
    return Target(word, ids[0], texts, note)


def feed_forward_lens(model, prompt: str, target: str | None = None, k: int = 5,
                      progress: ProgressFn | None = None) -> FFNLensResult:
    """Which feed-forward (MLP) block writes the answer? For every block, decode the residual
    stream at the last position of ``prompt`` just before and just after its MLP output is added
    and compare the ``target``'s rank (default target: the model's own next-token guess). For
    "The capital of Poland is" one late MLP lifts " Warsaw" to the top (Geva et al. 2022; Merullo
    et al. 2023). A target the vocabulary lacks is an error; one of several tokens is followed by
    its first (see :func:`target_token`; ``note`` says so)."""
    torch = require_torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    if target is not None and not target.strip():
        raise ContextualError("the target is empty")
    model = load_model(model, progress=progress)
    model.require_causal()
    chosen = target_token(model, target) if target is not None else None  # before the forward pass
    mlps = model.mlp_modules()
    outs: dict[int, object] = {}
    hooks = [m.register_forward_hook(lambda mod, inp, out, i=i: outs.__setitem__(i, out)) for i, m in enumerate(mlps)]
    try:
        acts = model.batch([prompt])  # (L+1, 1, T, C)
    finally:
        for h in hooks:
            h.remove()
    with torch.inference_mode():
        def decode(h):  # (C,) -> log-probabilities (V,)
            return torch.log_softmax(model.decode(h), -1)

        final = decode(acts.layer(model.n_layers)[0, -1])
        tid = chosen.id if chosen is not None else int(final.argmax())

        def rank(lp):
            return int((lp > lp[tid]).sum()) + 1

        layers = []
        for i in range(len(mlps)):
            m = outs[i][0] if isinstance(outs[i], tuple) else outs[i]  # (1, T, C)
            after = acts.layer(i + 1)[0, -1].float()  # (C,) the residual after block i + 1
            before = after - m[0, -1].float().cpu()
            lp_b, lp_a = decode(before), decode(after)
            diff = lp_a - lp_b
            top_v, top_i = diff.topk(k)
            layers.append(FFNLayer(i + 1, rank(lp_b), rank(lp_a), float(lp_b[tid].exp()), float(lp_a[tid].exp()),
                                   [Guess(model.token_text(int(j)), float(v), int(j)) for v, j in zip(top_v, top_i)]))
    best = max(layers, key=lambda L: np.log(L.rank_before) - np.log(L.rank_after)).layer
    text = model.token_text(tid)
    return FFNLensResult(model.name, prompt, text, tid, rank(final), layers, best,
                         target_tokens=chosen.tokens if chosen is not None else [text],
                         note=chosen.note if chosen is not None else "")
