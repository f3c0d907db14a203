"""Verdicts: held, partly, not here, n/a — decided by the two tests of a stated criterion."""

from __future__ import annotations

from vecs.claims.outcome import Outcome, judged


def test_verdict_follows_held_unless_given():
    assert Outcome("m", True, "1").verdict == "held"
    assert Outcome("m", False, "1").verdict == "not here"
    assert Outcome("m", None, "no such word").verdict == "n/a"


def test_judged_says_partly_only_when_the_whole_claim_does_not_hold():
    assert judged("m", True, True, "x").verdict == "held"
    o = judged("m", False, True, "x")
    assert o.verdict == "partly" and o.held is False
    assert judged("m", False, False, "x").verdict == "not here"
