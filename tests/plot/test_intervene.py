"""The ablation bars and the causal-tracing heatmap (vecs.plot.intervene), read back through the
matplotlib objects; and `vecs plot ablate` / `vecs plot patch` writing their files."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from helpers import fails, ok  # noqa: E402
from tests.inside.constructed import constructed_gpt  # noqa: E402

from vecs.plot.intervene import WORST_COLOUR, ablate_plot, patch_plot  # noqa: E402


@pytest.fixture(scope="module")
def tiny():
    return constructed_gpt()


def test_ablate_bars_are_the_changes_and_the_worst_is_red(tiny):
    from matplotlib.colors import to_hex

    from vecs.inside.ablate import ablate

    r = ablate(tiny, "the bank is a", "money", component="head")
    fig = ablate_plot(r)
    ax = fig.axes[0]
    bars = ax.patches
    assert [b.get_height() for b in bars] == pytest.approx([a.change for a in r.rows])
    worst = r.rows.index(r.worst)
    assert [to_hex(b.get_facecolor()) for b in bars].count(WORST_COLOUR) == 1
    assert to_hex(bars[worst].get_facecolor()) == WORST_COLOUR
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1.0", "1.1", "2.0", "2.1"]
    assert "money" in ax.get_title() and "log p(money)" in ax.get_ylabel()


def test_patch_heatmap_holds_the_grid_with_token_labels(tiny):
    from vecs.inside.patch import patch

    r = patch(tiny, "the bank is", "the river is", "money")
    ax = patch_plot(r).axes[0]
    assert np.asarray(ax.images[0].get_array()) == pytest.approx(np.array(r.probs))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["the", "bank/river", "is"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2"]
    assert len(ax.texts) == 9 and ax.texts[0].get_text() == f"{r.probs[0][0]:.2f}"
    restored = patch_plot(r, restored=True).axes[0]
    assert np.asarray(restored.images[0].get_array())[0, 1] == pytest.approx(1.0, abs=1e-4)
    lo, hi = restored.images[0].get_clim()
    assert lo == -hi  # 0 (as corrupted) in the middle of the colour map


def test_plot_commands_write_their_files(tiny, tmp_path, monkeypatch):
    from vecs.contextual.load import LOADED

    monkeypatch.setitem(LOADED, "tiny", tiny)
    out = tmp_path / "a.png"
    data = json.loads(ok(["plot", "ablate", "the bank is a", "-t", "money", "-m", "tiny", "-o", str(out),
                          "--json"]).stdout)
    assert out.stat().st_size > 0 and data["worst"] == "2"
    out = tmp_path / "p.svg"
    ok(["plot", "patch", "the bank is", "the river is", "-t", "money", "-m", "tiny", "-o", str(out), "--restored"])
    assert out.stat().st_size > 0
    assert "same number of tokens" in fails(["plot", "patch", "the bank", "the river is", "-t", "money", "-m",
                                             "tiny", "-o", str(tmp_path / "q.png")])
