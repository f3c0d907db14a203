"""A quiz session: grading, the model's answers, the score and the summary, as plain data.

The CLI (``cli/quiz.py``) only shows questions and reads answers; everything that decides
something lives here (the questions themselves in :mod:`vecs.quiz.questions`).

* **Grading** (:func:`grade`) is case-insensitive; a typo of one edit (Damerau-Levenshtein; never in Chinese, where one character is another word;
  distance 1: one letter inserted, deleted, replaced, or two neighbours swapped) is accepted and
  pointed out — unless the typed word is another word of the question (``dollar`` for
  ``dollars``) or a different word the model knows among its 30,000 most frequent (``worst`` for
  ``worse``): those are real answers, and wrong.
* **The model's answer** is :func:`vecs.static.query.analogy` with ``exclude_inputs=True`` (3CosAdd, as
  the benchmarks): its best candidate that is not a case variant of an input. The expected
  answer's rank is its rank in that list.

>>> grade("Germny", "germany").typo, grade("germany", "Germany").correct, grade("worse", "worst", known={"worse"}).correct
(True, True, False)
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from vecs.errors import DatasetError, QuizError
from vecs.quiz.questions import draw
from vecs.util import edit_distance, has_unspaced

if TYPE_CHECKING:  # pragma: no cover
    from vecs.quiz.questions import Question, QuestionSet
    from vecs.space import Space

MODES = ("you", "model", "versus")

HINT_K = 5  # candidates in a hint

TYPO_VOCAB = 30_000  # a typed word among the model's first N words is a real word, not a typo


# --------------------------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------------------------
@dataclass
class Grade:
    answer: str  # what was typed (stripped)
    expected: str
    correct: bool
    typo: bool = False  # accepted although one edit away
    reason: str = ""  # why a one-edit answer was not accepted


def grade(answer: str, expected: str, others: Iterable[str] = (), known: "Iterable[str] | None" = None) -> Grade:
    """Grade one answer: case-insensitive; one edit away counts (``typo=True``) unless the
    answer is one of ``others`` (the question's other words) or in ``known`` (a vocabulary of
    real words) — a real but different word is wrong."""
    ans = answer.strip()
    a, e = ans.casefold(), expected.casefold()
    if a == e:
        return Grade(ans, expected, True)
    if a and edit_distance(a, e) == 1 and not (has_unspaced(a) or has_unspaced(e)):  # one character is a word in Chinese
        if a in {o.casefold() for o in others}:
            return Grade(ans, expected, False, reason=f"{ans!r} is a word of the question")
        if known is not None and a in known:
            return Grade(ans, expected, False, reason=f"{ans!r} is a different word")
        return Grade(ans, expected, True, typo=True)
    return Grade(ans, expected, False)


# --------------------------------------------------------------------------------------------
# The model's answers
# --------------------------------------------------------------------------------------------
@dataclass
class ModelAnswer:
    answer: str | None  # the model's best candidate (None: nothing to rank)
    correct: bool
    expected_rank: int  # rank of the expected answer in the model's list (1 = its answer)
    top: list[str]  # the model's first HINT_K candidates
    scores: list[float]


def model_answer(space: "Space", q: Question, k: int = HINT_K) -> ModelAnswer:
    """The model's answer to ``q`` (3CosAdd, inputs excluded, case variants of inputs skipped)."""
    from vecs.static.query import analogy

    a, b, c, d = q.words or (q.a, q.b, q.c, q.d)
    res = analogy(space, a, b, c, k=k + 3, exclude_inputs=True, expected=d)
    inputs = {a.casefold(), b.casefold(), c.casefold()}
    kept = [r for r in res.results if r.word.casefold() not in inputs][:k]
    top = [r.word for r in kept]
    answer = top[0] if top else None
    rank = res.expected.rank if res.expected is not None else 0
    if d.casefold() in inputs:
        rank = 0
    correct = answer is not None and answer.casefold() == q.d.casefold()
    return ModelAnswer(answer, correct, rank, top, [float(r.score) for r in kept])


def read_answers(path: str | Path) -> list[str]:
    """The answers of ``--answers FILE``: one per line (``hint`` asks for a hint)."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise DatasetError(f"no such answers file: {p}")
    try:
        return p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise DatasetError(f"{p} is not UTF-8 text") from None


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------
@dataclass
class QuestionRecord:
    number: int  # 1-based
    section: str
    a: str
    b: str
    c: str
    expected: str
    answer: str | None = None  # what you typed (None: not asked / model mode)
    correct: bool | None = None  # your result (None in model mode)
    typo: bool = False
    hints: int = 0
    model_answer: str | None = None
    model_correct: bool | None = None
    expected_rank: int | None = None  # in the model's list
    model_top: list[str] = field(default_factory=list)


@dataclass
class Score:
    correct: int
    answered: int
    accuracy: float
    longest_streak: int
    typos: int = 0
    hints: int = 0


@dataclass
class SectionScore:
    section: str
    questions: int
    you: int | None  # correct answers (None: you did not play)
    model: int | None


@dataclass
class Summary:
    mode: str
    dataset: str
    model: str
    section: str | None
    seed: int | None
    planned: int  # questions drawn
    asked: int  # questions answered before the end
    skipped: int  # questions left out: a word unknown to the model
    interrupted: bool
    started: str  # ISO 8601
    seconds: float
    you: Score | None
    model_score: Score | None
    sections: list[SectionScore]
    records: list[QuestionRecord] = field(default_factory=list)


def _streak(flags: Sequence[bool]) -> int:
    best = cur = 0
    for f in flags:
        cur = cur + 1 if f else 0
        best = max(best, cur)
    return best


def tally(flags: list[bool], typos: int = 0, hints: int = 0) -> Score:
    """A player's score from their right (True) and wrong answers, in order."""
    n = len(flags)
    c = sum(flags)
    return Score(c, n, c / n if n else 0.0, _streak(flags), typos, hints)


class Session:
    """One quiz: the drawn questions, the answers so far, the summary.

    Use: ``for q in session.questions: ... session.hint(q) ... session.answer(q, text)`` (modes
    ``you``/``versus``) or ``session.play_model()`` (mode ``model``); then ``session.summary()``.
    """

    def __init__(self, space: "Space", qset: QuestionSet, n: int = 10, mode: str = "you",
                 seed: int | None = None):
        if mode not in MODES:
            raise QuizError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)  # recorded, so any quiz can be replayed
        self.space = space
        self.qset = qset
        self.mode = mode
        self.seed = seed
        self.questions = draw(qset.questions, n, seed)
        self.records: list[QuestionRecord] = []
        self._hints: dict[int, int] = {}
        self._answers: dict[int, ModelAnswer] = {}
        self._known: set[str] | None = None
        self._t0 = time.perf_counter()
        self.started = datetime.now(timezone.utc).isoformat(timespec="seconds")

    # -- the model ---------------------------------------------------------------------------
    def model(self, q: Question) -> ModelAnswer:
        key = id(q)
        if key not in self._answers:
            self._answers[key] = model_answer(self.space, q)
        return self._answers[key]

    def hint(self, q: Question) -> list[str]:
        """The model's top five candidates (counted as a hint used)."""
        self._hints[id(q)] = self._hints.get(id(q), 0) + 1
        return self.model(q).top

    def _vocab(self) -> set[str]:
        if self._known is None:
            self._known = {w.casefold() for w in self.space.words[:TYPO_VOCAB]}
        return self._known

    # -- answering ---------------------------------------------------------------------------
    def number(self, q: Question) -> int:
        return self.questions.index(q) + 1

    def answer(self, q: Question, text: str) -> tuple[QuestionRecord, Grade]:
        """Grade your answer to ``q`` and record it with the model's answer."""
        if self.mode == "model":
            raise QuizError("in model mode the model answers; use play_model()")
        g = grade(text, q.d, others=(q.a, q.b, q.c), known=self._vocab())
        m = self.model(q)
        rec = QuestionRecord(self.number(q), q.section, q.a, q.b, q.c, q.d, g.answer, g.correct, g.typo,
                             self._hints.get(id(q), 0), m.answer, m.correct, m.expected_rank, m.top)
        self.records.append(rec)
        return rec, g

    def play_model(self, q: Question) -> QuestionRecord:
        """The model answers ``q`` alone (answer-key mode)."""
        m = self.model(q)
        rec = QuestionRecord(self.number(q), q.section, q.a, q.b, q.c, q.d, None, None, False, 0,
                             m.answer, m.correct, m.expected_rank, m.top)
        self.records.append(rec)
        return rec

    # -- the end -----------------------------------------------------------------------------
    def summary(self, interrupted: bool = False) -> Summary:
        recs = self.records
        you = None
        if self.mode != "model":
            you = tally([bool(r.correct) for r in recs], sum(r.typo for r in recs), sum(r.hints for r in recs))
        mod = tally([bool(r.model_correct) for r in recs])  # in "you" mode too, for comparison
        secs: dict[str, SectionScore] = {}
        for r in recs:
            s = secs.setdefault(r.section, SectionScore(r.section, 0, 0 if you else None, 0))
            s.questions += 1
            if you and r.correct:
                s.you += 1  # type: ignore[operator]
            if r.model_correct:
                s.model += 1  # type: ignore[operator]
        return Summary(self.mode, self.qset.dataset, self.space.name, self.qset.section, self.seed,
                       len(self.questions), len(recs), self.qset.skipped, interrupted, self.started,
                       round(time.perf_counter() - self._t0, 3), you, mod, list(secs.values()), list(recs))
