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
from pathlib import Path
from typing import Iterable, Sequence

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


def read_analogies(path: Path) -> tuple[list[tuple[str, list[tuple[int, list[str]]]]], int]:
    """Parse a file in the Google format: ``: section`` lines, then ``a b c d`` lines.

    Returns ``([(section, [(line_no, [a, b, c, d]), ...]), ...], invalid)``. As gensim: lines
    are split at ``\\n`` only and on any whitespace, a section starts at a line beginning with
    ``": "`` (its name is the line with leading ':' and ' ' stripped), lines that are not four
    words are skipped. Unlike gensim (which refuses the file), questions before the first header
    go into a section called ``questions``."""
    data = _read_bytes(path)
    sections: list[tuple[str, list[tuple[int, list[str]]]]] = []
    invalid = 0
    try:
        pieces = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:  # name the first line that is not UTF-8
        for i, raw in enumerate(data.split(b"\n")):
            _decode(raw, path, i + 1)
        raise  # pragma: no cover - some line above fails
    if pieces and pieces[-1] == "":
        pieces.pop()
    for i, line in enumerate(pieces):
        if line.startswith(": "):
            sections.append((line.lstrip(": ").strip(), []))
            continue
        words = line.split()
        if len(words) != 4:
            invalid += bool(words)
            continue
        if not sections:
            sections.append(("questions", []))
        sections[-1][1].append((i + 1, words))
    if not any(qs for _, qs in sections):
        raise DatasetError(f"no analogy questions in {path} (expected ': section' lines, then lines of 4 words)")
    return sections, invalid


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


def question_vocab(words: Sequence[str], R: int, case_insensitive: bool,
                   wanted: Iterable[str] | None = None) -> tuple[dict[str, int], np.ndarray]:
    """gensim's ``ok_vocab``: key (upper-cased) -> row of its first occurrence among the first R
    words; and for every row the row its key maps to (so "same key" is an integer comparison).

    ``wanted``: only these keys are needed (the words of a question file). The dict then holds
    just them, and ``kid`` maps only the rows whose key is wanted (every other row to itself) —
    the same answers to every comparison with a wanted key's row, without hashing the whole
    vocabulary into a dict."""
    keys = all_keys(words[:R], case_insensitive)
    if wanted is not None:
        want = set(wanted)
        hits = np.flatnonzero(np.fromiter(map(want.__contains__, keys), dtype=bool, count=len(keys)))
        ok: dict[str, int] = {}
        kid = np.arange(len(keys), dtype=np.int64)
        for r in hits.tolist():
            kid[r] = ok.setdefault(keys[r], r)  # the first occurrence wins
        return ok, kid
    ok = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))  # the first occurrence wins
    kid = np.arange(len(keys), dtype=np.int64)
    if len(ok) < len(keys):  # some keys repeat: their later rows map to the first one
        later = np.ones(len(keys), dtype=bool)
        later[np.fromiter(ok.values(), dtype=np.int64, count=len(ok))] = False
        for r in np.flatnonzero(later):
            kid[r] = ok[keys[r]]
    return ok, kid
