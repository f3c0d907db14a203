"""Fixtures of the contextual room: the real models, loaded once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def minilm():
    from vecs.contextual.load import load_model

    return load_model("minilm")


@pytest.fixture(scope="session")
def smollm2():
    from vecs.contextual.load import load_model

    return load_model("smollm2")


@pytest.fixture
def tiny_gpt():
    """Our GPT's adapter around a 2-layer model with a 12-word vocabulary (no download)."""
    torch = pytest.importorskip("torch")
    from vecs.contextual.align import WORD_RE
    from vecs.contextual.gpt import GPTModel
    from vecs.lm.model import GPT, GPTConfig

    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=12, n_layer=2, n_head=2, n_embd=8, block_size=16)
    words = ["<unk>", "<eos>", "the", "bank", "river", "money", "is", "a", "of", "by", "on", "we"]

    class Tok:  # the word-level tokenizer's interface: unknown words are <unk> (id 0)
        def encode(self, text):
            found = list(WORD_RE.finditer(text.lower()))
            return [words.index(m.group()) if m.group() in words else 0 for m in found], [m.span() for m in found]

        def decode(self, ids):
            return " ".join(words[i] for i in ids)

    m = GPTModel.__new__(GPTModel)
    m.model, m.tokenizer, m.config = GPT(cfg).eval(), Tok(), cfg
    m.name, m.source, m.kind, m.causal = "tiny", "tiny", "gpt", True
    m.n_layers, m.dim, m.max_tokens, m.default_layer, m.device = 2, 8, 16, 1, "cpu"
    return m


@pytest.fixture(scope="session")
def gemma3():
    from vecs.contextual.load import load_model

    return load_model("gemma3")
