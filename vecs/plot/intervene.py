"""Figures of interventions: the ablation bars (``vecs plot ablate``) and the causal-tracing heatmap
(``vecs plot patch``). Figures are returned, never shown; the numbers drawn are the result's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vecs.plot.canvas import add_note, new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

BAR_COLOUR = "#1f5fa8"
WORST_COLOUR = "#c0392b"
MAX_TICKS = 40  # bar labels shown at most (evenly spaced beyond)
MAX_ANNOTATED = 600  # heatmap cells annotated with their number up to this many


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def ablate_plot(result) -> "Figure":
    """One bar per ablation (``ax.patches`` in the order of ``result.rows``): the change of the
    target's log-probability when that part is switched off; the most damaging bar in red."""
    rows = result.rows
    names = [a.name for a in rows]
    change = np.array([a.change for a in rows], dtype=float)
    fig = new_figure(max(7.0, 1.5 + 0.22 * len(rows)), 4.8)
    ax = fig.add_subplot()
    worst = rows.index(result.worst)
    colours = [WORST_COLOUR if i == worst else BAR_COLOUR for i in range(len(rows))]
    ax.bar(np.arange(len(rows)), change, color=colours, width=0.8)
    ax.axhline(0.0, color="0.3", lw=0.8)
    every = max(1, -(-len(rows) // MAX_TICKS))
    ax.set_xticks(range(0, len(rows), every), names[::every], fontsize=8, rotation=90 if every > 1 or
                  result.component == "head" else 0)
    what = {"mlp": "MLP", "attn": "attention", "head": "head"}[result.component]
    ax.set_xlabel("layer.head switched off" if result.component == "head" else f"block whose {what} is switched off")
    ax.set_ylabel(f"change in log p({result.target.shown}) (nats)")
    w = result.worst
    at = "" if result.positions is None else " at " + ", ".join(result.tokens[p] for p in result.positions)
    ax.set_title(f"ablation ({result.mode}{at}): {result.model} · {_short(result.prompt, 50)!r} → "
                 f"{result.target.shown}\n"
                 f"baseline p {result.baseline_prob:.3g} (rank {result.baseline_rank:,}); worst: {what} {w.name}, "
                 f"p {w.prob:.3g} (rank {w.rank:,})", fontsize=10, parse_math=False)
    ax.grid(True, axis="y", color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    if result.target.note:
        add_note(fig, result.target.note)
    fig.tight_layout()
    return fig


def patch_plot(result, restored: bool = False) -> "Figure":
    """The causal-tracing heatmap: rows are layers (the first at the bottom), columns the prompt's
    positions (labelled with the clean token, ``clean/corrupt`` where the prompts differ); each
    cell the target's probability with the clean run copied in there (``ax.images[0]``), or the
    normalised restoration with ``restored``; numbers in the cells (``ax.texts``) when they fit."""
    layers = list(result.layers)
    T = len(result.clean_tokens)
    if restored:
        grid = np.array([[np.nan if x is None else x for x in row] for row in result.restored], dtype=float)
        lo = min(0.0, float(np.nanmin(grid))) if np.isfinite(grid).any() else 0.0
        vmin = min(lo, -1.0)  # a symmetric range keeps 0 (as corrupted) white
        cmap, vmax, label = "RdBu_r", -vmin, "restored: (p − p_corrupt) / (p_clean − p_corrupt)"
    else:
        grid = np.array(result.probs, dtype=float)
        cmap, vmin, vmax = "Purples", 0.0, max(float(np.nanmax(grid)), result.clean_prob, 1e-9)
        label = f"p({result.target.shown}) at the last position"
    nL = len(layers)
    fig = new_figure(max(6.0, 2.5 + 0.9 * T), max(4.0, 1.6 + 0.26 * nL))
    ax = fig.add_subplot()
    im = ax.imshow(grid, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", origin="lower", interpolation="nearest")
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label=label)
    ticks = [c if t not in result.differ else f"{c}/{result.corrupt_tokens[t]}"
             for t, c in enumerate(result.clean_tokens)]
    ax.set_xticks(range(T), [_short(x, 18) for x in ticks], rotation=30, ha="right", fontsize=8)
    step = 1 if nL <= 20 else 2
    ax.set_yticks(range(0, nL, step), [str(layers[i]) for i in range(0, nL, step)], fontsize=7)
    for t in result.differ:
        ax.get_xticklabels()[t].set_color(WORST_COLOUR)
    if nL * T <= MAX_ANNOTATED:
        fs = 7 if nL <= 20 else 5.5
        for i in range(nL):
            for t in range(T):
                v = grid[i, t]
                if np.isfinite(v):
                    dark = (v - vmin) / ((vmax - vmin) or 1.0) > 0.6 if not restored else abs(v) > 0.6
                    ax.text(t, i, f"{v:.2f}".replace("-0.00", "0.00"), ha="center", va="center", fontsize=fs,
                            color="white" if dark else "black")
    else:
        add_note(fig, f"{nL * T} cells: numbers left out (see vecs patch for them)")
    what = {"resid": "residual", "attn": "attention output", "mlp": "MLP output"}[result.component]
    ax.set_ylabel("layer")
    ax.set_xlabel("position (red: where the prompts differ)")
    ax.set_title(f"causal tracing: {result.model}, clean {what} copied into the corrupted run\n"
                 f"{_short(result.clean, 40)!r} (p {result.clean_prob:.3g}) vs {_short(result.corrupt, 40)!r} "
                 f"(p {result.corrupt_prob:.3g}) → {result.target.shown}", fontsize=10, parse_math=False)
    if result.target.note:
        add_note(fig, result.target.note)
    fig.tight_layout()
    return fig


def plot_ablate(model, prompt: str, target: str, component: str = "mlp", layer="all", mode: str = "zero",
                position=None, progress=None, html: bool = False) -> "tuple[Figure, object]":
    """:func:`ablate_plot` of :func:`vecs.inside.ablate.ablate` (``html``: the interactive
    :func:`vecs.plot.html_more.ablate_figure`); returns the figure and the result."""
    from vecs.inside.ablate import ablate

    r = ablate(model, prompt, target, component=component, layer=layer, mode=mode, position=position,
               progress=progress)
    if html:
        from vecs.plot.html_more import ablate_figure

        return ablate_figure(r), r
    return ablate_plot(r), r


def plot_patch(model, clean: str, corrupt: str, target: str, component: str = "resid", restored: bool = False,
               progress=None, html: bool = False) -> "tuple[Figure, object]":
    """:func:`patch_plot` of :func:`vecs.inside.patch.patch` (``html``: the interactive
    :func:`vecs.plot.html_more.patch_figure`); returns the figure and the result."""
    from vecs.inside.patch import patch

    r = patch(model, clean, corrupt, target, component=component, progress=progress)
    if html:
        from vecs.plot.html_more import patch_figure

        return patch_figure(r, restored=restored), r
    return patch_plot(r, restored=restored), r
