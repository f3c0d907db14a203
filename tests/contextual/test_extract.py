"""Extraction: a word's vectors in sentences, subword pooling, repeated words, batching,
template spaces and standardisation."""

from __future__ import annotations

import numpy as np
import pytest

from vecs.contextual.extract import template_space, word_vectors
from vecs.errors import ContextualError
from vecs.linalg import cosine_matrix, standardize


def test_standardize_math():
    x = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0]])
    z = standardize(x)
    # column 0: mean 3, std sqrt(8/3); column 2 constant: only centred
    np.testing.assert_allclose(z[:, 0], (x[:, 0] - 3) / np.sqrt(8 / 3), rtol=1e-6)
    np.testing.assert_allclose(z[:, 2], 0.0)
    np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-6)
    np.testing.assert_allclose(z[:, :2].std(0), 1.0, rtol=1e-6)
    # with given statistics
    z2 = standardize(x, mean=np.array([1.0, 0, 0]), std=np.array([2.0, 10, 0]))
    np.testing.assert_allclose(z2[1], [1.0, 3.0, 5.0])


@pytest.mark.real
def test_subword_pooling_alignment(minilm):
    s = "The embankment broke, unbelievably!"
    # hand-checked WordPiece split: un ##bel ##ie ##va ##bly at positions 5..9 ([CLS] is 0)
    wv = word_vectors(minilm, [s], "unbelievably", layer="all", pooling="mean")
    a = wv.alignments[0]
    assert a.tokens == ["un", "##bel", "##ie", "##va", "##bly"]
    assert a.positions == [5, 6, 7, 8, 9] and a.text == "unbelievably"
    states = minilm.batch([s]).states[:, 0].numpy()  # (7, T, C)
    np.testing.assert_allclose(wv.vectors[:, 0], states[:, 5:10].mean(1), atol=1e-5)
    for how, ref in (("first", states[:, 5]), ("last", states[:, 9]), ("sum", states[:, 5:10].sum(1))):
        got = word_vectors(minilm, [s], "unbelievably", layer="all", pooling=how).vectors[:, 0]
        np.testing.assert_allclose(got, ref, atol=1e-4)
    # the inflection: the word "break" found through its form "broke", one token at position 3
    wv = word_vectors(minilm, [s], "break", string="broke", layer=0)
    assert wv.alignments[0].tokens == ["broke"] and wv.alignments[0].positions == [3]
    assert wv.word == "break"


@pytest.mark.real
def test_repeated_word_occurrence(minilm):
    s = "The bank by the river is not the bank that holds my money."
    one = word_vectors(minilm, [s], "bank", occurrence=1, layer="all")
    two = word_vectors(minilm, [s], "bank", occurrence=2, layer="all")
    assert one.alignments[0].positions == [2] and two.alignments[0].positions == [9]
    states = minilm.batch([s]).states[:, 0].numpy()
    np.testing.assert_allclose(two.vectors[:, 0], states[:, 9], atol=1e-5)
    # the same token id in two contexts: equal embeddings up to position, different at layer 4
    assert cosine_matrix(np.stack([one.at(4)[0], two.at(4)[0]]))[0, 1] < 0.99


@pytest.mark.real
def test_batched_equals_one_at_a_time(minilm):
    sents = ["A bank.", "She walked along the bank of the wide, slow river at dusk.",
             "The bank raised rates.", "bank"]
    batched = word_vectors(minilm, sents, "bank", layer="all", batch_size=4)
    single = np.stack([word_vectors(minilm, [s], "bank", layer="all").vectors[:, 0] for s in sents], 1)
    np.testing.assert_allclose(batched.vectors, single, atol=1e-4)
    sp = batched.space(4)
    assert sp.words == ["bank@1", "bank@2", "bank@3", "bank@4"] and sp.dim == 384


@pytest.mark.real
def test_word_vector_errors(minilm):
    with pytest.raises(ContextualError, match="no sentences"):
        word_vectors(minilm, [], "bank")
    with pytest.raises(ContextualError, match="not in sentence 2"):
        word_vectors(minilm, ["a bank", "a river"], "bank")
    with pytest.raises(ContextualError, match="pooling"):
        word_vectors(minilm, ["a bank"], "bank", pooling="max")


@pytest.mark.real
def test_template_space(minilm):
    sp = template_space(minilm, ["doctor", "nurse", "doctor"], layer=3)
    assert sp.words == ["doctor", "nurse"] and sp.dim == 384
    wv = word_vectors(minilm, ["This is a nurse."], "nurse", layer=3)
    np.testing.assert_allclose(sp.vector("nurse"), wv.at(3)[0], atol=1e-5)
