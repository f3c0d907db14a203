"""The bookkeeping of a transformer training run around the store: which checkpoint a
``resume`` continues, the side folder its checkpoints go to until it has finished, the swap
that puts the finished model in place, and what an interrupted run leaves behind, in one true
line (:class:`TrainingInterrupted`).

The rules (``models/NAME`` the model, ``models/.NAME.checkpoint`` its side folder):

* a fresh run writes its checkpoints to the side folder only; NAME is replaced (``force``) or
  created only by the finished model, moved in by :func:`vecs.swap.replace_dir` (a kill at any
  instant leaves NAME old or new, whole, once the store is next opened);
* ``resume`` continues the side folder when there is one, else the finished model NAME (with more
  steps); with neither, or with one that cannot be read, it says so: it never starts over;
* without ``force``, a fresh run is refused before any work when NAME exists, or when an
  interrupted training of NAME waits in the side folder (continue it with ``resume``).
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from vecs.errors import ModelExists, StoreError
from vecs.io.folder import is_transformer
from vecs.lm.checkpoint import STATE_FILE, Checkpoint, read_checkpoint, read_json, side_path
from vecs.swap import replace_dir, signals_deferred
from vecs.util import fsync_dir


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a training; ``str()`` says, in one line, what NAME and its
    checkpoint now are. A ``KeyboardInterrupt``, so whoever stops on Ctrl-C stops on it."""

    def __init__(self, message: str, name: str, step: int | None, checkpoint_step: int | None, finished: bool):
        super().__init__(message)
        self.message, self.name, self.step = message, name, step
        self.checkpoint_step, self.finished = checkpoint_step, finished

    def __str__(self) -> str:
        return self.message


@dataclass
class Run:
    """Where a training of ``name`` writes, and how far it got (for the interruption's line)."""

    name: str
    path: Path  # the model folder NAME
    existed: bool  # NAME was there when the run began (and stays so until the run has finished)
    step: int | None = None  # the step training had reached
    steps: int | None = None
    checkpoint_every: int | None = None
    finished: bool = False  # the finished model is in NAME

    @property
    def side(self) -> Path:
        return side_path(self.path)


def refuse_existing(run: Run, force: bool, resume: bool) -> None:
    """Before any work: a fresh run without ``force`` must find neither NAME nor a waiting side folder."""
    if resume or force:
        return
    if os.path.lexists(run.path):
        raise ModelExists(f"model {run.name!r} exists; use --force to replace it (or --resume to continue it)")
    if run.side.is_dir():
        raise ModelExists(f"an interrupted training of {run.name!r} waits in {run.side} ({_where(run.side)}): "
                          f"continue it with --resume, or start over with --force")


def _where(side: Path) -> str:
    try:
        st = read_json(side / STATE_FILE)
        return f"step {int(st.get('step', 0)):,} of {int(st.get('params', {}).get('steps', 0)):,}"
    except (StoreError, ValueError, TypeError, AttributeError):
        return "a checkpoint that cannot be read"


def resume_from(run: Run, force: bool) -> Checkpoint:
    """The checkpoint a ``resume`` continues: the side folder, else the finished model NAME; one
    clear :class:`StoreError` when there is none or it cannot be read (never a silent restart)."""
    name, path, side = run.name, run.path, run.side
    if side.is_dir():
        src = side
    elif is_transformer(path):
        src = path
    elif os.path.lexists(path):
        raise StoreError(f"model {name!r} exists and is not a transformer checkpoint; nothing to resume")
    else:
        raise StoreError(f"nothing to resume: no checkpoint of {name!r} (neither {side.name} nor {name} in "
                         f"{path.parent}); train it without --resume")
    try:
        ckpt = read_checkpoint(src)
    except StoreError as e:
        raise cannot_resume(name, e) from None
    if src == side and os.path.lexists(path) and not (ckpt.state.get("replaces") or force):
        raise ModelExists(f"model {name!r} exists and the training in {side.name} would replace it when it "
                          f"finishes; add --force to let it")
    return ckpt


def cannot_resume(name: str, e: StoreError) -> StoreError:
    """A damaged checkpoint, said in one line: what is wrong and what to do."""
    return StoreError(f"cannot resume {name!r}: {e}; remove it or start over with --force")


def discard_side(run: Run) -> None:
    """Remove the side folder of an earlier, interrupted training (a fresh run with ``force``):
    renamed aside first (a kill leaves a temporary the store's recovery removes), then deleted."""
    side = run.side
    if not os.path.lexists(side):
        return
    gone = side.parent / f".{side.name}.rm-{secrets.token_hex(4)}"
    os.replace(side, gone)
    fsync_dir(side.parent)
    shutil.rmtree(gone, ignore_errors=True)


def finish(run: Run) -> None:
    """Move the finished model from the side folder into NAME (replacing an old one), Ctrl-C
    and SIGTERM held back until it is done."""
    with signals_deferred():
        replace_dir(run.side, run.path)
        run.finished = True


def interrupted(run: Run) -> TrainingInterrupted:
    """The line an interruption deserves, from what is on disk now."""
    name, side = run.name, run.side
    if run.finished:
        msg = f"interrupted after training finished: {name!r} is the new model ({run.path})"
    else:
        old = (f"the model {name!r} is unchanged (the old one is intact)" if run.existed
               else f"no model {name!r} was written")
        ckpt_step = None
        if side.is_dir():
            try:
                ckpt_step = int(read_json(side / STATE_FILE).get("step", 0))
            except (StoreError, ValueError, TypeError):
                ckpt_step = None
        if ckpt_step is not None:
            where = f"at step {ckpt_step:,}" + (f" of {run.steps:,}" if run.steps else "")
            tail = f"the checkpoint {where} is kept in {side}: continue with the same command and --resume"
        elif run.step is not None and run.checkpoint_every:
            tail = (f"stopped at step {run.step:,}, before a checkpoint (one every {run.checkpoint_every:,} "
                    f"steps): nothing of this run was kept")
        else:
            tail = "nothing was written"
        msg = f"interrupted: {old}; {tail}"
        return TrainingInterrupted(msg, name, run.step, ckpt_step, False)
    return TrainingInterrupted(msg, name, run.step, None, True)
