"""The `vecs` command line. Each command group lives in its own module and registers itself
here; errors raised by the library become one line on stderr and exit code 1, in one place."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from vecs.errors import VecsError


class VecsGroup(TyperGroup):
    """Root group: turns any :class:`VecsError` into a one-line message and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except VecsError as e:
            from cli.render import error

            error(str(e))
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=VecsGroup,
    name="vecs",
    help="Word embeddings you can see: fetch, train and question word vectors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from vecs import __version__

        typer.echo(f"vecs {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Word embeddings you can see: fetch, train and question word vectors.

    Start with `vecs tour`, or `vecs neighbours cat`.
    """


def _register() -> None:
    # Each module must import only light things at module level (no gensim/torch/matplotlib).
    from cli import bias, contextual, corpus, evaluate, plot, query, quiz, resources, store, tour, train

    for module in (tour, resources, corpus, train, store, query, evaluate, contextual, bias, quiz, plot):
        module.register(app)


_register()

if __name__ == "__main__":  # pragma: no cover
    app()
