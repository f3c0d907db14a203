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
