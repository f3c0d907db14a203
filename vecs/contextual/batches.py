"""Many texts through a model at once: the shared engine of extraction and distillation.

* every text is tokenised in **one** call of the model's tokenizer (:meth:`ContextModel.tokenize`);
* the texts are sorted by their number of tokens and cut into batches under a **token budget**
  (:func:`plan_batches`): a batch of equal lengths needs no padding and no attention mask, and
  the planner only pads where that is cheaper than one more forward pass;
* each batch is one forward pass in inference mode (:meth:`ContextModel.hidden`), and the words
  of all its texts are read off the states with index tensors (:func:`pool_groups`), never a
  text at a time; the token statistics are taken per batch (:class:`TokenStats`).

Results do not depend on how texts are batched (up to float rounding, ~1e-6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from vecs.contextual.model import ContextModel, Encoding, SpanIndex, check_pooling
from vecs.extras import require_torch

#: padded tokens in one forward pass at most (a text longer than this gets a pass of its own)
BATCH_TOKENS = 4096
#: what one more forward pass costs, in padded tokens: the planner pads a batch rather than
#: start another only while the padding costs less than this
PASS_COST = 32


def plan_batches(lengths: Sequence[int], max_tokens: int = BATCH_TOKENS, max_rows: int | None = None,
                 pass_cost: int = PASS_COST) -> list[list[int]]:
    """The indices of ``lengths`` cut into batches: sorted longest first, each batch a run of
    that order with ``rows x longest <= max_tokens`` (a single longer text alone) and at most
    ``max_rows`` rows, the runs chosen to minimise the padded tokens plus ``pass_cost`` per
    batch (dynamic programming over the sorted lengths)."""
    n = len(lengths)
    if n == 0:
        return []
    order = np.argsort(-np.asarray(lengths, dtype=np.int64), kind="stable")
    L = np.maximum(np.asarray(lengths, dtype=np.int64)[order], 1)  # (n,) descending
    cap = n if max_rows is None else max(1, int(max_rows))
    budget = max(1, int(max_tokens))
    best = np.zeros(n + 1)  # best[j]: the cost of the first j texts
    start = np.zeros(n + 1, dtype=np.int64)  # where the last batch of the first j texts starts
    for j in range(1, n + 1):
        lo = max(0, j - min(cap, max(1, budget // int(L[j - 1]))))
        rows = j - np.arange(lo, j)  # (j - lo,) rows of a batch starting at i = lo..j-1
        padded = rows * L[lo:j]  # the longest of a batch is its first
        cost = best[lo:j] + padded + pass_cost
        cost[(padded > budget) & (rows > 1)] = np.inf
        k = int(np.argmin(cost))
        best[j], start[j] = cost[k], lo + k
    cuts = []
    j = n
    while j > 0:
        cuts.append((int(start[j]), j))
        j = int(start[j])
    return [order[a:b].tolist() for a, b in reversed(cuts)]


@dataclass
class Batch:
    """One forward pass: ``texts`` (indices into the encoding) are its rows, each ``width``
    tokens after padding; ``states[k]`` is layer ``layers[k]`` as ``(rows * width, C)``, so the
    token ``t`` of row ``r`` is at ``r * width + t`` (:meth:`flat`)."""

    texts: list[int]
    width: int
    states: list  # len(layers) x (B * T, C) float32 tensors

    def flat(self, row: int, positions: Sequence[int]) -> list[int]:
        """The flat indices of ``positions`` of row ``row``."""
        base = row * self.width
        return [base + p for p in positions]


def run_batches(model: ContextModel, enc: Encoding, layers: Sequence[int], max_tokens: int = BATCH_TOKENS,
                max_rows: int | None = None) -> Iterator[Batch]:
    """The batches of :func:`plan_batches` over ``enc``, each run through ``model`` once, with
    the states of ``layers`` only (no copy of the others). Call it inside ``torch.inference_mode()``."""
    for texts in plan_batches([len(r) for r in enc.ids], max_tokens, max_rows):
        hs = model.hidden([enc.ids[i] for i in texts])  # L+1 x (B, T, C)
        B, T, C = (int(x) for x in hs[0].shape)
        yield Batch(texts, T, [hs[k].reshape(B * T, C) for k in layers])


def pool_groups(states: Sequence, groups: Sequence[Sequence[int]], pooling: str = "mean"):
    """``(len(states), len(groups), C)`` float32: for each group of flat token indices (one
    word's tokens, in order), the ``pooling`` of its vectors in each of ``states`` (each
    ``(N, C)``); one gather and one scatter-add per layer, whatever the number of words."""
    torch = require_torch()
    check_pooling(pooling)
    n, C = len(groups), int(states[0].shape[1])
    if pooling in ("first", "last"):
        idx = torch.tensor([g[0] if pooling == "first" else g[-1] for g in groups], dtype=torch.long)
        return torch.stack([h.index_select(0, idx) for h in states])  # (L', n, C)
    flat = torch.tensor([t for g in groups for t in g], dtype=torch.long)  # (Ntok,)
    sizes = torch.tensor([len(g) for g in groups], dtype=torch.long)  # (n,)
    seg = torch.repeat_interleave(torch.arange(n), sizes)  # (Ntok,) the group of each token
    out = torch.zeros(len(states), n, C, dtype=states[0].dtype)
    for k, h in enumerate(states):
        out[k].index_add_(0, seg, h.index_select(0, flat))
    return out / sizes.to(out.dtype)[None, :, None] if pooling == "mean" else out


class TokenStats:
    """The per-layer mean and (population) standard deviation of every real token's vector,
    gathered batch by batch: sums of deviations from a shift (each layer's mean over the first
    batch, so no cancellation however large the mean), in float32 within a batch and float64
    across batches."""

    def __init__(self, n_layers: int, dim: int):
        self.count = 0
        self.shift: list | None = None  # len(layers) x (C,) float32 tensors
        self.s1 = np.zeros((n_layers, dim))  # (L', C) sums of (x - shift)
        self.s2 = np.zeros((n_layers, dim))  # (L', C) sums of (x - shift)^2

    def add(self, states: Sequence, flat: Sequence[int]) -> None:
        """Add the tokens at the flat indices ``flat`` of each layer's ``(N, C)`` states."""
        torch = require_torch()
        if not len(flat):
            return
        idx = torch.tensor(flat, dtype=torch.long)
        if self.shift is None:
            self.shift = [h.index_select(0, idx).mean(0) for h in states]
        for k, h in enumerate(states):
            d = h.index_select(0, idx).sub_(self.shift[k])  # (n, C)
            self.s1[k] += d.sum(0).double().numpy()
            self.s2[k] += d.mul_(d).sum(0).double().numpy()
        self.count += len(flat)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """``(mean, std)``, each ``(L', C)`` float32 (zeros when no token was seen)."""
        if self.shift is None:
            return self.s1.astype(np.float32), self.s2.astype(np.float32)
        m = self.s1 / self.count
        mean = np.stack([s.double().numpy() for s in self.shift]) + m
        std = np.sqrt(np.maximum(self.s2 / self.count - m * m, 0.0))
        return mean.astype(np.float32), std.astype(np.float32)


def span_indexes(enc: Encoding) -> list[SpanIndex]:
    """The :class:`SpanIndex` of every text of ``enc``."""
    return [SpanIndex(s) for s in enc.spans]
