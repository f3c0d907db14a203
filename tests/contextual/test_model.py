"""The adapter interface and the activation cache: layers, the default-layer rule, span-to-token
alignment and pooling on :class:`Activations`, loading and its errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from typer.testing import CliRunner

import vecs.contextual.load as C
from vecs.contextual.extract import word_vectors
from vecs.contextual.load import load_model
from vecs.contextual.model import POOLINGS, Activations, check_pooling, default_layer, pool
from vecs.errors import ContextualError, MissingExtra

runner = CliRunner()


def _app():
    from cli.main import app

    return app


def test_default_layer_rule():
    assert default_layer(6, causal=False) == 5 and default_layer(12, causal=False) == 10
    assert default_layer(2, causal=False) == 1 and default_layer(1, causal=False) == 1
    assert default_layer(30, causal=True) == 15


# -- the activation cache (hand-made, no model) ------------------------------------------------
def _cache():
    """Two texts, 3 layers, 8 positions, 2 dims; row 0 like "[CLS] the em ##bank ##ment broke [SEP]
    [PAD]" for "the embankment broke", row 1 with spans out of order."""
    torch = pytest.importorskip("torch")
    states = torch.arange(3 * 2 * 8 * 2, dtype=torch.float32).reshape(3, 2, 8, 2)  # (L+1, B, T, C)
    spans = [[None, (0, 3), (4, 6), (6, 10), (10, 14), (15, 20), None, None],
             [None, (4, 6), (0, 3), (6, 10), None, None, None, None]]
    tokens = [["[CLS]", "the", "em", "##bank", "##ment", "broke", "[SEP]", "[PAD]"],
              ["<s>", "b", "a", "c", "", "", "", ""]]
    return states, Activations(states, spans, tokens)


def test_activations_positions_are_the_tokens_a_span_owns():
    _, acts = _cache()
    assert acts.layers == [0, 1, 2]
    assert acts.real_positions(0) == [1, 2, 3, 4, 5]
    assert acts.positions(0, 4, 14) == [2, 3, 4]  # "embankment": em ##bank ##ment
    assert acts.positions(0, 6, 10) == [3]  # inside one word: the token that overlaps
    assert acts.positions(0, 5, 7) == [2, 3]  # a span across a token boundary owns both
    assert acts.positions(0, 3, 4) == []  # the space between words owns nothing
    assert acts.positions(0, 0, 20) == [1, 2, 3, 4, 5]  # never the special tokens
    assert acts.token_strings(0, [2, 3, 4]) == ["em", "##bank", "##ment"]
    # spans out of order: the same rule, token by token
    assert acts.positions(1, 0, 3) == [2] and acts.positions(1, 0, 6) == [1, 2]
    assert acts.real_positions(1) == [1, 2, 3]


def test_activations_vectors_words_and_layers():
    states, acts = _cache()
    np.testing.assert_array_equal(acts.layer(2).numpy(), states[2].numpy())  # (B, T, C)
    np.testing.assert_array_equal(acts.stream(1).numpy(), states[:, 1].numpy())  # (L+1, T, C)
    v = acts.vectors(0, [2, 3, 4])  # (L+1, 3, C)
    assert tuple(v.shape) == (3, 3, 2)
    np.testing.assert_array_equal(acts.word(0, [2, 3, 4]).numpy(), states[:, 0, 2:5].mean(1).numpy())
    np.testing.assert_array_equal(acts.word(0, [2, 3, 4], layers=[2, 0], pooling="last").numpy(),
                                  states[[2, 0], 0, 4].numpy())
    kept = acts.keep([1, 2])  # (2, B, T, C), layer numbers kept
    assert kept.layers == [1, 2] and tuple(kept.states.shape) == (2, 2, 8, 2)
    np.testing.assert_array_equal(kept.layer(2).numpy(), states[2].numpy())
    np.testing.assert_array_equal(kept.word(0, [5], pooling="sum").numpy(), states[1:, 0, 5].numpy())
    with pytest.raises(ContextualError, match="layer 0 is not in this cache"):
        kept.layer(0)


def test_pooling_is_checked_in_one_place():
    torch = pytest.importorskip("torch")
    assert POOLINGS == ("mean", "first", "last", "sum")
    assert all(check_pooling(p) == p for p in POOLINGS)
    with pytest.raises(ContextualError, match="unknown pooling 'max'; choose one of mean, first, last, sum"):
        check_pooling("max")
    x = torch.arange(12.0).reshape(1, 3, 4)  # (L, n, C)
    assert pool(x, "first").tolist() == [[0.0, 1.0, 2.0, 3.0]] and pool(x, "sum").tolist() == [[12.0, 15.0, 18.0, 21.0]]
    with pytest.raises(ContextualError, match="unknown pooling"):
        pool(x, "max")
    with pytest.raises(ContextualError, match="unknown pooling"):  # before any model loads
        word_vectors("no-such-model", ["a bank"], "bank", pooling="max")


# -- minilm and smollm2 ------------------------------------------------------------------------
@pytest.mark.real
def test_layers_and_resolution(minilm):
    assert minilm.n_layers == 6 and minilm.dim == 384 and minilm.default_layer == 5
    assert minilm.resolve_layers("all") == list(range(7))
    assert minilm.resolve_layers(-1) == [6] and minilm.resolve_layers("2") == [2]
    assert minilm.resolve_layers(None) == [5]
    with pytest.raises(ContextualError, match="out of range"):
        minilm.resolve_layers(7)
    wv = word_vectors(minilm, ["A bank.", "The bank lent money."], "bank", layer="all")
    assert wv.vectors.shape == (7, 2, 384)


@pytest.mark.real
def test_smollm2_hidden_states_are_pre_norm(smollm2):
    b = smollm2.batch(["Darwin wrote"])
    last = b.states[-1, 0]
    # HF returns the last state normalised; ours is the residual (RMS far from 1)
    rms = last.pow(2).mean(-1).sqrt()
    assert float((rms - 1).abs().max()) > 0.5
    assert b.states.shape[0] == 31


# -- missing extra and unknown models ----------------------------------------------------
def test_missing_extra(monkeypatch):
    monkeypatch.setattr(C, "LOADED", {})
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingExtra, match="contextual"):
        load_model("minilm")
    res = runner.invoke(_app(), ["context", "bank", "a bank", "the bank"])
    assert res.exit_code == 1 and "'transformers', which is not installed" in res.output
    assert "Traceback" not in res.output


def test_unknown_model():
    from vecs.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match="minilm"):
        load_model("minilmm")
