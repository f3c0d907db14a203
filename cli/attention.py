"""`vecs attention`: where each position looks in every head, what kind of head each is, one head
opened at one position (`--explain`), and the heads that move a token (`--to`, `--find-names`).

Tables fit the terminal: token texts are abbreviated with a ``~`` (a legend gives them whole),
wide tables are paged over heads, numbers are never cut. Nothing heavy at module level."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.lens import Legend
from cli.options import LENS_MODEL, JsonOpt, progress, top_option
from cli.render import console, emit_json

TOKEN_WIDTH = 8  # a source token in a cell, abbreviated to this many columns
ROW_WIDTH = 10  # a query token at the side of a table

AttentionModelOpt = Annotated[str, typer.Option(
    "--model", "-m", help="smollm2 (default), gemma3, one of our trained transformers, or an encoder (minilm, "
                          "mpnet: attention only, no logit effects).")]


def say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=False)


def weight(w: float) -> str:
    """A weight in 4 characters: ``0.53``, ``1.00``; ``4e-3`` from 0.0001 to 0.005; ``0.00`` below."""
    if w >= 0.005 or w < 1e-4:
        return f"{w:.2f}"
    return f"{w:.0e}".replace("e-0", "e-")


def fit(title: str, corner: str, rows: list[str], headers: list[str], cells: list[list[str]],
        caption: str | None = None, left: bool = True) -> list:
    """Tables of ``cells[row][column]`` (cells may hold several lines) paged over the columns so
    that each fits the terminal, every cell whole; the first column (``rows``) left-aligned, the
    others too with ``left`` (else right: numbers)."""
    from rich.cells import cell_len

    n = len(headers)

    def wide(text: str) -> int:
        return max([cell_len(x) for x in text.split("\n")] or [0])

    widths = [max([wide(headers[j])] + [wide(c[j]) for c in cells]) for j in range(n)]
    side = max([wide(corner)] + [wide(r) for r in rows])
    per, used = 0, side + 1
    while per < n and used + widths[per] + 2 <= console.width:
        used += widths[per] + 2
        per += 1
    per = max(1, per)
    count = -(-n // per)
    size = -(-n // count)
    spans = [(s, min(n, s + size)) for s in range(0, n, size)]
    out = []
    for s, e in spans:
        head = title + (f" · {s + 1}–{e} of {n}" if len(spans) > 1 else "")
        t = grid(head, corner, headers[s:e], caption if e == n else None)
        for c in t.columns if left else t.columns[:1]:
            c.justify = "left"
        for r, row in zip(rows, cells):
            t.add_row(esc(r), *[esc(c) for c in row[s:e]])
        out.append(t)
    return out


def grid(title: str, corner: str, headers: list[str], caption: str | None = None):
    """A table in the house style: a simple head rule, every column whole (no wrapping), numbers right."""
    from rich import box
    from rich.table import Table

    from rich.cells import cell_len

    t = Table(title=esc(title), caption=esc(caption) if caption else None, box=box.SIMPLE_HEAD, padding=(0, 1),
              pad_edge=False, title_justify="left", caption_justify="left",
              min_width=min(cell_len(title), console.width))  # the title on one line when it fits
    for h in [corner] + headers:
        t.add_column(esc(h), justify="right", no_wrap=True)
    return t


def esc(s: str) -> str:
    from rich.markup import escape

    return escape(s)


def _print_legend(legend: Legend, what: str) -> None:
    if legend.full:
        say(f"{what} (~ = abbreviated): " + "  ".join(legend.lines()))


# --------------------------------------------------------------------------------------------
# Every head of a layer
# --------------------------------------------------------------------------------------------
def _looks_view(r, layer: int, views: list) -> None:
    """Rows: query positions; columns: heads (or with one head, its top-k); cells: source token and weight."""
    from rich.cells import set_cell_size

    legend, side = Legend(TOKEN_WIDTH), Legend(ROW_WIDTH)
    rows = [f"{t} {side(tok)}" for t, tok in enumerate(r.tokens)]

    def cell(look) -> str:
        return set_cell_size(legend(look.token), TOKEN_WIDTH) + " " + weight(look.weight)

    if len(views) == 1:
        v = views[0]
        headers = [f"#{j + 1}" for j in range(r.k)]
        cells = [[cell(lk) for lk in row] + [""] * (r.k - len(row)) for row in v.looks]
        title = f"{r.model} · head {v.layer}.{v.head} · where each position looks"
    else:
        headers = [f"{v.layer}.{v.head}" for v in views]
        cells = [["\n".join(cell(lk) for lk in v.looks[t]) for v in views] for t in range(len(r.tokens))]
        title = f"{r.model} · layer {layer} · where each position looks"
    for t in fit(title, "query", rows, headers, cells,
                 caption="each cell: a source (key) token the query position looks at, and its weight"):
        console.print(t)
    _print_legend(side, "tokens")
    _print_legend(legend, "sources")


def _summary_view(r) -> None:
    rows = [[f"{v.layer}.{v.head}", f"{v.summary.entropy:.2f}", weight(v.summary.sink), weight(v.summary.prev),
             weight(v.summary.induction)] for v in r.heads]
    t = grid(f"{r.model} · what kind of head", "head", ["entropy", "sink", "prev", "induction"])
    for row in rows:
        t.add_row(*row)
    console.print(t)
    say(f"entropy: bits, mean over query positions (0 = one key takes it all); sink: weight on the first "
        f"token ({r.tokens[0]}); prev: weight on the previous token; induction: on {r.induction_len} random tokens "
        f"repeated once (seed {r.seed}), weight on the token after the earlier copy")
    if len(r.heads) > 1:
        for key, what in (("prev", "previous-token"), ("induction", "induction"), ("sink", "sink")):
            best = sorted(r.heads, key=lambda v: -getattr(v.summary, key))[:3]
            say(f"strongest {what} heads: " + ", ".join(f"{v.layer}.{v.head} ({weight(getattr(v.summary, key))})"
                                                          for v in best))


def _heads_view(r) -> None:
    by_layer: dict[int, list] = {}
    for v in r.heads:
        by_layer.setdefault(v.layer, []).append(v)
    if len(r.layers) == 1 or r.n_heads == 1:
        for L, views in by_layer.items():
            _looks_view(r, L, views)
    else:
        say(f"{len(r.layers)} layers × {r.n_heads} heads: the summary only (give -l LAYER, or --head H, to see "
            "where each position looks; --json has every head)")
    _summary_view(r)


# --------------------------------------------------------------------------------------------
# --explain: one head at one position
# --------------------------------------------------------------------------------------------
def _explain_view(e) -> None:
    bar_width = 20
    t = grid(f"{e.model} · head {e.layer}.{e.head} · query {e.position} ({e.query})", "key",
             ["token", "score", "weight", ""],
             caption="score: query·key before the softmax (as the model scales it); weight: after it")
    t.columns[1].justify = "left"
    t.columns[4].justify = "left"
    for k in e.keys:
        t.add_row(str(k.position), esc(k.token), f"{k.score:.2f}", weight(k.weight), "█" * round(k.weight * bar_width))
    t.columns[1].no_wrap, t.columns[1].overflow = False, "fold"
    console.print(t)
    if e.note:
        say(f"note: {e.note}")
        return
    n = max(len(e.promotes), len(e.suppresses))
    w = grid(f"what head {e.layer}.{e.head} writes at {e.position} (length {e.write_norm:.2f})", "#",
             ["promotes", "logit", "suppresses", "logit"], caption=e.decoded)
    w.columns[1].justify = w.columns[3].justify = "left"
    for j in range(n):
        p = e.promotes[j] if j < len(e.promotes) else None
        s = e.suppresses[j] if j < len(e.suppresses) else None
        w.add_row(str(j + 1), esc(p.token) if p else "", f"{p.logit:.2f}" if p else "", esc(s.token) if s else "",
                  f"{s.logit:.2f}" if s else "")
    for c in (w.columns[1], w.columns[3]):
        c.no_wrap, c.overflow = False, "fold"
    console.print(w)


# --------------------------------------------------------------------------------------------
# --to / --find-names: the heads that move a token
# --------------------------------------------------------------------------------------------
def _ranking_view(r, k: int) -> None:
    src = r.tokens[r.positions[0]]
    where = ", ".join(map(str, r.positions))
    say(f"query: position {r.query} ({r.query_token}); source: {src} at position {where}")
    if r.chose:
        say(f"chosen: {r.chose}")
    causal = r.target is not None
    other = r.tokens[r.other_positions[0]] if r.other_positions else ""
    weights = [f"weight on {src}"] + ([f"weight on {other}"] if other else [])
    effect = [f"logit effect on {r.target.shown}"] if causal else []

    def row(h, rank: str | None) -> list[str]:
        out = [weight(h.weight)] + ([weight(h.other_weight)] if other else [])
        return out + ([f"{h.effect:+.2f}"] if causal else []) + ([rank] if rank is not None else [])

    n = min(k, len(r.heads))
    top = r.heads[:n]
    for t in fit(f"heads by weight from {r.query_token} on {src} (top {n} of {len(r.heads)})", "head",
                 [h.name for h in top], weights + effect + (["effect rank"] if causal else []),
                 [row(h, str(h.effect_rank) if causal else None) for h in top], left=False):
        console.print(t)
    if causal:
        best = r.by_effect()[:n]
        for t in fit(f"heads by logit effect on {r.target.shown} (top {n})", "head", [h.name for h in best],
                     weights + effect + ["weight rank"], [row(h, str(h.weight_rank)) for h in best], left=False):
            console.print(t)
        say(f"logit effect: {r.effect_rule}")
    if r.note:
        say(f"note: {r.note}")


# --------------------------------------------------------------------------------------------
def attention(
    prompt: Annotated[Optional[str], typer.Argument(help="The text the model reads.")] = None,
    model: AttentionModelOpt = LENS_MODEL,
    layer: Annotated[Optional[str], typer.Option("--layer", "-l", help="A block (1..L, -1 = the last) or 'all'. "
                                                 "Default: the model's default layer.")] = None,
    head: Annotated[Optional[int], typer.Option("--head", metavar="H", help="One head (0-based).")] = None,
    top: Annotated[Optional[int], top_option("Source tokens per position (default 3); heads listed with "
                                             "--to/--find-names (10); tokens decoded with --explain (10).")] = None,
    explain: Annotated[Optional[str], typer.Option("--explain", metavar="POS", help="Open one head (-l, --head) at "
                                                   "query position POS (a number, -1, or a token of the prompt): "
                                                   "scores, weights and what it writes.")] = None,
    find: Annotated[Optional[str], typer.Option("--find-names", metavar="PROMPT", help="Rank every head by how much "
                                                "the last position attends to the name said once, and raises it.")]
    = None,
    to: Annotated[Optional[str], typer.Option("--to", metavar="TOKEN", help="Rank every head by how much the query "
                                              "position attends to TOKEN (a token of the prompt or a position) "
                                              "and raises it.")] = None,
    source_from: Annotated[Optional[str], typer.Option("--from", metavar="TOKEN", help="With --to: the query "
                                                       "position (a token of the prompt or a number; default the "
                                                       "last).")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed of the repeated random tokens the "
                                      "induction score is measured on.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Attention heads: where each position looks, and which heads move a word.

    Examples:
      vecs attention "The cat sat on the mat because it was tired" -l 12
      vecs attention "..." -l 20 --head 3 --explain -1
      vecs attention --find-names "When Mary and John went to the store, John gave a drink to"
      vecs attention "John wants his bank to cash the" --to John --from his
    """
    from vecs.errors import ContextualError

    if find is not None and prompt is not None:
        raise ContextualError("give the prompt once: either PROMPT or --find-names PROMPT")
    if find is None and prompt is None:
        raise ContextualError("give a prompt (vecs attention PROMPT) or --find-names PROMPT")
    if find is not None and to is not None:
        raise ContextualError("--find-names chooses the token itself: use --to TOKEN with a plain PROMPT instead")
    if source_from is not None and to is None:
        raise ContextualError("--from needs --to TOKEN (the source the query position looks at)")
    if explain is not None and (to is not None or find is not None):
        raise ContextualError("--explain opens one head; --to and --find-names rank every head: use one of them")
    if explain is not None and (layer is None or head is None):
        raise ContextualError("--explain needs -l LAYER and --head H (the head to open)")
    if find is not None or to is not None:
        from vecs.inside.heads import find_names, rank_heads

        if layer is not None or head is not None:
            raise ContextualError("--to and --find-names rank the heads of every layer: leave out -l and --head")
        with progress() as bars:
            r = (find_names(model, find, progress=bars) if find is not None
                 else rank_heads(model, prompt, to, source_from=source_from, progress=bars))
        if as_json:
            return emit_json(r)
        return _ranking_view(r, top or 10)
    if explain is not None:
        from vecs.inside.attention import explain_head

        with progress() as bars:
            e = explain_head(model, prompt, layer, head, explain, k=top or 10, progress=bars)
        if as_json:
            return emit_json(e)
        return _explain_view(e)
    from vecs.inside.attention import attention_heads

    with progress() as bars:
        r = attention_heads(model, prompt, layer=layer, head=head, k=top or 3, seed=seed, progress=bars)
    if as_json:
        return emit_json(r)
    _heads_view(r)


def register(app: typer.Typer) -> None:
    """Add `vecs attention` to ``app``."""
    app.command("attention")(attention)

