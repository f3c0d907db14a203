"""word2vec trained by Spark MLlib (``pyspark.ml.feature.Word2Vec``) from the same tokenised
corpus file the gensim engine reads: ``train_word2vec(..., engine="spark", master=...)``, i.e.
``vecs train word2vec CORPUS --engine spark [--master URL]``. There is no trainer of our own
here: Spark's does the work, in this process's JVM (``local[*]``) or on a cluster
(docs/spark.md says how).

The engine, not our code, differs from gensim: Spark's Word2Vec is skip-gram with hierarchical
softmax and no down-sampling of frequent words (gensim's default here: skip-gram, 5 negative
samples, ``sample=1e-3``). Asking for ``negative``, ``sample`` or CBOW with ``engine="spark"``
is an error, never silently ignored. The knobs:

====================  ===================  ================================================
vecs (gensim)         Spark                 note
====================  ===================  ================================================
dim                   vectorSize
window                windowSize            words on each side, shrunk at random in both
epochs                maxIter
min_count             minCount
seed                  seed
workers               numPartitions         default: Spark's default parallelism (the cores)
alpha                 stepSize              0.025 in both, decaying linearly
max_sentence_length   maxSentenceLength     10,000 here (gensim's cut; Spark's own is 1,000)
====================  ===================  ================================================

With more than one partition Spark trains each partition on its own and averages the vectors
after every iteration: faster, a little worse per epoch than one shared model. With one partition
(``workers=1``) and a ``seed`` two runs give identical vectors; with more, the shuffle that spreads
the sentences over partitions orders them differently each time.

The session. When this process has no active session we start one on ``master`` (default
``local[*]``): the JVM's own output (log4j, warnings) goes to ``spark.log`` in a temporary
folder, never to the terminal; Spark's log level is ERROR; the session and its JVM are stopped
at the end. An active session (a notebook's, the tests' fixture) is used as it is and left
running. ``VECS_SPARK_DRIVER_MEMORY`` sets ``spark.driver.memory`` (the driver holds the
vocabulary and collects the vectors); ``PYSPARK_SUBMIT_ARGS`` passes anything else to
spark-submit (executors, their memory...).

The input. Spark reads the tokenised file (``spark.read.text``, each line split on spaces), so
both engines see the same tokens. Every executor must read it: in local mode that is its path;
on a cluster it must be at the same path on every machine (a shared ``VECS_CACHE``) or be copied
to shared storage and named by ``VECS_SPARK_INPUT`` (``hdfs://...``, ``s3a://...``), whose line
count is checked against the file's.

The words come back from ``model.getVectors()`` and are put in gensim's order (most frequent
first, ties as gensim breaks them) with the counts made while tokenising.

Progress (real figures): ``start Spark`` (master, version, cores, seconds), ``train word2vec``
(Spark's vocabulary pass, then each iteration: tasks finished, from Spark's status tracker,
polled), ``collect vectors`` (words, seconds).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vecs.errors import CorpusError, SparkError, VecsError
from vecs.extras import require_pyspark
from vecs.progress import ProgressFn, report
from vecs.static.corpus_position import Poller
from vecs.static.tokenised import MAX_SENTENCE, CorpusFile, trained_meta

ENGINES = ("gensim", "spark")
DEFAULT_MASTER = "local[*]"
#: the options of ``train_word2vec(**extra)`` Spark's Word2Vec has (the rest are gensim's)
SPARK_EXTRA = ("alpha", "max_sentence_length")
#: seconds between two looks at Spark's status tracker
POLL_S = 0.5
#: the environment variables read here (documented in docs/spark.md)
DRIVER_MEMORY_ENV = "VECS_SPARK_DRIVER_MEMORY"
INPUT_ENV = "VECS_SPARK_INPUT"

_LACKS = {"negative": "negative sampling (--negative)", "sample": "down-sampling of frequent words (--sample)",
          "cbow": "CBOW (--cbow)"}


@dataclass
class SparkOptions:
    """What ``engine="spark"`` was asked for, checked before any work."""

    master: str | None  # None: the active session's, else DEFAULT_MASTER
    partitions: int | None  # numPartitions (``workers``); None: Spark's default parallelism
    alpha: float = 0.025
    max_sentence_length: int = MAX_SENTENCE  # gensim's cut, so both engines cut long lines alike


def check_spark(engine: str, master: str | None, *, sg: bool, negative, sample, workers, extra: dict
                ) -> SparkOptions | None:
    """The engine's options, checked before any work: None for gensim; for Spark, options it
    lacks are refused (:class:`SparkError`), then pyspark and java are looked for
    (:class:`~vecs.errors.MissingExtra`, :class:`SparkError`)."""
    if engine not in ENGINES:
        raise VecsError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "gensim":
        if master is not None:
            raise VecsError("a Spark master (--master) goes with --engine spark")
        return None
    asked = [k for k, v in (("negative", negative), ("sample", sample)) if v is not None]
    asked += [] if sg else ["cbow"]
    asked += [k for k in extra if k not in SPARK_EXTRA]
    if asked:
        names = [_LACKS.get(k, repr(k)) for k in asked]
        lacks = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        raise SparkError(f"Spark's Word2Vec has no {lacks}: it is skip-gram with hierarchical softmax; "
                         f"leave {'it' if len(asked) == 1 else 'them'} out or use --engine gensim")
    if master is not None and (not isinstance(master, str) or not master.strip()):
        raise VecsError(f"master must be a Spark master URL (local[*], spark://HOST:7077, yarn...), got {master!r}")
    alpha = extra.get("alpha", 0.025)
    length = extra.get("max_sentence_length", MAX_SENTENCE)
    for label, value, ok in (("workers", workers, workers is None or _int(workers) and workers >= 1),
                             ("max_sentence_length", length, _int(length) and length >= 1),
                             ("alpha", alpha, isinstance(alpha, (int, float)) and not isinstance(alpha, bool)
                              and alpha > 0)):
        if not ok:
            raise VecsError(f"{label} must be {'a number > 0' if label == 'alpha' else 'an integer >= 1'}, "
                            f"got {value!r}")
    require_pyspark()
    return SparkOptions(master.strip() if master else None, workers, float(alpha), int(length))


def _int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


# -- the session ----------------------------------------------------------------------------
def _why(e: BaseException, log: Path | None) -> str:
    """One line saying why Spark failed: the JVM's last error line in ``log`` (when it left one),
    else the exception's own message (a Java exception's, for a failed call into the JVM)."""
    line = ""
    if log is not None and log.is_file():
        text = [x.strip() for x in log.read_text(encoding="utf-8", errors="replace").splitlines()[-200:] if x.strip()]
        errors = [x for x in text if any(m in x for m in ("Error", "Exception", "error:", "ERROR"))]
        line = (errors or [""])[-1]
    if not line:
        java = getattr(e, "java_exception", None)
        msg = str(java.toString()) if java is not None else str(getattr(e, "desc", None) or e)
        lines = [x.strip() for x in msg.splitlines() if x.strip()]
        line = lines[0] if lines else type(e).__name__
    return line if len(line) <= 300 else line[:297] + "..."


@contextmanager
def session(master: str | None = None, progress: ProgressFn | None = None) -> Iterator:
    """A SparkSession: the active one when there is one (and ``master`` is None or its master),
    used and left running; otherwise one started on ``master`` (default ``local[*]``) with the
    JVM's output in a log file, and stopped at the end, its JVM too."""
    require_pyspark()
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        if master is not None and active.sparkContext.master != master:
            raise SparkError(f"a Spark session on {active.sparkContext.master} is already running in this "
                             f"process; stop it or leave --master out to use it")
        yield active
        return
    master = master or DEFAULT_MASTER
    t = time.perf_counter()
    report(progress, "start Spark", 0, 1, master=master)
    folder = Path(tempfile.mkdtemp(prefix="vecs-spark-"))
    log = folder / "spark.log"
    conf = (SparkConf().setMaster(master).setAppName("vecs word2vec").set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false"))
    if os.environ.get(DRIVER_MEMORY_ENV):
        conf.set("spark.driver.memory", os.environ[DRIVER_MEMORY_ENV])
    if master.startswith("local"):  # nothing outside this machine needs to reach the driver
        conf.set("spark.local.dir", str(folder)).set("spark.driver.bindAddress", "127.0.0.1") \
            .set("spark.driver.host", "localhost")
    gateway, spark, keep_log = None, None, False
    # SparkContext installs its own Ctrl-C handler (cancel the jobs, raise KeyboardInterrupt): ours again after
    sigint = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    try:
        try:
            if SparkContext._gateway is None:  # our own JVM, its output into the log file
                with open(log, "ab") as out:
                    gateway = launch_gateway(conf, popen_kwargs={"stdout": out, "stderr": out})
            sc = SparkContext(conf=conf, gateway=gateway)
        except Exception as e:
            keep_log = True
            raise SparkError(f"Spark did not start on {master}: {_why(e, log)} (log: {log})") from None
        sc.setLogLevel("ERROR")
        spark = SparkSession(sc)
        report(progress, "start Spark", 1, 1, finished=True, master=sc.master, spark=spark.version,
               cores=sc.defaultParallelism, seconds=round(time.perf_counter() - t, 1))
        yield spark
    finally:  # the log is kept only when the start failed (the error names it)
        if spark is not None:
            spark.stop()
        if gateway is not None:
            _shutdown(gateway, SparkContext)
        if not keep_log:
            shutil.rmtree(folder, ignore_errors=True)
        if sigint is not None:
            signal.signal(signal.SIGINT, sigint)


def _shutdown(gateway, context_class) -> None:
    """Stop the JVM we started (pyspark keeps it for the life of the process otherwise)."""
    try:
        gateway.shutdown()
    except Exception:  # pragma: no cover - already gone
        pass
    proc = getattr(gateway, "proc", None)
    if proc is not None:
        try:
            proc.stdin.close()  # the JVM exits when its stdin closes
            proc.wait(timeout=20)
        except Exception:  # pragma: no cover - a JVM that will not go
            proc.kill()
    context_class._gateway = None  # the next session starts a fresh JVM
    context_class._jvm = None


# -- progress from Spark's status tracker ----------------------------------------------------
class _Tracker:
    """Reads how far Spark's Word2Vec jobs are: the vocabulary pass, then one job per iteration
    (its stage ``mapPartitions...`` runs one task per partition)."""

    def __init__(self, sc, group: str, epochs: int, tokens: int, progress: ProgressFn | None):
        self.status, self.group, self.epochs, self.tokens, self.progress = sc.statusTracker(), group, epochs, tokens, progress
        self.t0 = time.perf_counter()
        self.first: float | None = None  # when the first iteration began
        self.done = 0.0
        self.ends: list[float] = []  # when each iteration was seen finished
        self.vocabulary_s: float | None = None
        self.announced = False

    def tick(self) -> None:
        iterations, fraction = 0, 0.0
        for j in sorted(self.status.getJobIdsForGroup(self.group)):
            job = self.status.getJobInfo(j)
            stages = [s for s in (self.status.getStageInfo(i) for i in job.stageIds) if s is not None] if job else []
            train = [s for s in stages if s.name.startswith("mapPartitions")]
            if not train:
                continue  # the vocabulary pass (and anything else)
            if self.first is None:
                self.first = time.perf_counter()
                self.vocabulary_s = self.first - self.t0
            if job.status == "SUCCEEDED":
                iterations += 1
            elif job.status == "RUNNING":
                fraction = max(fraction, min(s.numCompletedTasks / max(s.numTasks, 1) for s in train))
        now = time.perf_counter()
        while len(self.ends) < min(iterations, self.epochs):
            self.ends.append(now)
        done = (min(iterations, self.epochs) + min(fraction, 0.999)) * self.tokens
        if self.first is None and not self.announced:
            self.announced = True
            report(self.progress, "train word2vec", 0, self.epochs * self.tokens, epoch=f"0/{self.epochs}",
                   step="Spark counts the words")
        elif self.first is not None and done > self.done:
            self.done = done
            rate = done / (now - self.first) if now > self.first else 0.0
            report(self.progress, "train word2vec", done, self.epochs * self.tokens,
                   epoch=f"{min(iterations + 1, self.epochs)}/{self.epochs}", words_per_s=rate)

    def epoch_s(self) -> list[float]:
        starts = [self.first or self.t0] + self.ends[:-1]
        return [round(b - a, 3) for a, b in zip(starts, self.ends)]


# -- training -------------------------------------------------------------------------------
def gensim_order(words: list[str], counts: dict) -> list[str]:
    """``words`` in gensim's order: most frequent first; equal counts in the reverse order of
    first occurrence (``counts`` is in order of first occurrence), as gensim's lexsort leaves them."""
    first = {w: i for i, w in enumerate(counts)}
    return sorted(words, key=lambda w: (-counts[w], -first[w]))


def input_uri(path: Path) -> tuple[str, bool]:
    """(what Spark reads, whether it is the user's copy named by ``VECS_SPARK_INPUT``)."""
    other = os.environ.get(INPUT_ENV, "").strip()
    return (other, True) if other else (Path(path).resolve().as_uri(), False)


def train_spark(cf: CorpusFile, corpus, opts: SparkOptions, *, dim: int, window: int, epochs: int, min_count: int,
                seed: int, started: float, progress: ProgressFn | None = None) -> tuple[list, np.ndarray, dict, dict]:
    """Train with Spark on ``cf``, the tokenised file of ``corpus`` (:mod:`vecs.static.tokenised`):
    (words in gensim's order, float32 vectors, meta, params) for the store. ``started``: when the
    whole run began (``time.perf_counter()``)."""
    expected = {w for w, c in cf.counts.items() if c >= min_count}
    if not expected:
        raise CorpusError(f"{corpus.source}: no word occurs {min_count} times or more (min_count={min_count})")
    with session(opts.master, progress) as spark:
        try:
            return _train(spark, cf, corpus, opts, expected, dim=dim, window=window, epochs=epochs,
                          min_count=min_count, seed=seed, started=started, progress=progress)
        except (VecsError, KeyboardInterrupt):
            raise
        except Exception as e:  # a JVM error, a lost executor...: one line
            raise SparkError(f"Spark's Word2Vec failed: {_why(e, None)}") from None


def _train(spark, cf, corpus, opts: SparkOptions, expected: set, *, dim, window, epochs, min_count, seed, started,
           progress) -> tuple[list, np.ndarray, dict, dict]:
    from pyspark.ml.feature import Word2Vec
    from pyspark.sql import functions as F

    sc = spark.sparkContext
    uri, theirs = input_uri(cf.path)
    try:
        lines = spark.read.text(uri)
        n = lines.count() if theirs else cf.sentences
    except Exception as e:
        if not theirs:
            raise
        raise SparkError(f"{INPUT_ENV}={uri}: Spark cannot read it ({_why(e, None)}); copy the tokenised "
                         f"corpus {cf.path} there") from None
    if n != cf.sentences:
        raise SparkError(f"{INPUT_ENV}={uri} has {n:,} lines; the tokenised corpus {cf.path} has "
                         f"{cf.sentences:,}: copy that file there")
    sentences = lines.where(F.length("value") > 0).select(F.split("value", " ").alias("tokens"))
    partitions = opts.partitions or sc.defaultParallelism
    w2v = Word2Vec(vectorSize=dim, windowSize=window, maxIter=epochs, minCount=min_count, seed=seed,
                   numPartitions=partitions, stepSize=opts.alpha, maxSentenceLength=opts.max_sentence_length,
                   inputCol="tokens", outputCol="vector")
    group = f"vecs-word2vec-{os.getpid()}-{time.monotonic_ns()}"
    sc.setJobGroup(group, "vecs train word2vec")
    tracker = _Tracker(sc, group, epochs, cf.tokens, progress)
    t_train = time.perf_counter()
    tracker.tick()
    with Poller(tracker.tick, every=POLL_S):
        model = w2v.fit(sentences)
    train_s = time.perf_counter() - t_train
    tracker.tick()
    report(progress, "train word2vec", epochs * cf.tokens, epochs * cf.tokens, finished=True, epoch=f"{epochs}/{epochs}",
           words_per_s=cf.tokens * epochs / train_s if train_s > 0 else 0.0)

    t = time.perf_counter()
    report(progress, "collect vectors", 0, len(expected))
    rows = model.getVectors().collect()
    got = {r[0]: r[1] for r in rows}
    if set(got) != expected:
        odd = sorted(set(got) ^ expected)[:5]
        raise SparkError(f"Spark's vocabulary ({len(got):,} words) differs from the tokenised corpus's "
                         f"({len(expected):,} words with count >= {min_count}), e.g. {odd}")
    words = gensim_order(list(got), cf.counts)
    vectors = np.empty((len(words), dim), dtype=np.float32)
    for i, w in enumerate(words):
        vectors[i] = got[w].toArray()
    collect_s = time.perf_counter() - t
    report(progress, "collect vectors", len(words), len(words), finished=True, words=len(words),
           seconds=round(collect_s, 1))

    params = dict(dim=dim, window=window, epochs=epochs, min_count=min_count, sg=True, hs=True, negative=0,
                  sample=0.0, workers=partitions, seed=seed, lower=corpus.lower, phrases=corpus.phrases,
                  segment=corpus.segmenter.mode, user_dict=corpus.segmenter.user_dict, alpha=opts.alpha,
                  max_sentence_length=opts.max_sentence_length, engine="spark", master=sc.master)
    duration = time.perf_counter() - started
    meta = {
        **trained_meta(corpus, cf, params),
        "engine": "spark",
        "spark": spark.version,
        "master": sc.master,
        "spark_run": {"partitions": partitions, "input": uri, "cores": sc.defaultParallelism,
                      "driver_memory": sc.getConf().get("spark.driver.memory", "1g"),
                      "vocabulary_s": None if tracker.vocabulary_s is None else round(tracker.vocabulary_s, 3),
                      "collect_s": round(collect_s, 3)},
        "vocabulary": len(words),
        "tokens": cf.tokens,
        "loss": None,  # Spark reports no loss
        "losses": [],
        "initial_loss": None,
        "loss_kind": None,
        "epoch_s": tracker.epoch_s(),  # seen by polling every POLL_S seconds
        "train_s": round(train_s, 3),  # Spark's fit: its vocabulary pass and the iterations
        "duration_s": round(duration, 3),
        "words_per_s": round(cf.tokens * epochs / train_s, 1) if train_s > 0 else None,
        "tokenised_cached": cf.cached,
        "tokenised_path": str(cf.path),
    }
    return words, vectors, meta, params
