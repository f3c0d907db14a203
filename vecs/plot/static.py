"""Figures of static spaces: words on a map, an analogy's arrows, a bias axis."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.errors import PlotError
from vecs.linalg import unit, unit_rows
from vecs.plot import canvas
from vecs.plot.canvas import (ANSWER_COLOUR, LIGHT_COLOUR, WORD_COLOUR, add_label, add_note, arrow,
                              deoverlap, frame, new_figure)
from vecs.plot.maps import HOVER_NEIGHBOURS, MAX_NEIGHBOURS, MAX_POINTS, word_map  # noqa: F401 (re-exported)

NEIGHBOUR_TEXT = "#2f4f75"  # neighbours' labels: lighter than the words' (not bold), but dark enough to read

SIDE_COLOURS = ("#2b6cb0", "#b03a7a")  # words on the negative, the positive side of the bias direction

SIDE_TEXT = ("#1c4a7d", "#7d2656")  # their labels, darker

LABEL_PAD = 4.0  # pixels kept around every label of a map: two labels never read as one

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from vecs.space import Space


def words_plot(space: "Space", words: Sequence[str], method: str = "pca", neighbours: int = 0,
               seed: int = 0, html: bool = False, dims: int = 2) -> "Figure":
    """A 2-D map of ``words`` (PCA, t-SNE or UMAP of their unit vectors: :func:`vecs.plot.maps.word_map`).
    ``neighbours=K`` (at most :data:`MAX_NEIGHBOURS`) adds each word's K nearest neighbours (not
    already shown) in a lighter colour. At most :data:`MAX_POINTS` points; at most
    :data:`~vecs.plot.canvas.MAX_LABELS` are labelled (the words first, then the nearest neighbours
    of each word in turn), with a note (:func:`vecs.plot.canvas.notes`) when some are not.
    ``html``: the interactive plotly figure instead (:func:`vecs.plot.html.words_figure`; ``dims=3``
    for a 3-D map).

    ``ax.collections[0]``: the words; ``[1]``: the neighbours (when any)."""
    if html:
        from vecs.plot.html import words_figure

        return words_figure(word_map(space, words, method, neighbours, seed, dims=dims, hover=HOVER_NEIGHBOURS))
    if dims != 2:
        raise PlotError("a 3-D map is interactive: write it to a .html file")
    wm = word_map(space, words, method, neighbours, seed)
    xy, allw, nw = wm.xy, wm.words, wm.n_words
    n_extra = len(allw) - nw
    fig = new_figure(8, 6.5)
    ax = fig.add_subplot()
    ax.scatter(xy[:nw, 0], xy[:nw, 1], s=28, color=WORD_COLOUR, zorder=3, label="words")
    if n_extra:
        ax.scatter(xy[nw:, 0], xy[nw:, 1], s=14, color=LIGHT_COLOUR, zorder=2, label=f"{neighbours} neighbours each")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title(f"{wm.name}: {nw} words" + (f" + {n_extra} neighbours" if n_extra else "")
                 + f"\n{wm.how}", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    frame(ax, xy)
    fig.tight_layout()
    labelled = wm.priority[:canvas.MAX_LABELS]
    if len(labelled) < len(allw):
        add_note(fig, f"{len(labelled)} of {len(allw):,} points labelled (at most {canvas.MAX_LABELS}: "
                      "the words, then the nearest neighbours first)")
    texts = [add_label(ax, xy[i, 0], xy[i, 1], allw[i], color=WORD_COLOUR if i < nw else NEIGHBOUR_TEXT,
                       fontsize=10 if i < nw else 9, fontweight="bold" if i < nw else "normal") for i in labelled]
    deoverlap(ax, texts, anchors=xy[labelled], avoid=xy, pad=LABEL_PAD)
    return fig


def analogy_plot(space: "Space", a: str, b: str, c: str, d: str | None = None, seed: int = 0,
                 html: bool = False) -> "Figure":
    """The parallelogram ``a : b :: c : d``: the four words (PCA of their unit vectors, fitted on
    the four alone), arrows a→b and c→d (``ax.patches``, gids ``ab`` and ``cd``), dotted sides a→c
    and b→d, and a cross where ``c + (b − a)`` lands. Without ``d`` the model's answer
    (:func:`vecs.static.query.analogy`, inputs excluded) is used and marked as such.

    ``ax.collections[0]``: the four words; ``[1]``: the point ``c + b − a``."""
    from vecs.static.query import analogy

    answer_from_model = d is None
    if d is None:
        res = analogy(space, a, b, c, k=1)
        if not res.results:
            raise PlotError("the model has no answer to show")
        d = res.results[0].word
    words = [a, b, c, d]
    if len(set(words)) < 4:
        raise PlotError(f"the four words must differ, got {' '.join(words)}")
    u = unit_rows(space.vectors[space.rows(words)], dtype=np.float64)
    target = unit(u[1] - u[0] + u[2])
    from sklearn.decomposition import PCA

    p = PCA(n_components=2, random_state=seed).fit(u)
    xy = p.transform(u)
    txy = p.transform(target[None, :])[0]
    # orient: a→b points right, a→c points up (the same picture for the same words)
    if xy[1, 0] < xy[0, 0]:
        xy[:, 0] *= -1
        txy[0] *= -1
    if xy[2, 1] < xy[0, 1]:
        xy[:, 1] *= -1
        txy[1] *= -1
    evr = p.explained_variance_ratio_
    title = f"{a} : {b} :: {c} : {d}" + ("  (the model's answer)" if answer_from_model else "")
    title = (f"{title}\n{space.name or 'model'} · PCA of the four unit vectors · explained "
             f"{evr[0]:.0%} + {evr[1]:.0%}")
    if html:
        from vecs.plot.html import analogy_figure

        return analogy_figure(words, xy, txy, answer_from_model, title, f"{c} + ({b} − {a})")
    fig = new_figure(7, 6)
    ax = fig.add_subplot()
    colours = [WORD_COLOUR, WORD_COLOUR, WORD_COLOUR, ANSWER_COLOUR if answer_from_model else WORD_COLOUR]
    ax.scatter(xy[:, 0], xy[:, 1], s=50, c=colours, zorder=3)
    ax.scatter([txy[0]], [txy[1]], marker="x", s=50, color="0.4", zorder=3, label=f"{c} + ({b} − {a})")
    arrow(ax, xy[0], xy[1], "#2e7d32", "ab")
    arrow(ax, xy[2], xy[3], "#2e7d32", "cd")
    for i, j in ((0, 2), (1, 3)):
        ax.plot(xy[[i, j], 0], xy[[i, j], 1], ls=":", lw=1, color="0.6", zorder=1)
    allxy = np.vstack([xy, txy[None, :]])
    frame(ax, allxy, margin=0.18)
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    labels = [a, b, c, d + (" (model's answer)" if answer_from_model else "")]
    texts = [add_label(ax, x, y, w, fontsize=11, fontweight="bold", color=col)
             for w, (x, y), col in zip(labels, xy, colours)]
    deoverlap(ax, texts, anchors=xy, avoid=allxy)
    return fig


# --------------------------------------------------------------------------------------------
# vecs plot bias
# --------------------------------------------------------------------------------------------
def _bias_axes(space: "Space", words: list[str], d: np.ndarray, seed: int) -> np.ndarray:
    """The y axis: first principal component of the words' unit vectors with ``d`` removed."""
    u = unit_rows(space.vectors[space.rows(words)], dtype=np.float64)
    r = u - np.outer(u @ d, d)
    from sklearn.decomposition import PCA

    p = PCA(n_components=1, random_state=seed).fit(r)
    y = p.components_[0]
    if y[np.argmax(np.abs(y))] < 0:
        y = -y
    return y - (y @ d) * d


def bias_plot(space: "Space", words="professions", against: "Space | None" = None, labels: int = 12,
              seed: int = 0, pairs=None, html: bool = False) -> "Figure":
    """``words`` (a named list, a file or a list) along the bias direction (x: cosine with
    :func:`vecs.bias.direction.direction` of ``space``) and y: the first principal component of the words
    once the direction is removed. The ``labels`` words at each end of x (and any word when there
    are few) are labelled. ``against``: a second panel with the same words in that model (e.g.
    the debiased one), on the same direction and y axis (those of ``space``).

    Axes: ``fig.axes[0]`` (``space``) and ``fig.axes[1]`` (``against``); ``collections[0]`` of
    each: the words."""
    from vecs.bias.direction import direction, projections, words_spec

    dr = direction(space, pairs)
    wanted = words_spec(words)
    pr = projections(space, wanted, dr)
    have = [p.word for p in pr.results]
    if against is not None:
        if against.dim != space.dim:
            raise PlotError(f"{against.name!r} has {against.dim} dimensions and {space.name!r} {space.dim}: "
                            "the same direction cannot be used for both")
        have = [w for w in have if w in against]
        if not have:
            raise PlotError(f"none of the words is in both {space.name!r} and {against.name!r}")
    if len(have) < 2:
        raise PlotError("a bias plot needs at least two words of the list in the model")
    d = np.asarray(dr.vector, dtype=np.float64)
    yvec = _bias_axes(space, have, d, seed)
    panels = [space] + ([against] if against is not None else [])
    fig = new_figure(7.5 * len(panels), 7)
    axes = [fig.add_subplot(1, len(panels), i + 1) for i in range(len(panels))]
    data = []
    for sp in panels:
        u = unit_rows(sp.vectors[sp.rows(have)], dtype=np.float64)
        data.append(np.column_stack([u @ d, u @ yvec]))
    allxy = np.vstack(data)
    order = np.argsort(data[0][:, 0], kind="stable")
    per_end = min(labels, canvas.MAX_LABELS // 2)
    if len(have) <= 2 * per_end:
        chosen = list(range(len(have)))
    else:
        chosen = list(order[:per_end]) + list(order[-per_end:])
        if per_end < labels:
            add_note(fig, f"the {per_end} words at each end labelled (at most {canvas.MAX_LABELS} labels)")
    side = data[0][:, 0] >= 0  # the side each word is on in ``space``
    xlabel = (f"← {dr.negative}     projection on the {dr.positive}–{dr.negative} direction     "
              f"{dr.positive} →")
    titles = [f"{sp.name or 'model'}" + (" (direction and y axis of " + (space.name or "the first model") + ")"
                                         if k else "") + f"\n{len(have)} words · mean |projection| "
              f"{float(np.mean(np.abs(xy[:, 0]))):.3f}" for k, (sp, xy) in enumerate(zip(panels, data))]
    if html:
        from vecs.plot.html import bias_figure

        return bias_figure(have, [(t.replace("\n", "<br>"), xy) for t, xy in zip(titles, data)], side, xlabel,
                           (dr.negative, dr.positive), chosen)
    col = np.where(side, SIDE_COLOURS[1], SIDE_COLOURS[0])
    from matplotlib.lines import Line2D

    for k, (ax, sp, xy) in enumerate(zip(axes, panels, data)):
        ax.scatter(xy[:, 0], xy[:, 1], s=14, c=col, alpha=0.8, zorder=3)
        keys = [Line2D([], [], ls="", marker="o", ms=5, color=SIDE_COLOURS[s_], alpha=0.8,
                       label=f"on the {name} side" + (f" in {space.name or 'the first model'}" if k else ""))
                for s_, name in ((0, dr.negative), (1, dr.positive))]
        ax.axvline(0, color="0.6", lw=0.8, zorder=1)
        frame(ax, allxy, margin=0.1)
        ax.set_xlabel(xlabel, fontsize=9)
        ax.set_ylabel("first principal component of the words, bias direction removed", fontsize=9)
        ax.set_title(titles[k], fontsize=10)
        ax.legend(handles=keys, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=9, frameon=False)
    fig.tight_layout()
    for ax, xy in zip(axes, data):
        # each label on its word's side (left of a word on the negative side): none sits across the zero line
        texts = [add_label(ax, xy[i, 0], xy[i, 1], have[i], fontsize=8, color=SIDE_TEXT[int(side[i])],
                           ha="left" if side[i] else "right", va="center") for i in chosen]
        deoverlap(ax, texts, anchors=xy[chosen], avoid=xy[chosen])
    return fig
