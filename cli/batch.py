"""Queries in bulk for the query commands: words from the arguments, from stdin (``-``, or no
arguments with a pipe) or from ``--file``, one query per line; answers one after another, with
``--json`` one JSON object per line; an unknown word names the installed models that have it."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from vecs.errors import QueryError, UnknownWord, VecsError

_OPERATORS = set("+-*/()")


def looks_like_expression(args: list[str]) -> bool:
    """Several arguments that read as one expression (``king - man + woman``, ``2 king``): one of
    them is an operator, holds one, or is a number."""
    for a in args:
        if a in ("+", "-", "*", "/") or any(c in _OPERATORS for c in a[:1] + a[-1:]) or " " in a.strip():
            return True
        try:
            float(a)
            return True
        except ValueError:
            pass
    return False


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def read_queries(args: list[str], file: Path | None, what: str) -> tuple[list[str] | None, bool]:
    """(the lines to answer, True) from ``--file``, ``-`` or a pipe on stdin; (None, False) when
    the arguments themselves are the query. Empty input is a :class:`QueryError`."""
    if file is not None:
        if args:
            raise QueryError(f"give {what} as arguments or with --file, not both")
        try:
            lines = _lines(Path(file).expanduser().read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise QueryError(f"{file}: not UTF-8 text") from None
        source = str(file)
    elif args == ["-"] or (not args and not sys.stdin.isatty()):
        lines = _lines(sys.stdin.read())
        source = "stdin"
    elif not args:
        raise QueryError(f"give {what} as arguments, with --file FILE, or one per line on stdin ('-')")
    else:
        return None, False
    if not lines:
        raise QueryError(f"no {what} on {source}")
    return lines, True


def hint(e: VecsError) -> VecsError:
    """An unknown word, told which other installed models have it (word lists read as bytes, no
    vectors loaded): "'paris' is not in googlenews; glove-6b-50d (installed) has it: -m glove-6b-50d"."""
    if not isinstance(e, UnknownWord) or not e.space:
        return e
    from vecs.io.installed import models_with

    others = models_with(e.word, skip=e.space)
    if not others:
        return e
    msg = f"{e.word!r} is not in {e.space}; {others[0]} (installed) has it: -m {others[0]}"
    if len(others) > 1:
        msg += f" (so does {', '.join(others[1:])})"
    if e.suggestions:
        msg += "; or did you mean " + ", ".join(repr(s) for s in e.suggestions[:3]) + "?"
    out = UnknownWord(e.word, e.suggestions, e.space)
    out.args = (msg,)
    return out


@contextmanager
def hinted() -> Iterator[None]:
    """Re-raise an unknown word with :func:`hint`."""
    try:
        yield
    except UnknownWord as e:
        raise hint(e) from None


def emit(results: list, queries: list[str], as_json: bool, show) -> None:
    """Answer a batch: ``show(result)`` each (or one JSON line each); a query that failed gets
    one ``error:`` line on stderr (and ``{"query", "error"}`` on its JSON line), the rest still
    answered; any failure exits 1 at the end."""
    import typer

    from cli.render import error
    from vecs.jsonify import plain

    failed = 0
    for q, r in zip(queries, results):
        if isinstance(r, VecsError):
            failed += 1
            r = hint(r)
            error(str(r))
            if as_json:
                sys.stdout.write(json.dumps({"query": q, "error": str(r)}, ensure_ascii=False) + "\n")
        elif as_json:
            sys.stdout.write(json.dumps(plain(r), ensure_ascii=False) + "\n")
        else:
            show(r)
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)
