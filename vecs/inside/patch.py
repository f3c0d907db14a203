"""Activation patching — causal tracing (Meng et al. 2022): where does the answer live?

Two prompts of the same length that differ in a word: the **clean** one ("The capital of Poland
is", answer "·Warsaw") and the **corrupted** one ("The capital of Norway is"). Run both; then run
the corrupted prompt again many times, each time with one vector copied from the clean run — the
residual stream (or what one attention or MLP sub-block added) at one layer and one position —
and read the target's probability at the last position. Where the copy brings the answer back,
that layer and position carry what the corruption took away.

The grid: ``probs[i][t]`` (layer ``layers[i]``, position ``t``) and the normalised restoration
``(p - p_corrupt) / (p_clean - p_corrupt)`` — 0 as corrupted, 1 as clean (None when the two runs
give the target the same probability). Patching the whole residual at layer 0 at the positions
where the prompts differ gives the clean run exactly, and so does the residual of the last layer
at the last position (the model's output there is read off it): the tests check both.

Every position of a layer is one row of a forward pass (:mod:`vecs.inside.intervene`): a sweep
takes a pass per batch of rows, never one per cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vecs.contextual.load import load_model
from vecs.errors import ContextualError
from vecs.inside.anatomy import anatomy
from vecs.inside.intervene import Change, check_choice, put, resolve_layers, score, sweep
from vecs.inside.lens import check_prompt
from vecs.inside.probe import encode, run
from vecs.inside.tokens import Target, find_target, labels
from vecs.progress import ProgressFn

COMPONENTS = ("resid", "attn", "mlp")
SAME = 1e-6  # clean and corrupted probabilities closer than this: no restoration to normalise


@dataclass
class PatchCell:
    layer: int
    position: int
    prob: float
    restored: float | None


@dataclass
class PatchResult:
    """``probs[i][t]``, ``ranks[i][t]``, ``restored[i][t]``: the target at the last position of
    the corrupted prompt with the clean ``component`` copied in at layer ``layers[i]``, position
    ``t``."""

    model: str
    clean: str
    corrupt: str
    clean_tokens: list[str]
    corrupt_tokens: list[str]
    target: Target
    component: str
    layers: list[int]
    probs: list[list[float]]
    ranks: list[list[int]]
    restored: list[list[float | None]]
    clean_prob: float
    clean_rank: int
    corrupt_prob: float
    corrupt_rank: int
    differ: list[int]  # the positions where the two prompts' tokens differ
    best: PatchCell  # the cell that brings the answer back most
    best_by_position: list[PatchCell] = field(default_factory=list)  # the best layer at each position
    method: str = ""


def _listing(tokens) -> str:
    return " ".join(tokens)


def patch(model, clean: str, corrupt: str, target: str, component: str = "resid",
          rows_per_pass: int | None = None, progress: ProgressFn | None = None) -> PatchResult:
    """Causal tracing of ``target`` (a word; see :func:`vecs.inside.tokens.find_target`): copy
    the clean run's ``component`` (``resid``, ``attn`` or ``mlp``) into the corrupted run at each
    layer x position. The two prompts must have the same number of tokens."""
    for what, p in (("clean", clean), ("corrupted", corrupt)):
        if not p or not p.strip():
            raise ContextualError(f"the {what} prompt is empty")
    if target is None or not str(target).strip():
        raise ContextualError("the target is empty")
    check_choice(component, COMPONENTS, "component")
    model = load_model(model, progress=progress)
    model.require_causal()
    anatomy(model).require_writes("patching")
    check_prompt(model, clean)
    check_prompt(model, corrupt)
    chosen = find_target(model, target)
    a, b = encode(model, [clean, corrupt])
    la, lb = labels(model, a), labels(model, b)
    if len(a) != len(b):
        raise ContextualError(f"the prompts must have the same number of tokens: clean {len(a)} "
                              f"({_listing(la)}), corrupted {len(b)} ({_listing(lb)})")
    layers = resolve_layers(model, "all", component)
    trace = run(model, [a], capture=tuple(dict.fromkeys(("resid", component))))
    src = getattr(trace, component)  # (L+1, 1, T, C) for the residual, (L, 1, T, C) for a sub-block
    clean_out = score(model, trace.resid[model.n_layers, :, len(a) - 1], chosen.id)[0]
    off = 0 if component == "resid" else 1
    T = len(a)
    cells = [(L, t) for L in layers for t in range(T)]
    rows = [[]] + [[Change(component, L, put(t, src[L - off, 0, t]))] for L, t in cells]  # row 0: as it is
    out = sweep(model, b, rows, chosen.id, rows_per_pass=rows_per_pass, progress=progress,
                stage=f"patch {len(cells)} cells")
    corrupt_out, patched = out[0], out[1:]
    gap = clean_out.prob - corrupt_out.prob

    def restoration(p: float) -> float | None:
        return None if abs(gap) < SAME else (p - corrupt_out.prob) / gap

    n = len(layers)
    probs = [[patched[i * T + t].prob for t in range(T)] for i in range(n)]
    ranks = [[patched[i * T + t].rank for t in range(T)] for i in range(n)]
    restored = [[restoration(p) for p in row] for row in probs]
    grid = [PatchCell(layers[i], t, probs[i][t], restored[i][t]) for i in range(n) for t in range(T)]
    sign = 1.0 if gap >= 0 else -1.0  # "brings the answer back": towards the clean probability
    best = max(grid, key=lambda c: sign * c.prob)
    by_pos = [max((c for c in grid if c.position == t), key=lambda c: sign * c.prob) for t in range(T)]
    differ = [t for t in range(T) if a[t] != b[t]]
    what = {"resid": "the residual stream", "attn": "the attention output", "mlp": "the MLP output"}[component]
    method = (f"{what} of the clean run copied into the corrupted run at one layer and one position per run; "
              "the target's probability at the last position; restored = (p - p_corrupt) / (p_clean - p_corrupt)")
    return PatchResult(model.name, clean, corrupt, la, lb, chosen, component, layers, probs, ranks, restored,
                       clean_out.prob, clean_out.rank, corrupt_out.prob, corrupt_out.rank, differ, best, by_pos,
                       method)
