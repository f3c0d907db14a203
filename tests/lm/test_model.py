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
