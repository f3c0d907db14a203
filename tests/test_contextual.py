"""Contextual vectors: word finding, subword pooling, layers, batching, distillation, the logit
lens, and the CLI commands (context, lens, distill). Models load once per session."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from vecs.contextual.align import WORD_RE, find_word
from vecs.contextual.distill import distill
from vecs.contextual.extract import template_space, word_vectors
from vecs.contextual.gpt import GPTModel
from vecs.contextual.lens import logit_lens
import vecs.contextual.load as C
from vecs.contextual.load import load_model
from vecs.contextual.model import default_layer
from vecs.linalg import cosine_matrix, standardize
from vecs.errors import ContextualError, MissingExtra

runner = CliRunner()


def _app():
    from cli.main import app

    return app


@pytest.fixture(scope="session")
def minilm():
    return load_model("minilm")


@pytest.fixture(scope="session")
def smollm2():
    return load_model("smollm2")


# -- finding the word (no model) ------------------------------------------------------------
def test_find_word_whole_word_case_and_occurrence():
    s = "Bank on it: the bank by the embankment is a bank."
    assert find_word(s, "bank") == (0, 4)
    assert find_word(s, "bank", occurrence=2) == (16, 20)
    assert find_word(s, "bank", occurrence=3) == (44, 48)  # "embankment" is not a match
    with pytest.raises(ContextualError, match="occurs 3 time"):
        find_word(s, "bank", occurrence=4)
    with pytest.raises(ContextualError, match="not in sentence 2"):
        find_word("He broke it.", "break", number=2)
    assert find_word("He broke it.", "broke") == (3, 8)
    assert find_word("Two banks merged.", "bank", loose=True) == (4, 9)


def test_standardize_math():
    x = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0]])
    z = standardize(x)
    # column 0: mean 3, std sqrt(8/3); column 2 constant: only centred
    np.testing.assert_allclose(z[:, 0], (x[:, 0] - 3) / np.sqrt(8 / 3), rtol=1e-6)
    np.testing.assert_allclose(z[:, 2], 0.0)
    np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-6)
    np.testing.assert_allclose(z[:, :2].std(0), 1.0, rtol=1e-6)
    # with given statistics
    z2 = standardize(x, mean=np.array([1.0, 0, 0]), std=np.array([2.0, 10, 0]))
    np.testing.assert_allclose(z2[1], [1.0, 3.0, 5.0])


def test_default_layer_rule():
    assert default_layer(6, causal=False) == 5 and default_layer(12, causal=False) == 10
    assert default_layer(2, causal=False) == 1 and default_layer(1, causal=False) == 1
    assert default_layer(30, causal=True) == 15


# -- minilm -------------------------------------------------------------------------------------
@pytest.mark.real
def test_layers_and_resolution(minilm):
    assert minilm.n_layers == 6 and minilm.dim == 384 and minilm.default_layer == 5
    assert minilm.resolve_layers("all") == list(range(7))
    assert minilm.resolve_layers(-1) == [6] and minilm.resolve_layers("2") == [2]
    assert minilm.resolve_layers(None) == [5]
    with pytest.raises(ContextualError, match="out of range"):
        minilm.resolve_layers(7)
    wv = word_vectors(minilm, ["A bank.", "The bank lent money."], "bank", layer="all")
    assert wv.vectors.shape == (7, 2, 384)


@pytest.mark.real
def test_subword_pooling_alignment(minilm):
    s = "The embankment broke, unbelievably!"
    # hand-checked WordPiece split: un ##bel ##ie ##va ##bly at positions 5..9 ([CLS] is 0)
    wv = word_vectors(minilm, [s], "unbelievably", layer="all", pooling="mean")
    a = wv.alignments[0]
    assert a.tokens == ["un", "##bel", "##ie", "##va", "##bly"]
    assert a.positions == [5, 6, 7, 8, 9] and a.text == "unbelievably"
    states = minilm.batch([s]).states[:, 0].numpy()  # (7, T, C)
    np.testing.assert_allclose(wv.vectors[:, 0], states[:, 5:10].mean(1), atol=1e-5)
    for how, ref in (("first", states[:, 5]), ("last", states[:, 9]), ("sum", states[:, 5:10].sum(1))):
        got = word_vectors(minilm, [s], "unbelievably", layer="all", pooling=how).vectors[:, 0]
        np.testing.assert_allclose(got, ref, atol=1e-4)
    # the inflection: the word "break" found through its form "broke", one token at position 3
    wv = word_vectors(minilm, [s], "break", string="broke", layer=0)
    assert wv.alignments[0].tokens == ["broke"] and wv.alignments[0].positions == [3]
    assert wv.word == "break"


@pytest.mark.real
def test_repeated_word_occurrence(minilm):
    s = "The bank by the river is not the bank that holds my money."
    one = word_vectors(minilm, [s], "bank", occurrence=1, layer="all")
    two = word_vectors(minilm, [s], "bank", occurrence=2, layer="all")
    assert one.alignments[0].positions == [2] and two.alignments[0].positions == [9]
    states = minilm.batch([s]).states[:, 0].numpy()
    np.testing.assert_allclose(two.vectors[:, 0], states[:, 9], atol=1e-5)
    # the same token id in two contexts: equal embeddings up to position, different at layer 4
    assert cosine_matrix(np.stack([one.at(4)[0], two.at(4)[0]]))[0, 1] < 0.99


@pytest.mark.real
def test_batched_equals_one_at_a_time(minilm):
    sents = ["A bank.", "She walked along the bank of the wide, slow river at dusk.",
             "The bank raised rates.", "bank"]
    batched = word_vectors(minilm, sents, "bank", layer="all", batch_size=4)
    single = np.stack([word_vectors(minilm, [s], "bank", layer="all").vectors[:, 0] for s in sents], 1)
    np.testing.assert_allclose(batched.vectors, single, atol=1e-4)
    sp = batched.space(4)
    assert sp.words == ["bank@1", "bank@2", "bank@3", "bank@4"] and sp.dim == 384


@pytest.mark.real
def test_word_vector_errors(minilm):
    with pytest.raises(ContextualError, match="no sentences"):
        word_vectors(minilm, [], "bank")
    with pytest.raises(ContextualError, match="not in sentence 2"):
        word_vectors(minilm, ["a bank", "a river"], "bank")
    with pytest.raises(ContextualError, match="pooling"):
        word_vectors(minilm, ["a bank"], "bank", pooling="max")


@pytest.mark.real
def test_distill_is_the_average_of_contexts(minilm):
    sents = ["The bank lent money.", "We sat on the bank.", "Money is not everything."]
    sp = distill(minilm, sents, layer=4, min_count=2)
    assert set(sp.words) == {"the", "bank", "money"} and sp.dim == 384
    assert sp.meta["kind"] == "distilled" and sp.meta["layer"] == 4
    wv = word_vectors(minilm, sents[:2], "bank", layer=4)
    np.testing.assert_allclose(sp.vector("bank"), wv.at(4).mean(0), atol=1e-4)
    spaces = distill(minilm, sents, layer="all", min_count=2)
    assert [s.meta["layer"] for s in spaces] == list(range(7))


@pytest.mark.real
def test_template_space(minilm):
    sp = template_space(minilm, ["doctor", "nurse", "doctor"], layer=3)
    assert sp.words == ["doctor", "nurse"] and sp.dim == 384
    wv = word_vectors(minilm, ["This is a nurse."], "nurse", layer=3)
    np.testing.assert_allclose(sp.vector("nurse"), wv.at(3)[0], atol=1e-5)


@pytest.mark.real
def test_lens_refuses_an_encoder(minilm):
    with pytest.raises(ContextualError, match="causal"):
        logit_lens(minilm, "Hello there")


# -- smollm2: the logit lens ---------------------------------------------------------------
@pytest.mark.real
def test_lens_last_layer_is_the_models_own_prediction(smollm2):
    import torch

    r = logit_lens(smollm2, "The capital of France is", k=3)
    assert len(r.guesses) == smollm2.n_layers + 1 == 31
    assert r.final[0].word.strip() == "Paris"
    # final norm applied once: the lens's last row equals the model's own logits
    ids = smollm2.tok("The capital of France is", return_tensors="pt")["input_ids"]
    ids = torch.cat([torch.tensor([smollm2._prefix]), ids], 1)
    with torch.inference_mode():
        own = smollm2.model(ids).logits[0].softmax(-1)
    for t in range(ids.shape[1]):
        top = own[t].topk(3)
        assert [g.id for g in r.guesses[-1][t]] == top.indices.tolist()
        assert r.guesses[-1][t][0].score == pytest.approx(float(top.values[0]), abs=1e-4)


@pytest.mark.real
def test_smollm2_hidden_states_are_pre_norm(smollm2):
    b = smollm2.batch(["Darwin wrote"])
    last = b.states[-1, 0]
    # HF returns the last state normalised; ours is the residual (RMS far from 1)
    rms = last.pow(2).mean(-1).sqrt()
    assert float((rms - 1).abs().max()) > 0.5
    assert b.states.shape[0] == 31


# -- our own transformer behind the same interface ---------------------------------------
def test_gpt_wrapper_on_a_tiny_model():
    torch = pytest.importorskip("torch")
    from vecs.lm.model import GPT, GPTConfig

    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=12, n_layer=2, n_head=2, n_embd=8, block_size=16)
    words = ["<unk>", "<eos>", "the", "bank", "river", "money", "is", "a", "of", "by", "on", "we"]

    class Tok:
        def encode(self, text):
            ids, spans = [], []
            for m in WORD_RE.finditer(text.lower()):
                ids.append(words.index(m.group()) if m.group() in words else 0)
                spans.append(m.span())
            return ids, spans

        def decode(self, ids):
            return " ".join(words[i] for i in ids)

    m = GPTModel.__new__(GPTModel)
    m.model, m.tokenizer, m.config = GPT(cfg).eval(), Tok(), cfg
    m.name, m.source, m.kind, m.causal = "tiny", "tiny", "gpt", True
    m.n_layers, m.dim, m.max_tokens, m.default_layer, m._device = 2, 8, 16, 1, "cpu"
    wv = word_vectors(m, ["the bank of the river", "money is a bank"], "bank", layer="all")
    assert wv.vectors.shape == (3, 2, 8)
    assert wv.alignments[1].positions == [3]
    # padding the short sentence changes nothing (causal attention, right padding)
    alone = word_vectors(m, ["money is a bank"], "bank", layer="all")
    np.testing.assert_allclose(wv.vectors[:, 1], alone.vectors[:, 0], atol=1e-5)
    r = logit_lens(m, "we sat on the bank", k=2)
    with torch.inference_mode():
        own = m.model(torch.tensor([Tok().encode("we sat on the bank")[0]]))[0][0]
    assert [g.id for g in r.guesses[-1][-1]] == own[-1].topk(2).indices.tolist()
    assert r.tokens[-1] == "bank"


# -- missing extra and unknown models ----------------------------------------------------
def test_missing_extra(monkeypatch):
    monkeypatch.setattr(C, "_CACHE", {})
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingExtra, match="contextual"):
        load_model("minilm")
    res = runner.invoke(_app(), ["context", "bank", "a bank", "the bank"])
    assert res.exit_code == 1 and "'transformers', which is not installed" in res.output
    assert "Traceback" not in res.output


def test_unknown_model():
    from vecs.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match="minilm"):
        load_model("minilmm")


# -- CLI -----------------------------------------------------------------------------------
@pytest.mark.real
def test_cli_context_json_and_table(minilm):
    app = _app()
    res = runner.invoke(app, ["context", "bank", "I paid at the bank.", "We sat on the river bank.",
                              "The bank lent money.", "--layer", "all", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["layers"] == list(range(7)) and d["standardized"] is False
    assert len(d["pairs"]) == 3 * 7 and all({"word", "score"} <= set(p) for p in d["pairs"])
    at4 = {(p["a"], p["b"]): p["score"] for p in d["pairs"] if p["layer"] == 4}
    assert at4[(1, 3)] > at4[(1, 2)]  # money-money closer than money-river
    res = runner.invoke(app, ["context", "break", "--string", "broke", "--show-tokens", "--standardize"],
                        input="He broke the vase.\nThe dam broke.\n")
    assert res.exit_code == 0, res.output
    assert "broke" in res.output and "standardised: yes" in res.output


@pytest.mark.real
def test_cli_context_file_and_errors(minilm, tmp_path):
    app = _app()
    f = tmp_path / "s.txt"
    f.write_text("the bank\n\nthe other bank\n")
    res = runner.invoke(app, ["context", "bank", "--file", str(f), "--json", "--layer", "2"])
    assert res.exit_code == 0 and json.loads(res.stdout)["layers"] == [2]
    for args, msg in ((["context", "bank", "a bank", "a river"], "not in sentence 2"),
                      (["context", "bank"], "no sentences"),
                      (["context", "bank", "a bank", "b bank", "--model", "nosuch"], "no transformer model"),
                      (["context", "bank", "a bank", "b bank", "--layer", "9"], "out of range")):
        res = runner.invoke(app, args, input="")
        assert res.exit_code == 1, args
        assert msg in res.output and "Traceback" not in res.output


@pytest.mark.real
def test_cli_lens(smollm2):
    app = _app()
    res = runner.invoke(app, ["lens", "The capital of France is", "-k", "2", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert len(d["layers"]) == 31 and d["guesses"][-1][-1][0]["word"].strip() == "Paris"
    assert {"word", "score"} <= set(d["guesses"][0][0][0])
    res = runner.invoke(app, ["lens", "Darwin wrote", "--every", "10"])
    assert res.exit_code == 0 and "next token" in res.output
    res = runner.invoke(app, ["lens", "Hello", "--model", "minilm"])
    assert res.exit_code == 1 and "causal" in res.output


@pytest.mark.real
def test_cli_distill_writes_store_models(minilm, tmp_path):
    from vecs.io.store import load

    corpus = tmp_path / "c.txt"
    corpus.write_text("The bank lent money.\nWe sat on the bank.\nMoney talks.\n")
    app = _app()
    res = runner.invoke(app, ["distill", "minilm", "--corpus", str(corpus), "--name", "mini", "--layer", "3",
                              "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["models"][0]["words"] == 3
    sp = load("mini")
    assert "bank" in sp and sp.dim == 384 and sp.meta["kind"] == "distilled"
    res = runner.invoke(app, ["distill", "minilm", "--corpus", str(corpus), "--name", "mini", "--layer", "all"])
    assert res.exit_code == 0 and load("mini-L6").meta["layer"] == 6
    res = runner.invoke(app, ["distill", "minilm", "--corpus", str(corpus), "--name", "mini"])
    assert res.exit_code == 1 and "Traceback" not in res.output  # exists already


@pytest.mark.real
def test_our_trained_transformer_end_to_end():
    """A tiny GPT trained here, found in the store by name, through every contextual path."""
    pytest.importorskip("torch")
    from vecs.lm.train import train_transformer

    train_transformer("lee", name="tiny-gpt", layers=2, dim=32, heads=2, context=32, steps=10, batch=8,
                      device="cpu", seed=0)
    m = load_model("tiny-gpt")
    assert isinstance(m, GPTModel) and m.n_layers == 2 and m.default_layer == 1
    wv = word_vectors(m, ["The government said on Monday.", "the people of the government"], "government",
                        layer="all")
    assert wv.vectors.shape == (3, 2, 32) and wv.alignments[0].positions == [2]  # <eos> the government
    r = logit_lens(m, "the government said", k=2)
    assert r.tokens[0] == "<eos>" and len(r.guesses) == 3
    res = runner.invoke(_app(), ["lens", "the government said", "--model", "tiny-gpt", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["layers"] == [0, 1, 2]
    res = runner.invoke(_app(), ["context", "government", "the government said", "a government",
                                 "--model", "tiny-gpt", "--json"])
    assert res.exit_code == 0, res.output
