"""Kill tests of the store: forced saves killed at random points (SIGKILL, SIGTERM, SIGINT), then the
store must hold the old or the new model, whole, and no temporaries once it is opened again; and a
transformer training that hits a full disk leaves the store as it was.

Seeded and bounded (about 30 s on two cores); the figures are printed (run with ``-s``)."""

from __future__ import annotations

import errno
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

from vecs import Space
from vecs.errors import VecsError
from vecs.io.store import exists, load, model_names, save
from vecs.paths import models_dir
from vecs.swap import leftovers, recover_dir

ROOT = Path(__file__).resolve().parents[1]
SEED, MIN_KILLS, KILLS, BUDGET_S = 9, 15, 30, 30.0  # at least MIN, up to KILLS while in budget
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)

# the two models a writer alternates between, built the same way here and in the writer
SPACES = """
import numpy as np
from vecs import Space
A = Space([f"a{i}" for i in range(4000)], np.random.default_rng(1).standard_normal((4000, 64)).astype(np.float32))
B = Space([f"b{i}" for i in range(3000)], np.random.default_rng(2).standard_normal((3000, 32)).astype(np.float32))
"""

WRITER = SPACES + """
import signal, sys
from vecs.io.store import save

def terminate(signum, frame):  # as the CLI does: SIGTERM behaves like Ctrl-C
    raise KeyboardInterrupt

signal.signal(signal.SIGTERM, terminate)
if len(sys.argv) > 1:  # a slow disk: every rename and fsync takes 15 ms, so more kills land mid-swap
    import os, time
    for name in ("replace", "fsync"):
        def slow(*a, _real=getattr(os, name), **k):
            time.sleep(0.015)
            return _real(*a, **k)
        setattr(os, name, slow)
print("ready", flush=True)
i = 0
while True:
    save(B if i % 2 == 0 else A, "m", force=True)
    i += 1
"""


def _spaces() -> tuple[Space, Space]:
    ns: dict = {}
    exec(SPACES, ns)
    return ns["A"], ns["B"]


def _which(space: Space, a: Space, b: Space) -> str:
    for label, want in (("A", a), ("B", b)):
        if space.words == want.words and space.vectors.shape == want.vectors.shape \
                and np.array_equal(np.asarray(space.vectors), want.vectors):
            return label
    return "neither"


def test_forced_saves_killed_at_random_points_leave_old_or_new_whole():
    a, b = _spaces()
    save(a, "m")
    root = models_dir()
    rng = random.Random(SEED)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    stats: Counter = Counter()
    t0 = time.perf_counter()
    kills = 0
    while kills < MIN_KILLS or (kills < KILLS and time.perf_counter() - t0 < BUDGET_S):
        sig = SIGNALS[kills % len(SIGNALS)]
        slow = ["slow"] if kills % 2 else []
        proc = subprocess.Popen([sys.executable, "-c", WRITER, *slow], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        kills += 1
        stats[f"signal {signal.Signals(sig).name}"] += 1
        stats["writers with slow renames"] += bool(slow)
        assert "Traceback" not in err or "KeyboardInterrupt" in err, err
        left = leftovers(root)
        stats["kills that left temporaries"] += bool(left)
        stats["kills that left a swap journal"] += ".m.swap" in left
        stats["kills that left NAME missing"] += not os.path.lexists(root / "m")
        for line in recover_dir(root):  # what the next start does (load() does it too)
            stats["recovery: " + line.split(": ", 1)[1].split(" (")[0].split(" .")[0]] += 1
        got = _which(load("m"), a, b)
        stats[f"model after recovery: {got}"] += 1
        assert got in ("A", "B"), (kills, sig, left)
        assert leftovers(root) == [] and model_names() == ["m"], (kills, sig, os.listdir(root))
    elapsed = time.perf_counter() - t0
    print(f"\n{kills} kills in {elapsed:.1f} s (seed {SEED}):")
    for k in sorted(stats):
        print(f"  {k}: {stats[k]}")
    assert kills >= MIN_KILLS and stats["model after recovery: neither"] == 0


def test_cli_import_force_killed_by_sigterm_exits_130_and_keeps_the_store(tmp_path):
    """`vecs import --force` killed with SIGTERM at random points of its run (timed uninterrupted
    first): exit 130 with one line ("interrupted"), or done; the store holds the old or the new
    model, whole, and no temporaries. The imports alternate between the whole file and its first
    half, so each one replaces the model."""
    from vecs.io.write import write_vectors

    vecs = Path(sys.executable).with_name("vecs")
    if not vecs.exists():
        pytest.skip("the vecs script is not installed beside this Python")
    big = Space([f"c{i}" for i in range(40000)],
                np.random.default_rng(3).standard_normal((40000, 48)).astype(np.float32))
    half = big.restrict(20000)
    src = write_vectors(big, tmp_path / "c.txt", "word2vec")
    save(half, "m")

    def start(i: int) -> subprocess.Popen:
        limit = ["--limit", "20000"] if i % 2 else []
        return subprocess.Popen([str(vecs), "import", str(src), "--name", "m", "--force", *limit],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    t = time.perf_counter()
    assert start(0).wait(timeout=120) == 0
    whole = time.perf_counter() - t
    rng = random.Random(SEED)
    codes: Counter = Counter()
    for i in range(1, 7):
        proc = start(i)
        time.sleep(rng.uniform(0.35, 1.0) * whole)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        codes[proc.returncode] += 1
        # 130: interrupted; 0: it had finished; -15: killed while Python was still starting (before
        # the CLI installed its handler), when nothing had been written yet
        assert proc.returncode in (0, 130, -signal.SIGTERM), err
        assert "Traceback" not in err
        if proc.returncode == 130:
            assert err.strip().splitlines()[-1].startswith("error: interrupted"), err
        got = load("m")
        assert _which(got, big, half) in ("A", "B"), (i, proc.returncode, len(got))
        assert leftovers(models_dir()) == []
    print(f"\nvecs import --force ({whole:.2f} s uninterrupted) under SIGTERM: exit codes {dict(codes)}")


def test_train_transformer_on_a_full_disk_leaves_the_store_intact(tmp_path, toy, monkeypatch):
    pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    from vecs.lm.train import train_transformer

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(f"the cat {w} the dog today." for w in ["sees", "likes", "feeds"] * 60) + "\n")
    save(toy, "m")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safetensors_torch, "save_file", full)
    with pytest.raises((OSError, VecsError)) as e:  # the CLI turns either into one line
        train_transformer(corpus, name="m", force=True, layers=1, dim=16, heads=2, context=8, batch=4,
                          steps=4, checkpoint_every=2, max_vocab=50, min_count=1, device="cpu")
    assert "No space left on device" in str(e.value)
    s = load("m")  # the old model, whole
    assert s.words == toy.words and np.array_equal(np.asarray(s.vectors), toy.vectors)
    assert leftovers(models_dir()) == [] and model_names() == ["m"] and not exists("m.ckpt")
