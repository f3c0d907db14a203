"""A small GPT: a causal (next-word) language model in one readable file.

In the spirit of Karpathy's nanoGPT. A sequence of token ids goes in; each position gets a
vector (token embedding + position embedding), a stack of pre-LayerNorm transformer blocks
refines those vectors (the *residual stream*), a final LayerNorm and the unembedding (the token
embedding matrix again, "tied") turn the last vector of each position into scores over the
vocabulary for the next token.

Shapes in the comments: ``B`` batch, ``T`` time (positions), ``C`` channels (``n_embd``),
``H`` heads, ``V`` vocabulary.

Interface kept stable for the contextual tools (word-in-context vectors, logit lens):

* ``GPT.forward(idx, targets=None) -> (logits, loss)``
* ``GPT.hidden_states(idx) -> list[Tensor]``: the residual stream after the embedding and after
  each block, ``n_layer + 1`` tensors of shape ``(B, T, C)``, *before* the final LayerNorm;
* ``GPT.final_norm(h)`` and ``GPT.unembed(h)``: ``unembed(final_norm(hidden_states(idx)[-1]))``
  equals ``forward(idx)[0]``; the logit lens applies ``final_norm`` once to every layer.

torch belongs to the optional extra ``contextual``: importing this module without it raises
:class:`vecs.errors.MissingExtra`. Nothing imports it at start-up.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from vecs.errors import MissingExtra, StoreError

try:
    import torch
    import torch.nn as nn
    from torch.nn import functional as F
except ImportError as e:  # pragma: no cover - exercised by monkeypatching in the tests
    raise MissingExtra("contextual", "torch") from e


SIZES = ("vocab_size", "n_layer", "n_head", "n_embd", "block_size")  # positive integers, all in a config file
MAX_SIZE = 2**31 - 1


@dataclass
class GPTConfig:
    """The shape of the model (saved as ``config.json`` beside the weights)."""

    vocab_size: int = 16002  # words + <unk> + <eos>
    n_layer: int = 4  # transformer blocks
    n_head: int = 4  # attention heads per block
    n_embd: int = 256  # width of the residual stream (C)
    block_size: int = 128  # longest context the model can see (T <= block_size)
    dropout: float = 0.0  # dropout in attention and MLP (0 for small data and short runs)
    bias: bool = True  # biases in Linear layers and LayerNorms

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict, source: str = "config") -> "GPTConfig":
        """The config saved in ``config.json`` (other keys ignored), checked: the sizes are
        positive integers (all five present), ``n_embd`` a multiple of ``n_head``, ``dropout``
        in [0, 1), ``bias`` a boolean; anything else is a :class:`StoreError` naming ``source``."""
        if not isinstance(d, dict):
            raise StoreError(f"{source}: expected a JSON object")
        problems = []
        for k in SIZES:
            v = d.get(k)
            if k not in d:
                problems.append(f"{k} is missing")
            elif isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_SIZE:
                problems.append(f"{k} must be a whole number from 1 to {MAX_SIZE:,} (got {v!r})")
        if not problems and d["n_embd"] % d["n_head"]:
            problems.append(f"n_embd ({d['n_embd']}) must be a multiple of n_head ({d['n_head']})")
        dropout = d.get("dropout", 0.0)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            problems.append(f"dropout must be a number in [0, 1) (got {dropout!r})")
        if not isinstance(d.get("bias", True), bool):
            problems.append(f"bias must be true or false (got {d.get('bias')!r})")
        if problems:
            raise StoreError(f"{source}: not a valid model config: " + "; ".join(problems))
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in fields})


class CausalSelfAttention(nn.Module):
    """Every position looks at itself and the positions before it (never after)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        if config.n_head < 1 or config.n_embd % config.n_head:
            raise ValueError(f"n_embd ({config.n_embd}) must be a multiple of n_head ({config.n_head})")
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # q, k, v at once
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.layer_idx = 0  # set by GPT: which block this is
        # None: the fast fused kernel. A probe (vecs.inside.probe) may set a function
        # (module, q, k, v, mask (T, T), scaling) -> (y (B, T, H, C/H), weights) to read or edit the heads.
        self.attention_fn = None

    def forward(self, x):
        B, T, C = x.size()  # (B, T, C)
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)  # 3 x (B, T, C)
        hs = C // self.n_head
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, H, T, C/H)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, H, T, C/H)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, H, T, C/H)
        if self.attention_fn is not None:
            mask = torch.full((T, T), float("-inf"), device=x.device).triu(1)  # (T, T): the future is hidden
            y, _ = self.attention_fn(self, q, k, v, mask, scaling=1.0 / math.sqrt(hs))  # (B, T, H, C/H)
            return self.resid_dropout(self.c_proj(y.reshape(B, T, C)))  # (B, T, C)
        # softmax(q k^T / sqrt(C/H)) v with the future masked out
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)  # (B, H, T, C/H)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C): heads side by side
        return self.resid_dropout(self.c_proj(y))  # (B, T, C)


class MLP(nn.Module):
    """Position-wise: widen to 4C, GELU, back to C."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):  # (B, T, C)
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))  # (B, T, 4C) -> (B, T, C)


class Block(nn.Module):
    """Pre-LayerNorm block: x + attn(ln(x)), then x + mlp(ln(x)). The residual stream x keeps
    its shape (B, T, C) all the way through."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):  # (B, T, C)
        x = x + self.attn(self.ln_1(x))  # (B, T, C)
        x = x + self.mlp(self.ln_2(x))  # (B, T, C)
        return x


class GPT(nn.Module):
    """Token + position embeddings, ``n_layer`` blocks, a final LayerNorm and the tied
    unembedding: (B, T) token ids -> (B, T, V) scores for the next token."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)  # token embeddings (V, C)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)  # position embeddings (T_max, C)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        for i, block in enumerate(self.blocks):
            block.attn.layer_idx = i
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied: the unembedding is the embedding matrix
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2: scale the residual projections down
            if name.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module) -> None:
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_parameters(self) -> int:
        """Distinct parameters (the tied embedding counted once)."""
        return sum(p.numel() for p in self.parameters())

    # -- the pieces the logit lens needs --------------------------------------------------
    def embed(self, idx):
        """Token + position embeddings: (B, T) ids -> (B, T, C)."""
        B, T = idx.size()
        if T > self.config.block_size:
            raise ValueError(f"sequence of {T} tokens is longer than the context ({self.config.block_size})")
        pos = torch.arange(0, T, dtype=torch.long, device=idx.device)  # (T,)
        return self.drop(self.wte(idx) + self.wpe(pos))  # (B, T, C) + (T, C) -> (B, T, C)

    def final_norm(self, h):
        """The final LayerNorm: (..., C) -> (..., C). Apply it once, before :meth:`unembed`."""
        return self.ln_f(h)

    def unembed(self, h):
        """Scores over the vocabulary: (..., C) -> (..., V)."""
        return self.lm_head(h)

    def hidden_states(self, idx) -> list:
        """The residual stream after the embedding and after each block, before the final
        LayerNorm: ``n_layer + 1`` tensors of shape (B, T, C)."""
        x = self.embed(idx)  # (B, T, C)
        out = [x]
        for block in self.blocks:
            x = block(x)  # (B, T, C)
            out.append(x)
        return out

    def forward(self, idx, targets=None):
        """``idx`` (B, T) token ids -> ``(logits (B, T, V), loss)``; ``loss`` is the mean
        cross-entropy of predicting ``targets`` (B, T) (the next tokens), or None without targets."""
        x = self.embed(idx)  # (B, T, C)
        for block in self.blocks:
            x = block(x)  # (B, T, C)
        logits = self.unembed(self.final_norm(x))  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 generator=None):
        """Append ``max_new_tokens`` sampled tokens to ``idx`` (B, T); greedy when temperature is 0."""
        for _ in range(max_new_tokens):
            ctx = idx[:, -self.config.block_size:]  # (B, T')
            logits, _ = self(ctx)
            logits = logits[:, -1, :].float()  # (B, V)
            if temperature <= 0:
                nxt = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
            else:
                logits = logits / temperature
                if top_k is not None:
                    v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                    logits[logits < v[:, [-1]]] = -float("inf")
                probs = F.softmax(logits, dim=-1)
                nxt = torch.multinomial(probs, num_samples=1, generator=generator)  # (B, 1)
            idx = torch.cat((idx, nxt), dim=1)
        return idx
