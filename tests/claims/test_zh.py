"""The Chinese claims on small constructed spaces (verdicts by hand), and the Chinese tour end to
end without downloads (its resources replaced by a constructed space)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs import Space
from vecs.claims import zh

runner = CliRunner()


def _space(rows: dict[str, list[float]], name="zh-toy") -> Space:
    return Space(list(rows), np.array(list(rows.values()), dtype=np.float32), name=name)


WORDS = {
    "杨柳": [1, 0, 0, 0, 0.1], "垂柳": [0.95, 0.05, 0, 0, 0.1], "柳枝": [0.9, 0.1, 0, 0, 0.1],
    "春风": [0.7, 0.3, 0, 0, 0], "狮子头": [0, 1, 0, 0, 0], "红烧": [0, 0.95, 0.1, 0, 0],
    "狮子": [0, 0.2, 1, 0, 0], "男人": [0, 0, 0, 1, 0], "女人": [0, 0, 0, 1, 1], "国王": [0.3, 0, 0.3, 1, 0],
    "王后": [0.3, 0, 0.3, 1, 1], "北京": [0.5, 0.5, 0.5, 0, 0], "上海": [0.5, 0.5, 0.45, 0, 0],
    "广州": [0.5, 0.45, 0.5, 0, 0], "天津": [0.45, 0.5, 0.5, 0, 0],
}


def test_willow_holds_when_two_plant_words_are_neighbours():
    o = zh.willow(_space(WORDS))
    assert o.verdict == "held" and o.data["plant"] == ["垂柳", "柳枝"]
    o = zh.willow(_space({k: v for k, v in WORDS.items() if k != "柳枝"}))
    assert o.verdict == "partly"


def test_lion_head_is_a_dish_only_without_animals_among_the_neighbours():
    o = zh.lion_head(_space(WORDS))
    assert o.data["food"] == ["红烧"] and o.data["animal"] == ["狮子"]
    assert o.verdict == "partly"  # a dish near, but the lion too
    o = zh.lion_head(_space({k: v for k, v in WORDS.items() if k != "狮子"}))
    assert o.verdict == "held"


def test_analogies_and_missing_words():
    assert zh.king(_space(WORDS)).verdict == "held"
    o = zh.paris(_space(WORDS))
    assert o.held is None and "巴黎" in o.number
    assert sorted(zh.beijing(_space(WORDS)).data["cities"][:3]) == sorted(["上海", "广州", "天津"])


def test_chinese_tour_runs_on_a_constructed_space_and_speaks_chinese(monkeypatch, tmp_path):
    from vecs.claims import zh_tour

    toy = _space(WORDS)
    monkeypatch.setattr("vecs.resolve.resolve", lambda spec, progress=None: toy)
    monkeypatch.setattr(zh_tour, "self_trained", lambda corpus, name, params, progress=None:
                        (toy, {"name": name, "params": params, "seconds": 0.0, "reused": True}))
    res = runner.invoke(app, ["tour", "--lang", "zh", "--no-contextual", "--out", str(tmp_path / "t")])
    assert res.exit_code == 0, res.output
    assert "中文导览" in res.stdout and "成立" in res.stdout and "判据" in res.stdout
    assert "需要 contextual 扩展" in res.stdout  # the model claims say what to install
    res = runner.invoke(app, ["tour", "--lang", "zh", "--no-contextual", "--out", str(tmp_path / "t"), "--json"])
    r = json.loads(res.stdout)
    steps = {s["key"]: s for s in r["steps"]}
    assert steps["willow"]["outcomes"][0]["verdict"] == "held"
    assert steps["shu"]["outcomes"][0]["verdict"] == "n/a"
    assert (tmp_path / "t" / "words-zh.png").stat().st_size > 1000


def test_tour_language_follows_vecs_lang_and_refuses_unknown(monkeypatch):
    from cli.tour import _lang_default

    monkeypatch.setenv("VECS_LANG", "zh_CN.UTF-8")
    assert _lang_default() == "zh"
    monkeypatch.setenv("VECS_LANG", "en")
    assert _lang_default() == "en"
    res = runner.invoke(app, ["tour", "--lang", "fr"])
    assert res.exit_code == 1 and "unknown tour language 'fr'" in res.stderr


@pytest.mark.real
def test_chinese_model_claims_on_gemma3():
    from vecs.contextual.load import load_model

    m = load_model("gemma3")
    o = zh.shu(m)
    d = o.data
    assert o.held is (d["football"]["球"] < d["football"]["入"] and d["sheet"]["入"] < d["sheet"]["球"])
    assert d["football"]["球"] == 2 and d["sheet"]["入"] == 3  # measured: 球 #2 after the match, 入 #3 in the sheet
