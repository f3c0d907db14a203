"""The word-level tokenizer of our GPT: words of the corpus tokeniser, <unk> and <eos>, with character spans."""

from __future__ import annotations

from vecs.corpus.tokenize import token_spans, tokenize
from vecs.errors import StoreError

UNK, EOS = "<unk>", "<eos>"
TOKENIZER_KIND = "vecs-word-1"  # in vocab.json: which tokenizer wrote it


class WordTokenizer:
    """Word-level tokenizer: ``words`` (frequency order) then ``<unk>`` and ``<eos>``.

    >>> tok = WordTokenizer(["the", "cat"])
    >>> tok.encode("The dog, the CAT.")
    ([0, 2, 0, 1], [(0, 3), (4, 7), (9, 12), (13, 16)])
    >>> tok.decode([0, 2, 1, 3])
    'the <unk> cat <eos>'
    """

    def __init__(self, words: list[str], lower: bool = True):
        self.words = list(words)
        self.lower = lower
        self.itos = self.words + [UNK, EOS]
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.unk_id = len(self.words)
        self.eos_id = len(self.words) + 1

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"WordTokenizer(words={len(self.words)}, lower={self.lower})"

    def token_id(self, token: str) -> int:
        return self.stoi.get(token, self.unk_id)

    def encode_tokens(self, tokens: list[str]) -> list[int]:
        unk = self.unk_id
        get = self.stoi.get
        return [get(t, unk) for t in tokens]

    def tokenize(self, text: str) -> list[str]:
        """The word tokens of ``text`` (the corpus tokeniser's, known or not)."""
        return tokenize(text, self.lower)

    def encode(self, text: str, add_bos: bool = False) -> tuple[list[int], list[tuple[int, int]]]:
        """``(ids, spans)`` for a raw sentence: one id per word token and its ``(start, end)``
        character span in ``text``. With ``add_bos`` the ids start with ``<eos>`` (span
        ``(0, 0)``), which is what the model saw before every sentence in training."""
        pairs = token_spans(text, self.lower)
        ids = [self.stoi.get(t, self.unk_id) for t, _ in pairs]
        spans = [s for _, s in pairs]
        if add_bos:
            return [self.eos_id] + ids, [(0, 0)] + spans
        return ids, spans

    def decode(self, ids) -> str:
        """Tokens joined by spaces (``<unk>`` and ``<eos>`` shown as such)."""
        return " ".join(self.itos[int(i)] for i in ids)

    def to_dict(self) -> dict:
        return {"kind": TOKENIZER_KIND, "lower": self.lower, "unk": UNK, "eos": EOS,
                "words": self.words}

    @classmethod
    def from_dict(cls, d: dict) -> "WordTokenizer":
        if d.get("kind") != TOKENIZER_KIND or not isinstance(d.get("words"), list):
            raise StoreError(f"unknown tokenizer {d.get('kind')!r} (expected {TOKENIZER_KIND!r})")
        words = d["words"]
        bad = next((i for i, w in enumerate(words) if not isinstance(w, str) or not w or w in (UNK, EOS)), None)
        if bad is not None:
            raise StoreError(f"word {bad + 1} of the vocabulary is not a word ({words[bad]!r})")
        if len(set(words)) != len(words):
            raise StoreError(f"the vocabulary repeats words ({len(words) - len(set(words))} repeated)")
        return cls(words, lower=bool(d.get("lower", True)))
