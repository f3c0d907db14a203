"""Contextual embeddings: the vector of a word *in a sentence*, at every layer of a transformer.

One interface, :class:`ContextModel`, over three kinds of model:

* a pretrained checkpoint resource — ``minilm`` (BERT, 6 layers x 384, the default), ``mpnet``
  (12 x 768), ``smollm2`` (a causal LM, 30 x 576);
* any local Hugging Face checkpoint folder (``config.json`` + ``model.safetensors`` + a fast
  tokenizer); safetensors only, nothing is ever downloaded (``HF_HUB_OFFLINE``);
* one of our own trained transformers (:mod:`vecs.transformer`, store kind ``transformer``).

Layers are numbered ``0`` (the token embeddings, before any block) to ``n_layers`` (after the
last block). For causal models every layer is the residual stream *before* the final norm
(Hugging Face returns the last one already normalised; we take the un-normalised one from the
final norm's input), so the logit lens applies the final norm exactly once to every layer.

Each model has a documented **default layer**, a property of the architecture, never chosen on
evaluation data: for encoders ``n_layers - ceil(n_layers / 6)`` — the upper layers short of the
top sixth (minilm 5 of 6, mpnet 10 of 12, BERT-base 10 of 12) —, for causal LMs
``n_layers // 2`` (smollm2 15 of 30). Why: probing studies find word-sense information peaks in
the upper layers of BERT-style encoders, while the very top layers are the most
context-specific and, in sentence-transformer fine-tunes, shaped for sentence pooling (Tenney
et al. 2019; Ethayarajh 2019; Vulić et al. 2020); causal LMs keep it in the middle layers,
their last layers specialising in predicting the next token (the logit lens). The rule was
checked on our own development set of sense pairs (``vecs/data/relatedness_dev.csv``, see
``vecs eval relatedness dev``), where it picks the best layer of both encoders.

Word-to-token alignment works on character spans: the target occurrence (found by text, whole
word, case-insensitive; ``occurrence`` picks the n-th, counting from 1; ``string`` names an
inflected form such as ``broke`` for the word ``break``) owns every token whose span overlaps
it; its vector is the ``mean`` (default), ``first``, ``last`` or ``sum`` of those tokens.

torch and transformers belong to the optional extra ``contextual`` and are imported only inside
functions; a missing one raises :class:`MissingExtra`.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from vecs.errors import ContextualError, FormatError, MissingExtra, ModelNotFound
from vecs.progress import ProgressFn, report
from vecs.space import Space

POOLINGS = ("mean", "first", "last", "sum")
RESOURCES = ("minilm", "mpnet", "smollm2")
DEFAULT_MODEL = "minilm"
WORD_RE = re.compile(r"\w+(?:['’-]\w+)*")


# --------------------------------------------------------------------------------------------
# Lazy imports
# --------------------------------------------------------------------------------------------
def _torch():
    try:
        import torch
    except ImportError:
        raise MissingExtra("contextual", "torch") from None
    return torch


def _transformers():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is ever fetched from a hub
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    _torch()
    try:
        import transformers
    except ImportError:
        raise MissingExtra("contextual", "transformers") from None
    transformers.logging.set_verbosity_error()
    try:
        transformers.logging.disable_progress_bar()
    except AttributeError:  # pragma: no cover - older transformers
        pass
    return transformers


def default_layer(n_layers: int, causal: bool) -> int:
    """The documented default layer (see the module docstring): the upper layers short of the
    top sixth for encoders, the middle for causal LMs."""
    if n_layers <= 1:
        return n_layers
    return n_layers // 2 if causal else max(1, n_layers - math.ceil(n_layers / 6))


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------
@dataclass
class _Batch:
    """A padded batch. ``states`` (L+1, B, T, C) float32 torch tensor; per row ``spans``: a
    character span (start, end) per token, None for special and padding tokens."""

    states: object
    spans: list[list[tuple[int, int] | None]]
    tokens: list[list[str]]


class ContextModel:
    """A transformer seen as a stack of layers of per-token vectors. Subclasses implement
    :meth:`_encode` (tokenise with character spans) and :meth:`_run` (hidden states); causal
    ones also :meth:`_lens_logits`."""

    name: str = ""
    kind: str = ""  # "hf-encoder" | "hf-causal" | "gpt"
    source: str = ""
    n_layers: int = 0  # blocks; there are n_layers + 1 layers counting the embeddings
    dim: int = 0
    causal: bool = False
    max_tokens: int = 512
    default_layer: int = 0

    def __repr__(self) -> str:
        return f"ContextModel({self.name!r}, {self.kind}, layers={self.n_layers}, dim={self.dim})"

    @property
    def layers(self) -> list[int]:
        return list(range(self.n_layers + 1))

    def resolve_layers(self, layer) -> list[int]:
        """``None`` -> [default layer]; ``"all"`` -> every layer; an int (negative counts from
        the end, ``-1`` is the last) or a digit string -> that layer."""
        if layer is None:
            return [self.default_layer]
        if isinstance(layer, str):
            if layer.strip().lower() == "all":
                return self.layers
            try:
                layer = int(layer)
            except ValueError:
                raise ContextualError(f"layer must be a number or 'all', not {layer!r}") from None
        if isinstance(layer, (list, tuple)):
            return [x for item in layer for x in self.resolve_layers(item)]
        n = self.n_layers
        idx = int(layer) + n + 1 if int(layer) < 0 else int(layer)
        if not 0 <= idx <= n:
            raise ContextualError(f"layer {layer} is out of range for {self.name} (0..{n}; 0 is the embeddings)")
        return [idx]

    def batch(self, texts: Sequence[str]) -> _Batch:
        """Hidden states of every layer for a batch of texts (inference mode)."""
        torch = _torch()
        with torch.inference_mode():
            return self._run(list(texts))

    def _run(self, texts: list[str]) -> _Batch:  # pragma: no cover - abstract
        raise NotImplementedError

    def lens_logits(self, text: str):
        """``(tokens, logits (L+1, T, V))``: every layer's residual through the final norm (once)
        and the unembedding."""
        if not self.causal:
            raise ContextualError(f"{self.name} has no causal language-model head; the logit lens needs one "
                                  f"(try --model smollm2 or one of our trained transformers)")
        torch = _torch()
        with torch.inference_mode():
            return self._lens_logits(text)

    def _lens_logits(self, text: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def token_text(self, token_id: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- what the feed-forward lens needs (causal models) ----------------------------------------
    def mlp_modules(self) -> list:  # pragma: no cover - abstract
        """The feed-forward block of every layer, in order."""
        raise NotImplementedError

    def final_norm_module(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def unembedding(self):  # pragma: no cover - abstract
        """The unembedding matrix ``(V, C)``."""
        raise NotImplementedError

    def token_id(self, word: str) -> int:  # pragma: no cover - abstract
        """The id of the first token of ``word`` as it would follow other text."""
        raise NotImplementedError


class HFModel(ContextModel):
    """A Hugging Face checkpoint folder (safetensors only, local files only)."""

    def __init__(self, path: Path, name: str | None = None):
        tr = _transformers()
        torch = _torch()
        path = Path(path)
        if not (path / "config.json").is_file():
            raise FormatError(f"{path}: not a Hugging Face checkpoint folder (no config.json)")
        if not any(path.glob("*.safetensors")):
            raise FormatError(f"{path}: no .safetensors weights (vecs loads safetensors only, never pickle)")
        cfg = tr.AutoConfig.from_pretrained(path, local_files_only=True)
        archs = list(getattr(cfg, "architectures", None) or [])
        self.causal = any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs) or bool(
            getattr(cfg, "is_decoder", False))
        cls = tr.AutoModelForCausalLM if self.causal else tr.AutoModel
        try:
            self.model = cls.from_pretrained(path, local_files_only=True, use_safetensors=True,
                                             dtype=torch.float32).eval()
            self.tok = tr.AutoTokenizer.from_pretrained(path, local_files_only=True)
        except (OSError, ValueError) as e:
            raise FormatError(f"{path}: cannot load the checkpoint: {str(e).splitlines()[0]}") from None
        if not getattr(self.tok, "is_fast", False):
            raise FormatError(f"{path}: needs a fast tokenizer (tokenizer.json) for character alignment")
        self.tok.padding_side = "right"
        if self.tok.pad_token is None:
            self.tok.pad_token = self.tok.eos_token or self.tok.unk_token
        self.name = name or path.name
        self.source = str(path)
        self.kind = "hf-causal" if self.causal else "hf-encoder"
        self.n_layers = int(cfg.num_hidden_layers)
        self.dim = int(cfg.hidden_size)
        limit = int(getattr(cfg, "max_position_embeddings", 512) or 512)
        self.max_tokens = min(limit - 2 if cfg.model_type in ("roberta", "mpnet", "xlm-roberta") else limit, 512)
        self.default_layer = default_layer(self.n_layers, self.causal)
        self._norm = None
        self._prefix: list[int] = []
        if self.causal:
            self._norm = self._find_final_norm()
            self._prefix = self._start_tokens()

    # -- causal specifics ---------------------------------------------------------------------
    def _find_final_norm(self):
        base = self.model.base_model
        for attr in ("norm", "ln_f", "final_layer_norm", "final_layernorm"):
            mod = getattr(base, attr, None)
            if mod is not None:
                return mod
        raise FormatError(f"{self.source}: cannot find the final norm of this causal model")

    def _start_tokens(self) -> list[int]:
        """A causal LM reads a text as the start of a document: if its tokenizer does not add a
        start token itself, prepend the document separator it was trained with
        (``<|endoftext|>`` in GPT-2 style vocabularies, else the BOS token)."""
        ids = self.tok("a")["input_ids"]
        if ids and ids[0] in set(self.tok.all_special_ids):
            return []
        vocab = self.tok.get_vocab()
        for t in ("<|endoftext|>", "<s>", "<|begin_of_text|>"):
            if t in vocab:
                return [vocab[t]]
        return [self.tok.bos_token_id] if self.tok.bos_token_id is not None else []

    # -- the interface --------------------------------------------------------------------------
    def _encode(self, texts: list[str]):
        torch = _torch()
        enc = self.tok(texts, padding=True, truncation=True, max_length=self.max_tokens - len(self._prefix),
                       return_offsets_mapping=True, return_special_tokens_mask=True, return_tensors="pt")
        ids, mask = enc["input_ids"], enc["attention_mask"]
        special = enc["special_tokens_mask"].bool() | (mask == 0)
        offsets = enc["offset_mapping"]
        if self._prefix:
            B, k = ids.shape[0], len(self._prefix)
            pre = torch.tensor(self._prefix, dtype=ids.dtype).expand(B, k)
            ids = torch.cat([pre, ids], 1)
            mask = torch.cat([torch.ones(B, k, dtype=mask.dtype), mask], 1)
            special = torch.cat([torch.ones(B, k, dtype=torch.bool), special], 1)
            offsets = torch.cat([torch.zeros(B, k, 2, dtype=offsets.dtype), offsets], 1)
        spans = []
        off_l, sp_l = offsets.tolist(), special.tolist()
        for row_off, row_sp in zip(off_l, sp_l):
            spans.append([None if sp or e <= s else (s, e) for (s, e), sp in zip(row_off, row_sp)])
        tokens = [self.tok.convert_ids_to_tokens(r) for r in ids.tolist()]
        return ids, mask, spans, tokens

    def _run(self, texts: list[str]) -> _Batch:
        torch = _torch()
        ids, mask, spans, tokens = self._encode(texts)
        captured = {}
        hook = None
        if self._norm is not None:
            hook = self._norm.register_forward_pre_hook(lambda mod, args: captured.__setitem__("x", args[0]))
        try:
            base = self.model.base_model if self.causal else self.model
            out = base(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        finally:
            if hook is not None:
                hook.remove()
        hs = list(out.hidden_states)
        if self.causal and "x" in captured:
            # Hugging Face returns the last state after the final norm: use the residual itself
            hs[-1] = captured["x"]
        states = torch.stack(hs, 0).float()  # (L+1, B, T, C)
        return _Batch(states, spans, tokens)

    def _lens_logits(self, text: str):
        b = self._run([text])
        h = b.states[:, 0]  # (L+1, T, C)
        logits = self.model.get_output_embeddings()(self._norm(h))  # norm once, then unembed
        return b.tokens[0], logits

    def token_text(self, token_id: int) -> str:
        return self.tok.decode([int(token_id)])

    def mlp_modules(self) -> list:
        layers = getattr(self.model.base_model, "layers", None) or getattr(self.model.base_model, "h", None)
        mlps = [getattr(b, "mlp", None) for b in (layers or [])]
        if not mlps or any(m is None for m in mlps):
            raise ContextualError(f"cannot find the feed-forward blocks of {self.name}")
        return mlps

    def final_norm_module(self):
        return self._norm

    def unembedding(self):
        return self.model.get_output_embeddings().weight

    def token_id(self, word: str) -> int:
        ids = self.tok.encode(" " + word.strip(), add_special_tokens=False)
        if not ids:
            raise ContextualError(f"{word!r} gives no token in {self.name}'s vocabulary")
        return int(ids[0])


class GPTModel(ContextModel):
    """One of our trained transformers (:mod:`vecs.transformer`), behind the same interface."""

    def __init__(self, spec: str | Path, name: str | None = None):
        try:
            from vecs.lm_train import load_transformer
        except ImportError:  # pragma: no cover - where it lived at first
            from vecs.transformer import load_transformer

        self.model, self.tokenizer, self.config = load_transformer(spec)
        self.model.eval()
        self.name = name or Path(str(spec)).name
        self.source = str(spec)
        self.kind = "gpt"
        self.causal = True
        self.n_layers = int(self.config.n_layer)
        self.dim = int(self.config.n_embd)
        self.max_tokens = int(self.config.block_size)
        self.default_layer = default_layer(self.n_layers, True)
        try:
            self._device = next(self.model.parameters()).device
        except StopIteration:  # pragma: no cover
            self._device = "cpu"

    def _encode(self, texts: list[str]):
        torch = _torch()
        rows, spans = [], []
        import inspect

        # the model saw <eos> before every training sentence: start each text the same way
        bos = "add_bos" in inspect.signature(self.tokenizer.encode).parameters
        for t in texts:
            ids, sp = self.tokenizer.encode(t, add_bos=True) if bos else self.tokenizer.encode(t)
            ids, sp = list(ids)[: self.max_tokens], list(sp)[: self.max_tokens]
            rows.append(ids)
            spans.append([tuple(s) if s is not None and s[1] > s[0] else None for s in sp])
        T = max((len(r) for r in rows), default=1) or 1
        idx = torch.zeros(len(rows), T, dtype=torch.long)
        for i, r in enumerate(rows):
            if r:
                idx[i, : len(r)] = torch.tensor(r, dtype=torch.long)
            spans[i] = spans[i] + [None] * (T - len(r))
        tokens = [[self.token_text(j) for j in r] + [""] * (T - len(r)) for r in rows]
        return idx, spans, tokens

    def _run(self, texts: list[str]) -> _Batch:
        torch = _torch()
        idx, spans, tokens = self._encode(texts)
        # right padding: causal attention means padding never changes the real positions
        hs = self.model.hidden_states(idx.to(self._device))
        states = torch.stack([h.float().cpu() for h in hs], 0)  # (L+1, B, T, C)
        return _Batch(states, spans, tokens)

    def _lens_logits(self, text: str):
        b = self._run([text])
        h = b.states[:, 0].to(self._device)  # (L+1, T, C)
        logits = self.model.unembed(self.model.final_norm(h)).float().cpu()
        return b.tokens[0], logits

    def token_text(self, token_id: int) -> str:
        tok = self.tokenizer
        for attr in ("decode_token", "id_to_token"):
            f = getattr(tok, attr, None)
            if callable(f):
                return str(f(int(token_id)))
        f = getattr(tok, "decode", None)
        if callable(f):
            out = f([int(token_id)])
            return out if isinstance(out, str) else " ".join(out)
        for attr in ("words", "itos", "vocab"):
            seq = getattr(tok, attr, None)
            if isinstance(seq, (list, tuple)):
                return str(seq[int(token_id)])
        return str(token_id)  # pragma: no cover

    def mlp_modules(self) -> list:
        return [b.mlp for b in self.model.blocks]

    def final_norm_module(self):
        return self.model.ln_f

    def unembedding(self):
        return self.model.lm_head.weight

    def token_id(self, word: str) -> int:
        ids, _ = self.tokenizer.encode(word)
        if not ids:
            raise ContextualError(f"{word!r} gives no token in {self.name}'s vocabulary")
        return int(ids[0])


_CACHE: dict[str, ContextModel] = {}


def available_models() -> list[str]:
    """Resource names plus our trained transformers in the store."""
    from vecs.paths import models_dir

    ours = []
    for p in sorted(models_dir().iterdir()):
        if _store_kind(p) == "transformer":
            ours.append(p.name)
    return list(RESOURCES) + ours


def _store_kind(folder: Path) -> str | None:
    meta = folder / "meta.json"
    if not meta.is_file():
        return None
    import json

    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError):
        return None


def load_model(spec: str | os.PathLike | ContextModel | None = None,
               progress: ProgressFn | None = None) -> ContextModel:
    """A :class:`ContextModel` for ``spec``: a transformer resource name (fetched on first use),
    one of our trained transformers in the store, a folder holding one, or a local Hugging Face
    checkpoint folder. Loaded models are kept for the life of the process."""
    if isinstance(spec, ContextModel):
        return spec
    spec = DEFAULT_MODEL if spec is None else spec
    key = os.fspath(spec)
    if key in _CACHE:
        return _CACHE[key]
    from vecs import resources
    from vecs.paths import models_dir

    model: ContextModel | None = None
    if isinstance(spec, str) and spec in resources.CATALOGUE and resources.CATALOGUE[spec].kind == "transformer":
        _transformers()  # a missing extra is reported before any download
        folder = resources.path(spec, progress=progress)
        model = HFModel(folder, name=spec)
    elif isinstance(spec, str) and "/" not in spec and _store_kind(models_dir() / spec) == "transformer":
        _torch()
        model = GPTModel(spec, name=spec)
    else:
        p = Path(key).expanduser()
        if p.is_dir() and _store_kind(p) == "transformer":
            _torch()
            model = GPTModel(p)
        elif p.is_dir() and (p / "config.json").is_file():
            model = HFModel(p)
        elif p.is_dir() and (p / "model" / "config.json").is_file():  # a resource folder
            model = HFModel(p / "model", name=p.name)
    if model is None:
        import difflib

        known = available_models()
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f" (known: {', '.join(known)}, or a checkpoint folder)"
        raise ModelNotFound(f"no transformer model named {key!r}{hint}")
    _CACHE[key] = model
    return model


def dequantise_gguf(gguf_path: str | os.PathLike, out_dir: str | os.PathLike,
                    progress: ProgressFn | None = None) -> Path:
    """Turn a GGUF causal LM into a plain safetensors checkpoint folder (config, float32
    ``model.safetensors``, tokenizer files), once, so that later loads are fast.

    transformers' own ``from_pretrained(..., gguf_file=...)`` insists on ``accelerate`` in
    recent versions; the same pieces without it: the config and the tokenizer from the GGUF
    metadata, the tensors dequantised by transformers' GGUF reader, tied weights re-tied."""
    tr = _transformers()
    torch = _torch()
    try:
        import gguf  # noqa: F401
    except ImportError:
        raise MissingExtra("contextual", "gguf") from None
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    stage = f"dequantise {gguf_path.name}"
    report(progress, stage, 0, 3)
    cfg = tr.AutoConfig.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, local_files_only=True)
    model = tr.AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    report(progress, stage, 1, 3)
    import contextlib
    import io

    with contextlib.redirect_stderr(io.StringIO()):  # its own tqdm bar: we report progress ourselves
        tensors = load_gguf_checkpoint(str(gguf_path), return_tensors=True, model_to_load=model)["tensors"]
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    tied = {"lm_head.weight"} if getattr(cfg, "tie_word_embeddings", False) else set()
    if set(missing) - tied or unexpected:
        raise FormatError(f"{gguf_path.name}: weights do not match the architecture "
                          f"(missing {sorted(set(missing) - tied)[:3]}, unexpected {list(unexpected)[:3]})")
    model.tie_weights()
    tok = tr.AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, local_files_only=True)
    report(progress, stage, 2, 3)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    report(progress, stage, 3, 3, finished=True)
    return out_dir


# --------------------------------------------------------------------------------------------
# Finding the word and extracting its vectors
# --------------------------------------------------------------------------------------------
@dataclass
class Alignment:
    """Where the target sits in one sentence and which tokens make it up."""

    sentence: int  # 1-based number of the sentence
    text: str  # the form found in the sentence
    start: int  # character span in the sentence
    end: int
    tokens: list[str]  # the model's tokens of the word, in order
    positions: list[int]  # their positions in the model's input (special tokens included)


def find_word(sentence: str, string: str, occurrence: int | None = None, number: int | None = None,
              loose: bool = False) -> tuple[int, int]:
    """Character span of the ``occurrence``-th (1-based, default 1) whole-word, case-insensitive
    match of ``string`` in ``sentence``. ``loose`` also accepts a short suffix (bank -> banks,
    broke -> broken) when there is no exact match. ``number`` names the sentence in errors."""
    s = string.strip()
    where = f"sentence {number}" if number is not None else "the sentence"
    if not s:
        raise ContextualError("the target word is empty")
    matches = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(s) + r"(?!\w)", sentence, re.IGNORECASE)]
    if not matches and loose:
        stems = [s] + ([s[:-1]] if len(s) > 3 and s[-1] in "ey" else [])
        for stem in stems:
            matches = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(stem) + r"\w{1,3}(?!\w)", sentence,
                                                     re.IGNORECASE)]
            if matches:
                break
    if not matches:
        short = sentence if len(sentence) <= 80 else sentence[:77] + "..."
        raise ContextualError(f"{string!r} is not in {where}: {short!r} (for an inflected form give the exact "
                              f"string, e.g. --string broke for break)")
    k = 1 if occurrence is None else int(occurrence)
    if not 1 <= k <= len(matches):
        raise ContextualError(f"{string!r} occurs {len(matches)} time(s) in {where}, so occurrence {k} does not exist")
    return matches[k - 1]


def _pool(vecs, how: str):
    """(L, n_tokens, C) -> (L, C)."""
    if how == "mean":
        return vecs.mean(1)
    if how == "sum":
        return vecs.sum(1)
    if how == "first":
        return vecs[:, 0]
    if how == "last":
        return vecs[:, -1]
    raise ContextualError(f"unknown pooling {how!r}; choose one of {', '.join(POOLINGS)}")


@dataclass
class _Item:
    sentence: str
    start: int
    end: int


@dataclass
class Extraction:
    """Vectors of several targets (one per item) at the chosen layers, plus every token's
    per-layer mean and standard deviation over the sentences (for standardisation)."""

    layers: list[int]
    vectors: np.ndarray  # (len(layers), n, C)
    alignments: list[Alignment]
    token_mean: np.ndarray  # (len(layers), C) over all non-special tokens of the sentences
    token_std: np.ndarray  # (len(layers), C)
    tokens_seen: int


def extract(model: ContextModel, items: Sequence[_Item], layers: Sequence[int], pooling: str = "mean",
            batch_size: int = 32, progress: ProgressFn | None = None) -> Extraction:
    """The core loop: sentences sorted by length, padded batches, one forward pass each."""
    torch = _torch()
    if pooling not in POOLINGS:
        raise ContextualError(f"unknown pooling {pooling!r}; choose one of {', '.join(POOLINGS)}")
    n = len(items)
    lay = torch.tensor(list(layers), dtype=torch.long)
    out = np.zeros((len(layers), n, model.dim), dtype=np.float32)
    aligns: list[Alignment | None] = [None] * n
    s1 = np.zeros((len(layers), model.dim))
    s2 = np.zeros((len(layers), model.dim))
    count = 0
    # distinct sentences once each; longest first keeps padding small
    uniq: dict[str, int] = {}
    for it in items:
        uniq.setdefault(it.sentence, len(uniq))
    texts = sorted(uniq, key=len, reverse=True)
    by_text: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_text.setdefault(it.sentence, []).append(i)
    bs = max(1, int(batch_size))
    stage = "contextual vectors"
    for b0 in range(0, len(texts), bs):
        chunk = texts[b0 : b0 + bs]
        batch = model.batch(chunk)
        states = batch.states.index_select(0, lay)  # (L', B, T, C)
        for r, text in enumerate(chunk):
            spans = batch.spans[r]
            real = [t for t, sp in enumerate(spans) if sp is not None]
            if real:
                v = states[:, r, real].double()  # (L', t, C)
                s1 += v.sum(1).numpy()
                s2 += (v * v).sum(1).numpy()
                count += len(real)
            for i in by_text[text]:
                it = items[i]
                pos = [t for t in real if spans[t][0] < it.end and spans[t][1] > it.start]
                if not pos:
                    number = i + 1
                    raise ContextualError(f"sentence {number} is longer than {model.name}'s window of "
                                          f"{model.max_tokens} tokens before the target word")
                out[:, i] = _pool(states[:, r, pos], pooling).numpy()
                aligns[i] = Alignment(i + 1, it.sentence[it.start : it.end], it.start, it.end,
                                      [batch.tokens[r][t] for t in pos], pos)
        report(progress, stage, min(b0 + bs, len(texts)), len(texts))
    report(progress, stage, len(texts), len(texts), finished=True)
    count = max(count, 1)
    mean = s1 / count
    std = np.sqrt(np.maximum(s2 / count - mean * mean, 0.0))
    return Extraction(list(layers), out, aligns, mean.astype(np.float32), std.astype(np.float32), count)


@dataclass
class WordVectors:
    """A word's vectors in several sentences: ``vectors[k, i]`` is sentence ``i``'s vector at
    layer ``layers[k]``."""

    word: str
    model: str
    pooling: str
    layers: list[int]
    sentences: list[str]
    alignments: list[Alignment]
    vectors: np.ndarray  # (len(layers), n, C)
    token_mean: np.ndarray  # (len(layers), C), for standardize()
    token_std: np.ndarray
    default_layer: int = 0

    def at(self, layer: int) -> np.ndarray:
        """The (n, C) vectors at one layer."""
        try:
            return self.vectors[self.layers.index(layer)]
        except ValueError:
            raise ContextualError(f"layer {layer} was not extracted (have {self.layers})") from None

    def space(self, layer: int, standardized: bool = False) -> Space:
        """The occurrences as a Space with keys ``word@1``, ``word@2``..."""
        v = self.at(layer)
        if standardized:
            k = self.layers.index(layer)
            v = standardize(v, self.token_mean[k], self.token_std[k])
        return Space([f"{self.word}@{i + 1}" for i in range(len(v))], v, name=f"{self.model} layer {layer}",
                     meta={"kind": "contextual", "layer": layer, "pooling": self.pooling})


def _as_list(x, n: int, what: str) -> list:
    if x is None or isinstance(x, (str, int)):
        return [x] * n
    x = list(x)
    if len(x) != n:
        raise ContextualError(f"{len(x)} {what} for {n} sentences")
    return x


def word_vectors(model, sentences: Sequence[str], target: str, occurrence: int | Sequence[int] | None = None,
                 layer=None, pooling: str = "mean", batch_size: int = 32, string: str | Sequence[str] | None = None,
                 progress: ProgressFn | None = None) -> WordVectors:
    """The vectors of ``target`` in each sentence at ``layer`` (None: the model's default layer;
    an int; ``"all"``). ``string`` is the exact form to look for when it differs from ``target``
    (one for all sentences, or one per sentence); ``occurrence`` (1-based) picks a repeated word.
    Raises :class:`ContextualError` naming the sentence where the word is missing."""
    model = load_model(model, progress=progress)
    sentences = [s for s in (sentences or [])]
    if not sentences:
        raise ContextualError("no sentences given")
    for i, s in enumerate(sentences):
        if not s or not s.strip():
            raise ContextualError(f"sentence {i + 1} is empty")
    strings = _as_list(string, len(sentences), "strings")
    occs = _as_list(occurrence, len(sentences), "occurrences")
    items = []
    for i, s in enumerate(sentences):
        a, b = find_word(s, strings[i] or target, occs[i], number=i + 1)
        items.append(_Item(s, a, b))
    layers = model.resolve_layers(layer)
    ex = extract(model, items, layers, pooling, batch_size, progress)
    return WordVectors(target, model.name, pooling, layers, sentences, ex.alignments, ex.vectors,
                       ex.token_mean, ex.token_std, model.default_layer)


# --------------------------------------------------------------------------------------------
# Standardisation and cosine
# --------------------------------------------------------------------------------------------
def standardize(x: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None) -> np.ndarray:
    """z-score every dimension (Timkey & van Schijndel 2021): ``(x - mean) / std``, with
    ``mean``/``std`` estimated over ``x`` itself when not given. Constant dimensions (std 0)
    are only centred."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(0) if mean is None else np.asarray(mean, dtype=np.float64)
    std = x.std(0) if std is None else np.asarray(std, dtype=np.float64)
    std = np.where(std > 1e-12, std, 1.0)
    return ((x - mean) / std).astype(np.float32)


def cosine_matrix(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    u = x / n
    return u @ u.T


def paired_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    return (a * b).sum(-1) / np.maximum(na * nb, 1e-12)


# --------------------------------------------------------------------------------------------
# Static spaces from a contextual model
# --------------------------------------------------------------------------------------------
def _corpus_texts(corpus) -> Iterable[str]:
    if isinstance(corpus, (str, os.PathLike)) or hasattr(corpus, "raw_sentences"):
        from vecs.corpus import open_corpus

        c = open_corpus(corpus, lower=False)
        return c.raw_sentences()
    return corpus


def distill(model, corpus, layer=None, pooling: str = "mean", max_sentences: int | None = 20000,
            min_count: int = 2, max_words: int | None = None, lower: bool = True, batch_size: int = 32,
            progress: ProgressFn | None = None):
    """Average each word's contextual vectors over a corpus into a static Space (Bommasani,
    Davis & Cardie 2020). ``corpus``: a corpus spec (name or path, see :mod:`vecs.corpus`) or an
    iterable of sentence strings. Words are ``\\w+`` runs (lower-cased with ``lower``), kept when
    seen ``min_count`` times in the first ``max_sentences`` sentences; the ``max_words`` most
    frequent at most; rows in frequency order. Returns a Space, or a list of Spaces (one per
    layer, 0..L) for ``layer="all"``."""
    torch = _torch()
    model = load_model(model, progress=progress)
    layers = model.resolve_layers(layer)
    if pooling not in POOLINGS:
        raise ContextualError(f"unknown pooling {pooling!r}; choose one of {', '.join(POOLINGS)}")
    texts: list[str] = []
    from collections import Counter

    counts: Counter = Counter()
    for s in _corpus_texts(corpus):
        s = s.strip()
        if not s:
            continue
        texts.append(s)
        counts.update(m.group().lower() if lower else m.group() for m in WORD_RE.finditer(s))
        if max_sentences and len(texts) >= max_sentences:
            break
    if not texts:
        raise ContextualError("the corpus has no sentences")
    vocab = [w for w, c in counts.most_common(max_words) if c >= min_count]
    if not vocab:
        raise ContextualError(f"no word occurs {min_count} times in {len(texts)} sentences")
    index = {w: i for i, w in enumerate(vocab)}
    sums = torch.zeros(len(layers), len(vocab), model.dim, dtype=torch.float64)
    seen = np.zeros(len(vocab), dtype=np.int64)
    lay = torch.tensor(layers, dtype=torch.long)
    texts.sort(key=len, reverse=True)
    bs = max(1, int(batch_size))
    stage = f"distill {model.name}"
    import time

    t0 = time.perf_counter()
    for b0 in range(0, len(texts), bs):
        chunk = texts[b0 : b0 + bs]
        with torch.inference_mode():
            batch = model.batch(chunk)
            states = batch.states.index_select(0, lay)  # (L', B, T, C)
            for r, text in enumerate(chunk):
                spans = batch.spans[r]
                real = [(t, sp) for t, sp in enumerate(spans) if sp is not None]
                j = 0
                rows, vecs = [], []
                for m in WORD_RE.finditer(text):
                    w = m.group().lower() if lower else m.group()
                    a, b = m.span()
                    while j < len(real) and real[j][1][1] <= a:
                        j += 1
                    pos = []
                    k = j
                    while k < len(real) and real[k][1][0] < b:
                        pos.append(real[k][0])
                        k += 1
                    if not pos or w not in index:
                        continue
                    rows.append(index[w])
                    vecs.append(_pool(states[:, r, pos], pooling))
                if rows:
                    ridx = torch.tensor(rows, dtype=torch.long)
                    sums.index_add_(1, ridx, torch.stack(vecs, 1).double())
                    np.add.at(seen, rows, 1)
        done = min(b0 + bs, len(texts))
        report(progress, stage, done, len(texts), sentences_per_s=done / max(time.perf_counter() - t0, 1e-9))
    report(progress, stage, len(texts), len(texts), finished=True)
    keep = np.flatnonzero(seen > 0)
    words = [vocab[i] for i in keep]
    avg = (sums[:, keep] / torch.from_numpy(seen[keep]).double()[None, :, None]).float().numpy()
    spaces = []
    for k, L in enumerate(layers):
        meta = {"kind": "distilled", "source": f"{model.name} layer {L}", "model": model.name, "layer": L,
                "params": {"layer": L, "pooling": pooling, "sentences": len(texts), "min_count": min_count,
                           "max_words": max_words, "lower": lower, "model": model.source},
                "citation": "Bommasani, Davis & Cardie 2020"}
        spaces.append(Space(words, avg[k], name=f"{model.name}-L{L}", meta=meta))
    if isinstance(layer, str) and layer.strip().lower() == "all":
        return spaces
    return spaces[0]


def template_space(model, words: Sequence[str], layer=None, template: str = "This is a {word}.",
                   pooling: str = "mean", batch_size: int = 64, progress: ProgressFn | None = None) -> Space:
    """Each word's vector in a neutral template sentence (for WEAT and other static probes on a
    contextual model; May et al. 2019). One layer (None: the model's default)."""
    model = load_model(model, progress=progress)
    if "{word}" not in template:
        raise ContextualError("the template must contain {word}")
    words = list(dict.fromkeys(w for w in words if w and w.strip()))
    if not words:
        raise ContextualError("no words given")
    layers = model.resolve_layers(layer)
    if len(layers) != 1:
        raise ContextualError("template_space takes a single layer")
    pre = template.index("{word}")
    items = []
    for w in words:
        s = template.replace("{word}", w)
        items.append(_Item(s, pre, pre + len(w)))
    ex = extract(model, items, layers, pooling, batch_size, progress)
    meta = {"kind": "contextual-template", "source": f"{model.name} layer {layers[0]}", "layer": layers[0],
            "params": {"template": template, "pooling": pooling, "model": model.source}}
    return Space(words, ex.vectors[0], name=f"{model.name}-L{layers[0]}", meta=meta)


# --------------------------------------------------------------------------------------------
# Logit lens
# --------------------------------------------------------------------------------------------
@dataclass
class Guess:
    word: str  # the token as text (leading space kept)
    score: float  # probability
    id: int = 0


@dataclass
class LensResult:
    """``guesses[k][t]``: the top-k next-token guesses at layer ``layers[k]`` for position ``t``
    (after reading ``tokens[: t + 1]``)."""

    model: str
    prompt: str
    tokens: list[str]
    layers: list[int]
    guesses: list[list[list[Guess]]]
    k: int = 3
    final_norm: str = "applied once to every layer, then the unembedding"

    @property
    def final(self) -> list[Guess]:
        """The model's own guesses after the whole prompt (last layer, last position)."""
        return self.guesses[-1][-1]


def logit_lens(model, prompt: str, k: int = 3, progress: ProgressFn | None = None) -> LensResult:
    """Decode every layer's residual stream at every position into the top ``k`` next tokens
    (nostalgebraist 2020). Needs a causal model (``smollm2`` or one of ours)."""
    torch = _torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    if k < 1:
        raise ContextualError("k must be at least 1")
    model = load_model(model, progress=progress)
    tokens, logits = model.lens_logits(prompt)  # (L+1, T, V)
    probs = torch.softmax(logits.float(), -1)
    top_p, top_i = probs.topk(min(k, probs.shape[-1]), dim=-1)
    cache: dict[int, str] = {}

    def text(i: int) -> str:
        if i not in cache:
            cache[i] = model.token_text(i)
        return cache[i]

    guesses = [[[Guess(text(int(i)), float(p), int(i)) for p, i in zip(pp.tolist(), ii.tolist())]
                for pp, ii in zip(lp, li)] for lp, li in zip(top_p, top_i)]
    shown = [_show_token(model, t) for t in tokens]
    return LensResult(model.name, prompt, shown, model.layers, guesses, k)


def _show_token(model: ContextModel, tok: str) -> str:
    if isinstance(model, HFModel):
        try:
            return model.tok.convert_tokens_to_string([tok])
        except Exception:  # pragma: no cover - odd tokenizers
            return tok
    return tok


# --------------------------------------------------------------------------------------------
# Feed-forward lens: which layer's MLP writes the answer (Geva et al. 2022)
# --------------------------------------------------------------------------------------------
@dataclass
class FFNLayer:
    layer: int  # the block whose feed-forward (MLP) output this is, 1-based
    rank_before: int  # the target's rank decoding the residual just before this MLP's output is added
    rank_after: int  # ... and just after
    prob_before: float
    prob_after: float
    raised: list[Guess]  # the tokens whose logit this MLP raised most (score: logit change)


@dataclass
class FFNLensResult:
    model: str
    prompt: str
    target: str
    target_id: int
    final_rank: int  # the target's rank in the model's own next-token distribution
    layers: list[FFNLayer]
    best_layer: int  # the block whose MLP improves the target's rank most (by log-rank)
    method: str = ("logit lens at the last position just before and just after each block's "
                   "feed-forward output is added (final norm applied once, then the unembedding)")


def feed_forward_lens(model, prompt: str, target: str | None = None, k: int = 5,
                      progress: ProgressFn | None = None) -> FFNLensResult:
    """Which feed-forward (MLP) block writes the answer? For every block, decode the residual
    stream at the last position of ``prompt`` just before and just after its MLP output is added
    and compare the ``target``'s rank (default target: the model's own next-token guess). For
    "The capital of Poland is" one late MLP lifts " Warsaw" to the top (Geva et al. 2022; Merullo
    et al. 2023)."""
    torch = _torch()
    if not prompt or not prompt.strip():
        raise ContextualError("the prompt is empty")
    model = load_model(model, progress=progress)
    if not model.causal:
        model.lens_logits(prompt)  # raises the clear "no causal head" error
    mlps = model.mlp_modules()
    outs: dict[int, object] = {}
    hooks = [m.register_forward_hook(lambda mod, inp, out, i=i: outs.__setitem__(i, out)) for i, m in enumerate(mlps)]
    try:
        b = model.batch([prompt])
    finally:
        for h in hooks:
            h.remove()
    with torch.inference_mode():
        norm = model.final_norm_module()
        U = model.unembedding()
        dev = U.device

        def decode(h):  # (C,) -> log-probabilities (V,)
            return torch.log_softmax((U @ norm(h.to(dev).to(U.dtype)).reshape(-1)).float().cpu(), -1)

        final = decode(b.states[-1, 0, -1])
        tid = model.token_id(target) if target else int(final.argmax())

        def rank(lp):
            return int((lp > lp[tid]).sum()) + 1

        layers = []
        for i in range(len(mlps)):
            m = outs[i][0] if isinstance(outs[i], tuple) else outs[i]
            after = b.states[i + 1, 0, -1].float()  # the residual after block i + 1
            before = after - m[0, -1].float().cpu()
            lp_b, lp_a = decode(before), decode(after)
            diff = lp_a - lp_b
            top_v, top_i = diff.topk(k)
            layers.append(FFNLayer(i + 1, rank(lp_b), rank(lp_a), float(lp_b[tid].exp()), float(lp_a[tid].exp()),
                                   [Guess(model.token_text(int(j)), float(v), int(j)) for v, j in zip(top_v, top_i)]))
    best = max(layers, key=lambda L: np.log(L.rank_before) - np.log(L.rank_after)).layer
    return FFNLensResult(model.name, prompt, model.token_text(tid), tid, rank(final), layers, best)
