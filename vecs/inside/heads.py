"""Which heads move a token: every head of every layer ranked by how much one query position
attends to a chosen token of the prompt, and by how much the head's output raises that token.

:func:`rank_heads` is the general form (``--to TOKEN [--from TOKEN]``: "his" looking at "John");
:func:`find_names` the indirect-object form of Wang et al. 2022 ("When Mary and John went to the
store, John gave a drink to" — the name said once, Mary, is the answer; the heads that move it to
the last position are the name movers).

The logit effect is the **direct logit attribution** (DLA): the head's write at the query
position, scaled by the final norm as it acts on the whole residual stream there (its scale
frozen: the norm is then linear, so the effects of every part of the model add up to the logits),
dotted with the token's unembedding row, minus the same for the mean row of the vocabulary (a
shift of every logit changes no probability)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vecs.contextual.load import load_model
from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.anatomy import anatomy
from vecs.inside.attention import position_of
from vecs.inside.probe import encode, run
from vecs.inside.tokens import Target, find_target, labels
from vecs.progress import ProgressFn

EFFECT = ("direct logit attribution: the head's write at the query position through the final norm with its "
          "scale frozen at the residual there, dotted with the token's unembedding row minus the mean row")
NAME_RE = re.compile(r"[^\W\d_][\w'-]*")
NOT_NAMES = {"when", "then", "after", "while", "the", "a", "an", "as", "so", "and", "but", "since", "once",
             "before", "later", "yesterday", "today", "afterwards", "there", "it", "in", "on", "at", "if"}


@dataclass
class HeadEffect:
    layer: int
    head: int
    weight: float  # the query's weight on the source token (summed over its occurrences)
    effect: float | None  # the logit effect on the target token (None: an encoder)
    weight_rank: int = 0  # 1 = the most attention
    effect_rank: int | None = None  # 1 = raises the token most
    other_weight: float | None = None  # find-names: the weight on the repeated name

    @property
    def name(self) -> str:
        return f"{self.layer}.{self.head}"


@dataclass
class HeadRanking:
    """Every head, heaviest attention on the source first."""

    model: str
    prompt: str
    tokens: list[str]
    query: int  # the query position
    query_token: str
    source: str  # the source as asked (a word or a position)
    positions: list[int]  # its positions in the prompt (those the query can see)
    target: Target | None  # the token whose logit the effect measures (None: an encoder)
    heads: list[HeadEffect]
    effect_rule: str = EFFECT
    chose: str = ""  # find-names: how the name was chosen
    other: str = ""  # find-names: the repeated name (the subject)
    other_positions: list[int] = field(default_factory=list)
    note: str = ""

    def by_effect(self) -> list[HeadEffect]:
        return sorted((h for h in self.heads if h.effect is not None), key=lambda h: h.effect_rank)


# --------------------------------------------------------------------------------------------
# Where a word is in the prompt, and which name is the indirect object
# --------------------------------------------------------------------------------------------
def token_positions(spec, tokens: list[str]) -> list[int]:
    """Every position of the prompt whose shown token is ``spec`` (``·`` optional; case ignored
    when nothing matches exactly), or the one position a number names."""
    text = str(spec)
    if re.fullmatch(r"\s*[+-]?\d+\s*", text):
        return [position_of(text, tokens)]
    if not text.strip():
        raise ContextualError("the token is empty: give one of the prompt's tokens or a position")
    lead = len(text) - len(text.lstrip(" ·"))
    core = text[lead:]
    wanted = ["·" * lead + core] if lead else [core, "·" + core]
    found = [i for i, t in enumerate(tokens) if t in wanted]
    if not found:
        folded = [w.casefold() for w in wanted]
        found = [i for i, t in enumerate(tokens) if t.casefold() in folded]
    if not found:
        listing = " ".join(f"{i}:{t}" for i, t in enumerate(tokens))
        raise ContextualError(f"{text!r} is not a token of the prompt; its tokens: {listing}")
    return found


def indirect_object(prompt: str) -> tuple[str, str, str]:
    """``(name, repeated, how)``: the capitalised word said exactly once among names of which
    one is repeated ("When Mary and John went to the store, John gave a drink to" -> Mary, John).
    Words that start a sentence are names only if nothing else is and they are not function
    words (When, The...)."""
    words = [(m.group(), m.start()) for m in NAME_RE.finditer(prompt)]
    caps = [(w, s) for w, s in words if w[0].isupper()]
    counts: dict[str, int] = {}
    for w, _ in caps:
        counts[w] = counts.get(w, 0) + 1
    repeated = [w for w, c in counts.items() if c > 1 and w.casefold() not in NOT_NAMES]

    def initial(start: int) -> bool:
        before = prompt[:start].rstrip()
        return not before or before[-1] in ".!?:;\"'“”"

    once = [w for w, s in caps if counts[w] == 1]
    inside = [w for w, s in caps if counts[w] == 1 and not initial(s)]
    named = inside or [w for w in once if w.casefold() not in NOT_NAMES]
    if not repeated:
        raise ContextualError("--find-names needs a prompt where one name is repeated and another is said once "
                              "(\"When Mary and John went to the store, John gave a drink to\"); use --to TOKEN")
    if len(named) != 1:
        found = ", ".join(named) if named else "none"
        raise ContextualError(f"--find-names cannot tell which name is said once (candidates: {found}); "
                              "use --to TOKEN")
    how = (f"the capitalised word said once ({named[0]}) among names where {repeated[0]} is repeated "
           f"({counts[repeated[0]]} times)")
    return named[0], repeated[0], how


# --------------------------------------------------------------------------------------------
# The logit effect
# --------------------------------------------------------------------------------------------
def frozen_norm(norm, x):
    """The final norm with its scale taken from the residual ``x`` (C,) and frozen: a linear map
    ``h -> γ ⊙ centre(h) / s(x)`` (LayerNorm: centred, its bias left out; RMSNorm: not centred,
    Gemma's ``1 + w`` included). Computed as ``(norm(h) - norm(0)) * s(h) / s(x)``, which is
    exactly that for either kind."""
    torch = require_torch()
    centred = isinstance(norm, torch.nn.LayerNorm) or ("LayerNorm" in type(norm).__name__
                                                       and "RMS" not in type(norm).__name__)
    eps = getattr(norm, "eps", None)
    eps = getattr(norm, "variance_epsilon", 1e-6) if eps is None else eps

    def s(v):
        v = v.float()
        if centred:
            v = v - v.mean(-1, keepdim=True)
        return (v.pow(2).mean(-1, keepdim=True) + float(eps)).sqrt()

    sx = s(x)
    p = next(norm.parameters(), None)
    dt = p.dtype if p is not None else x.dtype
    dev = p.device if p is not None else x.device

    def apply(h):
        with torch.inference_mode():
            zero = norm(torch.zeros_like(h).to(dev, dt)).float().cpu()
            return (norm(h.to(dev, dt)).float().cpu() - zero) * s(h) / sx

    return apply


def logit_direction(model, token_id: int):
    """``U[token] - mean(U)`` (C,): a write's dot product with it is the token's logit change
    relative to the mean logit."""
    torch = require_torch()
    with torch.inference_mode():
        U = model.unembedding().float().cpu()
        return U[int(token_id)] - U.mean(0)


# --------------------------------------------------------------------------------------------
# Ranking the heads
# --------------------------------------------------------------------------------------------
def rank_heads(model, prompt: str, to, source_from=None, also=None,
               progress: ProgressFn | None = None) -> HeadRanking:
    """Every head of every layer: the weight from the query position (``source_from``: a token of
    the prompt or a number; default the last position) on the token ``to`` (every occurrence the
    query can see, summed), and for a causal model the logit effect of the head's write at the
    query position on ``to`` as a next token (see :data:`EFFECT`; ``to`` as a word follows
    :func:`vecs.inside.tokens.find_target`, a number the prompt's token there). ``also``: a second
    token whose weight is kept beside (``other_weight``)."""
    torch = require_torch()
    model = load_model(model, progress=progress)
    an = anatomy(model)
    ids = encode(model, [prompt])[0]
    tokens = labels(model, ids)
    q = position_of(-1 if source_from is None else source_from, tokens)
    found = token_positions(to, tokens)
    seen = [p for p in found if p <= q] if an.causal else found
    if not seen:
        raise ContextualError(f"{to!r} is at position {', '.join(map(str, found))}, after the query position {q} "
                              f"({tokens[q]}): a causal model's position only looks back")
    other = token_positions(also, tokens) if also is not None else []
    other = [p for p in other if p <= q] if an.causal else other
    target = None
    if an.causal:
        numeric = re.fullmatch(r"\s*[+-]?\d+\s*", str(to)) is not None
        target = Target(tokens[seen[0]], ids[seen[0]], [tokens[seen[0]]]) if numeric else find_target(model, str(to))
    trace = run(model, [ids], capture=("pattern", "z", "resid", "attn") if an.causal else ("pattern",))
    pat = trace.pattern[:, 0, :, q, :]  # (L, H, T)
    weight = pat[:, :, seen].sum(-1)  # (L, H)
    other_w = pat[:, :, other].sum(-1) if other else None
    effects = None
    if target is not None:
        direction = logit_direction(model, target.id)
        frozen = frozen_norm(model.final_norm_module(), trace.resid[an.n_layers, 0, q])
        with torch.inference_mode():
            writes = torch.stack([torch.stack([trace.head_write(L, h)[q] for h in range(an.n_heads)])
                                  for L in range(1, an.n_layers + 1)])  # (L, H, C)
            effects = frozen(writes) @ direction  # (L, H)
    heads = [HeadEffect(L + 1, h, float(weight[L, h]), None if effects is None else float(effects[L, h]),
                        other_weight=None if other_w is None else float(other_w[L, h]))
             for L in range(an.n_layers) for h in range(an.n_heads)]
    for r, e in enumerate(sorted(heads, key=lambda e: -e.effect) if effects is not None else []):
        e.effect_rank = r + 1
    heads.sort(key=lambda e: (-e.weight, e.layer, e.head))
    for r, e in enumerate(heads):
        e.weight_rank = r + 1
    note = "" if an.causal else (f"{model.name} is an encoder: it has no language-model head, so no logit effects; "
                                 "the ranking is by attention only")
    if target is not None and target.note:
        note = target.note
    return HeadRanking(model.name, prompt, tokens, q, tokens[q], str(to), seen, target, heads,
                       other_positions=other, note=note)


def find_names(model, prompt: str, progress: ProgressFn | None = None) -> HeadRanking:
    """The name movers: :func:`rank_heads` from the last position to the indirect object, the
    name said once (:func:`indirect_object`); the weight on the repeated name is kept beside."""
    name, repeated, how = indirect_object(prompt)
    r = rank_heads(model, prompt, name, also=repeated, progress=progress)
    r.chose, r.other = how, repeated
    return r
