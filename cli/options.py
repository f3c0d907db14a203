"""The option vocabulary every command shares: one spelling, one short letter and one help text
per concept (the table is in HACKING.md), plus the few helpers that turn options into values.

| short | long          | meaning                                       |
|-------|---------------|-----------------------------------------------|
| -h    | --help        | help                                          |
| -m    | --model       | the model: store name, resource name or path  |
| -k    | --top         | how many results                              |
| -n    | --name        | the store name of a model a command creates   |
| -l    | --layer       | a transformer layer (number, -1 = last, all)  |
| -o    | --out         | the output file or folder                     |
| -f    | --format      | a vector file format                          |
| -d    | --dataset     | a benchmark or question set                   |
| -c    | --corpus      | a corpus (name, file or folder)               |
| -s    | --string      | the exact form of a word in a sentence        |
| -t    | --target      | the token a lens follows                      |
| -g    | --group       | a named group of sentences                    |
| -q    | --questions   | how many quiz questions                       |

Long-only, same meaning everywhere: --json, --force, --seed, --restrict, --pooling,
--standardize, --keep-inputs, --file, --occurrence, --section, --list.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

DEFAULT_MODEL = "googlenews"  # static vectors
CONTEXT_MODEL = "minilm"  # contextual vectors (an encoder)
LENS_MODEL = "smollm2"  # a causal language model

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
ModelOpt = Annotated[str, typer.Option(
    "--model", "-m", help="A store name, a resource name (fetched if needed) or a path.")]
ContextModelOpt = Annotated[str, typer.Option(
    "--model", "-m", help="minilm (default), mpnet, smollm2, one of our trained transformers, or a "
                          "Hugging Face checkpoint folder.")]
LensModelOpt = Annotated[str, typer.Option(
    "--model", "-m", help="A causal model: smollm2 (default), gemma3, one of our trained transformers, or a checkpoint folder.")]
LayerOpt = Annotated[Optional[str], typer.Option(
    "--layer", "-l", help="A layer number (0 = embeddings, -1 = last) or 'all'. Default: the model's "
                          "documented default layer (middle-upper for encoders, middle for causal LMs).")]
PoolingOpt = Annotated[str, typer.Option(
    "--pooling", help="How subword tokens become one word vector: mean, first, last or sum.")]
StandardizeOpt = Annotated[bool, typer.Option(
    "--standardize", help="z-score every dimension over all tokens of the sentences before cosine "
                          "(Timkey & van Schijndel 2021).")]
StringOpt = Annotated[Optional[str], typer.Option(
    "--string", "-s", help="The exact form in the sentences when it differs from WORD (--string broke for break).")]
KeepInputsOpt = Annotated[bool, typer.Option(
    "--keep-inputs", help="Keep the input words as candidates (by default they are left out, as in gensim and "
                          "word2vec).")]
RestrictOpt = Annotated[Optional[int], typer.Option(
    "--restrict", min=1, metavar="N", help="Use only the first N (most frequent) words.")]
NameOpt = Annotated[str, typer.Option("--name", "-n", help="Store the new model under this name.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing model of that name.")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Random seed: the same seed gives the same result.")]


def top_option(default_help: str) -> object:
    """``-k/--top``: how many results (the help names what is counted)."""
    return typer.Option("--top", "-k", min=1, help=default_help)


def out_option(kind: str) -> object:
    """``-o/--out`` for an image: PNG, SVG or PDF by suffix."""
    return typer.Option("--out", "-o", metavar="FILE",
                        help=f"Where to write the image (.png, .svg or .pdf; .html: an interactive page). "
                        f"Default: vecs-{kind}.png here.")


def load_space(spec: str):
    """Resolve ``--model`` to a Space, drawing progress bars if something must be fetched."""
    from cli.render import progress_bars
    from vecs.resolve import resolve

    with progress_bars(transient=True) as progress:
        return resolve(spec, progress=progress)


def progress():
    """Transient progress bars for a command's library call."""
    from cli.render import progress_bars

    return progress_bars(transient=True)


def parse_groups(args: list[str], command: str, required: bool = False) -> tuple[list[str], list[str] | None]:
    """Sentences given as ``s1 s2 ...`` or ``--group NAME s1 s2 --group NAME s3 ...`` (also
    ``--group=NAME`` and ``-g NAME``) -> (sentences, the group of each, or None without groups).
    With ``required`` every sentence must follow a ``--group``."""
    from vecs.errors import ContextualError

    sentences: list[str] = []
    groups: list[str] = []
    cur: str | None = None
    grouped = False
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--group", "-g") or a.startswith("--group="):
            grouped = True
            if a.startswith("--group="):
                cur = a.split("=", 1)[1]
            else:
                i += 1
                if i >= len(args):
                    raise ContextualError("--group needs a name")
                cur = args[i]
            if not cur or not cur.strip():
                raise ContextualError("--group needs a name")
        elif a.startswith("-") and len(a) > 1 and not a[1:2].isdigit() and " " not in a:
            raise ContextualError(f"unknown option {a!r} (see vecs {command} --help)")
        else:
            sentences.append(a)
            groups.append(cur or "")
        i += 1
    if (grouped or required) and "" in groups:
        tail = "" if required else "; put every sentence after a --group, or use no --group at all"
        raise ContextualError(f"sentence {sentences[groups.index('')]!r} comes before any --group NAME{tail}")
    return sentences, (groups if grouped else None)
