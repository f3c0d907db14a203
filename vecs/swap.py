"""Replacing a folder so that a kill at any instant loses nothing, and the writers' lock of a
folder (one writer per NAME across processes). The store, the hub and training use these.

How a folder is replaced (:func:`replace_dir`), so that a kill at any instant loses nothing:

1. the new folder is written in full under a hidden name beside the target (``.NAME.tmp-*``, or
   ``.NAME.ckpt-*/NAME``) and every file and folder in it is fsynced;
2. if NAME exists, a journal ``.NAME.swap`` (JSON: the new folder, the name the old one will
   get, the new folder's file sizes) is written atomically and fsynced;
3. NAME is renamed to ``.NAME.old-*``, then the new folder to NAME, the parent folder fsynced
   after each rename (Ctrl-C and SIGTERM are held back for these two renames);
4. the journal is removed, then the old folder.

:func:`recover_dir` runs when such a folder is opened (the store does it on every use: one
``listdir``, acting only on hidden entries). For each NAME with hidden leftovers whose lock
``.NAME.lock`` is free (a writer holds :func:`dir_lock` while its temporaries exist, so a free
lock means the writer is gone) it finishes or rolls back a journalled swap (NAME missing: the
new folder is moved in if whole, else the old one put back; NAME present: the swap had not begun
or had finished) and removes the leftovers (``.NAME.tmp-*``, ``.NAME.old-*``, ``.NAME.ckpt-*``,
``.NAME.rm-*``). Lock files stay (removing one a waiter holds open would let two writers in).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from vecs.util import atomic_write_text, fsync_dir, fsync_tree


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM back for the block, then deliver them to the handlers
    that were in place (Ctrl-C raises KeyboardInterrupt after the block). Only the main thread
    can handle signals: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    saved: dict[int, object] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            saved[sig] = signal.signal(sig, lambda s, f: got.append(s))
    except (ValueError, OSError):  # pragma: no cover - not the main interpreter
        pass
    try:
        yield
    finally:
        for sig, h in saved.items():
            signal.signal(sig, h if h is not None else signal.SIG_DFL)
        for sig in dict.fromkeys(got):
            signal.raise_signal(sig)


# -- the writers' lock of a folder -------------------------------------------------------------
_HELD = threading.local()


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file of the folder ``path``: ``.NAME.lock`` beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


class FileLock:
    """An exclusive lock on the file ``path``, held through one open descriptor (``flock(2)``,
    so it goes with the process however it ends; two descriptors conflict, in one process too).
    No finalizer: a Ctrl-C that lands in a finalizer is printed as "Exception ignored" and lost,
    which is what filelock's ``__del__`` did to a writer killed between two saves. Where
    ``fcntl`` is missing (Windows) the ``filelock`` package does the locking."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        self._fd: int | None = None
        self._other = None  # filelock's lock, where there is no fcntl

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds (0: try once); True if taken."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self._acquire_other(timeout)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline, pause = time.monotonic() + timeout, 0.002
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self._fd = fd
                    return True
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.05)
        finally:  # not taken, given up, or an interrupt before it was recorded: one close
            if self._fd != fd:
                os.close(fd)

    def _acquire_other(self, timeout: float) -> bool:  # pragma: no cover - Windows
        from filelock import FileLock as _Lock
        from filelock import Timeout

        lock = _Lock(self.path, thread_local=False)
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            return False
        self._other = lock
        return True

    def release(self) -> None:
        """Let the lock go (closing the descriptor drops it); again does nothing."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        elif self._other is not None:  # pragma: no cover - Windows
            self._other.release()
            self._other = None


@contextmanager
def dir_lock(path: str | os.PathLike, timeout: float = 60.0) -> Iterator[Path]:
    """Hold the writers' lock of the folder ``path`` (the file ``.NAME.lock`` beside it) for
    the block: one writer at a time per NAME, across processes. Whoever creates ``.NAME.*``
    temporaries beside ``path`` holds it until they are gone (:func:`recover_dir` removes those
    of writers that do not). Re-entrant within a thread; waits up to ``timeout`` seconds, then
    :class:`~vecs.errors.StoreError`. The lock goes with the process, however it ends."""
    lockfile = lock_path(path)
    key = os.path.abspath(lockfile)
    held: set[str] = _HELD.__dict__.setdefault("keys", set())
    lock = None if key in held else FileLock(lockfile)  # None: an outer block of this thread holds it
    try:
        if lock is not None:
            lockfile.parent.mkdir(parents=True, exist_ok=True)
            if not lock.acquire(timeout):
                from vecs.errors import StoreError

                raise StoreError(f"{Path(path).name!r} is being written by another process (lock "
                                 f"{lockfile}); waited {timeout:g} s: try again when it has finished")
            held.add(key)
        yield Path(path)
    finally:  # also when an interrupt lands between taking the lock and the block
        if lock is not None:
            held.discard(key)
            lock.release()


def _try_lock(lockfile: Path) -> FileLock | None:
    """The lock, taken at once, or None (held, in this process too, or cannot be created)."""
    lock = FileLock(lockfile)
    try:
        return lock if lock.acquire(0) else None
    except OSError:  # a read-only folder, ...
        return None


# -- folder swaps ---------------------------------------------------------------------------------
_TEMP_RE = re.compile(r"\.(?P<name>.+)\.(?:tmp|old|ckpt|rm)-[^/]*")


_SWAP_RE = re.compile(r"\.(?P<name>.+)\.swap")


def temporary_owner(entry: str) -> str | None:
    """The NAME a hidden entry of the swap protocol belongs to (``.NAME.tmp-*``, ``.NAME.old-*``,
    ``.NAME.ckpt-*``, ``.NAME.rm-*``, the journal ``.NAME.swap`` and its temporary), else None
    (lock files, anything else).

    >>> temporary_owner(".a.b.tmp-x1"), temporary_owner("..m.swap.tmp-9"), temporary_owner(".m.lock")
    ('a.b', 'm', None)
    """
    if entry.endswith(".lock"):
        return None
    if m := _SWAP_RE.fullmatch(entry):
        return m["name"]
    if m := _TEMP_RE.fullmatch(entry):
        name = m["name"]
        if name.startswith(".") and name.endswith(".swap"):  # the journal's own temporary
            name = name[1:-5]
        return name or None
    return None


def leftovers(parent: str | os.PathLike) -> list[str]:
    """The swap protocol's hidden entries in ``parent`` (sorted; lock files are not ones)."""
    try:
        return sorted(e for e in os.listdir(parent) if e.startswith(".") and temporary_owner(e))
    except OSError:
        return []


def _remove(p: Path) -> None:
    if p.is_symlink() or (os.path.lexists(p) and not p.is_dir()):
        p.unlink(missing_ok=True)
    else:
        shutil.rmtree(p, ignore_errors=True)


def _files(folder: Path) -> dict[str, int]:
    return {os.path.relpath(os.path.join(r, f), folder): os.lstat(os.path.join(r, f)).st_size
            for r, _dirs, files in os.walk(folder) for f in files}


def replace_dir(new: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Move the finished folder ``new`` to ``dest`` (replacing a folder or a link there) so that
    a kill at any instant leaves ``dest`` old or new, whole, or a journal :func:`recover_dir`
    completes (see the module docstring). If the second rename fails, the old folder is put
    back. ``new`` must be on the same file system, inside ``dest``'s folder (a sibling, or in a
    hidden staging folder there). Callers that share the folder with other processes hold
    :func:`dir_lock` (``dest``)."""
    new, dest = Path(new), Path(dest)
    parent = dest.parent
    fsync_tree(new)
    if not os.path.lexists(dest):
        os.replace(new, dest)
        fsync_dir(parent)
        return dest
    old = parent / f".{dest.name}.old-{secrets.token_hex(4)}"
    journal = parent / f".{dest.name}.swap"
    rel = os.path.relpath(new, parent)
    atomic_write_text(journal, json.dumps({"dest": dest.name, "new": rel, "old": old.name,
                                           "files": _files(new), "pid": os.getpid()}, indent=1))
    with signals_deferred():
        try:
            os.replace(dest, old)
        except BaseException:
            journal.unlink(missing_ok=True)
            raise
        fsync_dir(parent)
        try:
            os.replace(new, dest)
        except BaseException:
            os.replace(old, dest)
            fsync_dir(parent)
            journal.unlink(missing_ok=True)
            raise
        fsync_dir(parent)
        journal.unlink()
        fsync_dir(parent)
    _remove(old)
    return dest


def _member(parent: Path, name: str, rel) -> Path | None:
    """``parent / rel`` if ``rel`` names one of NAME's hidden entries (or a folder in one)."""
    if not isinstance(rel, str) or os.path.isabs(rel):
        return None
    parts = Path(rel).parts
    if not parts or ".." in parts or not parts[0].startswith(f".{name}."):
        return None
    return parent / rel


def _finish_swap(parent: Path, name: str, journal: Path) -> str:
    dest = parent / name
    try:
        j = json.loads(journal.read_text(encoding="utf-8"))
        new, old, files = _member(parent, name, j["new"]), _member(parent, name, j["old"]), j.get("files")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        new = old = files = None
    if os.path.lexists(dest):
        done = (f"{name}: kept the previous model (the swap had not begun)" if new and os.path.lexists(new)
                else f"{name}: the swap had finished")
    elif new is not None and new.is_dir() and (not isinstance(files, dict) or all(
            (new / f).is_file() and (new / f).stat().st_size == size for f, size in files.items())):
        os.replace(new, dest)
        done = f"{name}: finished the swap (the new model is in)"
    elif old is not None and os.path.lexists(old):
        os.replace(old, dest)
        done = f"{name}: rolled the swap back (the previous model is back)"
    else:
        done = f"{name}: dropped a journal that named nothing left"
    fsync_dir(parent)
    journal.unlink()
    fsync_dir(parent)
    return done


def _recover_name(parent: Path, name: str) -> list[str]:
    done = []
    journal = parent / f".{name}.swap"
    if journal.is_file():
        done.append(_finish_swap(parent, name, journal))
    dest = parent / name
    for entry in leftovers(parent):
        if temporary_owner(entry) != name:
            continue
        p = parent / entry
        if entry.startswith(f".{name}.old-") and not os.path.lexists(dest):
            os.replace(p, dest)  # never without a model while a previous one is at hand
            done.append(f"{name}: put the previous model back from {entry}")
            continue
        _remove(p)
        done.append(f"{name}: removed {entry}")
    fsync_dir(parent)
    return done


def recover_dir(parent: str | os.PathLike) -> list[str]:
    """Finish or roll back every half-done :func:`replace_dir` in ``parent`` and remove the
    leftovers of writers that are gone (told by their lock, not by age); return what was done,
    one line each. Cheap when there is nothing to do (one ``listdir``); a folder that cannot be
    read or written is left as it is."""
    parent = Path(parent)
    groups: dict[str, None] = {}
    for entry in leftovers(parent):
        groups[temporary_owner(entry)] = None
    done: list[str] = []
    for name in sorted(groups):
        lock = _try_lock(lock_path(parent / name))
        if lock is None:
            continue
        try:
            done += _recover_name(parent, name)
        except OSError:  # read-only, or changed under us: left for the next start
            pass
        finally:
            lock.release()
    return done
