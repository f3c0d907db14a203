"""The quiz history: one JSON line per finished quiz."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vecs.errors import DatasetError, QuizError

if TYPE_CHECKING:  # pragma: no cover
    from vecs.quiz.session import Summary

HISTORY_FILE = "quiz-history.jsonl"


def history_path() -> Path:
    from vecs.paths import home

    return home() / HISTORY_FILE


def history_entry(s: Summary) -> dict:
    """The line a session leaves in the history: the summary without per-question records."""
    d = asdict(s)
    d.pop("records", None)
    return d


def record(s: Summary, path: Path | None = None) -> Path:
    """Append the session to the history file: one complete JSON line written by a single
    ``write`` on a file opened with ``O_APPEND``, so concurrent quizzes never interleave and a
    crash leaves at worst no line, never half of one."""
    path = Path(path) if path is not None else history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(history_entry(s), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        n = os.write(fd, line)
        if n != len(line):  # pragma: no cover - a full disk
            raise QuizError(f"could not write the quiz history to {path} (disk full?)")
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


@dataclass
class History:
    path: str
    sessions: list[dict]  # history entries, oldest first
    unreadable: int = 0  # lines that are not valid JSON objects (skipped)


def read_history(path: Path | None = None) -> History:
    """Past sessions (an empty list when there is no history yet)."""
    path = Path(path) if path is not None else history_path()
    if not path.exists():
        return History(str(path), [], 0)
    sessions, bad = [], 0
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise DatasetError(f"cannot read the quiz history {path}: {e.strerror or e}") from None
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(d, dict):
            sessions.append(d)
        else:
            bad += 1
    return History(str(path), sessions, bad)
