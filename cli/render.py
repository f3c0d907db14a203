"""Everything the CLI shows goes through here: the rich consoles, JSON output, progress bars,
and the one place where library errors become one-line messages."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vecs.jsonify import plain

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def emit_json(obj: Any) -> None:
    """Print ``obj`` (dataclasses, numpy values welcome) as JSON on stdout, unwrapped."""
    sys.stdout.write(json.dumps(plain(obj), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


class Markup(str):
    """A table cell that holds rich markup on purpose (``Markup("[green]yes[/]")``); every other
    cell, and every column name, is shown as the plain text it is — words and sentences come from
    users and vocabularies, and ``[/x]`` is a word like any other."""


def table(title: str | None, columns: list[str], rows: list[list[Any]], caption: str | None = None,
          justify: dict[str, str] | None = None) -> Table:
    """A rich table; numbers right-aligned. Print it with ``console.print``."""
    t = Table(title=title if title is None or isinstance(title, Markup) else escape(title),
              caption=caption if caption is None or isinstance(caption, Markup) else escape(caption), show_lines=False)
    justify = justify or {}
    for i, c in enumerate(columns):
        sample = next((r[i] for r in rows if i < len(r) and r[i] is not None), None)
        j = justify.get(c, "right" if isinstance(sample, (int, float)) and not isinstance(sample, bool) else "left")
        t.add_column(c if isinstance(c, Markup) else escape(c), justify=j)
    for r in rows:
        t.add_row(*[v if isinstance(v, Markup) else escape(fmt(v)) for v in r])
    return t


def fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def error(message: str) -> None:
    """One line on stderr."""
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


@contextmanager
def progress_bars(transient: bool = False) -> Iterator[Any]:
    """A :data:`vecs.progress.ProgressFn` drawing one rich bar per stage, with the event's live
    figures (loss, words/s, ...) next to it. Draws on stderr so ``--json`` stdout stays clean.
    Nothing is drawn (or imported) until the first event: a command that finds everything in
    place prints no progress at all."""
    state: dict[str, Any] = {"prog": None, "tasks": {}}

    def start():
        from rich.progress import (BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        prog = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                        TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                        TextColumn("{task.fields[info]}"), console=err, transient=transient)
        prog.start()
        state["prog"] = prog
        return prog

    def on_event(ev) -> None:
        prog = state["prog"] or start()
        tasks = state["tasks"]
        info = "  ".join(_fmt_info(k, v) for k, v in ev.info.items())
        if ev.stage not in tasks:
            tasks[ev.stage] = prog.add_task(ev.stage, total=ev.total, info=info)
        tid = tasks[ev.stage]
        prog.update(tid, completed=ev.done, total=ev.total, info=info)
        if ev.finished:
            prog.update(tid, completed=ev.total if ev.total is not None else ev.done,
                        total=ev.total if ev.total is not None else max(ev.done, 1))

    try:
        yield on_event
    finally:
        if state["prog"] is not None:
            state["prog"].stop()


def _fmt_info(k: str, v: Any) -> str:
    if isinstance(v, float):
        if k.endswith("per_s") or k.endswith("/s"):
            return f"{k.replace('_per_s', '/s')} {v:,.0f}"
        if k in ("bytes", "size"):
            return f"{v / 1e6:.1f} MB"
        return f"{k} {v:.4g}"
    if k in ("bytes", "size") and isinstance(v, int):
        return f"{v / 1e6:.1f} MB"
    return f"{k} {v}"
