"""Word segmentation: which words a sentence holds, for scripts with and without spaces.

A :class:`Segmenter` turns one sentence into tokens. Its ``mode``:

* ``space``: the tokeniser's rule (:func:`vecs.corpus.tokenize.tokenize`): words lie between
  spaces and punctuation, so a run of Chinese characters between two punctuation marks is one
  "word" (``这场足球比赛中``). Right for spaced scripts and for text already segmented with
  spaces (People's Daily).
* ``char``: in runs of CJK characters (Han ideographs, kana) every character is a token
  (``这`` ``场`` ``足`` ...); other text follows the tokeniser's rule.
* ``jieba``: runs of CJK characters are cut into words by jieba (``这场`` ``足球比赛`` ``中``
  ``输``); other text follows the tokeniser's rule. Needs the extra ``zh`` (jieba 0.42.1).
* ``auto`` (the default): chosen per sentence by script: a sentence with a CJK character is
  segmented like ``jieba`` when jieba is installed, like ``char`` otherwise (:attr:`Segmenter.note`
  says so); any other sentence follows the tokeniser's rule, so English is unchanged.

In every mode the text is first folded as the tokeniser does (full-width ``ＡＢＣ１２３，`` ->
``ABC123,``, NFC), and punctuation, CJK punctuation included (，。！？；：“”‘’（）《》、…), separates
tokens and is dropped. Hangul is written with spaces and follows the tokeniser's rule.

A user dictionary for jieba (``user_dict``) has jieba's format, one entry a line: ``word [freq]
[tag]`` (a frequency is a whole number; a tag is lower-case letters). A word with frequency 0 is
never kept whole (``中输 0`` makes ``单元格中输`` -> ``单元格`` ``中`` ``输``); a word without a
frequency gets the one jieba suggests, enough to keep it whole.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections import Counter
from pathlib import Path

from vecs.corpus.tokenize import fold, tokenize
from vecs.errors import CorpusError, MissingExtra

SEGMENTERS = ("auto", "space", "jieba", "char")

#: Han ideographs (with radicals, 々〆〇 and the Hangzhou numerals) and kana: scripts written
#: without spaces between words.
CJK = ("\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u303b\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff"
       "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f")
_CJK_RUN = re.compile(f"[{CJK}]+")
_CJK_CHAR = re.compile(f"[{CJK}]")

NO_JIEBA = ("jieba is not installed: Chinese and Japanese text was split into single characters "
            "(pip install 'vecs[zh]' for words)")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a character of a script written without spaces (Han, kana)."""
    return _CJK_CHAR.search(text) is not None


def jieba_installed() -> bool:
    """Whether jieba can be imported (found without importing it)."""
    return importlib.util.find_spec("jieba") is not None


# -- user dictionaries ----------------------------------------------------------------------
_FREQ = re.compile(r"\d+")
_TAG = re.compile(r"[a-z]+")


def read_user_dict(path) -> list[tuple[str, int | None, str | None]]:
    """The entries ``(word, freq, tag)`` of a jieba user dictionary, checked line by line: a
    missing or unreadable file, a line with more than three fields, a frequency that is not a
    whole number or a tag that is not lower-case letters is a :class:`CorpusError` naming the
    file and line. Blank lines are skipped; a file without entries is an error."""
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"user dictionary {path}: cannot read it ({e.strerror or e})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CorpusError(f"user dictionary {path}: not UTF-8 text (byte 0x{data[e.start]:02x} "
                          f"at offset {e.start})") from None
    out: list[tuple[str, int | None, str | None]] = []
    for n, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        word, rest = fields[0], fields[1:]
        freq = tag = None
        if rest and _FREQ.fullmatch(rest[0]):
            freq = int(rest.pop(0))
        if rest and _TAG.fullmatch(rest[0]):
            tag = rest.pop(0)
        if rest:
            raise CorpusError(f"user dictionary {path} line {n}: expected 'word [freq] [tag]' (a whole-number "
                              f"frequency, a lower-case tag), got {line.strip()[:60]!r}")
        out.append((word, freq, tag))
    if not out:
        raise CorpusError(f"user dictionary {path}: no entries (expected lines of 'word [freq] [tag]')")
    return out


# -- the segmenter --------------------------------------------------------------------------
class Segmenter:
    """Splits sentences into tokens (see the module docstring). ``used`` counts the sentences
    segmented each way (``space``, ``char``, ``jieba``). Raises :class:`CorpusError` for an unknown
    mode or a bad user dictionary and :class:`MissingExtra` when jieba is asked for (``jieba``,
    or a user dictionary) and not installed — all before any text is read."""

    def __init__(self, mode: str = "auto", user_dict=None):
        if mode not in SEGMENTERS:
            raise CorpusError(f"unknown segmenter {mode!r}: choose {', '.join(SEGMENTERS[:-1])} or {SEGMENTERS[-1]}")
        if user_dict is not None and mode not in ("auto", "jieba"):
            raise CorpusError(f"a user dictionary is for jieba: use it with --segment jieba or auto, not {mode}")
        self.mode = mode
        self.user_dict = str(user_dict) if user_dict is not None else None
        self.entries = read_user_dict(user_dict) if user_dict is not None else []
        has_jieba = jieba_installed() if mode in ("auto", "jieba") else False
        if (mode == "jieba" or self.entries) and not has_jieba:
            raise MissingExtra("zh", "jieba")
        self.cjk = "jieba" if has_jieba else ("space" if mode == "space" else "char")
        self.used: Counter = Counter()
        self._jieba = None

    def __repr__(self) -> str:
        return f"Segmenter({self.mode!r}, cjk={self.cjk!r}, user_dict={self.user_dict!r})"

    def key(self) -> str:
        """What decides the tokens (for cache keys): the mode, the engine used for CJK text and
        the user dictionary's entries."""
        parts = [self.mode, self.cjk]
        if self.cjk == "jieba":
            parts.append("jieba-0.42")
        if self.entries:
            parts.append(hashlib.sha256(repr(self.entries).encode()).hexdigest()[:16])
        return ":".join(parts)

    @property
    def note(self) -> str:
        """One line when ``auto`` had to split CJK text into characters (jieba missing), else ''."""
        return NO_JIEBA if self.mode == "auto" and self.cjk == "char" and self.used["char"] else ""

    def __call__(self, sentence: str, lower: bool = True) -> list[str]:
        """The tokens of one sentence."""
        if self.mode == "space" or sentence.isascii():
            self.used["space"] += 1
            return tokenize(sentence, lower)
        text = fold(sentence)
        if not has_cjk(text):
            self.used["space"] += 1
            return tokenize(text, lower)
        self.used[self.cjk] += 1
        cut = self._cut_jieba if self.cjk == "jieba" else list
        out: list[str] = []
        start = 0
        for m in _CJK_RUN.finditer(text):
            if m.start() > start:
                out.extend(tokenize(text[start:m.start()], lower))
            out.extend(cut(m.group()))
            start = m.end()
        if start < len(text):
            out.extend(tokenize(text[start:], lower))
        return out

    def _cut_jieba(self, run: str) -> list[str]:
        if self._jieba is None:
            self._jieba = load_jieba(self.entries)
        force = {w for w, f, _ in self.entries if f == 0}
        if not force:
            return [w for w in self._jieba.lcut(run) if w.strip()]
        from jieba import finalseg

        shared = finalseg.Force_Split_Words  # jieba keeps its "never whole" words in one global set
        finalseg.Force_Split_Words = shared | force  # ours only while we cut
        try:
            return [w for w in self._jieba.lcut(run) if w.strip()]
        finally:
            finalseg.Force_Split_Words = shared


def load_jieba(entries=()):
    """A jieba ``Tokenizer`` of its own (the default dictionary plus ``entries``), its cache
    under ``VECS_CACHE/jieba/`` rather than the shared temporary folder, its log quiet."""
    try:
        import jieba
    except ImportError:
        raise MissingExtra("zh", "jieba") from None
    import logging

    from vecs.paths import cache_dir

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    folder = cache_dir() / "jieba"
    folder.mkdir(parents=True, exist_ok=True)
    tok.tmp_dir = str(folder)
    tok.initialize()
    from jieba import finalseg

    shared = set(finalseg.Force_Split_Words)
    for word, freq, tag in entries:
        tok.add_word(word, freq, tag)
    finalseg.Force_Split_Words.intersection_update(shared)  # words of frequency 0 stay ours (see _cut_jieba)
    return tok


def segment(text: str, mode: str = "auto", user_dict=None, lower: bool = True) -> list[str]:
    """The tokens of ``text`` (one sentence) with a new :class:`Segmenter` (``mode``, ``user_dict``).

    >>> segment("ＡＢＣ１２３，输！", "char")
    ['abc123', '输']
    """
    return Segmenter(mode, user_dict)(text, lower)
