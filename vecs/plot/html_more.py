"""Interactive figures (plotly) of the other `vecs plot` commands: the similarity heatmap of
:mod:`vecs.plot.contextual`, the loss curve of :mod:`vecs.plot.loss`, and the ablation bars and
causal-tracing heatmap of :mod:`vecs.plot.intervene`: the same numbers as the images, every cell,
point or bar's values on hover. :func:`vecs.plot.canvas.save` writes them as one self-contained
HTML file (plotly.js inlined, written atomically).

Each ``*_figure`` takes the result the matplotlib figure is drawn from; each ``plot_*_html`` has
the signature and the return of its image twin (``plot_context_similarity``, ``plot_loss``), so
a command picks one by the file name; ``plot_ablate`` and ``plot_patch`` take ``html=True``. plotly is imported
inside the functions only (through :mod:`vecs.plot.html`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.plot.html import _figure, _go, add_note, heatmap_figure

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from vecs.lm.history import LossHistory

TRAIN_COLOUR = "#1f5fa8"  # as vecs.plot.loss
VAL_COLOUR = "#d95f02"
BAR_COLOUR = "#1f5fa8"  # as vecs.plot.intervene
WORST_COLOUR = "#c0392b"


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _ppl(loss: float) -> str:
    p = math.exp(min(loss, 700))
    return f"{p:,.0f}" if p >= 100 else f"{p:,.1f}"


# --------------------------------------------------------------------------------------------
# vecs plot similarity
# --------------------------------------------------------------------------------------------
def similarity_figure(result, layer: int | None = None) -> "Figure":
    """The cosine of the word's vectors between every two sentences at ``layer`` (default: the
    model's default layer when computed, else the first): one heatmap (trace 0), the sentences
    (numbered) on both axes, the first at the top; hover names both sentences and the cosine."""
    from vecs.errors import ContextualError

    if layer is None:
        layer = result.default_layer if result.default_layer in result.layers else result.layers[0]
    if layer not in result.layers:
        raise ContextualError(f"layer {layer} was not computed (have {result.layers})")
    m = np.asarray(result.matrices[result.layers.index(layer)], dtype=float)
    n = len(m)
    off = m[~np.eye(n, dtype=bool)] if n > 1 else m.ravel()
    vmin = float(min(np.floor(off.min() * 10) / 10, 0.9)) if off.size else 0.0
    sents = list(result.sentences)
    labels = [f"{i + 1}: {_short(s, 40)}" for i, s in enumerate(sents)]
    hover = [[f"<b>{m[i, j]:.3f}</b> cosine of {result.word!r}<br>{i + 1}: {_short(sents[i], 90)}<br>"
              f"{j + 1}: {_short(sents[j], 90)}" for j in range(n)] for i in range(n)]
    text = [[f"{v:.2f}" for v in row] for row in m] if n <= 30 else None
    std = ", standardised" if getattr(result, "standardized", False) else ""
    title = f"{result.word!r} across sentences · {result.model} layer {layer}{std}"
    fig = heatmap_figure(m, [str(i + 1) for i in range(n)], labels, title, "Viridis", "cosine", text=text,
                         hover=hover, zmin=vmin, zmax=1.0, xtitle="sentence", reverse_y=True)
    fig.update_layout(width=max(700, 420 + 40 * n), height=max(450, 160 + 36 * n))
    return fig


def plot_context_similarity_html(model: str, word: str, sentences: Sequence[str], layer: str | int | None = None,
                                 standardize: bool = False, progress=None) -> tuple["Figure", int]:
    """:func:`similarity_figure` of ``word`` across ``sentences`` (as
    :func:`vecs.plot.contextual.plot_context_similarity`)."""
    from vecs.contextual.polysemy import context_similarities

    r = context_similarities(model, word, list(sentences), layer=layer, standardize=standardize, progress=progress)
    return similarity_figure(r, r.layers[0]), r.layers[0]


# --------------------------------------------------------------------------------------------
# vecs plot loss
# --------------------------------------------------------------------------------------------
def loss_figure(history: "LossHistory", name: str | None = None) -> "Figure":
    """Two lines over the steps: trace 0 the training loss, trace 1 the validation loss; hovering
    any point shows its step, both losses and the validation perplexity."""
    from vecs.errors import PlotError

    go = _go()
    pts = history.points
    if not pts:
        raise PlotError("the loss history has no points to draw")
    name = name or history.name or "model"
    first, last = pts[0], pts[-1]
    fig = _figure(f"{name}: loss while training, step {first.step:,} → {last.step:,}<br><sup>validation "
                  f"{first.val_loss:.2f} → {last.val_loss:.2f} (perplexity {_ppl(first.val_loss)} → "
                  f"{_ppl(last.val_loss)}), training {first.train_loss:.2f} → {last.train_loss:.2f}</sup>")
    hover = [f"<b>step {p.step:,}</b><br>training {p.train_loss:.4f}<br>validation {p.val_loss:.4f} "
             f"(perplexity {_ppl(p.val_loss)})" for p in pts]
    mode = "lines+markers" if len(pts) <= 60 else "lines"
    for ys, label, colour in ((history.train, "training loss (mean of the batches since the previous point)",
                               TRAIN_COLOUR),
                              (history.val, f"validation loss ({history.val_tokens:,} held-out tokens)",
                               VAL_COLOUR)):
        fig.add_trace(go.Scatter(x=history.steps, y=ys, mode=mode, name=label, hovertext=hover, hoverinfo="text",
                                 line=dict(color=colour, width=2), marker=dict(size=5, color=colour)))
    fig.update_xaxes(title="training step")
    fig.update_yaxes(title="loss (cross-entropy, nats)")
    fig.update_layout(height=550, legend=dict(orientation="h", y=-0.2))
    return fig


def plot_loss_html(model: str) -> "tuple[Figure, LossHistory]":
    """:func:`loss_figure` of one of our trained transformers (as :func:`vecs.plot.loss.plot_loss`)."""
    from vecs.lm.history import load_history

    h = load_history(model)
    return loss_figure(h, h.name), h


# --------------------------------------------------------------------------------------------
# vecs plot ablate / patch
# --------------------------------------------------------------------------------------------
def ablate_figure(result) -> "Figure":
    """One bar per ablation (trace 0, in the order of ``result.rows``): the change of the target's
    log-probability with that part switched off, the most damaging in red; hover shows the part,
    the target's probability and rank with it off, the change and the top guess then."""
    go = _go()
    rows = result.rows
    what = {"mlp": "MLP", "attn": "attention", "head": "head"}[result.component]
    worst = rows.index(result.worst)
    t = result.target.shown
    hover = [f"<b>{what} {a.name}</b> switched off<br>p({t}) {a.prob:.4g} (baseline {result.baseline_prob:.4g})"
             f"<br>rank {a.rank:,} (baseline {result.baseline_rank:,})<br>change in log p {a.change:+.3f} nats"
             + (f"<br>top guess: {a.top}" if a.top else "") for a in rows]
    at = "" if result.positions is None else " at " + ", ".join(result.tokens[p] for p in result.positions)
    w = result.worst
    fig = _figure(f"ablation ({result.mode}{at}): {result.model} · {_short(result.prompt, 50)!r} → {t}<br><sup>"
                  f"baseline p {result.baseline_prob:.3g} (rank {result.baseline_rank:,}); worst: {what} {w.name}, "
                  f"p {w.prob:.3g} (rank {w.rank:,})</sup>")
    fig.add_trace(go.Bar(x=[a.name for a in rows], y=[a.change for a in rows], hovertext=hover, hoverinfo="text",
                         marker=dict(color=[WORST_COLOUR if i == worst else BAR_COLOUR for i in range(len(rows))]),
                         name=f"change in log p({t})"))
    fig.add_hline(y=0, line=dict(color="#555555", width=1))
    fig.update_xaxes(type="category", title="layer.head switched off" if result.component == "head"
                     else f"block whose {what} is switched off")
    fig.update_yaxes(title=f"change in log p({t}) (nats)")
    fig.update_layout(height=550, width=max(700, 200 + 24 * len(rows)))
    if result.target.note:
        add_note(fig, result.target.note)
    return fig


def patch_figure(result, restored: bool = False) -> "Figure":
    """The causal-tracing heatmap (trace 0): rows are layers (the first at the bottom), columns the
    prompt's positions (the clean token, ``clean/corrupt`` where the prompts differ); each cell the
    target's probability with the clean run copied in there, or the normalised restoration with
    ``restored``; hover shows the layer, both tokens, the probability, rank and restoration."""
    layers = list(result.layers)
    nL, T = len(layers), len(result.clean_tokens)
    rest = np.array([[np.nan if x is None else x for x in row] for row in result.restored], dtype=float)
    if restored:
        grid = rest
        lo = min(0.0, float(np.nanmin(grid))) if np.isfinite(grid).any() else 0.0
        zmin = min(lo, -1.0)  # a symmetric range keeps 0 (as corrupted) white
        colour, zmax, bar = "RdBu_r", -zmin, "restored"
    else:
        grid = np.array(result.probs, dtype=float)
        colour, zmin, zmax = "Purples", 0.0, max(float(np.nanmax(grid)), result.clean_prob, 1e-9)
        bar = f"p({result.target.shown})"
    ticks = [c if t not in result.differ else f"{c}/{result.corrupt_tokens[t]}"
             for t, c in enumerate(result.clean_tokens)]
    tgt = result.target.shown
    hover = [[f"<b>layer {layers[i]} · position {t}</b><br>clean {result.clean_tokens[t]!r}, corrupt "
              f"{result.corrupt_tokens[t]!r}<br>p({tgt}) {result.probs[i][t]:.4g} (rank {result.ranks[i][t]:,})"
              f"<br>restored " + ("—" if not np.isfinite(rest[i, t]) else f"{rest[i, t]:+.3f}")
              for t in range(T)] for i in range(nL)]
    text = [["" if not np.isfinite(v) else f"{v:.2f}".replace("-0.00", "0.00") for v in row] for row in grid] \
        if nL * T <= 600 else None
    what = {"resid": "residual", "attn": "attention output", "mlp": "MLP output"}[result.component]
    title = (f"causal tracing: {result.model}, clean {what} copied into the corrupted run<br><sup>"
             f"{_short(result.clean, 40)!r} (p {result.clean_prob:.3g}) vs {_short(result.corrupt, 40)!r} "
             f"(p {result.corrupt_prob:.3g}) → {tgt}</sup>")
    z = [[None if not np.isfinite(v) else float(v) for v in row] for row in grid]
    fig = heatmap_figure(z, [_short(x, 18) for x in ticks], [str(x) for x in layers], title, colour, bar, text=text,
                         hover=hover, zmin=zmin, zmax=zmax, xtitle="position (clean/corrupt where the prompts "
                         "differ)", ytitle="layer")
    if text is None:
        add_note(fig, f"{nL * T} cells: numbers left out (on hover, and in vecs patch)")
    if result.target.note:
        add_note(fig, result.target.note)
    return fig

