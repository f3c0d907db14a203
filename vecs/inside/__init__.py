"""Inside a transformer: readable tokens, a hooked forward pass (attention, MLP and residual
outputs, per-head outputs, edits), and what is built on it — the lens you can aim, attention,
generation, ablation, patching and steering."""
