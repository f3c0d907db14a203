"""`vecs train`: train word vectors on a corpus and keep them in the store."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from cli.options import JsonOpt
from cli.render import console, emit_json, err, progress_bars

train_app = typer.Typer(help="Train word vectors on a corpus and keep them in the store.", no_args_is_help=True)

INTERRUPTED = "interrupted: nothing was written; the store is unchanged"


@train_app.command("word2vec")
def word2vec(
    corpus: Annotated[str, typer.Argument(metavar="[CORPUS]", help="A named corpus (vecs corpus list), a text file or a folder.")] = "sotu",
    name: Annotated[str, typer.Option("--name", "-n", help="Store the model under this name.")] = ...,
    dim: Annotated[int, typer.Option("--dim", min=1, help="Vector dimensions.")] = 100,
    window: Annotated[int, typer.Option("--window", min=1, help="Context words on each side.")] = 5,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Passes over the corpus.")] = 5,
    min_count: Annotated[int, typer.Option("--min-count", min=1, help="Ignore words rarer than this.")] = 5,
    sg: Annotated[bool, typer.Option("--sg/--cbow", help="Skip-gram (default) or CBOW.")] = True,
    negative: Annotated[int, typer.Option("--negative", min=0, help="Negative samples per pair.")] = 5,
    sample: Annotated[float, typer.Option("--sample", min=0.0, help="Down-sampling threshold for frequent words.")] = 1e-3,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Training threads (default: the number of CPUs).")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed (runs are identical with --workers 1).")] = 1,
    phrases: Annotated[bool, typer.Option("--phrases", help="Join frequent word pairs first (new_york).")] = False,
    keep_case: Annotated[bool, typer.Option("--keep-case", help="Do not lower-case the corpus.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model of that name.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Train word2vec (gensim, skip-gram with negative sampling by default) and store the vectors.

    Ctrl-C stops training without writing anything."""
    from vecs.io.store import exists, save, validate_name
    from vecs.corpus.reader import open_corpus
    from vecs.errors import ModelExists
    from vecs.static.word2vec import train_word2vec

    validate_name(name)
    if exists(name) and not force:  # refuse before any work
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    workers = workers or os.cpu_count() or 1
    try:
        with progress_bars() as progress:
            c = open_corpus(corpus, lower=not keep_case, phrases=phrases, progress=progress)
            space = train_word2vec(c, dim=dim, window=window, epochs=epochs, min_count=min_count, sg=sg,
                                   negative=negative, sample=sample, workers=workers, seed=seed, progress=progress)
    except KeyboardInterrupt:
        err.print(INTERRUPTED)
        raise typer.Exit(130) from None
    path = save(space, name, force=force)
    m = space.meta
    summary = {
        "name": name, "path": str(path), "corpus": m["corpus"]["name"], "tokens": m["tokens"],
        "words": len(space), "dim": space.dim, "epochs": epochs, "train_s": m["train_s"],
        "duration_s": m["duration_s"], "words_per_s": m["words_per_s"], "loss": m["loss"],
        "initial_loss": m["initial_loss"], "params": m["params"],
    }
    if json_:
        emit_json(summary)
        return
    loss = f", loss {m['initial_loss']:.3f} → {m['loss']:.3f}" if m.get("loss") is not None else ""
    console.print(
        f"[bold]{name}[/]: word2vec on {summary['corpus']} ({m['tokens']:,} tokens × {epochs} epochs): "
        f"{len(space):,} words × {space.dim} dims in {m['duration_s']:.1f} s "
        f"(training {m['train_s']:.1f} s, {m['words_per_s']:,.0f} words/s{loss})", soft_wrap=True)
    console.print(f"saved to {path}", soft_wrap=True)
    console.print(f"try: vecs neighbours war --model {name}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    from cli.train_transformer import add_to

    add_to(train_app)  # vecs train transformer
    app.add_typer(train_app, name="train")
