"""The lenses on the command line: `vecs lens` (the logit lens you can aim: a position, a target
token, a grid of every position x layer) and `vecs ffn` (which block's MLP writes the answer).

Every table fits the terminal: long token texts are abbreviated to a fixed width with a ``~``
and a legend, wide grids are paged over positions; numbers are never cut. Nothing heavy is
imported at module level."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.options import LENS_MODEL, JsonOpt, LensModelOpt, progress, top_option
from cli.render import console, emit_json

ABBR = "~"  # marks an abbreviated token text (the legend gives it in full)
GRID_WIDTH = 8  # a grid cell: a guess abbreviated to this many columns
GUESS_WIDTH = 12  # a guess in the one-position table


# --------------------------------------------------------------------------------------------
# Shared pieces: abbreviations, numbers, tables that fit
# --------------------------------------------------------------------------------------------
class Legend:
    """Token texts cut to ``width`` terminal columns, each abbreviation unique and remembered."""

    def __init__(self, width: int):
        self.width = width
        self.full: dict[str, str] = {}  # abbreviation -> the text

    def __call__(self, text: str) -> str:
        from rich.cells import cell_len

        if cell_len(text) <= self.width:
            return text
        for n in range(1, 100):
            mark = ABBR if n == 1 else f"{ABBR}{n}"
            cut = text
            while cut and cell_len(cut) + len(mark) > self.width:
                cut = cut[:-1]
            a = cut + mark
            if self.full.setdefault(a, text) == text:
                return a
        return text  # pragma: no cover - a hundred texts alike

    def lines(self) -> list[str]:
        return [f"{a}={t}" for a, t in self.full.items()]


def prob(p: float) -> str:
    """A probability in at most 5 characters: ``0.31``, ``3e-5``, ``0`` (below float32's range)."""
    if p <= 0:
        return "0"
    return f"{p:.2f}" if p >= 0.005 else f"{p:.0e}".replace("e-0", "e-")


def _esc(s: str) -> str:
    from rich.markup import escape

    return escape(s)


def new_table(corner: str, headers: list[str]):
    from rich import box
    from rich.table import Table

    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    t.add_column(_esc(corner), justify="right", no_wrap=True)
    for h in headers:
        t.add_column(_esc(h), justify="right", no_wrap=True)
    return t


def width_of(t) -> int:
    from rich.measure import Measurement

    return Measurement.get(console, console.options, t).maximum


def paged(title: str, corner: str, rows: list[str], headers: list[str], cells: list[list[str]],
          caption: str | None = None, what=None) -> None:
    """Print ``title``, then tables of ``cells[row][column]`` that each fit the terminal (as many
    columns per table as fit, at least one, the pages as even as possible, every cell whole), then
    ``caption``. ``what(s, e)`` names the page of columns ``s`` to ``e - 1``."""
    from rich.cells import cell_len

    n = len(headers)

    def build(s: int, e: int):
        t = new_table(corner, headers[s:e])
        for r, row in zip(rows, cells):
            t.add_row(_esc(r), *[_esc(c) for c in row[s:e]])
        return t

    def pages_of(per: int) -> list[tuple[int, int]]:
        count = -(-n // per)
        size = -(-n // count)
        return [(s, min(n, s + size)) for s in range(0, n, size)]

    widths = [max([cell_len(x) for x in headers[j].split("\n")] + [cell_len(c[j]) for c in cells]) for j in range(n)]
    side = max([cell_len(corner)] + [cell_len(r) for r in rows])
    per, used = 0, side
    while per < n and used + widths[per] + 2 <= console.width:  # a first guess, then measured
        used += widths[per] + 2
        per += 1
    per = max(1, per)
    # a table exactly as wide as the terminal is still squeezed by rich: keep one column spare
    while per > 1 and any(width_of(build(s, e)) >= console.width for s, e in pages_of(per)):
        per -= 1
    spans = pages_of(per)
    say(title, bold=True)
    for s, e in spans:
        if len(spans) > 1:
            say(what(s, e) if what else f"columns {s + 1}–{e} of {n}", bold=True)
        console.print(build(s, e))
    if caption:
        say(caption)


def say(text: str, bold: bool = False) -> None:
    """One line of plain text (no markup read from it), wrapped at the terminal's width."""
    console.print(text, markup=False, highlight=False, style="bold" if bold else None)


def _print_legend(legend: Legend, what: str) -> None:
    if legend.full:
        say(f"{what} ({ABBR} = abbreviated): " + "  ".join(legend.lines()))


def _layer_rows(r, every: int) -> list[int]:
    n = len(r.layers)
    return [i for i in range(n) if i % max(1, every) == 0 or i == n - 1]


# --------------------------------------------------------------------------------------------
# vecs lens
# --------------------------------------------------------------------------------------------
def _guesses_view(r, shown: list[int]) -> None:
    """One position: its top-k guesses per layer."""
    from rich.cells import set_cell_size

    legend = Legend(GUESS_WIDTH)
    p = r.positions[0]
    headers = [f"#{j + 1}" for j in range(r.k)]
    cells = [[set_cell_size(legend(g.shown), GUESS_WIDTH) + " " + prob(g.score) for g in r.guesses[i][0]]
             for i in shown]
    paged(f"logit lens: {r.model}, the next token after position {p} ({r.tokens[p]}): top {r.k} per layer",
          "layer", [str(r.layers[i]) for i in shown], headers, cells,
          caption=f"each row: a layer's residual stream, final norm {r.final_norm}; guess and probability",
          what=lambda s, e: f"guesses #{s + 1}–#{e} of {r.k}")
    _print_legend(legend, "guesses")


def _target_view(r, shown: list[int]) -> None:
    """One position and a target: its rank and probability per layer, beside the top guess."""
    from rich.cells import set_cell_size

    legend = Legend(GUESS_WIDTH)
    tr = r.tracks[0]
    cells = [[f"{tr.ranks[i]:,}", prob(tr.probs[i]),
              set_cell_size(legend(r.guesses[i][0][0].shown), GUESS_WIDTH) + " " + prob(r.guesses[i][0][0].score)]
             for i in shown]
    paged(f"logit lens: {r.model}, {r.target.shown} after position {tr.position} ({tr.token})", "layer",
          [str(r.layers[i]) for i in shown], ["rank", "p", "top guess"], cells,
          caption=f"rank over all {r.vocab:,} tokens (1 = the top guess)")
    _print_legend(legend, "guesses")
    say(_summary(r, tr))


def _summary(r, tr) -> str:
    def when(layer):
        return f"from layer {layer}" if layer is not None else "never"

    return (f"{r.target.shown} after position {tr.position} ({tr.token}): best rank {tr.best_rank:,} at layer "
            f"{tr.best_layer}; final rank {tr.final_rank:,} (p {prob(tr.final_prob)}); in the top 10 "
            f"{when(tr.top10_from)}; top guess {when(tr.top1_from)}")


def _grid_view(r, shown: list[int]) -> None:
    """Every chosen position x layer: the top guess per cell, or the target's rank."""
    legend = Legend(GRID_WIDTH)
    heads = Legend(GRID_WIDTH)
    headers = [f"{p}\n{heads(r.tokens[p])}" for p in r.positions]
    if r.tracks:
        cells = [[str(tr.ranks[i]) for tr in r.tracks] for i in shown]
        title = f"logit lens: {r.model}, rank of {r.target.shown} (1 = the top guess, of {r.vocab:,})"
    else:
        cells = [[legend(r.guesses[i][j][0].shown) for j in range(len(r.positions))] for i in shown]
        title = f"logit lens: {r.model}, the top guess"
    what = f"the rank of {r.target.shown} as" if r.tracks else "the guess for"
    paged(title, "layer", [str(r.layers[i]) for i in shown], headers, cells,
          caption=f"rows: layers; columns: the prompt's positions and tokens; each cell: {what} the token after "
                  "that column's token",
          what=lambda s, e: f"positions {r.positions[s]}–{r.positions[e - 1]} (of 0–{len(r.tokens) - 1})")
    _print_legend(heads, "tokens")
    _print_legend(legend, "guesses")
    if r.tracks:
        rows = [[str(tr.position), tr.token, f"{tr.best_rank:,}", str(tr.best_layer), f"{tr.final_rank:,}",
                 "–" if tr.top10_from is None else str(tr.top10_from),
                 "–" if tr.top1_from is None else str(tr.top1_from)] for tr in r.tracks]
        paged(f"{r.target.shown} by position", "pos", [row[0] for row in rows],
              ["token", "best\nrank", "at\nlayer", "final\nrank", "top 10\nfrom", "top 1\nfrom"],
              [row[1:] for row in rows])


def lens(
    prompt: Annotated[str, typer.Argument(help="The text the model reads.")],
    model: LensModelOpt = LENS_MODEL,
    top: Annotated[int, top_option("Guesses per layer.")] = 3,
    target: Annotated[Optional[str], typer.Option("--target", "-t", help="A word to follow: its rank and "
                                                  "probability at every layer (a word of several tokens: its "
                                                  "first).")] = None,
    position: Annotated[Optional[str], typer.Option("--position", metavar="N|-1|all|TOKEN", help="Which position: "
                                                    "a number (-1 = the last, the default), 'all', or one of the "
                                                    "prompt's tokens (Charles or ·Charles).")] = None,
    grid: Annotated[bool, typer.Option("--grid", help="Every position x layer, the top guess per cell (the "
                                       "target's rank with --target). Implied by --position all.")] = False,
    every: Annotated[int, typer.Option("--every", min=1, help="Show every N-th layer (the first and last "
                                       "always).")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """The logit lens: what each layer would predict next, read through the final norm and unembedding.

    Examples:
      vecs lens "What is Charles Darwin's most famous book? Darwin wrote" --target the
      vecs lens "..." --position Charles --target Dickens
      vecs lens "..." --grid          (every position x layer)
    """
    from vecs.inside.lens import logit_lens

    if position is None:
        position = "all" if grid else "-1"
    with progress() as bars:
        r = logit_lens(model, prompt, k=top, target=target, positions=position, progress=bars)
    if as_json:
        emit_json(r)
        return
    shown = _layer_rows(r, every)
    if grid or len(r.positions) > 1:
        _grid_view(r, shown)
    elif r.tracks:
        _target_view(r, shown)
    else:
        _guesses_view(r, shown)
    best = r.guesses[-1][-1][0]
    say(f"the model's next token after position {r.positions[-1]}: {best.shown} ({prob(best.score)})")
    if r.target is not None and r.target.note:
        say(f"note: {r.target.note}")


# --------------------------------------------------------------------------------------------
# vecs ffn
# --------------------------------------------------------------------------------------------
def ffn(
    prompt: Annotated[str, typer.Argument(help="The text the model reads, e.g. 'The capital of Poland is'.")],
    target: Annotated[Optional[str], typer.Option("--target", "-t", help="The word to follow (default: the "
                                                                          "model's own next-token guess).")] = None,
    model: LensModelOpt = LENS_MODEL,
    as_json: JsonOpt = False,
) -> None:
    """Which feed-forward layer writes the answer: the target's rank before and after each MLP.

    The logit lens at the last position, just before and just after each block's MLP output is
    added to the residual stream.

    Example: vecs ffn "The capital of Poland is" --target Warsaw
    """
    from vecs.inside.lens import feed_forward_lens

    with progress() as bars:
        r = feed_forward_lens(model, prompt, target=target, progress=bars)
    if as_json:
        emit_json(r)
        return
    say(f"feed-forward lens: {r.model}, the rank of {r.target} before and after each block's MLP", bold=True)
    t = new_table("block", ["rank\nbefore", "rank\nafter", "p\nafter", "tokens raised most"])
    t.columns[-1].justify, t.columns[-1].no_wrap, t.columns[-1].overflow = "left", False, "fold"
    for L in r.layers:
        t.add_row(str(L.layer), f"{L.rank_before:,}", f"{L.rank_after:,}", prob(L.prob_after),
                  _esc(" ".join(g.shown for g in L.raised)))
    console.print(t)
    say(f"{r.method}; {r.raised_rule}")
    L = next(x for x in r.layers if x.layer == r.best_layer)
    console.print(f"block {L.layer}'s feed-forward layer moves {r.target} from rank {L.rank_before:,} to rank "
                  f"{L.rank_after:,}; the model's final rank for it: {r.final_rank:,}", markup=False, highlight=False)
    if r.note:
        console.print(f"note: {r.note}", markup=False, highlight=False)


# --------------------------------------------------------------------------------------------
def register(app: typer.Typer) -> None:
    """Add the lens commands to ``app``."""
    app.command("lens")(lens)
    app.command("ffn")(ffn)
