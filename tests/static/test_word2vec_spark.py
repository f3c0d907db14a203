"""word2vec trained by Spark MLlib (vecs/static/word2vec_spark.py, `vecs train word2vec --engine
spark`): the result on a constructed corpus with known answers, the same vocabulary in the same
order as the gensim engine on a real corpus, the metadata, and the clean errors (options Spark
lacks, pyspark or java missing, a JVM that does not start, a name taken).

The Spark tests share one local[2] session (the module fixture): the trainer uses an active
session and leaves it running. They are skipped only when pyspark is not installed."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import fails, ok

from vecs import Space
from vecs.errors import MissingExtra, ModelExists, SparkError, VecsError
from vecs.io.store import load, save
from vecs.static.word2vec import train_word2vec
from vecs.static.word2vec_spark import gensim_order

ROOT = Path(__file__).resolve().parents[2]
MASTER = "local[2]"


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    from vecs.static.word2vec_spark import session

    with session(MASTER) as s:
        yield s


def constructed(path: Path) -> Path:
    """2,000 sentences: cat and dog always in the same contexts, car and truck in others; a few
    rare words (under min_count)."""
    rnd = random.Random(0)
    animal = ["the {} chased the mouse in the garden", "my {} sleeps on the sofa all day",
              "we feed the {} fish and milk", "the vet looked at the {} and its paw"]
    vehicle = ["we drive the {} down the highway", "park the {} in the garage tonight",
               "the {} needs fuel and new tyres", "a mechanic fixed the {} engine"]
    lines = []
    for _ in range(1000):
        lines.append(rnd.choice(animal).format(rnd.choice(["cat", "dog"])))
        lines.append(rnd.choice(vehicle).format(rnd.choice(["car", "truck"])))
    lines += ["a zebra", "a zebra ran", "one okapi"]  # zebra 2, okapi 1: below min_count
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cos(space: Space, a: str, b: str) -> float:
    n = space.normed
    return float(n[space.row(a)] @ n[space.row(b)])


# -- with Spark -----------------------------------------------------------------------------
@pytest.mark.slow
def test_constructed_corpus_known_answers(spark, tmp_path):
    from collections import Counter

    corpus = constructed(tmp_path / "pets.txt")
    events = []
    r = train_word2vec(str(corpus), name="pets", engine="spark", master=MASTER, dim=16, window=3, epochs=3,
                       min_count=5, seed=3, progress=events.append)
    s = r.space
    counts = Counter(w for line in corpus.read_text().split("\n") for w in line.split())
    # the vocabulary: exactly the words seen at least min_count times, most frequent first
    assert set(s.words) == {w for w, c in counts.items() if c >= 5}
    assert "zebra" not in s.index and "okapi" not in s.index
    assert [counts[w] for w in s.words] == sorted((counts[w] for w in s.words), reverse=True)
    assert s.vectors.shape == (len(s.words), 16) and s.vectors.dtype == np.float32
    assert np.isfinite(s.vectors).all()
    # words that share every context are nearer each other than to the other pair
    assert cos(s, "cat", "dog") > max(cos(s, "cat", "car"), cos(s, "cat", "truck"))
    assert cos(s, "car", "truck") > max(cos(s, "car", "cat"), cos(s, "car", "dog"))
    # the metadata: gensim's keys, plus the engine, master and Spark version
    import pyspark

    m = load("pets").meta
    assert m["engine"] == "spark" and m["master"] == MASTER and m["spark"] == pyspark.__version__
    assert m["kind"] == "word2vec" and m["vocabulary"] == len(s.words) and m["tokens"] == r.tokens
    assert m["params"]["dim"] == 16 and m["params"]["hs"] is True and m["params"]["negative"] == 0
    assert m["params"]["workers"] == 2  # numPartitions: the cores of local[2]
    assert m["corpus"]["sentences"] == 2003 and m["spark_run"]["input"].startswith("file://")
    assert r.loss is None and r.words_per_s > 0 and r.train_s > 0
    assert load("pets").words == s.words
    # progress: Spark's iterations, then the vectors collected, with real figures
    train = [e for e in events if e.stage == "train word2vec"]
    assert train[-1].finished and train[-1].done == train[-1].total == 3 * r.tokens
    assert [e.done for e in train] == sorted(e.done for e in train)
    collect = [e for e in events if e.stage == "collect vectors"]
    assert collect[-1].finished and collect[-1].info["words"] == len(s.words)
    assert spark.sparkContext._jsc is not None  # the shared session is still running


@pytest.mark.slow
@pytest.mark.real
def test_cli_on_lee_same_vocabulary_and_order_as_gensim(spark):
    out = ok(["train", "word2vec", "lee", "-n", "lee-spark", "--engine", "spark", "--master", MASTER,
              "--dim", "12", "--epochs", "1", "--json"]).stdout
    summary = json.loads(out)
    assert summary["params"]["engine"] == "spark" and summary["epochs"] == 1
    s = load("lee-spark")
    g = train_word2vec("lee", name="lee-gensim", dim=8, epochs=1, workers=1).space
    assert s.words == g.words  # the same tokens, counts and order (gensim's, ties included)
    assert s.meta["corpus"]["fingerprint"] == g.meta["corpus"]["fingerprint"]
    assert s.meta["tokens"] == g.meta["tokens"] == summary["tokens"]
    # the name taken: refused before any work (no Spark job, no tokenising)
    msg = fails(["train", "word2vec", "lee", "-n", "lee-spark", "--engine", "spark"])
    assert "exists" in msg


@pytest.mark.slow
def test_one_partition_is_deterministic(spark, tmp_path):
    corpus = str(constructed(tmp_path / "pets.txt"))
    kw = dict(engine="spark", master=MASTER, dim=8, window=3, epochs=1, seed=5, workers=1)
    a = train_word2vec(corpus, name="a", **kw).space
    b = train_word2vec(corpus, name="b", **kw).space
    assert a.words == b.words and np.array_equal(a.vectors, b.vectors)
    assert a.meta["params"]["workers"] == a.meta["spark_run"]["partitions"] == 1


@pytest.mark.slow
def test_input_elsewhere_is_checked(spark, tmp_path, monkeypatch):
    from vecs.corpus.reader import open_corpus
    from vecs.static.word2vec import corpus_file

    corpus = str(constructed(tmp_path / "pets.txt"))
    monkeypatch.setenv("VECS_SPARK_INPUT", (tmp_path / "nowhere.txt").as_uri())
    with pytest.raises(SparkError, match="Spark cannot read it") as e:
        train_word2vec(corpus, name="x", engine="spark", master=MASTER, dim=8, epochs=1)
    tokenised = corpus_file(open_corpus(corpus)).path
    assert str(tokenised) in str(e.value)  # says which file to copy there
    short = tmp_path / "short.txt"
    short.write_text("".join(tokenised.read_text(encoding="utf-8").splitlines(keepends=True)[:100]))
    monkeypatch.setenv("VECS_SPARK_INPUT", short.as_uri())
    with pytest.raises(SparkError, match="has 100 lines; the tokenised corpus"):
        train_word2vec(corpus, name="x", engine="spark", master=MASTER, dim=8, epochs=1)


# -- without Spark running ------------------------------------------------------------------
def test_gensim_order_is_gensims():
    from gensim.models import Word2Vec

    counts = {"b": 2, "a": 3, "c": 2, "d": 1, "e": 3, "f": 2}  # in order of first occurrence
    m = Word2Vec(vector_size=4, min_count=1)
    m.build_vocab_from_freq(counts)
    assert gensim_order(list(counts), counts) == m.wv.index_to_key == ["e", "a", "f", "c", "b", "d"]


@pytest.mark.parametrize("kw, says", [
    (dict(negative=5), "negative sampling"),
    (dict(sample=1e-4), "down-sampling"),
    (dict(sg=False), "CBOW"),
    (dict(hs=1), "'hs'"),
    (dict(negative=0, sg=False), "negative sampling (--negative) or CBOW (--cbow)"),
])
def test_options_spark_lacks_are_refused(kw, says):
    with pytest.raises(SparkError, match="Spark's Word2Vec has no") as e:
        train_word2vec("lee", name="x", engine="spark", **kw)
    assert says in str(e.value)


def test_bad_engine_and_master():
    with pytest.raises(VecsError, match="engine must be one of gensim, spark"):
        train_word2vec("lee", name="x", engine="flink")
    with pytest.raises(VecsError, match="goes with --engine spark"):
        train_word2vec("lee", name="x", master="local[2]")
    with pytest.raises(VecsError, match="alpha must be a number > 0"):
        train_word2vec("lee", name="x", engine="spark", alpha=0)


def test_missing_pyspark_is_missing_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    with pytest.raises(MissingExtra, match=r"vecs\[spark\]"):
        train_word2vec("lee", name="x", engine="spark")
    msg = fails(["train", "word2vec", "lee", "-n", "x", "--engine", "spark"])
    assert "pyspark" in msg and "vecs[spark]" in msg


def test_missing_java(monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    with pytest.raises(SparkError, match="Spark needs Java 17 or later"):
        train_word2vec("lee", name="x", engine="spark")


def test_name_taken_refused_before_any_work(monkeypatch):
    save(Space(["a", "b"], np.eye(2, dtype=np.float32)), "taken")
    monkeypatch.setitem(sys.modules, "pyspark", None)  # not even pyspark is looked for
    with pytest.raises(ModelExists):
        train_word2vec("lee", name="taken", engine="spark")


def test_cli_unsupported_option_is_one_line():
    msg = fails(["train", "word2vec", "lee", "-n", "x", "--engine", "spark", "--cbow"])
    assert "CBOW (--cbow)" in msg and "--engine gensim" in msg
    assert "goes with --engine spark" in fails(["train", "word2vec", "lee", "-n", "x", "--master", "local[2]"])


def test_jvm_that_does_not_start_is_one_line(tmp_path, vecs_home):
    pytest.importorskip("pyspark")
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho 'Error: Could not create the Java Virtual Machine.' >&2\nexit 1\n")
    java.chmod(0o755)
    env = dict(os.environ, JAVA_HOME=str(java.parent.parent), COLUMNS="200")
    r = subprocess.run([sys.executable, "-c", "from cli.main import app; app()", "train", "word2vec", "lee",
                        "-n", "x", "--engine", "spark"], env=env, cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 1, r.stderr
    errors = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in r.stderr, r.stderr
    assert "Spark did not start on local[*]: Error: Could not create the Java Virtual Machine." in errors[0]
    assert not (vecs_home / "models" / "x").exists()
    log = Path(errors[0].rsplit("(log: ", 1)[1].rstrip(")"))  # the JVM's output, kept and named
    assert "Could not create the Java Virtual Machine" in log.read_text()
    shutil.rmtree(log.parent)
