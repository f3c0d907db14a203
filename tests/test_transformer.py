"""Our small transformer: model shapes, tokenizer spans, training, checkpoints (save, interrupt,
resume, load), devices and the `vecs train transformer` command. Tiny configurations on a tiny
constructed corpus: the whole file runs in seconds on a CPU."""

from __future__ import annotations

import json
import random
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from cli.main import app  # noqa: E402
from vecs.errors import MissingExtra, ModelExists, StoreError  # noqa: E402
from vecs.lm.train import DEFAULTS, pick_device, train_transformer
from vecs.errors import DeviceUnavailable
from vecs.lm.tokenizer import WordTokenizer
from vecs.lm.data import build_data, unigram_perplexity
from vecs.lm.checkpoint import load_transformer
from vecs.corpus.tokenize import token_spans
from vecs.lm.model import GPT, GPTConfig

runner = CliRunner()
TINY = dict(layers=2, dim=32, heads=2, context=16, batch=8, lr=1e-2, max_vocab=200, min_count=1,
            device="cpu")


@pytest.fixture
def tiny_corpus(tmp_path):
    """A file of sentences from a small grammar: next words are quite predictable."""
    rng = random.Random(0)
    subjects = ["the cat", "the dog", "a bird", "my neighbour", "the old king"]
    verbs = ["sees", "likes", "chases", "feeds"]
    objects = ["the mouse", "a ball", "the queen", "some bread", "the garden"]
    lines = []
    for _ in range(400):
        lines.append(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} today.")
    p = tmp_path / "tiny.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


# -- the model --------------------------------------------------------------------------------
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


# -- the tokenizer ----------------------------------------------------------------------------
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


def test_vocabulary_and_unigram_baseline(tiny_corpus):
    from vecs.corpus.reader import open_corpus

    data = build_data(open_corpus(tiny_corpus), max_vocab=5, min_count=1)
    tok = data.tokenizer
    assert len(tok.words) == 5 and tok.itos[-2:] == ["<unk>", "<eos>"]
    assert tok.words[0] == "the" and "today" in tok.words  # frequency order
    assert (data.train == tok.eos_id).sum() > 300 and data.train.max() == tok.eos_id
    # add-one unigram: by hand on a 3-token vocabulary
    ppl = unigram_perplexity(np.array([0, 0, 1]), np.array([0, 2]), 3)
    assert ppl == pytest.approx(np.exp(-(np.log(3 / 6) + np.log(1 / 6)) / 2))


# -- training ---------------------------------------------------------------------------------
def test_loss_falls_and_beats_unigram(tiny_corpus):
    events = []
    r = train_transformer(tiny_corpus, name="tiny", steps=40, progress=events.append, **TINY)
    losses = [e.info["loss"] for e in events if e.stage == "train tiny" and "loss" in e.info]
    assert losses[0] > np.log(r.vocabulary) - 0.3  # about log(vocabulary) at the start
    assert losses[-1] < losses[0] - 1.0
    assert r.val_perplexity < r.unigram_perplexity / 2
    assert r.steps == 40 and r.resumed_from == 0 and r.device == "cpu"
    assert any("tokens_per_s" in e.info and "ppl" in e.info for e in events)
    # the store sees a transformer model whose Space is the input embedding matrix
    from vecs.io.store import load

    space = load("tiny")
    assert space.meta["kind"] == "transformer" and space.meta["transformer"]["complete"] is True
    model, tok, cfg = load_transformer("tiny")
    assert space.words == tok.words
    assert np.allclose(space.vectors, model.wte.weight.detach().numpy()[: len(tok.words)])


def test_interrupt_resume_equals_uninterrupted_run_and_load_round_trip(tiny_corpus, tmp_path):
    common = dict(steps=12, checkpoint_every=5, **TINY)
    full = train_transformer(tiny_corpus, name="full", **common)

    def stop_at_7(ev):
        if ev.stage == "train part" and ev.done == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_transformer(tiny_corpus, name="part", progress=stop_at_7, **common)
    from vecs.paths import models_dir

    state = json.loads((models_dir() / "part" / "trainer_state.json").read_text())
    assert state["step"] == 5 and state["complete"] is False  # the step-5 checkpoint survived
    assert not [p for p in models_dir().iterdir() if p.name.startswith(".")]  # no half-written leftovers
    with pytest.raises(ModelExists):
        train_transformer(tiny_corpus, name="part", **common)
    with pytest.raises(StoreError, match="different architecture"):
        train_transformer(tiny_corpus, name="part", resume=True, steps=12, dim=64, device="cpu")
    part = train_transformer(tiny_corpus, name="part", resume=True, device="cpu")  # settings from the checkpoint
    assert part.resumed_from == 5 and part.steps == 12 and part.steps_this_run == 7
    m_full, tok_full, cfg_full = load_transformer("full")
    m_part, tok_part, cfg_part = load_transformer(models_dir() / "part")
    assert cfg_full == cfg_part and tok_full.itos == tok_part.itos
    for (k, a), (_, b) in zip(m_full.state_dict().items(), m_part.state_dict().items()):
        assert torch.allclose(a, b, atol=1e-6), k
    assert part.val_perplexity == pytest.approx(full.val_perplexity, rel=1e-5)
    # resuming a finished run with more steps continues the step counter
    more = train_transformer(tiny_corpus, name="part", resume=True, steps=15, device="cpu")
    assert more.resumed_from == 12 and more.steps == 15
    assert json.loads((models_dir() / "part" / "trainer_state.json").read_text())["step"] == 15


def test_load_errors(tiny_corpus):
    from vecs.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match="no transformer named 'nope'"):
        load_transformer("nope")
    from vecs.io.store import save
    from vecs.space import Space

    save(Space(["a"], np.ones((1, 2), dtype=np.float32), meta={"kind": "word2vec"}), "w2v")
    with pytest.raises(ModelNotFound, match="not a transformer"):
        load_transformer("w2v")
    with pytest.raises(StoreError, match="not a transformer checkpoint"):
        train_transformer(tiny_corpus, name="w2v", resume=True, steps=2, **{k: v for k, v in TINY.items()})


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error(tiny_corpus):
    with pytest.raises(DeviceUnavailable, match="CUDA is not available"):
        pick_device("cuda")
    assert pick_device("auto") == "cpu"
    res = runner.invoke(app, ["train", "transformer", str(tiny_corpus), "--name", "x", "--device", "cuda"])
    assert res.exit_code == 1
    assert "CUDA is not available" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training(tiny_corpus):
    r = train_transformer(tiny_corpus, name="gpu", steps=20, **{**TINY, "device": "cuda"})
    assert r.device.startswith("cuda") and r.val_perplexity < r.unigram_perplexity
    model, _, _ = load_transformer("gpu")  # weights saved from the GPU load on the CPU
    assert next(model.parameters()).device.type == "cpu"


# -- the command ------------------------------------------------------------------------------
def _args(corpus, name, *extra):
    return ["train", "transformer", str(corpus), "--name", name, "--layers", "1", "--dim", "16",
            "--heads", "2", "--context", "8", "--batch", "4", "--steps", "6", "--vocab", "50",
            "--device", "cpu", *extra]


def test_cli_json_table_and_name_collision(tiny_corpus):
    res = runner.invoke(app, _args(tiny_corpus, "cli-gpt", "--json"))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["name"] == "cli-gpt" and out["steps"] == 6 and out["config"]["n_layer"] == 1
    assert out["val_perplexity"] > 1 and out["unigram_perplexity"] > 1 and out["parameters"] > 0
    res = runner.invoke(app, _args(tiny_corpus, "cli-gpt"))
    assert res.exit_code == 1 and "exists" in res.stderr and "--force" in res.stderr
    assert "Traceback" not in res.output
    res = runner.invoke(app, _args(tiny_corpus, "cli-gpt", "--force"))
    assert res.exit_code == 0, res.output
    assert "validation perplexity" in res.stdout and "unigram baseline perplexity" in res.stdout
    from vecs.resolve import resolve

    space = resolve("cli-gpt")  # what `--model cli-gpt` gives every query command
    assert space.meta["kind"] == "transformer" and space.dim == 16 and "cat" in space


def test_cli_bad_input_is_one_line(tiny_corpus, tmp_path):
    res = runner.invoke(app, _args(tiny_corpus, "x", "--epochs", "1"))  # both --steps and --epochs
    assert res.exit_code == 1 and "not both" in res.stderr
    res = runner.invoke(app, _args(tmp_path / "missing.txt", "x"))
    assert res.exit_code == 1 and "no such corpus" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["train", "transformer", str(tiny_corpus), "--name", "x", "--dim", "30",
                              "--heads", "4", "--device", "cpu"])
    assert res.exit_code == 1 and "multiple of --heads" in res.stderr


def test_cli_missing_extra(tiny_corpus, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    monkeypatch.delitem(sys.modules, "vecs.lm.model", raising=False)
    with pytest.raises(MissingExtra):
        import vecs.lm.model  # noqa: F401
    res = runner.invoke(app, _args(tiny_corpus, "x"))
    assert res.exit_code == 1
    assert "pip install 'vecs[contextual]'" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_help_defaults_match_library():
    from cli.train_transformer import HELP_DEFAULTS

    assert HELP_DEFAULTS == {k: DEFAULTS[k] for k in HELP_DEFAULTS}
