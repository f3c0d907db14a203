"""Finding the target word in a sentence: the character span (:class:`Target`) that the model's
tokens are aligned to (:meth:`vecs.contextual.model.Activations.positions`), and the record of
that alignment (:class:`Alignment`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vecs.errors import ContextualError

WORD_RE = re.compile(r"\w+(?:['’-]\w+)*")


@dataclass
class Alignment:
    """Where the target sits in one sentence and which tokens make it up."""

    sentence: int  # 1-based number of the sentence
    text: str  # the form found in the sentence
    start: int  # character span in the sentence
    end: int
    tokens: list[str]  # the model's tokens of the word, in order
    positions: list[int]  # their positions in the model's input (special tokens included)


def find_word(sentence: str, string: str, occurrence: int | None = None, number: int | None = None,
              loose: bool = False) -> tuple[int, int]:
    """Character span of the ``occurrence``-th (1-based, default 1) whole-word, case-insensitive
    match of ``string`` in ``sentence``. ``loose`` also accepts a short suffix (bank -> banks,
    broke -> broken) when there is no exact match. ``number`` names the sentence in errors."""
    s = string.strip()
    where = f"sentence {number}" if number is not None else "the sentence"
    if not s:
        raise ContextualError("the target word is empty")
    matches = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(s) + r"(?!\w)", sentence, re.IGNORECASE)]
    if not matches and loose:
        stems = [s] + ([s[:-1]] if len(s) > 3 and s[-1] in "ey" else [])
        for stem in stems:
            matches = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(stem) + r"\w{1,3}(?!\w)", sentence,
                                                     re.IGNORECASE)]
            if matches:
                break
    if not matches:
        short = sentence if len(sentence) <= 80 else sentence[:77] + "..."
        raise ContextualError(f"{string!r} is not in {where}: {short!r} (for an inflected form give the exact "
                              f"string, e.g. --string broke for break)")
    k = 1 if occurrence is None else int(occurrence)
    if not 1 <= k <= len(matches):
        raise ContextualError(f"{string!r} occurs {len(matches)} time(s) in {where}, so occurrence {k} does not exist")
    return matches[k - 1]


@dataclass
class Target:
    """One word to extract: its character span ``[start, end)`` in ``sentence``."""

    sentence: str
    start: int
    end: int
