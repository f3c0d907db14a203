"""The analogy quiz in Chinese: questions drawn from the shipped zh-analogy-dev set."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs import Space

runner = CliRunner()


def run(args, input=None):
    r = runner.invoke(app, ["quiz", *args], input=input)
    assert r.exit_code == 0, (r.stdout, r.stderr, r.exception)
    return r


@pytest.fixture
def zh_model():
    """男人 : 女人 :: 国王 : 王后 exactly, and 巴黎 : 法国 :: 柏林 : 德国 (offsets along axes)."""
    from vecs.io.store import save

    d = {"男人": [1, 0, 0, 0], "女人": [0, 1, 0, 0], "国王": [1, 0, 1, 0], "王后": [0, 1, 1, 0],
         "巴黎": [0, 0, 0, 1], "法国": [0, 0, 0.5, 1], "柏林": [1, 1, 0, 1], "德国": [1, 1, 0.5, 1],
         "苹果": [0.1, 0.1, -1, 0]}
    save(Space(list(d), np.array(list(d.values()), dtype=np.float32), name="zh"), "zh")
    return "zh"


def test_questions_from_the_chinese_dev_set_by_name():
    from vecs.quiz.questions import load_questions

    qs = load_questions(None, "zh-analogy-dev")
    assert qs.dataset == "zh-analogy-dev" and qs.total == len(qs.questions) == 66
    assert qs.questions[0].prompt == "巴黎 : 法国 :: 柏林 : ?" and qs.questions[0].d == "德国"
    assert [c.section for c in qs.sections][:2] == ["capital-country", "family-gender"]


def test_cli_quiz_answer_key_in_chinese(zh_model):
    d = json.loads(run(["-d", "zh-analogy-dev", "-m", zh_model, "--mode", "model", "--json"]).stdout)
    asked = {(r["a"], r["b"], r["c"], r["expected"]) for r in d["records"]}
    assert asked == {("巴黎", "法国", "柏林", "德国"), ("男人", "女人", "国王", "王后")}
    assert d["skipped"] == 64 and d["model_score"]["correct"] == 2


def test_cli_quiz_you_answer_in_chinese(zh_model):
    d = json.loads(run(["-d", "zh-analogy-dev", "-m", zh_model, "--section", "family", "--json"],
                       input="王后\n").stdout)
    (rec,) = d["records"]
    assert rec["expected"] == "王后" and rec["correct"] and not rec["typo"]
    r = run(["-d", "zh-analogy-dev", "-m", zh_model, "--section", "capital"], input="法国\n")
    assert "柏林 : ?" in r.stdout and "德国" in r.stdout and "wrong" in r.stdout


@pytest.mark.real
def test_zh_vectors_answer_key_on_the_dev_set():
    d = json.loads(run(["-d", "zh-analogy-dev", "-m", "zh-vectors", "--mode", "model", "-q", "66", "--seed", "0",
                        "--json"]).stdout)
    assert d["skipped"] == 0 and d["asked"] == 66
    assert d["model_score"]["correct"] == 39  # as `vecs eval analogies -d zh-analogy-dev` counts
