"""Tables fit the terminal: at 60 and 80 columns, and in a pipe, no line is wider than the width,
and no number or name the user must read or type is cut (no ``…`` inside one)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from cli.render import Markup, reflow, table
from helpers import ok

WIDTHS = [60, 80]
REPO = Path(__file__).resolve().parents[2]
# an ellipsis touching a digit, or ending a token: a number or a name shortened by rich
CUT = re.compile(r"\d…|…\d|[\w.\-]…")


def check_fits(out: str, width: int) -> None:
    for line in out.splitlines():
        assert cell_len(line) <= width, f"{cell_len(line)} > {width}: {line!r}"
    assert not CUT.search(out), CUT.search(out)


def render(t, width: int) -> str:
    c = Console(width=width, record=True, file=open(os.devnull, "w"), color_system=None)
    c.print(t)
    return c.export_text()


def wide_rows(n: int = 6) -> list[list]:
    return [[f"ea-aa-names-bertrand-{i}", 0.123456 * i, 1e-5 * i, 12_870 * i, "99%",
             "a long description of what this row is about, several words"] for i in range(n)]


COLS = ["test", "d", "p", "partitions", "coverage", "what"]


# --------------------------------------------------------------------------------------------
# the table helper
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_table_never_cuts_a_number_or_a_name(width):
    out = render(table("t", COLS, wide_rows(), caption="a caption"), width)
    check_fits(out, width)
    for i in range(6):
        assert f"ea-aa-names-bertrand-{i}" in out and f"{12_870 * i:,}" in out


def test_a_table_that_fits_keeps_its_borders():
    out = render(table("t", ["a", "b"], [["x", 1.5]]), 80)
    assert "┏" in out and "1.5000" in out


def test_text_columns_wrap_at_spaces_when_short():
    out = render(table(None, ["name", "what"], [["glove", "word " * 30]]), 60)
    check_fits(out, 60)
    assert len(out.splitlines()) > 4 and "wor\n" not in out


def test_secondary_columns_go_under_their_row():
    rows = [["glove-6b-50d", "vectors", "76 MB", "GloVe 6B " * 8, "PDDL-1.0 " * 6]]
    out = render(table("Resources", ["name", "kind", "download", "what", "licence"], rows,
                       secondary=("what", "licence")), 60)
    check_fits(out, 60)
    lines = out.splitlines()
    assert lines[2].startswith("glove-6b-50d") and lines[3].startswith("    GloVe 6B")
    assert any(ln.startswith("    licence: PDDL-1.0") for ln in lines)


def test_pages_repeat_the_key_columns():
    cols = ["word", "kind"] + [f"L{i}" for i in range(13)]
    rows = [["pitcher", "homonym"] + [0.123456] * 13, ["lower for homonyms?", ""] + [True] * 13]
    out = render(table("across", cols, rows, key=2), 80)
    check_fits(out, 80)
    assert out.count("pitcher") == out.count("homonym  ") >= 2 and "L12" in out


def test_a_very_narrow_terminal_gets_one_row_per_block():
    out = render(table("t", COLS, wide_rows(2)), 24)
    assert "ea-aa-names-bertrand-1" in out and "partitions: 12,870" in out and "test: " in out


def test_markup_cells_still_render_in_a_fitted_table():
    out = render(table(None, ["a", "b"], [[Markup("[green]yes[/]"), "[/x]"]]), 60)
    assert "yes" in out and "[green]" not in out and "[/x]" in out


def test_reflow_joins_paragraph_lines_and_keeps_examples():
    doc = """First line
    goes on.

    A paragraph
    broken in two.

      vecs senses bank
         --group x
    """
    assert reflow(doc) == "First line goes on.\n\nA paragraph broken in two.\n\n  vecs senses bank\n     --group x"


# --------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_get_list_shows_every_name_whole(width):
    out = ok(["get", "--list"], env={"COLUMNS": str(width)}).stdout
    check_fits(out, width)
    for name in ("glove-6b-50d", "peoples-daily", "zh-vectors", "weat-wefe"):
        assert re.search(rf"^{re.escape(name)}\s", out, re.M), name
    assert len(out.splitlines()) < {60: 120, 80: 100}[width]  # was 139 at 80, names cut


def test_get_list_in_a_pipe_fits_80_columns():
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    r = subprocess.run([sys.executable, "-m", "cli.main", "get", "--list"], cwd=REPO, env=env, capture_output=True,
                       stdin=subprocess.DEVNULL, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    check_fits(r.stdout, 80)
    assert "glove-6b-50d" in r.stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_quiz_history_keeps_every_cell(width, vecs_home):
    vecs_home.mkdir(parents=True, exist_ok=True)
    line = {"started": "2026-12-01T18:00:00", "mode": "versus", "dataset": "google",
            "section": "capital-common-countries", "model": "glove-6b-50d",
            "you": {"correct": 7, "answered": 10, "longest_streak": 4},
            "model_score": {"correct": 9, "answered": 10, "longest_streak": 6}, "seed": 123456789}
    (vecs_home / "quiz-history.jsonl").write_text(json.dumps(line) + "\n")
    out = ok(["quiz", "--history"], env={"COLUMNS": str(width)}).stdout
    check_fits(out, width)
    for cell in ("2026-12-01 18:00", "capital-common-countries", "glove-6b-50d", "7/10", "9/10", "123456789"):
        assert cell in out, cell


@pytest.mark.real
@pytest.mark.parametrize("width", WIDTHS)
def test_weat_all_shows_test_names_and_p_values_whole(width):
    out = ok(["bias", "weat", "--all", "-m", "glove-6b-50d", "--permutations", "2000"],
             env={"COLUMNS": str(width)}).stdout
    check_fits(out, width)
    for name in ("flowers-insects", "instruments-weapons", "mental-physical-disease"):
        assert name in out
    assert re.search(r"\d\.\de-0\d", out)


@pytest.mark.real
@pytest.mark.parametrize("width", WIDTHS)
def test_eval_similarity_fits(width):
    out = ok(["eval", "similarity", "-m", "glove-6b-50d"], env={"COLUMNS": str(width)}).stdout
    check_fits(out, width)
    assert "simlex" in out


@pytest.mark.real
@pytest.mark.parametrize("width", WIDTHS)
def test_senses_example_shows_every_cosine_whole(width):
    out = ok(["senses", "--example", "-m", "minilm"], env={"COLUMNS": str(width)}).stdout
    check_fits(out, width)
    assert len(re.findall(r"0\.\d{4}", out)) == 8 * 7 and "L6" in out
