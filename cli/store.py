"""`vecs models`, `vecs import`, `vecs export`, `vecs rm`: the model store from the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.options import JsonOpt
from cli.render import console, emit_json, progress_bars, table

IMPORT_FORMATS = ("auto", "word2vec", "word2vec-bin", "glove", "fasttext", "tsv")
EXPORT_FORMATS = ("word2vec", "word2vec-bin", "glove", "tsv")


def models(json_out: JsonOpt = False) -> None:
    """List the stored models (name, kind, words, dims, source, created)."""
    from vecs.io.store import list_models

    infos = list_models()
    if json_out:
        emit_json(infos)
        return
    if not infos:
        console.print("no stored models yet: train one (vecs train) or import a file (vecs import)")
        return
    rows = [[m.name, m.kind, m.words, m.dim, m.source, m.created[:16].replace("T", " ")] for m in infos]
    console.print(table("models", ["name", "kind", "words", "dims", "source", "created"], rows))


def import_(
    path: Annotated[Path, typer.Argument(help="A vector file (word2vec text/binary, GloVe, fastText .vec; "
                                              ".gz/.bz2/.xz welcome) or a TSV folder.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Store it under this model name.")],
    format: Annotated[str, typer.Option("--format", "-f", help="auto | word2vec | word2vec-bin | glove | "
                                                               "fasttext | tsv")] = "auto",
    limit: Annotated[Optional[int], typer.Option("--limit", help="Keep only the first N words.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a model of that name.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Import a vector file into the store as NAME."""
    from vecs.io.formats import read_vectors
    from vecs.io.store import exists, list_models, save, validate_name
    from vecs.errors import FormatError, ModelExists

    if format not in IMPORT_FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(IMPORT_FORMATS)}")
    validate_name(name)
    if exists(name) and not force:  # refuse before reading a big file
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    with progress_bars(transient=True) as progress:
        space = read_vectors(path, format=format, limit=limit, progress=progress)
    fmt = space.meta.get("format", format)
    space.meta.update(kind="imported", source=f"{Path(path).expanduser().resolve()} ({fmt})",
                      params={"format": fmt, "limit": limit})
    save(space, name, force=force)
    info = next(m for m in list_models() if m.name == name)
    if json_out:
        emit_json(info)
        return
    console.print(f"imported {info.words:,} words × {info.dim} dims from {path} ({fmt}) as [bold]{name}[/]")


def export(
    model: Annotated[str, typer.Argument(help="A stored model, a vector resource or a path.")],
    path: Annotated[Path, typer.Argument(help="Output file (a folder for tsv; .gz/.bz2/.xz compress text).")],
    format: Annotated[str, typer.Option("--format", "-f", help="word2vec | word2vec-bin | glove | tsv "
                                                               "(tsv: PATH is a folder that receives "
                                                               "vectors.tsv and metadata.tsv)")] = "word2vec",
    force: Annotated[bool, typer.Option("--force", help="Replace existing output.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Write a model as a vector file (word2vec text or binary, GloVe, or Embedding Projector TSV)."""
    from cli.options import load_space
    from vecs.io.write import write_vectors
    from vecs.errors import FormatError

    if format not in EXPORT_FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    space = load_space(model)
    out = write_vectors(space, path, format=format, force=force)
    files = [str(out / "vectors.tsv"), str(out / "metadata.tsv")] if format == "tsv" else [str(out)]
    if json_out:
        emit_json({"model": model, "path": str(out), "format": format, "words": len(space),
                   "dim": space.dim, "files": files})
        return
    console.print(f"wrote {len(space):,} words × {space.dim} dims to {', '.join(files)} ({format})")


def rm(
    name: Annotated[str, typer.Argument(help="The stored model to delete.")],
    json_out: JsonOpt = False,
) -> None:
    """Delete a stored model."""
    from vecs.io.store import remove

    path = remove(name)
    if json_out:
        emit_json({"removed": name, "path": str(path)})
        return
    console.print(f"removed model [bold]{name}[/]")


def register(app: typer.Typer) -> None:
    app.command("models")(models)
    app.command("import")(import_)
    app.command("export")(export)
    app.command("rm")(rm)
