"""Figures of embedding spaces, returned to the caller (never shown); :func:`save` writes them.

Every function builds a :class:`matplotlib.figure.Figure` on the Agg canvas (no pyplot, no global
state, no display needed) and returns it; matplotlib and scikit-learn are imported inside the
functions. Randomness (t-SNE) comes from ``seed`` only, so a seed gives the same figure.

Projections, and why:

* **words** — PCA (``sklearn.decomposition.PCA``, ``random_state=seed``) or t-SNE of the *unit*
  vectors (cosine geometry, as every query). t-SNE's perplexity must be below the number of points:
  it is ``min(30, (n - 1) / 3)``, at least 1.
* **analogy** — PCA fitted on the four unit vectors alone. Four points of a near-parallelogram lie
  close to a plane, and the two first components of those four points are that plane, so the
  parallelogram is shown as flat as it is (the explained variance is in the title); fitting on
  neighbours too would spend the two axes on the neighbourhood instead. The point ``c + (b − a)``
  (where the arithmetic lands, unit-length vectors) is marked too: the model's answer is the word
  nearest to it.
* **bias** — x: each word's projection (cosine) on the bias direction of :mod:`vecs.bias`
  (Bolukbasi's definitional pairs); y: the first principal component of the words' unit vectors
  *after the bias direction is removed* — the main way the words differ apart from the bias, so
  the two axes are orthogonal and the spread in y is not gender. With ``against`` (a debiased
  model), a second panel shows the same words on the *original* model's direction and y axis, so
  the before/after is read on the same axes.
* **layers** — PCA of the unit vectors of the word at every layer in every sentence (fitted on all
  of them together); one line per sentence, layer by layer.

Labels never pile up: :func:`deoverlap` moves text boxes apart in display coordinates (using each
label's window extent from the renderer) and draws a thin leader line to a label that moved far.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.errors import PlotError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from vecs.space import Space

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
WORD_COLOUR = "#1f5fa8"
LIGHT_COLOUR = "#9bb7d9"
ANSWER_COLOUR = "#c0392b"
GROUP_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                 "#7f7f7f", "#bcbd22"]




# --------------------------------------------------------------------------------------------
# Figures and saving
# --------------------------------------------------------------------------------------------
def _figure(w: float, h: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def save(fig: "Figure", path: str | os.PathLike) -> Path:
    """Write ``fig`` to ``path`` (PNG, SVG or PDF, by suffix) atomically: a temporary sibling with
    the same suffix, then ``os.replace``. Returns the path."""
    path = Path(path).expanduser()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PlotError(f"cannot tell the image format of {str(path)!r}: use a .png, .svg or .pdf file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise PlotError(f"no such folder: {folder}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=folder)
    os.close(fd)
    try:
        meta = {"Software": None} if fmt == "png" else ({"Date": None} if fmt == "svg" else
                                                        {"CreationDate": None, "ModDate": None})
        fig.savefig(tmp, format=fmt, metadata=meta)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; an image is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


# --------------------------------------------------------------------------------------------
# Labels that do not overlap
# --------------------------------------------------------------------------------------------
def _renderer(fig):
    return fig.canvas.get_renderer()


def deoverlap(ax, texts: Sequence, anchors: np.ndarray | None = None, pad: float = 2.0, iterations: int = 400,
              leader: float = 14.0, avoid: np.ndarray | None = None) -> int:
    """Move ``texts`` (matplotlib Text artists of ``ax``) apart until their boxes do not overlap.

    Works in display coordinates: each label's box comes from the renderer's window extent; boxes
    that overlap are pushed apart along the axis of least overlap (half each), labels are kept
    inside the axes, and nothing random is involved (ties break by order). ``anchors`` (data
    coordinates, one per text) are the points the labels belong to: a label that ended more than
    ``leader`` pixels from its point gets a thin grey leader line. ``avoid`` (data coordinates) are
    markers that labels should not cover. Call it after the layout is final (limits, tight_layout).
    Returns the number of overlapping pairs left (0 unless the axes are too small for the labels).
    """
    texts = list(texts)
    if not texts:
        return 0
    fig = ax.figure
    r = _renderer(fig)
    ax.set_autoscale_on(False)
    to_disp = ax.transData.transform
    pos = np.array([to_disp(t.get_position()) for t in texts], dtype=float)  # the text's anchor point
    ext = [t.get_window_extent(r) for t in texts]
    off = np.array([[e.x0, e.y0] for e in ext]) - pos  # box corner relative to the anchor point
    size = np.array([[e.width, e.height] for e in ext]) + 2 * pad
    off -= pad
    start = pos.copy()
    box = ax.get_window_extent(r)
    lo = np.array([box.x0, box.y0])
    hi = np.array([box.x1, box.y1])
    fixed = None
    if avoid is not None and len(avoid):
        fixed = to_disp(np.asarray(avoid, dtype=float))
    n = len(texts)
    order = np.arange(n)

    def clamp(p):
        corner = p + off
        corner = np.minimum(np.maximum(corner, lo), np.maximum(hi - size, lo))
        return corner - off

    pos = clamp(pos)
    left = 0
    for it in range(iterations):
        c0 = pos + off
        c1 = c0 + size
        ox = np.minimum(c1[:, None, 0], c1[None, :, 0]) - np.maximum(c0[:, None, 0], c0[None, :, 0])
        oy = np.minimum(c1[:, None, 1], c1[None, :, 1]) - np.maximum(c0[:, None, 1], c0[None, :, 1])
        hit = (ox > 0) & (oy > 0)
        np.fill_diagonal(hit, False)
        move = np.zeros_like(pos)
        left = int(hit.sum() // 2)
        if left:
            cx = (c0 + c1) / 2
            dx = cx[:, None, 0] - cx[None, :, 0]
            dy = cx[:, None, 1] - cx[None, :, 1]
            tie = np.sign(order[:, None] - order[None, :]).astype(float)  # deterministic direction
            sx = np.where(dx != 0, np.sign(dx), tie)
            sy = np.where(dy != 0, np.sign(dy), tie)
            along_x = ox < oy
            push_x = np.where(hit & along_x, ox / 2 + 0.5, 0.0) * sx
            push_y = np.where(hit & ~along_x, oy / 2 + 0.5, 0.0) * sy
            move[:, 0] += push_x.sum(1)
            move[:, 1] += push_y.sum(1)
        if fixed is not None and it < iterations // 2:  # then labels only: they must not overlap
            c0 = pos + off
            c1 = c0 + size
            m = 3.0  # half a marker
            ox = np.minimum(c1[:, None, 0], fixed[None, :, 0] + m) - np.maximum(c0[:, None, 0], fixed[None, :, 0] - m)
            oy = np.minimum(c1[:, None, 1], fixed[None, :, 1] + m) - np.maximum(c0[:, None, 1], fixed[None, :, 1] - m)
            fh = (ox > 0) & (oy > 0)
            if fh.any():
                cx = (c0 + c1) / 2
                sx = np.where(cx[:, None, 0] >= fixed[None, :, 0], 1.0, -1.0)
                sy = np.where(cx[:, None, 1] >= fixed[None, :, 1], 1.0, -1.0)
                ax_ = ox < oy
                move[:, 0] += (np.where(fh & ax_, ox + 0.5, 0.0) * sx).sum(1)
                move[:, 1] += (np.where(fh & ~ax_, oy + 0.5, 0.0) * sy).sum(1)
        if not move.any():
            break
        pos = clamp(pos + move)
    if left:  # repulsion got stuck (labels against the axes' edges): place the rest greedily
        pos = _spiral(pos, start, off, size, lo, hi)
    inv = ax.transData.inverted().transform
    for t, p in zip(texts, pos):
        t.set_position(tuple(inv(p)))
    if anchors is not None:
        from matplotlib.lines import Line2D

        anchors = np.asarray(anchors, dtype=float)
        adisp = to_disp(anchors)
        for i, (p, a) in enumerate(zip(pos, adisp)):
            c0 = p + off[i] + pad
            c1 = c0 + size[i] - 2 * pad
            near = np.minimum(np.maximum(a, c0), c1)  # nearest point of the box
            if np.hypot(*(near - a)) > leader:
                d = inv(np.vstack([a, near]))
                ax.add_line(Line2D(d[:, 0], d[:, 1], lw=0.5, color="0.55", zorder=1, gid="leader"))
    # final count with the true extents
    return count_overlaps(ax, texts)


def _spiral(pos, start, off, size, lo, hi):
    """Keep the labels that overlap nothing; move each other label, in order, to the first free
    spot on a spiral around its point (inside the axes). Deterministic."""
    n = len(pos)
    c0 = pos + off
    c1 = c0 + size

    def hits(a0, a1, b0, b1):  # (K, 2) candidates against (P, 2) boxes -> (K,) any overlap
        if not len(b0):
            return np.zeros(len(a0), dtype=bool)
        ox = np.minimum(a1[:, None, 0], b1[None, :, 0]) - np.maximum(a0[:, None, 0], b0[None, :, 0])
        oy = np.minimum(a1[:, None, 1], b1[None, :, 1]) - np.maximum(a0[:, None, 1], b0[None, :, 1])
        return ((ox > 0) & (oy > 0)).any(1)

    bad = np.array([hits(c0[i:i + 1], c1[i:i + 1], np.delete(c0, i, 0), np.delete(c1, i, 0))[0] for i in range(n)])
    keep = list(np.flatnonzero(~bad))
    span = float(np.hypot(*(hi - lo)))
    radii = np.arange(0.0, span, 3.0)
    ang = np.arange(36) * (2 * np.pi / 36)
    steps = np.stack([np.outer(radii, np.cos(ang)).ravel(), np.outer(radii, np.sin(ang)).ravel()], 1)
    for i in np.flatnonzero(bad):
        cand = start[i] + steps + off[i]
        cand = np.minimum(np.maximum(cand, lo), np.maximum(hi - size[i], lo))
        pb0, pb1 = c0[keep], c1[keep]
        free = np.flatnonzero(~hits(cand, cand + size[i], pb0, pb1))
        if len(free):
            c0[i] = cand[free[0]]
            c1[i] = c0[i] + size[i]
        keep.append(i)
    return c0 - off


def count_overlaps(ax, texts: Sequence | None = None) -> int:
    """Pairs of labels whose window extents overlap (after a draw)."""
    texts = list(ax.texts if texts is None else texts)
    r = _renderer(ax.figure)
    boxes = [t.get_window_extent(r) for t in texts]
    n = 0
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5:
                n += 1
    return n


def _label(ax, x, y, s, **kw):
    kw.setdefault("fontsize", 9)
    kw.setdefault("ha", "left")
    kw.setdefault("va", "bottom")
    return ax.text(x, y, s, parse_math=False, **kw)


def _frame(ax, xy: np.ndarray, margin: float = 0.12) -> None:
    """Axis limits around the points with room for labels, fixed from now on."""
    lo, hi = xy.min(0), xy.max(0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    ax.set_xlim(lo[0] - margin * span[0], hi[0] + margin * 2.5 * span[0])
    ax.set_ylim(lo[1] - margin * span[1], hi[1] + margin * 1.5 * span[1])
    ax.set_autoscale_on(False)


def _units(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


def _pca2(m: np.ndarray, seed: int = 0) -> tuple[np.ndarray, list[float]]:
    from sklearn.decomposition import PCA

    n_comp = min(2, m.shape[0], m.shape[1])
    p = PCA(n_components=n_comp, random_state=seed)
    xy = p.fit_transform(m)
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((len(xy), 2 - xy.shape[1]))])
    # a fixed sign for each component (largest absolute loading positive): same picture every run
    for j in range(p.components_.shape[0]):
        comp = p.components_[j]
        if comp[np.argmax(np.abs(comp))] < 0:
            xy[:, j] = -xy[:, j]
    return xy, [float(x) for x in p.explained_variance_ratio_]


# --------------------------------------------------------------------------------------------
# vecs plot words
# --------------------------------------------------------------------------------------------
def tsne_perplexity(n: int) -> float:
    """t-SNE's perplexity for ``n`` points: ``min(30, (n - 1) / 3)``, at least 1 (always < n)."""
    return float(max(1.0, min(30.0, (n - 1) / 3)))


def words_plot(space: "Space", words: Sequence[str], method: str = "pca", neighbours: int = 0,
               seed: int = 0) -> "Figure":
    """A 2-D map of ``words`` (PCA or t-SNE of their unit vectors). ``neighbours=K`` adds each
    word's K nearest neighbours (not already shown) in a lighter colour.

    ``ax.collections[0]``: the words; ``[1]``: the neighbours (when any)."""
    from vecs.query import neighbours as nearest

    if method not in ("pca", "tsne"):
        raise PlotError(f"unknown method {method!r}: use pca or tsne")
    words = list(dict.fromkeys(words))
    space.rows(words)  # unknown words raise UnknownWord with suggestions
    extra: list[str] = []
    if neighbours > 0:
        seen = set(words)
        for w in words:
            for r in nearest(space, w, k=neighbours).results:
                if r.word not in seen:
                    seen.add(r.word)
                    extra.append(r.word)
    allw = words + extra
    if len(allw) < 2:
        raise PlotError("a map needs at least two words (or --neighbours)")
    m = _units(space.vectors[space.rows(allw)])
    if method == "pca":
        xy, evr = _pca2(m, seed)
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
    fig = _figure(8, 6.5)
    ax = fig.add_subplot()
    ax.scatter(xy[:nw, 0], xy[:nw, 1], s=28, color=WORD_COLOUR, zorder=3, label="words")
    if extra:
        ax.scatter(xy[nw:, 0], xy[nw:, 1], s=14, color=LIGHT_COLOUR, zorder=2, label=f"{neighbours} neighbours each")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title(f"{space.name or 'model'}: {len(words)} words" + (f" + {len(extra)} neighbours" if extra else "")
                 + f"\n{sub}", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    _frame(ax, xy)
    fig.tight_layout()
    texts = [_label(ax, x, y, w, color=WORD_COLOUR if i < nw else "#6c89ad",
                    fontsize=10 if i < nw else 8, fontweight="bold" if i < nw else "normal")
             for i, (w, (x, y)) in enumerate(zip(allw, xy))]
    deoverlap(ax, texts, anchors=xy, avoid=xy)
    return fig



# --------------------------------------------------------------------------------------------
# vecs plot analogy
# --------------------------------------------------------------------------------------------
def _arrow(ax, p, q, colour, gid, style="-|>", lw=1.6, ls="-"):
    from matplotlib.patches import FancyArrowPatch

    a = FancyArrowPatch(tuple(p), tuple(q), arrowstyle=style, mutation_scale=14, lw=lw, color=colour,
                        linestyle=ls, shrinkA=5, shrinkB=5, zorder=2, gid=gid)
    ax.add_patch(a)
    return a


def analogy_plot(space: "Space", a: str, b: str, c: str, d: str | None = None, seed: int = 0) -> "Figure":
    """The parallelogram ``a : b :: c : d``: the four words (PCA of their unit vectors, fitted on
    the four alone), arrows a→b and c→d (``ax.patches``, gids ``ab`` and ``cd``), dotted sides a→c
    and b→d, and a cross where ``c + (b − a)`` lands. Without ``d`` the model's answer
    (:func:`vecs.query.analogy`, inputs excluded) is used and marked as such.

    ``ax.collections[0]``: the four words; ``[1]``: the point ``c + b − a``."""
    from vecs.query import analogy

    answer_from_model = d is None
    if d is None:
        res = analogy(space, a, b, c, k=1)
        if not res.results:
            raise PlotError("the model has no answer to show")
        d = res.results[0].word
    words = [a, b, c, d]
    if len(set(words)) < 4:
        raise PlotError(f"the four words must differ, got {' '.join(words)}")
    u = _units(space.vectors[space.rows(words)])
    target = u[1] - u[0] + u[2]
    target = target / (np.linalg.norm(target) or 1.0)
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
    fig = _figure(7, 6)
    ax = fig.add_subplot()
    colours = [WORD_COLOUR, WORD_COLOUR, WORD_COLOUR, ANSWER_COLOUR if answer_from_model else WORD_COLOUR]
    ax.scatter(xy[:, 0], xy[:, 1], s=50, c=colours, zorder=3)
    ax.scatter([txy[0]], [txy[1]], marker="x", s=50, color="0.4", zorder=3, label=f"{c} + ({b} − {a})")
    _arrow(ax, xy[0], xy[1], "#2e7d32", "ab")
    _arrow(ax, xy[2], xy[3], "#2e7d32", "cd")
    for i, j in ((0, 2), (1, 3)):
        ax.plot(xy[[i, j], 0], xy[[i, j], 1], ls=":", lw=1, color="0.6", zorder=1)
    allxy = np.vstack([xy, txy[None, :]])
    _frame(ax, allxy, margin=0.18)
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
    texts = [_label(ax, x, y, w, fontsize=11, fontweight="bold", color=col)
             for w, (x, y), col in zip(labels, xy, colours)]
    deoverlap(ax, texts, anchors=xy, avoid=allxy)
    return fig


# --------------------------------------------------------------------------------------------
# vecs plot bias
# --------------------------------------------------------------------------------------------
def _bias_axes(space: "Space", words: list[str], d: np.ndarray, seed: int) -> np.ndarray:
    """The y axis: first principal component of the words' unit vectors with ``d`` removed."""
    u = _units(space.vectors[space.rows(words)])
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
    :func:`vecs.bias.direction` of ``space``) and y: the first principal component of the words
    once the direction is removed. The ``labels`` words at each end of x (and any word when there
    are few) are labelled. ``against``: a second panel with the same words in that model (e.g.
    the debiased one), on the same direction and y axis (those of ``space``).

    Axes: ``fig.axes[0]`` (``space``) and ``fig.axes[1]`` (``against``); ``collections[0]`` of
    each: the words."""
    from vecs.bias import _words_spec, direction, projections

    dr = direction(space, pairs)
    wanted = _words_spec(words)
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
    fig = _figure(7.5 * len(panels), 7)
    axes = [fig.add_subplot(1, len(panels), i + 1) for i in range(len(panels))]
    data = []
    for sp in panels:
        u = _units(sp.vectors[sp.rows(have)])
        data.append(np.column_stack([u @ d, u @ yvec]))
    allxy = np.vstack(data)
    order = np.argsort(data[0][:, 0], kind="stable")
    if len(have) <= 2 * labels:
        chosen = list(range(len(have)))
    else:
        chosen = list(order[:labels]) + list(order[-labels:])
    col = np.where(data[0][:, 0] >= 0, "#b03a7a", "#2b6cb0")  # the side each word is on in ``space``
    for k, (ax, sp, xy) in enumerate(zip(axes, panels, data)):
        ax.scatter(xy[:, 0], xy[:, 1], s=14, c=col, alpha=0.8, zorder=3)
        ax.axvline(0, color="0.6", lw=0.8, zorder=1)
        _frame(ax, allxy, margin=0.1)
        ax.set_xlabel(f"← {dr.negative}     projection on the {dr.positive}–{dr.negative} direction     "
                      f"{dr.positive} →", fontsize=9)
        ax.set_ylabel("first principal component of the words, bias direction removed", fontsize=9)
        mean_abs = float(np.mean(np.abs(xy[:, 0])))
        ax.set_title(f"{sp.name or 'model'}" + (" (direction and y axis of " + (space.name or "the first model")
                                                 + ")" if k else "")
                     + f"\n{len(have)} words · mean |projection| {mean_abs:.3f}", fontsize=10)
    fig.tight_layout()
    for ax, xy in zip(axes, data):
        texts = [_label(ax, xy[i, 0], xy[i, 1], have[i], fontsize=8) for i in chosen]
        deoverlap(ax, texts, anchors=xy[chosen], avoid=xy[chosen])
    return fig


# --------------------------------------------------------------------------------------------
# vecs plot layers
# --------------------------------------------------------------------------------------------
def layers_plot(wv, groups: Sequence[str] | None = None, seed: int = 0, max_labels: int = 12) -> "Figure":
    """How a word's vector moves through the layers: ``wv`` is a
    :class:`vecs.contextual.WordVectors` (several sentences, several layers). PCA of the unit
    vectors of all layers of all sentences together; one line per sentence through its layers
    (``ax.lines``), its points in ``ax.collections[i]``; layer numbers annotated (all of them up to
    ``max_labels`` layers, else evenly spaced ones, first and last always). ``groups`` (one name per
    sentence) colours the sentences by sense group."""
    L, n, C = wv.vectors.shape
    if groups is not None and len(groups) != n:
        raise PlotError(f"{len(groups)} group names for {n} sentences")
    if L < 2:
        raise PlotError("a trajectory needs at least two layers")
    flat = _units(np.asarray(wv.vectors, dtype=np.float64).reshape(L * n, C))
    xy, evr = _pca2(flat, seed)
    xy = xy.reshape(L, n, 2)
    names = list(dict.fromkeys(groups)) if groups is not None else None
    fig = _figure(8.5, 7)
    ax = fig.add_subplot()
    if max_labels >= L:
        shown = list(range(L))
    else:
        shown = sorted(set(np.linspace(0, L - 1, max_labels).round().astype(int).tolist()))
    for i in range(n):
        if names is not None:
            col = GROUP_COLOURS[names.index(groups[i]) % len(GROUP_COLOURS)]
        else:
            col = GROUP_COLOURS[i % len(GROUP_COLOURS)]
        s = wv.sentences[i]
        lab = f"{i + 1}" + (f" [{groups[i]}]" if groups is not None else "") + f": {s if len(s) <= 48 else s[:47] + '…'}"
        ax.plot(xy[:, i, 0], xy[:, i, 1], "-", color=col, lw=1.2, alpha=0.8, zorder=2)
        ax.scatter(xy[:, i, 0], xy[:, i, 1], s=np.linspace(10, 40, L), color=col, zorder=3, label=lab)
    _frame(ax, xy.reshape(-1, 2), margin=0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), fontsize=8, frameon=False, ncol=1)
    ax.set_title(f"{wv.word!r} through the layers of {wv.model} (layer {wv.layers[0]} → {wv.layers[-1]})\n"
                 f"PCA of the unit vectors of every layer and sentence · explained {evr[0]:.0%} + {evr[1]:.0%}",
                 fontsize=10)
    fig.tight_layout()
    texts, anchors = [], []
    for i in range(n):
        for k in shown:
            texts.append(_label(ax, xy[k, i, 0], xy[k, i, 1], str(wv.layers[k]), fontsize=7, color="0.25"))
            anchors.append(xy[k, i])
    deoverlap(ax, texts, anchors=np.array(anchors), avoid=xy.reshape(-1, 2))
    return fig


# --------------------------------------------------------------------------------------------
# vecs plot similarity
# --------------------------------------------------------------------------------------------
def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def similarity_plot(result, layer: int | None = None) -> "Figure":
    """The heatmap of :func:`vecs.polysemy.context_similarities`: the cosine of the word's vectors
    between every two sentences at ``layer`` (default: the model's default layer when computed,
    else the first computed layer), every cell annotated (``ax.texts``), the image in
    ``ax.images[0]``."""
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
    size = max(4.5, 1.2 + 0.75 * n)
    fig = _figure(size + 3.2, size)
    ax = fig.add_subplot()
    im = ax.imshow(m, cmap="viridis", vmin=vmin, vmax=1.0)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="cosine")
    for i in range(n):
        for j in range(n):
            v = m[i, j]
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, parse_math=False,
                    color="black" if (v - vmin) / ((1.0 - vmin) or 1) > 0.6 else "white")
    ticks = [f"{i + 1}: {_short(s)}" for i, s in enumerate(result.sentences)]
    ax.set_xticks(range(n), [str(i + 1) for i in range(n)])
    ax.set_yticks(range(n), ticks, fontsize=8)
    std = ", standardised" if getattr(result, "standardized", False) else ""
    ax.set_title(f"{result.word!r} across sentences · {result.model} layer {layer}{std}", fontsize=10)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# vecs plot lens
# --------------------------------------------------------------------------------------------
def _tok(s: str) -> str:
    r = repr(s)[1:-1]
    return r.replace(" ", "·") if r.strip() == "" else r


def lens_plot(result) -> "Figure":
    """The logit-lens grid of :func:`vecs.contextual.logit_lens`: rows are layers (last at the
    top), columns the prompt's positions; each cell shows the top next-token guess (``ax.texts``)
    and is coloured by its probability (``ax.images[0]``, values in ``[0, 1]``)."""
    layers = list(result.layers)
    T = len(result.tokens)
    P = np.array([[g[0].score if g else 0.0 for g in row] for row in result.guesses], dtype=float)
    words = [[_tok(g[0].word) if g else "" for g in row] for row in result.guesses]
    nL = len(layers)
    w = max(6.0, 1.6 + 1.05 * T)
    h = max(4.0, 1.4 + 0.28 * nL)
    fig = _figure(w + 1.5, h)
    ax = fig.add_subplot()
    im = ax.imshow(P, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto", origin="lower")
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02, label="probability of the top guess")
    fs = 8 if nL <= 16 else 6.5
    for k in range(nL):
        for t in range(T):
            ax.text(t, k, _short(words[k][t], 12), ha="center", va="center", fontsize=fs, parse_math=False,
                    color="white" if P[k, t] > 0.55 else "black")
    ax.set_xticks(range(T), [_short(_tok(x), 14) for x in result.tokens], rotation=30, ha="right", fontsize=8)
    step = 1 if nL <= 16 else 2
    ax.set_yticks(range(0, nL, step), [str(layers[k]) for k in range(0, nL, step)], fontsize=7)
    ax.set_ylabel("layer")
    ax.set_xlabel("position (the token read last)")
    best = result.final[0] if result.final else None
    nxt = f" · next token: {_tok(best.word)!s} ({best.score:.2f})" if best else ""
    ax.set_title(f"logit lens: {result.model} on {_short(result.prompt, 50)!r}{nxt}", fontsize=10)
    fig.tight_layout()
    return fig
