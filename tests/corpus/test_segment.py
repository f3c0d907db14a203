"""Word segmentation (vecs.corpus.segment): char, jieba, user dictionaries, auto by script, CJK
punctuation and full-width forms, and English unchanged."""

from __future__ import annotations

import pytest

import vecs.corpus.segment as seg_mod
from vecs.corpus.reader import open_corpus
from vecs.corpus.segment import NO_JIEBA, Segmenter, has_cjk, read_user_dict, segment
from vecs.corpus.tokenize import tokenize
from vecs.errors import CorpusError, MissingExtra

FOOTBALL = "这场足球比赛中，输"
SHEET = "我想在这个单元格中输"


@pytest.fixture
def no_jieba(monkeypatch):
    monkeypatch.setattr(seg_mod, "jieba_installed", lambda: False)


def test_char_splits_cjk_runs_into_characters():
    assert segment(FOOTBALL, "char") == ["这", "场", "足", "球", "比", "赛", "中", "输"]
    # other text in the sentence follows the tokeniser's rule
    assert segment("我用Python写了don't stop", "char") == ["我", "用", "python", "写", "了", "don't", "stop"]


def test_jieba_cuts_words():
    pytest.importorskip("jieba")
    assert segment(FOOTBALL, "jieba") == ["这场", "足球比赛", "中", "输"]
    assert segment(SHEET, "jieba") == ["我", "想", "在", "这个", "单元格", "中输"]


def test_a_user_dictionary_fixes_a_cut(tmp_path):
    pytest.importorskip("jieba")
    d = tmp_path / "user.dict"
    d.write_text("单元格 5 n\n\n中输 0\n", encoding="utf-8")
    s = Segmenter("jieba", d)
    assert s(SHEET) == ["我", "想", "在", "这个", "单元格", "中", "输"]
    assert s(FOOTBALL) == ["这场", "足球比赛", "中", "输"]
    # the dictionary is the segmenter's own: another one still cuts as jieba does
    assert Segmenter("jieba")(SHEET)[-1] == "中输"
    assert s.key() != Segmenter("jieba").key()


def test_user_dictionary_format_is_checked(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("\ufeff云计算\n韩玉赏鉴 3 nz\n台中 0\n创新办 n\n", encoding="utf-8")
    assert read_user_dict(good) == [("云计算", None, None), ("韩玉赏鉴", 3, "nz"), ("台中", 0, None),
                                    ("创新办", None, "n")]
    for text, what in [("word 1 n extra\n", r"line 1: expected 'word \[freq\] \[tag\]'"),
                       ("ok\nword -3\n", "line 2: expected"), ("word 2 NN\n", "line 1"),
                       ("\n  \n", "no entries")]:
        bad = tmp_path / "bad.txt"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(CorpusError, match=what):
            read_user_dict(bad)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café 3\n".encode("latin-1"))
    with pytest.raises(CorpusError, match="not UTF-8 text"):
        read_user_dict(latin1)
    with pytest.raises(CorpusError, match="cannot read it"):
        read_user_dict(tmp_path / "missing.txt")


def test_cjk_punctuation_is_dropped_and_words_kept():
    text = "他说：“杨柳依依。”（见《诗经》）、好！真的？是；不…"
    assert segment(text, "char") == ["他", "说", "杨", "柳", "依", "依", "见", "诗", "经", "好", "真", "的", "是", "不"]
    # the tokeniser alone (space) keeps each run between punctuation whole, punctuation dropped
    assert segment(text, "space") == ["他说", "杨柳依依", "见", "诗经", "好", "真的", "是", "不"]
    # ‘’ around Chinese are quotes, not apostrophes inside a word
    assert segment("他说‘好’的", "char") == ["他", "说", "好", "的"]


def test_full_width_forms_are_folded():
    assert tokenize("ＡＢＣ１２３　ｄｅｆ，３．１４！") == ["abc123", "def", "3.14"]
    assert segment("１９９８年，ＡＢＣ", "char") == ["1998", "年", "abc"]
    assert segment("１９９８年", "space") == ["1998年"]


def test_auto_chooses_by_script(no_jieba):
    s = Segmenter("auto")
    assert s(FOOTBALL) == ["这", "场", "足", "球", "比", "赛", "中", "输"]
    assert s("The cat sat") == ["the", "cat", "sat"]
    assert s("한국어 문장 입니다") == ["한국어", "문장", "입니다"]  # Hangul is spaced
    assert dict(s.used) == {"char": 1, "space": 2}
    assert s.note == NO_JIEBA


def test_auto_uses_jieba_when_installed():
    pytest.importorskip("jieba")
    s = Segmenter("auto")
    assert s(FOOTBALL) == ["这场", "足球比赛", "中", "输"] and s.note == ""


def test_no_note_without_cjk_text(no_jieba):
    s = Segmenter("auto")
    s("Only English here.")
    assert s.note == ""


def test_jieba_asked_for_but_missing_is_a_missing_extra(no_jieba, tmp_path):
    with pytest.raises(MissingExtra, match=r"vecs\[zh\]"):
        Segmenter("jieba")
    d = tmp_path / "u.txt"
    d.write_text("单元格\n", encoding="utf-8")
    with pytest.raises(MissingExtra):
        Segmenter("auto", d)


def test_bad_modes_are_refused(tmp_path):
    with pytest.raises(CorpusError, match="unknown segmenter 'words': choose auto, space, jieba or char"):
        Segmenter("words")
    d = tmp_path / "u.txt"
    d.write_text("单元格\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="a user dictionary is for jieba"):
        Segmenter("char", d)


ENGLISH = ["Naïve Zürich-bound cafés don't close at 4:00 — 1,000 times in the 1990s!",
           "Don't stop: the nation's o'clock 'tis the states' rock’n’roll", "हिन्दी भाषा and Ελληνικά",
           "The ÉCOLE in Zürich", "new_york is one token", "...!? — "]


@pytest.mark.parametrize("mode", ["auto", "space", "char", "jieba"])
def test_english_is_unchanged(mode):
    if mode == "jieba":
        pytest.importorskip("jieba")
    for text in ENGLISH:
        for lower in (True, False):
            assert segment(text, mode, lower=lower) == tokenize(text, lower)


def test_has_cjk():
    assert has_cjk("abc 中") and has_cjk("カタカナ") and not has_cjk("abc, ，。") and not has_cjk("한국어")


def test_a_corpus_segments_with_its_segmenter(tmp_path, no_jieba):
    p = tmp_path / "zh.txt"
    p.write_text("这场比赛。输了！\nThe end.\n", encoding="utf-8")
    assert list(open_corpus(p, segment="char").sentences()) == [["这", "场", "比", "赛"], ["输", "了"], ["the", "end"]]
    assert list(open_corpus(p, segment="space").sentences()) == [["这场比赛"], ["输了"], ["the", "end"]]
    c = open_corpus(p)  # auto
    list(c.sentences())
    assert c.segmenter.mode == "auto" and c.segmenter.note == NO_JIEBA
    with pytest.raises(CorpusError, match="unknown segmenter"):
        open_corpus(p, segment="nope")
