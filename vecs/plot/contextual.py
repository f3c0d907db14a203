"""Figures of contextual models: occurrences by layer, similarity across layers (the logit lens is in
:mod:`vecs.plot.lens`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.errors import PlotError
from vecs.linalg import unit_rows
from vecs.plot import canvas
from vecs.plot.canvas import GROUP_COLOURS, add_label, add_note, deoverlap, frame, new_figure, pca2

MAX_LEGEND = 20  # sentences named in a trajectory plot's legend

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]  # the sentences of one sense group: marker...

DASHES = ["-", "--", ":", "-."]  # ... and line style (the colour is the group's)

SAME_SPOT = 18.0  # pixels: a layer's points closer than this share one layer number

MAX_CELLS = 30  # a similarity heatmap annotates its cells up to this many sentences

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


# --------------------------------------------------------------------------------------------
# vecs plot layers
# --------------------------------------------------------------------------------------------
def layers_plot(wv, groups: Sequence[str] | None = None, seed: int = 0, max_labels: int = 12,
                html: bool = False) -> "Figure":
    """How a word's vector moves through the layers: ``wv`` is a
    :class:`vecs.contextual.extract.WordVectors` (several sentences, several layers). PCA of the unit
    vectors of all layers of all sentences together; one line per sentence through its layers
    (``ax.lines``), its points in ``ax.collections[i]``; layer numbers annotated (all of them up to
    ``max_labels`` layers, else evenly spaced ones, first and last always). ``groups`` (one name per
    sentence) colours the sentences by sense group. The legend names at most :data:`MAX_LEGEND`
    sentences and at most :data:`~vecs.plot.canvas.MAX_LABELS` points get a layer number (notes say
    when there are more)."""
    L, n, C = wv.vectors.shape
    if groups is not None and len(groups) != n:
        raise PlotError(f"{len(groups)} group names for {n} sentences")
    if L < 2:
        raise PlotError("a trajectory needs at least two layers")
    flat = unit_rows(np.asarray(wv.vectors, dtype=np.float64).reshape(L * n, C), dtype=np.float64)
    xy, evr = pca2(flat, seed)
    xy = xy.reshape(L, n, 2)
    names = list(dict.fromkeys(groups)) if groups is not None else None
    title = (f"{wv.word!r} through the layers of {wv.model} (layer {wv.layers[0]} → {wv.layers[-1]})\n"
             f"PCA of the unit vectors of every layer and sentence · explained {evr[0]:.0%} + {evr[1]:.0%}")
    if html:
        from vecs.plot.html import layers_figure

        return layers_figure(xy, list(wv.layers), list(wv.sentences), groups, title)
    fig = new_figure(8.5, 7)
    ax = fig.add_subplot()
    if max_labels >= L:
        shown = list(range(L))
    else:
        shown = sorted(set(np.linspace(0, L - 1, max_labels).round().astype(int).tolist()))
    within: dict = {}
    for i in range(n):
        g = groups[i] if groups is not None else i
        j = within[g] = within.get(g, -1) + 1  # the sentence's place in its group: its marker and dashes
        col = GROUP_COLOURS[(names.index(g) if names is not None else i) % len(GROUP_COLOURS)]
        s = wv.sentences[i]
        lab = f"{i + 1}" + (f" [{groups[i]}]" if groups is not None else "") + f": {s if len(s) <= 48 else s[:47] + '…'}"
        lab = lab if i < MAX_LEGEND else None
        ax.plot(xy[:, i, 0], xy[:, i, 1], color=col, lw=1.3, alpha=0.85, zorder=2, ls=DASHES[j % len(DASHES)],
                marker=MARKERS[j % len(MARKERS)], ms=5, label=lab)
        ax.scatter(xy[:, i, 0], xy[:, i, 1], s=np.linspace(10, 40, L), color=col, zorder=3,
                   marker=MARKERS[j % len(MARKERS)])
    frame(ax, xy.reshape(-1, 2), margin=0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), fontsize=8, frameon=False, ncol=1)
    ax.set_title(title, fontsize=10)
    if n > MAX_LEGEND:
        add_note(fig, f"the legend names the first {MAX_LEGEND} of {n} sentences")
    fig.tight_layout()
    texts, anchors = [], []
    todisp = ax.transData.transform
    for k in shown:  # one number for the points of a layer that lie together (they read as one step)
        disp = todisp(xy[k])
        left = list(range(n))
        while left and len(texts) < canvas.MAX_LABELS:
            near = [i for i in left if np.hypot(*(disp[i] - disp[left[0]])) < SAME_SPOT]
            left = [i for i in left if i not in near]
            at = xy[k, near].mean(0)
            texts.append(add_label(ax, at[0], at[1], str(wv.layers[k]), fontsize=8, color="0.15"))
            anchors.append(at)
    if len(texts) >= canvas.MAX_LABELS:
        add_note(fig, f"layer numbers on the first {len(texts)} of {n * len(shown)} points "
                      f"(at most {canvas.MAX_LABELS})")
    deoverlap(ax, texts, anchors=np.array(anchors), avoid=xy.reshape(-1, 2))
    return fig


# --------------------------------------------------------------------------------------------
# vecs plot similarity
# --------------------------------------------------------------------------------------------
def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def similarity_plot(result, layer: int | None = None) -> "Figure":
    """The heatmap of :func:`vecs.contextual.polysemy.context_similarities`: the cosine of the word's vectors
    between every two sentences at ``layer`` (default: the model's default layer when computed,
    else the first computed layer), every cell annotated (``ax.texts``), the image in
    ``ax.images[0]``. Beyond :data:`MAX_CELLS` sentences the cells are not annotated and the figure
    stops growing (a note says so)."""
    from vecs.errors import ContextualError

    if layer is None:
        layer = result.default_layer if result.default_layer in result.layers else result.layers[0]
    if layer not in result.layers:
        raise ContextualError(f"layer {layer} was not computed (have {result.layers})")
    m = np.asarray(result.matrices[result.layers.index(layer)], dtype=float)
    n = len(m)
    off = m[~np.eye(n, dtype=bool)] if n > 1 else m.ravel()
    # colour range: from the lowest cosine (rounded down to 0.1) to 1, so differences show
    vmin = float(min(np.floor(off.min() * 10) / 10, 0.9)) if off.size else 0.0
    size = min(max(4.5, 1.2 + 0.75 * n), 24.0)  # inches: a large n gets small cells, not a huge image
    fig = new_figure(size + 3.2, size)
    ax = fig.add_subplot()
    im = ax.imshow(m, cmap="viridis", vmin=vmin, vmax=1.0)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="cosine")
    for i in range(n if n <= MAX_CELLS else 0):
        for j in range(n):
            v = m[i, j]
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, parse_math=False,
                    color="black" if (v - vmin) / ((1.0 - vmin) or 1) > 0.6 else "white")
    ticks = [f"{i + 1}: {_short(s)}" for i, s in enumerate(result.sentences)]
    every = max(1, -(-n // 60))  # at most 60 tick labels
    ax.set_xticks(range(0, n, every), [str(i + 1) for i in range(0, n, every)])
    ax.set_yticks(range(0, n, every), ticks[::every], fontsize=8)
    if n > MAX_CELLS:
        add_note(fig, f"{n} sentences: cells annotated up to {MAX_CELLS}")
    std = ", standardised" if getattr(result, "standardized", False) else ""
    ax.set_title(f"{result.word!r} across sentences · {result.model} layer {layer}{std}", fontsize=10)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# From a model to a figure: one call per `vecs plot` command
# --------------------------------------------------------------------------------------------
def plot_word_layers(model: str, word: str, sentences: Sequence[str], groups: Sequence[str] | None = None,
                     seed: int = 0, progress=None, html: bool = False) -> "Figure":
    """:func:`layers_plot` of ``word`` in ``sentences`` (every layer of ``model``; ``html``: the
    interactive figure)."""
    from vecs.contextual.extract import word_vectors
    from vecs.errors import ContextualError

    if not sentences:
        raise ContextualError("no sentences given")
    wv = word_vectors(model, list(sentences), word, layer="all", progress=progress)
    return layers_plot(wv, groups=groups, seed=seed, html=html)


def plot_context_similarity(model: str, word: str, sentences: Sequence[str], layer: str | int | None = None,
                            standardize: bool = False, progress=None) -> tuple["Figure", int]:
    """:func:`similarity_plot` of ``word`` across ``sentences`` at ``layer`` (default: the
    model's default layer); returns the figure and the layer drawn."""
    from vecs.contextual.polysemy import context_similarities

    r = context_similarities(model, word, list(sentences), layer=layer, standardize=standardize, progress=progress)
    return similarity_plot(r, r.layers[0]), r.layers[0]
