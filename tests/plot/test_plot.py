"""Plots: the plotted objects (points, labels, arrows, images), label de-overlap, determinism,
the files written (magic bytes), and every `vecs plot` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs import Space
from vecs.plot.canvas import count_overlaps, deoverlap, new_figure, save, tsne_perplexity
from vecs.plot.contextual import layers_plot, similarity_plot
from vecs.plot.static import analogy_plot, bias_plot, words_plot
from vecs.errors import PlotError

runner = CliRunner()



MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}


@pytest.fixture
def toy_model(toy):
    from vecs.io.store import save

    save(toy, "toy")
    return "toy"


@pytest.fixture
def crowd() -> Space:
    """40 words whose vectors are nearly the same: every label starts on top of the others."""
    rng = np.random.default_rng(0)
    centre = rng.normal(size=16)
    v = centre + 1e-3 * rng.normal(size=(40, 16))
    return Space([f"word{i:02d}" for i in range(40)], v.astype(np.float32), name="crowd")


def _labels(ax):
    return [t.get_text() for t in ax.texts]


def _leaders(ax):
    return [ln for ln in ax.lines if ln.get_gid() == "leader"]


# -- words -----------------------------------------------------------------------------------
def test_words_pca_points_and_labels(toy):
    words = ["man", "woman", "king", "queen", "apple"]
    fig = words_plot(toy, words, seed=0)
    ax = fig.axes[0]
    xy = ax.collections[0].get_offsets()
    assert xy.shape == (5, 2) and len(ax.collections) == 1
    assert _labels(ax) == words
    # the points are the PCA of the unit vectors (up to the sign of each axis)
    from sklearn.decomposition import PCA

    u = toy.normed[toy.rows(words)]
    ref = PCA(n_components=2).fit_transform(u)
    for j in range(2):
        assert np.allclose(np.abs(xy[:, j]), np.abs(ref[:, j]), atol=1e-5)
    # king is farther from apple than from queen on the map too
    d = lambda a, b: np.linalg.norm(xy[words.index(a)] - xy[words.index(b)])  # noqa: E731
    assert d("king", "queen") < d("king", "apple")


def test_words_neighbours_in_lighter_colour(toy):
    from vecs.static.query import neighbours

    fig = words_plot(toy, ["apple", "king"], neighbours=1, seed=0)
    ax = fig.axes[0]
    expected = [neighbours(toy, w, k=1).results[0].word for w in ("apple", "king")]
    assert len(ax.collections) == 2
    assert ax.collections[1].get_offsets().shape == (len(set(expected) - {"apple", "king"}), 2)
    assert _labels(ax)[2:] == [w for w in dict.fromkeys(expected) if w not in ("apple", "king")]
    c0 = ax.collections[0].get_facecolor()[0]
    c1 = ax.collections[1].get_facecolor()[0]
    assert c1[:3].mean() > c0[:3].mean()  # lighter


def test_tsne_perplexity_is_below_the_number_of_points():
    for n in range(2, 200):
        assert 1 <= tsne_perplexity(n) < n
    assert tsne_perplexity(1000) == 30


def test_words_tsne_small_and_deterministic(toy):
    words = ["man", "woman", "king", "queen"]
    a = words_plot(toy, words, method="tsne", seed=3).axes[0]
    b = words_plot(toy, words, method="tsne", seed=3).axes[0]
    assert np.array_equal(a.collections[0].get_offsets(), b.collections[0].get_offsets())
    assert [t.get_position() for t in a.texts] == [t.get_position() for t in b.texts]
    assert "perplexity 1" in a.get_title()


def test_words_errors(toy):
    with pytest.raises(PlotError):
        words_plot(toy, ["man"])
    with pytest.raises(PlotError):
        words_plot(toy, ["man", "king"], method="umap")
    from vecs.errors import UnknownWord

    with pytest.raises(UnknownWord):
        words_plot(toy, ["man", "kinng"])


# -- de-overlap ------------------------------------------------------------------------------
def test_crowded_labels_do_not_overlap(crowd):
    fig = words_plot(crowd, crowd.words, seed=0)
    ax = fig.axes[0]
    assert len(ax.texts) == 40
    assert count_overlaps(ax) == 0
    # the labels really moved off their points, and the far ones got leader lines
    assert _leaders(ax)
    # and every label is inside the axes
    r = fig.canvas.get_renderer()
    box = ax.get_window_extent(r)
    for t in ax.texts:
        e = t.get_window_extent(r)
        assert e.x0 >= box.x0 - 1 and e.x1 <= box.x1 + 1 and e.y0 >= box.y0 - 1 and e.y1 <= box.y1 + 1


def test_deoverlap_on_a_pile_of_labels():
    fig = new_figure(6, 4)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    texts = [ax.text(0.5, 0.5, f"label {i}") for i in range(25)]
    assert count_overlaps(ax) > 100  # all on top of each other
    left = deoverlap(ax, texts, anchors=np.full((25, 2), 0.5))
    assert left == 0 == count_overlaps(ax)
    # deterministic: the same pile lands the same way
    fig2 = new_figure(6, 4)
    ax2 = fig2.add_subplot()
    ax2.set_xlim(0, 1)
    ax2.set_ylim(0, 1)
    texts2 = [ax2.text(0.5, 0.5, f"label {i}") for i in range(25)]
    deoverlap(ax2, texts2, anchors=np.full((25, 2), 0.5))
    assert [t.get_position() for t in texts] == [t.get_position() for t in texts2]


# -- analogy ---------------------------------------------------------------------------------
def _arrow_ends(patch):
    return np.array(patch._posA_posB)  # where the arrow was asked to start and end


def test_analogy_with_the_models_answer(toy):
    fig = analogy_plot(toy, "man", "king", "woman")
    ax = fig.axes[0]
    xy = ax.collections[0].get_offsets()
    assert xy.shape == (4, 2)
    assert _labels(ax) == ["man", "king", "woman", "queen (model's answer)"]
    assert "(the model's answer)" in ax.get_title()
    arrows = {p.get_gid(): p for p in ax.patches}
    assert set(arrows) == {"ab", "cd"}
    assert np.allclose(_arrow_ends(arrows["ab"]), xy[[0, 1]])
    assert np.allclose(_arrow_ends(arrows["cd"]), xy[[2, 3]])
    assert ax.collections[1].get_offsets().shape == (1, 2)  # c + (b - a)


def test_analogy_exact_parallelogram_stays_one():
    # a = e1 + e3, b = e2 + e3, c = e1 + e4, d = e2 + e4: b - a = d - c, all the same length
    e = np.eye(5, dtype=np.float32)
    s = Space(["a", "b", "c", "d", "x"], np.stack([e[0] + e[2], e[1] + e[2], e[0] + e[3], e[1] + e[3], e[4]]))
    ax = analogy_plot(s, "a", "b", "c").axes[0]
    assert _labels(ax)[3] == "d (model's answer)"
    xy = np.asarray(ax.collections[0].get_offsets())
    assert np.allclose(xy[1] - xy[0], xy[3] - xy[2], atol=1e-6)  # the arrows are equal vectors
    assert xy[1, 0] > xy[0, 0] and xy[2, 1] > xy[0, 1]  # oriented: a→b right, a→c up
    assert np.allclose(ax.collections[1].get_offsets()[0], xy[3], atol=1e-6)  # c + b - a lands on d
    assert "explained 50% + 50%" in ax.get_title()


def test_analogy_with_given_d(toy):
    ax = analogy_plot(toy, "man", "king", "woman", "apple").axes[0]
    assert _labels(ax)[3] == "apple" and "model's answer" not in ax.get_title()
    with pytest.raises(PlotError, match="must differ"):
        analogy_plot(toy, "man", "king", "man", "queen")


# -- bias ------------------------------------------------------------------------------------
def test_bias_axes_are_projections(toy):
    from vecs.bias.direction import direction, projections

    pairs = [("woman", "man"), ("queen", "king")]
    words = ["apple", "banana", "car", "king", "queen"]
    fig = bias_plot(toy, words, pairs=pairs, labels=1)
    ax = fig.axes[0]
    xy = ax.collections[0].get_offsets()
    pr = projections(toy, words, direction(toy, pairs))
    got = dict(zip([p.word for p in pr.results], xy[:, 0]))
    for p in pr.results:
        assert got[p.word] == pytest.approx(p.score, abs=1e-6)
    assert len(ax.texts) == 2  # one label at each end
    assert "woman" in ax.get_xlabel() and "man" in ax.get_xlabel()


def test_bias_against_a_debiased_model(toy):
    pairs = [("woman", "man"), ("queen", "king")]
    d = bias_plot(toy, ["apple", "banana", "car"], pairs=pairs).axes
    assert len(d) == 1
    flat = toy.with_vectors(np.asarray(toy.vectors) * np.array([1, 1, 1, 1], dtype=np.float32), name="same")
    axes = bias_plot(toy, ["apple", "banana", "car"], pairs=pairs, against=flat).axes
    assert len(axes) == 2
    assert np.allclose(axes[0].collections[0].get_offsets(), axes[1].collections[0].get_offsets())
    other = Space(["apple"], np.ones((1, 3), dtype=np.float32), name="small")
    with pytest.raises(PlotError, match="dimensions"):
        bias_plot(toy, ["apple", "car"], pairs=pairs, against=other)


@pytest.mark.real
def test_bias_real_googlenews_before_after(googlenews):
    from vecs.bias.debias import hard_debias

    deb = hard_debias(googlenews)
    fig = bias_plot(googlenews, "professions", against=deb)
    a, b = (ax.collections[0].get_offsets() for ax in fig.axes)
    assert len(a) > 250 and a.shape == b.shape
    assert np.abs(b[:, 0]).mean() < np.abs(a[:, 0]).mean() / 3  # debiased: close to 0 on x
    assert all(count_overlaps(ax) == 0 for ax in fig.axes)
    assert "homemaker" in _labels(fig.axes[0])


# -- layers, similarity, lens (built from result objects: no transformer needed) -------------------
def _wordvectors(L=5, n=4, C=8):
    from vecs.contextual.extract import WordVectors

    rng = np.random.default_rng(1)
    base = rng.normal(size=(L, 1, C)).cumsum(0)
    v = base + 0.3 * rng.normal(size=(L, n, C))
    sents = [f"sentence number {i + 1} with bank" for i in range(n)]
    return WordVectors("bank", "fake", "mean", list(range(L)), sents, [], v.astype(np.float32),
                       np.zeros((L, C)), np.ones((L, C)), 3)


def test_layers_one_trajectory_per_sentence_coloured_by_group():
    wv = _wordvectors()
    fig = layers_plot(wv, groups=["money", "money", "river", "river"])
    ax = fig.axes[0]
    lines = [ln for ln in ax.lines if ln.get_gid() != "leader"]
    assert len(lines) == 4 and all(len(ln.get_xdata()) == 5 for ln in lines)
    pts = [c.get_offsets() for c in ax.collections]
    assert len(pts) == 4 and all(p.shape == (5, 2) for p in pts)
    assert np.allclose(np.column_stack([lines[0].get_xdata(), lines[0].get_ydata()]), pts[0])
    # layer numbers: every layer named, once per spot (points of one layer that lie together share one)
    assert set(_labels(ax)) == {str(k) for k in range(5)} and len(_labels(ax)) <= 5 * 4
    colours = [ln.get_color() for ln in lines]
    assert colours[0] == colours[1] != colours[2] == colours[3]
    assert count_overlaps(ax) == 0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("1 [money]: sentence number 1")
    with pytest.raises(PlotError):
        layers_plot(wv, groups=["a"])


def test_layers_many_layers_label_a_few():
    wv = _wordvectors(L=31, n=2)
    ax = layers_plot(wv, max_labels=8).axes[0]
    shown = sorted({int(t.get_text()) for t in ax.texts})
    assert shown[0] == 0 and shown[-1] == 30 and len(shown) <= 8
    assert count_overlaps(ax) == 0


def test_similarity_heatmap_cells():
    from vecs.contextual.polysemy import ContextResult

    m = [[1.0, 0.8, 0.3], [0.8, 1.0, 0.25], [0.3, 0.25, 1.0]]
    r = ContextResult("bank", "fake", "mean", False, [2, 4], 4, ["a bank", "the bank", "river bank"], [], [],
                      [np.eye(3).tolist(), m])
    ax = similarity_plot(r).axes[0]  # the default layer (4)
    assert np.allclose(ax.images[0].get_array(), m)
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for row in m for v in row]
    assert "layer 4" in ax.get_title()
    ax = similarity_plot(r, layer=2).axes[0]
    assert np.allclose(ax.images[0].get_array(), np.eye(3))
    from vecs.errors import ContextualError

    with pytest.raises(ContextualError):
        similarity_plot(r, layer=7)


# -- files -----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_save_formats_atomically(toy, tmp_path, suffix):
    fig = words_plot(toy, ["man", "king", "apple"])
    out = save(fig, tmp_path / f"map{suffix}")
    assert out.read_bytes().startswith(MAGIC[suffix])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"map{suffix}"]  # no temporary left
    assert out.stat().st_mode & 0o044  # readable by others as any file (umask 022), not 0600


def test_save_refuses_unknown_suffix(toy, tmp_path):
    fig = words_plot(toy, ["man", "king"])
    with pytest.raises(PlotError, match=r"\.png, \.svg or \.pdf"):
        save(fig, tmp_path / "map.jpg")
    with pytest.raises(PlotError, match="no such folder"):
        save(fig, tmp_path / "nope" / "map.png")


def test_same_seed_same_png(toy, tmp_path):
    a = save(words_plot(toy, toy.words, seed=5), tmp_path / "a.png").read_bytes()
    b = save(words_plot(toy, toy.words, seed=5), tmp_path / "b.png").read_bytes()
    assert a == b


# -- the commands ----------------------------------------------------------------------------
def test_cli_plot_words(toy_model, tmp_path, monkeypatch):
    out = tmp_path / "w.svg"
    r = runner.invoke(app, ["plot", "words", "man", "king", "apple", "-m", toy_model, "--neighbours", "1",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == str(out) and out.read_bytes().startswith(b"<?xml")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["plot", "words", "man", "king", "--method", "tsne", "-m", toy_model, "--json"])
    assert r.exit_code == 1 and "at least three" in r.output
    r = runner.invoke(app, ["plot", "words", "man", "king", "woman", "--method", "tsne", "-m", toy_model, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"kind": "words", "path": "vecs-words.png"}
    assert (tmp_path / "vecs-words.png").read_bytes().startswith(MAGIC[".png"])


def test_cli_plot_analogy(toy_model, tmp_path):
    out = tmp_path / "a.pdf"
    r = runner.invoke(app, ["plot", "analogy", "man", "king", "woman", "-m", toy_model, "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF-")
    before = out.read_bytes()
    r = runner.invoke(app, ["plot", "analogy", "man", "king", "wman", "-m", toy_model, "-o", str(out), "--force"])
    assert r.exit_code == 1 and "unknown word 'wman'" in r.output and "woman" in r.output
    assert out.read_bytes() == before  # a failed plot leaves the old image as it was


def test_cli_plot_errors(toy_model, tmp_path):
    r = runner.invoke(app, ["plot", "words", "man", "king", "-m", toy_model, "-o", str(tmp_path / "x.gif")])
    assert r.exit_code == 1 and "Traceback" not in r.output and ".png" in r.output
    r = runner.invoke(app, ["plot", "layers", "bank", "--group"])
    assert r.exit_code == 1 and "--group needs a name" in r.output
    r = runner.invoke(app, ["plot", "layers", "bank", "A bank.", "--group", "x", "The bank."])
    assert r.exit_code == 1 and "before any --group" in r.output
    r = runner.invoke(app, ["plot", "layers", "bank", "-m", "no-such-model"])
    assert r.exit_code == 1 and "no sentences given" in r.output  # before any model is loaded


def test_cli_sentence_groups_parser():
    from cli.options import parse_groups

    assert parse_groups(["a", "b"], "plot layers") == (["a", "b"], None)
    assert parse_groups(["--group", "money", "a", "b", "--group=river", "c"], "plot layers") == (
        ["a", "b", "c"], ["money", "money", "river"])


def test_cli_plot_option_letters(toy_model, tmp_path):
    # --list is long-only (-l is --layer elsewhere); --neighbours keeps -k (a count)
    r = runner.invoke(app, ["plot", "bias", "-l", "professions", "-m", toy_model])
    assert r.exit_code == 2 and "No such option" in r.output
    out = tmp_path / "w.svg"
    r = runner.invoke(app, ["plot", "words", "man", "king", "-k", "1", "-m", toy_model, "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"kind": "words", "path": str(out)}


@pytest.mark.real
def test_cli_plot_bias_real(tmp_path):
    out = tmp_path / "bias.png"
    r = runner.invoke(app, ["plot", "bias", "--list", "professions", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(MAGIC[".png"])


@pytest.mark.real
def test_cli_plot_layers_and_similarity_minilm(tmp_path):
    pytest.importorskip("torch")
    money = ["I paid the cheque in at the bank.", "The bank lent us money."]
    river = ["We sat on the bank of the river.", "The river bank flooded."]
    out = tmp_path / "layers.png"
    r = runner.invoke(app, ["plot", "layers", "bank", "--group", "money", *money, "--group", "river", *river,
                            "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["path"] == str(out) and out.read_bytes().startswith(MAGIC[".png"])
    out = tmp_path / "sim.svg"
    r = runner.invoke(app, ["plot", "similarity", "bank", *money, *river, "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["layer"] == 5  # minilm's default layer
    # the same library call, inspected: the money pair is closer than money-river
    from vecs.contextual.polysemy import context_similarities

    res = context_similarities("minilm", "bank", money + river)
    ax = similarity_plot(res).axes[0]
    m = ax.images[0].get_array()
    assert m[0, 1] > m[0, 2]


@pytest.mark.real
@pytest.mark.slow
def test_cli_plot_lens_smollm2(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "lens.png"
    r = runner.invoke(app, ["plot", "lens", "The capital of Poland is", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(MAGIC[".png"])
