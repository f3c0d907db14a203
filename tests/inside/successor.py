"""A tiny GPT whose next-token distribution is known by hand (generation and the next-word quiz).

12 words, width 16. Every block is switched off (its output projections are zero), position
embeddings are zero, token ``t`` is embedded as the one-hot vector ``e_t``, and the unembedding
is set so that the logits after reading token ``t`` are exactly::

    logit(v) = -STEP * ((v - t - 1) mod 12)

whatever came before: the model's top guess after ``t`` is ``t + 1`` (mod 12), then ``t + 2``...
The final LayerNorm maps ``e_t`` to ``a * e_t + b * 1``; the unembedding row of ``v`` holds
``logit(v)`` / ``a`` at column ``t`` and, in a spare column, minus the sum of the others, so the
``b`` term cancels. The tokenizer has ``<unk>`` = 0 and ``<eos>`` = 1 (the end token)."""

from __future__ import annotations

import math

WORDS = ["<unk>", "<eos>", "the", "bank", "river", "money", "is", "a", "of", "by", "on", "we"]
V = len(WORDS)
STEP = 0.5
WIDTH = 16


def logits_after(t: int) -> list[float]:
    """The model's logits after reading token ``t`` (by the rule above)."""
    return [-STEP * ((v - t - 1) % V) for v in range(V)]


def probs_after(t: int) -> list[float]:
    z = [math.exp(x) for x in logits_after(t)]
    s = sum(z)
    return [x / s for x in z]


def successor_gpt(name: str = "succ", eos: bool = True, block_size: int = 16):
    """Our GPT's adapter around the model above (``eos=False``: no end token)."""
    import torch

    from vecs.contextual.align import WORD_RE
    from vecs.contextual.gpt import GPTModel
    from vecs.lm.model import GPT, GPTConfig

    cfg = GPTConfig(vocab_size=V, n_layer=2, n_head=2, n_embd=WIDTH, block_size=block_size)
    gpt = GPT(cfg).eval()
    with torch.no_grad():
        gpt.wte.weight.copy_(torch.eye(V, WIDTH))
        gpt.wpe.weight.zero_()
        for b in gpt.blocks:
            for p in (b.attn.c_proj.weight, b.attn.c_proj.bias, b.mlp.c_proj.weight, b.mlp.c_proj.bias):
                p.zero_()
        alpha = 1.0 / math.sqrt(1 / WIDTH - 1 / WIDTH**2 + gpt.ln_f.eps)
        M = torch.zeros(V, WIDTH, dtype=torch.float64)
        for t in range(V):
            for v, x in enumerate(logits_after(t)):
                M[v, t] = x / alpha
        M[:, V] = -M[:, :V].sum(1)
        head = torch.nn.Linear(WIDTH, V, bias=False)
        head.weight.copy_(M.float())
        gpt.lm_head = head  # untied from the embeddings

    class Tok:  # the word-level tokenizer's interface: unknown words are <unk> (id 0)
        unk_id = 0
        eos_id = 1 if eos else None

        def encode(self, text):
            found = list(WORD_RE.finditer(text.lower()))
            return [WORDS.index(m.group()) if m.group() in WORDS else 0 for m in found], [m.span() for m in found]

        def decode(self, ids):
            return " ".join(WORDS[i] for i in ids)

    m = GPTModel.__new__(GPTModel)
    m.model, m.tokenizer, m.config = gpt, Tok(), cfg
    m.name, m.source, m.kind, m.causal = name, name, "gpt", True
    m.n_layers, m.dim, m.max_tokens, m.default_layer, m.device = 2, WIDTH, block_size, 1, "cpu"
    return m
