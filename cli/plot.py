"""`vecs plot ...`: figures of embedding spaces written to image files.

Each command calls one function of :mod:`vecs.plot.static`, :mod:`vecs.plot.contextual`,
:mod:`vecs.plot.lens` or :mod:`vecs.plot.loss` (which returns a matplotlib figure) and saves it with
:func:`vecs.plot.canvas.save` (PNG, SVG or PDF by the suffix of ``--out``; written atomically),
then prints the path and any note the figure carries (e.g. that some points are unlabelled). An
existing image is replaced only with ``--force``: the output is checked before any work.
matplotlib, scikit-learn and torch load inside the commands only."""

from __future__ import annotations

import functools

from typing import Annotated, Literal, Optional

import typer

from cli.options import (CONTEXT_MODEL, DEFAULT_MODEL, LENS_MODEL, ContextModelOpt, JsonOpt, LensModelOpt, ModelOpt,
                         SeedOpt, StandardizeOpt, load_space, out_option, parse_groups, progress)
from cli.render import console, emit_json

ImageForceOpt = Annotated[bool, typer.Option("--force", help="Replace the image file if it exists already.")]

plot_app = typer.Typer(help="Draw embedding spaces into image files (PNG, SVG, PDF), or into interactive "
                       "web pages (a file name ending in .html: hover, zoom, 3-D word maps; opens offline).",
                       no_args_is_help=True,
                       rich_markup_mode="rich")


def _out(out: str | None, kind: str, force: bool, html: bool = True) -> str:
    """The image file (``vecs-KIND.png`` here by default), checked before any work: a known suffix,
    an existing folder, no file there already unless ``--force``; ``.html`` only where the command
    draws an interactive figure (``html``)."""
    from vecs.errors import PlotError
    from vecs.plot.canvas import check_out

    path = out or f"vecs-{kind}.png"
    check_out(path, force)
    if not html and _html(path):
        raise PlotError(f"`vecs plot {kind}` draws images only: use a .png, .svg or .pdf file name")
    return path


def _html(out: str) -> bool:
    return out.lower().endswith(".html")


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
    method: Annotated[Literal["pca", "tsne", "umap"], typer.Option("--method", help="pca, tsne or umap (of unit "
                                                                   "vectors; seeded).")] = "pca",
    neighbours: Annotated[int, typer.Option("--neighbours", "-k", min=0, metavar="K",
                                            help="Add each word's K nearest neighbours, in a lighter colour.")] = 0,
    model: ModelOpt = DEFAULT_MODEL,
    dims: Annotated[int, typer.Option("--dims", min=2, max=3, help="3: a 3-D map you can turn (to a .html "
                                      "file).")] = 2,
    seed: SeedOpt = 0,
    out: Annotated[Optional[str], out_option("words")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """A map of words (PCA, t-SNE or UMAP), optionally with their neighbours. To a .html file it is
    interactive: hover a word to see its nearest neighbours; `--dims 3` for 3-D."""
    from vecs.errors import PlotError
    from vecs.plot.static import words_plot

    out = _out(out, "words", force)
    if dims == 3 and not _html(out):
        raise PlotError("a 3-D map is interactive: write it to a .html file (-o map.html)")
    fig = words_plot(load_space(model), words, method=method, neighbours=neighbours, seed=seed, html=_html(out),
                     dims=dims)
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
    fig = analogy_plot(load_space(model), a, b, c, d, seed=seed, html=_html(out))
    _done(fig, out, "analogy", as_json, force)


@plot_app.command("bias")
def bias(
    words: Annotated[str, typer.Option("--list", metavar="LIST", help="A named word list (professions, "
                                       "neutral-professions...) or a file, one word per line.")] = "professions",
    model: ModelOpt = DEFAULT_MODEL,
    against: Annotated[Optional[str], typer.Option("--against", metavar="MODEL", help="A second model (e.g. "
                                                  "the debiased one) shown beside, on the same axes.")] = None,
    labels: Annotated[int, typer.Option("--labels", min=0, help="Label this many words at each end.")] = 12,
    pairs: Annotated[Optional[str], typer.Option("--pairs", metavar="definitional|FILE", help="Pairs defining the "
                     "direction (default definitional; in Chinese zh-definitional) or a file of two words per "
                     "line.")] = None,
    seed: SeedOpt = 0,
    out: Annotated[Optional[str], out_option("bias")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """Words along the bias direction (x) and their main other variation (y). In Chinese:
    `vecs plot bias -m zh-vectors --list zh-professions --pairs zh-definitional`."""
    from vecs.plot.static import bias_plot

    out = _out(out, "bias", force)
    space = load_space(model)
    other = load_space(against) if against else None
    fig = bias_plot(space, words, against=other, labels=labels, seed=seed, pairs=pairs, html=_html(out))
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
        fig = plot_word_layers(model, word, sentences, groups, seed=seed, progress=bars, html=_html(out))
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
    from vecs.plot.html_more import plot_context_similarity_html

    out = _out(out, "similarity", force)
    draw = plot_context_similarity_html if _html(out) else plot_context_similarity
    with progress() as bars:
        fig, shown = draw(model, word, sentences, layer=layer, standardize=standardize, progress=bars)
    _done(fig, out, "similarity", as_json, force, layer=shown)


@plot_app.command("lens")
def lens(
    prompt: Annotated[str, typer.Argument(help="The text the model reads.")],
    model: LensModelOpt = LENS_MODEL,
    target: Annotated[Optional[str], typer.Option("--target", "-t", help="A word to follow: its rank in every "
                                                  "cell, and the colour.")] = None,
    out: Annotated[Optional[str], out_option("lens")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """The logit-lens grid: each layer's top next-token guess at each position, coloured by probability
    (by the target's rank with --target)."""
    from vecs.plot.lens import plot_logit_lens

    out = _out(out, "lens", force)
    with progress() as bars:
        fig = plot_logit_lens(model, prompt, target=target, progress=bars, html=_html(out))
    _done(fig, out, "lens", as_json, force)


@plot_app.command("loss")
def loss(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A transformer trained with `vecs train transformer`.")],
    out: Annotated[Optional[str], out_option("loss")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """The loss curve of one of our transformers: training and validation loss over the steps."""
    from vecs.plot.html_more import plot_loss_html
    from vecs.plot.loss import plot_loss

    out = _out(out, "loss", force)
    fig, h = (plot_loss_html if _html(out) else plot_loss)(name)
    last = h.points[-1]
    _done(fig, out, "loss", as_json, force, model=h.name, points=len(h.points), step=last.step,
          train_loss=last.train_loss, val_loss=last.val_loss)


@plot_app.command("ablate")
def ablate(
    prompt: Annotated[str, typer.Argument(help="The text the model reads, e.g. 'The capital of Poland is'.")],
    target: Annotated[str, typer.Option("--target", "-t", help="The answer to follow, e.g. Warsaw.")],
    component: Annotated[str, typer.Option("--component", metavar="mlp|attn|head", help="What to switch off.")]
    = "mlp",
    layer: Annotated[str, typer.Option("--layer", "-l", help="A block (-1 = the last) or 'all'.")] = "all",
    mode: Annotated[str, typer.Option("--mode", metavar="zero|mean", help="Zeros, or the mean over the "
                                      "prompt's positions.")] = "zero",
    position: Annotated[Optional[str], typer.Option("--position", metavar="N|-1|all|TOKEN", help="Where to switch "
                                                    "it off (default: every position).")] = None,
    model: LensModelOpt = LENS_MODEL,
    out: Annotated[Optional[str], out_option("ablate")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """Bars of `vecs ablate`: the change in the target's log-probability with each part switched off."""
    from vecs.plot.intervene import plot_ablate

    out = _out(out, "ablate", force)
    draw = functools.partial(plot_ablate, html=_html(out))
    with progress() as bars:
        fig, r = draw(model, prompt, target, component=component, layer=layer, mode=mode, position=position,
                      progress=bars)
    _done(fig, out, "ablate", as_json, force, worst=r.worst.name, change=r.worst.change)


@plot_app.command("patch")
def patch(
    clean: Annotated[str, typer.Argument(help="The clean prompt.")],
    corrupt: Annotated[str, typer.Argument(help="The corrupted prompt (same number of tokens).")],
    target: Annotated[str, typer.Option("--target", "-t", help="The answer to follow, e.g. Warsaw.")],
    component: Annotated[str, typer.Option("--component", metavar="resid|attn|mlp", help="What to copy from the "
                                           "clean run.")] = "resid",
    restored: Annotated[bool, typer.Option("--restored", help="Colour by the normalised restoration instead of the "
                                           "probability.")] = False,
    model: LensModelOpt = LENS_MODEL,
    out: Annotated[Optional[str], out_option("patch")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """The causal-tracing heatmap of `vecs patch`: layers x positions, token labels."""
    from vecs.plot.intervene import plot_patch

    out = _out(out, "patch", force)
    draw = functools.partial(plot_patch, html=_html(out))
    with progress() as bars:
        fig, r = draw(model, clean, corrupt, target, component=component, restored=restored, progress=bars)
    _done(fig, out, "patch", as_json, force, best_layer=r.best.layer, best_position=r.best.position)


@plot_app.command("attention")
def attention(
    prompt: Annotated[str, typer.Argument(help="The text the model reads.")],
    model: Annotated[str, typer.Option("--model", "-m", help="smollm2 (default), gemma3, one of our trained "
                                       "transformers, or an encoder (minilm, mpnet).")] = LENS_MODEL,
    layer: Annotated[Optional[str], typer.Option("--layer", "-l", help="A block (1..L, -1 = the last). Default: "
                                                 "the model's default layer.")] = None,
    head: Annotated[Optional[int], typer.Option("--head", metavar="H", help="One head's heatmap (0-based); "
                                                "without it, every head of the layer.")] = None,
    out: Annotated[Optional[str], out_option("attention")] = None,
    force: ImageForceOpt = False,
    as_json: JsonOpt = False,
):
    """Attention weights as a heatmap (queries down, keys across): one head, or every head of a layer."""
    from vecs.plot.attention import plot_attention

    out = _out(out, "attention", force)
    with progress() as bars:
        fig, p = plot_attention(model, prompt, layer=layer, head=head, progress=bars, html=_html(out))
    _done(fig, out, "attention", as_json, force, model=p.model, layer=p.layer, heads=p.heads)


def register(app: typer.Typer) -> None:
    app.add_typer(plot_app, name="plot", rich_help_panel="Query")
