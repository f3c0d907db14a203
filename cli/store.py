"""`vecs models`, `vecs import`, `vecs export`, `vecs rm`: the model store from the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.options import ForceOpt, JsonOpt, NameOpt, load_space, progress
from cli.render import console, emit_json, table


def _export_format(value: str) -> str:
    """Check ``--format`` while parsing, before the model is loaded."""
    from vecs.io.write import check_format

    return check_format(value)


def models(as_json: JsonOpt = False) -> None:
    """List the stored models (name, kind, words, dims, source, created); a damaged one is listed
    as broken, with what is wrong in place of its source."""
    from vecs.io.store import list_models

    infos = list_models()
    if as_json:
        emit_json(infos)
        return
    if not infos:
        console.print("no stored models yet: train one (vecs train) or import a file (vecs import)")
        return
    rows = [[m.name, m.kind, m.words, m.dim, m.problem or m.source, m.created[:16].replace("T", " ")]
            for m in infos]
    console.print(table("models", ["name", "kind", "words", "dims", "source", "created"], rows))


def import_(
    path: Annotated[Path, typer.Argument(help="A vector file (word2vec text/binary, GloVe, fastText .vec; "
                                              ".gz/.bz2/.xz welcome), a TSV folder or either file of it: whatever "
                                              "vecs export wrote.")],
    name: NameOpt,
    format: Annotated[str, typer.Option("--format", "-f", help="auto | word2vec | word2vec-bin | glove | "
                                                               "fasttext | tsv")] = "auto",
    limit: Annotated[Optional[int], typer.Option("--limit", help="Keep only the first N words.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Import a vector file into the store as NAME."""
    from vecs.io.store import import_vectors

    with progress() as bars:
        info = import_vectors(path, name, format=format, limit=limit, force=force, progress=bars)
    if as_json:
        emit_json(info)
        return
    console.print(f"imported {info.words:,} words × {info.dim} dims from {info.source} as [bold]{info.name}[/]")
    if info.duplicates_dropped:
        shown = ", ".join(repr(w) for w in info.duplicate_words)
        console.print(f"note: {info.duplicates_dropped:,} repeated word(s) dropped, the first row of each kept "
                      f"(as gensim does): {escape(shown)}")


def export(
    model: Annotated[str, typer.Argument(help="A stored model, a vector resource or a path.")],
    path: Annotated[Path, typer.Argument(help="Output file (a folder for tsv; .gz/.bz2/.xz compress text).")],
    format: Annotated[str, typer.Option("--format", "-f", callback=_export_format,
                                        help="word2vec | word2vec-bin | glove | tsv (tsv: PATH is a folder that "
                                             "receives vectors.tsv and metadata.tsv)")] = "word2vec",
    force: Annotated[bool, typer.Option("--force", help="Replace existing output.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a model as a vector file (word2vec text or binary, GloVe, or Embedding Projector TSV)."""
    from vecs.io.write import export_vectors

    out = export_vectors(lambda: load_space(model), path, format=format, force=force)
    if as_json:
        emit_json(out)
        return
    console.print(f"wrote {out.words:,} words × {out.dim} dims to {', '.join(out.files)} ({out.format})")


def rm(
    names: Annotated[list[str], typer.Argument(metavar="NAME...", help="The stored models to delete.")],
    as_json: JsonOpt = False,
) -> None:
    """Delete stored models. Every name is checked first: if one is missing, nothing is deleted."""
    from vecs.io.store import remove_models

    removed = remove_models(names)
    if as_json:  # one name: the object it always was; several: a list of them
        emit_json(removed[0] if len(removed) == 1 else removed)
        return
    for r in removed:
        console.print(f"removed model [bold]{r.removed}[/]")


def register(app: typer.Typer) -> None:
    app.command("models")(models)
    app.command("import")(import_)
    app.command("export")(export)
    app.command("rm")(rm)
