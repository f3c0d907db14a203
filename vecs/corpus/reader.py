"""Corpora: stream sentences of tokens from named corpora, files, folders and compressed files.

Tokenisation (:func:`tokenize`), in this order:

1. the typographic apostrophes ``’`` (U+2019) and ``ʼ`` (U+02BC) become ``'``, full-width and
   half-width forms their NFKC form (``ＡＢＣ１２３，！`` -> ``ABC123,!``), the ideographic space a
   space, and the text is put in Unicode NFC form (so a decomposed "naı̈ve" equals the
   precomposed one);
2. it is lower-cased with :meth:`str.lower` unless ``lower=False``;
3. tokens are the matches of ``W+('W+|(?<=\\d)[.,]\\d+)*``, where ``W`` is any Unicode letter,
   digit or underscore (``\\w``) or combining mark (so Devanagari, Thai... words stay whole): a
   run of word characters, continued across an apostrophe followed by more word characters, or,
   right after a digit, across ``.`` or ``,`` followed by digits (``1,000``, ``3.14``).

So apostrophes *inside* a word are kept (``don't``, ``nation's``, ``o'clock``) and those at its
edges are dropped (``'tis`` → ``tis``, ``states'`` → ``states``); hyphens, dashes, slashes and all
other punctuation separate words (``well-being`` → ``well``, ``being``); numbers are kept as
tokens (``1990s``, ``4th``, ``1,000``); underscores join (``new_york`` stays one token, which is
how phrases are written). CJK punctuation (，。！？；：“”‘’（）《》、…) is punctuation like any other.

Segmentation (:mod:`vecs.corpus.segment`): the rule above keeps a run of Chinese characters as
one token; the segmenter (``segment``: ``auto`` by default, ``space``, ``jieba``, ``char``, or a
recipe's own) cuts such runs into words (jieba) or characters, and leaves other text to the rule.

Sentences: a line break always ends a sentence; inside a line, a sentence ends after ``.``, ``!``
or ``?`` (and any closing quotes or brackets) followed by white space, unless the next text starts
with a lower-case letter or the full stop ends a common abbreviation (``Mr.``, ``Dr.``, ``Gen.``,
``Jan.`` ...) or a single capital (``D.`` in "Dwight D. Eisenhower", ``U.S.``); a sentence also
ends after ``。``, ``！`` or ``？`` (and any closing quotes or brackets), space or not. Sentences with
no token are skipped. Lines longer than 1 MB are processed in pieces of about 1 MB cut at a space.

Documents: a file is one document, except for recipes that say ``documents = "line"`` (the lee
corpus: one story per line).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from vecs.corpus.files import check_file, cleaner, files_of, read_lines
from vecs.corpus.segment import Segmenter
from vecs.corpus.tokenize import split_sentences
from vecs.errors import CorpusError
from vecs.io.compressed import suffix_kind
from vecs.progress import ProgressFn, report
from vecs.util import close_names, did_you_mean


# -- the corpus -----------------------------------------------------------------------------
@dataclass
class Document:
    """One document (a file, or a line for line-document recipes) as tokenised sentences."""

    name: str
    sentences: list[list[str]]


class _Reiterable:
    def __init__(self, make: Callable[[], Iterator]):
        self._make = make

    def __iter__(self):
        return self._make()


class Corpus:
    """A stream of documents and sentences; nothing is held in memory beyond one line (or one
    document with :meth:`documents`). Every call to :meth:`sentences` starts a fresh pass."""

    def __init__(self, name: str, files: list[Path], root: Path, *, recipe=None, source: str = "",
                 lower: bool = True, phrases: bool = False, segmenter: Segmenter | None = None):
        self.name = name
        self.files = files
        self.root = root
        self.recipe = recipe
        self.source = source or str(root)
        self.lower = lower
        self.phrases = phrases
        self.segmenter = segmenter if segmenter is not None else Segmenter(recipe.segment if recipe else "auto")
        self.size = sum(p.stat().st_size for p in files)  # bytes on disk
        self._phraser = None
        self._fingerprint: str | None = None
        self._clean = cleaner(recipe.clean) if recipe is not None else None
        self._by_line = recipe is not None and recipe.documents == "line"

    def __repr__(self) -> str:
        return (f"Corpus({self.name!r}, files={len(self.files)}, lower={self.lower}, phrases={self.phrases}, "
                f"segment={self.segmenter.mode!r})")

    def _doc_name(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() if path != self.root else path.name
        except ValueError:
            return path.name

    # The one pass everything else is built on: (document key, raw sentence) pairs.
    def _raw(self, progress: ProgressFn | None = None) -> Iterator[tuple[object, str]]:
        done_files = 0
        seen_text = False
        for path in self.files:
            doc = self._doc_name(path)
            first = True
            lineno = 0
            last = 0.0
            plain = suffix_kind(path) is None
            for text, ends, offset in read_lines(path):
                key = (doc, lineno) if self._by_line else doc
                if ends:
                    lineno += 1
                if self._clean is not None:
                    cleaned = self._clean(text, first)
                    if cleaned is None:
                        continue
                    first = False  # the first line that is kept
                    text = cleaned
                for s in split_sentences(text):
                    seen_text = True
                    yield key, s
                if progress is not None and plain and offset - last > (1 << 20):
                    last = offset
                    report(progress, f"read {self.name}", done_files + offset, self.size)
            done_files += path.stat().st_size
            if progress is not None:
                report(progress, f"read {self.name}", done_files, self.size)
        if progress is not None:
            report(progress, f"read {self.name}", self.size, self.size, finished=True)
        if not seen_text:
            raise CorpusError(f"{self.source}: no text (nothing but blank lines)")

    def _tokenised(self, progress: ProgressFn | None = None) -> Iterator[tuple[object, list[str]]]:
        lower, seg = self.lower, self.segmenter
        seg.used.clear()  # counts of this pass
        any_token = False
        for key, s in self._raw(progress):
            toks = seg(s, lower)
            if toks:
                any_token = True
                yield key, toks
        if not any_token:
            raise CorpusError(f"{self.source}: no words (the text has no tokens)")

    def keyed_sentences(self, progress: ProgressFn | None = None) -> Iterator[tuple[object, list[str]]]:
        """``(document key, tokens)`` for each sentence, phrases joined if asked: one streaming pass."""
        if not self.phrases:
            yield from self._tokenised(progress)
            return
        phraser = self.phraser()
        for key, toks in self._tokenised(progress):
            yield key, phraser[toks]

    def phraser(self):
        """The gensim phrase model learnt from this corpus (one extra pass, done once)."""
        if self._phraser is None:
            from gensim.models.phrases import Phrases

            base = _Reiterable(lambda: (t for _, t in self._tokenised()))
            self._phraser = Phrases(base, min_count=5, threshold=10.0).freeze()
        return self._phraser

    def sentences(self, progress: ProgressFn | None = None) -> Iterable[list[str]]:
        """Token lists, one per sentence; re-iterable (each iteration is a new streaming pass)."""
        return _Reiterable(lambda: (t for _, t in self.keyed_sentences(progress)))

    def raw_sentences(self, progress: ProgressFn | None = None) -> Iterable[str]:
        """The cleaned, untokenised sentences (for models with their own tokenisers, and for
        tokenising many sentences at once)."""
        return _Reiterable(lambda: (s for _, s in self._raw(progress)))

    def documents(self) -> Iterator[Document]:
        """One :class:`Document` at a time (a file, or a line for line-document recipes)."""
        cur = None
        sents: list[list[str]] = []
        for key, toks in self.keyed_sentences():
            if key != cur:
                if cur is not None:
                    yield Document(_key_name(cur), sents)
                cur, sents = key, []
            sents.append(toks)
        if cur is not None:
            yield Document(_key_name(cur), sents)

    def fingerprint(self) -> str:
        """sha256 (hex) over the recipe's cleaning settings and, for each file in order, its name
        relative to the corpus root, its size and its content. Content rather than mtimes so the
        same text re-extracted or copied elsewhere has the same fingerprint; hashing runs at disk
        speed (~1 GB/s), far below the cost of a pass of tokenisation. Tokenisation options
        (``lower``, ``phrases``) are not part of it."""
        if self._fingerprint is None:
            h = hashlib.sha256(b"vecs-corpus-1\0")
            if self.recipe is not None:
                h.update(json.dumps([self.recipe.documents, self.recipe.clean], sort_keys=True).encode())
            for p in self.files:
                h.update(f"\0{self._doc_name(p)}\0{p.stat().st_size}\0".encode())
                with open(p, "rb") as f:
                    while block := f.read(1 << 20):
                        h.update(block)
            self._fingerprint = h.hexdigest()
        return self._fingerprint


def _key_name(key) -> str:
    return f"{key[0]}:{key[1] + 1}" if isinstance(key, tuple) else key


# -- opening --------------------------------------------------------------------------------
def list_corpora() -> list:
    """The named corpora (recipes in ``corpora/*.toml``), sorted by name."""
    from corpora import recipes

    return [r for _, r in sorted(recipes().items())]


@dataclass
class CorpusInfo:
    """A named corpus as ``vecs corpus list`` shows it: its recipe, and whether its text is here."""

    name: str
    title: str
    words: int
    documents: str  # "file" or "line": what a document is
    resource: str
    installed: bool
    licence: str
    source: str
    description: str
    clean: dict


def corpus_listing() -> list[CorpusInfo]:
    """Every named corpus with whether its resource is installed (nothing is fetched)."""
    from vecs.hub.fetch import is_installed

    return [CorpusInfo(r.name, r.title, r.words, r.documents, r.resource, is_installed(r.resource), r.licence,
                       r.source, r.description, r.clean) for r in list_corpora()]


def _resource_path(name: str, progress: ProgressFn | None) -> Path:
    from vecs.hub.fetch import path

    return path(name, progress=progress)


def open_corpus(spec, lower: bool = True, phrases: bool = False, progress: ProgressFn | None = None,
                segment: str | None = None, user_dict=None) -> Corpus:
    """A :class:`Corpus` for a named corpus (a recipe: ``sotu``, ``lee``; fetched on first use)
    or a path: a text file (``.gz``, ``.bz2``, ``.xz`` decompressed on the fly) or a folder,
    whose ``.txt`` files (compressed or not) are read recursively in sorted order. A recipe name
    wins over a file of the same name in the current folder (write ``./sotu`` for the file).

    Files are checked when opened (missing, empty, binary, not UTF-8 at the start); a UTF-8
    error further in, or a corpus without a single token, raises :class:`CorpusError` during the
    first pass.

    ``segment`` (``auto``, ``space``, ``jieba``, ``char``; None: the recipe's, else ``auto``) and
    ``user_dict`` (a jieba user dictionary) choose the :class:`~vecs.corpus.segment.Segmenter`;
    both are checked before any file is opened."""
    if isinstance(spec, Corpus):
        return spec
    from corpora import get

    spec_s = os.fspath(spec)
    if not spec_s.strip():
        raise CorpusError("no corpus given (an empty name): give a named corpus, a text file or a folder")
    recipe = get(spec_s) if isinstance(spec, str) else None
    segmenter = Segmenter(segment or (recipe.segment if recipe is not None else "auto"), user_dict)
    if recipe is not None:
        root = _resource_path(recipe.resource, progress)
        files = files_of(root, recipe.pattern)
        name, source = recipe.name, f"{recipe.name} ({root})"
    else:
        root = Path(spec_s).expanduser()
        if not root.exists():
            from corpora import recipes

            names = sorted(recipes())
            hint = did_you_mean(close_names(spec_s, names)) or f" (named corpora: {', '.join(names)})"
            raise CorpusError(f"no such corpus or file: {spec_s}{hint}")
        files = files_of(root)
        name = root.name or str(root)
        for suf in (".gz", ".bz2", ".xz"):
            name = name[: -len(suf)] if root.is_file() and name.endswith(suf) else name
        name = name[:-4] if root.is_file() and name.endswith(".txt") else name
        source = str(root)
    nonempty = [check_file(p) for p in files]
    if not any(nonempty):
        what = "file is empty" if root.is_file() else f"folder has only empty files ({len(files)})"
        raise CorpusError(f"{root}: no text (the {what})")
    return Corpus(name, files, root, recipe=recipe, source=source, lower=lower, phrases=phrases, segmenter=segmenter)
