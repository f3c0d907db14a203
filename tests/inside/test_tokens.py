"""Tokens as a reader sees them, and the token followed for a word."""

from __future__ import annotations

import pytest

from vecs.errors import ContextualError
from vecs.inside.tokens import CONTINUED, find_target, label, labels, piece_bytes, show, special, unspaced


def test_show_makes_spaces_and_breaks_visible():
    assert show(" the") == "·the"
    assert show("  x") == "··x"
    assert show("a\nb\t") == "a↵b⇥"
    assert show("") == "∅"
    assert show("the") == "the"


def test_special_tokens_are_marked():
    assert special("<bos>") == "⟨bos⟩"
    assert special("<|endoftext|>") == "⟨endoftext⟩"


def test_piece_bytes_reads_both_byte_alphabets():
    assert piece_bytes("<0xE8>") == b"\xe8"
    assert piece_bytes("è¾") == "输".encode()[:2]  # GPT-2's byte-level alphabet
    assert piece_bytes("hello world") is None  # a space is not in the byte alphabet


def test_unspaced_scripts():
    assert unspaced("入") and unspaced("杨柳") and unspaced("ｘ")
    assert not unspaced("Warsaw") and not unspaced("") and not unspaced("é")


class ByteModel:
    """A model whose vocabulary spells '输' in two byte pieces (as SmolLM2 does)."""

    name = "bytes"
    vocab = {0: "<s>", 1: " the", 2: "\xe8\xbe", 3: "\x93", 4: "了", 5: " bank"}

    def special_ids(self):
        return {0}

    def raw_token(self, i):
        return {0: "<s>", 2: "è¾", 3: "ĵ"}.get(i, self.vocab[i])

    def _bytes(self, i):
        v = self.vocab[i]
        return v.encode("latin-1") if i in (2, 3) else v.encode()

    def decode_ids(self, ids):
        return b"".join(self._bytes(i) for i in ids).decode("utf-8", errors="replace")

    def token_text(self, i):
        return self.decode_ids([i])

    def encode_ids(self, text):
        table = {" the": [1], "the": [1], " bank": [5], "bank": [5], "输": [2, 3], " 输": [2, 3], "了": [4]}
        return [0] + table.get(text, [])


def test_labels_merge_byte_pieces_onto_the_token_that_completes_the_character():
    assert labels(ByteModel(), [0, 2, 3, 4, 1]) == ["⟨s⟩", CONTINUED, "输", "了", "·the"]


def test_a_lone_byte_piece_is_shown_as_its_bytes():
    assert label(ByteModel(), 2) == "⟨e8 be⟩"
    assert label(ByteModel(), 0) == "⟨s⟩"


def test_find_target_prefers_the_spaced_form_for_words_and_says_how_a_word_splits():
    m = ByteModel()
    assert find_target(m, "the").id == 1 and find_target(m, "the").note == ""
    t = find_target(m, "输")
    assert t.id == 2 and "2 tokens" in t.note and "⟨e8 be⟩" in t.note
    with pytest.raises(ContextualError, match="2 tokens"):
        find_target(m, "输", strict=True)
    with pytest.raises(ContextualError, match="empty"):
        find_target(m, " ")


def test_find_target_refuses_the_unknown_token(tiny_gpt):
    with pytest.raises(ContextualError, match="not in tiny's vocabulary"):
        find_target(tiny_gpt, "zebra")
    assert find_target(tiny_gpt, "bank").id == 3


@pytest.mark.real
def test_real_tokens_read_as_text(smollm2, gemma3):
    assert labels(smollm2, smollm2.encode_ids("输了 the")) == ["⟨endoftext⟩", CONTINUED, "输", "了", "·the"]
    assert labels(gemma3, gemma3.encode_ids("这场足球比赛中，输")) == ["⟨bos⟩", "这场", "足球", "比赛", "中", "，", "输"]
    assert find_target(gemma3, "入").tokens == ["入"]  # no space before a Chinese word
    assert find_target(smollm2, "Warsaw").tokens == ["·Warsaw"]
    assert "5 tokens" in find_target(smollm2, "杨柳").note
