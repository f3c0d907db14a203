"""Memory budgets of our GPT: what a model, its training (weights, gradients, AdamW's two
moments, the activations of a batch) or its loading will need, checked against the memory at
hand *before* anything is allocated, and out-of-memory errors from torch turned into one clear
line (:func:`memory_guard`).

The estimate (bytes), with ``P`` parameters, ``L`` layers, ``C`` width, ``H`` heads, ``T``
context, ``B`` batch, ``V`` vocabulary:

* parameters: ``P = V·C + T·C + L·(12·C² + 13·C) + 2·C`` (tied unembedding counted once);
* training state: 16 bytes per parameter (float32 weights, gradients, two AdamW moments);
* activations kept for the backward pass: ``L·B·T·34·C`` values (Korthikanti et al., 2022,
  without the ``T²`` attention scores, which torch's fused attention does not keep) of 4 bytes
  on the CPU, 2 under CUDA's bf16 autocast, plus the logits ``B·T·V`` three times over in
  float32 (scores, their float copy, the gradient) and the batch's ids.

It is an estimate, within about 25% of the peak measured on the CPU for small configurations:
what it refuses could not run; what it lets through may still fail, and :func:`memory_guard`
turns that into one line too."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from vecs.errors import VecsError

GB = 1024**3


@dataclass
class Estimate:
    parameters: int
    state_bytes: int  # weights (+ gradients and optimizer moments when training)
    activation_bytes: int  # a batch's forward and backward pass

    @property
    def total(self) -> int:
        return self.state_bytes + self.activation_bytes

    def describe(self) -> str:
        return (f"about {_gb(self.total)} ({self.parameters:,} parameters: {_gb(self.state_bytes)}; "
                f"a batch's activations: {_gb(self.activation_bytes)})")


def _gb(n: float) -> str:
    return f"{n / GB:,.1f} GB" if n >= GB / 10 else f"{n / 1024**2:,.0f} MB"


def parameters(vocab: int, layers: int, dim: int, context: int) -> int:
    return vocab * dim + context * dim + layers * (12 * dim * dim + 13 * dim) + 2 * dim


def train_estimate(vocab: int, layers: int, dim: int, heads: int, context: int, batch: int,
                   device: str = "cpu") -> Estimate:
    """What training needs: weights, gradients, AdamW's moments and one batch's activations."""
    p = parameters(vocab, layers, dim, context)
    act_bytes = 2 if device.startswith("cuda") else 4
    acts = layers * batch * context * 34 * dim * act_bytes
    acts += 3 * batch * context * vocab * 4 + 3 * batch * (context + 1) * 8  # logits; the batch's ids
    return Estimate(p, 16 * p, acts)


def load_estimate(params: int) -> Estimate:
    """What loading a model of ``params`` float32 parameters needs (twice: the file's tensors and the model's)."""
    return Estimate(params, 8 * params, 0)


def available(device: str = "cpu") -> int | None:
    """Bytes of memory a new allocation can have on ``device`` (CUDA: free memory on the card;
    CPU: ``MemAvailable``, capped by a cgroup limit), or None when it cannot be told."""
    if device.startswith("cuda"):
        try:
            import torch

            free, _total = torch.cuda.mem_get_info(torch.device(device))
            return int(free)
        except Exception:  # pragma: no cover - no CUDA, or a driver that will not say
            return None
    avail = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError):
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
        except (ValueError, OSError, AttributeError):  # pragma: no cover - not a POSIX system
            return None
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as f:
            limit = f.read().strip()
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as f:
            used = int(f.read().strip())
        if limit != "max":
            avail = min(avail, max(0, int(limit) - used))
    except (OSError, ValueError):
        pass
    return avail


def check_fits(est: Estimate, device: str, what: str, hint: str = "") -> None:
    """Refuse (:class:`VecsError`, one line with the estimate and the limit) what cannot fit in
    the memory at hand on ``device``."""
    limit = available(device)
    if limit is not None and est.total > limit:
        where = "on the GPU" if device.startswith("cuda") else "in this machine's memory"
        raise VecsError(f"{what} needs {est.describe()}, more than the {_gb(limit)} available {where}"
                        + (f": {hint}" if hint else ""))


def check_training(vocab: int, layers: int, dim: int, heads: int, context: int, batch: int, device: str) -> Estimate:
    """Refuse a training that cannot fit (``vocab`` 2: before the vocabulary is known, a lower
    bound); the estimate otherwise."""
    est = train_estimate(vocab, layers, dim, heads, context, batch, device)
    what = (f"training {layers:,} layers of width {dim:,} (context {context:,}, batch {batch:,}"
            + (f", {vocab:,} tokens)" if vocab > 2 else ", before counting the vocabulary)"))
    check_fits(est, device, what, hint="use a smaller --dim, --layers, --context or --batch")
    return est


def is_out_of_memory(e: BaseException) -> bool:
    """Whether ``e`` is an allocation failure (torch's OutOfMemoryError, a CPU allocator's
    RuntimeError, Python's MemoryError)."""
    if isinstance(e, MemoryError):
        return True
    if type(e).__name__ == "OutOfMemoryError":
        return True
    if isinstance(e, RuntimeError):
        msg = str(e).lower()
        return any(s in msg for s in ("out of memory", "can't allocate memory", "cannot allocate memory",
                                      "not enough memory", "failed to allocate"))
    return False


@contextmanager
def memory_guard(what: str, est: Estimate | None = None, device: str = "cpu", hint: str = "") -> Iterator[None]:
    """Turn an allocation failure inside the block into one :class:`VecsError` line: what ran
    out, the estimate and what is available."""
    try:
        yield
    except Exception as e:
        if not is_out_of_memory(e):
            raise
        limit = available(device)
        need = f" (it needs {est.describe()}" + (f"; {_gb(limit)} available" if limit is not None else "") + ")" \
            if est is not None else ""
        raise VecsError(f"out of memory {what}{need}" + (f": {hint}" if hint else "")) from None
