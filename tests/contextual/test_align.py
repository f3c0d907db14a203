"""Finding the target word in a sentence (no model)."""

from __future__ import annotations

import pytest

from vecs.contextual.align import (
    CONTINUED,
    Alignment,
    check_known,
    find_word,
    inspect_tokens,
    token_warnings,
    unspaced,
)
from vecs.errors import ContextualError


def test_find_word_whole_word_case_and_occurrence():
    s = "Bank on it: the bank by the embankment is a bank."
    assert find_word(s, "bank") == (0, 4)
    assert find_word(s, "bank", occurrence=2) == (16, 20)
    assert find_word(s, "bank", occurrence=3) == (44, 48)  # "embankment" is not a match
    with pytest.raises(ContextualError, match="occurs 3 time"):
        find_word(s, "bank", occurrence=4)
    with pytest.raises(ContextualError, match="not in sentence 2"):
        find_word("He broke it.", "break", number=2)
    assert find_word("He broke it.", "broke") == (3, 8)
    assert find_word("Two banks merged.", "bank", loose=True) == (4, 9)


# --------------------------------------------------------------------------------------------
# scripts without spaces: characters match anywhere, spaced words stay whole
# --------------------------------------------------------------------------------------------
def test_unspaced_scripts_are_told_by_any_character():
    assert unspaced("杨柳") and unspaced("T恤") and unspaced("แมว") and unspaced("ｘ")
    assert not unspaced("bank") and not unspaced("") and not unspaced("é")


def test_cjk_word_found_inside_a_longer_cjk_word():
    assert find_word("河边的杨柳树下", "杨柳") == (3, 5)  # inside 杨柳树: no word boundaries in Chinese
    assert find_word("这场足球比赛中，输了", "输") == (8, 9)
    assert find_word("我想在这个单元格中输入数据", "输") == (9, 10)  # inside 输入


def test_cjk_occurrences_are_numbered_left_to_right():
    s = "杨柳树下的杨柳，杨柳依依"
    assert [find_word(s, "杨柳", occurrence=k) for k in (1, 2, 3)] == [(0, 2), (5, 7), (8, 10)]
    with pytest.raises(ContextualError, match="occurs 3 time"):
        find_word(s, "杨柳", occurrence=4)
    assert find_word("哈哈哈哈", "哈哈", occurrence=2) == (2, 4)  # occurrences do not overlap


def test_latin_word_next_to_cjk_is_a_whole_word():
    assert find_word("我用iPhone打电话", "iphone") == (2, 8)  # CJK neighbours are boundaries
    with pytest.raises(ContextualError, match="not in the sentence"):
        find_word("我用iPhones打电话", "iPhone")  # ...but a Latin letter is not
    assert find_word("我买了一件T恤。", "T恤") == (5, 7)
    with pytest.raises(ContextualError):
        find_word("我买了一件AT恤。", "T恤")  # the Latin edge of a mixed word stays whole


def test_other_unspaced_scripts_match_characters():
    assert find_word("ฉันรักแมวของฉัน", "แมว") == (6, 9)


def test_missing_cjk_word_gives_no_inflection_hint():
    with pytest.raises(ContextualError, match="'杨柳' is not in sentence 3: '我和他从小一起长大。'$"):
        find_word("我和他从小一起长大。", "杨柳", number=3)


# --------------------------------------------------------------------------------------------
# what the model made of the word: unknown tokens, byte pieces, shared tokens
# --------------------------------------------------------------------------------------------
def test_byte_pieces_are_counted_and_shown_merged():
    # SmolLM2 reads 杨柳是 as <|endoftext|> æĿ ¨ | æ Ł ³ | æĺ¯: two pieces for 杨, three for 柳
    tokens = ["<|endoftext|>", "æĿ", "¨", "æ", "Ł", "³", "æĺ¯"]
    spans = [None, (0, 1), (0, 1), (1, 2), (1, 2), (1, 2), (2, 3)]
    shown, unk, pieces, shared = inspect_tokens("杨柳是", 0, 2, tokens, spans, [1, 2, 3, 4, 5])
    assert (shown, unk, pieces, shared) == ([CONTINUED, "杨", CONTINUED, CONTINUED, "柳"], 0, 5, 0)
    # SentencePiece byte fallback: <0xE8>-style tokens are pieces too
    assert inspect_tokens("x𠀀", 1, 2, ["x", "<0xF0>"], [(0, 1), (1, 2)], [1])[2] == 1


def test_unknown_tokens_are_counted():
    tokens = ["[CLS]", "[UNK]", "[UNK]", "是", "[SEP]"]
    spans = [None, (0, 1), (1, 2), (2, 3), None]
    shown, unk, pieces, shared = inspect_tokens("杨柳是", 0, 2, tokens, spans, [1, 2])
    assert (shown, unk, pieces) == (["[UNK]", "[UNK]"], 2, 0)


def test_a_token_wider_than_the_word_is_shared_but_a_leading_space_is_not():
    assert inspect_tokens("单元格中输入数据", 4, 5, ["中", "输入", "数据"], [(3, 4), (4, 6), (6, 8)], [1])[3] == 1
    assert inspect_tokens("I sat by the bank.", 13, 17, ["Ġthe", "Ġbank"], [(8, 12), (12, 17)], [1]) == (
        ["·bank"], 0, 0, 0)


def test_entirely_unknown_word_is_an_error_naming_the_sentence():
    a = Alignment(3, "杨柳", 0, 2, ["[UNK]", "[UNK]"], [1, 2], ["[UNK]", "[UNK]"], unknown=2)
    with pytest.raises(ContextualError, match=r"'杨柳' is entirely unknown to minilm in sentence 3 \(\[UNK\] \[UNK\]\)"
                                              r".*gemma3"):
        check_known(a, "minilm")
    check_known(Alignment(1, "杨柳", 0, 2, ["[UNK]", "柳"], [1, 2], unknown=1), "minilm")  # partly known: a warning


def test_token_warnings_name_form_tokens_and_sentences():
    clean = Alignment(1, "bank", 4, 8, ["bank"], [2], ["bank"])
    assert token_warnings([clean], "minilm") == []
    part = Alignment(2, "杨柳", 0, 2, ["[UNK]", "柳"], [1, 2], ["[UNK]", "柳"], unknown=1)
    (w,) = token_warnings([clean, part], "m")
    assert w.startswith("'杨柳' has 1 unknown token(s) of 2 in m ([UNK] 柳) in sentence 2:")
    bytes_ = [Alignment(i, "输", 0, 1, ["è¾", "ĵ"], [1, 2], [CONTINUED, "输"], byte_pieces=2) for i in (1, 2)]
    (w,) = token_warnings(bytes_, "smollm2")
    assert "byte pieces in smollm2 (2 tokens for 1 character(s): ⋯ 输) in every sentence" in w
