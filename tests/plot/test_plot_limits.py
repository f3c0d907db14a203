"""Plots never overwrite an image unasked and never blow up (issue 9): an existing output file
needs --force (checked before any work), the number of labels, neighbours, points, legend entries,
annotated cells and lens positions is bounded, and a note says what was left out."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import vecs.plot.canvas as canvas
from cli.main import app
from vecs import Space
from vecs.errors import PlotError
from vecs.plot.canvas import add_label, deoverlap, frame, new_figure, notes, save
from vecs.plot.contextual import MAX_CELLS, MAX_LEGEND, layers_plot, similarity_plot
from vecs.plot.static import MAX_NEIGHBOURS, bias_plot, words_plot

runner = CliRunner()

PNG = b"\x89PNG\r\n\x1a\n"

COMMANDS = ["words", "analogy", "bias", "layers", "similarity", "lens"]


@pytest.fixture
def toy_model(toy):
    from vecs.io.store import save as store

    store(toy, "toy")
    return "toy"


@pytest.fixture
def cloud() -> Space:
    """600 random words: enough neighbours for a crowded map."""
    rng = np.random.default_rng(3)
    return Space([f"w{i:03d}" for i in range(600)], rng.normal(size=(600, 12)).astype(np.float32), name="cloud")


@pytest.fixture
def few_labels(monkeypatch):
    """A small label budget, so the caps are tested in a second, not in the time 150 labels take."""
    monkeypatch.setattr(canvas, "MAX_LABELS", 12)
    return 12


# -- an existing image needs --force ------------------------------------------------------------
def test_save_refuses_an_existing_file_unless_forced(toy, tmp_path):
    fig = words_plot(toy, ["man", "king", "apple"])
    out = tmp_path / "map.png"
    out.write_bytes(b"my own picture")
    with pytest.raises(PlotError, match="exists already: use --force to replace it"):
        save(fig, out)
    assert out.read_bytes() == b"my own picture"
    assert save(fig, out, force=True) == out and out.read_bytes().startswith(PNG)
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(PlotError, match="is a folder"):
        save(fig, tmp_path / "dir.png", force=True)
    (tmp_path / "dangling.png").symlink_to(tmp_path / "nowhere.png")
    with pytest.raises(PlotError, match="exists already"):
        save(fig, tmp_path / "dangling.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.png", "dir.png", "map.png"]  # no temporaries


@pytest.mark.parametrize("command", COMMANDS)
def test_every_plot_command_refuses_an_existing_image_before_any_work(command, tmp_path):
    out = tmp_path / "old.png"
    out.write_bytes(b"keep me")
    args = {"words": ["man", "king"], "analogy": ["man", "king", "woman"], "bias": [], "layers": ["bank", "A bank."],
            "similarity": ["bank", "A bank.", "The bank."], "lens": ["Hello"]}[command]
    # the model does not exist: the refusal comes first, before anything is loaded
    r = runner.invoke(app, ["plot", command, *args, "-m", "no-such-model", "-o", str(out)])
    assert r.exit_code == 1, r.output
    assert r.stderr.strip() == f"error: {str(out)!r} exists already: use --force to replace it"
    assert out.read_bytes() == b"keep me"
    # with --force the check passes and the command goes on (to the missing model here)
    r = runner.invoke(app, ["plot", command, *args, "-m", "no-such-model", "-o", str(out), "--force"])
    assert r.exit_code == 1 and "exists already" not in r.output and out.read_bytes() == b"keep me"
    assert "--force" in runner.invoke(app, ["plot", command, "--help"]).output


def test_cli_default_image_name_is_not_overwritten_either(toy_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["plot", "words", "man", "king", "-m", toy_model, "--json"])
    assert r.exit_code == 0, r.output
    first = (tmp_path / "vecs-words.png").read_bytes()
    r = runner.invoke(app, ["plot", "words", "apple", "car", "-m", toy_model])
    assert r.exit_code == 1 and "'vecs-words.png' exists already" in r.stderr
    assert (tmp_path / "vecs-words.png").read_bytes() == first
    r = runner.invoke(app, ["plot", "words", "apple", "car", "-m", toy_model, "--force", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["path"] == "vecs-words.png"
    assert (tmp_path / "vecs-words.png").read_bytes() != first


# -- bounded work -----------------------------------------------------------------------------
def test_words_plot_caps_the_neighbours_with_a_clear_error(cloud):
    with pytest.raises(PlotError, match=f"at most {MAX_NEIGHBOURS} neighbours per word on a map, got 100000"):
        words_plot(cloud, ["w001", "w002", "w003"], neighbours=100000)
    with pytest.raises(PlotError, match="more than 5,000 points"):
        words_plot(cloud, cloud.words[:60], neighbours=MAX_NEIGHBOURS)


def test_cli_plot_words_with_100000_neighbours_is_one_error_line(toy_model, tmp_path):
    r = runner.invoke(app, ["plot", "words", "man", "king", "queen", "-k", "100000", "-m", toy_model,
                            "-o", str(tmp_path / "w.png")])
    assert r.exit_code == 1 and r.stderr.strip() == (
        f"error: at most {MAX_NEIGHBOURS} neighbours per word on a map, got 100000")
    assert not (tmp_path / "w.png").exists()


def test_words_plot_labels_the_words_then_the_nearest_neighbours_up_to_the_cap(cloud, few_labels):
    words = ["w001", "w002", "w003"]
    fig = words_plot(cloud, words, neighbours=20)
    ax = fig.axes[0]
    points = sum(len(c.get_offsets()) for c in ax.collections)
    labels = [t.get_text() for t in ax.texts]
    assert points > few_labels and len(labels) == few_labels
    assert labels[:3] == words  # the words always come first
    from vecs.static.query import neighbours

    nearest = [neighbours(cloud, w, k=1).results[0].word for w in words]
    assert set(nearest) <= set(labels)  # each word's nearest neighbour is labelled before anyone's second
    assert notes(fig) == [f"{few_labels} of {points:,} points labelled (at most {few_labels}: the words, "
                          "then the nearest neighbours first)"]


def test_cli_plot_prints_the_figures_notes(toy_model, tmp_path, monkeypatch):
    monkeypatch.setattr(canvas, "MAX_LABELS", 3)
    out = tmp_path / "w.png"
    r = runner.invoke(app, ["plot", "words", "man", "king", "apple", "-k", "2", "-m", toy_model, "-o", str(out)])
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines[0] == str(out) and lines[1].startswith("note: 3 of 6 points labelled")
    r = runner.invoke(app, ["plot", "words", "man", "king", "apple", "-k", "2", "-m", toy_model, "-o", str(out),
                            "--force", "--json"])
    assert json.loads(r.stdout)["notes"][0].startswith("3 of 6 points labelled")


def test_deoverlap_keeps_at_most_max_labels(few_labels):
    fig = new_figure(6, 5)
    ax = fig.add_subplot()
    xy = np.random.default_rng(0).normal(size=(40, 2))
    frame(ax, xy)
    texts = [add_label(ax, x, y, f"label{i}") for i, (x, y) in enumerate(xy)]
    deoverlap(ax, texts, anchors=xy, avoid=xy)
    assert [t.get_text() for t in ax.texts] == [f"label{i}" for i in range(few_labels)]
    assert notes(fig) == [f"{few_labels} of 40 labels shown (at most {few_labels} per map)"]


def test_bias_plot_labels_at_most_the_cap(cloud, few_labels):
    fig = bias_plot(cloud, cloud.words[:300], labels=10000, pairs=[("w000", "w001"), ("w002", "w003")])
    assert len(fig.axes[0].texts) == few_labels  # the 6 words at each end
    assert notes(fig) == [f"the {few_labels // 2} words at each end labelled (at most {few_labels} labels)"]


def test_layers_plot_bounds_its_legend_and_layer_numbers(few_labels):
    from vecs.contextual.extract import WordVectors

    L, n, C = 6, 40, 8
    v = np.random.default_rng(1).normal(size=(L, n, C)).astype(np.float32)
    wv = WordVectors("bank", "fake", "mean", list(range(L)), [f"sentence {i}" for i in range(n)], [], v,
                     np.zeros((L, C)), np.ones((L, C)), 3)
    fig = layers_plot(wv)
    ax = fig.axes[0]
    assert len(ax.get_legend().get_texts()) == MAX_LEGEND
    assert len(ax.texts) == few_labels
    assert notes(fig) == [f"the legend names the first {MAX_LEGEND} of {n} sentences",
                          f"layer numbers on the first {few_labels} of {n * L} points (at most {few_labels})"]


def test_similarity_heatmap_of_many_sentences_stays_a_readable_size():
    from vecs.contextual.polysemy import ContextResult

    n = 300
    m = np.eye(n).tolist()
    r = ContextResult("bank", "fake", "mean", False, [1], 1, [f"s{i}" for i in range(n)], [], [], [m])
    fig = similarity_plot(r)
    assert fig.get_size_inches()[1] <= 24 and not fig.axes[0].texts
    assert len(fig.axes[0].get_yticklabels()) <= 60
    assert notes(fig) == [f"{n} sentences: cells annotated up to {MAX_CELLS}"]
