"""The Chinese bias word lists (zh-definitional, zh-equalize, zh-professions, zh-gender-specific):
named like the English ones, usable by every `vecs bias` command, and their figures on zh-vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import fails, ok
from vecs import Space
from vecs.util import has_unspaced


def test_chinese_lists_by_name():
    from vecs.bias.wordlists import LIST_NAMES, PAIR_NAMES, load_list, load_pairs

    assert {"zh-professions", "zh-gender-specific"} <= set(LIST_NAMES)
    assert {"zh-definitional", "zh-equalize"} <= set(PAIR_NAMES)
    dfn = load_pairs("zh-definitional")
    assert len(dfn) == 10 and dfn[0] == ("她", "他")  # female first, as Bolukbasi's
    for pair in [("女人", "男人"), ("母亲", "父亲"), ("女儿", "儿子"), ("妻子", "丈夫"), ("姐妹", "兄弟"),
                 ("王后", "国王"), ("女士", "先生")]:
        assert pair in dfn
    prof = load_list("zh-professions")
    assert {"医生", "护士", "工程师", "教师", "秘书", "司机"} <= set(prof)
    assert len(prof) == len(set(prof)) >= 60
    # a named pair list read as a list: both words of every pair
    assert load_list("zh-definitional")[:2] == ["她", "他"]


def test_chinese_professions_are_not_gender_specific_and_all_chinese():
    from vecs.bias.wordlists import load_list, load_pairs

    specific = set(load_list("zh-gender-specific"))
    pair_words = {w for name in ("zh-definitional", "zh-equalize") for p in load_pairs(name) for w in p}
    assert pair_words <= specific and {"太太", "妇女"} <= specific
    assert not specific & set(load_list("zh-professions"))
    assert all(has_unspaced(w) for w in specific | set(load_list("zh-professions")))
    eq = load_pairs("zh-equalize")
    assert len({w for p in eq for w in p}) == 2 * len(eq)  # each word equalised once


def test_misspelt_chinese_list_name_is_suggested():
    from vecs.bias.wordlists import load_list
    from vecs.errors import DatasetError

    with pytest.raises(DatasetError, match="did you mean 'zh-professions'"):
        load_list("zh-profesions")


@pytest.fixture
def zh_model():
    """The gender direction is x: female words +x, male words -x; 护士 leans female, 工程师 male."""
    from vecs.io.store import save

    d = {"她": [1, 0, 0], "他": [-1, 0, 0], "女人": [1, 1, 0], "男人": [-1, 1, 0],
         "护士": [0.5, 0, 1], "工程师": [-0.5, 0, 1], "医生": [0, 0, 1]}
    save(Space(list(d), np.array(list(d.values()), dtype=np.float32), name="zh"), "zh")
    return "zh"


def test_cli_bias_project_and_direction_in_chinese(zh_model):
    out = json.loads(ok(["bias", "project", "-m", zh_model, "--list", "zh-professions",
                         "--pairs", "zh-definitional", "--json"]).stdout)
    assert [r["word"] for r in out["results"]] == ["护士", "医生", "工程师"]
    assert out["positive"] == "她" and out["negative"] == "他"
    assert "秘书" in out["missing"]
    d = json.loads(ok(["bias", "direction", "-m", zh_model, "--pairs", "zh-definitional", "--json"]).stdout)
    assert d["along"] == pytest.approx(1.0) and len(d["pairs"]) == 2
    r = ok(["bias", "project", "护士", "工程师", "-m", zh_model, "--pairs", "zh-definitional"])
    assert "护士" in r.stdout and "她" in r.stdout


def test_cli_unknown_chinese_list_is_one_line(zh_model):
    assert "zh-professions" in fails(["bias", "project", "-m", zh_model, "--list", "zh-profesions",
                                      "--pairs", "zh-definitional"])


@pytest.mark.real
def test_zh_vectors_gender_direction_and_professions():
    from vecs.bias.direction import direction, projections
    from vecs.resolve import resolve

    space = resolve("zh-vectors")
    d = direction(space, "zh-definitional")
    assert not d.missing and d.explained_variance[0] == pytest.approx(0.4958, abs=1e-3)
    p = projections(space, "zh-professions", "zh-definitional")
    score = {r.word: r.score for r in p.results}
    # measured: 护士 (nurse) leans furthest to 她, 将军 (general) to 他; 工程师 (engineer) on the 他 side
    assert p.results[0].word == "护士" and score["护士"] == pytest.approx(0.4144, abs=1e-3)
    assert p.results[-1].word == "将军" and score["工程师"] < 0
    assert sorted(p.missing) == sorted(["收银员", "快递员", "护工"])
