"""Honest time in word2vec training (vecs/static/word2vec.py, corpus_position.py, fit.py): progress
within an epoch from the training threads' file positions, the estimate before a long run, and
the warning (with the fix) when the corpus is too small for the settings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import vecs.static.fit as fit
import vecs.static.word2vec as w2v
from cli.main import app
from vecs.space import Space
from vecs.static.corpus_position import EpochPosition
from vecs.static.word2vec import train_word2vec

runner = CliRunner()


def test_epoch_position_reads_the_open_files_positions(tmp_path):
    if not EpochPosition.available():
        pytest.skip("no /proc here: progress stays per epoch")
    f = tmp_path / "c.txt"
    f.write_bytes(b"word " * 2000)  # 10,000 bytes
    pos = EpochPosition(f, workers=2)  # gensim's split: worker 1 starts at byte 5,000
    assert pos.fraction() == 0.0
    with open(f, "rb", buffering=0) as a, open(f, "rb", buffering=0) as b:
        a.read(1000)
        b.seek(5000)
        b.read(2000)
        assert pos.fraction() == pytest.approx(3000 / 10_000)
    assert pos.fraction() == 1.0  # both streams closed: both parts done
    pos.start_epoch()
    assert pos.fraction() == 0.0


def test_progress_moves_within_an_epoch(monkeypatch):
    if not EpochPosition.available():
        pytest.skip("no /proc here: progress stays per epoch")
    monkeypatch.setattr(w2v, "POLL_S", 0.002)
    events = []
    r = train_word2vec("lee", name="p", dim=200, epochs=2, workers=1, progress=events.append)
    train = [e for e in events if e.stage == "train word2vec" and e.estimate_s is None]
    inside = [e for e in train if 0 < e.done < r.tokens]
    assert inside, "no progress event before the end of the first epoch"
    assert all(e.info["epoch"] == "1/2" and e.info["words_per_s"] > 0 for e in inside)
    done = [e.done for e in train]
    assert done == sorted(done)  # never backwards
    assert train[-1].finished and train[-1].done == 2 * r.tokens


def test_estimate_before_a_long_run_from_the_stored_rate(monkeypatch):
    monkeypatch.setattr(fit, "DEFAULT_RATE", 10.0)  # nothing measured here yet: the laptop's rate
    events = []
    train_word2vec("lee", name="e", dim=8, epochs=1, workers=1, progress=events.append)
    [est] = [e for e in events if e.estimate_s is not None]
    assert est.stage == "train word2vec" and est.estimate_s > 60 and "laptop" in est.info["basis"]
    # a run measured here is kept per thread at the default cost and used next time
    fit.remember_rate(300_000.0, {"dim": 100, "window": 5, "negative": 5, "sg": True, "workers": 1}, 1e6)
    assert json.loads(fit.rates_file().read_text())["word2vec"] == 300_000.0
    assert fit.stored_rate() == (300_000.0, True)
    events.clear()
    fit.estimate_seconds(events.append, "train word2vec", 60_000_000, {"dim": 100, "window": 5, "negative": 5,
                                                                        "sg": True, "workers": 1})
    assert events[0].estimate_s == pytest.approx(200.0) and "measured here" in events[0].info["basis"]


def test_short_runs_send_no_estimate_and_the_cli_prints_the_long_ones(monkeypatch):
    events = []
    fit.estimate_seconds(events.append, "x", 1000, {})
    assert events == []
    monkeypatch.setattr(fit, "DEFAULT_RATE", 10.0)
    r = runner.invoke(app, ["train", "word2vec", "lee", "--name", "e", "--dim", "8", "--epochs", "1",
                            "--workers", "1"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "train word2vec: about" in r.output and "on this machine" in r.output


def test_mean_cosine_tells_alike_vectors_from_spread_ones():
    rng = np.random.default_rng(0)
    spread = rng.normal(size=(300, 50)).astype(np.float32)
    alike = (np.ones((300, 50)) + 0.05 * rng.normal(size=(300, 50))).astype(np.float32)
    assert abs(fit.mean_cosine(spread)) < 0.05 and fit.mean_cosine(alike) > 0.95
    params = {"epochs": 5}
    assert fit.corpus_warnings(60_000, Space([f"w{i}" for i in range(300)], spread), params) == []
    [w] = fit.corpus_warnings(60_000, Space([f"w{i}" for i in range(300)], alike), params)
    assert "--epochs 20" in w and "small" in w


def test_lee_with_the_defaults_warns_with_the_fix():
    """`vecs train word2vec lee` with the defaults made for a large corpus: every word's
    neighbours are unrelated words at about 0.98; the output says so and what to change."""
    r = runner.invoke(app, ["train", "word2vec", "lee", "--name", "lee", "--workers", "1"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "warning: the corpus is small for these settings" in text and "--epochs 20" in text
