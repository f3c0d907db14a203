"""The loss curve figure (vecs/plot/loss.py) and `vecs plot loss NAME`: two lines with the
history's numbers, labelled axes, a legend, the figures in the title; one line for a model that
has no history."""

from __future__ import annotations

import json

import pytest

from tests.helpers import fails, ok
from vecs.errors import PlotError
from vecs.lm.history import HISTORY_FILE, LossHistory, LossPoint
from vecs.plot.loss import loss_plot

HIST = LossHistory(every=5, val_tokens=8192, points=[LossPoint(0, 9.70, 9.69), LossPoint(5, 7.10, 6.80),
                                                      LossPoint(10, 5.95, 6.01), LossPoint(12, 5.40, 5.62)])


def _line(ax, gid):
    (line,) = [ln for ln in ax.lines if ln.get_gid() == gid]
    return line


def test_two_lines_with_the_history_labels_legend_and_final_figures_in_the_title():
    fig = loss_plot(HIST, "gpt")
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    train, val = _line(ax, "train"), _line(ax, "val")
    assert list(train.get_xdata()) == [0, 5, 10, 12] == list(val.get_xdata())
    assert list(train.get_ydata()) == [9.70, 7.10, 5.95, 5.40]
    assert list(val.get_ydata()) == [9.69, 6.80, 6.01, 5.62]
    assert ax.get_xlabel() == "training step" and "loss" in ax.get_ylabel() and "nats" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("training loss") and legend[1] == "validation loss (8,192 held-out tokens)"
    title = ax.get_title()
    assert title.startswith("gpt: loss while training, step 0 → 12")
    assert "validation 9.69 → 5.62" in title and "training 9.70 → 5.40" in title
    assert "perplexity 16,155 → 276" in title  # exp(9.69), exp(5.62)
    assert train.get_color() != val.get_color()


def test_an_empty_history_cannot_be_drawn():
    with pytest.raises(PlotError, match="no points"):
        loss_plot(LossHistory(every=1, val_tokens=10), "x")


@pytest.fixture
def trained(tmp_path):
    """A transformer trained for a few steps on a tiny corpus (a second or two)."""
    torch = pytest.importorskip("torch")
    from vecs.lm.train import train_transformer

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(f"the cat {v} the dog today." for v in ("sees", "likes", "feeds") * 40) + "\n")
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train_transformer(corpus, name="gpt", steps=6, record_every=2, layers=2, dim=16, heads=2, context=8,
                          batch=4, lr=1e-2, min_count=1, device="cpu")
    finally:
        torch.set_num_threads(n)
    return "gpt"


def test_cli_plot_loss_writes_the_figure_and_json(trained, tmp_path):
    out = tmp_path / "loss.png"
    r = ok(["plot", "loss", trained, "-o", str(out)])
    assert r.stdout.strip() == str(out) and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = ok(["plot", "loss", trained, "-o", str(out), "--force", "--json"])
    d = json.loads(r.stdout)
    assert d["kind"] == "loss" and d["model"] == "gpt" and d["points"] == 4 and d["step"] == 6
    assert d["val_loss"] > 0 and d["train_loss"] > 0
    assert "exists already" in fails(["plot", "loss", trained, "-o", str(out)])


def test_cli_plot_loss_of_a_model_without_history_is_one_line(trained, tmp_path):
    from vecs.paths import models_dir

    (models_dir() / trained / HISTORY_FILE).unlink()  # as trained before vecs kept one
    msg = fails(["plot", "loss", trained, "-o", str(tmp_path / "x.png")])
    assert msg == ("error: model 'gpt' has no loss history (it was trained before vecs recorded one); "
                   "train it again to get one")
    assert not (tmp_path / "x.png").exists()
    assert "no transformer named 'nope'" in fails(["plot", "loss", "nope", "-o", str(tmp_path / "y.png")])
