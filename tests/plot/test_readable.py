"""Plots a person would use (issue 12): in the figures the tour writes, no two labels overlap (nor
touch: a gap of a few pixels, so "king" and "queen" never read as one label), labels stay clear of
the frame, colours are explained by a legend. Measured through the renderer's text extents."""

from __future__ import annotations

import numpy as np
import pytest

from vecs.plot.canvas import _renderer
from vecs.plot.static import LABEL_PAD, analogy_plot, bias_plot, words_plot

GAP = 2.0  # pixels at least between two labels of a map


def _boxes(ax):
    r = _renderer(ax.figure)
    return [t.get_window_extent(r) for t in ax.texts]


def _touching(ax, gap: float = GAP) -> list[tuple[str, str]]:
    boxes, texts = _boxes(ax), ax.texts
    out = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if min(a.x1, b.x1) - max(a.x0, b.x0) > -gap and min(a.y1, b.y1) - max(a.y0, b.y0) > -gap:
                out.append((texts[i].get_text(), texts[j].get_text()))
    return out


def _inside(ax, margin: float = 2.0) -> bool:
    f = ax.get_window_extent(_renderer(ax.figure))
    return all(b.x0 >= f.x0 + margin and b.x1 <= f.x1 - margin and b.y0 >= f.y0 + margin and b.y1 <= f.y1 - margin
               for b in _boxes(ax))


TOUR_WORDS = ("cat", "dog", "kitten", "pet", "king", "queen", "man", "woman", "apple", "banana", "car", "truck")


def test_map_labels_keep_a_gap_and_neighbours_are_readable(toy):
    fig = words_plot(toy, toy.words, neighbours=2)
    ax = fig.axes[0]
    assert LABEL_PAD >= GAP and _touching(ax) == [] and _inside(ax)
    from matplotlib.colors import to_rgb

    for t in ax.texts:  # no faint label: dark enough to read on white, 9 points or more
        assert sum(to_rgb(t.get_color())) / 3 < 0.45 and t.get_fontsize() >= 9


def test_analogy_answer_label_clear_of_the_frame(toy):
    ax = analogy_plot(toy, "man", "king", "woman").axes[0]
    assert _touching(ax) == [] and _inside(ax, margin=3.0)


def test_bias_legend_and_no_label_across_the_zero_line(toy):
    pairs = [("woman", "man"), ("queen", "king")]
    flat = toy.with_vectors(np.asarray(toy.vectors), name="same")
    fig = bias_plot(toy, toy.words, pairs=pairs, against=flat)
    for ax in fig.axes:
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert len(legend) == 2 and "woman side" in legend[0] + legend[1]
        assert _touching(ax, gap=0.5) == []


@pytest.mark.real
def test_tour_figures_real(googlenews):
    from vecs.bias.debias import hard_debias

    shown = [w for w in TOUR_WORDS if w in googlenews]
    ax = words_plot(googlenews, shown, neighbours=2, seed=0).axes[0]  # the tour's words.png
    assert _touching(ax) == [] and _inside(ax)
    ax = analogy_plot(googlenews, "man", "woman", "king", seed=0).axes[0]  # analogy.png
    assert _touching(ax) == [] and _inside(ax, margin=3.0)
    small = googlenews.restrict(50_000)
    fig = bias_plot(small, "professions", against=hard_debias(small))
    deb = fig.axes[1]
    zero = deb.transData.transform((0.0, 0.0))[0]
    across = [b for b in _boxes(deb) if b.x0 < zero - 3 and b.x1 > zero + 3]
    assert _touching(deb, gap=0.5) == [] and len(across) <= 2, len(across)


@pytest.mark.real
def test_tour_words_zh_real():
    from vecs.claims.zh_tour import PLOT_WORDS, VECTORS
    from vecs.resolve import resolve

    space = resolve(VECTORS)
    ax = words_plot(space, [w for w in PLOT_WORDS if w in space], neighbours=0, seed=0).axes[0]  # words-zh.png
    assert _touching(ax) == [] and _inside(ax)


@pytest.mark.real
def test_tour_bank_layers_real():
    pytest.importorskip("torch")
    from vecs.contextual.polysemy import load_examples
    from vecs.plot.contextual import plot_word_layers

    sents, groups = [], []
    for g, ss in load_examples()["bank"]["senses"].items():  # as the tour builds bank-layers.png
        sents += ss[:3]
        groups += [g] * len(ss[:3])
    ax = plot_word_layers("minilm", "bank", sents, groups, seed=0).axes[0]
    assert _touching(ax, gap=0.5) == [] and _inside(ax)
    assert len(ax.get_legend().get_texts()) == len(sents)
    assert len({(ln.get_marker(), ln.get_linestyle(), ln.get_color()) for ln in ax.lines if ln.get_gid() != "leader"}) \
        == len(sents)  # every sentence's line told apart
