"""Validation of our GPT: the mean cross-entropy (hence perplexity) of held-out token ids,
in non-overlapping windows of the model's context."""

from __future__ import annotations

import numpy as np

from vecs.extras import require_torch
from vecs.progress import ProgressFn, report


def evaluate_lm(model, ids: np.ndarray, context: int, batch: int = 32, device: str = "cpu",
                max_tokens: int | None = None, progress: ProgressFn | None = None) -> tuple[float, np.ndarray]:
    """Mean cross-entropy (nats) of predicting ``ids`` in non-overlapping windows of
    ``context`` tokens, and the target ids that were scored."""
    torch = require_torch()
    ids = np.asarray(ids, dtype=np.int64)
    if max_tokens is not None and len(ids) > max_tokens + 1:
        ids = ids[: max_tokens + 1]
    n = (len(ids) - 1) // context  # full windows
    rest = (len(ids) - 1) - n * context
    total, count = 0.0, 0
    was_training = model.training
    model.eval()
    autocast = device.startswith("cuda")
    windows = [(i * context, context) for i in range(n)] + ([(n * context, rest)] if rest else [])
    with torch.inference_mode():
        for bi in range(0, len(windows), batch):
            group = windows[bi: bi + batch]
            T = group[0][1]
            same = [w for w in group if w[1] == T]
            for part in (same, [w for w in group if w[1] != T]):
                if not part:
                    continue
                T = part[0][1]
                x = torch.from_numpy(np.stack([ids[a: a + T] for a, _ in part])).to(device)
                y = torch.from_numpy(np.stack([ids[a + 1: a + T + 1] for a, _ in part])).to(device)
                with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
                    logits, _ = model(x)
                lp = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                                       y.reshape(-1), reduction="sum")
                total += float(lp)
                count += y.numel()
            report(progress, "validate", min(bi + batch, len(windows)), len(windows))
    report(progress, "validate", len(windows), len(windows), finished=True)
    if was_training:
        model.train()
    return total / max(1, count), ids[1:]
