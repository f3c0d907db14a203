"""Attention heatmaps (vecs.plot.attention), read back through the matplotlib objects, on the tiny
GPT with hand-built heads (tests/inside/attending.py); and `vecs plot attention` writing its file."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from helpers import fails, ok  # noqa: E402
from tests.inside.attending import attending_gpt  # noqa: E402

from vecs.plot.attention import GRID_LABELS, attention_plot, plot_attention  # noqa: E402

PROMPT = "when mary and john went to the store john gave a drink to"


@pytest.fixture(scope="module")
def tiny():
    return attending_gpt()


def colour_bars(fig) -> list:
    return [a for a in fig.axes if a.get_label() == "<colorbar>"]


def test_one_head_is_a_heatmap_with_tokens_on_both_axes(tiny):
    fig, p = plot_attention(tiny, PROMPT, 1, head=0)
    heat = [a for a in fig.axes if a.images and a.get_label() != "<colorbar>"]
    assert len(heat) == 1 and len(colour_bars(fig)) == 1
    ax = heat[0]
    w = np.asarray(ax.images[0].get_array())
    assert w == pytest.approx(np.asarray(p.weights[0]))
    assert w[3, 2] == pytest.approx(1.0, abs=1e-4)  # the previous-token head: "and" looks at "mary"
    assert ax.images[0].get_clim() == (0.0, 1.0)
    tokens = ["⟨eos⟩"] + PROMPT.split()
    assert [t.get_text() for t in ax.get_xticklabels()] == tokens
    assert [t.get_text() for t in ax.get_yticklabels()] == tokens
    assert "head 1.0" in ax.get_title() and "query" in ax.get_ylabel() and "key" in ax.get_xlabel()
    assert "attention weight" in colour_bars(fig)[0].get_ylabel()


def test_without_a_head_every_head_of_the_layer_is_drawn(tiny):
    fig, p = plot_attention(tiny, PROMPT, 2)
    heat = [a for a in fig.axes if a.images and a.get_label() != "<colorbar>"]
    assert [a.get_title() for a in heat] == ["2.0", "2.1"] and p.heads == [0, 1]
    for a, w in zip(heat, p.weights):
        assert np.asarray(a.images[0].get_array()) == pytest.approx(np.asarray(w))
    assert len(colour_bars(fig)) == 1 and "layer 2" in fig.get_suptitle()
    assert [t.get_text() for t in heat[0].get_yticklabels()][1] == "when"


def test_a_long_prompt_labels_a_grid_sparingly(tiny):
    from vecs.inside.attention import LayerPattern

    T = GRID_LABELS + 6
    w = np.tile(np.eye(T), (4, 1, 1))
    fig = attention_plot(LayerPattern("m", "p", [f"t{i}" for i in range(T)], 3, [0, 1, 2, 3], w))
    heat = [a for a in fig.axes if a.images and a.get_label() != "<colorbar>"]
    assert len(heat) == 4 and all(not a.get_xticks().size for a in heat)
    from vecs.plot.canvas import notes

    assert any("too many to label" in n for n in notes(fig))


def test_plot_attention_writes_its_file(tiny, tmp_path, monkeypatch):
    from vecs.contextual.load import LOADED

    monkeypatch.setitem(LOADED, "tiny", tiny)
    out = tmp_path / "a.png"
    data = json.loads(ok(["plot", "attention", PROMPT, "-m", "tiny", "-l", "1", "-o", str(out), "--json"]).stdout)
    assert out.stat().st_size > 0 and data["layer"] == 1 and data["heads"] == [0, 1]
    out = tmp_path / "b.svg"
    ok(["plot", "attention", PROMPT, "-m", "tiny", "-l", "-1", "--head", "1", "-o", str(out)])
    assert out.stat().st_size > 0
    assert "head 5 is out of range" in fails(["plot", "attention", PROMPT, "-m", "tiny", "-l", "1", "--head", "5",
                                              "-o", str(tmp_path / "c.png")])
    assert "one layer" in fails(["plot", "attention", PROMPT, "-m", "tiny", "-l", "all", "-o",
                                 str(tmp_path / "d.png")])
