"""Our GPT (vecs/lm/model.py): shapes, the pieces the logit lens needs, tied embeddings, causality."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from vecs.lm.model import GPT, GPTConfig  # noqa: E402


def test_shapes_forward_hidden_states_and_lens_pieces():
    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=50, n_layer=3, n_head=2, n_embd=16, block_size=8)
    m = GPT(cfg).eval()
    idx = torch.randint(0, 50, (2, 5))  # (B, T)
    logits, loss = m(idx)
    assert logits.shape == (2, 5, 50) and loss is None
    logits, loss = m(idx, targets=torch.randint(0, 50, (2, 5)))
    assert loss.shape == () and float(loss.detach()) > 0
    hs = m.hidden_states(idx)
    assert len(hs) == cfg.n_layer + 1
    assert all(h.shape == (2, 5, 16) for h in hs)
    # the last hidden state is *before* the final norm: applying it once reproduces the logits
    assert torch.allclose(m.unembed(m.final_norm(hs[-1])), logits, atol=1e-5)
    assert not torch.allclose(m.unembed(hs[-1]), logits, atol=1e-3)
    # tied embeddings: the unembedding is the embedding matrix, counted once
    assert m.lm_head.weight.data_ptr() == m.wte.weight.data_ptr()
    assert m.num_parameters() == sum(p.numel() for p in m.parameters())
    # causal: changing a later token leaves earlier positions untouched
    idx2 = idx.clone()
    idx2[:, 4] = (idx2[:, 4] + 1) % 50
    assert torch.allclose(m(idx2)[0][:, :4], logits[:, :4], atol=1e-5)
    with pytest.raises(ValueError):
        m(torch.zeros((1, 9), dtype=torch.long))


@pytest.mark.parametrize("change, says", [
    ({"n_head": 0}, "n_head must be a whole number"),
    ({"n_embd": "256"}, "n_embd must be a whole number"),
    ({"n_layer": True}, "n_layer must be a whole number"),
    ({"vocab_size": -3}, "vocab_size must be a whole number"),
    ({"n_embd": 30, "n_head": 4}, "n_embd (30) must be a multiple of n_head (4)"),
    ({"dropout": 1.5}, "dropout must be a number"),
    ({"bias": "yes"}, "bias must be true or false"),
    ({"block_size": None}, "block_size must be a whole number"),
])
def test_config_from_dict_rejects_bad_values_naming_the_file(change, says):
    from vecs.errors import StoreError

    good = GPTConfig(vocab_size=50, n_layer=2, n_head=2, n_embd=16, block_size=8).to_dict()
    assert GPTConfig.from_dict(good, source="m/config.json") == GPTConfig(**good)
    with pytest.raises(StoreError, match=r"^m/config\.json: not a valid model config: .*" + __import__("re").escape(says)):
        GPTConfig.from_dict({**good, **change}, source="m/config.json")
    missing = dict(good)
    del missing["n_embd"]  # a size left out is not silently the default
    with pytest.raises(StoreError, match="n_embd is missing"):
        GPTConfig.from_dict(missing, source="m/config.json")
