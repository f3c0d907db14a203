"""The central type: a vocabulary plus a float32 matrix.

>>> import numpy as np
>>> s = Space(["king", "queen"], np.array([[1, 0], [0, 1]], dtype=np.float32), name="toy")
>>> s.vector("queen").tolist()
[0.0, 1.0]
>>> "king" in s, len(s), s.dim
(True, 2, 2)

Every producer returns a Space (word2vec, imported files, pretrained resources, transformer
layers averaged over a corpus, the occurrences of one word in several sentences with keys like
``bank@3``) and every operation takes one, so nothing needs a special case.
"""

from __future__ import annotations

import difflib
import threading
from typing import Iterable, Sequence

import numpy as np

from vecs.errors import FormatError, UnknownWord

_KEYED_LOCK = threading.Lock()  # extending a space's cached keys (two threads asking at once)

SHARED_HEAD = 500_000  # words scanned for shared characters (a scan is ~10 ms per 100k words)

SHARED_POOL = 400  # words sharing the most characters that are ranked finely


class Space:
    """Words and their vectors. Rows of ``vectors`` follow ``words``; the order is meaningful
    (frequency order for trained and most pretrained spaces: ``restrict`` keeps the first N).

    ``vectors`` may be a read-only memory map; nothing here writes to it.
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, name: str = "", meta: dict | None = None,
                 norms: np.ndarray | None = None):
        vectors = np.asarray(vectors) if not isinstance(vectors, np.ndarray) else vectors
        if vectors.ndim != 2:
            raise FormatError(f"vectors must be a 2-D matrix, got shape {vectors.shape}")
        if len(words) != vectors.shape[0]:
            raise FormatError(f"{len(words)} words but {vectors.shape[0]} vectors")
        if vectors.dtype != np.float32:
            vectors = vectors.astype(np.float32)
        self.words: list[str] = list(words)
        self.vectors: np.ndarray = vectors
        self.name = name
        self.meta: dict = dict(meta or {})
        self._norms: np.ndarray | None = None
        if norms is not None:  # precomputed (the store keeps them beside the vectors)
            if getattr(norms, "shape", None) != (len(self.words),):
                raise FormatError(f"norms of shape {getattr(norms, 'shape', None)} for {len(self.words)} words")
            self._norms = norms
        self._normed: np.ndarray | None = None
        self._keyed: dict[bool, tuple[dict[str, int], np.ndarray]] = {}
        self._scans = 0

    # -- vocabulary -------------------------------------------------------------------------
    @property
    def index(self) -> dict[str, int]:
        """word -> row. The first occurrence wins if a file repeats a word."""
        return self.key_index(False)[0]

    def key_index(self, case_insensitive: bool = False, n: int | None = None) -> tuple[dict[str, int], np.ndarray]:
        """The first ``n`` words (all of them by default) keyed as gensim's evaluations key them:
        ``(first, kid)``, where ``first`` maps a key to the row of its first occurrence and
        ``kid[r]`` is that row for every row r < n (so "the same key" is an integer comparison).
        A key is the word, upper-cased when ``case_insensitive``.

        Computed once per space and extended when a larger ``n`` is asked for, so ``first`` may
        also hold keys first seen at row n or later: such a row means "not among the first n"."""
        n = len(self.words) if n is None else max(0, min(int(n), len(self.words)))
        with _KEYED_LOCK:
            first, kid = self._keyed.get(case_insensitive, ({}, np.empty(0, dtype=np.int64)))
            done = len(kid)
            if done < n:
                keys = all_keys(self.words[done:n], case_insensitive)
                # setdefault keeps the first row of a key and returns it: one pass gives both
                more = np.fromiter(map(first.setdefault, keys, range(done, n)), dtype=np.int64, count=n - done)
                kid = np.concatenate([kid, more])
                self._keyed[case_insensitive] = (first, kid)
        view = kid[:n]
        view.flags.writeable = False  # the cache is shared by every caller
        return first, view

    def _indexed(self) -> bool:
        """Whether ``index`` is built for every word (look-ups are then dict hits)."""
        return len(self._keyed.get(False, ((), ()))[1]) == len(self.words)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        if not self._indexed() and self._scans < 8:
            self._scans += 1
            return word in self.words
        return word in self.index

    def __iter__(self):
        return iter(self.words)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.words), self.dim)

    def __repr__(self) -> str:
        return f"Space({self.name!r}, words={len(self)}, dim={self.dim})"

    def row(self, word: str) -> int:
        """The row of ``word``; raises :class:`UnknownWord` with suggestions."""
        if not self._indexed() and self._scans < 8:
            # a handful of look-ups (one CLI query) is cheaper as a C-speed list scan than
            # building the dict of a whole vocabulary; many look-ups build the dict
            self._scans += 1
            try:
                return self.words.index(word)
            except ValueError:
                raise UnknownWord(word, self.suggest(word), self.name) from None
        try:
            return self.index[word]
        except KeyError:
            raise UnknownWord(word, self.suggest(word), self.name) from None

    def rows(self, words: Iterable[str]) -> list[int]:
        return [self.row(w) for w in words]

    def vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of ``word`` (unit length with ``norm=True``). Never a zero vector for an
        unknown word: that raises :class:`UnknownWord`."""
        i = self.row(word)
        return self.normed[i] if norm else np.asarray(self.vectors[i])

    def suggest(self, word: str, n: int = 5) -> list[str]:
        """Close vocabulary entries for a word that is not there: case variants first, then
        spelling neighbours among the more frequent words. A word in a script without spaces
        (Chinese...) gets the words that share its characters instead (:meth:`suggest_shared`):
        杨柳树 -> 杨柳, 柳树."""
        from vecs.util import has_unspaced

        if has_unspaced(word):
            return self.suggest_shared(word, n)
        out: list[str] = []
        low = word.lower()
        for variant in (low, word.capitalize(), word.upper(), word.title()):
            if variant != word and variant in self.index and variant not in out:
                out.append(variant)
        if len(out) < n:
            from vecs.util import edit_distance

            head = self.words[:100_000]
            cands = [w for w in head if abs(len(w) - len(word)) <= 2 and w not in out and w != word]
            cutoff = 0.6 if len(word) <= 4 else 0.75  # 'kat' -> 'cat' is 0.67 similar
            close = difflib.get_close_matches(low, cands, n=50, cutoff=cutoff)
            # fewest edits first, then the more frequent word (spaces are in frequency order)
            close.sort(key=lambda w: (edit_distance(low, w), cands.index(w)))
            out += close
        return out[:n]

    def suggest_shared(self, word: str, n: int = 5) -> list[str]:
        """Vocabulary entries sharing characters with ``word`` (among the first
        :data:`SHARED_HEAD` words), best first: the longest shared run of characters, then the
        fewest edits, then a part of the word or a word containing it, then the more frequent.
        So 杨柳树 -> 杨柳, 柳树 (parts, two shared characters, one edit) before 杨树; a
        one-character slip (国五 for 国王) finds the word. One scan of the vocabulary per
        distinct character; the fine ranking runs on the :data:`SHARED_POOL` words sharing most."""
        from vecs.util import common_run, edit_distance

        chars = {c for c in word if not c.isspace()}
        if not chars:
            return []
        head = self.words[:SHARED_HEAD]
        shared: dict[int, int] = {}
        for c in chars:
            for i, w in enumerate(head):
                if c in w:
                    shared[i] = shared.get(i, 0) + 1
        shared = {i: k for i, k in shared.items() if head[i] != word}
        # a rough cut first: most distinct characters in common, closest length, most frequent
        pool = sorted(shared, key=lambda i: (-shared[i], abs(len(head[i]) - len(word)), i))[:SHARED_POOL]

        def key(i: int):
            w = head[i]
            part = w in word or word in w
            return (-common_run(word, w), edit_distance(word, w), not part, i)

        return [head[i] for i in sorted(pool, key=key)[:n]]

    # -- geometry ---------------------------------------------------------------------------
    @property
    def norms(self) -> np.ndarray:
        """Euclidean length of every row (float32), computed once."""
        if self._norms is None:
            from vecs.linalg import row_norms

            self._norms = row_norms(self.vectors)
        return self._norms

    @property
    def normed(self) -> np.ndarray:
        """Rows scaled to unit length (zero rows stay zero), computed once and cached."""
        if self._normed is None:
            from vecs.linalg import unit_rows

            self._normed = unit_rows(self.vectors, self.norms)
        return self._normed

    # -- derived spaces ---------------------------------------------------------------------
    def restrict(self, n: int | None) -> "Space":
        """The first ``n`` words (the most frequent, for frequency-ordered spaces)."""
        if n is None or n >= len(self):
            return self
        norms = None if self._norms is None else self._norms[:n]
        return Space(self.words[:n], self.vectors[:n], name=self.name, meta=self.meta, norms=norms)

    def subset(self, words: Iterable[str]) -> "Space":
        """A space of just these words, in this order (unknown words raise)."""
        words = list(words)
        rows = self.rows(words)
        return Space(words, np.asarray(self.vectors[rows]), name=self.name, meta=self.meta)

    def with_vectors(self, vectors: np.ndarray, name: str | None = None, meta: dict | None = None) -> "Space":
        """Same words, new vectors (for transformations such as debiasing)."""
        return Space(self.words, vectors, name=self.name if name is None else name,
                     meta=self.meta if meta is None else meta)


def all_keys(words: Sequence[str], case_insensitive: bool) -> list[str]:
    """The words as gensim keys them: upper-cased (one C-level pass over them all) or as they are."""
    words = list(words)
    if not case_insensitive:
        return words
    joined = "\n".join(words)
    keys = joined.upper().split("\n")
    if len(keys) != len(words):  # a word holding a line break: one by one
        keys = [w.upper() for w in words]
    return keys
