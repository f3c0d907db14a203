"""Scoring contextual similarity against human relatedness judgements of sentence pairs."""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from importlib import resources as _res
from pathlib import Path

import numpy as np

from vecs.contextual.align import Target, find_word
from vecs.contextual.extract import extract
from vecs.contextual.load import load_model
from vecs.contextual.model import check_pooling
from vecs.errors import ContextualError, DatasetError
from vecs.linalg import paired_cosine
from vecs.progress import ProgressFn


@dataclass
class RelatednessLayer:
    layer: int
    spearman: float
    spearman_standardized: float


@dataclass
class RelatednessResult:
    dataset: str
    model: str
    pooling: str
    pairs: int  # pairs evaluated
    skipped: int  # rows whose word could not be found in a sentence
    layer: int  # the headline layer (--layer, else the model's default layer)
    spearman: float  # at ``layer``, raw cosine
    spearman_standardized: float  # at ``layer``, standardised cosine
    best_layer: int  # by raw Spearman (for inspection; not used to choose ``layer``)
    default_layer: int
    layers: list[RelatednessLayer]
    skipped_rows: list[int] = field(default_factory=list)


def read_relatedness(path: str | os.PathLike) -> list[dict]:
    """Rows of a relatedness CSV: ``word``, ``sentence1``, ``sentence2``, ``score`` (extra
    columns ignored; ``string`` — or ``string1``/``string2`` — names the exact form). A file
    that is not such a CSV, or a score that is not a finite number, is a :class:`DatasetError`
    naming the file (and the line)."""
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"no such file: {p}")
    try:
        with open(p, newline="", encoding="utf-8-sig") as f:
            sample = f.read(4096)
            f.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
            except csv.Error:
                dialect = csv.excel
            reader = csv.DictReader(f, dialect=dialect)
            cols = {c.strip().lower(): c for c in (reader.fieldnames or []) if c}
            need = ("word", "sentence1", "sentence2", "score")
            missing = [c for c in need if c not in cols]
            if missing:
                raise DatasetError(f"{p.name}: missing column(s) {', '.join(missing)} "
                                   f"(need word, sentence1, sentence2, score)")
            rows = []
            for i, r in enumerate(reader, start=2):
                def get(c):
                    return (r.get(cols[c]) or "").strip() if c in cols else ""
                try:
                    score = float(get("score"))
                except ValueError:
                    raise DatasetError(f"{p.name} line {i}: score {get('score')[:40]!r} is not a number") from None
                if not math.isfinite(score):
                    raise DatasetError(f"{p.name} line {i}: score {get('score')[:40]!r} is not a finite number")
                rows.append({"line": i, "word": get("word"), "sentence1": get("sentence1"),
                             "sentence2": get("sentence2"), "score": score,
                             "string1": get("string1") or get("string") or get("word"),
                             "string2": get("string2") or get("string") or get("word")})
    except UnicodeDecodeError:
        raise DatasetError(f"{p.name}: not UTF-8 text") from None
    except csv.Error as e:  # a NUL byte, a field over the csv module's size limit, a stray quote
        raise DatasetError(f"{p.name}: not a readable CSV file ({e})") from None
    except OSError as e:
        raise DatasetError(f"cannot read {p} ({e.strerror or e})") from None
    if not rows:
        raise DatasetError(f"{p.name}: no rows")
    return rows


def evaluate_relatedness(model, csv_path: str | os.PathLike, layer=None, pooling: str = "mean",
                         batch_size: int | None = None, progress: ProgressFn | None = None) -> RelatednessResult:
    """Spearman correlation between human scores and the cosine of the word's two contextual
    vectors, at every layer, raw and standardised (statistics over every token of all the
    file's sentences). The headline layer is ``layer`` or the model's documented default —
    never chosen on this data; ``best_layer`` is reported for inspection only.

    The word is found by whole-word match of ``string`` (or ``word``), then, failing that, with
    a short suffix (bank -> banks); rows where it is still missing are skipped and counted.
    ``csv_path`` ``"dev"`` names the shipped development set (:func:`dev_set_path`)."""
    from scipy.stats import spearmanr

    check_pooling(pooling)
    if os.fspath(csv_path) == "dev":
        csv_path = dev_set_path()
    model = load_model(model, progress=progress)
    rows = read_relatedness(csv_path)
    headline = model.resolve_layers(layer)
    if len(headline) != 1:
        raise ContextualError("--layer picks one headline layer here; every layer is reported anyway")
    items, kept, skipped = [], [], []
    for r in rows:
        try:
            a = find_word(r["sentence1"], r["string1"], loose=True)
            b = find_word(r["sentence2"], r["string2"], loose=True)
        except ContextualError:
            skipped.append(r["line"])
            continue
        items += [Target(r["sentence1"], *a), Target(r["sentence2"], *b)]
        kept.append(r)
    if len(kept) < 3:
        raise DatasetError(f"{Path(csv_path).name}: only {len(kept)} usable pairs (the word was not found in "
                           f"the sentences of {len(skipped)} rows)")
    layers = model.layers
    ex = extract(model, items, layers, pooling, batch_size, progress)
    human = np.array([r["score"] for r in kept])
    out = []
    for L in layers:
        v, z = ex.at(L), ex.at(L, standardized=True)  # (2 * pairs, C) each
        raw = paired_cosine(v[0::2], v[1::2])
        std = paired_cosine(z[0::2], z[1::2])
        out.append(RelatednessLayer(L, float(spearmanr(human, raw)[0]), float(spearmanr(human, std)[0])))
    best = max(out, key=lambda x: -np.inf if np.isnan(x.spearman) else x.spearman)
    h = out[headline[0]]
    return RelatednessResult(Path(csv_path).name, model.name, pooling, len(kept), len(skipped), headline[0],
                             h.spearman, h.spearman_standardized, best.layer, model.default_layer, out, skipped)


def dev_set_path() -> Path:
    """The shipped development set of sense pairs (``vecs/data/relatedness_dev.csv``)."""
    return Path(str(_res.files("vecs").joinpath("data/relatedness_dev.csv")))
