"""Everything the CLI shows goes through here: the rich consoles, JSON output, progress bars,
and the one place where library errors become one-line messages."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from rich.console import Console

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
          justify: dict[str, str] | None = None, secondary: tuple[str, ...] = (), key: int = 1):
    """A rich renderable table that fits the width it is printed at (``cli.fit.Fitted``): numbers
    right-aligned, numbers and one-word cells never cut, ``secondary`` columns moved under their
    row when short of room, pages of columns repeating the first ``key``. Print it with
    ``console.print``."""
    from cli.fit import Cell, Col, Fitted

    def cell(v: Any) -> Cell:
        return Cell(v, markup=True) if isinstance(v, Markup) else Cell(fmt(v))

    justify = justify or {}
    cols = []
    for i, c in enumerate(columns):
        sample = next((r[i] for r in rows if i < len(r) and r[i] is not None), None)
        j = justify.get(c, "right" if isinstance(sample, (int, float)) and not isinstance(sample, bool) else "left")
        cols.append(Col(Cell(c, markup=isinstance(c, Markup)), j, c in secondary,
                        [cell(r[i] if i < len(r) else "") for r in rows]))
    return Fitted(None if title is None else cell(title), None if caption is None else cell(caption), cols, key)


def reflow(doc: str | None) -> str | None:
    """A command's docstring as typer shows it best: each paragraph one line, so rich wraps it at
    the terminal's width (typer keeps the line breaks of every paragraph after the first). A
    paragraph with an indented line (an example) is kept as written."""
    import inspect

    if not doc:
        return doc
    paras = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(p if any(ln.startswith(" ") for ln in p.splitlines()) else " ".join(p.split("\n"))
                         for p in paras)


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

        from rich.table import Column

        # at 80 columns the bar keeps a readable width and the times stay whole; the figures wrap
        prog = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}", table_column=Column(
                            no_wrap=True, overflow="ellipsis", max_width=32)),
                        BarColumn(bar_width=None, table_column=Column(ratio=1, min_width=8)),
                        TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                        TextColumn("{task.fields[info]}", table_column=Column(overflow="fold", ratio=2, min_width=10)),
                        console=err, transient=transient, expand=True)
        prog.start()
        state["prog"] = prog
        return prog

    def on_event(ev) -> None:
        if getattr(ev, "estimate_s", None) is not None:  # a long job announced before it starts
            from vecs.progress import about

            basis = f" ({ev.info['basis']})" if ev.info.get("basis") else ""
            (state["prog"].console if state["prog"] else err).print(
                f"{ev.stage}: {about(ev.estimate_s)} on this machine{basis}", markup=False, highlight=False)
            return
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
    except BaseException:
        if state["prog"] is not None:  # an error or Ctrl-C: its one line says what happened, no half-drawn bar
            state["prog"].live.transient = True
        raise
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
