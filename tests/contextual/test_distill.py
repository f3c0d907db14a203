"""Distillation: static spaces averaged from contextual vectors, and the stored models of
`vecs distill`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from vecs.contextual.distill import distill, distill_models
from vecs.contextual.extract import word_vectors
from vecs.errors import ModelExists, StoreError

runner = CliRunner()


def _app():
    from cli.main import app

    return app


@pytest.mark.real
def test_distill_is_the_average_of_contexts(minilm):
    sents = ["The bank lent money.", "We sat on the bank.", "Money is not everything."]
    sp = distill(minilm, sents, layer=4, min_count=2)
    assert set(sp.words) == {"the", "bank", "money"} and sp.dim == 384
    assert sp.meta["kind"] == "distilled" and sp.meta["layer"] == 4
    wv = word_vectors(minilm, sents[:2], "bank", layer=4)
    np.testing.assert_allclose(sp.vector("bank"), wv.at(4).mean(0), atol=1e-4)
    spaces = distill(minilm, sents, layer="all", min_count=2)
    assert [s.meta["layer"] for s in spaces] == list(range(7))


def test_distill_models_refuses_an_existing_name_before_any_work(toy):
    from vecs.io.store import save

    save(toy, "mini")
    # the model is never loaded: "no-such-model" would fail if it were
    with pytest.raises(ModelExists, match="model 'mini' exists; use --force"):
        distill_models("no-such-model", ["a b", "a b"], "mini")
    with pytest.raises(StoreError, match="invalid model name"):
        distill_models("no-such-model", ["a b", "a b"], "-bad")


@pytest.mark.real
def test_distill_models_stores_one_model_per_layer(minilm, tmp_path):
    from vecs.io.store import exists, load

    sents = ["The bank lent money.", "We sat on the bank.", "Money is not everything."]
    r = distill_models(minilm, sents, "d", layer="all", min_count=2)
    assert r.model == "minilm" and r.corpus == "sentences" and r.pooling == "mean"
    assert [m.name for m in r.models] == [f"d-L{k}" for k in range(7)] and all(m.words == 3 for m in r.models)
    sp = load("d-L4")
    assert sp.name == "d-L4" and sp.meta["name"] == "d-L4" and r.models[4].path.endswith("d-L4")
    np.testing.assert_allclose(sp.vector("bank"), distill(minilm, sents, layer=4).vector("bank"), atol=1e-6)
    # one existing layer model refuses the whole family, and nothing new is written
    with pytest.raises(ModelExists, match="d-L0"):
        distill_models(minilm, sents, "d", layer="all")
    assert not exists("d")
    r = distill_models(minilm, sents, "d", layer="all", force=True, pooling="first")
    assert load("d-L6").meta["params"]["pooling"] == "first"


@pytest.mark.real
def test_cli_distill_writes_store_models(minilm, tmp_path):
    from vecs.io.store import load

    corpus = tmp_path / "c.txt"
    corpus.write_text("The bank lent money.\nWe sat on the bank.\nMoney talks.\n")
    app = _app()
    res = runner.invoke(app, ["distill", "minilm", "--corpus", str(corpus), "--name", "mini", "--layer", "3",
                              "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["models"][0]["words"] == 3
    sp = load("mini")
    assert "bank" in sp and sp.dim == 384 and sp.meta["kind"] == "distilled"
    res = runner.invoke(app, ["distill", "minilm", "--corpus", str(corpus), "--name", "mini", "--layer", "all"])
    assert res.exit_code == 0 and load("mini-L6").meta["layer"] == 6
    res = runner.invoke(app, ["distill", "minilm", "--corpus", str(corpus), "--name", "mini"])
    assert res.exit_code == 1 and "Traceback" not in res.output  # exists already
