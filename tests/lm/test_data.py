"""Token streams for our GPT (vecs/lm/data.py): the vocabulary, the split, the unigram baseline."""

from __future__ import annotations

import numpy as np
import pytest

from vecs.corpus.reader import open_corpus
from vecs.lm.data import build_data, unigram_perplexity


def test_vocabulary_and_unigram_baseline(tiny_corpus):
    data = build_data(open_corpus(tiny_corpus), max_vocab=5, min_count=1)
    tok = data.tokenizer
    assert len(tok.words) == 5 and tok.itos[-2:] == ["<unk>", "<eos>"]
    assert tok.words[0] == "the" and "today" in tok.words  # frequency order
    assert (data.train == tok.eos_id).sum() > 300 and data.train.max() == tok.eos_id
    # add-one unigram: by hand on a 3-token vocabulary
    ppl = unigram_perplexity(np.array([0, 0, 1]), np.array([0, 2]), 3)
    assert ppl == pytest.approx(np.exp(-(np.log(3 / 6) + np.log(1 / 6)) / 2))
