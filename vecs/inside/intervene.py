"""What ablation, patching and steering share: many edited runs of one prompt, batched.

An intervention sweep is a list of **rows**: each row is the prompt run once with its own
changes (switch block 7's MLP off; copy the clean residual at layer 3, position 2; add a vector at
layer 15). :func:`sweep` puts many rows in one forward pass (:func:`vecs.inside.probe.run` over
the prompt repeated, with row-aware :class:`~vecs.inside.probe.Edit` s: an edit changes its own
row and leaves the others as they are), reads the residual of the last layer at the last
position of every row (nothing else is kept), and scores the target token there: its
probability and its rank over the whole vocabulary. Rows are cut into passes of at most
:data:`TOKENS_PER_PASS` tokens, so a sweep over layers takes one pass per batch of layers and
never one per token; a pass of one row gives the same numbers (tests check it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence

from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.lens import Guess
from vecs.inside.probe import Edit, check_layer, run
from vecs.inside.tokens import label
from vecs.progress import ProgressFn, report

TOKENS_PER_PASS = 8192  # rows x tokens read in one forward pass


@dataclass
class Change:
    """One change in one row: ``fn`` gets that row's ``where`` at ``layer`` — ``(T, C)``, or
    ``(T, D)`` for a ``head`` — and returns its replacement."""

    where: str
    layer: int
    fn: Callable
    head: int | None = None


@dataclass
class Outcome:
    """The target at the last position of one row: probability, rank (1 = top guess) and
    log-probability; ``top``: the row's best guesses when asked for."""

    prob: float
    rank: int
    logprob: float
    top: list[Guess]


def resolve_layers(model, spec, where: str) -> list[int]:
    """``spec`` as layers of ``where``: ``None`` or ``all`` -> every one (0..L for the residual,
    1..L for a block's parts); a number (``-1`` = the last) -> that one, checked."""
    lo = 0 if where == "resid" else 1
    n = model.n_layers
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "all"):
        return list(range(lo, n + 1))
    try:
        value = int(str(spec).strip())
    except ValueError:
        raise ContextualError(f"layer must be a number or 'all', not {spec!r}") from None
    if value < 0 and value + n + 1 >= lo:
        value += n + 1
    return [check_layer(model, value, where)]


def check_choice(value: str, choices: Sequence[str], what: str) -> str:
    if value not in choices:
        raise ContextualError(f"unknown {what} {value!r}; choose one of {', '.join(choices)}")
    return value


def row_edits(rows: Sequence[Sequence[Change]]) -> list[Edit]:
    """The changes of every row as one :class:`Edit` per place: each edit changes the rows that
    asked for it, in place of a copy, and keeps the others."""
    groups: dict[tuple, list] = defaultdict(list)
    for r, changes in enumerate(rows):
        for c in changes:
            groups[(c.where, c.layer, c.head)].append((r, c.fn))

    def make(items):
        def fn(x):  # (B, T, C) or (B, T, D)
            x = x.clone()
            for r, f in items:
                x[r] = f(x[r])
            return x
        return fn

    return [Edit(w, layer, make(items), head=h) for (w, layer, h), items in groups.items()]


def last_states(model, ids: Sequence[Sequence[int]], edits: Sequence[Edit] = ()):
    """``(B, C)``: the residual of the last layer at each row's last real position, after
    ``edits`` — one forward pass that keeps nothing else."""
    torch = require_torch()
    kept = {}
    last = [len(r) - 1 for r in ids]

    def grab(x):  # (B, T, C)
        kept["h"] = x[torch.arange(x.shape[0], device=x.device), torch.tensor(last, device=x.device)].float().cpu()
        return x

    run(model, ids, list(edits) + [Edit("resid", model.n_layers, grab)], capture=())
    return kept["h"]


def score(model, h, target_id: int | None, k: int = 0) -> list[Outcome]:
    """Each row of ``h`` ``(B, C)`` read as next-token probabilities: the target's, and the
    ``k`` best guesses."""
    torch = require_torch()
    with torch.inference_mode():
        lp = torch.log_softmax(model.decode(h).float(), -1)  # (B, V)
        out = []
        for row in lp:
            if target_id is None:
                p, rank, t = float("nan"), 0, float("nan")
            else:
                t = float(row[target_id])
                p, rank = float(torch.exp(row[target_id])), int((row > row[target_id]).sum()) + 1
            top = []
            if k:
                vals, idx = row.topk(min(k, int(row.shape[-1])))
                top = [Guess(model.token_text(int(i)), float(torch.exp(v)), int(i), j + 1, label(model, int(i)))
                       for j, (v, i) in enumerate(zip(vals, idx))]
            out.append(Outcome(p, rank, t, top))
    return out


def sweep(model, ids: Sequence[int], rows: Sequence[Sequence[Change]], target_id: int | None, k: int = 0,
          rows_per_pass: int | None = None, progress: ProgressFn | None = None,
          stage: str = "intervene") -> list[Outcome]:
    """Run the prompt ``ids`` once per row of ``rows`` (each a list of :class:`Change`; an empty
    row is the run as it is), as few forward passes as :data:`TOKENS_PER_PASS` allows (or
    ``rows_per_pass`` rows each), and score the target at the last position of each row."""
    per = rows_per_pass or max(1, TOKENS_PER_PASS // max(1, len(ids)))
    out: list[Outcome] = []
    total = len(rows)
    for s in range(0, total, per):
        chunk = rows[s:s + per]
        h = last_states(model, [list(ids)] * len(chunk), row_edits(chunk))
        out.extend(score(model, h, target_id, k))
        report(progress, stage, min(total, s + per), total)
    report(progress, stage, total, total, finished=True)
    return out


# -- the changes ---------------------------------------------------------------------------------
def zero(positions: Sequence[int] | None = None):
    """Zeros at ``positions`` (None: every position)."""
    def fn(x):  # (T, C)
        if positions is None:
            return x.new_zeros(x.shape)
        x = x.clone()
        x[list(positions)] = 0
        return x
    return fn


def mean_over(n: int, positions: Sequence[int] | None = None):
    """The mean over the first ``n`` positions (the prompt's real tokens) put at ``positions``
    (None: every position)."""
    def fn(x):  # (T, C)
        m = x[:n].mean(0, keepdim=True)
        if positions is None:
            return m.expand_as(x).clone()
        x = x.clone()
        x[list(positions)] = m
        return x
    return fn


def put(position: int, vector):
    """The vector at ``position`` replaced by ``vector``."""
    def fn(x):
        x = x.clone()
        x[position] = vector.to(x.device, x.dtype)
        return x
    return fn


def add(position: int, vector):
    """``vector`` added at ``position``."""
    def fn(x):
        x = x.clone()
        x[position] = x[position] + vector.to(x.device, x.dtype)
        return x
    return fn
