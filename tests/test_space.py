"""The central type: words + matrix, unknown words with suggestions, derived spaces."""

from __future__ import annotations

import numpy as np
import pytest

from vecs import Space
from vecs.errors import FormatError, UnknownWord
from vecs.util import edit_distance


def test_vectors_norms_and_lookup(toy):
    assert toy.shape == (7, 4) and len(toy) == 7 and "queen" in toy and "QUEEN" not in toy
    np.testing.assert_allclose(toy.vector("man"), [1, 0, 0, 0.1])
    np.testing.assert_allclose(np.linalg.norm(toy.vector("car", norm=True)), 1.0, rtol=1e-6)
    np.testing.assert_allclose(toy.norms[0], np.sqrt(1.01), rtol=1e-6)
    # many look-ups switch from list scans to the dict; the answers stay the same
    assert [toy.row(w) for w in toy.words * 3] == list(range(7)) * 3


def test_first_occurrence_wins_and_zero_rows_stay_zero():
    s = Space(["a", "b", "a"], np.array([[1, 0], [0, 0], [0, 1]], dtype=np.float32))
    assert s.row("a") == 0 and s.index["a"] == 0
    np.testing.assert_array_equal(s.normed[1], [0, 0])


def test_bad_shapes_are_format_errors():
    with pytest.raises(FormatError, match="2 words but 3 vectors"):
        Space(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(FormatError, match="2-D"):
        Space(["a"], np.zeros(3))


def test_unknown_word_suggests_case_variants_first_then_fewest_edits_then_frequency():
    words = ["the", "Queen", "queens", "quern", "green", "squeeze"]
    s = Space(words, np.eye(6, dtype=np.float32), name="s")
    with pytest.raises(UnknownWord) as e:
        s.vector("queen")
    assert e.value.suggestions[0] == "Queen"  # the case variant
    assert e.value.suggestions[1:3] == ["queens", "quern"]  # one edit each, in frequency order
    assert "did you mean 'Queen'" in str(e.value) and "'s'" in str(e.value)
    assert isinstance(e.value, KeyError)


def test_restrict_and_subset(toy):
    r = toy.restrict(3)
    assert r.words == ["man", "woman", "king"] and toy.restrict(None) is toy
    sub = toy.subset(["queen", "man"])
    np.testing.assert_array_equal(sub.vectors[0], toy.vector("queen"))
    with pytest.raises(UnknownWord):
        toy.subset(["queen", "nope"])


def test_given_norms_are_used_and_kept_by_restrict(toy):
    norms = np.arange(1, 8, dtype=np.float32)  # deliberately not the true norms: proves they are used
    s = Space(toy.words, toy.vectors, norms=norms)
    assert s.norms is norms
    np.testing.assert_array_equal(s.restrict(3).norms, norms[:3])
    np.testing.assert_allclose(toy.restrict(3).norms, np.linalg.norm(toy.vectors[:3], axis=1), rtol=1e-6)
    with pytest.raises(FormatError, match="norms of shape"):
        Space(toy.words, toy.vectors, norms=norms[:3])


def test_edit_distance():
    assert edit_distance("kat", "cat") == 1 and edit_distance("kat", "at") == 1
    assert edit_distance("queen", "squeeze") == 3


def _zh(words):
    return Space(words, np.eye(len(words), dtype=np.float32), name="zh")


def test_unknown_chinese_word_suggests_its_parts_sharing_characters():
    s = _zh(["的", "树", "杨树", "柳树", "春风", "杨柳", "垂柳", "杨柳枝", "树木"])
    with pytest.raises(UnknownWord) as e:
        s.vector("杨柳树")
    sug = e.value.suggestions
    # the two parts (two shared characters in a run, one edit) first, in frequency order
    assert sug[:2] == ["柳树", "杨柳"]
    assert sug[2] == "杨柳枝"  # two in a run too, but not a part of the word
    assert "春风" not in sug and "的" not in sug  # nothing in common: never suggested
    assert "did you mean '柳树', '杨柳'" in str(e.value)


def test_chinese_suggestions_find_a_one_character_slip_and_never_the_word_itself():
    s = _zh(["国家", "王国", "国王", "王后", "五"])
    sug = s.suggest("国五")
    assert sug[0] == "五" and set(sug[1:3]) == {"国家", "国王"}  # the part, then one substitution each
    assert "国王" not in s.suggest("国王")


def test_chinese_suggestions_rank_a_longer_shared_run_before_more_frequent_words():
    s = _zh(["人", "人民", "男人", "女人", "大男人"])
    assert s.suggest("男人们")[:2] == ["男人", "大男人"]


def test_latin_suggestions_unchanged_beside_chinese_words():
    s = _zh(["queen", "queens", "王后"])
    assert s.suggest("queem") == ["queen"]
    assert s.suggest("王") == ["王后"]


def test_chinese_suggestions_scan_a_large_vocabulary_quickly():
    import time

    words = [f"词{i}" for i in range(130_000)] + ["杨柳"]
    s = Space(words, np.zeros((len(words), 1), dtype=np.float32))
    t = time.perf_counter()
    sug = s.suggest("杨柳树")
    assert sug[0] == "杨柳"
    assert time.perf_counter() - t < 5  # generous: a scan of 130k words per character, not a quadratic search


@pytest.mark.real
def test_zh_vectors_suggest_the_parts_of_an_unknown_word():
    from vecs.resolve import resolve

    s = resolve("zh-vectors")
    assert s.suggest("杨柳树")[:2] == ["柳树", "杨柳"]
    assert s.suggest("足球比赛中")[0] == "足球比赛"
    assert "狮子头" == s.suggest("狮子头们")[0]
