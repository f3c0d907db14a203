"""Query commands: neighbours, analogy, calc, similarity, odd-one-out.

Only light imports here: the library (numpy) is imported inside each command."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.markup import escape as esc

from cli.batch import emit, hinted, looks_like_expression, read_queries
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
    console.print(f"[bold]{title}[/]")
    rows = []
    for r in results:
        mark = " ✓" if expected is not None and r.word == expected else ""
        rows.append([r.rank, r.word + mark, _num(r.score)])
    return table(None, ["#", "word", "score"], rows, caption=caption)


def _show_inputs(inputs, exclude_inputs: bool, label: str = "inputs") -> None:
    how = "as if kept" if exclude_inputs else "kept"
    parts = ", ".join(f"[bold]{esc(i.word)}[/] {_rank_text(i)}" for i in inputs)
    console.print(f"{label} ({how}): {parts}")


def _show_ranked(res, show_inputs: bool) -> None:
    title = f"Nearest to {_short(res.query)}" + (f" in {esc(res.model)}" if res.model else "")
    console.print(_results_table(title, res.results))
    if res.method != "exact":
        ranks = ", input ranks among the words it found" if show_inputs else ""
        console.print(f"found with an approximate index, {esc(res.method)}; scores exact{ranks} (--index exact: "
                      "exact search)")
    if res.note:
        console.print(f"note: {esc(res.note)}")
    if show_inputs:
        _show_inputs(res.inputs, res.exclude_inputs)
        top = min(res.inputs, key=lambda i: i.rank)
        if top.rank == 1 and res.exclude_inputs:
            console.print(f"note: the input [bold]{esc(top.word)}[/] is itself nearest to {_short(res.query)}; "
                          "inputs are left out of the list (--keep-inputs keeps them).")


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
        console.print(n)


# -- commands -------------------------------------------------------------------------------
FileOpt = Annotated[Optional[Path], typer.Option(
    "--file", metavar="FILE", help="Read the queries from FILE, one per line (answered in one process; "
                                   "with --json one JSON object per line). '-' as the only argument, or a "
                                   "pipe, reads them from stdin.")]

BATCH_HELP = ("Several queries per call: [bold]echo cat | vecs {cmd}[/], [bold]vecs {cmd} - < queries.txt[/] "
              "or [bold]--file queries.txt[/] ({line} per line); the model is loaded once and with --json each "
              "answer is one JSON line.")


def _split(lines: list[str], n: int | None, what: str) -> list[list[str]]:
    """Each line's words (exactly ``n`` of them, or at least 3 with ``n`` None)."""
    from vecs.errors import QueryError

    out = []
    for i, line in enumerate(lines, 1):
        parts = line.split()
        if (n is not None and len(parts) != n) or (n is None and len(parts) < 3):
            want = f"{n} words" if n is not None else "at least 3 words"
            raise QueryError(f"line {i} ({line[:60]!r}): {what} needs {want}, got {len(parts)}")
        out.append(parts)
    return out


def neighbours(
    query: Annotated[Optional[list[str]], typer.Argument(
        metavar="WORD_OR_EXPR", help="Words (each answered in turn) or one expression; '-' reads stdin.")] = None,
    top: Annotated[int, top_option("How many words to show.")] = 10,
    model: ModelOpt = DEFAULT_MODEL,
    keep_inputs: KeepInputsOpt = False,
    restrict: RestrictOpt = None,
    index: Annotated[Literal["auto", "exact", "ann"], typer.Option(
        "--index", help="auto: a fresh approximate index stored beside the model (vecs index build), on a model "
                        "of 50,000+ words when the batch repays loading it; exact: never; ann: require one.")] = "auto",
    file: FileOpt = None,
    as_json: JsonOpt = False,
):
    """The nearest words to a word or to a vector expression (cosine).

    [bold]vecs neighbours cat[/] · [bold]vecs neighbours cat dog[/] · [bold]vecs neighbours king - man + woman[/]
    """
    from vecs.static.query import neighbours_many

    args = list(query or [])
    lines, batch = read_queries(args, file, "words")
    if not batch:
        if len(args) > 1 and not looks_like_expression(args):
            lines, batch = args, True
        else:
            lines = [args[0] if len(args) == 1 else " ".join(args)]
    with hinted():
        results = neighbours_many(load_space(model), lines, k=top, exclude_inputs=not keep_inputs,
                                  restrict=restrict, keep_errors=batch, index=index)
    if not batch:
        res = results[0]
        if as_json:
            return emit_json(res)
        single = len(res.terms) == 1 and next(iter(res.terms.values())) == 1.0
        return _show_ranked(res, show_inputs=not single)
    emit(results, lines, as_json, lambda r: _show_ranked(r, show_inputs=len(r.terms) != 1))


neighbours.__doc__ += "\n\n" + EXPRESSION_HELP + "\n\n" + BATCH_HELP.format(cmd="neighbours", line="a word")


def analogy(
    a: Annotated[Optional[str], typer.Argument(metavar="A", help="a in a : b :: c : ? ('-' reads stdin)")] = None,
    b: Annotated[Optional[str], typer.Argument(metavar="B", help="b")] = None,
    c: Annotated[Optional[str], typer.Argument(metavar="C", help="c")] = None,
    top: Annotated[int, top_option("How many candidates to show.")] = 5,
    method: Annotated[Literal["add", "mul", "pair"], typer.Option(
        "--method", help="add: 3CosAdd (gensim most_similar), mul: 3CosMul (most_similar_cosmul), "
                         "pair: PairDirection cos(x - c, b - a).")] = "add",
    keep_inputs: KeepInputsOpt = False,
    expect: Annotated[Optional[str], typer.Option("--expect", metavar="D",
                                                  help="The answer you expect: its rank is reported.")] = None,
    model: ModelOpt = DEFAULT_MODEL,
    restrict: RestrictOpt = None,
    file: FileOpt = None,
    as_json: JsonOpt = False,
):
    """Solve a : b :: c : ? ([bold]man king woman[/] → queen), showing where the inputs rank.

    a, b and c are left out (as in gensim) unless --keep-inputs, but their ranks if kept are shown.

    A note says when one of them would have come first; --expect D reports D's rank."""
    from vecs.errors import QueryError
    from vecs.static.query import analogy as run
    from vecs.static.query import each

    args = [x for x in (a, b, c) if x is not None]
    lines, batch = read_queries(args, file, "analogies")
    if not batch and len(args) != 3:
        raise QueryError(f"analogy needs three words A B C (a : b :: c : ?), got {len(args)}")
    items = [tuple(x) for x in _split(lines, 3, "an analogy")] if batch else [tuple(args)]
    with hinted():
        results = each(run, load_space(model), items, keep_errors=batch, k=top, method=method,
                       exclude_inputs=not keep_inputs, expected=expect, restrict=restrict)
    if not batch:
        return emit_json(results[0]) if as_json else _show_analogy(results[0], expect)
    emit(results, lines, as_json, lambda r: _show_analogy(r, expect))


analogy.__doc__ += "\n\n" + BATCH_HELP.format(cmd="analogy", line="'a b c'")


def calc(
    expression: Annotated[Optional[list[str]], typer.Argument(
        metavar="EXPR", help="e.g. \"biggest - big + small\" (several arguments are joined); '-' reads stdin.")] = None,
    top: Annotated[int, top_option("How many words to show.")] = 10,
    keep_inputs: KeepInputsOpt = False,
    model: ModelOpt = DEFAULT_MODEL,
    restrict: RestrictOpt = None,
    file: FileOpt = None,
    as_json: JsonOpt = False,
):
    """Vector arithmetic: the words nearest to an expression, and where its own words rank."""
    from vecs.static.expression import parse
    from vecs.static.query import neighbours_many

    args = list(expression or [])
    lines, batch = read_queries(args, file, "expressions")
    if not batch:
        lines = [" ".join(args)]
        parse(lines[0])  # a syntax error is reported before any model is loaded
    with hinted():
        results = neighbours_many(load_space(model), lines, k=top, exclude_inputs=not keep_inputs,
                                  restrict=restrict, keep_errors=batch, expression=True)
    if not batch:
        return emit_json(results[0]) if as_json else _show_ranked(results[0], show_inputs=True)
    emit(results, lines, as_json, lambda r: _show_ranked(r, show_inputs=True))


calc.__doc__ += "\n\n" + EXPRESSION_HELP + "\n\n" + BATCH_HELP.format(cmd="calc", line="an expression")


def similarity(
    words: Annotated[Optional[list[str]], typer.Argument(
        metavar="W1 W2", help="Two words (or pairs of them: W1 W2 W3 W4...); '-' reads stdin.")] = None,
    model: ModelOpt = DEFAULT_MODEL,
    file: FileOpt = None,
    as_json: JsonOpt = False,
):
    """Cosine similarity of two words."""
    from vecs.errors import QueryError
    from vecs.static.query import each, similarity_of

    args = list(words or [])
    lines, batch = read_queries(args, file, "word pairs")
    if not batch:
        if len(args) % 2:
            raise QueryError(f"similarity needs two words (or pairs of them), got {len(args)}")
        lines, batch = [f"{x} {y}" for x, y in zip(args[::2], args[1::2])], len(args) > 2
    pairs = [tuple(p) for p in _split(lines, 2, "a similarity")]
    with hinted():
        results = each(similarity_of, load_space(model), pairs, keep_errors=batch)

    def show(r) -> None:
        console.print(f"{esc(r.words[0])} · {esc(r.words[1])}: [bold]{r.score:.4f}[/]"
                      + (f"  ({esc(r.model)})" if r.model else ""))

    if not batch:
        return emit_json(results[0]) if as_json else show(results[0])
    emit(results, lines, as_json, show)


similarity.__doc__ += "\n\n" + BATCH_HELP.format(cmd="similarity", line="'w1 w2'")


def odd_one_out(
    words: Annotated[Optional[list[str]], typer.Argument(metavar="WORDS", help="At least 3 words; '-' reads "
                                                                              "stdin.")] = None,
    model: ModelOpt = DEFAULT_MODEL,
    file: FileOpt = None,
    as_json: JsonOpt = False,
):
    """The word that fits least: the one least similar to the mean of all (gensim's doesnt_match)."""
    from vecs.errors import QueryError
    from vecs.static.query import each
    from vecs.static.query import odd_one_out as run

    args = list(words or [])
    lines, batch = read_queries(args, file, "word groups")
    if not batch and len(args) < 3:  # before loading a model
        raise QueryError(f"odd one out needs at least 3 words, got {len(args)}")
    groups = [(g,) for g in _split(lines, None, "odd one out")] if batch else [(args,)]
    with hinted():
        results = each(run, load_space(model), groups, keep_errors=batch)

    def show(res) -> None:
        rows = [[s.rank, s.word + (" ← odd one out" if i == 0 else ""), s.score] for i, s in enumerate(res.scores)]
        console.print("[bold]cosine to the mean of the unit vectors, least similar first[/]")
        console.print(table(None, ["#", "word", "score"], rows))
        console.print(f"odd one out: [bold]{esc(res.word)}[/] (margin {res.margin:.4f} to the next)")

    if not batch:
        return emit_json(results[0]) if as_json else show(results[0])
    emit(results, lines, as_json, show)


odd_one_out.__doc__ += "\n\n" + BATCH_HELP.format(cmd="odd-one-out", line="'w1 w2 w3...'")


def register(app: typer.Typer) -> None:
    for name, fn in (("neighbours", neighbours), ("analogy", analogy), ("calc", calc), ("similarity", similarity),
                     ("odd-one-out", odd_one_out)):
        app.command(name, rich_help_panel="Query")(fn)
