"""A training run around the store (vecs/lm/runs.py): checkpoints beside the model until it has
finished, so a --force retrain interrupted at any checkpoint leaves the old model whole; --resume
continues the side checkpoint; a truthful line on Ctrl-C and SIGTERM; one writer per name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from cli.main import app  # noqa: E402
from vecs import Space  # noqa: E402
from vecs.errors import ModelExists  # noqa: E402
from vecs.io.store import load, save  # noqa: E402
from vecs.lm.runs import TrainingInterrupted  # noqa: E402
from vecs.lm.train import train_transformer  # noqa: E402
from vecs.paths import models_dir  # noqa: E402
from vecs.swap import leftovers

runner = CliRunner()
TINY = dict(layers=2, dim=32, heads=2, context=16, batch=8, lr=1e-2, max_vocab=200, min_count=1,
            device="cpu")
ROOT = Path(__file__).resolve().parents[2]


def _old_model() -> Space:
    s = Space(["a", "b", "c"], np.arange(6, dtype=np.float32).reshape(3, 2), meta={"kind": "word2vec"})
    save(s, "y")
    return s


def _is_old(old: Space) -> bool:
    s = load("y")
    return s.meta["kind"] == "word2vec" and s.words == old.words and np.array_equal(np.asarray(s.vectors), old.vectors)


def test_force_retrain_keeps_the_old_model_until_the_new_one_has_finished(tiny_corpus):
    old = _old_model()
    seen = []

    def watch(ev):  # at every step, checkpoints included, NAME is still the old model
        if ev.stage == "train y" and not ev.finished:
            seen.append(_is_old(old))
            if ev.done == 7:
                raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted) as e:
        train_transformer(tiny_corpus, name="y", force=True, steps=12, checkpoint_every=2, progress=watch, **TINY)
    assert seen and all(seen) and _is_old(old)
    msg = str(e.value)
    assert "the model 'y' is unchanged (the old one is intact)" in msg and "at step 6 of 12" in msg
    assert "--resume" in msg and e.value.checkpoint_step == 6 and not e.value.finished
    side = models_dir() / ".y.checkpoint"
    assert json.loads((side / "trainer_state.json").read_text())["step"] == 6
    assert leftovers(models_dir()) == []
    # --resume continues the side checkpoint; only the finished model replaces 'y'
    r = train_transformer(tiny_corpus, name="y", resume=True, device="cpu")
    assert r.resumed_from == 6 and r.steps == 12
    s = load("y")
    assert s.meta["kind"] == "transformer" and s.meta["transformer"]["complete"] is True
    assert not side.exists() and leftovers(models_dir()) == []


def test_fresh_run_refused_while_an_interrupted_training_waits(tiny_corpus, monkeypatch):
    def stop_at_3(ev):
        if ev.stage == "train w" and ev.done == 3:
            raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted, match="no model 'w' was written; the checkpoint at step 2"):
        train_transformer(tiny_corpus, name="w", steps=6, checkpoint_every=2, progress=stop_at_3, **TINY)
    import vecs.lm.train as lm_train

    def must_not_open(*a, **k):
        raise AssertionError("opened the corpus")

    with monkeypatch.context() as m:  # only this part: undo() would also undo the test's VECS_HOME
        m.setattr(lm_train, "open_corpus", must_not_open)
        with pytest.raises(ModelExists, match="an interrupted training of 'w' waits .*step 2 of 6.*--resume"):
            train_transformer(tiny_corpus, name="w", steps=6, **TINY)
    # --force starts over: the old side checkpoint goes, the new run finishes from step 0
    r = train_transformer(tiny_corpus, name="w", force=True, steps=3, **TINY)
    assert r.resumed_from == 0 and r.steps == 3 and not (models_dir() / ".w.checkpoint").exists()


def test_resumed_side_checkpoint_of_a_new_name_does_not_replace_a_model_made_since(tiny_corpus):
    def stop_at_3(ev):
        if ev.stage == "train n" and ev.done == 3:
            raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted):
        train_transformer(tiny_corpus, name="n", steps=6, checkpoint_every=2, progress=stop_at_3, **TINY)
    save(Space(["a"], np.ones((1, 2), dtype=np.float32), meta={"kind": "imported"}), "n")  # made meanwhile
    with pytest.raises(ModelExists, match="would replace it when it finishes; add --force"):
        train_transformer(tiny_corpus, name="n", resume=True, device="cpu")
    assert load("n").meta["kind"] == "imported"
    r = train_transformer(tiny_corpus, name="n", resume=True, force=True, device="cpu")
    assert r.resumed_from == 2 and load("n").meta["kind"] == "transformer"


def test_cli_interrupted_force_retrain_says_the_old_model_is_intact(tiny_corpus, monkeypatch):
    old = _old_model()
    import vecs.lm.train as lm_train

    real = lm_train.save_checkpoint
    calls = []

    def second_checkpoint_interrupted(*a, **k):  # Ctrl-C (or SIGTERM, the same in the CLI) at a checkpoint
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(lm_train, "save_checkpoint", second_checkpoint_interrupted)
    res = runner.invoke(app, ["train", "transformer", str(tiny_corpus), "--name", "y", "--force", "--layers", "1",
                              "--dim", "16", "--heads", "2", "--context", "8", "--batch", "4", "--steps", "8",
                              "--checkpoint-every", "2", "--vocab", "50", "--device", "cpu"])
    assert res.exit_code == 130, res.output
    line = res.stderr.strip().splitlines()[-1]  # (above it: the progress bars)
    assert "Traceback" not in res.output
    assert line.startswith("interrupted: the model 'y' is unchanged (the old one is intact); the checkpoint at step 2")
    assert "--resume" in line and _is_old(old)


def test_a_second_writer_of_the_name_gets_one_line_while_training_runs(tiny_corpus):
    code = ("from vecs.io.store import save; from vecs import Space; import numpy as np\n"
            "try:\n"
            "    save(Space(['a'], np.ones((1, 2), dtype=np.float32)), 'busy', force=True)\n"
            "except Exception as e:\n"
            "    print(type(e).__name__, e)\n")
    out = []

    def other_writer(ev):
        if ev.stage == "train busy" and ev.done == 2 and not out:
            r = subprocess.run([sys.executable, "-c", code.replace("save(", "import vecs.io.store as st; "
                                                                    "st.LOCK_WAIT = 0.2; save(")],
                               capture_output=True, text=True, cwd=ROOT, timeout=60)
            out.append(r.stdout + r.stderr)

    train_transformer(tiny_corpus, name="busy", steps=4, progress=other_writer, **TINY)
    assert out and out[0].startswith("StoreError 'busy' is being written by another process"), out
    assert load("busy").meta["kind"] == "transformer"
