"""A tiny GPT with set weights for the intervention tests (ablate, patch, steer): 2 blocks,
2 heads, width 8, a 12-word vocabulary, strong token embeddings, and block 2's MLP a constant
writer: whatever it reads, it adds ``ANSWER_SCALE`` times the embedding of ``money`` at every
position (its first layer is zero, GELU(0) = 0, so its output is its output bias). Everything else
is random (seeded): the other paths give what they give, and the tests compute it by hand."""

from __future__ import annotations

WORDS = ["<unk>", "<eos>", "the", "bank", "river", "money", "is", "a", "of", "by", "on", "we"]
MONEY = WORDS.index("money")
ANSWER_SCALE = 8.0


def constructed_gpt(writer: bool = True, name: str = "tiny"):
    """Our GPT's adapter around the model above (``writer=False``: block 2's MLP left random)."""
    import torch

    from vecs.contextual.align import WORD_RE
    from vecs.contextual.gpt import GPTModel
    from vecs.lm.model import GPT, GPTConfig

    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=len(WORDS), n_layer=2, n_head=2, n_embd=8, block_size=16)
    gpt = GPT(cfg).eval()
    with torch.no_grad():
        gpt.wte.weight.normal_(0.0, 1.0)
        gpt.wpe.weight.normal_(0.0, 0.3)
        for b in gpt.blocks:
            b.attn.c_attn.weight.normal_(0.0, 0.5)
            b.attn.c_proj.weight.normal_(0.0, 0.5)
            b.mlp.c_fc.weight.normal_(0.0, 0.5)
            b.mlp.c_proj.weight.normal_(0.0, 0.3)
        if writer:
            mlp = gpt.blocks[1].mlp
            for p in (mlp.c_fc.weight, mlp.c_fc.bias, mlp.c_proj.weight):
                p.zero_()
            mlp.c_proj.bias.copy_(ANSWER_SCALE * gpt.wte.weight[MONEY])

    class Tok:  # the word-level tokenizer's interface: unknown words are <unk> (id 0)
        def encode(self, text):
            found = list(WORD_RE.finditer(text.lower()))
            return [WORDS.index(m.group()) if m.group() in WORDS else 0 for m in found], [m.span() for m in found]

        def decode(self, ids):
            return " ".join(WORDS[i] for i in ids)

    m = GPTModel.__new__(GPTModel)
    m.model, m.tokenizer, m.config = gpt, Tok(), cfg
    m.name, m.source, m.kind, m.causal = name, name, "gpt", True
    m.n_layers, m.dim, m.max_tokens, m.default_layer, m.device = 2, 8, 16, 1, "cpu"
    return m


def by_hand(m, text: str, skip: set[str] = frozenset()):
    """Next-token probabilities at the last position, the forward pass written out from the
    model's own modules, leaving out the sub-blocks named in ``skip`` (``"mlp2"``, ``"attn1"``...)."""
    import torch

    gpt = m.model
    ids, _ = m.tokenizer.encode(text)
    with torch.no_grad():
        x = gpt.embed(torch.tensor([ids]))
        for i, b in enumerate(gpt.blocks, start=1):
            if f"attn{i}" not in skip:
                x = x + b.attn(b.ln_1(x))
            if f"mlp{i}" not in skip:
                x = x + b.mlp(b.ln_2(x))
        return torch.softmax(gpt.unembed(gpt.final_norm(x))[0, -1], -1)
