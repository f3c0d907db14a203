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


ProgressFn = Callable[[ProgressEvent], None]


def report(progress: ProgressFn | None, stage: str, done: float, total: float | None = None,
           finished: bool = False, **info) -> None:
    """Send one event if anybody listens."""
    if progress is not None:
        progress(ProgressEvent(stage, done, total, info, finished))
