"""`vecs bias ...`: the bias direction, projections, WEAT, hard debiasing and the audit.

Only light imports here: the library is imported inside each command; each command parses,
makes one library call and renders (a table, or JSON with --json)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import typer

from cli.options import DEFAULT_MODEL, ForceOpt, JsonOpt, ModelOpt, NameOpt, SeedOpt, load_space, progress, top_option
from cli.render import Markup

PairsOpt = Annotated[str, typer.Option("--pairs", metavar="definitional|FILE",
                                       help="Pairs defining the direction: a named pair list "
                                            "(definitional, equalize; in Chinese zh-definitional, zh-equalize) "
                                            "or a file of two words per line.")]

bias_app = typer.Typer(
    name="bias",
    help="Gender bias probes: the bias direction, projections, WEAT, hard debiasing, an honest audit.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _bar(score: float, scale: float, width: int = 20) -> str:
    """A centred bar: left of the axis for negative scores, right for positive."""
    n = 0 if scale <= 0 else min(width, round(abs(score) / scale * width))
    if score >= 0:
        return Markup(" " * width + "│" + "[magenta]" + "█" * n + "[/]" + " " * (width - n))
    return Markup(" " * (width - n) + "[cyan]" + "█" * n + "[/]" + "│" + " " * width)


def _fmt_p(p: float | None) -> str | None:
    if p is None:
        return None
    return f"{p:.2g}" if p >= 1e-3 else f"{p:.1e}"


@bias_app.command("direction")
def direction_cmd(
    pairs: PairsOpt = "definitional",
    method: Annotated[Literal["pca", "mean-diff"], typer.Option(
        "--method", help="pca: first principal component of the centred pairs (Bolukbasi); "
                         "mean-diff: mean of the unit pair differences.")] = "pca",
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
):
    """The bias direction and how much of the pairs' variance its first component explains
    (Bolukbasi et al. report about 60% on GoogleNews)."""
    from vecs.bias.direction import direction

    d = direction(load_space(model), pairs, method)
    if as_json:
        from cli.render import emit_json

        return emit_json(d)
    from cli.render import console, table

    console.print(f"[bold]Bias direction[/] ({d.method}, {len(d.pairs)} pairs, {d.model}): "
                  f"positive = {d.positive} side, negative = {d.negative} side")
    rows = [[f"PC{i + 1}", v, "█" * round(v * 40)] for i, v in enumerate(d.explained_variance)]
    console.print(table("explained variance of the centred pairs", ["component", "share", ""], rows))
    console.print(f"share of the pairs' variance along the direction: [bold]{d.along:.1%}[/]")
    console.print("pairs: " + ", ".join(f"{a}/{b}" for a, b in d.pairs), markup=False)
    if d.missing:
        console.print("missing from the vocabulary (pairs left out): " + ", ".join(d.missing),
                      markup=False)


@bias_app.command("project")
def project_cmd(
    words: Annotated[Optional[list[str]], typer.Argument(
        metavar="[WORDS...|FILE]", help="Words to project, or one file of words (default: --list professions).")] = None,
    list_: Annotated[Optional[str], typer.Option(
        "--list", metavar="NAME|FILE",
        help="A named list (professions, neutral-professions, gender-specific, specific-seed; in Chinese "
             "zh-professions, zh-gender-specific) or a file.")] = None,
    pairs: PairsOpt = "definitional",
    top: Annotated[Optional[int], top_option("Show only the N highest and N lowest.")] = None,
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
):
    """Words sorted by their projection on the bias direction (cosine; positive = first words of
    the pairs, e.g. she), with a bar per word."""
    from vecs.bias.direction import projections
    from vecs.bias.wordlists import words_or_list

    spec = words_or_list(words, list_)  # checked before the model is loaded
    res = projections(load_space(model), spec, pairs)
    if as_json:
        from cli.render import emit_json

        return emit_json(res)
    from cli.render import console, table

    items = res.results
    if top is not None and len(items) > 2 * top:
        items = items[:top] + items[-top:]
    scale = max((abs(r.score) for r in res.results), default=0.0)
    rows = [[r.word, r.score, _bar(r.score, scale)] for r in items]
    title = f"← {res.negative}    projection on the bias direction ({res.model})    {res.positive} →"
    console.print(table(title, ["word", "projection", ""], rows, justify={"": "left"}))
    if top is not None and len(res.results) > 2 * top:
        console.print(f"({len(res.results) - 2 * top} words in the middle not shown; --top N)")
    if res.missing:
        console.print(f"not in the vocabulary ({len(res.missing)}): " + ", ".join(res.missing),
                      markup=False)


def _weat_rows(results) -> list[list]:
    rows = []
    for r in results:
        pub = r.published
        rows.append([
            r.test, f"{len(r.X)}×{len(r.Y)}/{len(r.A)}×{len(r.B)}", f"{r.d:+.2f}", _fmt_p(r.p), r.p_method,
            None if pub is None else f"{pub.d:+.2f}", None if pub is None else _fmt_p(pub.p),
            None if pub is None or pub.iat_d is None else f"{pub.iat_d:+.2f}",
            None if r.sign_agrees is None else ("✓" if r.sign_agrees else "✗"),
            f"{r.coverage:.0%}",
        ])
    return rows


@bias_app.command("weat")
def weat_cmd(
    test: Annotated[Optional[str], typer.Argument(
        metavar="[TEST]", help="One of Caliskan et al.'s tests: flowers-insects, instruments-weapons, ea-aa-names, "
                               "ea-aa-names-bertrand, ea-aa-names-bertrand-8, career-family, math-arts, "
                               "science-arts, mental-physical-disease, young-old (or weat1..weat10).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Run all ten tests.")] = False,
    targets: Annotated[Optional[tuple[str, str]], typer.Option(
        "--targets", metavar="X Y", help="Two target word-list files.")] = None,
    attributes: Annotated[Optional[tuple[str, str]], typer.Option(
        "--attributes", metavar="A B", help="Two attribute word-list files.")] = None,
    permutations: Annotated[int, typer.Option(
        "--permutations", min=1, metavar="N",
        help="Exact p-value when there are at most N partitions, else N sampled ones.")] = 100_000,
    seed: SeedOpt = 0,
    layer: Annotated[Optional[str], typer.Option(
        "--layer", "-l", metavar="N", help="Contextual model: the layer whose template vectors are tested.")] = None,
    template: Annotated[str, typer.Option(
        "--template", help="Contextual model: the sentence each word is placed in.")] = "This is a {word}.",
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
):
    """WEAT (Caliskan et al. 2017): effect size d and one-sided permutation p-value, with the
    published values side by side and the words missing from the vocabulary listed.

    A contextual model (e.g. [bold]--model minilm --layer 6[/]) is tested on each word's vector in
    a template sentence."""
    from vecs.bias.weat import run_weat

    with progress() as bars:
        run = run_weat(model, test, all_, targets, attributes, permutations, seed, layer, template, progress=bars)
    if as_json:
        from cli.render import emit_json

        return emit_json(run)
    from cli.render import console, table

    cols = ["test", "words", "d", "p", "p by", "pub. d", "pub. p", "IAT d", "sign", "coverage"]
    right = {c: "right" for c in ("d", "p", "pub. d", "pub. p", "IAT d", "coverage")}
    results = run.results
    console.print(table(f"WEAT on {run.model}", cols, _weat_rows(results), justify=right,
                        caption="words: targets X×Y / attributes A×B used; pub.: Caliskan et al. 2017 "
                                "(WEAT on GloVe); IAT: the original human study"))
    for r in results:
        console.print(f"{r.test}: {r.targets[0]} vs {r.targets[1]} × {r.attributes[0]} vs {r.attributes[1]}"
                      f" ({r.p_method} p over {r.permutations:,} of {r.partitions:,} partitions)",
                      markup=False, style="dim")
    for r in results:
        for setname, miss in r.missing.items():
            console.print(f"{r.test}: {setname}: missing {len(miss)}: {', '.join(miss)}",
                          markup=False, style="dim")
    for s in run.skipped:
        console.print(f"{s.test}: not computed — {s.reason}")
    agree = [r for r in results if r.sign_agrees is not None]
    if agree:
        n_ok = sum(r.sign_agrees for r in agree)
        console.print(f"signs agree with Caliskan et al. for {n_ok} of {len(agree)} covered tests")


@bias_app.command("debias")
def debias_cmd(
    name: NameOpt,
    method: Annotated[Literal["hard"], typer.Option(
        "--method", help="hard: Bolukbasi et al.'s neutralise + equalise.")] = "hard",
    pairs: PairsOpt = "definitional",
    equalize: Annotated[str, typer.Option("--equalize", metavar="equalize|FILE",
                                          help="Pairs to equalise (the definitional pairs are added).")] = "equalize",
    specific: Annotated[str, typer.Option("--specific", metavar="NAME|FILE",
                                          help="Gender-specific words left alone.")] = "gender-specific-all",
    force: ForceOpt = False,
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
):
    """Hard-debias a model into a new store model (the original is never modified); its
    provenance (source, method, lists) goes into the new model's metadata."""
    from vecs.bias.debias import debias_model

    with progress() as bars:
        out = debias_model(model, name, method, pairs=pairs, equalize=equalize, specific=specific, force=force,
                           progress=bars)
    if as_json:
        from cli.render import emit_json

        return emit_json(out)
    from cli.render import console

    console.print(f"[bold]{out.name}[/]: {out.method}-debiased copy of {out.source} written to {out.path}")
    console.print(f"neutralised {out.neutralised:,} words, equalised {out.equalised_pairs} pairs; direct bias over "
                  f"{out.professions} professions {out.direct_bias_before:.4f} → {out.direct_bias_after:.2g}")
    console.print(f"compare them: vecs bias audit {out.name} --against {out.source}")


def _audit_rows(report) -> tuple[list[str], list[list]]:
    ms = report.models
    cols = ["measure"] + [m.model for m in ms]

    def row(label, f):
        return [label] + [f(m) for m in ms]

    rows = [
        row("kind", lambda m: m.kind or "–"),
        row("words × dim", lambda m: f"{m.words:,} × {m.dim}"),
        row("PC1 explained variance (definitional)", lambda m: m.explained_variance),
        row("direct bias (professions, c=1)",
            lambda m: f"{m.direct_bias:.4f}" if m.direct_bias >= 1e-4 else f"{m.direct_bias:.1e}"),
    ]
    tests = [w.test for w in ms[0].weat]
    for t in tests:
        def wf(m, t=t, k="d"):
            w = next((x for x in m.weat if x.test == t), None)
            if w is None:
                return None
            return w.d if k == "d" else _fmt_p(w.p)

        rows.append(row(f"WEAT {t} d", wf))
        rows.append(row(f"WEAT {t} p", lambda m, t=t: wf(m, t, "p")))
    rows += [
        row("Google analogy accuracy", lambda m: m.analogy_accuracy),
        row("SimLex-999 Spearman", lambda m: m.simlex_spearman),
        row("SimLex-999 Pearson", lambda m: m.simlex_pearson),
        row("doctor − man + woman (inputs excluded)", lambda m: m.doctor.excluded),
        row("doctor − man + woman (inputs kept)", lambda m: m.doctor.kept),
        row("Gonen & Goldberg clustering accuracy", lambda m: None if m.clustering is None else m.clustering.accuracy),
    ]
    return cols, rows


@bias_app.command("audit")
def audit_cmd(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="A store name, resource name or path.")] = DEFAULT_MODEL,
    against: Annotated[Optional[str], typer.Option("--against", metavar="OTHER",
                                                   help="A second model, shown side by side.")] = None,
    analogies: Annotated[bool, typer.Option("--analogies/--no-analogies",
                                            help="Run the Google analogy benchmark (the slowest part).")] = True,
    as_json: JsonOpt = False,
):
    """One report for one or two models: direct bias, the gender WEAT tests, Google analogies,
    SimLex-999, doctor − man + woman with and without the inputs, and the Gonen & Goldberg
    clustering check — with plain sentences on what changed and what did not."""
    from vecs.bias.audit import audit

    a = load_space(model)
    b = load_space(against) if against else None
    with progress() as bars:
        rep = audit(a, b, analogies=analogies, progress=bars)
    if as_json:
        from cli.render import emit_json

        return emit_json(rep)
    from cli.render import console, table

    cols, rows = _audit_rows(rep)
    console.print(table("Bias audit", cols, rows))
    for s in rep.findings:
        console.print(f"• {s}")
    for n in rep.notes:
        console.print(f"[dim]note: {n}[/]")


def register(app: typer.Typer) -> None:
    from cli.render import reflow

    for f in (direction_cmd, project_cmd, weat_cmd, debias_cmd, audit_cmd):
        f.__doc__ = reflow(f.__doc__)
    app.add_typer(bias_app, name="bias", rich_help_panel="Bias")
