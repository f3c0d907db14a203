"""`vecs shell`: the explorer. One model loaded once; lines in the query commands' own words are
answered in milliseconds (the session logic is :mod:`vecs.static.session`; this module reads
lines and draws the answers). At a terminal it has history and word completion (prompt_toolkit,
imported only here, inside the command); from a pipe it reads plain lines, so it is scriptable:
``printf "neighbours cat\\nquit\\n" | vecs shell -m glove-6b-50d``."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape as esc

from cli.options import DEFAULT_MODEL, ModelOpt, load_space
from cli.render import console, error, fmt, table
from vecs.errors import VecsError

INTRO = ("{name}: {words:,} words × {dim} dims. Ask as on the command line: [bold]neighbours cat -k 5[/], "
         "[bold]analogy man king woman[/], [bold]calc \"king - man + woman\"[/], [bold]similarity cat dog[/]; "
         "[bold]model NAME[/] switches, [bold]help[/] lists the rest. Tab completes words; Ctrl-D leaves.")


# -- rendering (the columns of `vecs neighbours`, `analogy`, `odd-one-out`) ------------------
def _num(x):
    return None if x is None or x != x else x


def _short(text: str, n: int = 100) -> str:
    return esc(text if len(text) <= n else text[: n - 1] + "…")


def _results(title: str, results, expected: str | None = None):
    console.print(f"[bold]{title}[/]")
    rows = [[r.rank, r.word + (" ✓" if expected is not None and r.word == expected else ""), _num(r.score)]
            for r in results]
    console.print(table(None, ["#", "word", "score"], rows))


def show_ranked(res) -> None:
    """A neighbours or calc answer: the table, then where the inputs rank (for expressions)."""
    _results(f"Nearest to {_short(res.query)}" + (f" in {esc(res.model)}" if res.model else ""), res.results)
    single = len(res.terms) == 1 and next(iter(res.terms.values())) == 1.0
    if single and type(res).__name__ == "NeighboursResult":
        return
    how = "as if kept" if res.exclude_inputs else "kept"
    parts = []
    for i in res.inputs:
        s = "score n/a" if _num(i.score) is None else f"{i.score:.4f}"
        parts.append(f"[bold]{esc(i.word)}[/] #{fmt(i.rank)} ({s}{'' if i.in_candidates else ', outside --restrict'})")
    console.print(f"inputs ({how}): " + ", ".join(parts))


def show_analogy(res, expect: str | None) -> None:
    from vecs.static.query import METHODS

    _results(f"{_short(res.a)} : {_short(res.b)} :: {_short(res.c)} : ?  ({METHODS[res.method]}"
             + (f", {esc(res.model)})" if res.model else ")"), res.results, expect)
    rows = [[i.role, i.word, i.rank, _num(i.score), "no" if i.excluded else "yes"] for i in res.inputs]
    if res.expected is not None:
        e = res.expected
        rows.append(["expected", e.word, e.rank, _num(e.score), "no" if e.excluded else "yes"])
    console.print(f"[bold]inputs ({'their ranks as if kept' if res.exclude_inputs else 'kept as candidates'})[/]")
    console.print(table(None, ["role", "word", "rank", "score", "candidate"], rows))
    if res.top_is_input is not None and res.exclude_inputs:
        top = next(i for i in res.inputs if i.word == res.top_is_input)
        console.print(f"note: [bold]{esc(top.word)}[/] (input {top.role}) would have ranked first had the inputs "
                      "been kept (--keep-inputs keeps them).")
    e = res.expected
    if e is not None and e.rank == 1 and not e.excluded:
        console.print(f"expected [bold]{esc(e.word)}[/]: rank 1 ✓")
    elif e is not None:
        console.print(f"expected [bold]{esc(e.word)}[/]: rank {e.rank:,} — not the answer here.")


def show(answer) -> None:
    """Draw one :class:`~vecs.static.session.Answer` as the matching CLI command would."""
    from vecs.jsonify import plain

    res, name = answer.result, answer.command
    if answer.as_json and name not in ("help", "model"):
        sys.stdout.write(json.dumps(plain(res), ensure_ascii=False) + "\n")  # one object per line
        sys.stdout.flush()
    elif name in ("neighbours", "calc"):
        show_ranked(res)
    elif name == "analogy":
        show_analogy(res, answer.expect)
    elif name == "similarity":
        w1, w2 = res.words
        where = f"  ({esc(res.model)})" if res.model else ""
        console.print(f"{esc(w1)} · {esc(w2)}: [bold]{res.score:.4f}[/]{where}")
    elif name == "odd-one-out":
        rows = [[s.rank, s.word + (" ← odd one out" if i == 0 else ""), s.score] for i, s in enumerate(res.scores)]
        console.print("[bold]cosine to the mean of the unit vectors, least similar first[/]")
        console.print(table(None, ["#", "word", "score"], rows))
        console.print(f"odd one out: [bold]{esc(res.word)}[/] (margin {res.margin:.4f} to the next)")
    elif name == "model":
        now = "now answering" if res.switched else "answering"
        console.print(f"{now}: [bold]{esc(res.name)}[/] ({res.words:,} words × {res.dim} dims)")
    elif name == "help":
        console.print(table(None, ["command", "what it does"], [list(c) for c in res.commands]))
        if res.aliases:
            console.print("also: " + ", ".join(f"{esc(a)} = {esc(n)}" for a, n in res.aliases.items()))


# -- the loop ---------------------------------------------------------------------------------
def answer_line(session, line: str, as_json: bool = False) -> bool:
    """Answer one line; False when it asks to quit. An error is one line and the session goes on."""
    try:
        ans = session.run(line)
    except VecsError as e:
        error(str(e))
        return True
    except OSError as e:  # a model that cannot be read
        error(f"{e.strerror or e}{': ' + str(e.filename) if getattr(e, 'filename', None) else ''}")
        return True
    except KeyboardInterrupt:
        error("interrupted")
        return True
    if ans is None:
        return True
    if type(ans.result).__name__ == "Quit":
        return False
    ans.as_json = ans.as_json or as_json
    show(ans)
    return True


def scripted(session, lines, as_json: bool = False) -> None:
    """Plain lines (a pipe, a file, tests): no prompt, no prompt_toolkit."""
    for line in lines:
        if not answer_line(session, line.rstrip("\n"), as_json):
            return


def completer(session):
    """A prompt_toolkit completer over :meth:`Session.complete` (commands, options, words)."""
    from prompt_toolkit.completion import Completer, Completion

    class Words(Completer):
        def get_completions(self, document, complete_event):
            n, words = session.complete(document.text_before_cursor)
            for w in words:
                yield Completion(w, start_position=-n)

    return Words()


def history():
    """The session history under VECS_HOME (in memory where that cannot be written)."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from vecs.paths import home

    path = home() / "shell_history"
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


def interactive(session, as_json: bool = False) -> None:
    from prompt_toolkit import PromptSession

    s = session.space
    console.print(INTRO.format(name=esc(s.name or "model"), words=len(s), dim=s.vectors.shape[1]))
    import threading

    # the sorted vocabulary for completion (half a second for 400,000 words) while the first line is typed
    threading.Thread(target=session.vocabulary().complete, args=("",), daemon=True).start()
    prompt = PromptSession(history=history(), completer=completer(session), complete_in_thread=True,
                           complete_while_typing=False)
    while True:
        try:
            line = prompt.prompt(f"{session.space.name or 'vecs'}> ")
        except KeyboardInterrupt:  # Ctrl-C clears the line, as in a shell
            continue
        except EOFError:  # Ctrl-D
            return
        if not answer_line(session, line, as_json):
            return


def shell(
    model: ModelOpt = DEFAULT_MODEL,
    as_json: Annotated[bool, typer.Option("--json", help="Answer every query as one JSON object per line.")] = False,
):
    """An explorer: load a model once, then ask neighbours, analogy, calc, similarity and
    odd-one-out in the same words as the commands, each answered in milliseconds.

    [bold]model NAME[/] switches models, [bold]help[/] lists the commands, [bold]quit[/] or Ctrl-D
    leaves. At a terminal there is history and Tab completion of the model's words; from a pipe
    each line is answered in turn (an error is one line and the session goes on), so
    [bold]printf "neighbours cat\\nquit\\n" | vecs shell -m glove-6b-50d[/] is a script.
    """
    from vecs.static.session import Session

    session = Session(load_space(model), load=load_space)
    if sys.stdin.isatty() and sys.stdout.isatty():
        interactive(session, as_json)
    else:
        scripted(session, sys.stdin, as_json)


def register(app: typer.Typer) -> None:
    app.command("shell", rich_help_panel="Query")(shell)
