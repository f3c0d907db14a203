"""Shared CLI plumbing: options every query command takes, and model loading with progress."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.render import progress_bars

DEFAULT_MODEL = "googlenews"

ModelOpt = Annotated[
    str,
    typer.Option("--model", "-m", help="A store name, a resource name (fetched if needed) or a path."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]


def load_space(spec: str):
    """Resolve ``--model`` to a Space, drawing progress bars if something must be fetched."""
    from vecs import store

    with progress_bars(transient=True) as progress:
        return store.resolve(spec, progress=progress)
