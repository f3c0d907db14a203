"""What a training step of our GPT needs besides the model: the optimizer (AdamW, weight decay
on matrices only), the learning-rate schedule (linear warm-up, cosine decay to ``lr / 10``) and
the batches (random windows, drawn from a generator seeded by ``(seed, step)``, so a resumed run
sees the same batches as an uninterrupted one)."""

from __future__ import annotations

import math

from vecs.extras import require_torch


def lr_at(step: int, total: int, lr: float, warmup: int) -> float:
    """The learning rate of step ``step`` of ``total``: warm-up over ``warmup`` steps, then cosine to lr / 10."""
    if step < warmup:
        return lr * (step + 1) / warmup
    if total <= warmup:
        return lr
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    min_lr = lr / 10
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (lr - min_lr)


def make_optimizer(model, lr: float, weight_decay: float, device: str):
    """AdamW (betas 0.9/0.95), ``weight_decay`` on the matrices, none on biases and norms."""
    torch = require_torch()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8,
                             fused=device.startswith("cuda") or None)


def batch_at(data, T: int, B: int, seed: int, step: int, device: str):
    """The batch of step ``step``: ``B`` random windows of ``T + 1`` tokens of ``data`` as
    inputs (B, T) and next-token targets (B, T)."""
    torch = require_torch()
    g = torch.Generator().manual_seed(seed * 1_000_003 + step)
    ix = torch.randint(len(data) - T - 1, (B,), generator=g)  # (B,)
    offs = ix[:, None] + torch.arange(T + 1)[None, :]  # (B, T+1)
    chunk = data[offs]  # (B, T+1)
    x, y = chunk[:, :-1], chunk[:, 1:]  # (B, T), (B, T)
    if device.startswith("cuda"):
        return x.pin_memory().to(device, non_blocking=True), y.pin_memory().to(device, non_blocking=True)
    return x, y
