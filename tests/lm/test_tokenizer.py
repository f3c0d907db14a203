"""The word tokenizer of our GPT (vecs/lm/tokenizer.py): ids, character spans, decoding, round trips."""

from __future__ import annotations

import json

from vecs.corpus.tokenize import token_spans
from vecs.lm.tokenizer import WordTokenizer


def test_tokenizer_encode_spans_decode():
    tok = WordTokenizer(["the", "cat", "don't", "café", "naïve"])
    text = "The CAT don’t go — Café, naïve!"
    ids, spans = tok.encode(text)
    assert [text[a:b] for a, b in spans] == ["The", "CAT", "don’t", "go", "Café", "naïve"]
    assert ids == [0, 1, 2, tok.unk_id, 3, 4]
    assert tok.decode(ids) == "the cat don't <unk> café naïve"
    ids_b, spans_b = tok.encode("the cat", add_bos=True)
    assert ids_b == [tok.eos_id, 0, 1] and spans_b[0] == (0, 0)
    # a decomposed accent (e + U+0301) is one token spanning both code points
    deco = "Cafe\u0301 cat"
    assert token_spans(deco) == [("café", (0, 5)), ("cat", (6, 9))]
    # 'İ' lower-cases to two code points: spans still index the original text
    pairs = token_spans("İstanbul cat")
    assert [s for _, s in pairs] == [(0, 8), (9, 12)]
    assert WordTokenizer.from_dict(json.loads(json.dumps(tok.to_dict()))).itos == tok.itos
    # same tokens as the corpus tokenizer (word2vec's conventions)
    from vecs.corpus.tokenize import tokenize

    s = "Mr. Smith's 1,000 well-being O'Neill"
    assert [t for t, _ in token_spans(s)] == tokenize(s)


def test_tokenizer_from_dict_rejects_a_damaged_vocabulary():
    import pytest

    from vecs.errors import StoreError

    good = WordTokenizer(["the", "cat"]).to_dict()
    for words, says in ((["the", 3], "word 2 of the vocabulary is not a word"),
                        (["the", "the"], "repeats words"),
                        (["the", "<eos>"], "not a word")):
        with pytest.raises(StoreError, match=says):
            WordTokenizer.from_dict({**good, "words": words})
