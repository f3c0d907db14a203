"""`vecs cache`: the downloaded archives and the tokenised corpora kept in the cache, and freeing them."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.options import JsonOpt
from cli.render import console, emit_json, table

_WORK = {"corpora": "tokenised corpora (word2vec)", "jieba": "jieba's dictionary"}


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def cache(
    names: Annotated[Optional[list[str]], typer.Argument(
        help="Cached files, resources (the archives they are fetched from), tokenised corpora "
             "(corpora/NAME, or corpora for all of them); default: everything.")] = None,
    free: Annotated[bool, typer.Option(
        "--free", help="Remove them. Installed resources keep working; only a re-fetch downloads again.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the downloads kept in the cache (VECS_CACHE): each file, its size, the resources it
    serves and whether they are installed, with the total, and the corpora tokenised for word2vec
    (reused by the next training on the same text); --free removes them."""
    from vecs.hub.cache import cached
    from vecs.hub.cache import free as free_cache

    if free:
        result = free_cache(names or [])
        if as_json:
            emit_json(result)
            return
        what = f"{len(result.freed)} file" + ("" if len(result.freed) == 1 else "s")
        console.print(f"Freed {_mb(result.bytes)} ({what}) from {result.folder}; {_mb(result.remaining)} left. "
                      "Installed resources keep working.")
        return
    listing = cached(names or [])
    if as_json:
        emit_json(listing)
        return
    if not listing.files and not listing.corpora:
        console.print(f"The cache ({listing.folder}) is empty.", soft_wrap=True)
        return
    rows = []
    for f in listing.files:
        if f.kind == "work":
            serves_, inst = _WORK.get(f.name, "derived files"), "–"
        elif not f.resources:
            serves_, inst = "no resource (an old version?)", "–"
        else:
            serves_ = ", ".join(f.resources)
            k = len(f.installed)
            inst = ("yes" if k else "no") if len(f.resources) == 1 else f"{k} of {len(f.resources)}"
        rows.append([f.name, f"{f.size / 1e6:,.1f}" + ("*" if f.link else ""), serves_, inst])
    if rows:
        console.print(table("Cache", ["file", "MB", "serves", "installed"], rows, justify={"MB": "right"}))
    if listing.corpora:
        crow = [[t.name, f"{t.size / 1e6:,.1f}", "?" if t.tokens is None else f"{t.tokens:,}", t.corpus,
                 t.used[:10]] for t in listing.corpora]
        console.print(table("Tokenised corpora (word2vec reuses them)", ["name", "MB", "tokens", "corpus", "used"],
                            crow, justify={"tokens": "right", "MB": "right"}, secondary=("corpus", "used")))
    links = [f for f in listing.files if f.link]
    shared = f" (besides {len(links)} links into another cache, marked *)" if links else ""
    console.print(f"Total {_mb(listing.total)}{shared} in {listing.folder}. Free with: vecs cache --free [NAME...] "
                  "(installed resources keep working)"
                  + ("; the tokenised corpora: vecs cache --free corpora (a training tokenises again)."
                     if listing.corpora else "."))


def register(app: typer.Typer) -> None:
    app.command("cache")(cache)
