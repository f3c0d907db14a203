"""The progress bars (cli/render.py progress_bars, used through cli.options.progress): at 80 and
60 columns the bar stays readable and the times whole; a long job's estimate is one line
before its bar."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

import cli.render as render
from vecs.progress import ProgressEvent, about, estimate, report


def _draw(monkeypatch, width: int, events) -> str:
    con = Console(file=io.StringIO(), width=width, record=True, color_system=None, force_terminal=False)
    monkeypatch.setattr(render, "err", con)
    with render.progress_bars() as bars:
        for ev in events:
            bars(ev)
    return con.export_text()


@pytest.mark.parametrize("width", [60, 80, 120])
def test_bars_keep_a_readable_bar_and_whole_times(monkeypatch, width):
    events = [ProgressEvent("train word2vec", 0, 100, {"epoch": "0/5"}),
              ProgressEvent("train word2vec", 37, 100, {"epoch": "2/5", "words_per_s": 401568.2, "loss": 3.0123}),
              ProgressEvent("download mpnet", 120_300_000, 404_534_822, {"bytes": 120_300_000})]
    text = _draw(monkeypatch, width, events)
    assert "…" not in text  # no time, percentage or figure cut
    for line in (ln for ln in text.splitlines() if "%" in ln):
        bar = re.search(r"(?:mpnet|word2vec) ([━╸╺ ]+) \d+%", line)  # the bar's cells, drawn or not yet
        assert bar and len(bar.group(1)) >= 6, line  # a bar of at least 6 cells
        assert re.search(r"\d+%\s+\d:\d\d:\d\d\s+(\d:\d\d:\d\d|-:--:--)", line), line
    assert "401,568" in text and "120.3 MB" in text
    assert max(map(len, text.splitlines())) <= width


def test_an_estimate_is_one_line_before_the_bar(monkeypatch):
    seen = []
    estimate(seen.append, "distill minilm", 30)  # short jobs are not announced
    assert seen == []
    estimate(seen.append, "distill minilm", 250, "3,000 sentences at the rate of the first batch")
    seen.append(ProgressEvent("distill minilm", 10, 100))
    text = _draw(monkeypatch, 80, seen)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    bar = next(i for i, ln in enumerate(lines) if "%" in ln)
    assert " ".join(lines[:bar]) == ("distill minilm: about 4 min on this machine (3,000 sentences at the rate "
                                     "of the first batch)")  # wrapped at 80 columns, before the bar
    assert max(map(len, lines)) <= 80


def test_about_says_durations_as_people_do():
    assert [about(s) for s in (7, 42, 250, 3000, 7200)] == ["about 5 s", "about 40 s", "about 4 min",
                                                            "about 50 min", "about 2.0 h"]


def test_report_still_sends_plain_events():
    seen = []
    report(seen.append, "x", 1, 2, loss=0.5)
    assert seen[0].estimate_s is None and seen[0].info == {"loss": 0.5}
