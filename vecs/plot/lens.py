"""The logit lens as a picture: every position x layer, the top guess in each cell (the grid of the
explainers' video), coloured by its probability, or by a target's rank when one is followed."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from vecs.plot.canvas import add_note, new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

MAX_POSITIONS = 48  # positions (tokens) drawn: a longer prompt shows its last ones
FONT = 9.5  # points, at the saved size: cell texts
TICKS = 10  # points: axis labels
CELL_W = 0.85  # inches per position
CELL_H = 0.26  # inches per layer, one line per cell
CELL_H_TARGET = 0.4  # two lines: the guess and the target's rank
GUESS_CHARS = 8  # a guess cut to this many characters (the last one ~)


def _abbr(s: str, n: int = GUESS_CHARS) -> str:
    return s if len(s) <= n else s[: n - 1] + "~"


def _layer_step(n: int) -> int:
    """Label every layer up to 16 layers, every 2nd up to 40, else every 5th."""
    return 1 if n <= 16 else 2 if n <= 40 else 5


def lens_plot(result, html: bool = False) -> "Figure":
    """The grid of :func:`vecs.inside.lens.logit_lens`: rows are layers (layer 0 at the bottom),
    columns the prompt's positions (at most :data:`MAX_POSITIONS`, the last ones, with a note).
    Each cell's text is its top guess (``ax.texts``, shown text cut to :data:`GUESS_CHARS`); the
    image (``ax.images[0]``) holds the top guess's probability, or, when the result follows a
    target, ``log10`` of the target's rank, with the rank written under the guess (``#12``).
    The figure grows with the positions and layers so that every text is :data:`FONT` points.
    ``html``: the interactive figure (:func:`vecs.plot.html.lens_figure`)."""
    tracks = list(getattr(result, "tracks", []) or [])
    cols = list(result.positions)
    first = max(0, len(cols) - MAX_POSITIONS)
    if html:
        from vecs.plot.html import lens_figure

        return lens_figure(result, 0)
    cols, tracks = cols[first:], tracks[first:]
    T, nL = len(cols), len(result.layers)
    guesses = [[cell[0] if cell else None for cell in row[first:]] for row in result.guesses]  # (nL, T)
    if tracks:
        R = np.array([[tr.ranks[k] for tr in tracks] for k in range(nL)], dtype=float)
        Z = np.log10(R)
        vmax = float(np.log10(max(getattr(result, "vocab", 0) or 0, R.max(), 10)))
        cmap, label = "viridis_r", f"rank of {result.target.shown} (log scale, 1 = the top guess)"
    else:
        Z = np.array([[g.score if g else 0.0 for g in row] for row in guesses], dtype=float)
        vmax, cmap, label = 1.0, "Blues", "probability of the top guess"
    cell_h = CELL_H_TARGET if tracks else CELL_H
    fig = new_figure(2.6 + CELL_W * T + 1.6, 2.4 + cell_h * nL)
    ax = fig.add_subplot()
    im = ax.imshow(Z, cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto", origin="lower", interpolation="nearest")
    bar = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(label, fontsize=TICKS)
    bar.ax.tick_params(labelsize=TICKS)
    if tracks:
        ticks = list(range(int(vmax) + 1))
        bar.set_ticks(ticks, labels=[f"{10 ** t:,}" for t in ticks])
    for k in range(nL):
        for t in range(T):
            g = guesses[k][t]
            text = _abbr(g.shown or g.word) if g else ""
            if tracks:
                text += f"\n#{tracks[t].ranks[k]}"
            dark = Z[k, t] / vmax > (0.45 if tracks else 0.55)  # viridis_r: rank 1 bright, far ranks dark
            ax.text(t, k, text, ha="center", va="center", fontsize=FONT, parse_math=False, linespacing=1.0,
                    color="white" if dark else "black")
    tokens = [result.tokens[p] for p in cols]
    ax.set_xticks(range(T), tokens, rotation=35, ha="right", rotation_mode="anchor", fontsize=TICKS)
    top = ax.secondary_xaxis("top")
    top.set_xticks(range(T), [str(p) for p in cols], fontsize=TICKS)
    top.set_xlabel("position", fontsize=TICKS)
    step = _layer_step(nL)
    shown = sorted(set(range(0, nL, step)) | {nL - 1})
    ax.set_yticks(shown, [str(result.layers[k]) for k in shown], fontsize=TICKS)
    ax.set_ylabel("layer", fontsize=TICKS)
    ax.set_xlabel("the token read last (each cell: the guess for the next one)", fontsize=TICKS)
    best = result.final[0] if result.final else None
    nxt = f"; next token: {best.shown or best.word} ({best.score:.2f})" if best else ""
    what = f", rank of {result.target.shown}" if tracks else ""
    prompt = textwrap.shorten(result.prompt, 90, placeholder=" ~")
    ax.set_title(f"logit lens: {result.model}{what}{nxt}\n{prompt!r}", fontsize=11)
    if first:
        add_note(fig, f"the last {T} of {len(result.positions)} positions")
    fig.tight_layout()
    return fig


def plot_logit_lens(model: str, prompt: str, target: str | None = None, progress=None,
                    html: bool = False) -> "Figure":
    """:func:`lens_plot` of ``model`` reading ``prompt`` (every position's top guess per layer;
    ``target``'s rank when given; a target of several tokens follows the first, with a note)."""
    from vecs.inside.lens import logit_lens

    r = logit_lens(model, prompt, k=1, target=target, progress=progress)
    fig = lens_plot(r, html=html)
    if r.target is not None and r.target.note:
        if html:
            from vecs.plot.html import add_note as note

            note(fig, r.target.note)
        else:
            add_note(fig, r.target.note)
    return fig
