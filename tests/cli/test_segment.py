"""`--segment` and `--user-dict` on `vecs corpus show` and `vecs train word2vec`: the words cut as
asked, the note when jieba is missing, bad input in one line."""

from __future__ import annotations

import json

import pytest

from tests.helpers import fails, ok

import vecs.corpus.segment as seg_mod

TEXT = "这场足球比赛中，输了。我想在这个单元格中输！\nThe end.\n" * 3


@pytest.fixture
def zh(tmp_path):
    p = tmp_path / "zh.txt"
    p.write_text(TEXT, encoding="utf-8")
    return p


@pytest.fixture
def user_dict(tmp_path):
    p = tmp_path / "user.dict"
    p.write_text("单元格\n中输 0\n", encoding="utf-8")
    return p


def _words(args) -> dict:
    return {w["word"]: w["count"] for w in json.loads(ok(args).stdout)["top"]}


def test_corpus_show_segments_as_asked(zh):
    assert set(_words(["corpus", "show", str(zh), "--segment", "char", "-k", "100", "--json"])) >= {"足", "球", "输"}
    assert "这场足球比赛中" in _words(["corpus", "show", str(zh), "--segment", "space", "-k", "100", "--json"])


def test_corpus_show_with_jieba_and_a_user_dictionary(zh, user_dict):
    pytest.importorskip("jieba")
    plain = _words(["corpus", "show", str(zh), "--segment", "jieba", "-k", "100", "--json"])
    assert "足球比赛" in plain and plain["中输"] == 3
    fixed = _words(["corpus", "show", str(zh), "--user-dict", str(user_dict), "-k", "100", "--json"])
    assert "中输" not in fixed and fixed["输"] == 6 and fixed["单元格"] == 3


def test_auto_without_jieba_says_so_in_one_line(zh, monkeypatch):
    monkeypatch.setattr(seg_mod, "jieba_installed", lambda: False)
    r = ok(["corpus", "show", str(zh), "--json"])
    assert r.stderr.strip() == f"note: {seg_mod.NO_JIEBA}"
    assert json.loads(r.stdout)["segmented"] == {"char": 6, "space": 3}
    msg = fails(["corpus", "show", str(zh), "--segment", "jieba"])
    assert "vecs[zh]" in msg


def test_bad_segment_and_user_dictionaries_are_one_line(zh, tmp_path):
    assert "unknown segmenter 'words'" in fails(["corpus", "show", str(zh), "--segment", "words"])
    assert "cannot read it" in fails(["corpus", "show", str(zh), "--user-dict", str(tmp_path / "none.txt")])
    bad = tmp_path / "bad.dict"
    bad.write_text("单元格 many words here\n", encoding="utf-8")
    assert "line 1: expected 'word [freq] [tag]'" in fails(["corpus", "show", str(zh), "--user-dict", str(bad)])
    assert "unknown segmenter" in fails(["train", "word2vec", str(zh), "--name", "x", "--segment", "words"])


def test_train_word2vec_takes_the_segmenter(zh, monkeypatch):
    monkeypatch.setattr(seg_mod, "jieba_installed", lambda: False)
    r = ok(["train", "word2vec", str(zh), "--name", "zhc", "--min-count", "1", "--epochs", "1", "--workers", "1",
            "--dim", "8", "--json"])
    assert r.stderr.strip().endswith(f"note: {seg_mod.NO_JIEBA}")
    out = json.loads(r.stdout)
    assert out["params"]["segment"] == "auto" and out["words"] == len(set("这场足球比赛中输了我想在这个单元格")) + 2
    r = ok(["train", "word2vec", str(zh), "--name", "zhs", "--segment", "space", "--min-count", "1", "--epochs", "1",
            "--workers", "1", "--dim", "8", "--json"])
    assert json.loads(r.stdout)["params"]["segment"] == "space" and "note" not in r.stderr


def test_train_word2vec_with_jieba_and_a_user_dictionary(zh, user_dict):
    pytest.importorskip("jieba")
    r = ok(["train", "word2vec", str(zh), "--name", "zhj", "--segment", "jieba", "--user-dict", str(user_dict),
            "--min-count", "1", "--epochs", "1", "--workers", "1", "--dim", "8"])
    assert "try: vecs neighbours" in r.stdout
    from vecs.io.store import load

    words = set(load("zhj").words)
    assert {"足球比赛", "单元格", "中", "输"} <= words and "中输" not in words
