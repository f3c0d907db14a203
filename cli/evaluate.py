"""`vecs eval analogies` and `vecs eval similarity`: the standard benchmarks, with answers
identical to gensim's evaluate_word_analogies / evaluate_word_pairs; `vecs eval relatedness`:
contextual vectors against human relatedness of word senses.

Only light imports here: the library is imported inside each command."""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated, Literal, Optional

import typer

from cli.options import (CONTEXT_MODEL, DEFAULT_MODEL, ContextModelOpt, JsonOpt, ModelOpt, PoolingOpt, RestrictOpt,
                          load_space, progress)
from cli.render import Markup, console, emit_json, fmt, reflow, table

eval_app = typer.Typer(
    name="eval",
    help="Benchmarks: analogies (Google, MSR) and word-pair similarity (WS353, SimLex, MEN...), "
         "scored exactly as gensim scores them; word-sense relatedness for contextual models.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _pct(x: float | None) -> str | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else x


@eval_app.command("analogies")
def analogies(
    dataset: Annotated[str, typer.Option(
        "--dataset", "-d", help="google, msr, zh-analogy-dev (Chinese), or a file: ': section' lines, then "
                                "'a b c d' lines (a is to b as c is to d).")] = "google",
    method: Annotated[Literal["add", "mul"], typer.Option(
        "--method", help="add: 3CosAdd (gensim most_similar), mul: 3CosMul (most_similar_cosmul).")] = "add",
    restrict: RestrictOpt = 300_000,
    model: ModelOpt = DEFAULT_MODEL,
    mistakes: Annotated[int, typer.Option(
        "--mistakes", min=0, metavar="N", help="Also show the first N wrong answers.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Analogy accuracy per section and in total, and coverage (questions with all four words known).

    Answers are identical to gensim's evaluate_word_analogies (and, for --method mul, to the same loop
    over most_similar_cosmul). With --restrict N (gensim's restrict_vocab), questions with a word
    outside the first N are skipped and answers come from those N words."""
    from vecs.static.eval_analogies import evaluate_analogies
    from vecs.static.query import METHODS

    space = load_space(model)
    with progress() as bars:
        rep = evaluate_analogies(space, dataset, method=method, restrict=restrict, progress=bars)
    if as_json:
        return emit_json(dataclasses.replace(rep, mistakes=rep.mistakes[:mistakes]))
    rows = [[s.name, s.correct, s.total, _pct(s.accuracy) if s.total else None] for s in rep.sections]
    rows.append([Markup("[bold]total[/]"), rep.correct, rep.total, _pct(rep.accuracy) if rep.total else None])
    caption = (f"{rep.total:,} of {rep.questions:,} questions evaluated (coverage {_pct(rep.coverage)}); "
               f"{rep.oov:,} skipped for a word not among the first {rep.restrict:,}")
    if rep.invalid:
        caption += f"; {rep.invalid:,} invalid lines skipped"
    console.print(table(f"{rep.dataset} analogies · {rep.model} · {METHODS[method]}",
                        ["section", "correct", "questions", "accuracy"], rows, caption=caption,
                        justify={"accuracy": "right"}))
    if mistakes and rep.mistakes:
        shown = rep.mistakes[:mistakes]
        mrows = [[m.line, f"{m.question[0]} : {m.question[1]} :: {m.question[2]} : {m.question[3]}",
                  m.predicted, m.section] for m in shown]
        console.print(table(f"first {len(shown):,} of {len(rep.mistakes):,} mistakes",
                            ["line", "question", "answered", "section"], mrows))


@eval_app.command("similarity")
def similarity(
    dataset: Annotated[str, typer.Option(
        "--dataset", "-d", help="ws353, simlex, men, rw, mturk771, rg65, all, zh-similarity-dev (Chinese), "
                                "or a file of word<TAB>word<TAB>score lines ('#' comments).")] = "all",
    restrict: RestrictOpt = 300_000,
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
) -> None:
    """Spearman and Pearson correlation of cosine similarity with human ratings, and coverage.

    Identical to gensim's evaluate_word_pairs; pairs with an unknown word (or, with --restrict N,
    a word outside the first N) are skipped."""
    from vecs.static.eval_similarity import evaluate_similarity_sets

    space = load_space(model)
    with progress() as bars:
        reps = evaluate_similarity_sets(space, dataset, restrict=restrict, progress=bars)
    if as_json:
        return emit_json(reps)
    rows = [[r.dataset, _num(r.spearman), _num(r.pearson), r.pairs, r.oov, _pct(r.coverage)] for r in reps]
    console.print(table(f"word similarity · {space.name}",
                        ["dataset", "spearman", "pearson", "pairs", "oov", "coverage"], rows,
                        caption=f"pairs with a word outside the first {reps[0].restrict:,} are skipped (oov)",
                        justify={"coverage": "right"}))
    for r in reps:
        if r.note:
            console.print(f"note: {r.dataset}: {r.note}", markup=False)


@eval_app.command("relatedness")
def relatedness(
    file: Annotated[str, typer.Argument(help="CSV with columns word, sentence1, sentence2, score (optional "
                                             "string: the exact form); 'dev' for the shipped development set.")],
    model: ContextModelOpt = CONTEXT_MODEL,
    layer: Annotated[Optional[str], typer.Option(
        "--layer", "-l", help="Headline layer (default: the model's documented default). "
                              "Every layer is shown.")] = None,
    pooling: PoolingOpt = "mean",
    as_json: JsonOpt = False,
) -> None:
    """Spearman correlation of contextual cosine with human relatedness of word-sense pairs, per
    layer, with and without standardisation."""
    from vecs.contextual.relatedness import evaluate_relatedness

    with progress() as bars:
        r = evaluate_relatedness(model, file, layer=layer, pooling=pooling, progress=bars)
    if as_json:
        return emit_json(r)
    rows = [[f"L{x.layer}" + ("*" if x.layer == r.layer else ""), x.spearman, x.spearman_standardized]
            for x in r.layers]
    cap = (f"{r.model} on {r.dataset}: {r.pairs} pairs, {r.skipped} skipped; * headline layer {r.layer} "
           f"(default {r.default_layer}); best layer {r.best_layer}")
    console.print(table("Spearman per layer", ["layer", "spearman", "standardised"], rows))
    console.print(cap, markup=False)
    console.print(f"Spearman at layer {r.layer}: {fmt(r.spearman)} (standardised {fmt(r.spearman_standardized)})")


def register(app: typer.Typer) -> None:
    for f in (analogies, similarity, relatedness):
        f.__doc__ = reflow(f.__doc__)
    app.add_typer(eval_app, name="eval", rich_help_panel="Evaluate")
