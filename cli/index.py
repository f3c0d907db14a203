"""`vecs index build|show|remove MODEL`: an approximate-neighbour index beside a stored model
(faiss HNSW, the `ann` extra), its recall@10 against exact search measured when it is built.

Only light imports here: the library is imported inside each command."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape as esc

from cli.options import JsonOpt, SeedOpt, load_space, progress
from cli.render import console, emit_json, table

index_app = typer.Typer(
    name="index",
    help="Approximate-neighbour indexes (faiss HNSW, the ann extra): build one beside a model, with its "
         "recall@10 against exact search measured, show it, remove it. `vecs neighbours` uses a fresh one "
         "on large models (--index).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

ModelArg = Annotated[str, typer.Argument(metavar="MODEL", help="A store name, a vector resource or a store-format "
                                                                "folder (the index is kept beside its vectors).")]


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _show(info, built: bool) -> None:
    name = esc(info.model)
    if built:
        console.print(f"Built the HNSW index of [bold]{name}[/] ({info.rows:,} words x {info.dim}) in "
                      f"{info.build_s:,.1f} s: {_mb(info.size)} in")
    else:
        state = {"fresh": "[green]fresh[/]", "stale": "[yellow]stale[/]"}.get(info.status, "[red]damaged[/]")
        console.print(f"HNSW index of [bold]{name}[/]: {state}" + (f" ({esc(info.problem)})" if info.problem else "")
                      + f"; {info.rows:,} words x {info.dim}, {_mb(info.size)}, built {esc(info.created)} "
                      f"in {info.build_s:,.1f} s, in")
    console.print(f"  {info.path}", markup=False, highlight=False, soft_wrap=True)  # a path stays whole
    rows = [[p.ef_search, p.recall_at_10, f"{p.ms_per_query:.3f}", f"{info.exact_ms_per_query / p.ms_per_query:.1f}x"
             if p.ms_per_query > 0 else "–"] for p in info.curve]
    console.print(table(f"M {info.m}, efConstruction {info.ef_construction}",
                        ["efSearch", "recall@10", "ms/query", "vs exact"], rows,
                        justify={"ms/query": "right", "vs exact": "right"}))
    reached = "" if info.reached else f" — below the target {info.target_recall:g}: the ladder's top was taken"
    load = f"{info.load_s:.2f} s" if info.load_s >= 1 else f"{info.load_s * 1000:.0f} ms"
    console.print(f"recall@10 [bold]{info.recall_at_10:.3f}[/] at efSearch {info.ef_search}{reached} (against exact "
                  f"search, {info.queries:,} vocabulary words); {info.ann_ms_per_query:.3f} ms/query against exact "
                  f"{info.exact_ms_per_query:.3f} (batched, measured at build): [bold]{info.speedup:.1f}x[/] faster; "
                  f"loading it takes {load}.")
    if info.status == "stale":
        console.print(f"The vectors changed since it was built: `vecs neighbours` ignores it; rebuild it with "
                      f"[bold]vecs index build {name}[/].")
    elif info.status != "fresh":
        console.print(f"`vecs neighbours` ignores it; rebuild it with [bold]vecs index build {name}[/].")


@index_app.command("build")
def build(
    model: ModelArg,
    recall: Annotated[float, typer.Option("--recall", min=0.01, max=1.0, help="The recall@10 against exact search "
                                          "the chosen efSearch must reach.")] = 0.95,
    links: Annotated[int, typer.Option("--links", min=2, max=256, help="Links per node (HNSW's M): more is "
                                       "slower to build, bigger, and finds more.")] = 32,
    ef_construction: Annotated[int, typer.Option("--ef-construction", min=1, help="Candidates kept while "
                                                 "linking each word (HNSW's efConstruction).")] = 100,
    queries: Annotated[int, typer.Option("--queries", min=1, help="Vocabulary words on which recall and "
                                         "speed are measured.")] = 1000,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Build the approximate-neighbour index of MODEL and keep it beside its vectors.

    efSearch is the smallest of 16, 32, 64 ... 512 whose recall@10 against exact search reaches
    --recall on --queries random vocabulary words (the word itself left out); the recall, both
    search times and the build time are recorded and shown. Rebuilding replaces the index; when
    the vectors change, queries ignore the old one until it is rebuilt."""
    from vecs.extras import require_faiss
    from vecs.static.ann import build_index

    require_faiss()  # before loading anything
    space = load_space(model)
    with progress() as bars:
        info = build_index(space, m=links, ef_construction=ef_construction, recall=recall, queries=queries,
                           seed=seed, progress=bars)
    if as_json:
        return emit_json(info)
    _show(info, built=True)


@index_app.command("show")
def show(model: ModelArg, as_json: JsonOpt = False) -> None:
    """How MODEL's index was built, what it measured, and whether it is fresh (stale: the vectors
    changed since; damaged: index.faiss does not match its checksum)."""
    from vecs.static.ann import show_index

    info = show_index(load_space(model))
    if as_json:
        return emit_json(info)
    _show(info, built=False)


@index_app.command("remove")
def remove(model: ModelArg, as_json: JsonOpt = False) -> None:
    """Delete MODEL's index (the model itself stays)."""
    from vecs.static.ann import remove_index

    r = remove_index(load_space(model))
    if as_json:
        return emit_json(r)
    console.print(f"Removed the index of [bold]{esc(r.model)}[/]:")
    for p in r.removed:
        console.print(f"  {p}", markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(index_app, name="index")
