"""`vecs plot bias --pairs`: the direction from the Chinese definitional pairs, on real Chinese vectors."""

from __future__ import annotations

import json

import pytest

from helpers import runner


@pytest.mark.real
def test_plot_bias_takes_chinese_pairs_and_lists(tmp_path):
    from cli.main import app

    out = tmp_path / "b.png"
    res = runner.invoke(app, ["plot", "bias", "-m", "zh-vectors", "--list", "zh-professions",
                              "--pairs", "zh-definitional", "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 1000 and json.loads(res.stdout)["path"] == str(out)
    res = runner.invoke(app, ["plot", "bias", "-m", "zh-vectors", "--list", "zh-professions", "-o",
                              str(tmp_path / "c.png")])
    assert res.exit_code == 1 and len(res.stderr.strip().splitlines()) == 1  # English pairs: not in the vocabulary
