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
from vecs.lm.checkpoint import load_transformer, pick_device  # noqa: E402
from vecs.swap import signals_deferred  # noqa: E402
from vecs.lm.train import train_transformer  # noqa: E402
from vecs.swap import leftovers

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

    # the step-5 checkpoint survived, beside the model (which does not exist yet)
    state = json.loads((models_dir() / ".part.checkpoint" / "trainer_state.json").read_text())
    assert state["step"] == 5 and state["complete"] is False
    assert not (models_dir() / "part").exists()
    assert leftovers(models_dir()) == []  # no half-written temporaries
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
        with signals_deferred():
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


# -- damaged folders: one line naming the folder or the file, nothing allocated from a header ------
def _damaged_copies(tmp_path, tiny_corpus):
    import shutil

    from vecs.paths import models_dir

    train_transformer(tiny_corpus, name="t", steps=2, **TINY)
    good = models_dir() / "t"

    def copy(label, change):
        d = tmp_path / label
        shutil.copytree(good, d)
        change(d)
        return d

    def config(**kv):
        def change(d):
            cfg = json.loads((d / "config.json").read_text())
            (d / "config.json").write_text(json.dumps({**cfg, **kv}))
        return change

    def truncate(d):
        b = (d / "model.safetensors").read_bytes()
        (d / "model.safetensors").write_bytes(b[: len(b) // 2])

    return {
        "n_head 0": (copy("head0", config(n_head=0)), "config.json: not a valid model config: n_head"),
        "string n_embd": (copy("embd", config(n_embd="32")), "config.json: not a valid model config: n_embd"),
        "not a multiple": (copy("mult", config(n_head=3)), "must be a multiple of n_head"),
        "truncated weights": (copy("trunc", truncate), "model.safetensors: not a readable safetensors file"),
        # a config that claims a huge model is caught from the file's header, before any allocation
        "huge config": (copy("huge", config(n_embd=2**20, n_head=2)), "the weights do not match config.json"),
        "more layers": (copy("layers", config(n_layer=5)), "the weights do not match config.json"),
    }


def test_damaged_transformer_folders_give_one_line_naming_them(tiny_corpus, tmp_path):
    for label, (folder, says) in _damaged_copies(tmp_path, tiny_corpus).items():
        with pytest.raises(StoreError) as e:
            load_transformer(folder)
        assert says in str(e.value) and str(folder) in str(e.value), (label, str(e.value))
        res = runner.invoke(app, ["context", "cat", "the cat sees", "a cat today", "--model", str(folder)])
        assert res.exit_code == 1 and says in res.stderr, (label, res.output)
        assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1, (label, res.stderr)


def test_resume_never_restarts_silently(tiny_corpus, tmp_path):
    import shutil

    from vecs.paths import models_dir

    with pytest.raises(StoreError, match="nothing to resume: no checkpoint of 'ghost'"):
        train_transformer(tiny_corpus, name="ghost", resume=True, steps=4, **TINY)
    res = runner.invoke(app, ["train", "transformer", str(tiny_corpus), "--name", "ghost", "--resume",
                              "--device", "cpu"])
    assert res.exit_code == 1 and "nothing to resume" in res.stderr and len(res.stderr.strip().splitlines()) == 1

    def stop_at_3(ev):
        if ev.stage == "train half" and ev.done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_transformer(tiny_corpus, name="half", steps=6, checkpoint_every=2, progress=stop_at_3, **TINY)
    side = models_dir() / ".half.checkpoint"
    saved = tmp_path / "saved"
    shutil.copytree(side, saved)
    for file, damage, says in (("trainer_state.json", b"{not json", "trainer_state.json: not valid JSON"),
                               ("model.safetensors", b"\x00" * 5, "model.safetensors: not a readable safetensors"),
                               ("optimizer.safetensors", None, "optimizer.safetensors: missing")):
        if damage is None:
            (side / file).unlink()
        else:
            (side / file).write_bytes(damage)
        with pytest.raises(StoreError) as e:
            train_transformer(tiny_corpus, name="half", resume=True, device="cpu")
        assert says in str(e.value) and str(e.value).startswith("cannot resume 'half': "), str(e.value)
        shutil.rmtree(side)
        shutil.copytree(saved, side)
    r = train_transformer(tiny_corpus, name="half", resume=True, device="cpu")  # the intact one resumes
    assert r.resumed_from == 2 and r.steps == 6 and not side.exists()


def test_sigterm_is_held_back_during_the_swap_like_ctrl_c():
    def terminate(signum, frame):  # what the CLI installs: SIGTERM behaves like Ctrl-C
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, terminate)
    try:
        done = []
        with pytest.raises(KeyboardInterrupt):
            with signals_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                done.append("swapped")
        assert done == ["swapped"]
        assert signal.getsignal(signal.SIGTERM) is terminate
    finally:
        signal.signal(signal.SIGTERM, old)
