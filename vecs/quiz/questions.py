"""Quiz questions: drawn from an analogy set, kept to what the model can answer.

* **Questions** come from an analogy file in the Google format (``google``, ``msr``, the shipped
  Chinese ``zh-analogy-dev`` or a teacher's own file): ``: section`` lines, then ``a b c d`` lines. Only questions whose four words
  the model knows are asked (looked up in the case the model has: exact, then lower-case, then
  Capitalised, then UPPER); the others are counted as skipped. A question is shown with the words
  as they are written in the file.
* **Drawing** is ``random.Random(seed).sample`` over the usable questions (in file order), so a
  seed gives the same quiz every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from vecs.errors import QuizError

if TYPE_CHECKING:  # pragma: no cover
    from vecs.space import Space


@dataclass
class Question:
    """``a : b :: c : d``, the words as written in the file; ``words`` are the same words as the
    model spells them (None before :func:`load_questions` matched them to a model)."""

    section: str
    a: str
    b: str
    c: str
    d: str
    line: int = 0
    words: tuple[str, str, str, str] | None = None

    @property
    def prompt(self) -> str:
        return f"{self.a} : {self.b} :: {self.c} : ?"


@dataclass
class SectionCount:
    section: str
    questions: int  # in the file
    usable: int  # all four words known to the model (= questions when no model was given)


@dataclass
class QuestionSet:
    dataset: str  # name or path
    model: str
    questions: list[Question]  # the usable ones, in file order (of the chosen section)
    total: int  # questions in the file (of the chosen section)
    skipped: int  # questions with a word the model does not know
    sections: list[SectionCount]
    section: str | None = None  # the section filter, if any
    invalid: int = 0  # lines of the file that are neither a header nor four words

    @property
    def unanswerable(self) -> list[SectionCount]:
        """The sections (of the chosen one, with ``section``) none of whose questions the model can answer."""
        if not self.model:
            return []
        return [c for c in self.sections if c.usable == 0 and (self.section is None or c.section == self.section)]

    def sections_note(self) -> str:
        """"12 of 14 sections; capital-world skipped: 0 of 4,524 questions answerable on this model" (''
        when every section can be asked)."""
        gone = self.unanswerable
        if not gone or self.section is not None:
            return ""
        kept = len(self.sections) - len(gone)
        parts = [f"{c.section} ({c.questions:,})" for c in gone]
        if len(gone) == 1:
            skipped = f"{gone[0].section} skipped: 0 of {gone[0].questions:,} questions answerable on this model"
        else:
            skipped = f"skipped, no question answerable on this model: {', '.join(parts)}"
        return f"{kept} of {len(self.sections)} sections; {skipped}"


def model_word(space: "Space", word: str) -> str | None:
    """``word`` as the model spells it: exact, lower-case, Capitalised or UPPER; None if absent."""
    for w in (word, word.lower(), word.capitalize(), word.upper()):
        if w in space.index:
            return w
    return None


def read_questions(dataset: str | Path = "google", progress=None) -> tuple[str, list[tuple[str, list[Question]]], int]:
    """``(label, [(section, [Question, ...]), ...], invalid)`` from a dataset name or file."""
    from vecs.static.benchmarks import dataset_path, read_analogies

    label, path = dataset_path(dataset, "analogies", progress=progress)
    sections, invalid = read_analogies(path)
    out = [(name, [Question(name, *ws, line=ln) for ln, ws in qs]) for name, qs in sections]
    return label, out, invalid


def load_questions(space: "Space | None", dataset: str | Path = "google", section: str | None = None,
                   progress=None) -> QuestionSet:
    """The questions of ``dataset`` (optionally of one ``section``: exact name, or a unique
    case-insensitive prefix) whose words ``space`` knows. Unknown section: :class:`QuizError`
    listing the sections."""
    label, sections, invalid = read_questions(dataset, progress=progress)
    counts, usable_by = [], {}
    for name, qs in sections:
        ok = []
        for q in qs:
            if space is None:
                ok.append(q)
                continue
            ws = tuple(model_word(space, w) for w in (q.a, q.b, q.c, q.d))
            if None not in ws:
                ok.append(Question(q.section, q.a, q.b, q.c, q.d, q.line, ws))  # type: ignore[arg-type]
        counts.append(SectionCount(name, len(qs), len(ok)))
        usable_by.setdefault(name, []).extend(ok)
    chosen = None
    if section is not None:
        chosen = _match_section(section, [c.section for c in counts])
        picked = [c for c in counts if c.section == chosen]
    else:
        picked = counts
    questions = [q for c in picked for q in usable_by[c.section]] if section is None else usable_by[chosen]
    if space is not None and chosen is not None and not questions and picked[0].questions:
        raise QuizError(f"no usable question in section {chosen}: 0 of {picked[0].questions:,} answerable on {space.name} "
                        "(a word of each is missing); see --sections")
    total = sum(c.questions for c in picked)
    return QuestionSet(label, space.name if space is not None else "", questions, total, total - len(questions),
                       counts, chosen, invalid)


def _match_section(name: str, names: Sequence[str]) -> str:
    if name in names:
        return name
    low = name.lower()
    exact = [n for n in names if n.lower() == low]
    if exact:
        return exact[0]
    pre = [n for n in dict.fromkeys(names) if n.lower().startswith(low)]
    if len(pre) == 1:
        return pre[0]
    hint = f" (matches {', '.join(pre)})" if pre else ""
    raise QuizError(f"unknown section {name!r}{hint}; sections: {', '.join(dict.fromkeys(names))}")


def draw(questions: Sequence[Question], n: int, seed: int | None) -> list[Question]:
    """``n`` questions (all of them if fewer), chosen by ``random.Random(seed)`` — the same
    seed and questions give the same quiz."""
    if n < 1:
        raise QuizError(f"the quiz needs at least one question, not {n}")
    qs = list(questions)
    if not qs:
        raise QuizError("no usable question: the model knows the words of none of them")
    return random.Random(seed).sample(qs, min(n, len(qs)))
