"""The loss curve of one of our trained transformers (``vecs plot loss NAME``): the training and
the validation loss over the steps, from the model's ``history.json`` (:mod:`vecs.lm.history`).

Both losses are cross-entropies in nats (the perplexity is their exponential): the training loss
is the mean of the training batches since the previous point, the validation loss is measured on
the same held-out tokens at every point, so the gap between the lines is what the model learned
by heart. The y axis is linear (the fall from ``ln V`` at the start to the end of the run is the
story, and a linear axis shows its size honestly)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from vecs.errors import PlotError
from vecs.plot.canvas import new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from vecs.lm.history import LossHistory

TRAIN_COLOUR = "#1f5fa8"
VAL_COLOUR = "#d95f02"


def loss_plot(history: "LossHistory", name: str | None = None) -> "Figure":
    """Two lines over the steps: the training loss (``gid="train"``) and the validation loss
    (``gid="val"``), labelled axes, a legend, the first and last figures in the title."""
    pts = history.points
    if not pts:
        raise PlotError("the loss history has no points to draw")
    name = name or history.name or "model"
    fig = new_figure(8, 5)
    ax = fig.add_subplot()
    marker = "o" if len(pts) <= 60 else None
    ax.plot(history.steps, history.train, "-", marker=marker, ms=3, lw=1.6, color=TRAIN_COLOUR, gid="train",
            label="training loss (mean of the batches since the previous point)")
    ax.plot(history.steps, history.val, "-", marker=marker, ms=3, lw=1.6, color=VAL_COLOUR, gid="val",
            label=f"validation loss ({history.val_tokens:,} held-out tokens)")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (cross-entropy, nats)")
    ax.grid(True, color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    first, last = pts[0], pts[-1]
    ax.set_title(f"{name}: loss while training, step {first.step:,} → {last.step:,}\n"
                 f"validation {first.val_loss:.2f} → {last.val_loss:.2f} (perplexity "
                 f"{_ppl(first.val_loss)} → {_ppl(last.val_loss)}), training {first.train_loss:.2f} → "
                 f"{last.train_loss:.2f}", fontsize=10, parse_math=False)
    fig.tight_layout()
    return fig


def _ppl(loss: float) -> str:
    p = math.exp(min(loss, 700))
    return f"{p:,.0f}" if p >= 100 else f"{p:,.1f}"


def plot_loss(model: str) -> "tuple[Figure, LossHistory]":
    """:func:`loss_plot` of one of our trained transformers (a store name or a model folder), and
    the history it drew; a model trained before vecs kept one is one :class:`StoreError` line."""
    from vecs.lm.history import load_history

    h = load_history(model)
    return loss_plot(h, h.name), h
