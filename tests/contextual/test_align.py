"""Finding the target word in a sentence (no model)."""

from __future__ import annotations

import pytest

from vecs.contextual.align import find_word
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
