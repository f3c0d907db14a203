"""word2vec training (vecs/static/word2vec.py) and `vecs train word2vec`: determinism, the
result and metadata, progress, the loss, the store (collisions refused before any work, --force,
Ctrl-C), and sanity checks of a model trained on the State of the Union corpus."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs.corpus.reader import open_corpus
from vecs.errors import CorpusError, ModelExists, StoreError, VecsError
from vecs.io.store import exists, load
from vecs.static.word2vec import Word2VecResult, stable_hash, train_word2vec

runner = CliRunner()
SMALL = dict(dim=16, epochs=2, workers=1, seed=7)


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _nearest(space, word, k=10):
    n = space.normed
    scores = n @ n[space.row(word)]
    return [space.words[i] for i in np.argsort(-scores) if space.words[i] != word][:k]


def _analogy(space, a, b, c, k=5):
    n = space.normed
    v = n[space.row(b)] - n[space.row(a)] + n[space.row(c)]
    scores = n @ (v / np.linalg.norm(v))
    return [space.words[i] for i in np.argsort(-scores) if space.words[i] not in (a, b, c)][:k]


# -- determinism ------------------------------------------------------------------------------
def test_stable_hash_is_not_pythons_salted_hash():
    assert stable_hash("king1") == 1472533176  # the same in every process
    assert stable_hash("king1") != stable_hash("king2")


def test_deterministic_in_process_and_across_processes(tmp_path):
    a = train_word2vec("lee", name="a", **SMALL).space
    b = train_word2vec("lee", name="b", **SMALL).space
    assert a.words == b.words
    assert np.array_equal(a.vectors, b.vectors)
    out = tmp_path / "v.npy"
    code = ("import numpy as np; from vecs.static.word2vec import train_word2vec; "
            f"s = train_word2vec('lee', name='c', **{SMALL!r}).space; np.save({str(out)!r}, s.vectors); "
            "print(len(s.words))")
    # a fresh interpreter, with a different hash salt
    env = dict(os.environ, PYTHONHASHSEED="12345")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parent.parent)
    assert r.returncode == 0, r.stderr
    assert np.array_equal(np.load(out), a.vectors)
    d = train_word2vec("lee", name="d", **{**SMALL, "seed": 8}).space
    assert not np.array_equal(d.vectors, a.vectors)  # the seed matters


def test_same_model_as_plain_gensim_on_the_tokenised_file():
    # our vocabulary comes from the counts made while tokenising, not from gensim's own scan of
    # the file: the model must be bit-identical to plain gensim on that file all the same
    from gensim.models import Word2Vec

    from vecs.static.word2vec import corpus_file

    r = train_word2vec("lee", name="s", **SMALL)
    s = r.space
    cf = corpus_file(open_corpus("lee"))
    assert cf.cached and cf.tokens == s.meta["tokens"] == r.tokens
    m = Word2Vec(corpus_file=str(cf.path), vector_size=16, epochs=2, workers=1, seed=7, sg=1)
    assert m.corpus_count == cf.examples and m.corpus_total_words == cf.tokens
    assert s.words == m.wv.index_to_key
    assert np.array_equal(s.vectors, m.wv.vectors)


# -- what a trained space carries ------------------------------------------------------------
def test_meta_order_loss_and_progress():
    events = []
    r = train_word2vec("lee", name="m", dim=20, epochs=3, workers=1, progress=events.append)
    s = r.space
    corpus = open_corpus("lee")
    m = s.meta
    assert m["kind"] == "word2vec" and m["source"] == "lee"
    assert m["params"]["dim"] == 20 and m["params"]["epochs"] == 3 and m["params"]["sg"] is True
    assert m["corpus"]["fingerprint"] == corpus.fingerprint()
    assert m["vocabulary"] == len(s) and s.dim == 20
    assert m["gensim"].startswith("4.")
    assert m["duration_s"] >= m["train_s"] > 0 and m["words_per_s"] > 0
    assert s.words[:3] == ["the", "to", "of"]  # frequency order
    # the loss starts at exactly (1 + negative) ln 2 (output weights start at zero) and falls
    assert m["initial_loss"] == pytest.approx(6 * math.log(2), rel=1e-6)
    assert len(m["losses"]) == 3 and m["losses"][-1] < m["losses"][0] < m["initial_loss"]
    stages = {e.stage for e in events}
    assert {"build vocabulary", "train word2vec"} <= stages
    train = [e for e in events if e.stage == "train word2vec"]
    ends = [e for e in train if e.done > 0 and e.done % m["tokens"] == 0]  # (also mid-epoch events on slow runs)
    assert [e.info["epoch"] for e in ends] == ["1/3", "2/3", "3/3"]
    assert all(e.info["words_per_s"] > 0 and e.info["loss"] > 0 for e in ends)
    assert train[-1].finished and train[-1].done == train[-1].total == 3 * m["tokens"]


def test_cbow_and_bad_parameters():
    s = train_word2vec("lee", name="cbow", dim=10, epochs=1, workers=1, sg=False).space
    assert s.meta["params"]["sg"] is False and len(s) > 1000
    with pytest.raises(VecsError, match="dim must be"):
        train_word2vec("lee", name="x", dim=0)
    with pytest.raises(CorpusError, match="min_count"):
        train_word2vec("lee", name="x", dim=10, epochs=1, min_count=100_000)
    assert not exists("x")  # nothing is stored when training fails


def test_phrases_reach_the_model(tmp_path):
    lines = [f"W{i} v{i % 8} New York p{i % 8} z{i}." for i in range(40)]
    lines += [" ".join(f"filler{i}x{j}" for j in range(12)) + "." for i in range(60)]
    p = tmp_path / "ny.txt"
    p.write_text("\n".join(lines), encoding="utf-8")
    s = train_word2vec(open_corpus(p, phrases=True), name="ny", dim=8, epochs=1, workers=1, min_count=5).space
    assert "new_york" in s and "new" not in s
    # a spec is opened by the trainer, with the same options
    s2 = train_word2vec(p, name="ny2", phrases=True, dim=8, epochs=1, workers=1, min_count=5).space
    assert s2.words == s.words and np.array_equal(s2.vectors, s.vectors)


# -- the contract: the trainer writes to the store itself --------------------------------------
def test_result_is_stored_and_typed():
    r = train_word2vec("lee", name="stored", **SMALL)
    assert isinstance(r, Word2VecResult)
    assert r.name == "stored" and r.space.name == "stored" and r.corpus == "lee"
    assert r.words == len(r.space) and r.dim == 16 and r.epochs == 2 and r.params == r.space.meta["params"]
    m = r.space.meta
    assert (r.tokens, r.train_s, r.duration_s, r.words_per_s, r.loss, r.initial_loss) == (
        m["tokens"], m["train_s"], m["duration_s"], m["words_per_s"], m["loss"], m["initial_loss"])
    from vecs.io.store import model_path

    assert Path(r.path) == model_path("stored") and Path(r.path).is_dir()
    saved = load("stored")
    assert saved.words == r.space.words and np.array_equal(np.asarray(saved.vectors), r.space.vectors)
    # meta.json holds space.meta (its "created" is the moment of writing)
    same = {k: v for k, v in json.loads(json.dumps(m)).items() if k != "created"}
    assert {k: saved.meta[k] for k in same} == same
    assert list(r.summary()) == ["name", "path", "corpus", "tokens", "words", "dim", "epochs", "train_s",
                                 "duration_s", "words_per_s", "loss", "initial_loss", "params", "warnings",
                                 "tokenised_path", "tokenised_cached", "tokenised_bytes"]


def test_name_checked_and_existing_model_refused_before_any_work(monkeypatch):
    import vecs.static.word2vec as w2v

    def must_not_open(*a, **k):
        raise AssertionError("opened the corpus")

    with monkeypatch.context() as m:  # only this part: undo() would also undo the test's VECS_HOME
        m.setattr(w2v, "open_corpus", must_not_open)
        with pytest.raises(StoreError, match="invalid model name"):
            train_word2vec("lee", name="bad name", **SMALL)
        from vecs.io.store import save
        from vecs.space import Space

        save(Space(["a"], np.ones((1, 2), dtype=np.float32)), "taken")
        with pytest.raises(ModelExists, match="model 'taken' exists; use --force to replace it"):
            train_word2vec("lee", name="taken", **SMALL)
    r = train_word2vec("lee", name="taken", force=True, **SMALL)
    assert load("taken").dim == r.dim == 16


# -- the CLI ----------------------------------------------------------------------------------
def test_cli_train_json_collision_and_force(monkeypatch):
    r = run("train", "word2vec", "lee", "--name", "m", "--dim", 12, "--epochs", 1, "--workers", 1, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["name"] == "m" and out["dim"] == 12 and out["words"] > 1000 and out["corpus"] == "lee"
    assert Path(out["path"]).is_dir()
    saved = load("m")
    assert saved.dim == 12 and saved.meta["kind"] == "word2vec" and saved.meta["params"]["epochs"] == 1
    before = np.array(saved.vectors)

    # a second model of the same name is refused before any work (the corpus is not even opened)
    import vecs.static.word2vec as w2v

    def must_not_open(*a, **k):
        raise AssertionError("opened the corpus although the name is taken")

    with monkeypatch.context() as m:  # only this part: undo() would also undo the test's VECS_HOME
        m.setattr(w2v, "open_corpus", must_not_open)
        r = run("train", "word2vec", "lee", "--name", "m", "--dim", 8)
        assert r.exit_code == 1
        assert r.stderr.strip().splitlines() == ["error: model 'm' exists; use --force to replace it"]
        assert np.array_equal(np.array(load("m").vectors), before)

    r = run("train", "word2vec", "lee", "--name", "m", "--dim", 8, "--epochs", 1, "--workers", 1, "--force")
    assert r.exit_code == 0, r.output
    assert "8 dims" in r.stdout and "saved to" in r.stdout and "words/s" in r.stdout
    assert load("m").dim == 8


def test_cli_ctrl_c_leaves_the_store_unchanged(monkeypatch):
    r = run("train", "word2vec", "lee", "--name", "keep", "--dim", 8, "--epochs", 1, "--workers", 1)
    assert r.exit_code == 0, r.output
    from vecs.paths import models_dir

    listing = sorted(p.name for p in models_dir().iterdir())
    before = np.array(load("keep").vectors)

    from gensim.models import Word2Vec

    def interrupted(self, *a, **k):  # Ctrl-C in the middle of gensim's training
        raise KeyboardInterrupt

    monkeypatch.setattr(Word2Vec, "train", interrupted)
    for name, extra in (("keep", ["--force"]), ("new", [])):
        r = run("train", "word2vec", "lee", "--name", name, "--dim", 16, "--workers", 1, *extra)
        assert r.exit_code == 130
        assert r.stderr.strip().splitlines()[-1] == "interrupted: nothing was written; the store is unchanged"
        assert "Traceback" not in r.output
    assert sorted(p.name for p in models_dir().iterdir()) == listing  # no "new", no temporary folders
    assert np.array_equal(np.array(load("keep").vectors), before)
    assert not exists("new")


def test_cli_train_errors():
    r = run("train", "word2vec", "lee", "--name", "bad name")
    assert r.exit_code == 1 and r.stderr.startswith("error: invalid model name")
    r = run("train", "word2vec", "no-such-corpus", "--name", "x")
    assert r.exit_code == 1 and "no such corpus or file: no-such-corpus" in r.stderr
    r = run("train", "word2vec", "lee", "--name", "x", "--dim", 0)
    assert r.exit_code == 2  # a usage error from the option's range
    r = run("train", "word2vec", "--name", "x", "--help")
    assert r.exit_code == 0 and "--cbow" in r.stdout and "--phrases" in r.stdout


# -- a real model -------------------------------------------------------------------------------
@pytest.mark.real
def test_sotu_model_makes_sense():
    # 2 epochs, 50 dims, one worker (deterministic): ~15 s on 2 cores once tokenised (cached)
    s = train_word2vec("sotu", name="sotu-test", dim=50, epochs=2, workers=1, seed=1).space
    assert s.meta["corpus"]["tokens"] > 1_900_000 and 10_000 < len(s) < 15_000
    assert s.meta["losses"][-1] < s.meta["losses"][0] < s.meta["initial_loss"]
    near = {w: set(_nearest(s, w)) for w in ("war", "tax", "congress", "treaty", "navy")}
    assert len(near["war"] & {"wars", "conflict", "hostilities", "victory", "peace", "struggle", "ii", "vietnam",
                              "cold", "rebellion", "armies"}) >= 2, near["war"]
    assert len(near["tax"] & {"taxes", "cuts", "taxation", "excise", "revenue", "reduction", "income", "burden",
                              "taxpayers", "deduction"}) >= 2, near["tax"]
    assert near["congress"] & {"senate", "congressional", "legislature", "legislation", "house"}, near["congress"]
    assert len(near["treaty"] & {"convention", "treaties", "agreement", "stipulations", "extradition", "ratified",
                                 "concluded", "arbitration"}) >= 2, near["treaty"]
    assert near["navy"] & {"army", "naval", "corps", "marine", "navies"}, near["navy"]
    assert "she" in _analogy(s, "man", "woman", "he")
    assert "mexican" in _analogy(s, "spain", "spanish", "mexico")
