"""Interventions on the command line: `vecs ablate` (switch parts off), `vecs patch` (causal
tracing: copy a clean run into a corrupted one) and `vecs steer` (add a vector from another
prompt). Each parses, makes one library call (:mod:`vecs.inside.ablate`, :mod:`vecs.inside.patch`,
:mod:`vecs.inside.steer`) and renders what was measured; tables fit 80 columns (token texts
abbreviated with a legend, the patching grid paged over positions, numbers never cut)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.lens import Legend, paged, prob
from cli.options import LENS_MODEL, JsonOpt, LensModelOpt, progress, top_option
from cli.render import console, emit_json

TOKEN_WIDTH = 12  # a guess in a table: abbreviated to this many columns

TargetOpt = Annotated[str, typer.Option("--target", "-t", help="The answer to follow, e.g. Warsaw (a word of "
                                        "several tokens: its first).")]


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _legend(legend: Legend, what: str = "tokens") -> None:
    if legend.full:
        _say(f"{what} (~ = abbreviated): " + "  ".join(legend.lines()))


def _note(target) -> None:
    if target is not None and target.note:
        _say(f"note: {target.note}")


def new_table(corner: str, headers: list[str]):
    """A plain table: every column right-aligned and never wrapped (numbers stay whole)."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for h in [corner] + headers:
        t.add_column(escape(h), justify="right", no_wrap=True)
    return t


def _show(title: str, t, caption: str | None = None) -> None:
    _say(title)
    console.print(t)
    if caption:
        _say(caption)


def _row(t, *cells: str) -> None:
    from rich.markup import escape

    t.add_row(*[escape(c) for c in cells])


def _delta(x: float) -> str:
    return f"{x:+.2f}"


# --------------------------------------------------------------------------------------------
# vecs ablate
# --------------------------------------------------------------------------------------------
def ablate(
    prompt: Annotated[str, typer.Argument(help="The text the model reads, e.g. 'The capital of Poland is'.")],
    target: TargetOpt,
    component: Annotated[str, typer.Option("--component", metavar="mlp|attn|head", help="What to switch off: "
                                           "each block's MLP, its attention, or each of its heads.")] = "mlp",
    layer: Annotated[str, typer.Option("--layer", "-l", help="A block (1 = the first, -1 = the last) or "
                                       "'all'.")] = "all",
    mode: Annotated[str, typer.Option("--mode", metavar="zero|mean", help="Replace the output by zeros, or by its "
                                      "mean over the prompt's positions.")] = "zero",
    head: Annotated[Optional[int], typer.Option("--head", help="With --component head: only this head "
                                                "(0-based).")] = None,
    position: Annotated[Optional[str], typer.Option("--position", metavar="N|-1|all|TOKEN", help="Where to switch "
                                                    "it off: every position (all, the default), or one (a number, "
                                                    "-1 = the last, or a token of the prompt, e.g. Poland).")] = None,
    model: LensModelOpt = LENS_MODEL,
    as_json: JsonOpt = False,
) -> None:
    """Switch parts of the model off, one at a time: the target's probability and rank each time.

    Example: vecs ablate "The capital of Poland is" -t Warsaw --component mlp -l all
    """
    from vecs.inside.ablate import ablate as run_ablation

    with progress() as bars:
        r = run_ablation(model, prompt, target, component=component, layer=layer, mode=mode, head=head,
                         position=position, progress=bars)
    if as_json:
        emit_json(r)
        return
    legend = Legend(TOKEN_WIDTH)
    what = {"mlp": "MLP", "attn": "attention", "head": "head"}[r.component]
    corner = "head off" if r.component == "head" else f"{what} off"
    base_top = r.baseline_top[0].shown if r.baseline_top else ""
    t = new_table(corner, ["p", "rank", "Δ log p", "top guess"])
    _row(t, "none", prob(r.baseline_prob), f"{r.baseline_rank:,}", "", legend(base_top))
    for a in r.rows:
        _row(t, a.name, prob(a.prob), f"{a.rank:,}", _delta(a.change), legend(a.top))
    at = "" if r.positions is None else " at " + ", ".join(f"{p} ({r.tokens[p]})" for p in r.positions)
    _show(f"ablation: {r.model} · {r.target.shown} after position {len(r.tokens) - 1} ({r.tokens[-1]}) · {what} set "
          f"to {'zero' if r.mode == 'zero' else 'its mean'}{at}", t, r.method)
    _legend(legend, "guesses")
    w = r.worst
    part = f"block {w.layer}'s {what}" if w.head is None else f"head {w.head} of block {w.layer}"
    if w.change < 0:
        _say(f"switching off {part} hurts {r.target.shown} most: p {prob(r.baseline_prob)} → {prob(w.prob)}, "
             f"rank {r.baseline_rank:,} → {w.rank:,} (Δ log p {_delta(w.change)})")
    else:
        _say(f"no ablation lowers {r.target.shown}'s probability (the smallest change: {part}, Δ log p "
             f"{_delta(w.change)})")
    hurt = sorted((a for a in r.rows if a.change < 0), key=lambda a: a.change)[:3]
    if len(hurt) > 1:
        _say("most damaging: " + ", ".join(f"{a.name} ({_delta(a.change)})" for a in hurt))
    _note(r.target)


# --------------------------------------------------------------------------------------------
# vecs patch
# --------------------------------------------------------------------------------------------
def _restored(x) -> str:
    return "–" if x is None else f"{x:.2f}".replace("-0.00", "0.00")


def patch(
    clean: Annotated[str, typer.Argument(help="The clean prompt, e.g. 'The capital of Poland is'.")],
    corrupt: Annotated[str, typer.Argument(help="The corrupted prompt, same number of tokens, e.g. 'The capital "
                                           "of Norway is'.")],
    target: TargetOpt,
    component: Annotated[str, typer.Option("--component", metavar="resid|attn|mlp", help="What to copy from the "
                                           "clean run: the residual stream, or an attention or MLP output.")]
    = "resid",
    restored: Annotated[bool, typer.Option("--restored", help="Show the normalised restoration (p - p_corrupt) / "
                                           "(p_clean - p_corrupt) instead of the probability.")] = False,
    model: LensModelOpt = LENS_MODEL,
    as_json: JsonOpt = False,
) -> None:
    """Causal tracing: copy the clean run into the corrupted one at each layer x position; where does the answer
    come back?

    Example: vecs patch "The capital of Poland is" "The capital of Norway is" -t Warsaw
    """
    from vecs.inside.patch import patch as run_patch

    with progress() as bars:
        r = run_patch(model, clean, corrupt, target, component=component, progress=bars)
    if as_json:
        emit_json(r)
        return
    heads = Legend(8)
    T = len(r.clean_tokens)
    headers = [f"{t}{'*' if t in r.differ else ''}\n{heads(r.clean_tokens[t])}" for t in range(T)]
    cells = [[_restored(x) for x in row] for row in r.restored] if restored else [[prob(p) for p in row]
                                                                                   for row in r.probs]
    what = {"resid": "residual", "attn": "attention output", "mlp": "MLP output"}[r.component]
    shown = "restored (0 = corrupted, 1 = clean)" if restored else f"p({r.target.shown})"
    _say(f"clean:     p({r.target.shown}) = {prob(r.clean_prob)} (rank {r.clean_rank:,})   {' '.join(r.clean_tokens)}")
    _say(f"corrupted: p({r.target.shown}) = {prob(r.corrupt_prob)} (rank {r.corrupt_rank:,})   "
         f"{' '.join(r.corrupt_tokens)}")
    paged(f"patching: {r.model} · clean {what} copied in at one layer x position · {shown}", "layer",
          [str(L) for L in r.layers], headers, cells,
          caption="rows: layers; columns: positions (* = the prompts differ there); " + r.method)
    _legend(heads)
    b = r.best
    _say(f"the answer comes back most at layer {b.layer}, position {b.position} ({r.clean_tokens[b.position]}): "
         f"p {prob(b.prob)}, restored {_restored(b.restored)}")
    for c in r.best_by_position:
        if c.position in r.differ or c.position == T - 1:
            where = "where the prompts differ" if c.position in r.differ else "the last position"
            _say(f"  {where}, position {c.position} ({r.clean_tokens[c.position]}): best at layer {c.layer}, p "
                 f"{prob(c.prob)}, restored {_restored(c.restored)}")
    if r.restored and r.restored[0][0] is None:
        _say("note: the clean and corrupted runs give the target the same probability: nothing to restore")
    _note(r.target)


# --------------------------------------------------------------------------------------------
# vecs steer
# --------------------------------------------------------------------------------------------
def _guesses_table(before, after, legend: Legend):
    t = new_table("#", ["before", "p", "after", "p"])
    for i in range(max(len(before), len(after))):
        b = before[i] if i < len(before) else None
        a = after[i] if i < len(after) else None
        _row(t, str(i + 1), legend(b.shown) if b else "", prob(b.score) if b else "",
                  legend(a.shown) if a else "", prob(a.score) if a else "")
    return t


def steer(
    prompt: Annotated[str, typer.Argument(help="The text to steer, e.g. 'The capital of China is'.")],
    add: Annotated[str, typer.Option("--add", metavar="SOURCE@LAYER", help="Where the vector comes from: a prompt "
                                     "and a layer, e.g. 'The capital of Poland is@15' (LAYER may be 'all').")],
    subtract: Annotated[Optional[str], typer.Option("--subtract", metavar="OTHER[@LAYER]", help="A baseline "
                                                    "prompt whose vector is subtracted (the difference of two "
                                                    "prompts).")] = None,
    scale: Annotated[float, typer.Option("--scale", help="How much of the vector to add.")] = 1.0,
    component: Annotated[str, typer.Option("--component", metavar="resid|mlp", help="The residual stream, or the "
                                           "MLP output, at that layer.")] = "resid",
    target: Annotated[Optional[str], typer.Option("--target", "-t", help="A word to follow (e.g. Beijing).")] = None,
    layer: Annotated[Optional[str], typer.Option("--layer", "-l", help="Overrides the layer of --add: a number or "
                                                 "'all' (every layer in turn).")] = None,
    top: Annotated[int, top_option("Guesses shown before and after.")] = 5,
    model: LensModelOpt = LENS_MODEL,
    as_json: JsonOpt = False,
) -> None:
    """Add a vector taken from another prompt at one layer, and compare the next-token guesses.

    Example: vecs steer "The capital of China is" --add "The capital of Poland is@15"
    --subtract "The capital of the country is" -t Beijing
    """
    from vecs.inside.steer import steer as run_steer

    with progress() as bars:
        r = run_steer(model, prompt, add, scale=scale, subtract=subtract, component=component, target=target,
                      layer=layer, k=top, progress=bars)
    if as_json:
        emit_json(r)
        return
    legend = Legend(TOKEN_WIDTH)
    what = "residual" if r.component == "resid" else "MLP output"
    if len(r.layers) > 1:
        heads = ["p", "rank", "Δ log p", "top guess", "p"] if r.target else ["top guess", "p"]
        t = new_table("layer", heads)
        first = r.before[0]
        lead = [prob(r.target_prob), f"{r.target_rank:,}", ""] if r.target else []
        _row(t, "none", *lead, legend(first.shown), prob(first.score))
        for s in r.layers:
            lead = [prob(s.prob), f"{s.rank:,}", _delta(s.change)] if r.target else []
            _row(t, str(s.layer), *lead, legend(s.top[0].shown), prob(s.top[0].score))
        _show(f"steering: {r.model} · {r.scale:g} x the {what} vector added at each layer", t)
    best = r.best
    if best is not None:
        _show(f"steering: {r.model} · the next token after position {len(r.tokens) - 1} ({r.tokens[-1]}), "
              f"steered at layer {best.layer}",
              _guesses_table(r.before, best.top, legend))
        _say(f"added vector: norm {best.added_norm:.3g}; the prompt's own {what} there: norm {best.own_norm:.3g}")
        if r.target is not None:
            verb = "rises" if best.change > 0 else "does not rise"
            _say(f"{r.target.shown} {verb}: p {prob(r.target_prob)} → {prob(best.prob)}, rank {r.target_rank:,} → "
                 f"{best.rank:,} (Δ log p {_delta(best.change)}) with the vector at layer {best.layer}")
    _legend(legend, "guesses")
    _say(r.method)
    _note(r.target)


# --------------------------------------------------------------------------------------------
def register(app: typer.Typer) -> None:
    """Add the intervention commands to ``app``."""
    app.command("ablate")(ablate)
    app.command("patch")(patch)
    app.command("steer")(steer)
