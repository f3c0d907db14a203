"""`vecs generate`: the model writes, one token at a time, and shows every choice it made.

The text is printed as it is written (token by token), then a table: each token with its
probability under the distribution it was drawn from, under the model's plain softmax, its rank
in the model's distribution and the model's runners-up. ``--samples N`` writes N continuations
(seeds S, S+1...) one per line with their log-probability. Tables fit 80 columns (token texts
abbreviated with a legend, pages of columns when needed; numbers never cut)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.options import LENS_MODEL, JsonOpt, progress
from cli.render import console, emit_json

TOKEN_WIDTH = 10  # a token's text in the table (longer ones abbreviated, the legend gives them)
ALT_WIDTH = 8  # a runner-up's text

GenModelOpt = Annotated[str, typer.Option(
    "--model", "-m", help="A causal language model: smollm2 (default), gemma3, one of our trained transformers, "
                          "or a Hugging Face causal-LM folder.")]


def _piece(text: str) -> None:
    """Print a piece of the written text as it comes (no markup read from it, no line end)."""
    console.print(text, end="", markup=False, highlight=False, soft_wrap=True)
    console.file.flush()


def _settings_line(s) -> str:
    if s.temperature == 0:
        how = "greedy (temperature 0: the model's top token every time)"
    else:
        how = f"sampled at temperature {s.temperature:g}"
        if s.top_k is not None:
            how += f", top-k {s.top_k}"
        if s.top_p is not None:
            how += f", top-p {s.top_p:g}"
        how += f", seed {s.seed}"
    return how


def _pack(items: list[str], width: int) -> str:
    """Items on as few lines of ``width`` columns as fit, never one cut in two."""
    from rich.cells import cell_len

    lines: list[str] = []
    for it in items:
        if lines and cell_len(lines[-1]) + 2 + cell_len(it) <= width:
            lines[-1] += "  " + it
        else:
            lines.append(it)
    return "\n".join(lines)


def _steps_table(g) -> None:
    from rich import box
    from rich.cells import cell_len
    from rich.markup import escape
    from rich.table import Table

    from cli.lens import Legend, prob, say

    tokens, alts = Legend(TOKEN_WIDTH), Legend(ALT_WIDTH)
    greedy = g.settings.temperature == 0
    heads = ["#", "token"] + ([] if greedy else ["p drawn"]) + ["p model", "rank"]
    rows = [[str(s.step), tokens(s.token)] + ([] if greedy else [prob(s.probability)])
            + [prob(s.model_probability), f"{s.rank:,}"] for s in g.steps]
    fixed = [max([cell_len(h)] + [cell_len(r[j]) for r in rows]) for j, h in enumerate(heads)]
    room = max(ALT_WIDTH + 5, console.width - sum(fixed) - 3 * len(fixed) - 2)  # 3 between columns, 2 edges
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for h in heads:
        t.add_column(h, justify="left" if h == "token" else "right", no_wrap=True)
    t.add_column("runners-up", no_wrap=True)
    for s, r in zip(g.steps, rows):
        t.add_row(*[escape(x) for x in r], escape(_pack([alts(c.token) + " " + prob(c.probability)
                                                        for c in s.runners_up], room)))
    say(f"{g.model}: {len(g.steps)} token(s), {_settings_line(g.settings)}", bold=True)
    console.print(t)
    what = "p drawn: under the distribution it was drawn from; " if not greedy else ""
    say(f"{what}p model: under the model's plain softmax; rank: in the model's distribution (1 = its top guess); "
        "runners-up: the model's best other tokens, p model")
    for legend, name in ((tokens, "tokens"), (alts, "runners-up")):
        if legend.full:
            say(f"{name} (~ = abbreviated): " + "  ".join(legend.lines()))
    say(f"stopped: {g.stopped} · log p {g.log_probability:.2f} (the sum of ln p model)")


def _samples_table(r) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from cli.lens import say
    from vecs.inside.tokens import show

    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    t.add_column("#", justify="right", no_wrap=True)
    if r.settings.seed is not None:
        t.add_column("seed", justify="right", no_wrap=True)
    t.add_column("log p", justify="right", no_wrap=True)
    t.add_column("continuation", overflow="fold")
    for i, g in enumerate(r.samples, 1):
        seed = [str(g.settings.seed)] if r.settings.seed is not None else []
        stop = " ⟨end⟩" if g.stopped == "end token" else ""
        t.add_row(str(i), *seed, f"{g.log_probability:.2f}", escape(show(g.text) if g.text else "∅") + stop)
    say(f"{r.model}: {len(r.samples)} continuations of {r.prompt!r}, {_settings_line(r.settings)}", bold=True)
    console.print(t)
    say(f"{r.distinct} different text(s); log p: the sum of ln p under the model (higher = likelier); "
        "· = a space, ↵ = a new line, ⟨end⟩ = the model wrote its end token")


def generate(
    prompt: Annotated[str, typer.Argument(help="The text the model continues.")],
    model: GenModelOpt = LENS_MODEL,
    max_tokens: Annotated[int, typer.Option("--max-tokens", help="Write at most this many tokens.")] = 32,
    temperature: Annotated[float, typer.Option("--temperature", help="0 = greedy (always the top token); 1 = the "
                                               "model's own distribution; above 1 flatter, below sharper.")] = 1.0,
    top_k: Annotated[Optional[int], typer.Option("--top-k", help="Draw only from the K likeliest tokens.")] = None,
    top_p: Annotated[Optional[float], typer.Option("--top-p", help="Draw only from the likeliest tokens that "
                                                   "together hold this share of the probability (nucleus).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Random seed: the same seed writes the same text "
                                                "(one is drawn and shown when not given).")] = None,
    samples: Annotated[int, typer.Option("--samples", help="Write N continuations (seeds S, S+1...) to see how "
                                         "the answers vary.")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Let the model write: streamed token by token, each with its probability, rank and runners-up.

    Examples:
      vecs generate "The capital of France is" --temperature 0
      vecs generate "Once upon a time" --temperature 0.8 --top-p 0.9 --seed 1
      vecs generate "The best thing about AI is" --samples 5
    """
    from vecs.inside import generate as lib

    if samples != 1:
        with progress() as bars:
            r = lib.sample_continuations(model, prompt, samples, max_tokens, temperature, top_k, top_p, seed,
                                         progress=bars)
        return emit_json(r) if as_json else _samples_table(r)
    with progress() as bars:
        stream = lib.generate(model, prompt, max_tokens, temperature, top_k, top_p, seed, progress=bars)
    if as_json:
        return emit_json(stream.result())
    console.print(prompt, end="", style="bold", markup=False, highlight=False, soft_wrap=True)
    for step in stream:
        _piece(step.text)
    console.print()
    _steps_table(stream.result())


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
