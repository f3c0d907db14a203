"""Fixtures of the inside room: real models loaded once per session, and tiny GPTs whose weights
are set by hand so every number can be checked on paper."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def smollm2():
    from vecs.contextual.load import load_model

    return load_model("smollm2")


@pytest.fixture(scope="session")
def gemma3():
    from vecs.contextual.load import load_model

    return load_model("gemma3")


@pytest.fixture(scope="session")
def minilm():
    from vecs.contextual.load import load_model

    return load_model("minilm")


WORDS = ["<unk>", "<eos>", "the", "bank", "river", "money", "is", "a", "of", "by", "on", "we"]


def make_gpt(n_layer=2, n_head=2, n_embd=8, seed=0, words=WORDS):
    """Our GPT's adapter around a small model with a word-level vocabulary (no download)."""
    torch = pytest.importorskip("torch")
    from vecs.contextual.align import WORD_RE
    from vecs.contextual.gpt import GPTModel
    from vecs.lm.model import GPT, GPTConfig

    torch.manual_seed(seed)
    cfg = GPTConfig(vocab_size=len(words), n_layer=n_layer, n_head=n_head, n_embd=n_embd, block_size=16)

    class Tok:  # the word-level tokenizer's interface: unknown words are <unk> (id 0), <eos> starts a text
        unk_id, eos_id = 0, 1

        def encode(self, text, add_bos=False):
            found = list(WORD_RE.finditer(text.lower()))
            ids = [words.index(m.group()) if m.group() in words else 0 for m in found]
            spans = [m.span() for m in found]
            return ([1] + ids, [(0, 0)] + spans) if add_bos else (ids, spans)

        def decode(self, ids):
            return " ".join(words[i] for i in ids)

    m = GPTModel.__new__(GPTModel)
    m.model, m.tokenizer, m.config = GPT(cfg).eval(), Tok(), cfg
    m.name, m.source, m.kind, m.causal = "tiny", "tiny", "gpt", True
    m.n_layers, m.dim, m.max_tokens, m.default_layer, m.device = n_layer, n_embd, 16, 1, "cpu"
    return m


@pytest.fixture
def tiny_gpt():
    return make_gpt()
