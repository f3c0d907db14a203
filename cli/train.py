"""`vecs train`: train word vectors (word2vec) or a small GPT on a corpus and keep them in the store.

Each command parses its options, makes one library call (the trainer checks the name, opens the
corpus, trains and writes the model to the store) and renders the typed result. gensim and torch
are imported only when a command runs.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.corpus import SegmentOpt, UserDictOpt, segment_note
from cli.options import ForceOpt, JsonOpt, NameOpt, SeedOpt
from cli.render import console, emit_json, err, progress_bars, table

train_app = typer.Typer(help="Train word vectors on a corpus and keep them in the store.", no_args_is_help=True)

CorpusArg = Annotated[str, typer.Argument(
    metavar="[CORPUS]", help="A named corpus (vecs corpus list), a text file or a folder of .txt files.")]
KeepCaseOpt = Annotated[bool, typer.Option("--keep-case", help="Do not lower-case the corpus.")]

INTERRUPTED = "interrupted: nothing was written; the store is unchanged"

# The transformer's defaults, shown in --help without importing the trainer (kept equal to
# vecs.lm.train.DEFAULTS by a test).
HELP_DEFAULTS = dict(layers=2, dim=128, heads=4, context=64, batch=16, lr=2e-3, steps=1500,
                     max_vocab=8000, min_count=2, seed=0, checkpoint_every=250)
D = HELP_DEFAULTS


@train_app.command("word2vec")
def word2vec(
    name: NameOpt,
    corpus: CorpusArg = "sotu",
    dim: Annotated[int, typer.Option("--dim", min=1, help="Vector dimensions.")] = 100,
    window: Annotated[int, typer.Option("--window", min=1, help="Context words on each side.")] = 5,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Passes over the corpus.")] = 5,
    min_count: Annotated[int, typer.Option("--min-count", min=1, help="Ignore words rarer than this.")] = 5,
    sg: Annotated[bool, typer.Option("--sg/--cbow", help="Skip-gram (default) or CBOW.")] = True,
    negative: Annotated[Optional[int], typer.Option(
        "--negative", min=0, help="Negative samples per pair (default 5; gensim only).")] = None,
    sample: Annotated[Optional[float], typer.Option(
        "--sample", min=0.0, help="Down-sampling threshold for frequent words (default 1e-3; gensim only).")] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, help="Training threads (default: the number of CPUs; with 1, runs with the same "
                                 "--seed are identical). With --engine spark: partitions (default: the cores).")] = None,
    seed: SeedOpt = 1,
    phrases: Annotated[bool, typer.Option("--phrases", help="Join frequent word pairs first (new_york).")] = False,
    keep_case: KeepCaseOpt = False,
    segment: SegmentOpt = None,
    user_dict: UserDictOpt = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="gensim, or spark: Spark MLlib's Word2Vec (skip-gram, hierarchical softmax; no --negative, "
                         "--sample, --cbow). Spark needs the spark extra (pip install 'vecs\\[spark]') and "
                         "Java 17+; see docs/spark.md.")
    ] = "gensim",
    master: Annotated[Optional[str], typer.Option(
        "--master", help="With --engine spark: local[*] (default, all cores here), local[N], spark://HOST:7077, "
                         "yarn... (on a cluster every executor must read the tokenised corpus: docs/spark.md).")
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Train word2vec (gensim, skip-gram with negative sampling by default; or Spark MLlib with
    --engine spark) and store the vectors.

    Ctrl-C stops training without writing anything."""
    from vecs.static.word2vec import train_word2vec

    try:
        with progress_bars() as progress:
            r = train_word2vec(corpus, name=name, force=force, dim=dim, window=window, epochs=epochs,
                               min_count=min_count, sg=sg, negative=negative, sample=sample, workers=workers,
                               seed=seed, lower=not keep_case, phrases=phrases, progress=progress,
                               segment=segment, user_dict=user_dict, engine=engine, master=master)
    except KeyboardInterrupt:
        err.print(INTERRUPTED)
        raise typer.Exit(130) from None
    segment_note(r.space.meta["corpus"].get("note", ""))
    if as_json:
        return emit_json(r.summary())
    loss = f", loss {r.initial_loss:.3f} → {r.loss:.3f}" if r.loss is not None else ""
    console.print(
        f"[bold]{r.name}[/]: word2vec{_engine(r.space.meta)} on {r.corpus} ({r.tokens:,} tokens × {r.epochs} epochs): "
        f"{r.words:,} words × {r.dim} dims in {r.duration_s:.1f} s "
        f"(training {r.train_s:.1f} s, {r.words_per_s:,.0f} words/s{loss})")
    said = f"saved to {r.path}"  # a path is never broken: on its own line when the line would not fit
    console.print(said if len(said) <= console.width else f"saved to\n  {r.path}", soft_wrap=True)
    if getattr(r, "tokenised_path", ""):  # the tokenised copy the next run on this corpus reuses
        from pathlib import Path

        how = "reused, not tokenised again" if r.tokenised_cached else "kept for the next run"
        console.print(f"tokenised copy in the cache: corpora/{Path(r.tokenised_path).stem} "
                      f"({r.tokenised_bytes / 1e6:,.1f} MB, {how}); vecs cache lists it, "
                      "vecs cache --free corpora frees it", markup=False, highlight=False)
    words = r.space.words
    example = next((w for w in ("war", "北京") if w in r.space.index), words[min(100, len(words) - 1)])
    console.print(f"try: vecs neighbours {example} --model {r.name}")  # wraps between words, never inside one
    for w in r.warnings:  # a corpus too small for the settings, with the fix
        err.print(f"warning: {w}", markup=False, highlight=False)


def _engine(meta: dict) -> str:
    """" (Spark 4.3.0, local[2])" for a model Spark trained (escaped: the line is rich markup)."""
    from rich.markup import escape

    return escape(f" (Spark {meta.get('spark')}, {meta.get('master')})") if meta.get("engine") == "spark" else ""


@train_app.command("transformer")
def transformer(
    name: NameOpt,
    corpus: CorpusArg = "sotu",
    layers: Annotated[Optional[int], typer.Option("--layers", min=1, help=f"Transformer blocks (default {D['layers']}).")] = None,
    dim: Annotated[Optional[int], typer.Option("--dim", min=1, help=f"Width of the residual stream (default {D['dim']}).")] = None,
    heads: Annotated[Optional[int], typer.Option("--heads", min=1, help=f"Attention heads (default {D['heads']}).")] = None,
    context: Annotated[Optional[int], typer.Option("--context", min=1, help=f"Context length in tokens (default {D['context']}).")] = None,
    steps: Annotated[Optional[int], typer.Option("--steps", min=1, help=f"Optimizer steps in all (default {D['steps']}, about 3 min on an idle 2-core CPU).")] = None,
    epochs: Annotated[Optional[float], typer.Option("--epochs", help="Passes over the training tokens (instead of --steps).")] = None,
    batch: Annotated[Optional[int], typer.Option("--batch", min=1, help=f"Sequences per step (default {D['batch']}).")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help=f"Peak learning rate (warm-up, then cosine) (default {D['lr']}).")] = None,
    seed: Annotated[Optional[int], typer.Option(
        "--seed", help=f"Random seed: the same seed gives the same result (default {D['seed']}; "
                       "with --resume, the checkpoint's).")] = None,
    device: Annotated[str, typer.Option("--device", help="auto (CUDA when available), cpu or cuda.")] = "auto",
    vocab: Annotated[Optional[int], typer.Option("--vocab", min=1, help=f"Most frequent words kept, plus <unk> and <eos> (default {D['max_vocab']}).")] = None,
    min_count: Annotated[Optional[int], typer.Option("--min-count", min=1, help=f"Rarer words become <unk> (default {D['min_count']}).")] = None,
    checkpoint_every: Annotated[Optional[int], typer.Option("--checkpoint-every", min=1, help=f"Steps between checkpoints (default {D['checkpoint_every']}).")] = None,
    record_every: Annotated[Optional[int], typer.Option("--record-every", min=1, help="Steps between two points of the loss curve (default: about every 5% of the run; see `vecs plot loss NAME`).")] = None,
    prompt: Annotated[Optional[str], typer.Option("--prompt", help="The text whose next-word guesses are shown before and after training (default: the first words of a held-out sentence).")] = None,
    keep_case: KeepCaseOpt = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the training of NAME from its last checkpoint (same corpus and architecture).")] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Train a small GPT-style language model (next-word prediction) on a corpus.

    Uses the GPU when there is one (bf16), the CPU otherwise. The finished model goes to the
    store as NAME (its input embeddings answer `vecs neighbours --model NAME`); until then
    checkpoints are kept beside it, so an existing NAME is replaced (--force) only by a finished
    model. Ctrl-C (or SIGTERM) keeps the last checkpoint; `--resume` continues from it.

    It shows what the model learned by predicting the next word: its top 5 next words for a
    prompt before and after training, and the training and validation loss, kept with the
    model every few steps (`vecs plot loss NAME` draws the curve).
    """
    from vecs.lm.train import train_transformer

    try:
        with progress_bars() as progress:
            r = train_transformer(corpus, name=name, layers=layers, dim=dim, heads=heads, context=context,
                                  steps=steps, epochs=epochs, batch=batch, lr=lr, seed=seed, device=device,
                                  resume=resume, force=force, max_vocab=vocab, min_count=min_count,
                                  checkpoint_every=checkpoint_every, record_every=record_every, prompt=prompt,
                                  lower=not keep_case, progress=progress)
    except KeyboardInterrupt as e:  # the trainer's TrainingInterrupted says what is where now
        err.print(str(e) or f"interrupted: the model {name!r} is as it was", soft_wrap=True, markup=False)
        raise typer.Exit(130) from None
    if as_json:
        return emit_json(r)
    cfg = r.config
    rows = [
        ["validation perplexity", f"{r.val_perplexity:,.1f}"],
        ["unigram baseline perplexity", f"{r.unigram_perplexity:,.1f}"],
        ["baseline / model", f"{r.unigram_perplexity / r.val_perplexity:.2f}×"],
        ["validation tokens", f"{r.val_tokens:,} ({100 * r.val_unk_rate:.1f}% <unk>)"],
        ["training tokens", f"{r.train_tokens:,}"],
        ["steps", f"{r.steps:,}" + (f" (resumed at {r.resumed_from:,})" if r.resumed_from else "")],
        ["tokens seen", f"{r.tokens_seen:,} ({r.epochs:.2f} epochs)"],
        ["model", f"{cfg['n_layer']} layers × {cfg['n_embd']}, {cfg['n_head']} heads, context {cfg['block_size']}"],
        ["parameters", f"{r.parameters:,}"],
        ["vocabulary", f"{r.vocabulary:,} tokens"],
        ["device", r.device],
        ["duration", f"{r.duration_s:,.0f} s ({r.tokens_per_s:,.0f} tokens/s)"],
        ["saved", r.path],
    ]
    console.print(table(f"Transformer {r.name} on {r.corpus}", ["", "value"], rows))
    if r.guesses_before is not None and r.guesses_after is not None:
        _show_guesses(r.guesses_before, r.guesses_after, r.prompt_unknown)
    if r.history is not None and r.history.points:
        h = r.history
        console.print(f"Loss curve ({len(h.points)} points, validation {h.points[0].val_loss:.2f} → "
                      f"{h.points[-1].val_loss:.2f}): vecs plot loss {r.name}", markup=False)
    console.print(f"Neighbours in its input embeddings: vecs neighbours WORD --model {r.name}")


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%" if p >= 0.01 else f"{100 * p:.2g}%"


def _show_guesses(before, after, unknown: list[str]) -> None:
    """The model's top next words for the prompt at the start and at the end of the run, side by side."""
    sb, sa = f"step {before.step:,}", f"step {after.step:,}"
    rows = [[i + 1, b.word, _pct(b.probability), a.word, _pct(a.probability)]
            for i, (b, a) in enumerate(zip(before.guesses, after.guesses))]
    console.print(f"The model's next word after “{after.prompt} …”", markup=False)
    t = table(None, ["#", sb, "p", sa, "p "], rows, justify={"p": "right", "p ": "right"})
    for c in (t.columns[0], t.columns[2], t.columns[4]):
        c.no_wrap = True
    for c in (t.columns[1], t.columns[3]):
        c.overflow = "fold"
    console.print(t)
    if after.expected is not None:
        console.print(f"The text goes on with “{after.expected}”: {_pct(before.expected_probability)} "
                      f"(rank {before.expected_rank:,}) at {sb}, {_pct(after.expected_probability)} "
                      f"(rank {after.expected_rank:,}) at {sa}; knowing nothing gives every word "
                      f"{_pct(after.uniform)}.", markup=False)
    if unknown:
        console.print("Not in the vocabulary (read as <unk>): " + ", ".join(unknown), markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
