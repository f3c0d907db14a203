"""Our own trained transformers behind the same interface as the Hugging Face models."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from vecs.contextual.extract import word_vectors
from vecs.contextual.gpt import GPTModel
from vecs.inside.lens import logit_lens
from vecs.contextual.load import load_model

runner = CliRunner()


def _app():
    from cli.main import app

    return app


def test_gpt_wrapper_on_a_tiny_model(tiny_gpt):
    torch = pytest.importorskip("torch")

    m = tiny_gpt
    wv = word_vectors(m, ["the bank of the river", "money is a bank"], "bank", layer="all")
    assert wv.vectors.shape == (3, 2, 8)
    assert wv.alignments[1].positions == [3]
    # padding the short sentence changes nothing (causal attention, right padding)
    alone = word_vectors(m, ["money is a bank"], "bank", layer="all")
    np.testing.assert_allclose(wv.vectors[:, 1], alone.vectors[:, 0], atol=1e-5)
    r = logit_lens(m, "we sat on the bank", k=2)
    with torch.inference_mode():
        own = m.model(torch.tensor([m.tokenizer.encode("we sat on the bank")[0]]))[0][0]
    assert [g.id for g in r.guesses[-1][-1]] == own[-1].topk(2).indices.tolist()
    assert r.tokens[-1] == "bank"


@pytest.mark.real
def test_our_trained_transformer_end_to_end():
    """A tiny GPT trained here, found in the store by name, through every contextual path."""
    pytest.importorskip("torch")
    from vecs.lm.train import train_transformer

    train_transformer("lee", name="tiny-gpt", layers=2, dim=32, heads=2, context=32, steps=10, batch=8,
                      device="cpu", seed=0)
    m = load_model("tiny-gpt")
    assert isinstance(m, GPTModel) and m.n_layers == 2 and m.default_layer == 1
    wv = word_vectors(m, ["The government said on Monday.", "the people of the government"], "government",
                        layer="all")
    assert wv.vectors.shape == (3, 2, 32) and wv.alignments[0].positions == [2]  # <eos> the government
    r = logit_lens(m, "the government said", k=2)
    assert r.tokens[0] == "⟨eos⟩" and len(r.guesses) == 3
    res = runner.invoke(_app(), ["lens", "the government said", "--model", "tiny-gpt", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["layers"] == [0, 1, 2]
    res = runner.invoke(_app(), ["context", "government", "the government said", "a government",
                                 "--model", "tiny-gpt", "--json"])
    assert res.exit_code == 0, res.output
