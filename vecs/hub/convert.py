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
