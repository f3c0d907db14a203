"""Figures of static spaces: words on a map, an analogy's arrows, a bias axis."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.errors import PlotError
from vecs.linalg import unit, unit_rows
from vecs.plot import canvas
from vecs.plot.canvas import (ANSWER_COLOUR, LIGHT_COLOUR, WORD_COLOUR, add_label, add_note, arrow,
                              deoverlap, frame, new_figure, pca2, tsne_perplexity)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from vecs.space import Space


MAX_NEIGHBOURS = 100  # neighbours per word on a map

MAX_POINTS = 5000  # points on a map (words and neighbours)


def words_plot(space: "Space", words: Sequence[str], method: str = "pca", neighbours: int = 0,
               seed: int = 0) -> "Figure":
    """A 2-D map of ``words`` (PCA or t-SNE of their unit vectors). ``neighbours=K`` (at most
    :data:`MAX_NEIGHBOURS`) adds each word's K nearest neighbours (not already shown) in a lighter
    colour. At most :data:`MAX_POINTS` points; at most :data:`~vecs.plot.canvas.MAX_LABELS` are
    labelled (the words first, then the nearest neighbours of each word in turn), with a note
    (:func:`vecs.plot.canvas.notes`) when some are not.

    ``ax.collections[0]``: the words; ``[1]``: the neighbours (when any)."""
    from vecs.static.query import neighbours as nearest

    if method not in ("pca", "tsne"):
        raise PlotError(f"unknown method {method!r}: use pca or tsne")
    if neighbours > MAX_NEIGHBOURS:
        raise PlotError(f"at most {MAX_NEIGHBOURS} neighbours per word on a map, got {neighbours}")
    words = list(dict.fromkeys(words))
    if len(words) * (1 + max(0, neighbours)) > MAX_POINTS:
        raise PlotError(f"{len(words):,} words" + (f" with {neighbours} neighbours each" if neighbours > 0 else "")
                        + f" make more than {MAX_POINTS:,} points: too many for one map")
    space.rows(words)  # unknown words raise UnknownWord with suggestions
    extra: list[str] = []
    priority: list[tuple[int, int]] = []  # (neighbour rank, word) of each extra: the label order
    if neighbours > 0:
        seen = set(words)
        for i, w in enumerate(words):
            for r in nearest(space, w, k=neighbours).results:
                if r.word not in seen:
                    seen.add(r.word)
                    extra.append(r.word)
                    priority.append((r.rank, i))
    allw = words + extra
    if len(allw) < 2:
        raise PlotError("a map needs at least two words (or --neighbours)")
    m = unit_rows(space.vectors[space.rows(allw)], dtype=np.float64)
    if method == "pca":
        xy, evr = pca2(m, seed)
        sub = f"PCA of unit vectors · explained variance {evr[0]:.0%} + {evr[1] if len(evr) > 1 else 0:.0%}"
    else:
        if len(allw) < 3:
            raise PlotError("t-SNE needs at least three words")
        from sklearn.manifold import TSNE

        perp = tsne_perplexity(len(allw))
        how = "exact" if len(allw) <= 300 else "barnes_hut"  # exact: small maps, no thread pool, no approximation
        xy = TSNE(n_components=2, perplexity=perp, random_state=seed, init="pca", metric="cosine",
                  method=how).fit_transform(m)
        sub = f"t-SNE (cosine, perplexity {perp:.3g}, seed {seed})"
    nw = len(words)
    fig = new_figure(8, 6.5)
    ax = fig.add_subplot()
    ax.scatter(xy[:nw, 0], xy[:nw, 1], s=28, color=WORD_COLOUR, zorder=3, label="words")
    if extra:
        ax.scatter(xy[nw:, 0], xy[nw:, 1], s=14, color=LIGHT_COLOUR, zorder=2, label=f"{neighbours} neighbours each")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title(f"{space.name or 'model'}: {len(words)} words" + (f" + {len(extra)} neighbours" if extra else "")
                 + f"\n{sub}", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    frame(ax, xy)
    fig.tight_layout()
    order = list(range(nw)) + [nw + j for j in sorted(range(len(extra)), key=lambda j: priority[j])]
    labelled = order[:canvas.MAX_LABELS]
    if len(labelled) < len(allw):
        add_note(fig, f"{len(labelled)} of {len(allw):,} points labelled (at most {canvas.MAX_LABELS}: "
                      "the words, then the nearest neighbours first)")
    texts = [add_label(ax, xy[i, 0], xy[i, 1], allw[i], color=WORD_COLOUR if i < nw else "#6c89ad",
                       fontsize=10 if i < nw else 8, fontweight="bold" if i < nw else "normal") for i in labelled]
    deoverlap(ax, texts, anchors=xy[labelled], avoid=xy)
    return fig


def analogy_plot(space: "Space", a: str, b: str, c: str, d: str | None = None, seed: int = 0) -> "Figure":
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
    title = f"{a} : {b} :: {c} : {d}" + ("  (the model's answer)" if answer_from_model else "")
    ax.set_title(f"{title}\n{space.name or 'model'} · PCA of the four unit vectors · explained "
                 f"{evr[0]:.0%} + {evr[1]:.0%}", fontsize=10)
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
              seed: int = 0, pairs=None) -> "Figure":
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
    col = np.where(data[0][:, 0] >= 0, "#b03a7a", "#2b6cb0")  # the side each word is on in ``space``
    for k, (ax, sp, xy) in enumerate(zip(axes, panels, data)):
        ax.scatter(xy[:, 0], xy[:, 1], s=14, c=col, alpha=0.8, zorder=3)
        ax.axvline(0, color="0.6", lw=0.8, zorder=1)
        frame(ax, allxy, margin=0.1)
        ax.set_xlabel(f"← {dr.negative}     projection on the {dr.positive}–{dr.negative} direction     "
                      f"{dr.positive} →", fontsize=9)
        ax.set_ylabel("first principal component of the words, bias direction removed", fontsize=9)
        mean_abs = float(np.mean(np.abs(xy[:, 0])))
        ax.set_title(f"{sp.name or 'model'}" + (" (direction and y axis of " + (space.name or "the first model")
                                                 + ")" if k else "")
                     + f"\n{len(have)} words · mean |projection| {mean_abs:.3f}", fontsize=10)
    fig.tight_layout()
    for ax, xy in zip(axes, data):
        texts = [add_label(ax, xy[i, 0], xy[i, 1], have[i], fontsize=8) for i in chosen]
        deoverlap(ax, texts, anchors=xy[chosen], avoid=xy[chosen])
    return fig
