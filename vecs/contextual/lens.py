"""The logit lens and the feed-forward lens: decoding the residual stream layer by layer."""

from __future__ import annotations

from dataclasses import dataclass
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
    target: str
    target_id: int
    final_rank: int  # the target's rank in the model's own next-token distribution
    layers: list[FFNLayer]
    best_layer: int  # the block whose MLP improves the target's rank most (by log-rank)
    method: str = ("logit lens at the last position just before and just after each block's "
                   "feed-forward output is added (final norm applied once, then the unembedding)")


def feed_forward_lens(model, prompt: str, target: str | None = None, k: int = 5,
                      progress: ProgressFn | None = None) -> FFNLensResult:
    """Which feed-forward (MLP) block writes the answer? For every block, decode the residual
    stream at the last position of ``prompt`` just before and just after its MLP output is added
    and compare the ``target``'s rank (default target: the model's own next-token guess). For
    "The capital of Poland is" one late MLP lifts " Warsaw" to the top (Geva et al. 2022; Merullo
    et al. 2023)."""
    torch = require_torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    model = load_model(model, progress=progress)
    model.require_causal()
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
        tid = model.token_id(target) if target else int(final.argmax())

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
    return FFNLensResult(model.name, prompt, model.token_text(tid), tid, rank(final), layers, best)
