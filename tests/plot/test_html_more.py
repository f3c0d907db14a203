"""Interactive pages of `vecs plot similarity`, `loss`, `ablate` and `patch` (issue 12: every `vecs plot`
writes a self-contained HTML page when `-o` ends in .html), read back through the plotly figure's
data (traces, hover texts) and the file (plotly.js inlined, nothing fetched)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

pytest.importorskip("plotly")

from helpers import ok  # noqa: E402

from vecs.lm.history import LossHistory, LossPoint  # noqa: E402
from vecs.plot.canvas import notes, save  # noqa: E402
from vecs.plot.html_more import (WORST_COLOUR, ablate_figure, loss_figure, patch_figure,  # noqa: E402
                                 similarity_figure)

HIST = LossHistory(every=5, val_tokens=8192, points=[LossPoint(0, 9.70, 9.69), LossPoint(5, 7.10, 6.80),
                                                      LossPoint(10, 5.95, 6.01), LossPoint(12, 5.40, 5.62)])
M = [[1.0, 0.8, 0.3], [0.8, 1.0, 0.25], [0.3, 0.25, 1.0]]


def _self_contained(path) -> str:
    html = path.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # the plotly.js bundle is inside
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)  # nothing fetched: it opens offline
    return html


def _context():
    from vecs.contextual.polysemy import ContextResult

    return ContextResult("bank", "fake", "mean", False, [2, 4], 4, ["a bank", "the bank", "river bank"], [], [],
                         [np.eye(3).tolist(), M])


@pytest.fixture(scope="module")
def tiny():
    pytest.importorskip("torch")
    from tests.inside.constructed import constructed_gpt

    return constructed_gpt()


# -- similarity ------------------------------------------------------------------------------
def test_similarity_html_cells_are_the_cosines_with_sentences_on_both_axes(tmp_path):
    fig = similarity_figure(_context())  # the default layer (4)
    (hm,) = fig.data
    assert np.allclose(np.asarray(hm.z, dtype=float), M)
    assert list(fig.layout.yaxis.ticktext) == ["1: a bank", "2: the bank", "3: river bank"]
    assert list(fig.layout.xaxis.ticktext) == ["1", "2", "3"] and fig.layout.yaxis.autorange == "reversed"
    assert hm.hovertext[0][2] == "<b>0.300</b> cosine of 'bank'<br>1: a bank<br>3: river bank"
    assert hm.text[1][0] == "0.80" and "layer 4" in fig.layout.title.text
    assert np.allclose(np.asarray(similarity_figure(_context(), layer=2).data[0].z, dtype=float), np.eye(3))
    from vecs.errors import ContextualError

    with pytest.raises(ContextualError):
        similarity_figure(_context(), layer=7)
    _self_contained(save(fig, tmp_path / "s.html"))


# -- loss ------------------------------------------------------------------------------------
def test_loss_html_two_lines_with_step_train_and_validation_on_hover(tmp_path):
    fig = loss_figure(HIST, "gpt")
    train, val = fig.data
    assert list(train.x) == [0, 5, 10, 12] == list(val.x)
    assert list(train.y) == [9.70, 7.10, 5.95, 5.40] and list(val.y) == [9.69, 6.80, 6.01, 5.62]
    assert train.name.startswith("training loss") and val.name == "validation loss (8,192 held-out tokens)"
    assert train.hovertext[1] == val.hovertext[1] == ("<b>step 5</b><br>training 7.1000<br>validation 6.8000 "
                                                      "(perplexity 898)")
    assert train.line.color != val.line.color
    assert fig.layout.title.text.startswith("gpt: loss while training, step 0 → 12")
    assert fig.layout.xaxis.title.text == "training step"
    _self_contained(save(fig, tmp_path / "l.html"))


def test_loss_html_of_an_empty_history_cannot_be_drawn():
    from vecs.errors import PlotError

    with pytest.raises(PlotError, match="no points"):
        loss_figure(LossHistory(every=1, val_tokens=10), "x")


# -- ablate, patch ---------------------------------------------------------------------------
def test_ablate_html_bars_are_the_changes_with_prob_rank_and_change_on_hover(tiny):
    from vecs.inside.ablate import ablate

    r = ablate(tiny, "the bank is a", "money", component="head")
    (bars,) = fig_data = ablate_figure(r).data
    assert list(bars.x) == ["1.0", "1.1", "2.0", "2.1"]
    assert list(bars.y) == pytest.approx([a.change for a in r.rows])
    worst = r.rows.index(r.worst)
    colours = list(bars.marker.color)
    assert colours.count(WORST_COLOUR) == 1 and colours[worst] == WORST_COLOUR
    a = r.rows[0]
    hover = bars.hovertext[0]
    assert hover.startswith("<b>head 1.0</b> switched off<br>p(money) ")
    assert f"{a.prob:.4g}" in hover and f"rank {a.rank:,}" in hover and f"{a.change:+.3f} nats" in hover
    assert len(fig_data) == 1


def test_patch_html_grid_with_token_labels_and_probability_restored_on_hover(tiny):
    from vecs.inside.patch import patch

    r = patch(tiny, "the bank is", "the river is", "money")
    fig = patch_figure(r)
    (hm,) = fig.data
    assert np.asarray(hm.z, dtype=float) == pytest.approx(np.array(r.probs))
    assert list(fig.layout.xaxis.ticktext) == ["the", "bank/river", "is"]
    assert list(fig.layout.yaxis.ticktext) == ["0", "1", "2"] and fig.layout.yaxis.autorange is True
    hover = hm.hovertext[1][1]
    assert hover.startswith("<b>layer 1 · position 1</b><br>clean 'bank', corrupt 'river'<br>p(money) ")
    assert f"{r.probs[1][1]:.4g} (rank {r.ranks[1][1]:,})" in hover and "restored " in hover
    assert hm.text[0][0] == f"{r.probs[0][0]:.2f}"
    back = patch_figure(r, restored=True).data[0]
    assert back.z[0][1] == pytest.approx(1.0, abs=1e-4) and back.zmin == -back.zmax
    assert notes(fig) == ([r.target.note] if r.target.note else [])


# -- the commands ----------------------------------------------------------------------------
def test_cli_ablate_and_patch_write_html_pages(tiny, tmp_path, monkeypatch):
    from vecs.contextual.load import LOADED

    monkeypatch.setitem(LOADED, "tiny", tiny)
    out = tmp_path / "a.html"
    data = json.loads(ok(["plot", "ablate", "the bank is a", "-t", "money", "-m", "tiny", "-o", str(out),
                          "--json"]).stdout)
    assert data["path"] == str(out) and data["worst"] == "2"
    assert '"type":"bar"' in _self_contained(out).replace(" ", "")
    out = tmp_path / "p.html"
    r = ok(["plot", "patch", "the bank is", "the river is", "-t", "money", "-m", "tiny", "-o", str(out),
            "--restored"])
    assert r.stdout.splitlines()[0] == str(out)
    html = _self_contained(out)
    assert "causal tracing: tiny" in html and "bank\\u002friver" in html  # plotly escapes "/" in its JSON


def test_cli_similarity_writes_an_html_page(tmp_path, monkeypatch):
    import vecs.contextual.polysemy as polysemy

    monkeypatch.setattr(polysemy, "context_similarities", lambda *a, **k: _context())
    out = tmp_path / "s.html"
    data = json.loads(ok(["plot", "similarity", "bank", "a bank", "the bank", "river bank", "-o", str(out),
                          "--json"]).stdout)
    assert data["kind"] == "similarity" and data["layer"] == 2
    assert "river bank" in _self_contained(out)


def test_cli_loss_writes_an_html_page(tmp_path, monkeypatch):
    import vecs.lm.history as history

    monkeypatch.setattr(history, "load_history", lambda name: LossHistory(HIST.every, HIST.val_tokens,
                                                                           HIST.points, name="gpt"))
    out = tmp_path / "l.html"
    data = json.loads(ok(["plot", "loss", "gpt", "-o", str(out), "--json"]).stdout)
    assert data["kind"] == "loss" and data["path"] == str(out) and data["step"] == 12
    assert "validation loss (8,192 held-out tokens)" in _self_contained(out)
