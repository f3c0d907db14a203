"""Contextual embeddings on the command line: `vecs context`, `vecs senses`, `vecs distill`
(the lenses are in :mod:`cli.lens`).

Nothing heavy is imported at module level: torch and transformers load inside the commands."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from cli.options import (
    ForceOpt,
    JsonOpt,
    LayerOpt,
    NameOpt,
    PoolingOpt,
    StandardizeOpt,
    StringOpt,
    parse_groups,
    progress,
)
from cli.render import console, emit_json, err, reflow, table

# the contextual model, chosen by the word when not given (vecs.contextual.polysemy.choose_model)
AutoModelOpt = Annotated[Optional[str], typer.Option(
    "--model", "-m", help="minilm (the default; gemma3 for a Chinese or other unspaced word), mpnet, smollm2, "
                          "gemma3, one of our trained transformers, or a Hugging Face checkpoint folder.")]


def _read_sentences(sentences: list[str] | None, file) -> list[str]:
    out = list(sentences or [])
    if file is not None:
        from pathlib import Path

        from vecs.errors import DatasetError

        p = Path(file)
        if str(file) == "-":
            text = sys.stdin.read()
        elif not p.is_file():
            raise DatasetError(f"no such file: {p}")
        else:
            text = p.read_text(encoding="utf-8")
        out += [ln.strip() for ln in text.splitlines() if ln.strip()]
    elif not out and not sys.stdin.isatty():
        out += [ln.strip() for ln in sys.stdin.read().splitlines() if ln.strip()]
    return out


def _alignment_rows(alignments) -> list[list]:
    return [[a.sentence, a.text, f"{a.start}–{a.end}", " ".join(a.shown or a.tokens), len(a.tokens)]
            for a in alignments]


ALIGNMENT_COLUMNS = ["#", "form", "chars", "tokens", "n"]


def _notes(r) -> None:
    """The model choice (dim, stdout) and each token warning (one line each, stderr)."""
    if r.model_note:
        console.print(r.model_note, style="dim", markup=False, highlight=False)
    for w in r.warnings:
        err.print(f"warning: {w}", markup=False)


def _short(s: str, n: int = 70) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


# --------------------------------------------------------------------------------------------
# vecs context
# --------------------------------------------------------------------------------------------
def context(
    word: Annotated[str, typer.Argument(help="The word to follow across the sentences.")],
    sentences: Annotated[Optional[list[str]], typer.Argument(help="Sentences containing the word "
                                                                  "(or --file, or stdin, one per line).")] = None,
    model: AutoModelOpt = None,
    layer: LayerOpt = None,
    pooling: PoolingOpt = "mean",
    standardize: StandardizeOpt = False,
    string: StringOpt = None,
    occurrence: Annotated[Optional[int], typer.Option("--occurrence", help="Which occurrence when the word "
                                                                           "repeats in a sentence (1 = first).")] = None,
    file: Annotated[Optional[str], typer.Option("--file", help="Read sentences from a file, one per line "
                                                               "('-' for stdin).")] = None,
    show_tokens: Annotated[bool, typer.Option("--show-tokens", help="Show how the word splits into tokens (always "
                                                                    "shown for unspaced words and when a "
                                                                    "warning is given).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Cosine similarity of WORD's vectors across sentences, layer by layer.

    Example: vecs context bank "I paid at the bank." "We sat on the river bank." --layer all

    A word in a script without spaces is found by its characters: vecs context 输 "这场足球比赛中，输了"
    "我想在这个单元格中输入数据" (gemma3 by default for such words). A word the model reads as
    unknown tokens or byte pieces is reported; an entirely unknown one is an error.
    """
    from vecs.contextual.align import unspaced
    from vecs.contextual.polysemy import context_similarities

    sents = _read_sentences(sentences, file)
    with progress() as bars:
        r = context_similarities(model, word, sents, layer=layer, pooling=pooling, standardize=standardize,
                                 string=string, occurrence=occurrence, progress=bars)
    if as_json:
        emit_json(r)
        return
    n = len(r.sentences)
    _notes(r)
    console.print(table(None, ["#", "sentence"], [[i + 1, _short(s, 100)] for i, s in enumerate(r.sentences)]))
    if show_tokens or r.warnings or unspaced(word):
        console.print(table(f"word → {r.model} tokens", ALIGNMENT_COLUMNS, _alignment_rows(r.alignments)))
    pairs = [(a, b) for a in range(1, n + 1) for b in range(a + 1, n + 1)]
    rows = [[f"{a}–{b}"] + [r.score(L, a, b) for L in r.layers] for a, b in pairs]
    cols = ["pair"] + [f"L{L}" + ("*" if L == r.default_layer else "") for L in r.layers]
    cap = (f"{r.model}, pooling {r.pooling}, standardised: {'yes' if r.standardized else 'no'}; "
           f"* default layer {r.default_layer}")
    console.print(table(f"cosine of {word!r} between sentences", cols, rows))
    console.print(cap, markup=False)


# --------------------------------------------------------------------------------------------
# vecs senses
# --------------------------------------------------------------------------------------------
def senses(
    ctx: typer.Context,
    word: Annotated[Optional[str], typer.Argument(help="The word; then --group NAME sentences... per sense.")] = None,
    model: AutoModelOpt = None,
    layer: Annotated[str, typer.Option("--layer", "-l", help="'all' (default) or one layer number.")] = "all",
    pooling: PoolingOpt = "mean",
    standardize: StandardizeOpt = False,
    string: StringOpt = None,
    file: Annotated[Optional[str], typer.Option("--file", help="A JSON file mapping each group name to a list of "
                                                               "sentences.")] = None,
    example: Annotated[bool, typer.Option("--example", "--demo", help="Without a word: the shipped example set, "
                                                                      "homonyms (bank, bat, pitcher) vs polysemes "
                                                                      "(magazine, paper, school). With a word: its "
                                                                      "shipped sense groups (杨柳: plant, farewell, "
                                                                      "name).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Within-sense versus across-sense similarity of WORD, layer by layer, and the gap.

    Each --group NAME starts a new group; the sentences after it (up to the next --group) belong
    to it:

      vecs senses bank --group money "I paid at the bank." "It lent us money."
                       --group river "We sat on the bank." "The bank flooded."

    vecs senses --example shows that across-sense similarity is lower for homonyms than for
    polysemes; vecs senses 杨柳 --example runs the shipped sentences of one word (the plant, the
    farewell of Tang and Song poems, a person's name; gemma3 by default for a Chinese word).
    """
    from vecs.contextual.polysemy import example_groups
    from vecs.contextual.polysemy import senses as run_senses
    from vecs.errors import ContextualError

    if example and word is None:
        if ctx.args:
            raise ContextualError("--example takes no groups")
        return _senses_example(model, layer, pooling, standardize, as_json)
    if word is None:
        raise ContextualError("give a word and --group NAME sentences..., or --example")
    if example:
        if ctx.args:
            raise ContextualError("--example WORD takes no groups (they are shipped)")
        groups = example_groups(word)
    else:
        sentences, labels = parse_groups(list(ctx.args), "senses", required=True)
        groups = {}
        for sentence, group in zip(sentences, labels or []):
            groups.setdefault(group, []).append(sentence)
    with progress() as bars:
        r = run_senses(model, word, groups, layer=layer, pooling=pooling, standardize=standardize, string=string,
                       file=file, progress=bars)
    if as_json:
        emit_json(r)
        return
    _notes(r)
    names = list(r.groups)
    rows = [[f"L{x.layer}" + ("*" if x.layer == r.default_layer else ""), x.within, x.across, x.gap]
            + [x.groups[n] for n in names] for x in r.layers]
    cols = ["layer", "within", "across", "gap"] + [f"within {n}" for n in names]
    cap = (f"{r.model}, pooling {r.pooling}, standardised: {'yes' if r.standardized else 'no'}; groups "
           + ", ".join(f"{k} ({v})" for k, v in r.groups.items()) + f"; * default layer {r.default_layer}")
    console.print(table(f"{word!r}: within- vs across-sense cosine", cols, rows))
    console.print(cap, markup=False)
    b = r.best
    console.print(f"Largest gap at layer {b.layer}: within {b.within:.3f}, across {b.across:.3f}.", markup=False)


def _senses_example(model, layer, pooling, standardize, as_json) -> None:
    from vecs.contextual.polysemy import sense_examples

    with progress() as bars:
        r = sense_examples(model, layer=layer, pooling=pooling, standardize=standardize, progress=bars)
    if as_json:
        emit_json(r)
        return
    for w in (x for res in r.words for x in res.warnings):
        err.print(f"warning: {w}", markup=False)
    cols = ["word", "kind"] + [f"L{x.layer}" + ("*" if x.layer == r.default_layer else "") for x in r.words[0].layers]
    rows = [[w.word, w.kind] + [x.across for x in w.layers] for w in r.words]
    rows.append(["mean", "homonyms"] + [x.homonym_across for x in r.layers])
    rows.append(["mean", "polysemes"] + [x.polyseme_across for x in r.layers])
    rows.append(["lower for homonyms?", ""] + [x.holds for x in r.layers])
    cap = (f"{r.model}, standardised: {'yes' if r.standardized else 'no'}; * default layer {r.default_layer}. "
           f"Homonym senses are unrelated, so their vectors should be further apart.")
    console.print(table("across-sense cosine per layer (lower = senses kept apart)", cols, rows, caption=cap,
                        key=2))
    if r.holds_at_default is None:
        console.print(f"The claim holds at {r.layers_holding} of {len(r.layers)} layers shown "
                      f"(the default layer {r.default_layer} was not computed).")
    else:
        verdict = "holds" if r.holds_at_default else "does not hold"
        console.print(f"At the default layer {r.default_layer} the claim {verdict}; it holds at "
                      f"{r.layers_holding} of {len(r.layers)} layers.")


# --------------------------------------------------------------------------------------------
# vecs distill
# --------------------------------------------------------------------------------------------
def distill(
    model: Annotated[str, typer.Argument(help="minilm, mpnet, smollm2, one of our transformers, or a checkpoint folder.")],
    corpus: Annotated[str, typer.Option("--corpus", "-c", help="A named corpus (sotu, lee) or a text file/folder.")],
    name: NameOpt,
    layer: LayerOpt = None,
    pooling: PoolingOpt = "mean",
    max_sentences: Annotated[Optional[int], typer.Option(
        "--sentences", "--max-sentences", min=0, metavar="N",
        help="Average over N sentences sampled from the corpus (default 3,000; 0 = every sentence). A run "
             "likely to take over a minute says how long first.")] = None,
    min_count: Annotated[int, typer.Option("--min-count", help="Keep words seen at least this often.")] = 2,
    max_words: Annotated[Optional[int], typer.Option("--max-words", help="Keep at most this many words.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Average each word's contextual vectors over a corpus into a static space.

    Bommasani et al. (2020): the result is a Space, so neighbours, analogies, evaluations and
    bias probes work on it like on word2vec. With --layer all, one model per layer: NAME-L0,
    NAME-L1..."""
    from vecs.contextual.distill import DEFAULT_SENTENCES, distill_models

    try:
        with progress() as bars:
            r = distill_models(model, corpus, name, layer=layer, pooling=pooling,
                               max_sentences=DEFAULT_SENTENCES if max_sentences is None else max_sentences,
                               min_count=min_count, max_words=max_words, force=force, progress=bars)
    except KeyboardInterrupt:
        err.print("interrupted: nothing was saved; the store is unchanged", markup=False)
        raise typer.Exit(130) from None
    if as_json:
        emit_json(r)
        return
    if r.sentences < r.corpus_sentences:
        console.print(f"Averaged over {r.sentences:,} sentences sampled from the {r.corpus_sentences:,} of "
                      f"{r.corpus} (--sentences N for more, 0 for all).", markup=False, highlight=False)
    console.print(table(f"distilled from {r.model} over {r.corpus}", ["name", "layer", "words", "dim"],
                        [[m.name, m.layer, m.words, m.dim] for m in r.models]))


# --------------------------------------------------------------------------------------------
def register(app: typer.Typer) -> None:
    """Add the contextual commands to ``app``."""
    for f in (context, senses, distill):
        f.__doc__ = reflow(f.__doc__)
    app.command("context")(context)
    app.command("senses", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(senses)
    app.command("distill")(distill)
