"""Batched queries (vecs.static.query.neighbours_many, each): the same answers as one call per
query, in blocks, with errors kept in place when asked."""

from __future__ import annotations

import pytest

from vecs.errors import UnknownWord, VecsError
from vecs.static import query
from vecs.static.query import analogy, each, neighbours, neighbours_many


def _same(a, b):
    assert [r.word for r in a.results] == [r.word for r in b.results]
    assert [r.score for r in a.results] == pytest.approx([r.score for r in b.results], abs=1e-6)
    assert [(i.word, i.rank) for i in a.inputs] == [(i.word, i.rank) for i in b.inputs]
    assert (a.query, a.candidates, a.model) == (b.query, b.candidates, b.model)


def test_neighbours_many_answers_as_single_calls(toy):
    qs = ["king", "apple", "king - man + woman", "car"]
    for got, q in zip(neighbours_many(toy, qs, k=3), qs):
        _same(got, neighbours(toy, q, k=3))


def test_neighbours_many_in_small_blocks(toy, monkeypatch):
    monkeypatch.setattr(query, "BLOCK_CELLS", 1)  # one query per block
    qs = ["king", "queen", "apple"]
    for got, q in zip(neighbours_many(toy, qs, k=2, restrict=5), qs):
        _same(got, neighbours(toy, q, k=2, restrict=5))


def test_neighbours_many_keeps_errors_in_place(toy):
    out = neighbours_many(toy, ["king", "paris", "apple"], keep_errors=True)
    assert out[0].query == "king" and out[2].query == "apple"
    assert isinstance(out[1], UnknownWord)


def test_neighbours_many_raises_without_keep_errors(toy):
    with pytest.raises(UnknownWord):
        neighbours_many(toy, ["king", "paris"])


def test_each_runs_a_batch_of_analogies(toy):
    out = each(analogy, toy, [("man", "king", "woman"), ("man", "paris", "woman")], keep_errors=True, k=1)
    assert out[0].results[0].word == "queen"
    assert isinstance(out[1], VecsError)
