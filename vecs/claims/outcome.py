"""A claim checked on one model: the outcome, its verdict and the criterion that decided it."""

from __future__ import annotations

from dataclasses import dataclass, field

VERDICTS = ("held", "partly", "not here", "n/a")


@dataclass
class Outcome:
    """One claim checked on one model. ``held``: True, False, or None (could not be checked here:
    a word the model lacks, no extra). ``verdict`` says it in words, and may be ``partly`` (the
    numbers show some of the claim, by the step's stated criterion)."""

    model: str
    held: bool | None
    number: str  # the headline figure
    detail: str = ""
    data: dict = field(default_factory=dict)
    verdict: str = ""

    def __post_init__(self):
        if not self.verdict:
            self.verdict = {True: "held", False: "not here", None: "n/a"}[self.held]
        if self.verdict not in VERDICTS:  # pragma: no cover - a programming error
            raise ValueError(f"unknown verdict {self.verdict!r}")


def judged(model: str, held: bool, partly: bool, number: str, detail: str = "", data: dict | None = None) -> Outcome:
    """An outcome from the two tests of a criterion: ``held`` (all of it) and ``partly``."""
    verdict = "held" if held else "partly" if partly else "not here"
    return Outcome(model, bool(held), number, detail, data or {}, verdict)


@dataclass
class Step:
    key: str
    claim: str
    command: str  # the vecs command that reproduces it
    outcomes: list[Outcome]
    note: str = ""
    plot: str | None = None
    criterion: str = ""  # how the verdict is decided, in words, shown with the step
