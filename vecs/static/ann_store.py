"""The on-disk side of an approximate-neighbour index (:mod:`vecs.static.ann`): where it lives,
``index.json`` (what was built and measured) and ``index.faiss`` (read only once it matches its
recorded sha256, so a file from elsewhere is never handed to faiss unchecked), whether it is
fresh, and the index kept loaded in this process.

The index sits beside the vectors in the model's folder (a store model, a resource's converted
vectors, a store-format folder given as a path); its fingerprint of ``vectors.npy`` (size,
modification time, sha256) tells whether the vectors changed since it was built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vecs.errors import FormatError, StoreError
from vecs.io.folder import INDEX, INDEX_META, VECTORS

if TYPE_CHECKING:  # pragma: no cover
    from vecs.space import Space

FORMAT = 1  # index.json's format
LOADED: dict[tuple[str, str], object] = {}  # (index file, sha256) -> the faiss index: one kept loaded


@dataclass
class Point:
    """One rung of the efSearch ladder: recall@10 against exact search and the time per query."""

    ef_search: int
    recall_at_10: float
    ms_per_query: float


@dataclass
class IndexInfo:
    """What ``index.json`` records, and whether the index can be used now (``status``: ``fresh``,
    ``stale`` — the vectors changed since it was built —, or ``damaged``, with ``problem``)."""

    model: str
    path: str  # index.faiss
    status: str
    m: int
    ef_construction: int
    ef_search: int
    target_recall: float
    recall_at_10: float  # at ef_search, on `queries` vocabulary words
    reached: bool  # recall_at_10 >= target_recall (else the ladder's top was taken)
    queries: int
    seed: int
    exact_ms_per_query: float  # exact search, batched (numpy), measured at build
    ann_ms_per_query: float  # the index at ef_search, batched, measured at build
    speedup: float
    build_s: float  # adding the rows
    load_s: float  # reading, checking and loading index.faiss, measured at build
    size: int  # bytes of index.faiss
    rows: int
    dim: int
    no_direction: int  # rows that are zero or not finite (indexed as zero vectors, never answers)
    sha256: str  # of index.faiss
    vectors: dict  # fingerprint of vectors.npy: size, mtime_ns, sha256
    curve: list[Point] = field(default_factory=list)
    kind: str = "hnsw"
    metric: str = "inner product of unit rows (cosine)"
    faiss: str = ""
    created: str = ""
    problem: str = ""

    @property
    def method(self) -> str:
        """How results found with it are labelled."""
        return f"hnsw (recall@10 {self.recall_at_10:.3f} at build)"


# -- where an index lives ----------------------------------------------------------------------
def folder_of(space: "Space") -> Path | None:
    """The store-format folder the space's vectors were loaded from (its whole ``vectors.npy``,
    memory-mapped), else None: a space read from a text file, restricted, or computed has none."""
    v = space.vectors
    name = getattr(v, "filename", None)
    if not isinstance(v, np.memmap) or not name or not v.flags.c_contiguous or Path(name).name != VECTORS:
        return None
    return Path(name).parent


def model_folder(space: "Space") -> Path:
    folder = folder_of(space)
    if folder is None:
        raise StoreError(f"{space.name or 'this space'!r} is not a stored model (an index is kept beside a "
                         "model's vectors): import it first with `vecs import FILE --name NAME`")
    return folder


def writer_lock(folder: Path):
    """The writers' lock of the model: the store's name lock, or the resource's fetch lock."""
    from vecs.paths import resources_dir
    from vecs.swap import dir_lock

    res = folder.parent
    if folder.name == "space" and res.parent.resolve() == resources_dir().resolve():
        return dir_lock(res)  # a resource's converted vectors: its fetch lock, nothing added inside it
    return dir_lock(folder)


def sha256_file(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(file: Path, digest: bool = True) -> dict:
    st = file.stat()
    out = {"file": VECTORS, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    if digest:
        out["sha256"] = sha256_file(file)
    return out


# -- reading ----------------------------------------------------------------------------------
def read_checked(path: Path, expected: str | None):
    """(the faiss index, its sha256) from one open file: hashed first, handed to faiss only if it
    matches ``expected`` (None: anything, right after writing it). faiss's errors: FormatError."""
    import hashlib

    from vecs.extras import require_faiss

    faiss = require_faiss()
    with open(path, "rb") as f:
        h = hashlib.sha256()
        while chunk := f.read(1 << 22):
            h.update(chunk)
        sha = h.hexdigest()
        if expected is not None and sha != expected:
            raise FormatError(f"{path}: does not match the checksum in {INDEX_META} (changed or damaged "
                              f"since it was built); rebuild it with `vecs index build`")
        f.seek(0)
        try:
            index = faiss.read_index(faiss.PyCallbackIOReader(f.read, 1 << 22))
        except Exception as e:  # faiss raises RuntimeError with its C++ message
            why = (str(e).strip().splitlines() or [type(e).__name__])[-1][:200]
            raise FormatError(f"{path}: faiss cannot read it ({why}); rebuild it with `vecs index build`") from None
    if getattr(index, "hnsw", None) is None or index.metric_type != faiss.METRIC_INNER_PRODUCT:
        raise FormatError(f"{path}: not an HNSW inner-product index; rebuild it with `vecs index build`")
    return index, sha


_FIELDS = {"m": int, "ef_construction": int, "ef_search": int, "target_recall": float, "recall_at_10": float,
           "reached": bool, "queries": int, "seed": int, "exact_ms_per_query": float, "ann_ms_per_query": float,
           "speedup": float, "build_s": float, "load_s": float, "size": int, "rows": int, "dim": int,
           "no_direction": int, "sha256": str, "vectors": dict, "curve": list}


def _is(v, t) -> bool:
    if t is float:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and bool(np.isfinite(v))
    return isinstance(v, t) and not (t is int and isinstance(v, bool))


def read_info(folder: Path, model: str = "") -> IndexInfo | None:
    """What ``index.json`` in ``folder`` says (status ``fresh`` until checked), None without one;
    :class:`FormatError` when it is not a description this version wrote."""
    file = folder / INDEX_META
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError) as e:
        raise FormatError(f"{file}: not valid JSON ({e}); rebuild the index with `vecs index build`") from None
    raw = raw if isinstance(raw, dict) else {}
    bad = [k for k, t in _FIELDS.items() if not _is(raw.get(k), t)]
    vec = raw.get("vectors") if isinstance(raw.get("vectors"), dict) else {}
    if not (_is(vec.get("size"), int) and _is(vec.get("mtime_ns"), int) and _is(vec.get("sha256"), str)):
        bad.append("vectors")
    if bad or raw.get("format") != FORMAT:
        why = f"bad or missing {', '.join(bad)}" if bad else "another format"
        raise FormatError(f"{file}: not an index description vecs can use ({why}); rebuild the index with "
                          "`vecs index build`")
    try:
        curve = [Point(int(p["ef_search"]), float(p["recall_at_10"]), float(p["ms_per_query"])) for p in raw["curve"]]
    except (TypeError, KeyError, ValueError):
        raise FormatError(f"{file}: a bad curve; rebuild the index with `vecs index build`") from None
    keep = {k: float(raw[k]) if t is float else raw[k] for k, t in _FIELDS.items() if k != "curve"}
    extra = {k: str(raw.get(k, "")) for k in ("kind", "metric", "faiss", "created") if k in raw}
    return IndexInfo(model=model, path=str(folder / INDEX), status="fresh", curve=curve, **keep, **extra)


def check_fresh(space: "Space", folder: Path, info: IndexInfo) -> IndexInfo:
    """``info`` with ``status`` ``stale`` (and why) unless it was built from this space's vectors
    file: the same shape, and the same size and modification time, or else the same sha256."""
    file = folder / VECTORS
    fp = fingerprint(file, digest=False)
    old = info.vectors
    why = ""
    if (info.rows, info.dim) != space.shape:
        why = f"it covers {info.rows:,} x {info.dim} vectors, the space is {space.shape[0]:,} x {space.shape[1]}"
    elif fp["size"] != old.get("size"):
        why = "the vectors changed since it was built"
    elif fp["mtime_ns"] != old.get("mtime_ns") and sha256_file(file) != old.get("sha256"):
        why = "the vectors changed since it was built"
    if why:
        info.status, info.problem = "stale", why
    return info
