"""An explorer's session: a model loaded once, lines in the command line's own words answered by
the query functions — ``neighbours cat -k 5``, ``analogy man king woman``, ``calc "king - man +
woman"``, ``similarity cat dog``, ``odd-one-out cat dog car`` — plus ``model NAME`` to switch
models, ``help`` and ``quit``.

The library side only: :meth:`Session.run` parses a line and returns an :class:`Answer` holding
the query's own result (the dataclasses of :mod:`vecs.static.query_results`); bad lines raise
typed errors. Reading lines and drawing answers is the CLI's (``vecs shell``).

>>> import numpy as np
>>> from vecs import Space
>>> s = Session(Space(["man", "woman", "king", "queen"],
...             np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=np.float32)))
>>> s.run("analogy man king woman -k 1").result.results[0].word
'queen'
>>> s.complete("neighbours qu")
(2, ['queen'])
"""

from __future__ import annotations

import shlex
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from vecs.errors import QueryError
from vecs.static import query
from vecs.static.query_results import Similarity  # noqa: F401 - the result of ``similarity W1 W2``

if TYPE_CHECKING:  # pragma: no cover
    from vecs.space import Space


@dataclass(frozen=True)
class Spec:
    """One command: how it is written, what it does, its options, its default ``-k``."""

    usage: str
    summary: str
    options: tuple[str, ...] = ()
    top: int | None = None
    least: int = 0  # positional arguments, at least
    most: int | None = None  # and at most (None: any number)


QUERY_OPTIONS = ("--top", "--keep-inputs", "--restrict", "--model", "--json")

COMMANDS: dict[str, Spec] = {
    "neighbours": Spec("neighbours WORD_OR_EXPR [-k N] [--keep-inputs] [--restrict N]",
                       "the nearest words to a word or to a vector expression", QUERY_OPTIONS, 10, 1),
    "analogy": Spec("analogy A B C [-k N] [--method add|mul|pair] [--expect D] [--keep-inputs]",
                    "a : b :: c : ?  (man king woman -> queen)", QUERY_OPTIONS + ("--method", "--expect"), 5, 3, 3),
    "calc": Spec('calc "EXPR" [-k N] [--keep-inputs] [--restrict N]',
                 "vector arithmetic: the words nearest to king - man + woman", QUERY_OPTIONS, 10, 1),
    "similarity": Spec("similarity W1 W2", "cosine similarity of two words", ("--model", "--json"), None, 2, 2),
    "odd-one-out": Spec("odd-one-out W1 W2 W3 ...", "the word that fits least", ("--model", "--json"), None, 3),
    "model": Spec("model [NAME]", "switch to another model (a store name, a resource or a path), or show this one",
                  (), None, 0, 1),
    "help": Spec("help [COMMAND]", "the commands, or one command's options", (), None, 0, 1),
    "quit": Spec("quit", "leave (also exit, or Ctrl-D)", (), None, 0, 0),
}
ALIASES = {"neighbors": "neighbours", "nn": "neighbours", "odd": "odd-one-out", "sim": "similarity",
           "exit": "quit", "q": "quit", "?": "help"}
SHORT = {"-k": "--top", "-m": "--model", "-h": "--help"}
FLAGS = ("--keep-inputs", "--json")
METHOD_NAMES = tuple(query.METHODS)


@dataclass
class Command:
    """A parsed line: the command's full name, its positional arguments and its options."""

    name: str
    args: list[str] = field(default_factory=list)
    top: int | None = None
    keep_inputs: bool = False
    restrict: int | None = None
    method: str = "add"
    expect: str | None = None
    model: str | None = None
    as_json: bool = False


@dataclass
class ModelShown:
    """``model [NAME]``: the model now answering; ``switched`` when the line changed it."""

    name: str
    words: int
    dim: int
    switched: bool = False


@dataclass
class Help:
    """``help``: (usage, summary) of each command, or of the one asked about."""

    commands: list[tuple[str, str]]
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass
class Quit:
    """``quit``: the session ends."""


@dataclass
class Answer:
    """What a line gave: the command's name, its result, and how it asked to be shown."""

    command: str
    result: Any
    as_json: bool = False
    expect: str | None = None


def _tokens(line: str) -> list[str]:
    """Shell words (quotes group an expression); a line with an unmatched quote — ``don't`` —
    is split on spaces instead, as its words were meant."""
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError:
        return line.split()


def _int(option: str, value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise QueryError(f"{option} takes a whole number, got {value!r}") from None
    if n < 1:
        raise QueryError(f"{option} must be at least 1, got {n}")
    return n


def parse(line: str) -> Command | None:
    """A line -> :class:`Command`, or None for a blank line or a ``#`` comment. Options are the
    command line's (``-k/--top``, ``--keep-inputs``, ``--restrict``, ``--method``, ``--expect``,
    ``-m/--model``, ``--json``; ``--opt=value`` too); ``--`` ends them, so an expression can start
    with ``-``. An unknown command or option is a :class:`QueryError`."""
    words = _tokens(line.strip())
    if not words or words[0].startswith("#"):
        return None
    head = words[0].lower()
    name = ALIASES.get(head, head)
    if name not in COMMANDS:
        close = [c for c in COMMANDS if c.startswith(head[:3])]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise QueryError(f"unknown command {words[0]!r}{hint}; type help for the commands")
    spec, cmd = COMMANDS[name], Command(name)
    rest, i, options_end = words[1:], 0, False
    while i < len(rest):
        w = rest[i]
        i += 1
        if options_end or not w.startswith("-") or w == "-" or _is_number(w):
            cmd.args.append(w)
            continue
        if w == "--":
            options_end = True
            continue
        opt, eq, value = w.partition("=")
        if opt.startswith("-k") and opt[2:].isdigit() and not eq:  # -k5
            opt, eq, value = "-k", "=", opt[2:]
        opt = SHORT.get(opt, opt)
        if opt not in spec.options:
            hint = " (put -- before an expression that starts with '-')" if name in ("neighbours", "calc") else ""
            raise QueryError(f"{name} has no option {w!r}{hint}; type help {name}")
        if opt in FLAGS:
            if eq:
                raise QueryError(f"{opt} takes no value")
            setattr(cmd, "as_json" if opt == "--json" else "keep_inputs", True)
            continue
        if not eq:
            if i >= len(rest):
                raise QueryError(f"{opt} needs a value")
            value, i = rest[i], i + 1
        if opt == "--top":
            cmd.top = _int("--top", value)
        elif opt == "--restrict":
            cmd.restrict = _int("--restrict", value)
        elif opt == "--method":
            if value not in METHOD_NAMES:
                raise QueryError(f"--method is one of {', '.join(METHOD_NAMES)}, got {value!r}")
            cmd.method = value
        elif opt == "--expect":
            cmd.expect = value
        else:
            cmd.model = value
    if len(cmd.args) < spec.least or (spec.most is not None and len(cmd.args) > spec.most):
        if spec.least == spec.most or spec.most is None:
            want = f"{'at least ' if spec.most is None else ''}{spec.least}"
        else:
            want = f"{spec.least} to {spec.most}"
        raise QueryError(f"{name} takes {want} argument{'s' * (want != '1')}, got {len(cmd.args)}: {spec.usage}")
    if cmd.top is None:
        cmd.top = spec.top
    return cmd


def _is_number(w: str) -> bool:
    try:
        float(w)
    except ValueError:
        return False
    return True


class Vocabulary:
    """Prefix search over a model's words: the sorted list is built on first use (about half a
    second for 400,000 words), then each look-up is two binary searches."""

    def __init__(self, words: list[str]):
        self._words = words
        self._sorted: list[str] | None = None

    def complete(self, prefix: str, limit: int = 100) -> list[str]:
        """Up to ``limit`` words starting with ``prefix``, in alphabetical order."""
        if self._sorted is None:
            self._sorted = sorted(self._words)
        s = self._sorted
        i = bisect_left(s, prefix)
        out = []
        while i < len(s) and len(out) < limit and s[i].startswith(prefix):
            out.append(s[i])
            i += 1
        return out


class Session:
    """One model (``space``) answering lines. ``load`` turns a ``model NAME`` or ``-m NAME`` into
    a Space (:func:`vecs.resolve.resolve` unless given); each model is loaded once per session."""

    def __init__(self, space: "Space", load: Callable[[str], "Space"] | None = None):
        self.space = space
        self._load = load
        self._spaces: dict[str, Space] = {space.name: space} if space.name else {}
        self._vocab: dict[int, Vocabulary] = {}

    def model(self, spec: str) -> "Space":
        """The Space ``spec`` names, loaded once."""
        if spec not in self._spaces:
            if self._load is None:
                from vecs.resolve import resolve

                self._load = resolve
            self._spaces[spec] = self._load(spec)
        return self._spaces[spec]

    def vocabulary(self, space: "Space | None" = None) -> Vocabulary:
        space = space or self.space
        if id(space) not in self._vocab:
            self._vocab[id(space)] = Vocabulary(space.words)
        return self._vocab[id(space)]

    def run(self, line: str) -> Answer | None:
        """Answer one line; None for a blank line or a comment. Raises a
        :class:`~vecs.errors.VecsError` (an unknown word, a bad command) and the session goes on."""
        cmd = parse(line)
        return None if cmd is None else self.dispatch(cmd)

    def dispatch(self, cmd: Command) -> Answer:
        """Run a parsed :class:`Command` with the library's query functions."""
        name, a = cmd.name, cmd.args
        if name == "quit":
            return Answer(name, Quit())
        if name == "help":
            return Answer(name, self.help(a[0] if a else None))
        if name == "model":
            if a:
                self.space = self.model(a[0])
            s = self.space
            return Answer(name, ModelShown(s.name, len(s), int(s.vectors.shape[1]), switched=bool(a)))
        space = self.model(cmd.model) if cmd.model else self.space
        common = {"exclude_inputs": not cmd.keep_inputs, "restrict": cmd.restrict}
        if name == "neighbours":
            res = query.neighbours(space, " ".join(a), k=cmd.top, **common)
        elif name == "calc":
            res = query.calc(space, " ".join(a), k=cmd.top, **common)
        elif name == "analogy":
            res = query.analogy(space, *a, k=cmd.top, method=cmd.method, expected=cmd.expect, **common)
        elif name == "similarity":
            res = query.similarity_of(space, *a)
        else:
            res = query.odd_one_out(space, a)
        return Answer(name, res, as_json=cmd.as_json, expect=cmd.expect)

    @staticmethod
    def help(command: str | None = None) -> Help:
        if command is None:
            return Help([(s.usage, s.summary) for s in COMMANDS.values()], dict(ALIASES))
        name = ALIASES.get(command.lower(), command.lower())
        if name not in COMMANDS:
            raise QueryError(f"no command {command!r}; type help for the commands")
        spec = COMMANDS[name]
        opts = ", ".join(spec.options) or "none"
        return Help([(spec.usage, f"{spec.summary}; options: {opts}")])

    def complete(self, before: str, limit: int = 100) -> tuple[int, list[str]]:
        """Completions for the text before the cursor: ``(length of the part they replace,
        candidates)``. The first word completes to a command, ``-…`` to the command's options,
        ``--method`` to its values, anything else to the words of the model."""
        words = before.split()
        current = "" if not words or before[-1:].isspace() else words[-1]
        done = words[:-1] if current else words
        if not done:
            names = sorted(set(COMMANDS) | set(ALIASES))
            return len(current), [c for c in names if c.startswith(current.lower())]
        name = ALIASES.get(done[0].lower(), done[0].lower())
        spec = COMMANDS.get(name)
        if spec is None or name in ("help", "quit"):
            return len(current), [c for c in COMMANDS if c.startswith(current)] if name == "help" else []
        if done[-1] == "--method":
            return len(current), [m for m in METHOD_NAMES if m.startswith(current)]
        if current.startswith("-") and (opts := [o for o in spec.options if o.startswith(current)]):
            return len(current), opts
        if name == "model" or done[-1] in ("-m", "--model", "-k", "--top", "--restrict"):
            return len(current), []
        stem = current.lstrip("\"'(+-*/")  # inside an expression: the word being typed
        return len(stem), self.vocabulary().complete(stem, limit)
