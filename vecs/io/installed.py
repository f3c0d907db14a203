"""Which installed models know a word: the word lists (``words.txt``) of the stored models and of
the extracted vector resources, searched as bytes without loading any vectors (for the hint
"'paris' is not in googlenews; glove-6b-50d (installed) has it")."""

from __future__ import annotations

import mmap
from pathlib import Path

from vecs.paths import models_dir, resources_dir

WORDS = "words.txt"


def _word_lists() -> list[tuple[str, Path]]:
    """(name, words.txt) of every extracted vector resource (pretrained, large), then every stored model."""
    found: list[tuple[str, Path]] = []
    for root, inner in ((resources_dir(), "space"), (models_dir(), "")):
        try:
            folders = sorted(p for p in root.iterdir() if not p.name.startswith("."))
        except OSError:
            continue
        for folder in folders:
            words = folder / inner / WORDS if inner else folder / WORDS
            if words.is_file():
                found.append((folder.name, words))
    return found


def has_word(path: Path, word: str) -> bool:
    """Whether ``word`` is a whole line of the UTF-8 word list ``path`` (read as a memory map)."""
    needle = word.encode("utf-8")
    if not needle or b"\n" in needle:
        return False
    try:
        with open(path, "rb") as f:
            if not f.seek(0, 2):
                return False
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                if m[:len(needle) + 1] in (needle + b"\n", needle + b"\r\n") or (
                        len(m) == len(needle) and m[:] == needle):
                    return True
                return any(m.find(b"\n" + needle + end) >= 0 for end in (b"\n", b"\r\n")) or \
                    m[-len(needle) - 1:] == b"\n" + needle
    except (OSError, ValueError):
        return False


def models_with(word: str, skip: str = "", limit: int = 3) -> list[str]:
    """Names of up to ``limit`` installed models (resources first, then stored models) whose word
    list holds ``word``, leaving out the model named ``skip``."""
    out: list[str] = []
    for name, path in _word_lists():
        if name != skip and name not in out and has_word(path, word):
            out.append(name)
            if len(out) >= limit:
                break
    return out
