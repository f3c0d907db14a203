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
* **Checkpoints** live in the store folder ``models/NAME/``: the store's static Space layout
  (``vectors.npy``, ``words.txt``, ``meta.json`` with ``kind = "transformer"``: the input
  embeddings, so ``vecs neighbours --model NAME`` works) plus ``model.safetensors``,
  ``optimizer.safetensors``, ``config.json``, ``vocab.json`` and ``trainer_state.json``. Each
  checkpoint is written into a hidden sibling and swapped in, so an interrupted run leaves the
  previous checkpoint intact. No pickle: tensors in safetensors, the rest in JSON.

torch and safetensors (the ``contextual`` extra) are imported inside the functions.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vecs.corpus.reader import open_corpus
from vecs.errors import CorpusError, ModelExists, StoreError, VecsError
from vecs.extras import require_torch
from vecs.io.folder import CONFIG_FILE, is_transformer
from vecs.io.store import validate_name
from vecs.lm.checkpoint import (
    OPTIM_FILE,
    STATE_FILE,
    VOCAB_FILE,
    load_weights,
    optimizer_state_dict,
    pick_device,
    read_json,
    save_checkpoint,
)
from vecs.lm.data import build_data, unigram_perplexity
from vecs.lm.tokenizer import TOKENIZER_KIND, WordTokenizer
from vecs.paths import models_dir
from vecs.progress import ProgressFn, report

#: The default configuration: trains on ``sotu`` in about 15 minutes on a 2-core CPU.
DEFAULTS = dict(layers=4, dim=256, heads=4, context=64, batch=32, lr=2e-3, steps=1500,
                max_vocab=16000, min_count=2, seed=0, warmup=100, checkpoint_every=250,
                val_fraction=0.05, max_val_tokens=100_000)


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


def _lr_at(step: int, total: int, lr: float, warmup: int) -> float:
    if step < warmup:
        return lr * (step + 1) / warmup
    if total <= warmup:
        return lr
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    min_lr = lr / 10
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (lr - min_lr)


def _make_optimizer(model, lr: float, weight_decay: float, device: str):
    torch = require_torch()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8,
                             fused=device.startswith("cuda") or None)


def _batch(data, T: int, B: int, seed: int, step: int, device: str):
    torch = require_torch()
    g = torch.Generator().manual_seed(seed * 1_000_003 + step)
    ix = torch.randint(len(data) - T - 1, (B,), generator=g)  # (B,)
    offs = ix[:, None] + torch.arange(T + 1)[None, :]  # (B, T+1)
    chunk = data[offs]  # (B, T+1)
    x, y = chunk[:, :-1], chunk[:, 1:]  # (B, T), (B, T)
    if device.startswith("cuda"):
        return x.pin_memory().to(device, non_blocking=True), y.pin_memory().to(device, non_blocking=True)
    return x, y


def evaluate_lm(model, ids: np.ndarray, context: int, batch: int = 32, device: str = "cpu",
                max_tokens: int | None = None, progress: ProgressFn | None = None) -> tuple[float, np.ndarray]:
    """Mean cross-entropy (nats) of predicting ``ids`` in non-overlapping windows of
    ``context`` tokens, and the target ids that were scored."""
    torch = require_torch()
    ids = np.asarray(ids, dtype=np.int64)
    if max_tokens is not None and len(ids) > max_tokens + 1:
        ids = ids[: max_tokens + 1]
    n = (len(ids) - 1) // context  # full windows
    rest = (len(ids) - 1) - n * context
    total, count = 0.0, 0
    was_training = model.training
    model.eval()
    autocast = device.startswith("cuda")
    windows = [(i * context, context) for i in range(n)] + ([(n * context, rest)] if rest else [])
    with torch.inference_mode():
        for bi in range(0, len(windows), batch):
            group = windows[bi: bi + batch]
            T = group[0][1]
            same = [w for w in group if w[1] == T]
            for part in (same, [w for w in group if w[1] != T]):
                if not part:
                    continue
                T = part[0][1]
                x = torch.from_numpy(np.stack([ids[a: a + T] for a, _ in part])).to(device)
                y = torch.from_numpy(np.stack([ids[a + 1: a + T + 1] for a, _ in part])).to(device)
                with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
                    logits, _ = model(x)
                lp = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                                       y.reshape(-1), reduction="sum")
                total += float(lp)
                count += y.numel()
            report(progress, "validate", min(bi + batch, len(windows)), len(windows))
    report(progress, "validate", len(windows), len(windows), finished=True)
    if was_training:
        model.train()
    return total / max(1, count), ids[1:]


def train_transformer(corpus="sotu", *, name: str, layers: int | None = None, dim: int | None = None,
                      heads: int | None = None, context: int | None = None, steps: int | None = None,
                      epochs: float | None = None, batch: int | None = None, lr: float | None = None,
                      seed: int | None = None, device: str = "auto", resume: bool = False,
                      force: bool = False, max_vocab: int | None = None, min_count: int | None = None,
                      checkpoint_every: int | None = None, warmup: int | None = None,
                      out_dir=None, lower: bool = True,
                      progress: ProgressFn | None = None) -> TransformerResult:
    """Train (or, with ``resume``, continue training) a small GPT on ``corpus`` (a
    :class:`~vecs.corpus.reader.Corpus`, or anything :func:`~vecs.corpus.reader.open_corpus`
    takes, opened with ``lower``) and store it as the model ``name`` (in ``out_dir``, default the
    store ``models/``). An existing model ``name`` is refused before any work unless ``force``
    (replace it) or ``resume`` (continue it). Arguments left at None take :data:`DEFAULTS` (or,
    when resuming, the checkpoint's values). ``steps`` and ``epochs`` are exclusive; ``epochs``
    counts passes over the training tokens."""
    torch = require_torch()
    from vecs.lm.model import GPT, GPTConfig

    t_start = time.perf_counter()
    validate_name(name)
    if out_dir is None:
        out_dir = models_dir()
    path = Path(out_dir).expanduser() / name
    if steps is not None and epochs is not None:
        raise VecsError("give --steps or --epochs, not both")
    for label, v in (("layers", layers), ("dim", dim), ("heads", heads), ("context", context),
                     ("steps", steps), ("batch", batch), ("max_vocab", max_vocab),
                     ("checkpoint_every", checkpoint_every)):
        if v is not None and v < 1:
            raise VecsError(f"--{label.replace('_', '-')} must be at least 1 (got {v})")
    if epochs is not None and not epochs > 0:
        raise VecsError(f"--epochs must be positive (got {epochs})")
    if lr is not None and not lr > 0:
        raise VecsError(f"--lr must be positive (got {lr})")
    dev = pick_device(device)

    ckpt_state: dict | None = None
    if path.exists():
        if resume:
            if not is_transformer(path):
                raise StoreError(f"model {name!r} exists and is not a transformer checkpoint; nothing to resume")
            ckpt_state = read_json(path / STATE_FILE)
        elif not force:
            raise ModelExists(f"model {name!r} exists; use --force to replace it (or --resume to continue it)")

    corp = open_corpus(corpus, lower=lower, progress=progress)
    tokenizer = None
    if ckpt_state is not None:
        cfg = GPTConfig.from_dict(read_json(path / CONFIG_FILE))
        tokenizer = WordTokenizer.from_dict(read_json(path / VOCAB_FILE))
        p = ckpt_state.get("params", {})
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
    if dim % heads:
        raise VecsError(f"--dim ({dim}) must be a multiple of --heads ({heads})")

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

    torch.manual_seed(seed)
    config = GPTConfig(vocab_size=tokenizer.vocab_size, n_layer=layers, n_head=heads, n_embd=dim,
                       block_size=context)
    model = GPT(config)
    start_step = 0
    if ckpt_state is not None:
        load_weights(model, path)
        start_step = int(ckpt_state.get("step", 0))
    model.to(dev)
    if dev.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    opt = _make_optimizer(model, lr, 0.1, dev)
    if ckpt_state is not None and (path / OPTIM_FILE).is_file() and "optimizer" in ckpt_state:
        from safetensors.torch import load_file

        opt.load_state_dict(optimizer_state_dict(load_file(str(path / OPTIM_FILE), device=dev),
                                                  ckpt_state["optimizer"]))
    params = dict(corpus=corp.name, corpus_source=corp.source, corpus_fingerprint=corp.fingerprint(),
                  layers=layers, dim=dim, heads=heads, context=context, batch=batch, lr=lr, seed=seed,
                  warmup=warmup, steps=steps, max_vocab=max_vocab, min_count=min_count, lower=lower,
                  weight_decay=0.1, grad_clip=1.0, betas=[0.9, 0.95], schedule="warmup+cosine to lr/10")
    n_params = model.num_parameters()
    train_t = torch.from_numpy(data.train)

    def meta(step: int, complete: bool, extra: dict | None = None) -> dict:
        m = {"kind": "transformer", "source": corp.source, "params": params,
             "transformer": {"step": step, "steps": steps, "complete": complete, "parameters": n_params,
                             "layers": layers, "dim": dim, "heads": heads, "context": context,
                             "vocabulary": tokenizer.vocab_size, "tokenizer": TOKENIZER_KIND,
                             "device": dev, **(extra or {})}}
        return m

    def checkpoint(step: int, complete: bool = False, extra: dict | None = None) -> None:
        state = {"step": step, "params": params, "complete": complete, "tokens_seen": step * batch * context,
                 "updated": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), **(extra or {})}
        save_checkpoint(path, model, tokenizer, opt, state, meta(step, complete, extra))

    stage = f"train {name}"
    model.train()
    autocast = dev.startswith("cuda")
    ema = None
    tok_per_step = batch * context
    t_train = time.perf_counter()
    t_last, step_last = t_train, start_step
    rate = 0.0
    step = start_step
    while step < steps:
        cur_lr = _lr_at(step, steps, lr, warmup)
        for g in opt.param_groups:
            g["lr"] = cur_lr
        x, y = _batch(train_t, context, batch, seed, step, dev)  # (B, T), (B, T)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
            _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        lv = float(loss.detach())
        if not math.isfinite(lv):
            raise VecsError(f"training diverged at step {step} (loss {lv}); try a smaller --lr")
        ema = lv if ema is None else 0.95 * ema + 0.05 * lv
        now = time.perf_counter()
        if now - t_last >= 1.0 or step == steps or step - start_step == 1:
            rate = (step - step_last) * tok_per_step / max(now - t_last, 1e-9)
            t_last, step_last = now, step
        report(progress, stage, step, steps, loss=ema, ppl=math.exp(min(ema, 50)),
               tokens_per_s=rate, lr=cur_lr)
        if step % checkpoint_every == 0 and step < steps:
            checkpoint(step)
    train_seconds = time.perf_counter() - t_train
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
    tokens_seen = step * tok_per_step
    return TransformerResult(
        name=name, path=str(path), corpus=corp.name, device=dev, parameters=n_params,
        config=config.to_dict(), vocabulary=tokenizer.vocab_size, train_tokens=int(len(data.train)),
        val_tokens=int(len(targets)), val_unk_rate=data.unk_rate, steps=step, steps_this_run=steps_run,
        resumed_from=start_step, tokens_seen=tokens_seen, epochs=tokens_seen / max(1, len(data.train)),
        final_loss=ema, val_loss=val_loss, val_perplexity=val_ppl, unigram_perplexity=uni_ppl,
        duration_s=time.perf_counter() - t_start,
        tokens_per_s=steps_run * tok_per_step / train_seconds if steps_run and train_seconds > 0 else 0.0,
        params=params,
    )
