"""The logit-lens grid as a picture (vecs/plot/lens.py), checked through the matplotlib objects:
the image's values, the cell texts, the axes, the sizes of the fonts and of the figure."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import fails, ok
from vecs.inside.lens import Guess, LensResult, track
from vecs.inside.tokens import Target
from vecs.plot.canvas import notes
from vecs.plot.lens import FONT, MAX_POSITIONS, lens_plot


def result(T: int, L: int, target: bool = False) -> LensResult:
    """A hand-made lens: position t at layer k guesses ·g{t}_{k} with probability (k + 1) / (L + 1);
    the target's rank there is 1 + t * k."""
    layers = list(range(L))
    tokens = [f"·t{i}" for i in range(T)]
    guesses = [[[Guess(f" g{t}_{k}", (k + 1) / (L + 1), rank=1)] for t in range(T)] for k in layers]
    r = LensResult("fake", "a prompt", tokens, layers, guesses, 1, vocab=50000)
    if target:
        r.target = Target("x", 7, ["·x"])
        r.tracks = [track(t, tokens[t], layers, [1 + t * k for k in layers], [0.5] * L) for t in range(T)]
    return r


def test_cells_hold_the_top_guess_and_the_image_its_probability():
    r = result(3, 4)
    ax = lens_plot(r).axes[0]
    assert np.allclose(ax.images[0].get_array(), [[(k + 1) / 5] * 3 for k in range(4)])
    assert [t.get_text() for t in ax.texts] == [f"·g{t}_{k}" for k in range(4) for t in range(3)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["·t0", "·t1", "·t2"]
    assert ax.get_ylabel() == "layer" and "fake" in ax.get_title()


def test_with_a_target_the_colour_is_its_log_rank_and_each_cell_says_the_rank():
    r = result(3, 4, target=True)
    ax = lens_plot(r).axes[0]
    ranks = np.array([[1 + t * k for t in range(3)] for k in range(4)], dtype=float)
    assert np.allclose(ax.images[0].get_array(), np.log10(ranks))
    assert [t.get_text() for t in ax.texts] == [f"·g{t}_{k}\n#{1 + t * k}" for k in range(4) for t in range(3)]
    assert "rank of ·x" in ax.get_title()
    assert ax.images[0].get_clim() == (0.0, pytest.approx(np.log10(50000)))


def test_long_guesses_are_cut_to_a_fixed_width():
    r = result(2, 2)
    r.guesses[0][0][0] = Guess(" extraordinarily", 0.5)
    texts = [t.get_text() for t in lens_plot(r).axes[0].texts]
    assert texts[0] == "·extrao~" and all(len(t) <= 8 for t in texts)


def test_every_text_is_readable_at_the_saved_size_and_the_figure_grows():
    small, big = lens_plot(result(4, 6)), lens_plot(result(12, 31, target=True))
    for fig in (small, big):
        ax = fig.axes[0]
        assert all(t.get_fontsize() >= 9 for t in ax.texts) and ax.texts[0].get_fontsize() == FONT
        assert all(t.get_fontsize() >= 9 for t in ax.get_xticklabels() + ax.get_yticklabels())
    w0, h0 = small.get_size_inches()
    w1, h1 = big.get_size_inches()
    assert w1 > w0 + 6 and h1 > h0 + 8
    # cells stay large enough for their text
    ax = big.axes[0]
    box = ax.get_position()
    assert box.width * w1 / 12 >= 0.6 and box.height * h1 / 31 >= 0.3


def test_the_layer_axis_is_labelled_every_few_layers():
    ax = lens_plot(result(3, 31)).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(k) for k in range(0, 31, 2)]
    ax = lens_plot(result(3, 8)).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(k) for k in range(8)]


def test_a_long_prompt_shows_its_last_positions():
    T = 500
    fig = lens_plot(result(T, 3))
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (3, MAX_POSITIONS)
    assert ax.get_xticklabels()[-1].get_text() == "·t499" and len(ax.texts) == 3 * MAX_POSITIONS
    assert notes(fig) == [f"the last {MAX_POSITIONS} of {T} positions"]
    assert fig.get_size_inches()[0] < 60


# -- vecs plot lens --------------------------------------------------------------------------------
@pytest.fixture
def tiny(monkeypatch):
    pytest.importorskip("torch")
    from inside.conftest import make_gpt

    m = make_gpt()
    monkeypatch.setattr("vecs.inside.lens.load_model", lambda spec, progress=None: m)
    return m


def test_cli_plot_lens_with_a_target(tiny, tmp_path):
    out = tmp_path / "lens.png"
    res = ok(["plot", "lens", "we sat on the river", "-t", "bank", "-o", str(out)])
    assert out.read_bytes().startswith(b"\x89PNG") and res.stdout.strip() == str(out)
    res = ok(["plot", "lens", "we sat on the river", "-t", "river bank", "-o", str(out), "--force", "--json"])
    d = json.loads(res.stdout)
    assert d["notes"] == ["'river bank' is 2 tokens in tiny (river + bank): following the first, 'river'"]


def test_cli_plot_lens_bad_target_is_one_line(tiny, tmp_path):
    assert fails(["plot", "lens", "we sat", "-t", "", "-o", str(tmp_path / "x.png")]) == "error: the target is empty"
    assert not (tmp_path / "x.png").exists()
