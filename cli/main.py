"""The `vecs` command line. Each command group lives in its own module; :data:`COMMANDS` says
which module holds which command, so `vecs --help` (and shell completion of command names)
lists every command without importing any of them, and a command's module is imported only
when that command runs or its own --help is asked. Errors raised by the library become one line
on stderr and exit code 1, in one place (:class:`VecsGroup`)."""

from __future__ import annotations

import typer
from typer.core import TyperCommand, TyperGroup

# name -> (module in cli/ whose register(app) adds it, help panel or None, the one-line help
# `vecs --help` shows: the first paragraph of the command's docstring, as it reads there).
# A new command is one line here; tests/cli/test_main.py checks this table against the
# commands the modules really register, their panels and their help.
COMMANDS: dict[str, tuple[str, str | None, str]] = {
    "tour": ("tour", "Start here", "The guided tour: cat's neighbours, king − man + woman, doctor − man + woman, bank "
             "versus magazine across layers, then inside SmolLM2 and Gemma 3: the logit lens, the feed-forward layer "
             "that writes Warsaw (switched off, patched into China), attention moving names, sampling."),
    "get": ("resources", None, "Fetch named resources, or check installed ones with --verify. Re-running is a no-op; "
            "nothing is half-written on failure; every file installed is recorded with its sha256."),
    "cache": ("cache", None, "List the downloads kept in the cache (VECS_CACHE): each file, its size, the resources it "
              "serves and whether they are installed, with the total, and the corpora tokenised for word2vec (reused "
              "by the next training on the same text); --free removes them."),
    "models": ("store", None, "List the stored models (name, kind, words, dims, source, created); a damaged one is "
               "listed as broken, with what is wrong in place of its source."),
    "import": ("store", None, "Import a vector file into the store as NAME."),
    "export": ("store", None, "Write a model as a vector file (word2vec text or binary, GloVe, or Embedding Projector "
               "TSV)."),
    "rm": ("store", None, "Delete stored models. Every name is checked first: if one is missing, nothing is deleted."),
    "index": ("index", None, "Approximate-neighbour indexes (faiss HNSW, the ann extra): build one beside a model, "
              "with its recall@10 against exact search measured, show it, remove it. `vecs neighbours` uses a fresh "
              "one on large models (--index)."),
    "neighbours": ("query", "Query", "The nearest words to a word or to a vector expression (cosine)."),
    "analogy": ("query", "Query", "Solve a : b :: c : ? ([bold]man king woman[/] → queen), showing where the inputs "
                "rank."),
    "calc": ("query", "Query", "Vector arithmetic: the words nearest to an expression, and where its own words rank."),
    "similarity": ("query", "Query", "Cosine similarity of two words."),
    "odd-one-out": ("query", "Query", "The word that fits least: the one least similar to the mean of all (gensim's "
                    "doesnt_match)."),
    "shell": ("shell", "Query", "An explorer: load a model once, then ask neighbours, analogy, calc, similarity and "
              "odd-one-out in the same words as the commands, each answered in milliseconds."),
    "context": ("contextual", None, "Cosine similarity of WORD's vectors across sentences, layer by layer."),
    "senses": ("contextual", None, "Within-sense versus across-sense similarity of WORD, layer by layer, and the gap."),
    "distill": ("contextual", None, "Average each word's contextual vectors over a corpus into a static space."),
    "lens": ("lens", None, "The logit lens: what each layer would predict next, read through the final norm and "
             "unembedding."),
    "ffn": ("lens", None, "Which feed-forward layer writes the answer: the target's rank before and after each MLP."),
    "attention": ("attention", None, "Attention heads: where each position looks, and which heads move a word."),
    "ablate": ("intervene", None, "Switch parts of the model off, one at a time: the target's probability and rank "
               "each time."),
    "patch": ("intervene", None, "Causal tracing: copy the clean run into the corrupted one at each layer x position; "
              "where does the answer come back?"),
    "steer": ("intervene", None, "Add a vector taken from another prompt at one layer, and compare the next-token "
              "guesses."),
    "generate": ("generate", None, "Let the model write: streamed token by token, each with its probability, rank and "
                 "runners-up."),
    "quiz": ("quiz", "Query", "An analogy quiz: father : mother :: king : ?"),
    "corpus": ("corpus", None, "Corpora: list the named ones, count words in any."),
    "train": ("train", None, "Train word vectors on a corpus and keep them in the store."),
    "eval": ("evaluate", "Evaluate", "Benchmarks: analogies (Google, MSR) and word-pair similarity (WS353, SimLex, "
             "MEN...), scored exactly as gensim scores them; word-sense relatedness for contextual models."),
    "bias": ("bias", "Bias", "Gender bias probes: the bias direction, projections, WEAT, hard debiasing, an honest "
             "audit."),
    "plot": ("plot", "Query", "Draw embedding spaces into image files (PNG, SVG, PDF), or into interactive web pages (a "
             "file name ending in .html: hover, zoom, 3-D word maps; opens offline)."),
}


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
        from vecs.errors import VecsError

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


class LazyCommand(TyperCommand):
    """A :data:`COMMANDS` entry whose module is not imported yet: its name, panel and one-line
    help, enough for `vecs --help` and for completing command names. :class:`LazyGroup` swaps
    it for the real command before anything runs or shows its own help."""

    def __init__(self, name: str, module: str, panel: str | None, short: str):
        super().__init__(name=name, help=short, rich_help_panel=panel)
        self.module = module


# the commands built so far in this process (a test invokes the app many times): name -> command
_BUILT: dict[str, object] = {}
_PENDING: dict[str, object] = {}  # name -> typer's CommandInfo/TyperInfo, registered, not built yet


def _register_module(module: str) -> None:
    """Import ``cli.MODULE`` and let it register its commands into a scratch app, whose entries
    wait in :data:`_PENDING` until one of them is asked for (building one costs a signature walk)."""
    import importlib

    from typer.main import get_command_name

    scratch = typer.Typer()
    importlib.import_module(f"cli.{module}").register(scratch)
    _reflow_help(scratch)
    for c in scratch.registered_commands:
        _PENDING.setdefault(c.name or get_command_name(c.callback.__name__), c)
    for g in scratch.registered_groups:
        _PENDING.setdefault(g.name or g.typer_instance.info.name, g)


def build_command(name: str, module: str | None = None, rich_markup_mode="rich"):
    """The real command ``name`` (imported from ``cli.MODULE``, :data:`COMMANDS` says which
    when ``module`` is None), built once per process."""
    if name in _BUILT:
        return _BUILT[name]
    if name not in _PENDING:
        module = module or COMMANDS[name][0]
        _register_module(module)
        if name not in _PENDING:
            raise RuntimeError(f"cli/main.py COMMANDS says cli.{module} has the command {name!r}, "
                               "but its register() does not add it")
    from typer.main import get_command_from_info, get_group_from_info
    from typer.models import CommandInfo

    info = _PENDING.pop(name)
    if isinstance(info, CommandInfo):
        cmd = get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=rich_markup_mode)
    else:
        cmd = get_group_from_info(info, pretty_exceptions_short=True, suggest_commands=True,
                                  rich_markup_mode=rich_markup_mode)
    _BUILT[name] = cmd
    return cmd


class LazyGroup(VecsGroup):
    """The `vecs` root: every :data:`COMMANDS` entry is listed (as a :class:`LazyCommand` until
    built); resolving a command to run it, complete its arguments or show its --help builds it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (module, panel, short) in COMMANDS.items():
            if name not in self.commands:
                self.commands[name] = _BUILT.get(name) or LazyCommand(name, module, panel, short)

    def resolve_command(self, ctx, args):
        name, cmd, rest = super().resolve_command(ctx, args)
        if isinstance(cmd, LazyCommand):
            cmd = self.commands[name] = build_command(name, cmd.module, self.rich_markup_mode)
        return name, cmd, rest


app = typer.Typer(
    cls=LazyGroup,
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


if __name__ == "__main__":  # pragma: no cover
    app()
