"""Progress reporting without printing.

Long-running library functions take ``progress: ProgressFn | None``. They call it with a
:class:`ProgressEvent`; the CLI turns events into rich progress bars, tests can record them.
``info`` carries the real figures (``loss``, ``words_per_s``, ``epoch`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class ProgressEvent:
    stage: str  # what is happening, e.g. "download googlenews", "train word2vec"
    done: float  # units completed so far
    total: float | None = None  # units in all, None when unknown
    info: dict = field(default_factory=dict)  # live figures to show next to the bar
    finished: bool = False
    estimate_s: float | None = None  # set on an estimate: the likely seconds ``stage`` will take, before it starts


ProgressFn = Callable[[ProgressEvent], None]


def report(progress: ProgressFn | None, stage: str, done: float, total: float | None = None,
           finished: bool = False, **info) -> None:
    """Send one event if anybody listens."""
    if progress is not None:
        progress(ProgressEvent(stage, done, total, info, finished))


#: jobs likely to take longer than this (seconds) are announced with an estimate before they start
LONG_JOB = 60.0


def estimate(progress: ProgressFn | None, stage: str, seconds: float, basis: str = "", force: bool = False) -> None:
    """Announce how long ``stage`` will likely take (``info["basis"]``: what the figure rests on),
    when it is over :data:`LONG_JOB` (or ``force``)."""
    if progress is not None and (force or seconds >= LONG_JOB):
        progress(ProgressEvent(stage, 0, None, {"basis": basis} if basis else {}, estimate_s=float(seconds)))


def about(seconds: float) -> str:
    """A duration as people say it: "about 40 s", "about 3 min", "about 1.5 h"."""
    if seconds < 90:
        return f"about {max(5, round(seconds / 5) * 5):.0f} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60):.0f} min"
    return f"about {seconds / 3600:.1f} h"
