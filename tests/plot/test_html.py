"""Interactive plots (issue 12): every `vecs plot` that draws a map, a trajectory or a grid writes a
self-contained HTML page when `-o` ends in .html. Checked through the plotly figure's data (traces,
hover texts) and the file (plotly.js inlined, no script loaded from the network)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs.plot.canvas import notes, save
from vecs.plot.contextual import layers_plot
from vecs.plot.static import analogy_plot, bias_plot, words_plot

runner = CliRunner()


@pytest.fixture
def toy_model(toy):
    from vecs.io.store import save as store

    store(toy, "toy")
    return "toy"


def _self_contained(path) -> str:
    html = path.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and "plotly.js v" in html.lower() or "plotly.js" in html
    assert len(html) > 1_000_000  # the plotly.js bundle is inside
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)  # nothing fetched: it opens offline
    return html


def test_words_html_hover_shows_the_word_and_its_neighbours(toy, tmp_path):
    from vecs.static.query import neighbours

    fig = words_plot(toy, ["man", "king", "apple"], neighbours=1, html=True)
    words, extra = fig.data[0], fig.data[1]
    assert list(words.text) == ["man", "king", "apple"] and len(extra.x) >= 1
    near = neighbours(toy, "king", k=3).results
    assert words.hovertext[1].startswith("<b>king</b><br>nearest: " + near[0].word)
    assert all(r.word in words.hovertext[1] for r in near)
    out = save(fig, tmp_path / "map.html")
    html = _self_contained(out)
    assert '"king"' in html


def test_words_html_in_3d_and_the_same_points_as_the_image(toy):
    flat = words_plot(toy, ["man", "woman", "king", "queen", "apple"], seed=0)
    web = words_plot(toy, ["man", "woman", "king", "queen", "apple"], seed=0, html=True)
    assert np.allclose(np.column_stack([web.data[0].x, web.data[0].y]), flat.axes[0].collections[0].get_offsets())
    three = words_plot(toy, ["man", "woman", "king", "queen", "apple"], html=True, dims=3)
    assert three.data[0].type == "scatter3d" and len(three.data[0].z) == 5


@pytest.mark.parametrize("method", ["pca", "tsne", "umap"])
def test_words_methods_are_seeded(toy, method):
    words = ["man", "woman", "king", "queen", "apple", "banana"]
    a = words_plot(toy, words, method=method, seed=3).axes[0].collections[0].get_offsets()
    b = words_plot(toy, words, method=method, seed=3).axes[0].collections[0].get_offsets()
    assert np.allclose(a, b)
    assert method.replace("tsne", "t-SNE").replace("pca", "PCA").replace("umap", "UMAP") in \
        words_plot(toy, words, method=method, seed=3).axes[0].get_title()


def test_analogy_html_arrows_and_answer(toy, tmp_path):
    fig = analogy_plot(toy, "man", "king", "woman", html=True)
    words = next(t for t in fig.data if t.name == "words")
    assert list(words.hovertext)[:3] == ["man", "king", "woman"] and "model's answer" in words.text[3]
    assert len(fig.layout.annotations) == 2  # a→b and c→d
    _self_contained(save(fig, tmp_path / "a.html"))


def test_bias_html_two_sides_in_the_legend(toy):
    pairs = [("woman", "man"), ("queen", "king")]
    fig = bias_plot(toy, ["apple", "banana", "car", "king", "queen"], pairs=pairs, html=True)
    shown = [t.name for t in fig.data if t.showlegend is not False]
    assert len(shown) == 2 and all("side" in n for n in shown)
    hovered = [h for t in fig.data for h in t.hovertext]
    assert sum("apple" in h for h in hovered) == 1


def test_layers_html_one_trace_per_sentence_layer_on_hover():
    from tests.plot.test_plot import _wordvectors

    wv = _wordvectors()
    fig = layers_plot(wv, groups=["money", "money", "river", "river"], html=True)
    assert len(fig.data) == 4 and all(len(t.x) == 5 for t in fig.data)
    assert fig.data[0].hovertext[2].startswith("<b>layer 2</b>")
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert fig.data[0].marker.symbol != fig.data[1].marker.symbol  # one sense's sentences told apart


def test_cli_html_for_words_and_images_only_elsewhere(toy_model, tmp_path):
    out = tmp_path / "m.html"
    r = runner.invoke(app, ["plot", "words", "man", "king", "apple", "-m", toy_model, "-o", str(out)])
    assert r.exit_code == 0, r.output
    _self_contained(out)
    r = runner.invoke(app, ["plot", "words", "man", "king", "apple", "-m", toy_model, "--dims", "3", "-o",
                            str(tmp_path / "m.png")])
    assert r.exit_code == 1 and "3-D map is interactive" in r.output
    r = runner.invoke(app, ["plot", "loss", "nope", "-o", str(tmp_path / "l.html")])  # every plot makes pages now
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "'nope'" in r.output and "images only" not in r.output


def test_notes_of_an_html_figure(toy):
    from vecs.plot.html import add_note

    fig = words_plot(toy, ["man", "king"], html=True)
    add_note(fig, "hello")
    assert notes(fig) == ["hello"]
