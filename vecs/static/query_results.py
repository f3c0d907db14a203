"""The results of :mod:`vecs.static.query` (dataclasses; ``vecs.jsonify.plain`` turns each into
JSON). Ranks are 1-based; see the query module for what they count."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scored:
    """One candidate: its rank (1-based) and score."""

    word: str
    score: float
    rank: int


@dataclass
class WordRank:
    """Where a given word (an input, or the expected answer) ranks.

    ``role`` is ``a``/``b``/``c`` for analogy inputs, ``input`` for expression words, ``expected``.
    ``rank`` is among the inputs-kept ranking for inputs (see the module docs); ``excluded`` says
    whether the word was kept out of ``results``; ``in_candidates`` is false for a word beyond
    ``restrict`` (its rank is then where it would slot in). ``score`` is None where it is undefined
    (PairDirection's ``cos(x - c, b - a)`` for x = c; a word whose vector is zero)."""

    word: str
    role: str
    score: float | None
    rank: int
    excluded: bool = False
    in_candidates: bool = True


@dataclass
class NeighboursResult:
    query: str  # the word, or the normalised expression
    results: list[Scored]
    inputs: list[WordRank]  # each input word's rank and score, as if kept
    exclude_inputs: bool
    terms: dict[str, float] = field(default_factory=dict)  # coefficient of each input word
    k: int = 10
    model: str = ""
    candidates: int = 0  # how many words were ranked
    method: str = "exact"  # or the approximate index that found them: "hnsw (recall@10 0.970 at build)"
    note: str = ""  # e.g. why a stored index was not used


@dataclass
class CalcResult(NeighboursResult):
    """The neighbours of a vector expression (same fields as :class:`NeighboursResult`)."""


@dataclass
class AnalogyResult:
    """``a : b :: c : ?``. ``top_is_input`` names the input that would have ranked first had the
    inputs been kept (``None`` when a real candidate is first either way)."""

    a: str
    b: str
    c: str
    method: str
    results: list[Scored]
    inputs: list[WordRank]  # a, b, c: rank and score if kept
    exclude_inputs: bool
    expected: WordRank | None = None
    top_is_input: str | None = None
    k: int = 5
    model: str = ""
    candidates: int = 0


@dataclass
class Similarity:
    """The cosine similarity of two words."""

    words: list[str]
    score: float
    model: str = ""


@dataclass
class OddOneOut:
    """``word`` is least similar to the mean of the unit vectors; ``scores`` (least similar first)
    gives every word's cosine to that mean, ``margin`` the gap between the last two."""

    word: str
    scores: list[Scored]
    margin: float
    model: str = ""


@dataclass
class ExclusionEffect:
    """One analogy answered twice: with the input words left out of the candidates (gensim's and
    word2vec's convention) and with them kept. doctor - man + woman gives nurse only when doctor
    is left out: ``answer_needs_exclusion`` says so."""

    excluded: AnalogyResult
    kept: AnalogyResult

    @property
    def answer_needs_exclusion(self) -> bool:
        """The top answer with inputs left out differs from the top one with them kept, and that
        one is an input."""
        ex = self.excluded.results[0].word if self.excluded.results else None
        kept = self.kept.results[0].word if self.kept.results else None
        return ex != kept and kept in (self.kept.a, self.kept.b, self.kept.c)
