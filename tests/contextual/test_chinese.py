"""Chinese (and any unspaced script) in the contextual room: the shipped 杨柳 sentences, the
model chosen for a Chinese word, the report of unknown tokens and byte pieces, and the sense
figures of 杨柳 on gemma3."""

from __future__ import annotations

import pytest

from vecs.contextual.align import find_word
from vecs.contextual.extract import word_vectors
from vecs.contextual.polysemy import choose_model, context_similarities, example_groups, load_examples, senses
from vecs.errors import ContextualError


def test_chinese_examples_are_well_formed():
    ex = load_examples("senses_zh.json")
    groups = ex["杨柳"]["senses"]
    assert list(groups) == ["plant", "farewell", "name"]
    for sents in groups.values():
        assert 3 <= len(sents) <= 6
        for s in sents:
            a, _ = find_word(s, "杨柳")
            assert a > 0  # never first: a causal model would see no context before it
    assert "昔我往矣，杨柳依依。今我来思，雨雪霏霏。" in groups["farewell"]
    assert example_groups("杨柳") == groups and "money" in example_groups("bank")
    with pytest.raises(ContextualError, match="no shipped examples for 'zebra'"):
        example_groups("zebra")


def test_model_chosen_by_script_unless_given():
    assert choose_model("bank") == ("minilm", "")
    model, note = choose_model("杨柳")
    assert model == "gemma3" and "gemma3 chosen for '杨柳'" in note
    assert choose_model("杨柳", "smollm2") == ("smollm2", "")


def test_unknown_word_on_a_tiny_model(tiny_gpt):
    """The tiny word-level model reads 杨柳是我的同学 as one <unk>: an error, never a cosine;
    a phrase with one unknown word is measured with a warning."""
    with pytest.raises(ContextualError, match="'杨柳' is entirely unknown to tiny in sentence 1"):
        word_vectors(tiny_gpt, ["杨柳是我的同学", "杨柳"], "杨柳")
    wv = word_vectors(tiny_gpt, ["we sat on the zebra bank", "the zebra bank"], "zebra bank", layer="all")
    assert [a.unknown for a in wv.alignments] == [1, 1] and wv.alignments[0].tokens == ["<unk>", "bank"]
    (w,) = wv.warnings
    assert w.startswith("'zebra bank' has 1 unknown token(s) of 2 in tiny (<unk> bank) in every sentence")
    assert word_vectors(tiny_gpt, ["the bank of the river"], "bank").warnings == []


@pytest.mark.real
def test_minilm_reads_yangliu_as_unknown(minilm):
    with pytest.raises(ContextualError, match=r"'杨柳' is entirely unknown to minilm .*\(\[UNK\] \[UNK\]\)"):
        senses(minilm, "杨柳", example_groups("杨柳"))


@pytest.mark.real
def test_smollm2_reports_byte_pieces(smollm2):
    wv = word_vectors(smollm2, ["我的同学杨柳住在学校旁边。", "这场足球比赛中，输了"], "杨柳",
                      string=["杨柳", "输"])
    a, b = wv.alignments
    assert (len(a.tokens), a.byte_pieces, a.shown) == (5, 5, ["⋯", "杨", "⋯", "⋯", "柳"])
    assert (len(b.tokens), b.byte_pieces, b.shown) == (2, 2, ["⋯", "输"])
    assert any("'杨柳' falls apart into byte pieces in smollm2 (5 tokens for 2 character(s)" in w for w in wv.warnings)


@pytest.mark.real
def test_gemma3_context_of_shu_aligns_by_characters(gemma3):
    r = context_similarities(gemma3, "输", ["这场足球比赛中，输了", "我想在这个单元格中输入数据", "他下棋又输给了弟弟"])
    assert [a.tokens for a in r.alignments] == [["输"], ["输入"], ["输"]]
    assert [(a.start, a.end) for a in r.alignments] == [(8, 9), (9, 10), (4, 5)]
    assert [a.shared for a in r.alignments] == [0, 1, 0]
    (w,) = r.warnings  # 输 inside the token 输入 is reported
    assert "'输' shares a token with the characters around it in gemma3 (输入) in sentence 2" in w
    assert r.model_note == ""  # the model was given


@pytest.mark.real
def test_gemma3_separates_the_senses_of_yangliu(gemma3):
    """Measured (gemma3, mean pooling, shipped sentences): raw cosine within > across at every
    layer after the embeddings (largest gap 0.019 at layer 16: within 0.982, across 0.963);
    standardised, the gap grows with depth to 0.287 at layer 18 (within 0.678, across 0.391)
    and is 0.157 at the default layer 9."""
    raw = senses(gemma3, "杨柳", example_groups("杨柳"))
    assert raw.warnings == [] and all(x.within > x.across for x in raw.layers[1:])
    assert raw.best.layer >= 12 and raw.best.gap > 0.01
    z = senses(gemma3, "杨柳", example_groups("杨柳"), standardize=True)
    assert z.best.layer >= 12 and z.best.gap > 0.2 and z.best.within > z.best.across + 0.2
    assert z.at(9).gap > 0.1
    for name in ("plant", "farewell", "name"):  # each sense closer to itself than the senses are to each other
        assert z.best.groups[name] > z.best.across
