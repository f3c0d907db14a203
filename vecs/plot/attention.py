"""Attention as pictures: one head's weights as a heatmap (queries down, keys across, the prompt's
tokens on both axes), or every head of a layer as small multiples titled ``L.H``."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

import numpy as np

from vecs.plot.canvas import add_note, new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

CMAP = "Blues"
TICKS = 10  # points: token labels of one head
SMALL_TICKS = 7  # points: token labels in the grid of heads
LABEL_CHARS = 12  # a token label cut to this many characters (the last one ~)
MAX_LABELS = 48  # at most this many token labels per axis: a longer prompt labels every n-th
GRID_LABELS = 24  # the grid of heads labels its axes only up to this many tokens


def _abbr(s: str, n: int = LABEL_CHARS) -> str:
    return s if len(s) <= n else s[: n - 1] + "~"


def _ticks(ax, tokens: list[str], size: float, limit: int, x: bool = True, y: bool = True) -> int:
    """Token labels on the axes, every ``step``-th so at most ``limit`` show; returns the step."""
    T = len(tokens)
    step = max(1, math.ceil(T / limit))
    where = list(range(0, T, step))
    names = [_abbr(tokens[i]) for i in where]
    if x:
        ax.set_xticks(where, names, rotation=60, ha="right", rotation_mode="anchor", fontsize=size)
    else:
        ax.set_xticks(where, [""] * len(where))
    if y:
        ax.set_yticks(where, names, fontsize=size)
    else:
        ax.set_yticks(where, [""] * len(where))
    return step


def attention_plot(p, html: bool = False) -> "Figure":
    """The figure of a :class:`vecs.inside.attention.LayerPattern`: one head -> one heatmap
    (``ax.images[0]`` holds its weights, rows = queries, columns = keys), several -> a grid of
    heatmaps titled ``L.H`` with one colour bar. Weights run from 0 (white) to 1."""
    if html:
        from vecs.plot.html import attention_figure

        return attention_figure(p)
    W = np.asarray(p.weights, dtype=float)  # (H', T, T)
    n, T = W.shape[0], W.shape[-1]
    prompt = textwrap.shorten(p.prompt, 90, placeholder=" ~")
    if n == 1:
        side = min(14.0, max(4.0, 0.36 * T))
        fig = new_figure(side + 3.0, side + 2.2)
        ax = fig.add_subplot()
        im = ax.imshow(W[0], cmap=CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
        step = _ticks(ax, p.tokens, TICKS, MAX_LABELS)
        ax.set_xlabel("key: the token looked at", fontsize=TICKS)
        ax.set_ylabel("query: the token looking", fontsize=TICKS)
        ax.set_title(f"{p.model} · head {p.layer}.{p.heads[0]}\n{prompt!r}", fontsize=12)
        bar = fig.colorbar(im, ax=ax, fraction=0.045, pad=0.03)
    else:
        cols = math.ceil(math.sqrt(n))
        rows = math.ceil(n / cols)
        cell = min(4.2, max(2.6, 0.16 * T))
        fig = new_figure(cols * cell + 1.6, rows * cell + 1.4)
        axes = fig.subplots(rows, cols, squeeze=False)
        labelled = T <= GRID_LABELS
        step = 1
        for i, ax in enumerate(axes.flat):
            if i >= n:
                ax.set_axis_off()
                continue
            im = ax.imshow(W[i], cmap=CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
            ax.set_title(f"{p.layer}.{p.heads[i]}", fontsize=11)
            if labelled:
                step = _ticks(ax, p.tokens, SMALL_TICKS, GRID_LABELS, x=i // cols == rows - 1 or i + cols >= n,
                              y=i % cols == 0)
            else:
                ax.set_xticks([])
                ax.set_yticks([])
        fig.suptitle(f"{p.model} · layer {p.layer}, every head (rows: queries, columns: keys)\n{prompt!r}",
                     fontsize=12)
        bar = fig.colorbar(im, ax=axes.ravel().tolist(), fraction=0.025, pad=0.02)
        if not labelled:
            add_note(fig, f"{T} tokens: too many to label in a grid; plot one head (--head) to see them")
    bar.set_label("attention weight", fontsize=TICKS)
    bar.ax.tick_params(labelsize=TICKS)
    if n == 1:
        fig.tight_layout()
    if step > 1:
        add_note(fig, f"{T} tokens: every {step}th labelled")
    return fig


def plot_attention(model, prompt: str, layer=None, head: int | None = None, progress=None, html: bool = False):
    """``(figure, pattern)``: :func:`attention_plot` of block ``layer`` of ``model`` reading
    ``prompt`` (one ``head``, or all), and the :class:`~vecs.inside.attention.LayerPattern` drawn."""
    from vecs.inside.attention import layer_pattern

    p = layer_pattern(model, prompt, layer, head=head, progress=progress)
    return attention_plot(p, html=html), p
