"""One of our trained transformers (:mod:`vecs.lm`) behind :class:`ContextModel`."""

from __future__ import annotations

import inspect
from pathlib import Path

from vecs.contextual.model import Activations, ContextModel, default_layer
from vecs.errors import ContextualError
from vecs.extras import require_torch


class GPTModel(ContextModel):
    """One of our trained transformers (:mod:`vecs.lm`), behind the same interface."""

    def __init__(self, spec: str | Path, name: str | None = None):
        from vecs.lm.checkpoint import load_transformer

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
            self.device = next(self.model.parameters()).device  # where the model's weights live
        except StopIteration:  # pragma: no cover
            self.device = "cpu"

    def _encode(self, texts: list[str]):
        """ids (B, T) right-padded, per-row token spans and token strings."""
        torch = require_torch()
        rows, spans = [], []
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

    def _run(self, texts: list[str]) -> Activations:
        torch = require_torch()
        idx, spans, tokens = self._encode(texts)
        # right padding: causal attention means padding never changes the real positions
        hs = self.model.hidden_states(idx.to(self.device))
        states = torch.stack([h.float().cpu() for h in hs], 0)  # (L+1, B, T, C)
        return Activations(states, spans, tokens)

    def token_text(self, token_id: int) -> str:
        return str(self.tokenizer.decode([int(token_id)]))

    def encode_ids(self, text: str) -> list[int]:
        bos = "add_bos" in inspect.signature(self.tokenizer.encode).parameters
        ids, _ = self.tokenizer.encode(text, add_bos=True) if bos else self.tokenizer.encode(text)
        return [int(i) for i in ids][: self.max_tokens]

    def decode_ids(self, ids) -> str:
        return str(self.tokenizer.decode([int(i) for i in ids]))

    def special_ids(self) -> set[int]:
        return {int(i) for i in (getattr(self.tokenizer, "unk_id", None), getattr(self.tokenizer, "eos_id", None))
                if i is not None}

    def stop_ids(self) -> set[int]:
        eos = getattr(self.tokenizer, "eos_id", None)
        return set() if eos is None else {int(eos)}

    @property
    def unknown_id(self):
        return getattr(self.tokenizer, "unk_id", None)

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
