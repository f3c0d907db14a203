"""Checkpoints of our GPT (vecs/lm/checkpoint.py): interrupt and resume, the load round trip,
load errors, Ctrl-C held back during the swap, and devices. Tiny configurations on a tiny corpus."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from cli.main import app  # noqa: E402
from vecs.errors import DeviceUnavailable, ModelExists, StoreError  # noqa: E402
from vecs.lm.checkpoint import load_transformer, pick_device, sigint_deferred  # noqa: E402
from vecs.lm.train import train_transformer  # noqa: E402

runner = CliRunner()
TINY = dict(layers=2, dim=32, heads=2, context=16, batch=8, lr=1e-2, max_vocab=200, min_count=1,
            device="cpu")


def test_interrupt_resume_equals_uninterrupted_run_and_load_round_trip(tiny_corpus, tmp_path):
    common = dict(steps=12, checkpoint_every=5, **TINY)
    full = train_transformer(tiny_corpus, name="full", **common)

    def stop_at_7(ev):
        if ev.stage == "train part" and ev.done == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_transformer(tiny_corpus, name="part", progress=stop_at_7, **common)
    from vecs.paths import models_dir

    state = json.loads((models_dir() / "part" / "trainer_state.json").read_text())
    assert state["step"] == 5 and state["complete"] is False  # the step-5 checkpoint survived
    assert not [p for p in models_dir().iterdir() if p.name.startswith(".")]  # no half-written leftovers
    with pytest.raises(ModelExists):
        train_transformer(tiny_corpus, name="part", **common)
    with pytest.raises(StoreError, match="different architecture"):
        train_transformer(tiny_corpus, name="part", resume=True, steps=12, dim=64, device="cpu")
    part = train_transformer(tiny_corpus, name="part", resume=True, device="cpu")  # settings from the checkpoint
    assert part.resumed_from == 5 and part.steps == 12 and part.steps_this_run == 7
    m_full, tok_full, cfg_full = load_transformer("full")
    m_part, tok_part, cfg_part = load_transformer(models_dir() / "part")
    assert cfg_full == cfg_part and tok_full.itos == tok_part.itos
    for (k, a), (_, b) in zip(m_full.state_dict().items(), m_part.state_dict().items()):
        assert torch.allclose(a, b, atol=1e-6), k
    assert part.val_perplexity == pytest.approx(full.val_perplexity, rel=1e-5)
    # resuming a finished run with more steps continues the step counter
    more = train_transformer(tiny_corpus, name="part", resume=True, steps=15, device="cpu")
    assert more.resumed_from == 12 and more.steps == 15
    assert json.loads((models_dir() / "part" / "trainer_state.json").read_text())["step"] == 15

def test_load_errors(tiny_corpus):
    from vecs.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match="no transformer named 'nope'"):
        load_transformer("nope")
    from vecs.io.store import save
    from vecs.space import Space

    save(Space(["a"], np.ones((1, 2), dtype=np.float32), meta={"kind": "word2vec"}), "w2v")
    with pytest.raises(ModelNotFound, match="not a transformer"):
        load_transformer("w2v")
    with pytest.raises(StoreError, match="not a transformer checkpoint"):
        train_transformer(tiny_corpus, name="w2v", resume=True, steps=2, **{k: v for k, v in TINY.items()})

def test_ctrl_c_is_held_back_during_the_swap_then_delivered():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with sigint_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("swapped")  # the block finishes first
    assert done == ["swapped"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is restored


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error(tiny_corpus):
    with pytest.raises(DeviceUnavailable, match="CUDA is not available"):
        pick_device("cuda")
    assert pick_device("auto") == "cpu"
    res = runner.invoke(app, ["train", "transformer", str(tiny_corpus), "--name", "x", "--device", "cuda"])
    assert res.exit_code == 1
    assert "CUDA is not available" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training(tiny_corpus):
    r = train_transformer(tiny_corpus, name="gpu", steps=20, **{**TINY, "device": "cuda"})
    assert r.device.startswith("cuda") and r.val_perplexity < r.unigram_perplexity
    model, _, _ = load_transformer("gpu")  # weights saved from the GPU load on the CPU
    assert next(model.parameters()).device.type == "cpu"
