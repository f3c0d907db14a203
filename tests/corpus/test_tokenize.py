"""The corpus tokeniser (vecs.corpus.tokenize): Unicode words, apostrophes, hyphens, numbers,
case, and sentence splitting."""

from __future__ import annotations

import unicodedata

from vecs.corpus.tokenize import split_sentences, tokenize


def test_tokenize_unicode_words():
    assert tokenize("Naïve café-goers in Zürich, São Paulo and Kraków") == [
        "naïve", "café", "goers", "in", "zürich", "são", "paulo", "and", "kraków"]
    # decomposed input (e + combining diaeresis) gives the same, composed, token
    nfd = unicodedata.normalize("NFD", "naïve Zürich")
    assert nfd != "naïve Zürich"
    assert tokenize(nfd) == ["naïve", "zürich"]
    # combining marks inside words (Devanagari vowel signs and virama) do not split them
    assert tokenize("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert tokenize("Ελληνικά и русский") == ["ελληνικά", "и", "русский"]


def test_tokenize_apostrophes_hyphens_numbers():
    assert tokenize("Don't stop: the nation's o'clock 'tis the states' rock’n’roll") == [
        "don't", "stop", "the", "nation's", "o'clock", "tis", "the", "states", "rock'n'roll"]
    assert tokenize("well-being, so-called — e-mail/web") == ["well", "being", "so", "called", "e", "mail", "web"]
    assert tokenize("1,000 people in the 1990s paid $3.14 at 4:00 on May 4th, 1,2,3.") == [
        "1,000", "people", "in", "the", "1990s", "paid", "3.14", "at", "4", "00", "on", "may", "4th", "1,2,3"]
    assert tokenize("new_york is one token") == ["new_york", "is", "one", "token"]
    assert tokenize("...!? — ") == []


def test_tokenize_case():
    assert tokenize("The ÉCOLE in Zürich") == ["the", "école", "in", "zürich"]
    assert tokenize("The ÉCOLE in Zürich", lower=False) == ["The", "ÉCOLE", "in", "Zürich"]


def test_split_sentences():
    assert split_sentences("It rained. Then it stopped! Did it? Yes.") == [
        "It rained.", "Then it stopped!", "Did it?", "Yes."]
    # abbreviations, initials and a lower-case continuation do not end a sentence
    assert split_sentences("Mr. Smith met Dwight D. Eisenhower in the U.S. Army. e.g. this one. He left.") == [
        "Mr. Smith met Dwight D. Eisenhower in the U.S. Army. e.g. this one.", "He left."]
    # closing quotes stay with their sentence
    assert split_sentences('He said "Go." Then he went.') == ['He said "Go."', "Then he went."]
    assert split_sentences("   ") == []


def test_cjk_sentences_end_after_full_stops_without_spaces():
    assert split_sentences("他说：“好。”然后走了！真的？是的｡ It rained. Then") == [
        "他说：“好。”", "然后走了！", "真的？", "是的｡", "It rained.", "Then"]
    assert split_sentences("。。。") == ["。。。"]  # kept; it has no token, so the corpus skips it


def test_full_width_forms_and_ideographic_space_are_folded():
    assert tokenize("ＡＢＣ１２３　Ｄｅｆ，３．１４") == ["abc123", "def", "3.14"]
    assert tokenize("ＡＢＣ", lower=False) == ["ABC"]
    # CJK punctuation separates like ASCII punctuation; a run of Chinese characters is one token here
    assert tokenize("这场足球比赛中，输。《人民日报》、“杨柳”…") == ["这场足球比赛中", "输", "人民日报", "杨柳"]


def test_token_spans_point_into_the_full_width_text():
    from vecs.corpus.tokenize import token_spans

    text = "ＡＢＣ１２３，输"
    assert token_spans(text) == [("abc123", (0, 6)), ("输", (7, 8))]
