"""Steering: add a vector taken from another prompt, and see the next-token guesses move.

``steer(model, "The capital of China is", add="The capital of Poland is@15",
subtract="The capital of the country is@15", target="Beijing")`` takes the residual stream at
layer 15 at the last position of the source prompt, minus the same vector of the baseline prompt
(the difference of two prompts: activation addition, Turner et al. 2023), and adds ``scale``
times it to the prompt's residual at layer 15 at its last position. With ``component="mlp"`` the
vector is what block 15's MLP added at the source's last position (the explainers' "the vector an
MLP adds for Poland -> Warsaw") and it is added to the prompt's MLP output there. The result shows
the top guesses before and after, and the target's probability and rank.

``layer="all"`` (in ``add`` or as ``layer``) sweeps every layer — each layer's own vector added
at that layer, one row of a batched forward pass each — and reports the layer where the target
rises most. ``scale=0`` changes nothing (a test checks it). Nothing here says steering works: the
numbers are what the run gave.
"""

from __future__ import annotations

from dataclasses import dataclass

from vecs.contextual.load import load_model
from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.anatomy import anatomy
from vecs.inside.intervene import Change, add as add_at, check_choice, resolve_layers, sweep
from vecs.inside.lens import Guess, check_prompt
from vecs.inside.probe import encode, run
from vecs.inside.tokens import Target, find_target, labels
from vecs.progress import ProgressFn

COMPONENTS = ("resid", "mlp")


@dataclass
class SteerLayer:
    """The prompt steered at ``layer``: its top guesses, the target's probability, rank and
    change of log-probability (nats; None without a target), the added vector's norm and the
    norm of what it was added to (the prompt's own vector there)."""

    layer: int
    top: list[Guess]
    prob: float | None
    rank: int | None
    change: float | None
    added_norm: float
    own_norm: float


@dataclass
class SteerResult:
    model: str
    prompt: str
    tokens: list[str]
    source: str
    subtract: str | None
    component: str
    scale: float
    before: list[Guess]  # the prompt's own top guesses
    layers: list[SteerLayer]
    target: Target | None = None
    target_prob: float | None = None  # before steering
    target_rank: int | None = None
    best_layer: int | None = None  # the layer where the target rises most (the one layer without a sweep)
    method: str = ""

    @property
    def best(self) -> SteerLayer | None:
        return next((s for s in self.layers if s.layer == self.best_layer), None)


def parse_at(spec: str, what: str = "--add") -> tuple[str, str]:
    """``"PROMPT@LAYER"`` -> ``(PROMPT, LAYER)``: the last ``@`` splits; LAYER a number or
    ``all``. Anything else is a :class:`ContextualError` saying the form."""
    example = f"{what} \"The capital of Poland is@15\""
    if spec is None or "@" not in spec:
        raise ContextualError(f"{what} must be PROMPT@LAYER, e.g. {example} (got {spec!r})")
    text, layer = spec.rsplit("@", 1)
    layer = layer.strip()
    if not text.strip():
        raise ContextualError(f"{what} has no prompt before the @: it must be PROMPT@LAYER, e.g. {example}")
    if layer.lower() != "all" and not layer.lstrip("-").isdigit():
        raise ContextualError(f"{what} must end in @LAYER (a number, -1 = the last, or all), e.g. {example} "
                              f"(got {'@' + layer!r})")
    return text, layer


def steer(model, prompt: str, add: str, scale: float = 1.0, subtract: str | None = None,
          component: str = "resid", target: str | None = None, layer=None, k: int = 5,
          rows_per_pass: int | None = None, progress: ProgressFn | None = None) -> SteerResult:
    """Add ``scale`` x (the vector of ``add`` = ``"SOURCE@LAYER"``, minus that of ``subtract``)
    to ``prompt`` at the last position: the residual at that layer, or the MLP output
    (``component``). ``layer`` (a number or ``all``) overrides the layer in ``add``."""
    torch = require_torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    if target is not None and not str(target).strip():
        raise ContextualError("the target is empty")
    if k < 1:
        raise ContextualError("k must be at least 1")
    check_choice(component, COMPONENTS, "component")
    source, at = parse_at(add, "--add")
    base, base_at = (None, None) if subtract is None else (
        parse_at(subtract, "--subtract") if "@" in subtract else (subtract, at))
    if base is not None and not base.strip():
        raise ContextualError("the --subtract prompt is empty")
    if layer is None and base_at is not None and base_at != at:
        raise ContextualError(f"--add is at layer {at} and --subtract at {base_at}: give both the same layer")
    spec = at if layer is None else layer
    model = load_model(model, progress=progress)
    model.require_causal()
    anatomy(model).require_writes("steering")
    for p in (prompt, source) + ((base,) if base is not None else ()):
        check_prompt(model, p)
    chosen = find_target(model, target) if target is not None else None
    layers = resolve_layers(model, spec, component)
    ids = encode(model, [prompt])[0]
    texts = [ids] + encode(model, [source] + ([base] if base is not None else []))
    got = getattr(run(model, texts, capture=(component,)), component)  # (L+1 or L, B, T, C): prompt, source, base
    off = 0 if component == "resid" else 1
    last = [len(t) - 1 for t in texts]
    with torch.inference_mode():
        vec = {L: got[L - off, 1, last[1]] - (got[L - off, 2, last[2]] if base is not None else 0) for L in layers}
    rows = [[]] + [[Change(component, L, add_at(len(ids) - 1, scale * vec[L]))] for L in layers]
    out = sweep(model, ids, rows, chosen.id if chosen else None, k=k, rows_per_pass=rows_per_pass,
                progress=progress, stage=f"steer at {len(layers)} layers")
    first = out[0]
    steered = []
    for L, o in zip(layers, out[1:]):
        has = chosen is not None
        steered.append(SteerLayer(L, o.top, o.prob if has else None, o.rank if has else None,
                                  o.logprob - first.logprob if has else None, float(scale * vec[L].norm()),
                                  float(got[L - off, 0, last[0]].norm())))
    best = layers[0] if len(layers) == 1 else (max(steered, key=lambda s: s.change).layer if chosen else None)
    what = "residual stream" if component == "resid" else "MLP output"
    diff = f" minus that of {base!r}" if base is not None else ""
    method = (f"the {what} at the last position of {source!r}{diff}, times {scale:g}, added to the prompt's {what} "
              "at the same layer at its last position; change = log p(steered) - log p(before), nats")
    return SteerResult(model.name, prompt, labels(model, ids), source, base, component, float(scale), first.top,
                       steered, chosen, first.prob if chosen else None, first.rank if chosen else None, best, method)
