"""Every static query in Chinese: neighbours, analogy, calc, similarity, odd-one-out, on a tiny
hand-made space (words without spaces, the calc language included) and on zh-vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import fails, ok
from vecs import Space


@pytest.fixture
def zh_model():
    """国王 - 男人 + 女人 = 王后 exactly; 苹果 and 香蕉 close, 汽车 far."""
    from vecs.io.store import save

    d = {"男人": [1, 0, 0, 0.1], "女人": [0, 1, 0, 0.1], "国王": [1, 0, 1, 0.1], "王后": [0, 1, 1, 0.1],
         "苹果": [0, 0, 0.1, 1], "香蕉": [0.1, 0, 0.1, 1], "汽车": [0.5, 0.5, 0, -1]}
    save(Space(list(d), np.array(list(d.values()), dtype=np.float32), name="zh"), "zh")
    return "zh"


def test_cli_static_queries_in_chinese(zh_model):
    m = ["-m", zh_model, "--json"]
    assert json.loads(ok(["analogy", "男人", "国王", "女人", *m]).stdout)["results"][0]["word"] == "王后"
    assert json.loads(ok(["calc", "国王 - 男人 + 女人", *m]).stdout)["results"][0]["word"] == "王后"
    assert json.loads(ok(["neighbours", "苹果", *m]).stdout)["results"][0]["word"] == "香蕉"
    assert json.loads(ok(["odd-one-out", "苹果", "香蕉", "汽车", *m]).stdout)["word"] == "汽车"
    r = ok(["similarity", "苹果", "香蕉", "-m", zh_model])
    assert "苹果" in r.stdout and "香蕉" in r.stdout


def test_cli_unknown_chinese_word_suggests_shared_characters(zh_model):
    msg = fails(["neighbours", "国王们", "-m", zh_model])
    assert "unknown word '国王们'" in msg and "did you mean '国王'" in msg
    assert "'王后'" in fails(["calc", "王后们 - 女人", "-m", zh_model])


@pytest.mark.real
def test_zh_vectors_answer_the_issues_examples():
    from vecs.resolve import resolve
    from vecs.static.query import analogy, neighbours

    s = resolve("zh-vectors")
    near = [r.word for r in neighbours(s, "杨柳", k=6).results]
    assert near[:5] == ["垂柳", "柳枝", "柳絮", "柳树", "依依"]
    king = analogy(s, "男人", "国王", "女人", k=1).results[0]
    assert king.word == "王后" and king.score == pytest.approx(0.8122, abs=1e-3)
    assert analogy(s, "巴黎", "法国", "柏林", k=1).results[0].word == "德国"
