"""`vecs context` and `vecs senses` on Chinese words: the model chosen for them, the alignment
shown, the warnings (one line each on stderr, a field in --json), an entirely unknown word as
one error line."""

from __future__ import annotations

import json

import pytest
from helpers import fails, ok

YANGLIU_ON_MINILM = "error: '杨柳' is entirely unknown to minilm in sentence"


@pytest.mark.real
def test_senses_example_of_an_unknown_word_is_one_error_line():
    assert fails(["senses", "杨柳", "--example", "-m", "minilm"]).startswith(YANGLIU_ON_MINILM)
    assert fails(["context", "输", "这场足球比赛中，输了", "他又输了", "-m", "minilm"]).startswith(
        "error: '输' is entirely unknown to minilm")


@pytest.mark.real
def test_senses_example_yangliu_defaults_to_gemma3_and_says_so():
    r = ok(["senses", "杨柳", "--example", "--standardize"])
    assert "model gemma3 chosen for '杨柳'" in r.stdout and "Largest gap at layer" in r.stdout
    assert "within plant" in r.stdout and "L18" in r.stdout
    d = json.loads(ok(["senses", "杨柳", "--example", "--json"]).stdout)
    assert d["model"] == "gemma3" and "gemma3" in d["model_note"] and d["warnings"] == []
    assert d["groups"] == {"plant": 6, "farewell": 6, "name": 6}


@pytest.mark.real
def test_context_shu_on_gemma3_shows_the_alignment_and_the_shared_token():
    args = ["context", "输", "这场足球比赛中，输了", "我想在这个单元格中输入数据", "-m", "gemma3"]
    r = ok(args)
    assert "word → gemma3 tokens" in r.stdout and "输入" in r.stdout
    assert r.stderr.strip() == ("warning: '输' shares a token with the characters around it in gemma3 (输入) in "
                                "sentence 2: its vector is that longer token's")
    d = json.loads(ok(args + ["--json"]).stdout)
    assert [a["tokens"] for a in d["alignments"]] == [["输"], ["输入"]] and len(d["warnings"]) == 1


@pytest.mark.real
def test_byte_pieces_are_one_warning_line_and_a_json_field():
    args = ["context", "杨柳", "我的同学杨柳住在学校旁边。", "河边的杨柳发芽了。", "-m", "smollm2"]
    r = ok(args)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: '杨柳' falls apart into byte pieces in smollm2")
    d = json.loads(ok(args + ["--json"]).stdout)
    assert d["alignments"][0]["byte_pieces"] == 5 and "byte pieces" in d["warnings"][0]
