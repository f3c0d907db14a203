"""`vecs plot ...`: figures of embedding spaces written to image files.

Each command calls one function of :mod:`vecs.plot.static` or :mod:`vecs.plot.contextual` (which
returns a matplotlib figure) and saves it with :func:`vecs.plot.canvas.save` (PNG, SVG or PDF by
the suffix of ``--out``; written atomically), then prints the path and any note the figure carries
(e.g. that some points are unlabelled). An existing image is replaced only with ``--force``: the
output is checked before any work. matplotlib, scikit-learn and torch load inside the commands only."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import typer

from cli.options import (CONTEXT_MODEL, DEFAULT_MODEL, LENS_MODEL, ContextModelOpt, JsonOpt, LensModelOpt, ModelOpt,
                         SeedOpt, StandardizeOpt, load_space, out_option, parse_groups, progress)
from cli.render import console, emit_json

ImageForceOpt = Annotated[bool, typer.Option("--force", help="Replace the image file if it exists already.")]

plot_app = typer.Typer(help="Draw embedding spaces into image files (PNG, SVG, PDF).", no_args_is_help=True,
                       rich_markup_mode="rich")


def _out(out: str | None, kind: str, force: bool) -> str:
    """The image file (``vecs-KIND.png`` here by default), checked before any work: a known suffix,
    an existing folder, no file there already unless ``--force``."""
    from vecs.plot.canvas import check_out

    path = out or f"vecs-{kind}.png"
    check_out(path, force)
    return path


def _done(fig, out: str, kind: str, as_json: bool, force: bool, **info) -> None:
    """Save the figure and print its path, then the figure's notes."""
    from vecs.plot.canvas import notes, save

    path = save(fig, out, force=force)
    said = notes(fig)
    if as_json:
        return emit_json({"kind": kind, "path": str(path), **info, **({"notes": said} if said else {})})
    console.print(str(path), soft_wrap=True, markup=False, highlight=False)
    for n in said:
        console.print(f"note: {n}", soft_wrap=True, markup=False)


@plot_app.command("words")
def words(
    words: Annotated[list[str], typer.Argument(metavar="WORD...", help="The words to map.")],
    method: Annotated[Literal["pca", "tsne"], typer.Option("--method", help="pca or tsne (of unit vectors).")] = "pca",
    neighbours: Annotated[int, typer.Option("--neighbours", "-k", min=0, metavar="K",
                                            help="Add each word's K nearest neighbours, in a lighter colour.")] = 0,
    model: ModelOpt = DEFAULT_MODEL,
    seed: SeedOpt = 0,
    out: Annotated[Optional[str], out_option("words")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """A 2-D map of words (PCA or t-SNE), optionally with their neighbours."""
    from vecs.plot.static import words_plot

    out = _out(out, "words", force)
    fig = words_plot(load_space(model), words, method=method, neighbours=neighbours, seed=seed)
    _done(fig, out, "words", as_json, force)


@plot_app.command("analogy")
def analogy(
    a: Annotated[str, typer.Argument(metavar="A")],
    b: Annotated[str, typer.Argument(metavar="B")],
    c: Annotated[str, typer.Argument(metavar="C")],
    d: Annotated[Optional[str], typer.Argument(metavar="[D]", help="Omit it to plot the model's answer.")] = None,
    model: ModelOpt = DEFAULT_MODEL,
    seed: SeedOpt = 0,
    out: Annotated[Optional[str], out_option("analogy")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """The parallelogram A : B :: C : D, with arrows A→B and C→D (PCA of the four words)."""
    from vecs.plot.static import analogy_plot

    out = _out(out, "analogy", force)
    fig = analogy_plot(load_space(model), a, b, c, d, seed=seed)
    _done(fig, out, "analogy", as_json, force)


@plot_app.command("bias")
def bias(
    words: Annotated[str, typer.Option("--list", metavar="LIST", help="A named word list (professions, "
                                       "neutral-professions...) or a file, one word per line.")] = "professions",
    model: ModelOpt = DEFAULT_MODEL,
    against: Annotated[Optional[str], typer.Option("--against", metavar="MODEL", help="A second model (e.g. "
                                                  "the debiased one) shown beside, on the same axes.")] = None,
    labels: Annotated[int, typer.Option("--labels", min=0, help="Label this many words at each end.")] = 12,
    seed: SeedOpt = 0,
    out: Annotated[Optional[str], out_option("bias")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """Words along the bias direction (x) and their main other variation (y)."""
    from vecs.plot.static import bias_plot

    out = _out(out, "bias", force)
    space = load_space(model)
    other = load_space(against) if against else None
    fig = bias_plot(space, words, against=other, labels=labels, seed=seed)
    _done(fig, out, "bias", as_json, force)


@plot_app.command("layers", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def layers(
    ctx: typer.Context,
    word: Annotated[str, typer.Argument(help="The word; then the sentences (or --group NAME sentences...).")],
    model: ContextModelOpt = CONTEXT_MODEL,
    seed: SeedOpt = 0,
    out: Annotated[Optional[str], out_option("layers")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """How WORD's vector moves through the layers, one trajectory per sentence.

    [bold]vecs plot layers bank "I paid at the bank." "We sat on the bank."[/]
    Sense groups colour the trajectories:
    [bold]vecs plot layers bank --group money "..." "..." --group river "..." "..."[/]
    """
    from vecs.plot.contextual import plot_word_layers

    sentences, groups = parse_groups(list(ctx.args), "plot layers")
    out = _out(out, "layers", force)
    with progress() as bars:
        fig = plot_word_layers(model, word, sentences, groups, seed=seed, progress=bars)
    _done(fig, out, "layers", as_json, force)


@plot_app.command("similarity")
def similarity(
    word: Annotated[str, typer.Argument(help="The word to follow across the sentences.")],
    sentences: Annotated[list[str], typer.Argument(help="Sentences containing the word (two or more).")],
    layer: Annotated[Optional[str], typer.Option("--layer", "-l", help="A layer number (-1 = last). Default: "
                                                 "the model's default layer.")] = None,
    model: ContextModelOpt = CONTEXT_MODEL,
    standardize: StandardizeOpt = False,
    out: Annotated[Optional[str], out_option("similarity")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """The heatmap of `vecs context`: cosine of WORD between every two sentences."""
    from vecs.plot.contextual import plot_context_similarity

    out = _out(out, "similarity", force)
    with progress() as bars:
        fig, shown = plot_context_similarity(model, word, sentences, layer=layer, standardize=standardize,
                                             progress=bars)
    _done(fig, out, "similarity", as_json, force, layer=shown)


@plot_app.command("lens")
def lens(
    prompt: Annotated[str, typer.Argument(help="The text the model reads.")],
    model: LensModelOpt = LENS_MODEL,
    out: Annotated[Optional[str], out_option("lens")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """The logit-lens grid: each layer's top next-token guess at each position, coloured by probability."""
    from vecs.plot.contextual import plot_logit_lens

    out = _out(out, "lens", force)
    with progress() as bars:
        fig = plot_logit_lens(model, prompt, progress=bars)
    _done(fig, out, "lens", as_json, force)


def register(app: typer.Typer) -> None:
    app.add_typer(plot_app, name="plot", rich_help_panel="Query")
