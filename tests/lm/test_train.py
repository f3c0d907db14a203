"""Training our GPT (vecs/lm/train.py) and the `vecs train transformer` command: the loss falls,
the model is stored, names are checked first, JSON, errors. Tiny configurations on a tiny
constructed corpus: the whole file runs in seconds on a CPU."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from cli.main import app  # noqa: E402
from vecs.errors import MissingExtra, ModelExists, StoreError  # noqa: E402
from vecs.lm.checkpoint import load_transformer  # noqa: E402
from vecs.lm.train import DEFAULTS, TransformerResult, train_transformer  # noqa: E402

runner = CliRunner()
TINY = dict(layers=2, dim=32, heads=2, context=16, batch=8, lr=1e-2, max_vocab=200, min_count=1,
            device="cpu")


# -- training ---------------------------------------------------------------------------------
def test_loss_falls_and_beats_unigram(tiny_corpus):
    events = []
    r = train_transformer(tiny_corpus, name="tiny", steps=40, progress=events.append, **TINY)
    losses = [e.info["loss"] for e in events if e.stage == "train tiny" and "loss" in e.info]
    assert losses[0] > np.log(r.vocabulary) - 0.3  # about log(vocabulary) at the start
    assert losses[-1] < losses[0] - 1.0
    assert r.val_perplexity < r.unigram_perplexity / 2
    assert r.steps == 40 and r.resumed_from == 0 and r.device == "cpu"
    assert any("tokens_per_s" in e.info and "ppl" in e.info for e in events)
    # the store sees a transformer model whose Space is the input embedding matrix
    from vecs.io.store import load

    space = load("tiny")
    assert space.meta["kind"] == "transformer" and space.meta["transformer"]["complete"] is True
    model, tok, cfg = load_transformer("tiny")
    assert space.words == tok.words
    assert np.allclose(space.vectors, model.wte.weight.detach().numpy()[: len(tok.words)])


def test_name_checked_and_existing_model_refused_before_any_work(tiny_corpus, monkeypatch):
    import vecs.lm.train as lm_train

    def must_not_open(*a, **k):
        raise AssertionError("opened the corpus")

    with monkeypatch.context() as m:  # only this part: undo() would also undo the test's VECS_HOME
        m.setattr(lm_train, "open_corpus", must_not_open)
        with pytest.raises(StoreError, match="invalid model name"):
            train_transformer(tiny_corpus, name="bad name", steps=2, **TINY)
        from vecs.io.store import save
        from vecs.space import Space

        save(Space(["a"], np.ones((1, 2), dtype=np.float32)), "taken")
        with pytest.raises(ModelExists, match="model 'taken' exists; use --force"):
            train_transformer(tiny_corpus, name="taken", steps=2, **TINY)
    r = train_transformer(tiny_corpus, name="taken", force=True, steps=2, **TINY)
    assert isinstance(r, TransformerResult) and r.name == "taken" and r.steps == 2
    from vecs.io.store import load

    assert load("taken").meta["kind"] == "transformer"


# -- the command ------------------------------------------------------------------------------
def _args(corpus, name, *extra):
    return ["train", "transformer", str(corpus), "--name", name, "--layers", "1", "--dim", "16",
            "--heads", "2", "--context", "8", "--batch", "4", "--steps", "6", "--vocab", "50",
            "--device", "cpu", *extra]


def test_cli_json_table_and_name_collision(tiny_corpus):
    res = runner.invoke(app, _args(tiny_corpus, "cli-gpt", "--json"))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["name"] == "cli-gpt" and out["steps"] == 6 and out["config"]["n_layer"] == 1
    assert out["val_perplexity"] > 1 and out["unigram_perplexity"] > 1 and out["parameters"] > 0
    res = runner.invoke(app, _args(tiny_corpus, "cli-gpt"))
    assert res.exit_code == 1 and "exists" in res.stderr and "--force" in res.stderr
    assert "Traceback" not in res.output
    res = runner.invoke(app, _args(tiny_corpus, "cli-gpt", "--force"))
    assert res.exit_code == 0, res.output
    assert "validation perplexity" in res.stdout and "unigram baseline perplexity" in res.stdout
    from vecs.resolve import resolve

    space = resolve("cli-gpt")  # what `--model cli-gpt` gives every query command
    assert space.meta["kind"] == "transformer" and space.dim == 16 and "cat" in space


def test_cli_bad_input_is_one_line(tiny_corpus, tmp_path):
    res = runner.invoke(app, _args(tiny_corpus, "x", "--epochs", "1"))  # both --steps and --epochs
    assert res.exit_code == 1 and "not both" in res.stderr
    res = runner.invoke(app, _args(tmp_path / "missing.txt", "x"))
    assert res.exit_code == 1 and "no such corpus" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["train", "transformer", str(tiny_corpus), "--name", "x", "--dim", "30",
                              "--heads", "4", "--device", "cpu"])
    assert res.exit_code == 1 and "multiple of --heads" in res.stderr


def test_cli_missing_extra(tiny_corpus, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    monkeypatch.delitem(sys.modules, "vecs.lm.model", raising=False)
    with pytest.raises(MissingExtra):
        import vecs.lm.model  # noqa: F401
    res = runner.invoke(app, _args(tiny_corpus, "x"))
    assert res.exit_code == 1
    assert "pip install 'vecs[contextual]'" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_help_defaults_match_library():
    from cli.train import HELP_DEFAULTS

    assert HELP_DEFAULTS == {k: DEFAULTS[k] for k in HELP_DEFAULTS}
