"""The loss curve of a training run of our GPT: the training and the validation loss every few
steps, kept beside the model as ``history.json`` (written with each checkpoint, so a resumed run
continues the same curve), read back by ``vecs plot loss``.

What a point holds, at step ``s`` (``s`` updates done):

* ``train_loss``: the mean cross-entropy (nats) of the training batches since the previous point
  (the batches that led to step ``s``); at the first point (before any update), the loss of the
  first batch;
* ``val_loss``: the mean cross-entropy of the model at step ``s`` on the first ``val_tokens``
  held-out tokens (always the same tokens, so the points compare; the final validation of the run
  scores more of them).

Points are taken every ``every`` steps (by default about every 5% of the run), at the start and
at the end. ``pending`` carries the running sum of training losses since the last point, so a
run interrupted between two points and resumed gives the same curve as one that was not."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from vecs.errors import StoreError

HISTORY_FILE = "history.json"
HISTORY_VERSION = 1
POINTS = 20  # a point about every 5% of the run


@dataclass
class LossPoint:
    step: int
    train_loss: float
    val_loss: float


@dataclass
class LossHistory:
    """The loss curve of a model (``history.json``)."""

    every: int  # steps between two points (plus one at the start and one at the end)
    val_tokens: int  # held-out tokens each validation loss is measured on
    points: list[LossPoint] = field(default_factory=list)
    pending_sum: float = 0.0  # training losses since the last point (for a resume)
    pending_steps: int = 0
    name: str = ""

    @property
    def steps(self) -> list[int]:
        return [p.step for p in self.points]

    @property
    def train(self) -> list[float]:
        return [p.train_loss for p in self.points]

    @property
    def val(self) -> list[float]:
        return [p.val_loss for p in self.points]

    def to_dict(self) -> dict:
        return {"version": HISTORY_VERSION, "every": self.every, "val_tokens": self.val_tokens,
                "train_loss": "mean of the training batches since the previous point",
                "val_loss": f"the first {self.val_tokens:,} held-out tokens",
                "points": [{"step": p.step, "train_loss": p.train_loss, "val_loss": p.val_loss}
                           for p in self.points],
                "pending": {"steps": self.pending_steps, "loss_sum": self.pending_sum}}

    @classmethod
    def from_dict(cls, d: dict, source: str = HISTORY_FILE) -> "LossHistory":
        """The history saved in ``history.json``, checked (a :class:`StoreError` naming ``source``)."""
        try:
            every, val_tokens = d["every"], d["val_tokens"]
            pts = [LossPoint(int(p["step"]), float(p["train_loss"]), float(p["val_loss"])) for p in d["points"]]
            pend = d.get("pending") or {}
            pending_steps, pending_sum = int(pend.get("steps", 0)), float(pend.get("loss_sum", 0.0))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise StoreError(f"{source}: not a loss history ({type(e).__name__}: {e})") from None
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in (every, val_tokens)):
            raise StoreError(f"{source}: every and val_tokens must be positive whole numbers")
        steps = [p.step for p in pts]
        if steps != sorted(set(steps)) or (steps and steps[0] < 0) or pending_steps < 0:
            raise StoreError(f"{source}: the steps of a loss history must increase from 0")
        if not all(math.isfinite(v) for p in pts for v in (p.train_loss, p.val_loss)):
            raise StoreError(f"{source}: a loss that is not a finite number")
        return cls(every, val_tokens, pts, pending_sum, pending_steps)

    def upto(self, step: int) -> "LossHistory":
        """The curve as it was at ``step`` (a resume from that step continues it)."""
        if self.points and self.points[-1].step > step:
            return LossHistory(self.every, self.val_tokens, [p for p in self.points if p.step <= step],
                               0.0, 0, self.name)
        return self


def every_for(steps: int, points: int = POINTS) -> int:
    """Steps between two points for a run of ``steps``: about ``points`` points in all."""
    return max(1, math.ceil(steps / points))


def read_history(folder: str | Path) -> LossHistory | None:
    """The history in a model folder, None when it has none (trained before vecs kept one);
    a damaged one is a :class:`StoreError` naming the file."""
    file = Path(folder) / HISTORY_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as e:
        raise StoreError(f"{file}: cannot be read ({e.strerror or e})") from None
    try:
        d = json.loads(text)
    except ValueError as e:
        raise StoreError(f"{file}: not valid JSON ({e})") from None
    if not isinstance(d, dict):
        raise StoreError(f"{file}: expected a JSON object")
    h = LossHistory.from_dict(d, source=str(file))
    h.name = Path(folder).name
    return h


def continue_history(folder: str | Path | None, step: int, every: int, val_tokens: int,
                     keep_every: bool = True) -> LossHistory:
    """The curve a run from ``step`` continues: the one in ``folder`` (a checkpoint's) up to
    ``step``, keeping its ``every`` when ``keep_every``; a new one (points every ``every`` steps,
    validation on ``val_tokens`` tokens) when there is none."""
    h = read_history(folder) if folder is not None else None
    if h is None:
        return LossHistory(every, val_tokens)
    h = h.upto(step)
    if not keep_every:
        h.every = every
    return h


def load_history(model) -> LossHistory:
    """The loss curve of one of our trained transformers (a store name or a model folder): one
    :class:`StoreError` line when it has none."""
    from vecs.resolve import resolve_transformer

    spec = resolve_transformer(model, ours_only=True)
    h = read_history(spec.path)
    if h is None or not h.points:
        raise StoreError(f"model {spec.name!r} has no loss history (it was trained before vecs recorded one); "
                         f"train it again to get one")
    h.name = spec.name
    return h
