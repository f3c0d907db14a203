"""Tables show words and sentences as the text they are: `[/x]` or `[b]` from a user or a
vocabulary is never taken for rich markup (it used to crash the command or vanish)."""

from __future__ import annotations

from helpers import ok
from rich.console import Console

from cli.render import Markup, table


def _text(t) -> str:
    c = Console(width=200, record=True, highlight=False)
    c.print(t)
    return c.export_text()


def test_cells_titles_and_columns_are_plain_text():
    out = _text(table("about [/x]", ["[b]word"], [["[/x]"], ["a[b]c"]], caption="[i]caption"))
    assert "[/x]" in out and "a[b]c" in out and "about [/x]" in out and "[b]word" in out and "[i]caption" in out


def test_markup_cells_keep_their_style():
    c = Console(width=80, record=True, force_terminal=True, color_system="truecolor")
    c.print(table(None, ["a"], [[Markup("[green]yes[/]")]]))
    ansi = c.export_text(styles=True)
    assert "yes" in ansi and "[green]" not in ansi and "\x1b[" in ansi


def test_cli_lists_a_model_whose_source_has_brackets(tmp_path):
    p = tmp_path / "a[b].txt"
    p.write_text("2 2\ncat 0.1 0.9\ndog 0.4 0.5\n")
    ok(["import", str(p), "--name", "m"])
    out = ok(["models"]).stdout
    assert "a[b].txt" in out.replace("\n", "").replace("│", "").replace(" ", "") or "a[b]" in out
