"""Query commands: neighbours, analogy, calc, similarity, odd-one-out.

Only light imports here: the library (numpy) is imported inside each command."""

from __future__ import annotations

import math
from typing import Annotated, Literal, Optional

import typer
from rich.markup import escape as esc

from cli.options import DEFAULT_MODEL, JsonOpt, KeepInputsOpt, ModelOpt, RestrictOpt, load_space, top_option
from cli.render import console, emit_json, fmt, table

EXPRESSION_HELP = (
    "Words joined by + and - (spaces around them: [bold]king-man[/] is one hyphenated word), "
    "numeric weights ([bold]0.5*king[/], [bold]king/2[/], [bold]2 king[/]) and parentheses; "
    "quote a word that would parse otherwise (\"'c++'\"). Word vectors are unit length first. "
    "Put [bold]--[/] before an expression that starts with '-'."
)


# -- rendering ------------------------------------------------------------------------------
def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _short(text: str, n: int = 100) -> str:
    """A long query (a thousand terms) shortened for a title or a note (--json keeps it whole),
    escaped for rich: a word such as ``[/b]`` is text, not markup."""
    return esc(text if len(text) <= n else text[: n - 1] + "…")


def _rank_text(r) -> str:
    s = "score n/a" if _num(r.score) is None else f"{r.score:.4f}"
    beyond = "" if r.in_candidates else ", outside --restrict"
    return f"#{fmt(r.rank)} ({s}{beyond})"


def _results_table(title: str, results, expected: str | None = None, caption: str | None = None):
    console.print(f"[bold]{title}[/]", soft_wrap=True)
    rows = []
    for r in results:
        mark = " ✓" if expected is not None and r.word == expected else ""
        rows.append([r.rank, r.word + mark, _num(r.score)])
    return table(None, ["#", "word", "score"], rows, caption=caption)


def _show_inputs(inputs, exclude_inputs: bool, label: str = "inputs") -> None:
    how = "as if kept" if exclude_inputs else "kept"
    parts = ", ".join(f"[bold]{esc(i.word)}[/] {_rank_text(i)}" for i in inputs)
    console.print(f"{label} ({how}): {parts}", soft_wrap=True)


def _show_ranked(res, show_inputs: bool) -> None:
    title = f"Nearest to {_short(res.query)}" + (f" in {esc(res.model)}" if res.model else "")
    console.print(_results_table(title, res.results))
    if show_inputs:
        _show_inputs(res.inputs, res.exclude_inputs)
        top = min(res.inputs, key=lambda i: i.rank)
        if top.rank == 1 and res.exclude_inputs:
            console.print(f"note: the input [bold]{esc(top.word)}[/] is itself nearest to {_short(res.query)}; "
                          "inputs are left out of the list (--keep-inputs keeps them).", soft_wrap=True)


def _show_analogy(res, expect: str | None) -> None:
    from vecs.static.query import METHODS

    title = (f"{_short(res.a)} : {_short(res.b)} :: {_short(res.c)} : ?  ({METHODS[res.method]}"
             + (f", {esc(res.model)})" if res.model else ")"))
    console.print(_results_table(title, res.results, expected=expect))
    rows = [[i.role, i.word, i.rank, _num(i.score), "yes" if not i.excluded else "no"] for i in res.inputs]
    if res.expected is not None:
        e = res.expected
        rows.append(["expected", e.word, e.rank, _num(e.score), "yes" if not e.excluded else "no"])
    how = "their ranks as if kept" if res.exclude_inputs else "kept as candidates"
    console.print(f"[bold]inputs ({how})[/]")
    console.print(table(None, ["role", "word", "rank", "score", "candidate"], rows))
    notes = []
    if res.top_is_input is not None:
        top = next(i for i in res.inputs if i.word == res.top_is_input)
        if res.exclude_inputs:
            first = res.results[0].word if res.results else "–"
            notes.append(f"note: [bold]{esc(top.word)}[/] (input {top.role}) would have ranked first, score "
                         f"{top.score:.4f}, had the inputs been kept: it was left out, so '{esc(first)}' "
                         "comes first only because the inputs are excluded (see --keep-inputs).")
        else:
            notes.append(f"note: the top answer [bold]{esc(top.word)}[/] is one of the inputs ({top.role}).")
    if res.expected is not None:
        e = res.expected
        if e.rank == 1 and not e.excluded:
            notes.append(f"expected [bold]{esc(e.word)}[/]: rank 1 ✓")
        else:
            notes.append(f"expected [bold]{esc(e.word)}[/]: rank {e.rank:,}"
                         + (f" (score {e.score:.4f})" if _num(e.score) is not None else "")
                         + " — not the answer here.")
    for n in notes:
        console.print(n, soft_wrap=True)


# -- commands -------------------------------------------------------------------------------
def neighbours(
    query: Annotated[list[str], typer.Argument(metavar="WORD_OR_EXPR", help="A word, or an "
                                               "expression; several arguments are joined into one.")],
    top: Annotated[int, top_option("How many words to show.")] = 10,
    model: ModelOpt = DEFAULT_MODEL,
    keep_inputs: KeepInputsOpt = False,
    restrict: RestrictOpt = None,
    as_json: JsonOpt = False,
):
    """The nearest words to a word or to a vector expression (cosine).

    [bold]vecs neighbours cat[/] · [bold]vecs neighbours king - man + woman[/]
    """
    from vecs.static.query import neighbours as run

    text = query[0] if len(query) == 1 else " ".join(query)
    res = run(load_space(model), text, k=top, exclude_inputs=not keep_inputs, restrict=restrict)
    if as_json:
        return emit_json(res)
    single = len(res.terms) == 1 and next(iter(res.terms.values())) == 1.0
    _show_ranked(res, show_inputs=not single)


neighbours.__doc__ += "\n\n" + EXPRESSION_HELP


def analogy(
    a: Annotated[str, typer.Argument(metavar="A", help="a in a : b :: c : ?")],
    b: Annotated[str, typer.Argument(metavar="B", help="b")],
    c: Annotated[str, typer.Argument(metavar="C", help="c")],
    top: Annotated[int, top_option("How many candidates to show.")] = 5,
    method: Annotated[Literal["add", "mul", "pair"], typer.Option(
        "--method", help="add: 3CosAdd (gensim most_similar), mul: 3CosMul (most_similar_cosmul), "
                         "pair: PairDirection cos(x - c, b - a).")] = "add",
    keep_inputs: KeepInputsOpt = False,
    expect: Annotated[Optional[str], typer.Option("--expect", metavar="D",
                                                  help="The answer you expect: its rank is reported.")] = None,
    model: ModelOpt = DEFAULT_MODEL,
    restrict: RestrictOpt = None,
    as_json: JsonOpt = False,
):
    """Solve a : b :: c : ? ([bold]man king woman[/] → queen), showing where the inputs rank.

    a, b and c are left out (as in gensim) unless --keep-inputs, but their ranks if kept are shown.

    A note says when one of them would have come first; --expect D reports D's rank."""
    from vecs.static.query import analogy as run

    res = run(load_space(model), a, b, c, k=top, method=method, exclude_inputs=not keep_inputs, expected=expect,
              restrict=restrict)
    if as_json:
        return emit_json(res)
    _show_analogy(res, expect)


def calc(
    expression: Annotated[str, typer.Argument(metavar="EXPR", help="e.g. \"biggest - big + small\"")],
    top: Annotated[int, top_option("How many words to show.")] = 10,
    keep_inputs: KeepInputsOpt = False,
    model: ModelOpt = DEFAULT_MODEL,
    restrict: RestrictOpt = None,
    as_json: JsonOpt = False,
):
    """Vector arithmetic: the words nearest to an expression, and where its own words rank."""
    from vecs.static.expression import parse
    from vecs.static.query import calc as run

    parse(expression)  # a syntax error is reported before any model is loaded
    res = run(load_space(model), expression, k=top, exclude_inputs=not keep_inputs, restrict=restrict)
    if as_json:
        return emit_json(res)
    _show_ranked(res, show_inputs=True)


calc.__doc__ += "\n\n" + EXPRESSION_HELP


def similarity(
    w1: Annotated[str, typer.Argument(metavar="W1")],
    w2: Annotated[str, typer.Argument(metavar="W2")],
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
):
    """Cosine similarity of two words."""
    from vecs.static.query import similarity as run

    space = load_space(model)
    s = run(space, w1, w2)
    if as_json:
        return emit_json({"words": [w1, w2], "score": s, "model": space.name})
    console.print(f"{esc(w1)} · {esc(w2)}: [bold]{s:.4f}[/]" + (f"  ({esc(space.name)})" if space.name else ""))


def odd_one_out(
    words: Annotated[list[str], typer.Argument(metavar="WORDS", help="At least 3 words.")],
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
):
    """The word that fits least: the one least similar to the mean of all (gensim's doesnt_match)."""
    from vecs.errors import QueryError
    from vecs.static.query import odd_one_out as run

    if len(words) < 3:  # before loading a model
        raise QueryError(f"odd one out needs at least 3 words, got {len(words)}")
    res = run(load_space(model), words)
    if as_json:
        return emit_json(res)
    rows = [[s.rank, s.word + (" ← odd one out" if i == 0 else ""), s.score] for i, s in enumerate(res.scores)]
    console.print("[bold]cosine to the mean of the unit vectors, least similar first[/]")
    console.print(table(None, ["#", "word", "score"], rows))
    console.print(f"odd one out: [bold]{esc(res.word)}[/] (margin {res.margin:.4f} to the next)")


def register(app: typer.Typer) -> None:
    for name, fn in (("neighbours", neighbours), ("analogy", analogy), ("calc", calc), ("similarity", similarity),
                     ("odd-one-out", odd_one_out)):
        app.command(name, rich_help_panel="Query")(fn)
