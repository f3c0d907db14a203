"""Corpora: stream sentences of tokens from named corpora, files, folders and compressed files.

Tokenisation (:func:`tokenize`), in this order:

1. the text is put in Unicode NFC form (so a decomposed "naı̈ve" equals the precomposed one) and
   the typographic apostrophes ``’`` (U+2019) and ``ʼ`` (U+02BC) become ``'``;
2. it is lower-cased with :meth:`str.lower` unless ``lower=False``;
3. tokens are the matches of ``W+('W+|(?<=\\d)[.,]\\d+)*``, where ``W`` is any Unicode letter,
   digit or underscore (``\\w``) or combining mark (so Devanagari, Thai... words stay whole): a
   run of word characters, continued across an apostrophe followed by more word characters, or,
   right after a digit, across ``.`` or ``,`` followed by digits (``1,000``, ``3.14``).

So apostrophes *inside* a word are kept (``don't``, ``nation's``, ``o'clock``) and those at its
edges are dropped (``'tis`` → ``tis``, ``states'`` → ``states``); hyphens, dashes, slashes and all
other punctuation separate words (``well-being`` → ``well``, ``being``); numbers are kept as
tokens (``1990s``, ``4th``, ``1,000``); underscores join (``new_york`` stays one token, which is
how phrases are written).

Sentences: a line break always ends a sentence; inside a line, a sentence ends after ``.``, ``!``
or ``?`` (and any closing quotes or brackets) followed by white space, unless the next text starts
with a lower-case letter or the full stop ends a common abbreviation (``Mr.``, ``Dr.``, ``Gen.``,
``Jan.`` ...) or a single capital (``D.`` in "Dwight D. Eisenhower", ``U.S.``). Sentences with
no token are skipped. Lines longer than 1 MB are processed in pieces of about 1 MB cut at a space.

Documents: a file is one document, except for recipes that say ``documents = "line"`` (the lee
corpus: one story per line).
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from vecs.errors import CorpusError
from vecs.progress import ProgressFn, report

#: Bumped whenever tokenisation or sentence splitting changes (part of cache keys).
TOKENIZER_VERSION = "1"

COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
TEXT_SUFFIXES = (".txt", ".txt.gz", ".txt.bz2", ".txt.xz")
CHUNK = 1 << 20  # longest piece of a line processed at once

_APOSTROPHES = {ord("\u2019"): "'", ord("\u02bc"): "'"}
_TOKEN_RE: re.Pattern | None = None


def _marks_class() -> str:
    """A regex character-class body with every combining mark (Mn, Mc, Me)."""
    ranges: list[list[int]] = []
    for cp in list(range(0x300, 0x20000)) + list(range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


# The same rule twice: with \w alone (fast, for ASCII text) and with \w plus every combining mark.
_ASCII_TOKEN_RE = re.compile(r"\w+(?:'\w+|(?<=\d)[.,]\d+)*")


def _token_re() -> re.Pattern:
    global _TOKEN_RE
    if _TOKEN_RE is None:
        w = rf"[\w{_marks_class()}]"
        _TOKEN_RE = re.compile(rf"{w}+(?:'{w}+|(?<=\d)[.,]\d+)*")
    return _TOKEN_RE


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split ``text`` into word tokens (see the module docstring for the exact rule).

    >>> tokenize("Naïve Zürich-bound cafés don't close at 4:00 — 1,000 times in the 1990s!")
    ['naïve', 'zürich', 'bound', 'cafés', "don't", 'close', 'at', '4', '00', '1,000', 'times', 'in', 'the', '1990s']
    """
    if text.isascii():
        return _ASCII_TOKEN_RE.findall(text.lower() if lower else text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_APOSTROPHES)
    return _token_re().findall(text.lower() if lower else text)


# -- sentence splitting ---------------------------------------------------------------------
_CLOSE = "[\"'’”)\\]]"
_BOUNDARY = re.compile(rf"(?:(?<=[.!?])|(?<=[.!?]{_CLOSE})|(?<=[.!?]{_CLOSE}{_CLOSE}))\s+(?=\S)")
_ABBREV = re.compile(
    r"(?:^|[\s(\"'‘“])(?:Mr|Mrs|Ms|Messrs|Mme|Dr|St|Jr|Sr|Gen|Gov|Hon|Rev|Sen|Rep|Reps|Lt|Col|Capt|Cmdr|"
    r"Adm|Maj|Sgt|Prof|Pres|Supt|No|Nos|Art|Sec|Vol|vs|viz|cf|ca|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|"
    r"Sept|Oct|Nov|Dec|Mt|Ft|Co|Corp|Inc|Ltd|Bros)\.$|(?:^|[\s(\"'‘“.])[A-Z]\.$"
)
_FIRST_ALNUM = re.compile(r"[^\W_]")


def token_spans(text: str, lower: bool = True) -> list[tuple[str, tuple[int, int]]]:
    """The tokens of ``text`` exactly as :func:`vecs.corpus.tokenize` gives them, each with its
    ``(start, end)`` character span in ``text`` itself (before any normalisation)."""
    if text.isascii():
        rx = _ASCII_TOKEN_RE
        low = text.lower() if lower else text
        return [(m.group(), m.span()) for m in rx.finditer(low)]
    # Map each character of a lower-cased, apostrophe-normalised copy back to its source
    # character, match there, and take each token's text as tokenize() would (NFC first).
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        t = c.translate(_APOSTROPHES)
        t = t.lower() if lower else t
        chars.append(t)
        origin.extend([i] * len(t))
    mapped = "".join(chars)
    out = []
    for m in _token_re().finditer(mapped):
        a, b = origin[m.start()], origin[m.end() - 1] + 1
        piece = unicodedata.normalize("NFC", text[a:b]).translate(_APOSTROPHES)
        out.append((piece.lower() if lower else piece, (a, b)))
    expected = tokenize(text, lower)
    if [t for t, _ in out] != expected and len(out) == len(expected):
        out = [(t, span) for t, (_, span) in zip(expected, out)]
    return out


def split_sentences(line: str) -> list[str]:
    """The sentences of one line of text (see the module docstring).

    >>> split_sentences("Mr. Smith went to Washington D.C. in Jan. 1800. He spoke! e.g. this. Did he?")
    ['Mr. Smith went to Washington D.C. in Jan. 1800.', 'He spoke! e.g. this.', 'Did he?']
    """
    line = line.strip()
    if "." not in line and "!" not in line and "?" not in line:
        return [line] if line else []
    pieces = _BOUNDARY.split(line)
    out: list[str] = []
    for p in pieces:
        if out:
            m = _FIRST_ALNUM.search(p)
            if (m and m.group().islower()) or _ABBREV.search(out[-1][-10:]):
                out[-1] = out[-1] + " " + p
                continue
        out.append(p)
    return [s for s in out if s]


# -- cleaning (recipe [clean] steps) --------------------------------------------------------
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_REACTIONS = {"laughter", "applause", "inaudible", "moment of silence", "cheers", "booing"}


def _bracket_note(m: re.Match) -> str:
    inner = m.group(1).strip()
    low = inner.lower()
    if low.endswith("; white house correction"):
        return inner[: -len("; white house correction")]
    if (low in _REACTIONS or low.startswith("see app note") or not any(c.isalpha() for c in inner)
            or re.fullmatch(r"p\.\s*\d+", low) or inner.endswith(".") or len(inner.split()) >= 5):
        return " "
    return inner


def _cleaner(clean: dict) -> Callable[[str, bool], str | None] | None:
    """A function (line, first_nonempty_line) -> cleaned line or None (drop), or None if the
    recipe cleans nothing."""
    notes = bool(clean.get("bracket_notes"))
    salutation = bool(clean.get("drop_salutation"))
    labels = tuple(clean.get("speaker_labels") or ())
    drops = tuple(clean.get("drop_lines_starting") or ())
    if not (notes or salutation or labels or drops):
        return None

    def clean_line(line: str, first: bool) -> str | None:
        s = line.strip()
        if drops and s.startswith(drops):
            return None
        if notes and "[" in s:
            s = " ".join(_BRACKET.sub(_bracket_note, s).split())
        for lab in labels:
            if s.startswith(lab):
                s = s[len(lab):].lstrip()
        if not s:
            return None
        if salutation and first and s.endswith(":") and len(s.split()) <= 40:
            return None
        return s

    return clean_line


# -- reading files --------------------------------------------------------------------------
def _opener(path: Path):
    return COMPRESSED.get(path.suffix.lower(), open)


def _head(path: Path, n: int = 1024) -> bytes:
    try:
        with _opener(path)(path, "rb") as f:
            return f.read(n)
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise CorpusError(f"{path}: cannot read ({_why(e)})") from None


def _why(e: BaseException) -> str:
    return str(e) or type(e).__name__


def _check_file(path: Path) -> bool:
    """Reject binary and (at the start) non-UTF-8 files; True if the file has any content."""
    head = _head(path)
    if b"\x00" in head:
        raise CorpusError(f"{path}: looks binary (NUL byte at offset {head.index(0)}); expected UTF-8 text")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.end < len(head) or e.reason != "unexpected end of data":
            raise CorpusError(f"{path}: not UTF-8 text (byte 0x{head[e.start]:02x} at offset {e.start})") from None
    return bool(head)


def _lines(path: Path) -> Iterator[tuple[str, bool, int]]:
    """(text, ends_line, bytes_done) for each line of ``path``; lines over :data:`CHUNK` bytes come
    in pieces cut after a space (``ends_line`` False for all pieces but the last). Strict UTF-8:
    an invalid byte raises :class:`CorpusError` with its offset (in the decompressed text)."""
    offset = 0
    carry = b""
    try:
        with _opener(path)(path, "rb") as f:
            while True:
                chunk = f.readline(CHUNK)
                if not chunk and not carry:
                    return
                data = carry + chunk
                if not chunk or data.endswith(b"\n") or len(chunk) < CHUNK:
                    carry, ends = b"", True  # a whole line (the last one may lack its newline)
                else:
                    cut = data.rfind(b" ") + 1
                    if cut <= 0:  # no space: cut before the last character, never inside one
                        cut = len(data) - 1
                        while cut > 0 and (data[cut] & 0xC0) == 0x80:
                            cut -= 1
                    data, carry, ends = data[:cut], data[cut:], False
                start = offset
                offset += len(data)
                text = _decode(path, data, start)
                if start == 0 and text.startswith("\ufeff"):
                    text = text[1:]
                yield text, ends, offset
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise CorpusError(f"{path}: cannot read ({_why(e)})") from None


def _decode(path: Path, data: bytes, start: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(
            f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {start + e.start})") from None


# -- the corpus -----------------------------------------------------------------------------
@dataclass
class Document:
    """One document (a file, or a line for line-document recipes) as tokenised sentences."""

    name: str
    sentences: list[list[str]]


@dataclass
class WordCount:
    word: str
    count: int


@dataclass
class CorpusStats:
    name: str
    source: str
    files: int
    documents: int
    sentences: int
    tokens: int
    vocabulary: int
    top: list[WordCount] = field(default_factory=list)


class _Reiterable:
    def __init__(self, make: Callable[[], Iterator]):
        self._make = make

    def __iter__(self):
        return self._make()


class Corpus:
    """A stream of documents and sentences; nothing is held in memory beyond one line (or one
    document with :meth:`documents`). Every call to :meth:`sentences` starts a fresh pass."""

    def __init__(self, name: str, files: list[Path], root: Path, *, recipe=None, source: str = "",
                 lower: bool = True, phrases: bool = False):
        self.name = name
        self.files = files
        self.root = root
        self.recipe = recipe
        self.source = source or str(root)
        self.lower = lower
        self.phrases = phrases
        self.size = sum(p.stat().st_size for p in files)  # bytes on disk
        self._phraser = None
        self._fingerprint: str | None = None
        self._clean = _cleaner(recipe.clean) if recipe is not None else None
        self._by_line = recipe is not None and recipe.documents == "line"

    def __repr__(self) -> str:
        return f"Corpus({self.name!r}, files={len(self.files)}, lower={self.lower}, phrases={self.phrases})"

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
            plain = _opener(path) is open
            for text, ends, offset in _lines(path):
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
        lower = self.lower
        any_token = False
        for key, s in self._raw(progress):
            toks = tokenize(s, lower)
            if toks:
                any_token = True
                yield key, toks
        if not any_token:
            raise CorpusError(f"{self.source}: no words (the text has no tokens)")

    def _with_phrases(self, progress: ProgressFn | None = None) -> Iterator[tuple[object, list[str]]]:
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
        return _Reiterable(lambda: (t for _, t in self._with_phrases(progress)))

    def raw_sentences(self) -> Iterable[str]:
        """The cleaned, untokenised sentences (for models with their own tokenisers)."""
        return _Reiterable(lambda: (s for _, s in self._raw()))

    def documents(self) -> Iterator[Document]:
        """One :class:`Document` at a time (a file, or a line for line-document recipes)."""
        cur = None
        sents: list[list[str]] = []
        for key, toks in self._with_phrases():
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


def _is_text_file(p: Path) -> bool:
    return p.name.lower().endswith(TEXT_SUFFIXES)


def _files_of(path: Path, pattern: str | None = None) -> list[Path]:
    if path.is_dir():
        if pattern:
            files = [p for p in path.glob(pattern) if p.is_file()]
        else:
            files = [p for p in path.rglob("*") if p.is_file() and _is_text_file(p)]
        files.sort(key=lambda p: p.relative_to(path).as_posix())
        if not files:
            what = pattern or "*.txt (or .txt.gz, .txt.bz2, .txt.xz)"
            raise CorpusError(f"{path}: no {what} files in this folder")
        return files
    return [path]


def _resource_path(name: str, progress: ProgressFn | None) -> Path:
    from vecs import resources

    return resources.path(name, progress=progress)


def open_corpus(spec, lower: bool = True, phrases: bool = False,
                progress: ProgressFn | None = None) -> Corpus:
    """A :class:`Corpus` for a named corpus (a recipe: ``sotu``, ``lee``; fetched on first use)
    or a path: a text file (``.gz``, ``.bz2``, ``.xz`` decompressed on the fly) or a folder,
    whose ``.txt`` files (compressed or not) are read recursively in sorted order. A recipe name
    wins over a file of the same name in the current folder (write ``./sotu`` for the file).

    Files are checked when opened (missing, empty, binary, not UTF-8 at the start); a UTF-8
    error further in, or a corpus without a single token, raises :class:`CorpusError` during the
    first pass."""
    if isinstance(spec, Corpus):
        return spec
    from corpora import get

    spec_s = os.fspath(spec)
    recipe = get(spec_s) if isinstance(spec, str) else None
    if recipe is not None:
        root = _resource_path(recipe.resource, progress)
        files = _files_of(root, recipe.pattern)
        name, source = recipe.name, f"{recipe.name} ({root})"
    else:
        root = Path(spec_s).expanduser()
        if not root.exists():
            from corpora import recipes

            raise CorpusError(f"no such corpus or file: {spec_s} (named corpora: {', '.join(sorted(recipes()))})")
        files = _files_of(root)
        name = root.name or str(root)
        for suf in (".gz", ".bz2", ".xz"):
            name = name[: -len(suf)] if root.is_file() and name.endswith(suf) else name
        name = name[:-4] if root.is_file() and name.endswith(".txt") else name
        source = str(root)
    nonempty = [_check_file(p) for p in files]
    if not any(nonempty):
        what = "file is empty" if root.is_file() else f"folder has only empty files ({len(files)})"
        raise CorpusError(f"{root}: no text (the {what})")
    return Corpus(name, files, root, recipe=recipe, source=source, lower=lower, phrases=phrases)


def corpus_stats(corpus, top: int = 20, progress: ProgressFn | None = None) -> CorpusStats:
    """Counts over one pass: documents, sentences, tokens, vocabulary size and the ``top`` most
    frequent words (ties broken by first occurrence)."""
    corpus = open_corpus(corpus)
    counts: Counter = Counter()
    docs = sents = 0
    cur = object()
    for key, toks in corpus._with_phrases(progress):
        if key != cur:
            docs += 1
            cur = key
        sents += 1
        counts.update(toks)
    return CorpusStats(
        name=corpus.name, source=corpus.source, files=len(corpus.files), documents=docs, sentences=sents,
        tokens=sum(counts.values()), vocabulary=len(counts),
        top=[WordCount(w, c) for w, c in counts.most_common(top)],
    )
