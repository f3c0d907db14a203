"""Converting fetched files once into what vecs loads fast: the store format, safetensors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vecs.errors import ResourceError
from vecs.progress import ProgressFn

if TYPE_CHECKING:
    from vecs.hub.catalogue import Origin, Resource


def convert_resource(r: Resource, origin: Origin, tmp: Path, progress: ProgressFn | None) -> None:
    """Turn raw vector files into the store format (once), then drop the raw files."""
    from vecs.io.folder import write_dir
    from vecs.io.formats import read_vectors
    from vecs.space import Space

    how, _, arg = origin.convert.partition(":")
    meta = {"kind": "pretrained", "source": f"{r.name} ({origin.describe()})", "licence": r.licence,
            "description": r.description, "citation": r.citation}
    if how in ("word2vec-bin", "word2vec", "glove"):
        raw = tmp / arg
        space = read_vectors(raw, format=how, progress=progress)
        raw_files = [raw]
    elif how == "glove-kumo":
        import numpy as np

        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - pyarrow is a dependency
            from vecs.errors import MissingExtra

            raise MissingExtra("glove", "pyarrow") from None
        words = pq.read_table(tmp / "glove_6B_index.parquet").column("index").to_pylist()
        vectors = np.load(tmp / "glove_6B_50d_emb.npy", allow_pickle=False)
        space = Space(words, vectors)
        raw_files = [tmp / "glove_6B_index.parquet", tmp / "glove_6B_50d_emb.npy"]
    elif how == "cnsyn-pickle":
        # a joblib pickle of a scikit-learn BallTree and its word list: walked, never unpickled
        raw = tmp / arg
        space = read_balltree(raw, progress)
        raw_files = [raw]
    elif how == "gguf":
        # a causal LM shipped as GGUF: dequantise once into a safetensors checkpoint folder
        from vecs.hub.gguf import dequantise_gguf

        dequantise_gguf(tmp / arg, tmp / r.main, progress=progress)
        (tmp / arg).unlink(missing_ok=True)
        return
    else:  # pragma: no cover - catalogue error
        raise ResourceError(f"unknown conversion {origin.convert!r}")
    space.name = r.name
    space.meta.update(meta)
    write_dir(space, tmp / r.main)
    for f in raw_files:
        f.unlink(missing_ok=True)


# the globals a joblib pickle of ``{"model": BallTree, "words": [...]}`` names (sklearn 1.x):
# recorded by the walker, never imported
BALLTREE_GLOBALS = {("sklearn.neighbors._ball_tree", "newObj"), ("sklearn.neighbors._ball_tree", "BallTree"),
                    ("sklearn.metrics._dist_metrics", "newObj"),
                    ("sklearn.metrics._dist_metrics", "EuclideanDistance"),
                    ("sklearn.metrics._dist_metrics", "EuclideanDistance64")}


def read_balltree(path: Path, progress: ProgressFn | None = None):
    """The Space in a joblib pickle of ``{"model": BallTree, "words": [...]}`` (what cnsyn
    ships): the tree's data array (rows in the words' order) as float32 and the words, read by
    walking the pickle's opcodes (:mod:`vecs.hub.pickle_walk`); anything else is refused."""
    import numpy as np

    from vecs.hub.pickle_walk import Obj, PickleRefused, walk
    from vecs.progress import report
    from vecs.space import Space

    report(progress, f"read {path.name}", 0, None)
    top = walk(path, BALLTREE_GLOBALS).value
    bad = f"{path.name}: not a BallTree pickle of the expected layout"
    if not isinstance(top, dict) or set(top) != {"model", "words"}:
        raise PickleRefused(f"{bad} (a dict of model and words)")
    tree, words = top["model"], top["words"]
    if not (isinstance(tree, Obj) and tree.func.name == "newObj" and len(tree.args) == 1
            and getattr(tree.args[0], "name", "") == "BallTree" and isinstance(tree.state, tuple) and tree.state):
        raise PickleRefused(f"{bad} (the model is not a BallTree)")
    data = tree.state[0]
    if not (isinstance(data, np.ndarray) and data.ndim == 2 and data.dtype.kind == "f"):
        raise PickleRefused(f"{bad} (the tree's data is not a 2-D float array)")
    if not (isinstance(words, list) and all(isinstance(w, str) for w in words) and len(words) == data.shape[0]):
        raise PickleRefused(f"{bad} ({len(words) if isinstance(words, list) else '?'} words "
                            f"for {data.shape[0]:,} vectors)")
    if len(set(words)) != len(words):
        raise PickleRefused(f"{bad} (a word appears twice)")
    if not np.isfinite(data).all():
        raise PickleRefused(f"{bad} (non-finite values in the vectors)")
    report(progress, f"read {path.name}", len(words), len(words), finished=True)
    return Space(words, np.ascontiguousarray(data, dtype=np.float32))
