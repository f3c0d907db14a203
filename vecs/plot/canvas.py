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
* **bias** — x: each word's projection (cosine) on the bias direction of :mod:`vecs.bias.direction`
  (Bolukbasi's definitional pairs); y: the first principal component of the words' unit vectors
  *after the bias direction is removed* — the main way the words differ apart from the bias, so
  the two axes are orthogonal and the spread in y is not gender. With ``against`` (a debiased
  model), a second panel shows the same words on the *original* model's direction and y axis, so
  the before/after is read on the same axes.
* **layers** — PCA of the unit vectors of the word at every layer in every sentence (fitted on all
  of them together); one line per sentence, layer by layer.

Labels in Chinese (any script without spaces) are drawn in a CJK font (:mod:`vecs.plot.fonts`,
:func:`cjk_fonts`), registered with matplotlib at plot time.

Labels never pile up: :func:`deoverlap` moves text boxes apart in display coordinates (using each
label's window extent from the renderer) and draws a thin leader line to a label that moved far.
Its cost grows with the square of the number of labels, so a figure labels at most
:data:`MAX_LABELS` points (the most important first); the others are drawn unlabelled and a note
says so (:func:`add_note`, read back with :func:`notes`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.errors import PlotError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".html": "html"}

WORD_COLOUR = "#1f5fa8"

LIGHT_COLOUR = "#9bb7d9"

ANSWER_COLOUR = "#c0392b"

MAX_LABELS = 150  # labels de-overlapped in one axes: 150 take ~4 s, 400 ~35 s (and cannot all fit)

GROUP_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                 "#7f7f7f", "#bcbd22"]


# --------------------------------------------------------------------------------------------
# Figures and saving
# --------------------------------------------------------------------------------------------
_FIGURE: list = []  # the Figure class below, made once (matplotlib is imported only when plotting)


def _figure_class():
    if not _FIGURE:
        from matplotlib.figure import Figure

        class VecsFigure(Figure):
            """A Figure whose texts in Chinese get the CJK font (:func:`cjk_fonts`) before every
            layout and every draw, whichever room made them."""

            def tight_layout(self, *args, **kwargs):
                cjk_fonts(self)
                return super().tight_layout(*args, **kwargs)

            def draw(self, renderer):
                cjk_fonts(self)
                return super().draw(renderer)

        _FIGURE.append(VecsFigure)
    return _FIGURE[0]


def new_figure(w: float, h: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure_class()(figsize=(w, h), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def check_out(path: str | os.PathLike, force: bool = False) -> Path:
    """The image file ``path`` if a figure may be written there: a .png, .svg or .pdf name in an
    existing folder, and no file there already unless ``force`` (:class:`PlotError` otherwise).
    Callers check before any work; :func:`save` checks again."""
    path = Path(path).expanduser()
    if FORMATS.get(path.suffix.lower()) is None:
        raise PlotError(f"cannot tell the image format of {str(path)!r}: use a .png, .svg or .pdf file name, or .html for an interactive one")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise PlotError(f"no such folder: {folder}")
    if path.is_dir():
        raise PlotError(f"{str(path)!r} is a folder, not an image file")
    if (path.exists() or path.is_symlink()) and not force:
        raise PlotError(f"{str(path)!r} exists already: use --force to replace it")
    return path


def save(fig: "Figure", path: str | os.PathLike, force: bool = False) -> Path:
    """Write ``fig`` to ``path`` (PNG, SVG or PDF, by suffix) atomically (a temporary sibling with
    the same suffix, then a rename), without the date and software stamps, so the same figure gives
    the same bytes. An existing file is replaced only with ``force`` (else :class:`PlotError`, and
    the file is left as it was). Returns the path."""
    from vecs.util import atomic_path

    path = check_out(path, force)
    fmt = FORMATS[path.suffix.lower()]
    if fmt == "html" or is_plotly(fig):
        return save_html(fig, path)
    meta = {"Software": None} if fmt == "png" else ({"Date": None} if fmt == "svg" else
                                                    {"CreationDate": None, "ModDate": None})
    cjk_fonts(fig)
    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, format=fmt, metadata=meta)
    return path


def is_plotly(fig) -> bool:
    return hasattr(fig, "to_html")


def save_html(fig, path: Path) -> Path:
    """A plotly figure as one self-contained HTML file (plotly.js inlined: it opens offline),
    written atomically; the same figure gives the same bytes (a fixed div id)."""
    from vecs.util import atomic_write_text

    if not is_plotly(fig):
        raise PlotError(f"{str(path)!r}: this figure cannot be written as HTML")
    if path.suffix.lower() != ".html":
        raise PlotError(f"{str(path)!r}: an interactive figure is written to a .html file")
    atomic_write_text(path, fig.to_html(include_plotlyjs=True, full_html=True, div_id="vecs-plot",
                                        config={"displaylogo": False, "scrollZoom": True}))
    return path


NO_CJK_NOTE = "no CJK font found: Chinese labels are drawn as boxes (vecs get noto-cjk)"


def cjk_fonts(fig: "Figure", texts: Sequence | None = None) -> None:
    """Labels in Chinese (any script without spaces) drawn in a CJK font
    (:func:`vecs.plot.fonts.use_cjk_font`); when none can be found, a note says so. Called by
    :func:`add_label`, :func:`deoverlap` and :func:`save`, so every figure gets it."""
    from vecs.plot.fonts import use_cjk_font

    if use_cjk_font(fig, None if texts is None else list(texts)) is False and NO_CJK_NOTE not in notes(fig):
        add_note(fig, NO_CJK_NOTE)


def add_note(fig: "Figure", text: str) -> None:
    """A small grey note at the bottom left of the figure (``gid="note"``), e.g. that some points
    are unlabelled; :func:`notes` reads them back (the CLI prints them)."""
    y = 0.005 + 0.025 * len(notes(fig))
    fig.text(0.005, y, text, fontsize=7, color="0.35", ha="left", va="bottom", gid="note", parse_math=False)


def notes(fig: "Figure") -> list[str]:
    """The notes :func:`add_note` put on ``fig``, in order (a plotly figure keeps them in
    ``layout.meta["notes"]``)."""
    if is_plotly(fig):
        return list((fig.layout.meta or {}).get("notes", []))
    return [t.get_text() for t in fig.texts if t.get_gid() == "note"]


# --------------------------------------------------------------------------------------------
# Labels that do not overlap
# --------------------------------------------------------------------------------------------
def _renderer(fig):
    return fig.canvas.get_renderer()


def deoverlap(ax, texts: Sequence, anchors: np.ndarray | None = None, pad: float = 2.0, iterations: int = 400,
              leader: float = 14.0, avoid: np.ndarray | None = None, inset: float = 4.0) -> int:
    """Move ``texts`` (matplotlib Text artists of ``ax``) apart until their boxes do not overlap.

    Works in display coordinates: each label's box comes from the renderer's window extent; boxes
    that overlap are pushed apart along the axis of least overlap (half each), labels are kept
    inside the axes, and nothing random is involved (ties break by order). ``anchors`` (data
    coordinates, one per text) are the points the labels belong to: a label that ended more than
    ``leader`` pixels from its point gets a thin grey leader line. ``avoid`` (data coordinates) are
    markers that labels should not cover. Labels stay ``inset`` pixels clear of the frame. Call it after the layout is final (limits, tight_layout).
    Returns the number of overlapping pairs left (0 unless the axes are too small for the labels).
    Only the first :data:`MAX_LABELS` texts are kept (callers put the important ones first): the
    others are removed from the axes and a note says so.
    """
    texts = list(texts)
    if not texts:
        return 0
    if len(texts) > MAX_LABELS:
        for t in texts[MAX_LABELS:]:
            t.remove()
        add_note(ax.figure, f"{MAX_LABELS} of {len(texts)} labels shown (at most {MAX_LABELS} per map)")
        texts = texts[:MAX_LABELS]
        anchors = None if anchors is None else np.asarray(anchors)[:MAX_LABELS]
    fig = ax.figure
    cjk_fonts(fig)  # before the boxes are measured
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
    lo = np.array([box.x0, box.y0]) + inset
    hi = np.array([box.x1, box.y1]) - inset
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


def add_label(ax, x, y, s, **kw):
    kw.setdefault("fontsize", 9)
    kw.setdefault("ha", "left")
    kw.setdefault("va", "bottom")
    t = ax.text(x, y, s, parse_math=False, **kw)
    cjk_fonts(ax.figure, [t])
    return t


def frame(ax, xy: np.ndarray, margin: float = 0.12) -> None:
    """Axis limits around the points with room for labels, fixed from now on."""
    lo, hi = xy.min(0), xy.max(0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    ax.set_xlim(lo[0] - margin * span[0], hi[0] + margin * 2.5 * span[0])
    ax.set_ylim(lo[1] - margin * span[1], hi[1] + margin * 1.5 * span[1])
    ax.set_autoscale_on(False)


def pca2(m: np.ndarray, seed: int = 0) -> tuple[np.ndarray, list[float]]:
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


# --------------------------------------------------------------------------------------------
# vecs plot analogy
# --------------------------------------------------------------------------------------------
def arrow(ax, p, q, colour, gid, style="-|>", lw=1.6, ls="-"):
    from matplotlib.patches import FancyArrowPatch

    a = FancyArrowPatch(tuple(p), tuple(q), arrowstyle=style, mutation_scale=14, lw=lw, color=colour,
                        linestyle=ls, shrinkA=5, shrinkB=5, zorder=2, gid=gid)
    ax.add_patch(a)
    return a
