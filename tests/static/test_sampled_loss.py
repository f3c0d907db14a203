"""The word2vec loss sample (vecs/static/sampled_loss.py): bounded pieces read once, pairs drawn
with numpy among exactly the valid ones, and a cost that does not grow with the length of the
corpus's lines (a text8-style corpus is one long line)."""

from __future__ import annotations

import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest

from vecs.static.sampled_loss import LOSS_PAIRS, SampledLoss, draw_pairs, sample_pieces

WORDS = [f"w{i}" for i in range(500)]


def _tokens(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [WORDS[i] for i in rng.zipf(1.3, size=n) % len(WORDS)]


def _fake_model(sg: bool = True, negative: int = 5):
    """What the sampler reads of a gensim model: the vocabulary, sg, the unigram table."""
    counts = np.arange(len(WORDS), 0, -1, dtype=np.float64) ** 0.75
    return SimpleNamespace(sg=int(sg), negative=negative, wv=SimpleNamespace(key_to_index={w: i for i, w in enumerate(WORDS)}),
                           cum_table=np.cumsum(counts / counts.sum() * 2**31).astype(np.uint32))


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_loss_sample_of_one_long_line_costs_what_the_same_text_in_lines_costs(tmp_path):
    toks = _tokens(300_000)  # ~2 MB: one text8-style line, and the same words 20 to a line
    one = tmp_path / "one.txt"
    one.write_text(" ".join(toks) + "\n", encoding="utf-8")
    lines = tmp_path / "lines.txt"
    lines.write_text("\n".join(" ".join(toks[i: i + 20]) for i in range(0, len(toks), 20)) + "\n", encoding="utf-8")
    model = _fake_model()
    peaks = {}
    for p in (one, lines):
        peaks[p.stem] = _peak(lambda: SampledLoss(model, p, window=5, seed=1))
    # pieces are bounded (64 x 8 KB), so the sample's memory is that of ~100k tokens either way
    # (listing every pair of the long line, as before, took hundreds of MB here, 18 GB on 3 MB)
    assert peaks["one"] < 24 * 2**20, peaks
    assert peaks["one"] < 2 * peaks["lines"] + 2**20, peaks
    s = SampledLoss(model, one, window=5, seed=1)
    assert len(s.center) == LOSS_PAIRS and s.ctx.shape == (LOSS_PAIRS, 1)


def test_sample_pieces_are_bounded_disjoint_and_never_cut_a_token(tmp_path):
    toks = _tokens(200_000, seed=3)
    p = tmp_path / "one.txt"
    p.write_text(" ".join(toks) + "\n", encoding="utf-8")
    pieces = sample_pieces(p, spots=64, piece_bytes=8192)
    assert 1 <= len(pieces) <= 64
    words = [w for piece in pieces for sent in piece for w in sent]
    assert sum(len(w) + 1 for w in words) <= 64 * 8192  # the work is bounded, whatever the line length
    assert set(words) <= set(WORDS)  # every token whole (a cut one would be a prefix or suffix)
    # each piece is a run of consecutive tokens of the file
    text = " " + " ".join(toks) + " "
    for piece in pieces:
        assert " " + " ".join(piece[0]) + " " in text
    # a small file is read whole, line by line
    q = tmp_path / "small.txt"
    q.write_text("a b c\nd e\n", encoding="utf-8")
    assert [s for piece in sample_pieces(q) for s in piece if s] == [["a", "b", "c"], ["d", "e"]]


@pytest.mark.parametrize("window", [1, 2, 5])
def test_drawn_pairs_are_exactly_the_valid_pairs(window):
    rng = np.random.default_rng(0)
    sent = np.repeat(np.arange(6), [1, 4, 7, 2, 9, 3])  # sentences of 1..9 positions
    valid = {(i, j - i) for i in range(len(sent)) for j in range(len(sent))
             if i != j and abs(i - j) <= window and sent[i] == sent[j]}
    pos, off = draw_pairs(sent, window, 10_000, rng)  # asking for more than there are: all of them
    assert set(zip(pos.tolist(), off.tolist())) == valid and len(pos) == len(valid)
    pos, off = draw_pairs(sent, window, 7, rng)  # a sample: distinct and valid
    got = list(zip(pos.tolist(), off.tolist()))
    assert len(set(got)) == len(got) == min(7, len(valid)) and set(got) <= valid
    cpos, _ = draw_pairs(sent, window, 10_000, rng, sg=False)  # CBOW: positions with a context
    assert cpos.tolist() == sorted({i for i, _ in valid})
    e = draw_pairs(np.zeros(0, dtype=np.int64), window, 10, rng)
    assert len(e[0]) == len(e[1]) == 0


def test_cbow_sample_masks_words_outside_the_sentence(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("w1 w2 w3\nw4 w5\nw6\n", encoding="utf-8")
    s = SampledLoss(_fake_model(sg=False), p, window=2, seed=0)
    # centre -> its context words in the same sentence (w6 alone has none: no sample)
    got = {int(c): sorted(int(x) for x, m in zip(row, mask) if m) for c, row, mask in zip(s.center, s.ctx, s.mask)}
    assert got == {1: [2, 3], 2: [1, 3], 3: [1, 2], 4: [5], 5: [4]}
