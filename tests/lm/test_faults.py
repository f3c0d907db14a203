"""Kill test of transformer training (vecs/lm): `vecs train transformer` over an existing model
(--force), from nothing, or resuming, killed at random points (SIGKILL, SIGTERM, SIGINT); after
each kill and the next store access, NAME is the old model or the finished new one, whole and
loadable, a side checkpoint left behind is whole, and no temporaries remain.

Seeded and bounded (about 40 s in all on two cores); the figures are printed (run with ``-s``)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from vecs import Space  # noqa: E402
from vecs.io.store import load, model_names, remove, save  # noqa: E402
from vecs.lm.checkpoint import check_weights, load_transformer, read_checkpoint, side_path  # noqa: E402
from vecs.paths import models_dir  # noqa: E402
from vecs.swap import leftovers, recover_dir

ROOT = Path(__file__).resolve().parents[2]
SEED, MIN_KILLS, MAX_KILLS, BUDGET_S, STEPS = 9, 4, 14, 28.0, 12  # at least MIN, more while in budget
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
OLD = Space(["a", "b", "c"], np.arange(6, dtype=np.float32).reshape(3, 2), meta={"kind": "word2vec"})

# the heavy imports first, then "ready": the kill lands in the work, not in the start-up
DRIVER = """
import sys
import safetensors.torch  # noqa: F401
import torch
torch.set_num_threads(1)  # a tiny model: threads only wait for each other on a busy machine
import typer.main
import vecs.lm.train  # noqa: F401
from cli.main import app, build_command
from vecs.lm.model import GPT, GPTConfig
build_command("train")  # commands load lazily: this one before "ready", as the rest of the start-up
vecs = typer.main.get_command(app)  # the command line program, built
m = GPT(GPTConfig(vocab_size=8, n_layer=1, n_head=2, n_embd=8, block_size=4))  # torch's lazy start-up
opt = torch.optim.AdamW(m.parameters())
m(torch.zeros((1, 4), dtype=torch.long), torch.zeros((1, 4), dtype=torch.long))[1].backward()
opt.step()
print("ready", flush=True)
vecs.main(args=sys.argv[1:], prog_name="vecs")
"""


def _args(corpus: Path, *extra: str) -> list[str]:
    return ["train", "transformer", str(corpus), "--name", "m", "--layers", "1", "--dim", "16", "--heads", "2",
            "--context", "8", "--batch", "4", "--steps", str(STEPS), "--checkpoint-every", "1", "--vocab", "50",
            "--device", "cpu", *extra]


def _start(corpus: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, *_args(corpus, *extra)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout.readline().strip() == "ready", proc.communicate()[1]
    return proc


def _what_is_m() -> str:
    """``absent``, ``old`` or ``new``: whole and loadable, or the test fails."""
    if "m" not in model_names():
        assert not os.path.lexists(models_dir() / "m"), os.listdir(models_dir())
        return "absent"
    s = load("m")
    if s.meta.get("kind") == "word2vec":
        assert s.words == OLD.words and np.array_equal(np.asarray(s.vectors), OLD.vectors)
        return "old"
    t = s.meta["transformer"]
    assert s.meta["kind"] == "transformer" and t["complete"] is True and t["step"] == STEPS, s.meta
    model, tok, _ = load_transformer("m")  # every file checked, the weights loaded
    assert tok.words == s.words and np.allclose(np.asarray(s.vectors), model.wte.weight.detach().numpy()[: len(s)])
    return "new"


def test_training_killed_at_random_points_leaves_old_or_new_model_whole(tiny_corpus):
    root = models_dir()
    side = side_path(root / "m")
    rng = random.Random(SEED)
    stats: Counter = Counter()
    t0 = time.perf_counter()
    # a first run, uninterrupted, over the old model: how long the work takes, and the new model
    save(OLD, "m")
    proc = _start(tiny_corpus, "--force")
    t_ready = time.perf_counter()
    _, err = proc.communicate(timeout=120)
    work_s = time.perf_counter() - t_ready
    assert proc.returncode == 0, err
    assert _what_is_m() == "new" and not side.exists()
    kills = 0
    while kills < MIN_KILLS or (kills < MAX_KILLS and time.perf_counter() - t0 < BUDGET_S):
        mode = rng.choice(["force over old", "fresh", "resume"])
        if mode == "resume" and not side.is_dir():
            mode = "force over old"
        if mode == "force over old":
            save(OLD, "m", force=True)
        elif mode == "fresh" and "m" in model_names():
            remove("m")
        before = _what_is_m()
        sig = SIGNALS[kills % len(SIGNALS)]
        proc = _start(tiny_corpus, "--resume" if mode == "resume" else "--force")
        time.sleep(rng.uniform(0.0, 1.1 * work_s))
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        kills += 1
        rc = proc.returncode
        assert "Traceback" not in err, err
        # 130: interrupted; 0: it had finished; -sig: killed (SIGKILL, SIGTERM before the CLI's
        # handler was in place, a signal while the interpreter exits); 1 with "Aborted!": Ctrl-C
        # while click parsed the arguments
        assert rc in (0, 130, -sig) or (rc == 1 and err.strip().endswith("Aborted!")), (rc, err)
        if rc == 130:  # Ctrl-C or SIGTERM seen by the CLI: one true line
            line = err.strip().splitlines()[-1]
            assert line.startswith("interrupted"), err
            if before == "old" and "after training finished" not in line:
                assert "the model 'm' is unchanged (the old one is intact)" in line, line
        stats[f"{mode}, {signal.Signals(sig).name}: exit {rc}"] += 1
        stats["kills that left temporaries before the next store access"] += bool(leftovers(root))
        for line in recover_dir(root):  # what the next store access does (model_names() below does it too)
            stats["recovery: " + line.split(": ", 1)[1].split(" (")[0].split(" .")[0]] += 1
        after = _what_is_m()
        assert after in (before, "new"), (mode, sig, before, after)
        assert rc != 0 or after == "new"
        assert leftovers(root) == [], (mode, sig, os.listdir(root))
        stats[f"model after: {after} (was {before})"] += 1
        if side.is_dir():  # a checkpoint left to resume is whole
            ckpt = read_checkpoint(side)
            check_weights(side, ckpt.config)
            assert not ckpt.complete or ckpt.step == STEPS
            stats["kills that left a checkpoint to resume"] += 1
    elapsed = time.perf_counter() - t0
    print(f"\n{kills} kills of `vecs train transformer` in {elapsed:.1f} s (seed {SEED}, work {work_s:.1f} s a run):")
    for k in sorted(stats):
        print(f"  {k}: {stats[k]}")
    assert kills >= MIN_KILLS


KILLED_IN_THE_SWAP = """
import os, sys
import vecs.swap
from vecs.lm.train import train_transformer
real = os.replace

def replace(src, dst):  # die, as on SIGKILL, between the two renames of the final swap
    if str(src).endswith(".m.checkpoint") and os.path.basename(str(dst)) == "m":
        os._exit(9)
    return real(src, dst)

vecs.swap.os.replace = replace
train_transformer(sys.argv[1], name="m", force=True, layers=1, dim=16, heads=2, context=8, batch=4,
                  steps=int(sys.argv[2]), checkpoint_every=2, max_vocab=50, min_count=1, device="cpu")
"""


def test_a_kill_between_the_renames_of_the_final_swap_is_finished_on_next_access(tiny_corpus):
    save(OLD, "m")
    root = models_dir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", KILLED_IN_THE_SWAP, str(tiny_corpus), str(STEPS)], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 9, r.stderr
    # the old model is aside, the journal says where the finished one is: NAME is missing until...
    assert not os.path.lexists(root / "m") and ".m.swap" in leftovers(root)
    done = recover_dir(root)  # ... the next store access finishes the swap
    assert any("finished the swap" in line for line in done), done
    assert _what_is_m() == "new" and leftovers(root) == [] and not side_path(root / "m").exists()
