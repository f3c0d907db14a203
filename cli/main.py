"""The `vecs` command line. Each command group lives in its own module and registers itself
here; errors raised by the library become one line on stderr and exit code 1, in one place."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from vecs.errors import VecsError


def os_error_line(e: OSError) -> str:
    """One line for an operating-system error: what failed, on which file, and what to do."""
    import errno

    what = e.strerror or str(e) or type(e).__name__
    where = f": {e.filename}" if getattr(e, "filename", None) else ""
    hint = {
        errno.ENOSPC: " (the disk is full: free some space and run the command again; nothing was replaced)",
        errno.EDQUOT: " (over the disk quota: free some space and run the command again)",
        errno.EROFS: " (a read-only file system: point VECS_HOME at a writable folder)",
        errno.EACCES: " (permission denied: point VECS_HOME at a folder you can write, or check the path)",
    }.get(e.errno or 0, "")
    return f"{what}{where}{hint}"


def _terminate(signum, frame):  # pragma: no cover - exercised by the kill tests in a subprocess
    raise KeyboardInterrupt


class VecsGroup(TyperGroup):
    """Root group, the one error boundary: a :class:`VecsError` or an operating-system error
    becomes one line on stderr and exit code 1; Ctrl-C (and SIGTERM, which behaves the same)
    exits 130 with one line. Commands that have something more to say catch these first."""

    def invoke(self, ctx):
        from cli.render import error

        try:
            import signal

            signal.signal(signal.SIGTERM, _terminate)
        except (ValueError, OSError):  # pragma: no cover - not the main thread
            pass
        try:
            return super().invoke(ctx)
        except VecsError as e:
            error(str(e))
            raise typer.Exit(1) from None
        except OSError as e:
            error(os_error_line(e))
            raise typer.Exit(1) from None
        except MemoryError:
            error("out of memory: the input is too large for this machine (see the command's --help for limits)")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            error("interrupted")
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=VecsGroup,
    name="vecs",
    help="Word embeddings you can see: fetch, train and question word vectors.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (typer imports its completion code anyway)
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
    from cli import (attention, bias, cache, contextual, corpus, evaluate, generate, intervene, lens, plot, query, quiz,
                     resources, shell, store, tour, train)

    for module in (tour, resources, cache, corpus, train, store, query, shell, evaluate, contextual, lens, attention,
                   intervene, generate, bias, quiz, plot):
        module.register(app)
    _reflow_help(app)


def _reflow_help(typer_app: typer.Typer) -> None:
    """Every help text as paragraphs rich can wrap (typer keeps the line breaks of the later ones)."""
    from cli.render import reflow

    for c in typer_app.registered_commands:
        c.help = reflow(c.help)
        if c.callback is not None and c.callback.__doc__:
            c.callback.__doc__ = reflow(c.callback.__doc__)
    for g in typer_app.registered_groups:
        g.help = reflow(g.help)
        if g.typer_instance is not None:
            _reflow_help(g.typer_instance)
    cb = typer_app.registered_callback
    if cb is not None and cb.callback is not None and cb.callback.__doc__:
        cb.callback.__doc__ = reflow(cb.callback.__doc__)


_register()

if __name__ == "__main__":  # pragma: no cover
    app()
