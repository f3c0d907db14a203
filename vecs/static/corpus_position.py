"""How far gensim's training threads have read the tokenised corpus file in this epoch.

In ``corpus_file`` mode gensim reports progress only when a worker thread finishes its part of
an epoch (once per epoch with one worker). Its threads read the file with their own C++
streams, worker ``i`` starting at byte ``size / workers * i``; the kernel keeps each open file's
position (``/proc/self/fdinfo``, Linux), so the bytes read so far are a real figure of the work
done, at the stream buffer's resolution (8 KB). Where ``/proc`` is missing (macOS, Windows),
:meth:`EpochPosition.available` is false and progress stays per epoch.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

FD = "/proc/self/fd"


class EpochPosition:
    """The fraction of the current epoch read so far, from the open files' positions."""

    def __init__(self, path: Path, workers: int):
        self.path = os.path.realpath(path)
        self.size = max(os.path.getsize(self.path), 1)
        self.workers = max(int(workers), 1)
        self.offsets = [self.size / self.workers * i for i in range(self.workers)]  # as gensim splits the file
        self.start_epoch()

    @staticmethod
    def available() -> bool:
        return os.path.isdir(FD) and os.path.isdir("/proc/self/fdinfo")

    def start_epoch(self) -> None:
        self.worker: dict[str, int] = {}  # fd -> the worker it belongs to
        self.done: dict[int, float] = {}  # worker -> bytes read
        self.finished: set[int] = set()

    def share(self, i: int) -> float:
        return (self.offsets[i + 1] if i + 1 < self.workers else self.size) - self.offsets[i]

    def open_positions(self) -> dict[str, int]:
        """fd -> kernel file position, for the files open on the corpus file now."""
        out = {}
        try:
            fds = os.listdir(FD)
        except OSError:
            return out
        for fd in fds:
            try:
                if os.readlink(f"{FD}/{fd}") != self.path:
                    continue
                with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as f:
                    out[fd] = int(f.readline().split()[1])  # "pos:\t12345"
            except (OSError, ValueError, IndexError):
                continue
        return out

    def fraction(self) -> float:
        """Bytes read this epoch over the file's size (0..1). A stream that was seen and is now
        closed has finished its part."""
        now = self.open_positions()
        for fd, i in list(self.worker.items()):
            if fd not in now:  # closed: that worker is done with this epoch
                self.finished.add(i)
                self.done[i] = self.share(i)
                del self.worker[fd]
        for fd, pos in now.items():
            if fd not in self.worker:
                free = [i for i in range(self.workers) if i not in self.finished
                        and i not in self.worker.values() and self.offsets[i] <= pos]
                if not free:
                    continue
                self.worker[fd] = max(free, key=lambda i: self.offsets[i])
            i = self.worker[fd]
            self.done[i] = min(max(pos - self.offsets[i], 0.0), self.share(i))
        return min(sum(self.done.values()) / self.size, 1.0)


class Poller:
    """Calls ``tick()`` every ``every`` seconds on a daemon thread until stopped."""

    def __init__(self, tick: Callable[[], None], every: float = 0.5):
        self.tick, self.every = tick, every
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, name="vecs-progress", daemon=True)

    def run(self) -> None:
        while not self.stop_event.wait(self.every):
            try:
                self.tick()
            except Exception:  # pragma: no cover - progress must never break training
                pass

    def __enter__(self) -> "Poller":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join(timeout=2)
