"""Memory budgets of our GPT (vecs/lm/budget.py): sizes that cannot fit are refused before any
work with the estimate and the limit, and an allocation failure in training is one line."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from cli.main import app  # noqa: E402
from vecs import Space  # noqa: E402
from vecs.errors import VecsError  # noqa: E402
from vecs.lm.budget import memory_guard, train_estimate  # noqa: E402
from vecs.lm.model import GPT, GPTConfig  # noqa: E402
from vecs.lm.train import train_transformer  # noqa: E402

runner = CliRunner()
TINY = dict(layers=2, dim=32, heads=2, context=16, batch=8, lr=1e-2, max_vocab=200, min_count=1, device="cpu")


@pytest.mark.parametrize("v, l, c, h, t", [(50, 1, 16, 2, 8), (1000, 3, 64, 4, 32), (7, 2, 48, 3, 5)])
def test_estimate_counts_the_parameters_of_the_model(v, l, c, h, t):
    with torch.device("meta"):
        n = GPT(GPTConfig(vocab_size=v, n_layer=l, n_head=h, n_embd=c, block_size=t)).num_parameters()
    est = train_estimate(v, l, c, h, t, batch=4)
    assert est.parameters == n and est.state_bytes == 16 * n and est.activation_bytes > 0


@pytest.mark.parametrize("option, value", [("dim", 10_000_000), ("batch", 1_000_000_000), ("context", 100_000_000)])
def test_too_big_to_fit_is_refused_before_any_work_with_estimate_and_limit(tiny_corpus, monkeypatch, option, value):
    import vecs.lm.train as lm_train

    def must_not_open(*a, **k):
        raise AssertionError("opened the corpus")

    monkeypatch.setattr(lm_train, "open_corpus", must_not_open)
    args = {**TINY, option: value, **({"heads": 1} if option == "dim" else {})}
    with pytest.raises(VecsError, match=r"needs about [\d,.]+ GB .* more than the [\d,.]+ [GM]B available"):
        train_transformer(tiny_corpus, name="big", steps=2, **args)
    res = runner.invoke(app, ["train", "transformer", str(tiny_corpus), "--name", "big", f"--{option}", str(value),
                              "--heads", "1", "--device", "cpu"])
    assert res.exit_code == 1 and "needs about" in res.stderr and "available" in res.stderr
    assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1


def test_out_of_memory_in_training_is_one_line_and_the_store_is_unchanged(tiny_corpus, monkeypatch):
    from vecs.io.store import load, save

    save(Space(["a"], np.ones((1, 2), dtype=np.float32), meta={"kind": "word2vec"}), "m")

    def oom(self, *a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(torch.optim.AdamW, "step", oom)
    with pytest.raises(VecsError, match=r"^out of memory training 'm' \(it needs about .* available\): use a smaller"):
        train_transformer(tiny_corpus, name="m", force=True, steps=4, **TINY)
    assert load("m").meta["kind"] == "word2vec"


def test_memory_guard_turns_only_allocation_failures_into_a_line():
    with pytest.raises(VecsError, match="out of memory loading x"):
        with memory_guard("loading x"):
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: "
                               "you tried to allocate 400000000000 bytes")
    with pytest.raises(VecsError, match="out of memory loading x"):
        with memory_guard("loading x"):
            raise MemoryError()
    with pytest.raises(RuntimeError, match="shape mismatch"):
        with memory_guard("loading x"):
            raise RuntimeError("shape mismatch")
