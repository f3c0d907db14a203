"""An approximate-neighbour index beside a stored model: faiss HNSW over the unit rows, with its
recall measured against exact search when it is built (the ``ann`` extra: faiss-cpu).

:func:`build_index` (``vecs index build MODEL``) writes two files into the model's folder:
``index.faiss`` (the HNSW graph and a copy of the unit rows) and ``index.json`` (how it was
built and what it measured: recall@10 against exact search on a seeded sample of vocabulary
words, the efSearch chosen as the smallest of :data:`LADDER` reaching the target recall, the
query times of both searches, the build and load times, the sha256 of ``index.faiss`` and a
fingerprint of the vectors it was built from).

Queries (:func:`approximate`, called by ``neighbours`` and ``neighbours_many`` of
:mod:`vecs.static.query`) use an index only when it is *fresh* (built from the vectors file the
space was loaded from) and ``index.faiss`` matches its recorded sha256: a file that does not is
never handed to faiss. The candidates faiss finds are rescored exactly, so every score is the
exact cosine; only *which* words are found is approximate. With an index, an input word's rank
is counted among the words retrieved (at most ``k`` + a few).

``index="auto"`` uses a fresh index on a space of at least :data:`MIN_ROWS` words when the batch
repays loading it — by the figures measured at build: queries x (exact - approximate ms per
query) >= the load time — or when it is already loaded in this process; so one cold query
stays exact (faster than reading the index). ``"exact"`` never uses one; ``"ann"`` requires
one. A stale or damaged index is ignored by ``auto`` with a note on the results (staleness is
checked only when the index would be used: it may cost a hash of the vectors file).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vecs.errors import FormatError, MissingExtra, QueryError, StoreError
from vecs.io.folder import INDEX, INDEX_META, VECTORS
from vecs.progress import ProgressFn, estimate, report
from vecs.static.ann_store import (FORMAT, LOADED, IndexInfo, Point, check_fresh, fingerprint, folder_of,
                                   model_folder, read_checked, read_info, sha256_file, writer_lock)
from vecs.static.query_results import Scored, WordRank

if TYPE_CHECKING:  # pragma: no cover
    from vecs.space import Space

HOW = ("auto", "exact", "ann")
MIN_ROWS = 50_000  # "auto" leaves smaller spaces to exact search
LADDER = (16, 32, 64, 128, 256, 512)  # efSearch values tried at build, smallest first
M, EF_CONSTRUCTION, RECALL, QUERIES = 32, 100, 0.95, 1_000  # build defaults
TOP = 10  # recall@10
CHUNK = 10_000  # rows added to the graph per progress step
BLOCK_CELLS = 1 << 24  # exact scores held at once while measuring


# -- building ---------------------------------------------------------------------------------
def _unit_chunk(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit rows (float32, computed in float64) and the mask of rows without a direction."""
    x = np.asarray(rows, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        n = np.linalg.norm(x, axis=1)
    bad = ~(np.isfinite(n) & (n > 0))
    x[bad] = 0.0
    n[bad] = 1.0
    return np.ascontiguousarray(x / n[:, None], dtype=np.float32), bad


def exact_top(space: "Space", rows: np.ndarray, k: int = TOP) -> np.ndarray:
    """The exact ``k`` nearest rows (cosine, as :func:`vecs.static.query.neighbours_many` scores
    them) of each word row in ``rows``, the word itself left out: ``(len(rows), k)``, unordered."""
    vectors, norms = np.asarray(space.vectors), np.asarray(space.norms)
    q, _ = _unit_chunk(vectors[rows])
    out = np.empty((len(rows), k), dtype=np.int64)
    step = max(1, BLOCK_CELLS // max(len(space), 1))
    for s in range(0, len(rows), step):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scores = q[s:s + step] @ vectors.T
            scores /= norms
        scores[~np.isfinite(scores)] = -np.inf
        scores[np.arange(len(scores)), rows[s:s + step]] = -np.inf
        out[s:s + step] = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return out


def search_ids(index, q: np.ndarray, k: int, ef: int) -> np.ndarray:
    """The ``k`` rows the faiss HNSW ``index`` finds for each unit row of ``q`` at efSearch ``ef``
    (-1 where it found fewer)."""
    from vecs.extras import require_faiss

    faiss = require_faiss()
    params = faiss.SearchParametersHNSW()
    params.efSearch = int(max(ef, k))
    return index.search(np.ascontiguousarray(q, dtype=np.float32), int(k), params=params)[1]


def _recall(found: np.ndarray, truth: np.ndarray, rows: np.ndarray, skip: np.ndarray, k: int) -> float:
    hits = 0
    for f, t, r in zip(found, truth, rows):
        got = [int(i) for i in f if i >= 0 and i != r and not skip[i]][:k]
        hits += len(set(got) & set(t.tolist()))
    return hits / (k * len(rows))


def build_index(space: "Space", m: int = M, ef_construction: int = EF_CONSTRUCTION, recall: float = RECALL,
                queries: int = QUERIES, seed: int = 0, ladder: tuple[int, ...] = LADDER,
                progress: ProgressFn | None = None) -> IndexInfo:
    """Build the HNSW index of a stored model, measure it, and store it beside the vectors
    (atomically, under the model's writers' lock); an existing index is replaced. ``recall``:
    the recall@10 the chosen efSearch must reach on ``queries`` vocabulary words drawn with
    ``seed`` (measured against exact search; the word itself is left out of both)."""
    from datetime import datetime, timezone

    from vecs.extras import require_faiss
    from vecs.jsonify import plain
    from vecs.util import atomic_path, atomic_write_text

    faiss = require_faiss()
    folder = model_folder(space)
    if not 2 <= int(m) <= 256 or int(ef_construction) < 1 or not 0 < float(recall) <= 1 or int(queries) < 1:
        raise QueryError(f"bad index settings: links {m} (2-256), ef-construction {ef_construction} (>= 1), "
                         f"recall {recall} (0-1], queries {queries} (>= 1)")
    n, d = space.shape
    LOADED.clear()
    with writer_lock(folder):
        (folder / INDEX_META).unlink(missing_ok=True)  # no description of a half-replaced index
        for old in folder.glob(f".{INDEX}.tmp-*"):  # left by a build that was killed
            old.unlink(missing_ok=True)
        vec = fingerprint(folder / VECTORS)
        index = faiss.IndexHNSWFlat(d, int(m), faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = int(ef_construction)
        skip = np.zeros(n, dtype=bool)
        t0 = time.perf_counter()
        for s in range(0, n, CHUNK):
            u, skip[s:s + CHUNK] = _unit_chunk(space.vectors[s:s + CHUNK])
            index.add(u)
            done = min(s + CHUNK, n)
            if s == 0 and n > 2 * CHUNK:  # insertions slow down as log(size): a whole-build estimate
                estimate(progress, "build index", (time.perf_counter() - t0) * n / CHUNK * np.log(n) / np.log(CHUNK),
                         basis=f"the first {CHUNK:,} words")
            report(progress, "build index", done, n, rows_per_s=done / max(time.perf_counter() - t0, 1e-9))
        build_s = time.perf_counter() - t0
        report(progress, "build index", n, n, finished=True)
        valid = np.flatnonzero(~skip)
        k = min(TOP, len(valid) - 1)
        if k < 1:
            raise QueryError(f"{space.name!r} has fewer than 2 words with a direction: nothing to index")
        rows = np.random.default_rng(seed).choice(valid, size=min(int(queries), len(valid)), replace=False)
        t = time.perf_counter()
        truth = exact_top(space, rows, k)
        exact_ms = (time.perf_counter() - t) * 1000 / len(rows)
        q, _ = _unit_chunk(np.asarray(space.vectors)[rows])
        kk = min(n, k + 1 + min(int(skip.sum()), 32))
        curve: list[Point] = []
        for i, ef in enumerate(ladder):
            t = time.perf_counter()
            found = search_ids(index, q, kk, ef)
            ms = (time.perf_counter() - t) * 1000 / len(rows)
            curve.append(Point(int(ef), _recall(found, truth, rows, skip, k), ms))
            report(progress, "measure recall@10", i + 1, len(ladder), ef_search=ef, recall=curve[-1].recall_at_10)
            if curve[-1].recall_at_10 >= recall:
                break
        report(progress, "measure recall@10", len(ladder), len(ladder), finished=True)
        best = curve[-1]
        with atomic_path(folder / INDEX) as tmp:
            faiss.write_index(index, str(tmp))
        del index
        t = time.perf_counter()
        index, sha = read_checked(folder / INDEX, None)
        load_s = time.perf_counter() - t
        info = IndexInfo(
            model=space.name, path=str(folder / INDEX), status="fresh", m=int(m), ef_construction=int(ef_construction),
            ef_search=best.ef_search, target_recall=float(recall), recall_at_10=best.recall_at_10,
            reached=best.recall_at_10 >= recall, queries=len(rows), seed=int(seed), exact_ms_per_query=exact_ms,
            ann_ms_per_query=best.ms_per_query, speedup=exact_ms / max(best.ms_per_query, 1e-9), build_s=build_s,
            load_s=load_s, size=(folder / INDEX).stat().st_size, rows=n, dim=d, no_direction=int(skip.sum()),
            sha256=sha, vectors=vec, curve=curve, faiss=str(faiss.__version__),
            created=datetime.now(timezone.utc).replace(microsecond=0).isoformat())
        record = {k: v for k, v in plain(info).items() if k not in ("model", "path", "status", "problem")}
        atomic_write_text(folder / INDEX_META, json.dumps({"format": FORMAT, **record}, indent=2) + "\n")
    LOADED.clear()
    LOADED[(str(folder / INDEX), sha)] = index
    return info


def show_index(space: "Space") -> IndexInfo:
    """The index of a stored model as it stands: fresh, stale or damaged (``index.faiss`` hashed)."""
    folder = model_folder(space)
    info = read_info(folder, space.name)
    if info is None:
        raise StoreError(f"{space.name!r} has no approximate index; build one with `vecs index build {space.name}`")
    check_fresh(space, folder, info)
    if not (folder / INDEX).is_file():
        info.status, info.problem = "damaged", f"{INDEX} is missing"
    elif sha256_file(folder / INDEX) != info.sha256:
        info.status, info.problem = "damaged", f"{INDEX} does not match its checksum"
    return info


@dataclass
class RemovedIndex:
    model: str
    removed: list[str]  # the files removed


def remove_index(space: "Space") -> RemovedIndex:
    """Delete a stored model's index files (the description first)."""
    folder = model_folder(space)
    with writer_lock(folder):
        gone = [str(folder / f) for f in (INDEX_META, INDEX) if (folder / f).is_file()]
        if not gone:
            raise StoreError(f"{space.name!r} has no approximate index to remove")
        for f in gone:
            Path(f).unlink()
    LOADED.clear()
    return RemovedIndex(space.name, gone)


# -- answering --------------------------------------------------------------------------------
def _pick(space: "Space", how: str, queries: int, restrict: int | None):
    """(the faiss index and its info, or None; a note for the results)."""
    name = space.name or "this space"
    folder = folder_of(space) if how != "exact" else None
    if folder is None or not (folder / INDEX_META).is_file():
        if how == "ann":
            raise QueryError(f"{name!r} has no approximate index: build one with `vecs index build {name}`"
                             if folder is not None else f"{name!r} is not a stored model: it has no index")
        return None, ""
    if restrict is not None and int(restrict) < len(space):
        if how == "ann":
            raise QueryError(f"the index of {name!r} covers all {len(space):,} words: --restrict needs exact search")
        return None, ""
    if how == "auto" and len(space) < MIN_ROWS:
        return None, ""
    try:
        info = read_info(folder, name)
        key = (str(folder / INDEX), info.sha256)
        if how == "auto" and key not in LOADED and \
                queries * (info.exact_ms_per_query - info.ann_ms_per_query) < info.load_s * 1000:
            return None, ""  # loading it would cost more than it saves on this batch
        if check_fresh(space, folder, info).status != "fresh":
            if how == "ann":
                raise QueryError(f"the index of {name!r} is stale ({info.problem}); rebuild it with "
                                 f"`vecs index build {name}` or use --index exact")
            return None, f"the stored index is stale ({info.problem}): exact search; rebuild it with " \
                         f"`vecs index build {name}`"
        if key not in LOADED:
            index, _ = read_checked(folder / INDEX, info.sha256)
            LOADED.clear()
            LOADED[key] = index
        return (LOADED[key], info), ""
    except (FormatError, MissingExtra, OSError) as e:  # damaged, no faiss, unreadable: auto answers exactly
        if how == "ann":
            raise
        return None, f"the stored index was ignored (exact search): {e}"


def approximate(space: "Space", prepared: list, k: int, exclude_inputs: bool, restrict: int | None, cls,
                how: str = "auto") -> tuple[list | None, str]:
    """The results of the prepared queries (``(text, terms, input rows, unit vector)`` each, as
    :mod:`vecs.static.query` makes them) found with the stored index, or None when exact search
    should answer (``how`` and the rules in the module docs), with a note for the results."""
    if how not in HOW:
        raise QueryError(f"unknown index choice {how!r}; choose one of {', '.join(HOW)}")
    picked, note = _pick(space, how, len(prepared), restrict) if prepared else (None, "")
    if picked is None:
        return None, note
    index, info = picked
    extra = max(len(p[2]) for p in prepared) if exclude_inputs else 0
    kk = min(len(space), k + extra + min(info.no_direction, 32))
    q = np.stack([p[3] for p in prepared]).astype(np.float32)
    found = search_ids(index, q, kk, info.ef_search)
    vectors, norms = np.asarray(space.vectors), np.asarray(space.norms)
    safe = np.where(found >= 0, found, 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # rescored exactly, all at once
        s = np.matmul(vectors[safe], q[:, :, None])[:, :, 0] / norms[safe]
    s[(found < 0) | ~np.isfinite(s)] = -np.inf  # not found, or no direction: never an answer
    order = np.lexsort((found, -s), axis=-1)  # best first, ties by row
    found, s = np.take_along_axis(found, order, 1), np.take_along_axis(s, order, 1)
    # each input word's score (the one rescored above where it was found) and rank among those found
    pairs = [(j, r) for j, p in enumerate(prepared) for r in p[2].values()]
    jj, rr = np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)
    hit = found[jj] == rr[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        own = np.einsum("pd,pd->p", vectors[rr], q[jj]) / norms[rr]
    own = np.where(hit.any(1), s[jj, hit.argmax(1)], own)
    ok = np.isfinite(own)
    ranks = 1 + np.count_nonzero(s[jj] > np.where(ok, own, np.inf)[:, None], axis=1)
    ranks = np.where(ok, ranks, 1 + np.count_nonzero(s[jj] > -np.inf, axis=1)).tolist()
    own, ok, out, at = own.tolist(), ok.tolist(), [], 0
    words, found, s, ninf = space.words, found.tolist(), s.tolist(), -np.inf
    for j, (text, terms, rows, _) in enumerate(prepared):
        skip = set(rows.values()) if exclude_inputs else ()
        results = []
        for r, sc in zip(found[j], s[j]):
            if sc == ninf or len(results) == k:
                break
            if r not in skip:
                results.append(Scored(words[r], sc, len(results) + 1))
        inputs = []
        for w in rows:
            inputs.append(WordRank(w, "input", own[at] if ok[at] else None, ranks[at], exclude_inputs, True))
            at += 1
        out.append(cls(text, results, inputs, exclude_inputs, dict(terms), k, space.name, len(space),
                       method=info.method))
    return out, ""
