"""The logit lens you can aim, and the feed-forward lens: the residual stream decoded layer by layer.

:func:`logit_lens` decodes every layer at every chosen position (the final norm applied once,
then the unembedding; nostalgebraist 2020) into the top guesses, and follows a target token's
rank over the whole vocabulary. :func:`feed_forward_lens` asks which block's MLP writes the
answer (Geva et al. 2022). Tokens are shown text (:mod:`vecs.inside.tokens`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from vecs.contextual.load import load_model
from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.tokens import REPLACEMENT, Target, find_target, label, labels, show, unspaced
from vecs.progress import ProgressFn

FINAL_NORM = "applied once to every layer, then the unembedding"


@dataclass
class Guess:
    """One token in a ranking: ``word`` its text (leading space kept), ``score`` its probability
    (the logit change in a feed-forward lens), ``rank`` over the whole vocabulary (1 = top),
    ``shown`` its text as shown (``·the``, ``⟨bos⟩``)."""

    word: str
    score: float
    id: int = 0
    rank: int = 1
    shown: str = ""

    def __post_init__(self):
        if not self.shown:
            self.shown = show(self.word)


@dataclass
class TargetTrack:
    """The target token at one position, layer by layer (``ranks[i]``, ``probs[i]`` at
    ``layers[i]`` of the result; ranks over the whole vocabulary, 1 = top)."""

    position: int
    token: str  # the prompt's token there (shown text): the guess is for the token after it
    ranks: list[int]
    probs: list[float]
    best_rank: int
    best_layer: int  # the first layer where the best rank is reached
    final_rank: int  # at the last layer: the model's own rank for it
    final_prob: float
    top10_from: int | None  # the first layer where it is in the top 10 (None: never)
    top1_from: int | None  # the first layer where it is the top guess (None: never)


@dataclass
class LensResult:
    """``guesses[i][j]``: the top-k next-token guesses at layer ``layers[i]`` for the prompt
    position ``positions[j]`` (after reading ``tokens[: positions[j] + 1]``). With a target,
    ``tracks[j]`` follows it at ``positions[j]``."""

    model: str
    prompt: str
    tokens: list[str]  # every token of the prompt, shown text
    layers: list[int]
    guesses: list[list[list[Guess]]]
    k: int = 3
    positions: list[int] = field(default_factory=list)  # the prompt positions of the columns
    target: Target | None = None
    tracks: list[TargetTrack] = field(default_factory=list)
    vocab: int = 0  # the vocabulary's size: the worst rank
    final_norm: str = FINAL_NORM

    def __post_init__(self):
        if not self.positions:  # built by hand: the columns are the last positions
            n = len(self.guesses[0]) if self.guesses else 0
            self.positions = list(range(len(self.tokens) - n, len(self.tokens)))

    @property
    def final(self) -> list[Guess]:
        """The model's own guesses at the last column (last layer)."""
        return self.guesses[-1][-1]


# --------------------------------------------------------------------------------------------
# Positions: an index, -1, all, or one of the prompt's tokens
# --------------------------------------------------------------------------------------------
def _listing(tokens: Sequence[str]) -> str:
    return " ".join(f"{i}:{t}" for i, t in enumerate(tokens))


def resolve_positions(spec, tokens: Sequence[str]) -> list[int]:
    """The prompt positions ``spec`` names: ``None`` or ``all`` -> every one; a number (negative
    counts from the end, -1 = the last); a token's text as shown (``Charles`` or ``·Charles``, the
    ``·`` optional) -> its position, which must be the only one; a list -> each of its items.
    A position beyond the prompt, or a token that is absent or repeated, is a
    :class:`ContextualError` (listing the tokens)."""
    T = len(tokens)
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "all"):
        return list(range(T))
    if isinstance(spec, (list, tuple)):
        return list(dict.fromkeys(p for s in spec for p in resolve_positions(s, tokens)))
    if isinstance(spec, (int, np.integer)) or re.fullmatch(r"\s*[+-]?\d+\s*", str(spec)):
        p = int(spec)
        if not -T <= p < T:
            raise ContextualError(f"position {p} is beyond the prompt: it has {T} tokens (positions 0 to {T - 1}, "
                                  f"-1 = the last)")
        return [p % T]
    text = str(spec)
    if not text.strip():
        raise ContextualError("the position is empty: give a number, -1, all or one of the prompt's tokens")
    lead = len(text) - len(text.lstrip(" ·"))
    core = text[lead:]
    wanted = ["·" * lead + core] if lead else [core, "·" + core]
    found = [i for i, t in enumerate(tokens) if t in wanted]
    if not found:  # then ignoring case
        folded = [w.casefold() for w in wanted]
        found = [i for i, t in enumerate(tokens) if t.casefold() in folded]
    if len(found) == 1:
        return found
    if not found:
        raise ContextualError(f"{text!r} is not a token of the prompt; its tokens: {_listing(tokens)}")
    raise ContextualError(f"{text!r} is at positions {', '.join(map(str, found))}: give one by number; "
                          f"the tokens: {_listing(tokens)}")


# --------------------------------------------------------------------------------------------
# Logit lens
# --------------------------------------------------------------------------------------------
def _first(layers: Sequence[int], ranks: Sequence[int], within: int) -> int | None:
    return next((L for L, r in zip(layers, ranks) if r <= within), None)


def track(position: int, token: str, layers: Sequence[int], ranks: Sequence[int],
          probs: Sequence[float]) -> TargetTrack:
    """A :class:`TargetTrack` from the target's rank and probability at every layer."""
    best = int(np.argmin(ranks))
    return TargetTrack(position, token, list(ranks), list(probs), int(ranks[best]), int(layers[best]),
                       int(ranks[-1]), float(probs[-1]), _first(layers, ranks, 10), _first(layers, ranks, 1))


def prompt_tokens(model, prompt: str, raw: Sequence[str]) -> list[str]:
    """The prompt's tokens as shown text (byte pieces merged); ``raw`` (the adapter's token
    strings) when the ids do not line up with them."""
    ids = model.encode_ids(prompt)
    if len(ids) == len(raw):
        return labels(model, ids)
    return [show(model.show_token(t)) for t in raw]  # pragma: no cover - an adapter that disagrees


def check_prompt(model, prompt: str) -> None:
    """A :class:`ContextualError` for an empty prompt or one that fills the model's context."""
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    n = len(model.encode_ids(prompt))
    if n >= model.max_tokens:
        raise ContextualError(f"the prompt reaches {model.name}'s limit of {model.max_tokens} tokens and would be "
                              f"cut: shorten it")


def logit_lens(model, prompt: str, k: int = 3, target: str | None = None, positions=None,
               progress: ProgressFn | None = None) -> LensResult:
    """Decode every layer's residual stream at the chosen ``positions`` (default: all; see
    :func:`resolve_positions`) into the top ``k`` next tokens; with ``target`` (a word, see
    :func:`vecs.inside.tokens.find_target`), its rank over the whole vocabulary and probability at
    every layer and position. One forward pass; one softmax per layer over the chosen positions;
    ranks are counted on tensors (no Python object per vocabulary entry). Needs a causal model."""
    torch = require_torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    if k < 1:
        raise ContextualError("k must be at least 1")
    if target is not None and not str(target).strip():
        raise ContextualError("the target is empty")
    model = load_model(model, progress=progress)
    model.require_causal()
    check_prompt(model, prompt)
    chosen = find_target(model, target) if target is not None else None
    raw, logits = model.lens_logits(prompt)  # (L+1, T, V)
    shown = prompt_tokens(model, prompt, raw)
    cols = resolve_positions(positions, shown)
    layers = list(model.layers)
    V = int(logits.shape[-1])
    n = min(k, V)
    names: dict[int, tuple[str, str]] = {}

    def guess(i: int, p: float, r: int) -> Guess:
        if i not in names:
            names[i] = (model.token_text(i), label(model, i))
        return Guess(names[i][0], p, i, r, names[i][1])

    guesses, ranks, probs = [], [], []
    with torch.inference_mode():
        # the chosen columns, copied once (index_select is slow on CPU for rows this long)
        sel = logits if cols == list(range(len(shown))) else logits[:, cols]  # (L+1, P, V)
        for li in range(len(layers)):
            lp = torch.log_softmax(sel[li].float(), -1)  # (P, V)
            top_lp, top_i = lp.topk(n, dim=-1)
            guesses.append([[guess(int(i), float(np.exp(v)), r + 1) for r, (v, i) in enumerate(zip(vs, ii))]
                            for vs, ii in zip(top_lp.tolist(), top_i.tolist())])
            if chosen is not None:
                t = lp[:, chosen.id]  # (P,)
                ranks.append(((lp > t[:, None]).sum(-1) + 1).tolist())
                probs.append(t.exp().tolist())
    tracks = [track(p, shown[p], layers, [row[j] for row in ranks], [row[j] for row in probs])
              for j, p in enumerate(cols)] if chosen is not None else []
    return LensResult(model.name, prompt, shown, layers, guesses, n, cols, chosen, tracks, V)


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
    raised: list[Guess]  # tokens whose logit this MLP raised most, words first (score: logit change)


@dataclass
class FFNLensResult:
    model: str
    prompt: str
    target: str  # the token followed, shown text (·Warsaw)
    target_id: int
    final_rank: int  # the target's rank in the model's own next-token distribution
    layers: list[FFNLayer]
    best_layer: int  # the block whose MLP improves the target's rank most (by log-rank)
    method: str = ("logit lens at the last position just before and just after each block's "
                   "feed-forward output is added (final norm applied once, then the unembedding)")
    target_tokens: list[str] = field(default_factory=list)  # the tokens the asked-for word splits into
    note: str = ""  # says so when the word is several tokens and only the first is followed
    raised_rule: str = ("the tokens raised most, among the 100 raised most: those that start a word first "
                        "(a leading space, or a character of a script without spaces), then the others; "
                        "lone byte pieces and special tokens left out")


def mlp_before_after(model, prompt: str):
    """The seam of the feed-forward lens: ``(before (n, C), after (n, C), last (C,))``, the
    residual stream at the prompt's last position just before and just after each of the ``n``
    blocks' MLP output is added, and the last layer's residual (the model's own output before the
    final norm). What is added is what the probe (:mod:`vecs.inside.probe`) records as the MLP's
    write: the MLP module's output for pre-norm blocks (Llama, ours), the post-feedforward norm's
    output for Gemma."""
    from vecs.inside.probe import run

    tr = run(model, [prompt], capture=("resid", "mlp"))
    T = tr.lengths[0]
    after = tr.resid[1:, 0, T - 1]  # (n, C)
    wrote = tr.mlp[:, 0, T - 1]  # (n, C)
    return after - wrote, after, tr.resid[-1, 0, T - 1]


def starts_word(text: str) -> bool:
    """Whether a token's text starts a word: a leading space then a letter or digit, or a
    character of a script written without spaces (a Chinese character is a word or part of one)."""
    core = text.lstrip(" ")
    if not core or REPLACEMENT in core:
        return False
    return (text.startswith(" ") and core[0].isalnum()) or unspaced(core)


def readable_raised(model, change, k: int, pool: int = 100) -> list[Guess]:
    """The ``k`` tokens whose logit rose most (``change``: (V,) logit change), word starts first
    (see :func:`starts_word`), then other tokens in order; lone byte pieces, special tokens and
    bare whitespace are left out."""
    vals, idx = change.topk(min(pool, int(change.shape[-1])))
    specials = model.special_ids()
    words, rest = [], []
    for r, (v, i) in enumerate(zip(vals.tolist(), idx.tolist())):
        text = model.token_text(i)
        if i in specials or not text.strip() or REPLACEMENT in text:
            continue
        g = Guess(text, float(v), int(i), r + 1, label(model, i))
        (words if starts_word(text) else rest).append(g)
        if len(words) >= k:
            break
    return (words + rest)[:k]


def feed_forward_lens(model, prompt: str, target: str | None = None, k: int = 5,
                      progress: ProgressFn | None = None) -> FFNLensResult:
    """Which feed-forward (MLP) block writes the answer? For every block, decode the residual
    stream at the last position of ``prompt`` just before and just after its MLP output is added
    and compare the ``target``'s rank (default target: the model's own next-token guess). A target
    the vocabulary lacks is an error; one of several tokens is followed by its first (see
    :func:`vecs.inside.tokens.find_target`; ``note`` says so)."""
    torch = require_torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    if target is not None and not target.strip():
        raise ContextualError("the target is empty")
    model = load_model(model, progress=progress)
    model.require_causal()
    check_prompt(model, prompt)
    chosen = find_target(model, target) if target is not None else None  # before the forward pass
    before, after, last = mlp_before_after(model, prompt)
    with torch.inference_mode():
        lp_b = torch.log_softmax(model.decode(before), -1)  # (n, V)
        lp_a = torch.log_softmax(model.decode(after), -1)
        final = torch.log_softmax(model.decode(last), -1)  # (V,)
        tid = chosen.id if chosen is not None else int(final.argmax())
        rank_b = ((lp_b > lp_b[:, tid:tid + 1]).sum(-1) + 1).tolist()
        rank_a = ((lp_a > lp_a[:, tid:tid + 1]).sum(-1) + 1).tolist()
        layers = [FFNLayer(i + 1, int(rank_b[i]), int(rank_a[i]), float(lp_b[i, tid].exp()), float(lp_a[i, tid].exp()),
                           readable_raised(model, lp_a[i] - lp_b[i], k)) for i in range(len(rank_b))]
        final_rank = int((final > final[tid]).sum()) + 1
    best = max(layers, key=lambda L: np.log(L.rank_before) - np.log(L.rank_after)).layer
    shown = label(model, tid)
    return FFNLensResult(model.name, prompt, shown, tid, final_rank, layers, best,
                         target_tokens=chosen.tokens if chosen is not None else [shown],
                         note=chosen.note if chosen is not None else "")
