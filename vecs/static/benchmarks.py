"""Benchmarks: word analogies (Google, MSR) and word-pair similarity (WS353, SimLex, MEN...).

Answers are identical to gensim 4.4 — ``KeyedVectors.evaluate_word_analogies(path,
restrict_vocab=N, case_insensitive=True)`` for ``method="add"``, the same loop over
``most_similar_cosmul`` for ``method="mul"``, ``evaluate_word_pairs(path, restrict_vocab=N,
case_insensitive=True)`` for similarity — and the analogy run is two orders of magnitude faster.

How the analogies go fast
-------------------------
gensim scores each question with one pass over the whole (restricted) vocabulary: a
matrix-vector product per question (three for 3CosMul). Here the cosine of every *question word*
with every vocabulary word is computed once, block by block of the vocabulary, by one matrix
product (the Google set has ~900 distinct words). A question's scores are then sums (3CosAdd:
``cos(x,b) + cos(x,c) - cos(x,a)``, the same ranking as gensim's cosine with the normalised mean)
or products (3CosMul) of rows of that table, and only a running top 8 per question is kept;
runs of words whose upper bound cannot beat a question's 8th best are skipped.

Float rounding differs from gensim's, so two candidates whose scores are closer than a safety
margin (far above float32 noise) could come out in the other order. Such questions — about one in
a thousand — are settled with gensim's own formula on the few candidates concerned, and if still
too close to call, recomputed exactly as gensim does it (the same numpy/BLAS operations on the
same float32 data), so the answers stay identical.

gensim semantics kept on purpose (see ``evaluate_analogies``): the vocabulary is the first
``restrict`` words, upper-cased with the first (most frequent) variant winning; a question is
skipped when any of its four words is missing; the five best candidates other than the input rows
are examined in order and the first whose upper-case form is not an input's is the answer (the
last examined one if none qualifies).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vecs.errors import DatasetError
from vecs.io.compressed import DECOMPRESSION_ERRORS, decompression_problem, open_by_suffix, suffix_kind
from vecs.progress import ProgressFn
from vecs.space import Space

ANALOGY_SETS = ("google", "msr")

SIMILARITY_SETS = ("ws353", "simlex", "men", "rw", "mturk771", "rg65")

# small development sets shipped in vecs/data/ (written by the vecs authors for checks, never for
# tuning): name -> (kind, file). Not part of ``--dataset all``, which is the English benchmarks.
SHIPPED_SETS = {
    "zh-analogy-dev": ("analogies", "zh_analogy_dev.txt"),  # 66 Chinese questions in 5 sections
    "zh-similarity-dev": ("similarity", "zh_similarity_dev.tsv"),  # 51 Chinese pairs scored 0-10
}


def shipped_path(name: str) -> Path:
    """The file of a development set shipped with vecs (:data:`SHIPPED_SETS`)."""
    from importlib import resources

    return Path(str(resources.files("vecs").joinpath("data", SHIPPED_SETS[name][1])))


def dataset_names(kind: str) -> tuple[str, ...]:
    """Every data set name of ``kind`` (``"analogies"`` or ``"similarity"``): the benchmarks,
    then the shipped development sets."""
    sets = ANALOGY_SETS if kind == "analogies" else SIMILARITY_SETS
    return sets + tuple(n for n, (k, _) in SHIPPED_SETS.items() if k == kind)


# --------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------
def dataset_path(dataset: str | Path, kind: str, progress: ProgressFn | None = None) -> tuple[str, Path]:
    """Resolve a dataset name (``google``, ``ws353``, ``zh-analogy-dev``...) or a file path to
    ``(label, path)``.

    ``kind`` is ``"analogies"`` or ``"similarity"``; a name of the other kind is an error."""
    other_kind = "similarity" if kind == "analogies" else "analogies"
    own, other = dataset_names(kind), dataset_names(other_kind)
    name = str(dataset)
    if name in SHIPPED_SETS and SHIPPED_SETS[name][0] == kind:
        return name, shipped_path(name)
    if name in own:
        from vecs.hub.fetch import path

        return name, Path(path(name, progress=progress))
    p = Path(name).expanduser()
    if p.is_file():
        return str(p), p
    if p.exists():
        raise DatasetError(f"{name!r} is not a file")
    if name in other:
        raise DatasetError(f"{name!r} is a{'n analogy' if kind == 'similarity' else ' similarity'} set; "
                           f"{kind} sets: {', '.join(own)} (or a file)")
    raise DatasetError(f"unknown dataset {name!r}: not one of {', '.join(own)} and no such file")


def _read_bytes(path: Path) -> bytes:
    """The (decompressed, by suffix) bytes of a data set file; every way of failing to read it,
    a corrupt archive included, is a :class:`DatasetError` naming the file."""
    try:
        with open_by_suffix(path) as f:
            return f.read()
    except DECOMPRESSION_ERRORS as e:  # unreadable, a folder, a broken archive
        raise DatasetError(decompression_problem(path, suffix_kind(path), e)) from None


def _decode(raw: bytes, path: Path, line_no: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"{path} is not UTF-8 text (line {line_no})") from None


@dataclass
class AnalogyTable:
    """A file in the Google format, compact: question i is ``words[4 i: 4 i + 4]`` (a, b, c,
    expected, as written), from line ``lines[i]`` (1-based), in section ``sections[section_of[i]]``."""
    sections: list[str]
    section_of: np.ndarray  # (Q,) int64
    lines: np.ndarray  # (Q,) int64
    words: list[str]
    invalid: int  # non-blank lines that are neither a section header nor four words

    def __len__(self) -> int:
        return len(self.lines)


# what str.split() splits ASCII text at: \t \n \v \f \r, \x1c-\x1f and space
_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


def read_analogy_table(path: Path) -> AnalogyTable:
    """Parse a file in the Google format: ``: section`` lines, then ``a b c d`` lines.

    As gensim: lines are split at ``\\n`` only and on any whitespace, a section starts at a line
    beginning with ``": "`` (its name is the line with leading ':' and ' ' stripped), lines that
    are not four words are skipped. Unlike gensim (which refuses the file), questions before the
    first header go into a section called ``questions``. ASCII files are split in one vectorised
    pass; others line by line, with the same result."""
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # name the first line that is not UTF-8
        for i, raw in enumerate(data.split(b"\n")):
            _decode(raw, path, i + 1)
        raise  # pragma: no cover - some line above fails
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    names, section_of, line_nos, words, invalid = (_parse_ascii(data, pieces) if data.isascii()
                                                   else _parse_lines(pieces))
    if not len(line_nos):
        raise DatasetError(f"no analogy questions in {path} (expected ': section' lines, then lines of 4 words)")
    return AnalogyTable(names, section_of, line_nos, words, invalid)


def _parse_lines(pieces: list[str]):
    """``(names, section_of, lines, words, invalid)``, line by line."""
    names: list[str] = []
    section_of: list[int] = []
    line_nos: list[int] = []
    words: list[str] = []
    invalid = 0
    for i, line in enumerate(pieces):
        if line.startswith(": "):
            names.append(line.lstrip(": ").strip())
            continue
        split = line.split()
        if len(split) != 4:
            invalid += bool(split)
            continue
        if not names:
            names.append("questions")
        section_of.append(len(names) - 1)
        line_nos.append(i + 1)
        words += split
    return names, np.array(section_of, dtype=np.int64), np.array(line_nos, dtype=np.int64), words, invalid


def _parse_ascii(data: bytes, pieces: list[str]):
    """What :func:`_parse_lines` gives, for ASCII text, from whole-file array operations."""
    b = np.frombuffer(data, dtype=np.uint8)
    start = np.concatenate([[0], np.flatnonzero(b == 10) + 1])[: len(pieces)]  # each line's first byte
    space = _ASCII_SPACE[b]
    word_start = ~space  # a non-space after a space, or at the very start
    word_start[1:] &= space[:-1]
    counts = np.diff(np.searchsorted(np.flatnonzero(word_start), np.append(start, len(b))))
    padded = np.concatenate([b, np.zeros(2, dtype=np.uint8)])
    head = (padded[start] == ord(":")) & (padded[start + 1] == ord(" "))
    ok = (counts == 4) & ~head
    invalid = int(((counts > 0) & ~head & ~ok).sum())
    section = np.cumsum(head) - 1
    names = [pieces[i].lstrip(": ").strip() for i in np.flatnonzero(head).tolist()]
    keep = np.flatnonzero(ok)
    if keep.size and section[keep[0]] < 0:  # questions before the first header
        names.insert(0, "questions")
        section += 1
    words = " ".join([pieces[i] for i in keep.tolist()]).split()
    return names, section[keep].astype(np.int64), keep + 1, words, invalid


def read_analogies(path: Path) -> tuple[list[tuple[str, list[tuple[int, list[str]]]]], int]:
    """:func:`read_analogy_table` as ``([(section, [(line_no, [a, b, c, d]), ...]), ...], invalid)``."""
    t = read_analogy_table(path)
    sections: list[tuple[str, list[tuple[int, list[str]]]]] = [(name, []) for name in t.sections]
    for i, (s, line_no) in enumerate(zip(t.section_of.tolist(), t.lines.tolist())):
        sections[s][1].append((line_no, t.words[4 * i: 4 * i + 4]))
    return sections, t.invalid


def read_pairs(path: Path) -> tuple[list[tuple[int, str, str, float]], int]:
    """Parse a word-pair file: ``word<TAB>word<TAB>score`` lines, ``#`` comment lines.

    As gensim's ``evaluate_word_pairs``: UTF-8 with universal newlines, split at tabs, the words
    kept as they are (not stripped), the score read by ``float``, other lines skipped (a score
    of NaN or infinity is an error, naming the line: gensim would take it). One
    addition: a line that does not split into exactly three fields is retried with its empty
    fields dropped, which reads ``RG_word.tsv`` (fields separated by runs of tabs; gensim skips
    58 of its 65 lines). Lines gensim accepts are read exactly as gensim reads them.

    Returns ``([(line_no, a, b, score), ...], invalid)``."""
    data = _read_bytes(path)
    try:
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        lines = list(text)
    except UnicodeDecodeError:
        raise DatasetError(f"{path} is not UTF-8 text") from None
    pairs: list[tuple[int, str, str, float]] = []
    invalid = 0
    for i, line in enumerate(lines):
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            parts = [p for p in parts if p.strip()]
        try:
            a, b, sim = parts
            score = float(sim)
        except (ValueError, TypeError):
            invalid += bool(line.strip())
            continue
        if not math.isfinite(score):
            raise DatasetError(f"{path}: line {i + 1}: the score {sim.strip()[:40]!r} is not a finite number")
        pairs.append((i + 1, a, b, score))
    if not pairs:
        raise DatasetError(f"no word pairs in {path} (expected lines of word<TAB>word<TAB>score)")
    return pairs, invalid


# --------------------------------------------------------------------------------------------
# Vocabulary as gensim sees it
# --------------------------------------------------------------------------------------------
def restricted_rows(space: Space, restrict: int | None) -> int:
    n = len(space)
    return n if not restrict or restrict <= 0 else min(int(restrict), n)
