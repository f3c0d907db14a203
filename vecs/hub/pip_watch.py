"""Real bytes while ``pip download`` runs: pip announces the file's size on its first line
("Downloading NAME (95.0 MB)", or "Using cached ...") and writes the file into a temporary
folder under ``TMPDIR`` (not into ``-d``, where it only lands at the end), so we point its
``TMPDIR`` at a folder of ours and watch the growing file there."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

_SIZE = re.compile(r"(?:Downloading|Using cached) \S+ \(([\d.]+) (bytes|kB|MB|GB)\)")
_UNIT = {"bytes": 1, "kB": 1000, "MB": 1000**2, "GB": 1000**3}


def announced_size(line: str) -> int | None:
    """The size pip announces on its "Downloading NAME (SIZE)" line, in bytes (rounded as pip rounds)."""
    m = _SIZE.search(line)
    return int(float(m.group(1)) * _UNIT[m.group(2)]) if m else None


def folder_bytes(*folders: Path) -> int:
    """Bytes of the files under ``folders`` now (files vanishing while we look are skipped)."""
    import os

    total = 0
    for folder in folders:
        # pip creates and removes its temporary folders while we look: os.walk skips what vanished
        for root, _dirs, files in os.walk(folder, onerror=lambda e: None):
            for name in files:
                try:
                    total += os.stat(os.path.join(root, name)).st_size
                except OSError:
                    continue
    return total


def watch(proc: subprocess.Popen, folders: list[Path], on_bytes: Callable[[int, int | None], None],
          every: float = 0.25) -> tuple[str, str]:
    """Wait for ``proc`` (text pipes), calling ``on_bytes(bytes so far, announced size or None)``
    whenever the files under ``folders`` grow; its stdout and stderr, read as they come (a pipe
    that fills up would stall pip)."""
    out: list[str] = []
    errs: list[str] = []
    size: dict = {}

    def drain(stream, into: list[str], parse: bool) -> None:
        for line in stream:
            into.append(line)
            if parse and "size" not in size and (n := announced_size(line)):
                size["size"] = n

    readers = [threading.Thread(target=drain, args=(proc.stdout, out, True), daemon=True),
               threading.Thread(target=drain, args=(proc.stderr, errs, False), daemon=True)]
    for t in readers:
        t.start()
    last = -1
    while True:
        running = proc.poll() is None
        now = max((folder_bytes(f) for f in folders), default=0)  # pip copies the file at the end: not twice
        if now != last:
            last = now
            on_bytes(now, size.get("size"))
        if not running:
            break
        time.sleep(every)
    for t in readers:
        t.join(timeout=5)
    return "".join(out), "".join(errs)
