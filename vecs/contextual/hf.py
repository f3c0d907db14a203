"""A Hugging Face checkpoint folder (encoder or causal LM) behind :class:`ContextModel`.

A folder a user got elsewhere never runs code: every transformers call is made with
``trust_remote_code=False`` (so transformers never asks on stdin either), and a folder that
would need its own code (``auto_map`` in a configuration file, Python files beside it, a
``model_type`` transformers does not know) is refused before transformers reads it. Whatever
transformers raises while loading becomes one :class:`FormatError` naming the folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from vecs.contextual.model import ContextModel, Encoding, default_layer
from vecs.errors import ContextualError, FormatError, VecsError
from vecs.extras import require_torch, require_transformers

SMALL_JSON = 1 << 20  # configuration files are small; tokenizer.json and weights are not read here


def first_line(e: BaseException) -> str:
    """The first non-empty line of an exception's message (or its type)."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    return lines[0] if lines else type(e).__name__


def refuse_custom_code(path: Path) -> dict:
    """Check a Hugging Face folder before transformers reads it; returns its config.json.

    Raises :class:`FormatError` (one line, naming the folder) when the folder would need code
    of its own: an ``auto_map`` in any of its configuration files, ``*.py`` files in it, or a
    ``model_type`` that transformers does not know (missing, or not one of its own)."""
    where = str(path)
    try:
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise FormatError(f"{where}: config.json is unreadable ({first_line(e)})") from None
    if not isinstance(cfg, dict):
        raise FormatError(f"{where}: config.json is not a JSON object")
    code = sorted(p.relative_to(path).as_posix() for p in [*path.glob("*.py"), *path.glob("*/*.py")])
    if code:
        more = f" and {len(code) - 1} more" if len(code) > 1 else ""
        raise FormatError(f"{where}: refusing a model folder that holds code ({code[0]}{more}); "
                          "vecs never runs code from a model folder")
    for p in sorted(path.glob("*.json")):
        data = cfg if p.name == "config.json" else _small_json(p)
        if isinstance(data, dict) and "auto_map" in data:
            raise FormatError(f"{where}: refusing a model folder that asks for custom code (auto_map in {p.name}); "
                              "vecs never runs code from a model folder")
    model_type = cfg.get("model_type")
    try:
        from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES as known
    except ImportError:  # pragma: no cover - other transformers versions
        from transformers import CONFIG_MAPPING as known

    if not isinstance(model_type, str) or model_type not in known:
        what = f"model_type {model_type!r}" if model_type is not None else "no model_type"
        raise FormatError(f"{where}: config.json has {what}, which transformers does not know "
                          "(vecs loads only architectures transformers ships, never custom code)")
    return cfg


def _small_json(p: Path):
    try:
        if p.stat().st_size > SMALL_JSON:
            return None
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # not a configuration transformers would act on


class HFModel(ContextModel):
    """A Hugging Face checkpoint folder (safetensors only, local files only, no custom code)."""

    def __init__(self, path: Path, name: str | None = None):
        # one tokenizer call per extraction is fast enough on one thread; its own thread pool
        # would compete with torch's (and warn when the process forks)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        tr = require_transformers()
        torch = require_torch()
        path = Path(path)
        if not (path / "config.json").is_file():
            raise FormatError(f"{path}: not a Hugging Face checkpoint folder (no config.json)")
        if not any(path.glob("*.safetensors")):
            raise FormatError(f"{path}: no .safetensors weights (vecs loads safetensors only, never pickle)")
        refuse_custom_code(path)
        try:
            cfg = tr.AutoConfig.from_pretrained(path, local_files_only=True, trust_remote_code=False)
            archs = list(getattr(cfg, "architectures", None) or [])
            self.causal = any(str(a).endswith(("ForCausalLM", "LMHeadModel")) for a in archs) or bool(
                getattr(cfg, "is_decoder", False))
            cls = tr.AutoModelForCausalLM if self.causal else tr.AutoModel
            self.model = cls.from_pretrained(path, trust_remote_code=False, use_safetensors=True, dtype=torch.float32,
                                             local_files_only=True).eval()
            self.tok = tr.AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)
            self.n_layers = int(cfg.num_hidden_layers)
            self.dim = int(cfg.hidden_size)
            limit = int(getattr(cfg, "max_position_embeddings", 512) or 512)
        except VecsError:
            raise
        except Exception as e:  # transformers, tokenizers, safetensors, torch: one line naming the folder
            raise FormatError(f"{path}: cannot load the checkpoint: {first_line(e)}") from None
        if not getattr(self.tok, "is_fast", False):
            raise FormatError(f"{path}: needs a fast tokenizer (tokenizer.json) for character alignment")
        if self.n_layers < 1 or self.dim < 1 or limit < 3:
            raise FormatError(f"{path}: config.json describes no usable model "
                              f"({self.n_layers} layers, {self.dim} dimensions, {limit} positions)")
        self.tok.padding_side = "right"
        if self.tok.pad_token is None:
            self.tok.pad_token = self.tok.eos_token or self.tok.unk_token
        self.pad_token = str(self.tok.pad_token)
        self.name = name or path.name
        self.source = str(path)
        self.kind = "hf-causal" if self.causal else "hf-encoder"
        self.max_tokens = min(limit - 2 if cfg.model_type in ("roberta", "mpnet", "xlm-roberta") else limit, 512)
        self.default_layer = default_layer(self.n_layers, self.causal)
        self._norm = None
        self.prefix: list[int] = []  # token ids put before every text (a causal LM's document start)
        if self.causal:
            self._norm = self._find_final_norm()
            self.prefix = self._start_tokens()

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
    def tokenize(self, texts) -> Encoding:
        """One call of the fast tokenizer over every text, unpadded, with character offsets."""
        k = len(self.prefix)
        enc = self.tok(list(texts), truncation=True, max_length=self.max_tokens - k, return_offsets_mapping=True,
                       return_special_tokens_mask=True, return_attention_mask=False, return_token_type_ids=False)
        pre_spans, pre_tokens = [None] * k, self.tok.convert_ids_to_tokens(self.prefix) if k else []
        ids, spans, tokens = [], [], []
        for b, (row, offs, special) in enumerate(zip(enc["input_ids"], enc["offset_mapping"],
                                                     enc["special_tokens_mask"])):
            ids.append(self.prefix + row if k else row)
            spans.append(pre_spans + [None if m or e <= s else (s, e) for (s, e), m in zip(offs, special)])
            tokens.append(pre_tokens + enc.encodings[b].tokens if k else enc.encodings[b].tokens)
        return Encoding(ids, spans, tokens)

    def _hidden(self, ids: list[list[int]]) -> list:
        torch = require_torch()
        lengths = np.array([len(r) for r in ids])
        T = max(1, int(lengths.max(initial=0)))
        x = np.full((len(ids), T), self.tok.pad_token_id or 0, dtype=np.int64)  # (B, T), right-padded
        for b, r in enumerate(ids):
            x[b, : len(r)] = r
        mask = torch.from_numpy((np.arange(T)[None, :] < lengths[:, None]).astype(np.int64))  # (B, T)
        captured = {}
        hook = None
        if self._norm is not None:
            hook = self._norm.register_forward_pre_hook(lambda mod, args: captured.__setitem__("x", args[0]))
        try:
            base = self.model.base_model if self.causal else self.model
            out = base(input_ids=torch.from_numpy(x), attention_mask=mask, output_hidden_states=True)
        finally:
            if hook is not None:
                hook.remove()
        hs = [h.float() for h in out.hidden_states]  # L+1 x (B, T, C)
        if self.causal and "x" in captured:
            # Hugging Face returns the last state after the final norm: use the residual itself
            hs[-1] = captured["x"].float()
        return hs

    def token_text(self, token_id: int) -> str:
        return self.tok.decode([int(token_id)])

    def encode_ids(self, text: str) -> list[int]:
        ids = self.tok(text, add_special_tokens=True, truncation=True,
                       max_length=self.max_tokens - len(self.prefix))["input_ids"]
        return list(self.prefix) + [int(i) for i in ids]

    def decode_ids(self, ids) -> str:
        return self.tok.decode([int(i) for i in ids])

    def special_ids(self) -> set[int]:
        return {int(i) for i in self.tok.all_special_ids} | set(self.prefix)

    def raw_token(self, token_id: int) -> str:
        return str(self.tok.convert_ids_to_tokens(int(token_id)))

    def stop_ids(self) -> set[int]:
        out = set()
        for cfg in (self.model.config, getattr(self.model, "generation_config", None)):
            e = getattr(cfg, "eos_token_id", None)
            out |= {int(x) for x in (e if isinstance(e, (list, tuple)) else [e]) if x is not None}
        if self.tok.eos_token_id is not None:
            out.add(int(self.tok.eos_token_id))
        vocab = self.tok.get_vocab()
        out |= {vocab[t] for t in ("<|endoftext|>", "<|im_end|>", "<end_of_turn>", "<eos>") if t in vocab}
        return out

    def show_token(self, token: str) -> str:
        try:
            return self.tok.convert_tokens_to_string([token])
        except Exception:  # pragma: no cover - odd tokenizers
            return token

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

    def unembedding_bias(self):
        return getattr(self.model.get_output_embeddings(), "bias", None)

    def token_id(self, word: str) -> int:
        ids = self.tok.encode(" " + word.strip(), add_special_tokens=False)
        if not ids:
            raise ContextualError(f"{word!r} gives no token in {self.name}'s vocabulary")
        return int(ids[0])
