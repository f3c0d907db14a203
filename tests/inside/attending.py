"""A tiny GPT with set attention weights for the attention tests: 2 blocks of 2 heads (head width
32, residual width 64), a 17-word vocabulary that spells the explainers' prompts; every text
starts with ``<eos>`` (as our trained GPTs read it).

The residual is laid out by hand: dimensions 0..15 hold the position (``wpe[p] = e_p``), 16..32
the token (``wte[w] = e_{16+w}``), 33..49 a free slot for "the previous token", the rest is free.

Block 1 (its MLP switched off):

* head 0 is a **previous-token head**: its query reads position ``t``, its key of position ``s``
  is position ``s + 1`` (both times ``SCALE``), so ``q_t · k_s`` is large exactly when
  ``s = t - 1``; its value is the token, which its output projection writes into the
  previous-token slot;
* head 1 has zero query and key weights: every score is 0, so position ``t`` spreads its weight
  evenly over positions ``0..t`` (``1 / (t + 1)`` each); it writes only into dimensions 50..63.

Block 2:

* head 0 is an **induction head**: its query reads the token, its key the previous-token slot, so
  position ``t`` looks at the position whose previous token is its own token — in ``A B ... A``
  the ``B`` after the earlier ``A``;
* head 1 is random (seeded), for the hand computation of the scores.

``uniform=True`` zeroes every query and key weight of both blocks."""

from __future__ import annotations

WORDS = ["<unk>", "<eos>", "when", "mary", "and", "john", "went", "to", "the", "store", "gave", "a", "drink",
         "wants", "his", "bank", "cash"]
SCALE = 3.0
C, H, D = 64, 2, 32
POS, TOK, PREV = 0, 16, 33  # where each part of the residual starts
V = len(WORDS)


def attending_gpt(uniform: bool = False, name: str = "tiny"):
    import torch

    from vecs.contextual.align import WORD_RE
    from vecs.contextual.gpt import GPTModel
    from vecs.lm.model import GPT, GPTConfig

    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=V, n_layer=2, n_head=H, n_embd=C, block_size=16)
    gpt = GPT(cfg).eval()
    with torch.no_grad():
        gpt.wte.weight.zero_()
        gpt.wte.weight[:, TOK:TOK + V] = torch.eye(V)
        gpt.wpe.weight.zero_()
        gpt.wpe.weight[:, POS:POS + 16] = torch.eye(16)
        b1, b2 = gpt.blocks
        for p in (b1.attn.c_attn.weight, b1.attn.c_attn.bias, b1.attn.c_proj.weight, b1.attn.c_proj.bias,
                  b1.mlp.c_fc.weight, b1.mlp.c_fc.bias, b1.mlp.c_proj.weight, b1.mlp.c_proj.bias):
            p.zero_()
        Wa, Wo = b1.attn.c_attn.weight, b1.attn.c_proj.weight  # (3C, C): queries, keys, values; (C, C)
        for i in range(16):
            Wa[i, POS + i] = SCALE  # head 0: query dimension i <- position i
            if i >= 1:
                Wa[C + i, POS + i - 1] = SCALE  # head 0: key dimension i <- position i - 1
        for j in range(V):
            Wa[2 * C + j, TOK + j] = 1.0  # head 0: value dimension j <- token j
            Wo[PREV + j, j] = 1.0  # head 0's output dimension j -> the previous-token slot
        Wa[2 * C + D:, :].normal_(0.0, 0.3)  # head 1: random values...
        Wo[50:, D:].normal_(0.0, 0.3)  # ... written into dimensions 50..63 only
        for p in (b2.attn.c_attn.weight, b2.attn.c_proj.weight, b2.mlp.c_fc.weight, b2.mlp.c_proj.weight):
            p.normal_(0.0, 0.3)
        W2 = b2.attn.c_attn.weight
        W2[:D].zero_()
        W2[C:C + D].zero_()
        b2.attn.c_attn.bias[:D].zero_()
        b2.attn.c_attn.bias[C:C + D].zero_()
        for j in range(V):
            W2[j, TOK + j] = SCALE  # head 0: query dimension j <- token j
            W2[C + j, PREV + j] = SCALE  # head 0: key dimension j <- the previous token j
        if uniform:
            Wa[: 2 * C].zero_()
            W2[: 2 * C].zero_()

    class Tok:  # the word-level tokenizer's interface: unknown words are <unk> (id 0), <eos> starts a text
        unk_id, eos_id = 0, 1

        def encode(self, text, add_bos=False):
            found = list(WORD_RE.finditer(text.lower()))
            ids = [WORDS.index(m.group()) if m.group() in WORDS else 0 for m in found]
            spans = [m.span() for m in found]
            return ([1] + ids, [(0, 0)] + spans) if add_bos else (ids, spans)

        def decode(self, ids):
            return " ".join(WORDS[i] for i in ids)

    m = GPTModel.__new__(GPTModel)
    m.model, m.tokenizer, m.config = gpt, Tok(), cfg
    m.name, m.source, m.kind, m.causal = name, name, "gpt", True
    m.n_layers, m.dim, m.max_tokens, m.default_layer, m.device = 2, C, 16, 1, "cpu"
    return m


def hand_qkv(m, text: str, layer: int):
    """``(q, k, v)`` of block ``layer`` (1-based) reading ``text``, each ``(H, T, D)``, from the
    model's own modules."""
    import torch

    gpt = m.model
    ids = m.encode_ids(text)
    with torch.no_grad():
        x = gpt.embed(torch.tensor([ids]))
        for b in gpt.blocks[: layer - 1]:
            x = b(x)
        blk = gpt.blocks[layer - 1]
        q, k, v = blk.attn.c_attn(blk.ln_1(x))[0].split(C, dim=-1)  # 3 x (T, C)
        return tuple(t.view(-1, H, D).transpose(0, 1) for t in (q, k, v))
