"""Small helpers every room shares, one copy each: atomic file writes (flushed to disk, renamed
into place), spelling distance and "did you mean" suggestions. Folder swaps that survive a kill
and the writers' lock are in :mod:`vecs.swap`.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator


# -- atomic writes ----------------------------------------------------------------------------
def current_umask() -> int:
    """The process's umask (for files and folders made private by ``tempfile``)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename inside ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def fsync_tree(folder: str | os.PathLike) -> None:
    """Flush every file and folder under ``folder`` to disk (before it is renamed into place)."""
    for root, _dirs, files in os.walk(folder, topdown=False):
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                fd = os.open(p, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        fsync_dir(root)


@contextmanager
def atomic_path(final: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary sibling of ``final`` to write; when the block ends without error the
    file is flushed to disk and renamed over ``final`` (readers see the old file or the new one,
    never half of one); on error it is removed. ``suffix`` keeps a file type for writers that
    go by the name. The file gets the usual permissions (``0o666`` less the umask)."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.tmp-", suffix=suffix, dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, 0o666 & ~current_umask())
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, final)
        fsync_dir(final.parent)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_bytes(final: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
    return Path(final)


def atomic_write_text(final: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(final, text.encode("utf-8"))


# -- spelling ---------------------------------------------------------------------------------
def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): insertions, deletions,
    substitutions and transpositions of neighbours each cost one.

    >>> edit_distance("germnay", "germany"), edit_distance("cat", "act"), edit_distance("ab", "ba")
    (1, 1, 1)
    """
    la, lb = len(a), len(b)
    d = [[0] * (lb + 1) for _ in range(la + 1)]
    for i in range(la + 1):
        d[i][0] = i
    for j in range(lb + 1):
        d[0][j] = j
    for i in range(1, la + 1):
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[la][lb]


def unspaced_char(c: str) -> bool:
    """Whether the character ``c`` belongs to a script written without spaces between words
    (CJK ideographs and radicals, kana, hangul, full-width forms) — the same ranges as
    :func:`vecs.inside.tokens.unspaced`, for one character.

    >>> unspaced_char("柳"), unspaced_char("a"), unspaced_char("ｱ")
    (True, False, True)
    """
    o = ord(c)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x2FA1F)


def has_unspaced(text: str) -> bool:
    """Whether any character of ``text`` is in a script without spaces (:func:`unspaced_char`).

    >>> has_unspaced("the 杨柳 tree"), has_unspaced("willow")
    (True, False)
    """
    return any(unspaced_char(c) for c in text)


def common_run(a: str, b: str) -> int:
    """The length of the longest run of characters ``a`` and ``b`` share (longest common
    substring): 杨柳 and 杨柳树 share two, 杨树 and 杨柳树 one.

    >>> common_run("杨柳树", "柳树"), common_run("杨柳树", "杨树"), common_run("abc", "xyz")
    (2, 1, 0)
    """
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def close_names(name: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.5) -> list[str]:
    """The candidates spelled most like ``name`` (best first, a case variant before all), at most ``n``.

    >>> close_names("Sotu", ["googlenews", "sotu", "sotu-tour"]), close_names("glove", ["sotu", "glove-6b-50d"])
    (['sotu'], ['glove-6b-50d'])
    """
    candidates = list(candidates)
    low = {c.lower(): c for c in candidates}
    out = [low[name.lower()]] if name.lower() in low and low[name.lower()] != name else []
    for c in difflib.get_close_matches(name, candidates, n=n, cutoff=cutoff):
        if c not in out:
            out.append(c)
    return out[:n]


def did_you_mean(close: Iterable[str], known: Iterable[str] | None = None) -> str:
    """The tail of an error message: ``"; did you mean 'a', 'b'?"``, or, with nothing close,
    ``"; known: a, b"`` when ``known`` is given, else ``""``.

    >>> did_you_mean(["queen"]), did_you_mean([], ["a", "b"]), did_you_mean([])
    ("; did you mean 'queen'?", '; known: a, b', '')
    """
    close = list(close)
    if close:
        return "; did you mean " + ", ".join(repr(c) for c in close) + "?"
    known = list(known or [])
    return "; known: " + ", ".join(known) if known else ""
