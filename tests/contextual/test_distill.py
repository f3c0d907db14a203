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


# -- honest time: a sample by default, said in the output; an estimate; Ctrl-C ------------------
def test_the_default_samples_a_few_thousand_sentences():
    import inspect

    from vecs.contextual.distill import DEFAULT_SENTENCES

    assert 1000 <= DEFAULT_SENTENCES <= 5000
    for f in (distill, distill_models):
        assert inspect.signature(f).parameters["max_sentences"].default == DEFAULT_SENTENCES


def test_sample_sentences_is_uniform_repeatable_and_in_order():
    from vecs.contextual.distill import sample_sentences

    sents = [f"s{i}" for i in range(10_000)] + ["", "  "]
    a, total = sample_sentences(sents, 100)
    assert total == 10_000 and len(a) == 100 and a == sample_sentences(sents, 100)[0]
    assert a == sorted(a, key=lambda s: int(s[1:]))  # corpus order
    assert 3000 < np.mean([int(s[1:]) for s in a]) < 7000  # from the whole corpus, not its start
    assert sample_sentences(sents, None) == (sents[:10_000], 10_000)
    assert sample_sentences(["a", "b"], 5) == (["a", "b"], 2)


def _fake_result(sentences, corpus_sentences):
    from vecs.contextual.distill import DistilledModel, DistillResult

    return DistillResult("minilm", "sotu", "mean", [DistilledModel("m", 4, 10, 384, "/x/m")], sentences,
                         corpus_sentences)


def test_cli_distill_says_it_sampled_and_how_to_get_more(monkeypatch):
    import vecs.contextual.distill as d

    seen = {}

    def fake(*a, **kw):
        seen.update(kw)
        return _fake_result(3000, 74_512)

    monkeypatch.setattr(d, "distill_models", fake)
    res = runner.invoke(_app(), ["distill", "minilm", "--corpus", "sotu", "--name", "m"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert seen["max_sentences"] == d.DEFAULT_SENTENCES
    text = " ".join(res.output.split())
    assert "3,000 sentences sampled from the 74,512 of sotu (--sentences N for more" in text
    res = runner.invoke(_app(), ["distill", "minilm", "-c", "sotu", "-n", "m", "--sentences", "500"])
    assert res.exit_code == 0 and seen["max_sentences"] == 500


def test_cli_distill_ctrl_c_says_nothing_was_saved(monkeypatch):
    import vecs.contextual.distill as d

    def interrupted(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(d, "distill_models", interrupted)
    res = runner.invoke(_app(), ["distill", "minilm", "--corpus", "sotu", "--name", "m"])
    assert res.exit_code == 130
    assert "interrupted: nothing was saved; the store is unchanged" in res.output


@pytest.mark.real
def test_distill_estimates_the_rest_from_the_first_batch(minilm, monkeypatch):
    import vecs.progress

    monkeypatch.setattr(vecs.progress, "LONG_JOB", 0.0)
    events = []
    sents = [f"The bank number {i} lent money to the river bank." for i in range(12)]
    distill(minilm, sents, layer=4, batch_size=4, progress=events.append)
    [est] = [e for e in events if e.estimate_s is not None]
    assert est.stage == "distill minilm" and est.estimate_s > 0 and "first batch" in est.info["basis"]
