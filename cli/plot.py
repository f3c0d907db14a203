"""`vecs plot ...`: figures of embedding spaces written to image files.

Each command calls one function of :mod:`vecs.plot` (which returns a matplotlib figure) and saves
it with :func:`vecs.plot.save` (PNG, SVG or PDF by the suffix of ``--out``; written atomically),
then prints the path. matplotlib, scikit-learn and torch load inside the commands only."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import typer

from cli.options import DEFAULT_MODEL, JsonOpt, ModelOpt, load_space

CTX_MODEL = "minilm"
LENS_MODEL = "smollm2"

SeedOpt = Annotated[int, typer.Option("--seed", help="Seed for everything random (t-SNE): same seed, same figure.")]
CtxModelOpt = Annotated[str, typer.Option(
    "--model", "-m", help="minilm (default), mpnet, smollm2, one of our trained transformers, or a "
                          "Hugging Face checkpoint folder.")]


def _out_opt(kind: str):
    return Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help=f"Where to write the image "
                                                 f"(.png, .svg or .pdf). Default: vecs-{kind}.png here.")]


def _done(fig, out: str | None, kind: str, json: bool, **info) -> None:
    from cli.render import console, emit_json
    from vecs.plot.canvas import save

    path = save(fig, out or f"vecs-{kind}.png")
    if json:
        return emit_json({"kind": kind, "path": str(path), **info})
    console.print(str(path), soft_wrap=True)


def _progress():
    from cli.render import progress_bars

    return progress_bars(transient=True)


def _sentences_and_groups(args: list[str]) -> tuple[list[str], list[str] | None]:
    """``s1 s2 ...`` or ``--group NAME s1 s2 --group NAME s3 ...`` -> sentences, group of each."""
    from vecs.errors import ContextualError

    sentences: list[str] = []
    groups: list[str] = []
    cur: str | None = None
    grouped = False
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--group", "-g") or a.startswith("--group="):
            grouped = True
            if a.startswith("--group="):
                cur = a.split("=", 1)[1]
            else:
                i += 1
                if i >= len(args):
                    raise ContextualError("--group needs a name")
                cur = args[i]
            if not cur:
                raise ContextualError("--group needs a name")
        elif a.startswith("--") and len(a) > 2:
            raise ContextualError(f"unknown option {a!r}")
        else:
            sentences.append(a)
            groups.append(cur or "")
        i += 1
    if grouped and "" in groups:
        raise ContextualError(f"sentence {sentences[0]!r} comes before any --group NAME; put every sentence "
                              "after a --group, or use no --group at all")
    return sentences, (groups if grouped else None)


def register(app: typer.Typer) -> None:
    plot_app = typer.Typer(help="Draw embedding spaces into image files (PNG, SVG, PDF).", no_args_is_help=True,
                           rich_markup_mode="rich")
    app.add_typer(plot_app, name="plot", rich_help_panel="Query")

    @plot_app.command("words")
    def words(
        words: Annotated[list[str], typer.Argument(metavar="WORD...", help="The words to map.")],
        method: Annotated[Literal["pca", "tsne"], typer.Option("--method", help="pca or tsne (of unit vectors).")] = "pca",
        neighbours: Annotated[int, typer.Option("--neighbours", "-k", min=0, metavar="K",
                                                help="Add each word's K nearest neighbours, in a lighter colour.")] = 0,
        model: ModelOpt = DEFAULT_MODEL,
        seed: SeedOpt = 0,
        out: _out_opt("words") = None,
        json: JsonOpt = False,
    ):
        """A 2-D map of words (PCA or t-SNE), optionally with their neighbours."""
        from vecs.plot.static import words_plot

        space = load_space(model)
        fig = words_plot(space, words, method=method, neighbours=neighbours, seed=seed)
        _done(fig, out, "words", json)

    @plot_app.command("analogy")
    def analogy(
        a: Annotated[str, typer.Argument(metavar="A")],
        b: Annotated[str, typer.Argument(metavar="B")],
        c: Annotated[str, typer.Argument(metavar="C")],
        d: Annotated[Optional[str], typer.Argument(metavar="[D]", help="Omit it to plot the model's answer.")] = None,
        model: ModelOpt = DEFAULT_MODEL,
        seed: SeedOpt = 0,
        out: _out_opt("analogy") = None,
        json: JsonOpt = False,
    ):
        """The parallelogram A : B :: C : D, with arrows A→B and C→D (PCA of the four words)."""
        from vecs.plot.static import analogy_plot

        space = load_space(model)
        fig = analogy_plot(space, a, b, c, d, seed=seed)
        _done(fig, out, "analogy", json)

    @plot_app.command("bias")
    def bias(
        words: Annotated[str, typer.Option("--list", "-l", metavar="LIST", help="A named word list (professions, "
                                           "neutral-professions...) or a file, one word per line.")] = "professions",
        model: ModelOpt = DEFAULT_MODEL,
        against: Annotated[Optional[str], typer.Option("--against", metavar="MODEL", help="A second model (e.g. "
                                                      "the debiased one) shown beside, on the same axes.")] = None,
        labels: Annotated[int, typer.Option("--labels", min=0, help="Label this many words at each end.")] = 12,
        seed: SeedOpt = 0,
        out: _out_opt("bias") = None,
        json: JsonOpt = False,
    ):
        """Words along the bias direction (x) and their main other variation (y)."""
        from vecs.plot.static import bias_plot

        space = load_space(model)
        other = load_space(against) if against else None
        fig = bias_plot(space, words, against=other, labels=labels, seed=seed)
        _done(fig, out, "bias", json)

    @plot_app.command("layers", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def layers(
        ctx: typer.Context,
        word: Annotated[str, typer.Argument(help="The word; then the sentences (or --group NAME sentences...).")],
        model: CtxModelOpt = CTX_MODEL,
        seed: SeedOpt = 0,
        out: _out_opt("layers") = None,
        json: JsonOpt = False,
    ):
        """How WORD's vector moves through the layers, one trajectory per sentence.

        [bold]vecs plot layers bank "I paid at the bank." "We sat on the bank."[/]
        Sense groups colour the trajectories:
        [bold]vecs plot layers bank --group money "..." "..." --group river "..." "..."[/]
        """
        from vecs.contextual.extract import word_vectors
        from vecs.errors import ContextualError
        from vecs.plot.contextual import layers_plot

        sentences, groups = _sentences_and_groups(list(ctx.args))
        if not sentences:
            raise ContextualError("no sentences given")
        with _progress() as progress:
            wv = word_vectors(model, sentences, word, layer="all", progress=progress)
        fig = layers_plot(wv, groups=groups, seed=seed)
        _done(fig, out, "layers", json)

    @plot_app.command("similarity")
    def similarity(
        word: Annotated[str, typer.Argument(help="The word to follow across the sentences.")],
        sentences: Annotated[list[str], typer.Argument(help="Sentences containing the word (two or more).")],
        layer: Annotated[Optional[str], typer.Option("--layer", "-l", help="A layer number (-1 = last). Default: "
                                                     "the model's default layer.")] = None,
        model: CtxModelOpt = CTX_MODEL,
        standardize: Annotated[bool, typer.Option("--standardize", help="z-score every dimension before cosine.")] = False,
        out: _out_opt("similarity") = None,
        json: JsonOpt = False,
    ):
        """The heatmap of `vecs context`: cosine of WORD between every two sentences."""
        from vecs.plot.contextual import similarity_plot
        from vecs.contextual.polysemy import context_similarities

        with _progress() as progress:
            r = context_similarities(model, word, sentences, layer=layer, standardize=standardize, progress=progress)
        fig = similarity_plot(r, r.layers[0])
        _done(fig, out, "similarity", json, layer=r.layers[0])

    @plot_app.command("lens")
    def lens(
        prompt: Annotated[str, typer.Argument(help="The text the model reads.")],
        model: Annotated[str, typer.Option("--model", "-m", help="A causal model: smollm2 (default) or one of our "
                                                                 "trained transformers.")] = LENS_MODEL,
        out: _out_opt("lens") = None,
        json: JsonOpt = False,
    ):
        """The logit-lens grid: each layer's top next-token guess at each position, coloured by probability."""
        from vecs.contextual.lens import logit_lens
        from vecs.plot.contextual import lens_plot

        with _progress() as progress:
            r = logit_lens(model, prompt, k=1, progress=progress)
        fig = lens_plot(r)
        _done(fig, out, "lens", json)
