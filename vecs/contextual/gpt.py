"""One of our trained transformers (:mod:`vecs.lm`) behind :class:`ContextModel`."""

from __future__ import annotations

import inspect
from pathlib import Path

from vecs.contextual.model import ContextModel, Encoding, default_layer
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

    def tokenize(self, texts) -> Encoding:
        """Every text's token ids, spans and token strings, unpadded, cut to the window."""
        ids, spans, tokens = [], [], []
        # the model saw <eos> before every training sentence: start each text the same way
        bos = "add_bos" in inspect.signature(self.tokenizer.encode).parameters
        for t in texts:
            row, sp = self.tokenizer.encode(t, add_bos=True) if bos else self.tokenizer.encode(t)
            row, sp = [int(i) for i in row][: self.max_tokens], list(sp)[: self.max_tokens]
            ids.append(row)
            spans.append([tuple(s) if s is not None and s[1] > s[0] else None for s in sp])
            tokens.append([self.token_text(j) for j in row])
        return Encoding(ids, spans, tokens)

    def _hidden(self, ids: list[list[int]]) -> list:
        torch = require_torch()
        T = max((len(r) for r in ids), default=1) or 1
        idx = torch.zeros(len(ids), T, dtype=torch.long)  # (B, T), right-padded with id 0
        for i, r in enumerate(ids):
            if r:
                idx[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        # right padding: causal attention means padding never changes the real positions
        return [h.float().cpu() for h in self.model.hidden_states(idx.to(self.device))]  # L+1 x (B, T, C)

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
