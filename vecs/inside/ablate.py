"""Ablation: switch one part of the model off and see what happens to the answer.

``ablate(model, "The capital of Poland is", "Warsaw", component="mlp")`` runs the prompt once as
it is (the baseline) and once per layer with that layer's MLP switched off, and reports the
target's probability and rank at the last position each time, and the change in its
log-probability (``log p(ablated) - log p(baseline)``, in nats: ``-0.69`` halves it). The
ablation that lowers it most is the part the answer depends on most — with the usual caveat
that later layers may repair an ablation (McGrath et al. 2023), so a small change does not
prove a part unused.

What is switched off, at every position of the prompt (or only at ``position``: a number, ``-1``,
or one of the prompt's tokens, e.g. the subject ``Poland``):

* ``mlp`` / ``attn`` — what the block's MLP / attention sub-block adds to the residual stream
  (for Gemma, the output of the norm that follows it);
* ``head`` — one head's output before the output projection (each head of each chosen layer in
  turn; for Gemma the post-attention norm then rescales what the other heads write).

``mode="zero"`` replaces it by zeros; ``mode="mean"`` by its mean over the prompt's positions
(the start token included), which keeps its typical size and removes what is specific to each
position. Ablations are row-batched (:mod:`vecs.inside.intervene`): one forward pass holds
many ablated copies of the prompt, each with its own part switched off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vecs.contextual.load import load_model
from vecs.errors import ContextualError
from vecs.inside.anatomy import anatomy
from vecs.inside.intervene import Change, check_choice, mean_over, resolve_layers, sweep, zero
from vecs.inside.lens import Guess, check_prompt, resolve_positions
from vecs.inside.probe import check_head, encode
from vecs.inside.tokens import Target, find_target, labels
from vecs.progress import ProgressFn

COMPONENTS = ("mlp", "attn", "head")
MODES = ("zero", "mean")


@dataclass
class Ablation:
    """The target with one part switched off: ``layer`` (a block, 1-based), ``head`` (None for a
    whole sub-block), probability, rank (1 = top guess) and ``change`` of log-probability (nats)
    against the baseline."""

    layer: int
    head: int | None
    prob: float
    rank: int
    change: float
    top: str = ""  # the top guess with this part off (shown text)

    @property
    def name(self) -> str:
        return str(self.layer) if self.head is None else f"{self.layer}.{self.head}"


@dataclass
class AblationResult:
    model: str
    prompt: str
    tokens: list[str]  # the prompt's tokens, shown text
    target: Target
    component: str
    mode: str
    baseline_prob: float
    baseline_rank: int
    rows: list[Ablation]
    worst: Ablation  # the ablation that lowers the target's log-probability most
    vocab: int
    baseline_top: list[Guess] = field(default_factory=list)  # the model's own best guesses
    method: str = ""
    positions: list[int] | None = None  # where the parts were switched off (None: every position)

    @property
    def note(self) -> str:
        return self.target.note


def _method(component: str, mode: str, where: str = "every position") -> str:
    what = {"mlp": "each block's MLP output", "attn": "each block's attention output",
            "head": "each head's output (before the output projection)"}[component]
    how = "zeros" if mode == "zero" else "its mean over the prompt's positions"
    return (f"{what} replaced by {how} at {where}; the target's probability and rank at the last "
            "position; change = log p(ablated) - log p(baseline), nats")


def ablate(model, prompt: str, target: str, component: str = "mlp", layer="all", mode: str = "zero",
           head: int | None = None, position=None, rows_per_pass: int | None = None,
           progress: ProgressFn | None = None) -> AblationResult:
    """The ``target``'s probability and rank at the last position of ``prompt`` with each
    ``component`` of the chosen ``layer`` s (``all``, a block number, ``-1`` = the last) switched
    off (``mode`` ``zero`` or ``mean``); ``component="head"`` ablates every head of those layers
    (or only ``head``), at every position or at ``position`` (see
    :func:`vecs.inside.lens.resolve_positions`). Needs a causal model."""
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    if target is None or not str(target).strip():
        raise ContextualError("the target is empty")
    check_choice(component, COMPONENTS, "component")
    check_choice(mode, MODES, "mode")
    if head is not None and component != "head":
        raise ContextualError("--head needs --component head")
    model = load_model(model, progress=progress)
    model.require_causal()
    anatomy(model).require_writes("ablation")
    check_prompt(model, prompt)
    chosen = find_target(model, target)
    layers = resolve_layers(model, layer, "mlp")
    heads = [check_head(model, head)] if head is not None else list(range(anatomy(model).n_heads))
    ids = encode(model, [prompt])[0]
    tokens = labels(model, ids)
    at = None if position is None or str(position).strip().lower() == "all" else resolve_positions(position, tokens)
    off = zero(at) if mode == "zero" else mean_over(len(ids), at)
    places = [(L, h) for L in layers for h in (heads if component == "head" else [None])]
    rows = [[]] + [[Change(component, L, off, h)] for L, h in places]
    out = sweep(model, ids, rows, chosen.id, k=3, rows_per_pass=rows_per_pass, progress=progress,
                stage=f"ablate {len(places)} {component}s")
    base = out[0]
    result = [Ablation(L, h, o.prob, o.rank, o.logprob - base.logprob, o.top[0].shown if o.top else "")
              for (L, h), o in zip(places, out[1:])]
    worst = min(result, key=lambda a: a.change)
    where = "every position" if at is None else "position " + ", ".join(f"{p} ({tokens[p]})" for p in at)
    return AblationResult(model.name, prompt, tokens, chosen, component, mode, base.prob, base.rank, result, worst,
                          model.vocab_size, base.top, _method(component, mode, where), at)
