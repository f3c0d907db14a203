"""The loss curve of a training (vecs/lm/history.py): written beside the model, falling on a tiny
run, points at the start, every N steps and at the end, continued the same by a resumed run, read
back with one clear line for a model that has none or a damaged one."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from vecs.errors import StoreError  # noqa: E402
from vecs.lm.history import HISTORY_FILE, LossHistory, every_for, load_history, read_history  # noqa: E402
from vecs.lm.train import train_transformer  # noqa: E402
from vecs.paths import models_dir  # noqa: E402

TINY = dict(layers=2, dim=32, heads=2, context=16, batch=8, lr=1e-2, max_vocab=200, min_count=1,
            device="cpu")


def test_history_is_written_beside_the_model_and_the_loss_falls(tiny_corpus):
    r = train_transformer(tiny_corpus, name="h", steps=30, record_every=5, **TINY)
    h = read_history(models_dir() / "h")
    assert h is not None and h.steps == [0, 5, 10, 15, 20, 25, 30] and h.every == 5
    assert h.pending_steps == 0  # the run finished on a point
    assert h.train[-1] < h.train[0] - 1.0 and h.val[-1] < h.val[0] - 1.0
    assert h.train[0] == pytest.approx(h.val[0], abs=0.3)  # at the start both are about ln(vocabulary)
    assert abs(h.val[0] - torch.log(torch.tensor(float(r.vocabulary))).item()) < 0.3
    # the result carries the same curve, and the JSON file says what its numbers are
    assert r.history is not None and r.history.steps == h.steps and r.history.val == pytest.approx(h.val)
    d = json.loads((models_dir() / "h" / HISTORY_FILE).read_text())
    assert d["points"][0] == {"step": 0, "train_loss": h.train[0], "val_loss": h.val[0]}
    assert "since the previous point" in d["train_loss"] and "held-out tokens" in d["val_loss"]
    assert load_history("h").name == "h"


def test_points_at_the_start_every_n_steps_and_at_the_end(tiny_corpus):
    r = train_transformer(tiny_corpus, name="p", steps=7, record_every=3, **TINY)
    assert r.history.steps == [0, 3, 6, 7]
    assert every_for(1500) == 75 and every_for(7) == 1  # by default about every 5% of the run
    r = train_transformer(tiny_corpus, name="d", steps=40, **TINY)
    assert r.history.every == 2 and len(r.history.points) == 21


def test_a_resumed_run_continues_the_same_curve(tiny_corpus):
    common = dict(steps=12, checkpoint_every=5, record_every=2, **TINY)
    full = train_transformer(tiny_corpus, name="full", **common)

    def stop_at_7(ev):
        if ev.stage == "train part" and ev.done == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_transformer(tiny_corpus, name="part", progress=stop_at_7, **common)
    side = read_history(models_dir() / ".part.checkpoint")  # the step-5 checkpoint: points 0, 2, 4 + one step
    assert side.steps == [0, 2, 4] and side.pending_steps == 1
    part = train_transformer(tiny_corpus, name="part", resume=True, device="cpu")
    assert part.history.steps == full.history.steps == [0, 2, 4, 6, 8, 10, 12]
    assert part.history.train == pytest.approx(full.history.train, abs=1e-5)
    assert part.history.val == pytest.approx(full.history.val, abs=1e-5)
    # resuming the finished model with more steps extends the curve from where it ended
    more = train_transformer(tiny_corpus, name="part", resume=True, steps=16, device="cpu")
    assert more.history.steps == [0, 2, 4, 6, 8, 10, 12, 14, 16]
    assert more.history.val[:7] == pytest.approx(full.history.val, abs=1e-5)


def test_a_model_without_a_history_or_with_a_damaged_one_is_one_line(tiny_corpus):
    train_transformer(tiny_corpus, name="old", steps=2, **TINY)
    (models_dir() / "old" / HISTORY_FILE).unlink()  # as trained before vecs kept one
    assert read_history(models_dir() / "old") is None
    with pytest.raises(StoreError, match=r"model 'old' has no loss history \(it was trained before"):
        load_history("old")
    # it still resumes: the curve starts where the resumed run does
    r = train_transformer(tiny_corpus, name="old", resume=True, steps=4, record_every=1, device="cpu")
    assert r.history.steps == [2, 3, 4]
    (models_dir() / "old" / HISTORY_FILE).write_text('{"every": 1, "val_tokens": 10, "points": [{"step": "x"}]}')
    with pytest.raises(StoreError, match="history.json: not a loss history"):
        load_history("old")
    (models_dir() / "old" / HISTORY_FILE).write_text("{")
    with pytest.raises(StoreError, match="history.json: not valid JSON"):
        load_history("old")


@pytest.mark.parametrize("d, says", [
    ({"every": 0, "val_tokens": 10, "points": []}, "positive whole numbers"),
    ({"every": 1, "val_tokens": 10, "points": [{"step": 2, "train_loss": 1, "val_loss": 1},
                                               {"step": 1, "train_loss": 1, "val_loss": 1}]}, "must increase"),
    ({"every": 1, "val_tokens": 10, "points": [{"step": 0, "train_loss": "nan", "val_loss": 1}]}, "finite"),
])
def test_history_from_dict_rejects_what_is_not_a_curve(d, says):
    with pytest.raises(StoreError, match=says):
        LossHistory.from_dict(d)
