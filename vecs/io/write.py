"""Writing a Space as a vector file (word2vec text or binary, GloVe, Embedding Projector TSV;
compressed by suffix), atomically, and exporting a model with a report of what was written."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from vecs.errors import FormatError, StoreError
from vecs.io.tsv import TSV_METADATA, TSV_VECTORS
from vecs.space import Space
from vecs.util import atomic_path

WRITE_FORMATS = ("word2vec", "word2vec-bin", "glove", "tsv")


@dataclass
class Exported:
    """What :func:`export_vectors` wrote: the model, the output path and the files in it."""

    model: str
    path: str
    format: str
    words: int
    dim: int
    files: list[str]


# -- writing ------------------------------------------------------------------------------------
def _format_block(vectors: np.ndarray, sep: str, words: list[str] | None = None) -> bytes:
    """Rows of ``vectors`` as text lines (``word`` first if given), values separated by ``sep``,
    each float32 in its shortest form that reads back to the same float32."""
    v = np.asarray(vectors, dtype=np.float32)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency; slower pure-Python path
        rows = [sep.join(_shortest(x) for x in r) for r in v.tolist()]
        if words is not None:
            rows = [f"{w}{sep}{r}" for w, r in zip(words, rows)]
        return "".join(r + "\n" for r in rows).encode("utf-8")
    if len(v) == 0:
        return b""
    cols = [pc.cast(pa.array(v[:, j]), pa.string()) for j in range(v.shape[1])]
    if words is not None:
        cols.insert(0, pa.array(words, type=pa.string()))
    rows = pc.binary_join_element_wise(*cols, sep) if len(cols) > 1 else cols[0]
    lines = pc.binary_join_element_wise(rows, pa.array([""] * len(v), type=pa.string()), "\n")
    lines = pa.concat_arrays([lines]) if isinstance(lines, pa.ChunkedArray) else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset: lines.offset + len(lines) + 1]
    return bytes(memoryview(lines.buffers()[2])[offsets[0]: offsets[-1]])


def _shortest(x: float) -> str:
    for p in ("%.7g", "%.8g", "%.9g"):
        s = p % x
        if np.float32(s) == np.float32(x):
            return s
    return s


def _check_words(words: list[str], fmt: str) -> None:
    for i, w in enumerate(words):
        if fmt == "tsv":
            if "\n" in w or "\r" in w or not w:
                raise FormatError(f"word {i + 1} ({w!r}) cannot be written to tsv (empty or contains a "
                                  f"line break)")
        elif not w or any(c.isspace() or (fmt != "word2vec-bin" and (c < " " or c == "\x7f")) for c in w):
            raise FormatError(f"word {i + 1} ({w!r}) cannot be written in {fmt} format (empty, or contains "
                              f"whitespace or a control character)")


def _open_out(path: Path, final: Path):
    """``path`` opened for binary writing, compressed when ``final`` ends in .gz, .bz2 or .xz."""
    name = final.name.lower()
    if name.endswith(".gz"):
        import gzip

        return gzip.open(path, "wb")
    if name.endswith(".bz2"):
        import bz2

        return bz2.open(path, "wb")
    if name.endswith(".xz"):
        import lzma

        return lzma.open(path, "wb")
    return open(path, "wb")


def _write_file(final: Path, write) -> None:
    """Call ``write(fileobj)`` on a temporary sibling of ``final`` (compressed by its name),
    then rename it into place (:func:`vecs.util.atomic_path`). An OS error (a full disk) names
    ``final``, never the temporary file, which is removed."""
    try:
        with atomic_path(final) as tmp:
            with _open_out(tmp, final) as f:
                write(f)
    except OSError as e:
        if e.filename == str(final):
            raise
        raise OSError(e.errno, e.strerror or str(e) or type(e).__name__, str(final)) from None


def check_target(path: str | os.PathLike, format: str, force: bool = False) -> Path:
    """Check, before any work, that ``write_vectors`` can write ``format`` to ``path``: a file
    name (a folder for ``tsv``), not there already unless ``force``, in a folder that takes new
    files (missing folders are created, inside the nearest one that exists). Returns PATH."""
    path = Path(path).expanduser()
    check_format(format)
    if format == "tsv":
        if path.suffix.lower() == ".tsv" or path.is_file():
            raise FormatError(f"{path}: for format tsv, PATH is a folder; it receives {TSV_VECTORS} and "
                              f"{TSV_METADATA}")
        existing = [t for t in (path / TSV_VECTORS, path / TSV_METADATA) if t.exists()]
        if existing and not force:
            raise StoreError(f"{existing[0]} exists; use --force to replace it")
        folder = path
    else:
        if path.is_dir():
            raise FormatError(f"{path}: is a folder; give a file name")
        if path.exists() and not force:
            raise StoreError(f"{path} exists; use --force to replace it")
        folder = path.parent
    probe = folder
    while not probe.exists() and probe.parent != probe:  # missing folders are made inside this one
        probe = probe.parent
    if not probe.is_dir():
        raise StoreError(f"cannot write {path}: {probe} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as e:
        raise StoreError(f"cannot write {path}: the folder {probe} does not take new files "
                         f"({e.strerror or e})") from None
    return path


def check_format(format: str) -> str:
    """``format`` if vecs can write it, else :class:`FormatError` (before anything is loaded)."""
    if format not in WRITE_FORMATS:
        raise FormatError(f"unknown format {format!r}; choose one of {', '.join(WRITE_FORMATS)}")
    return format


def write_vectors(space: Space, path: str | os.PathLike, format: str, force: bool = False) -> Path:
    """Write ``space`` as ``word2vec`` (text with header), ``word2vec-bin``, ``glove`` or
    ``tsv`` (PATH is a folder that receives ``vectors.tsv`` and ``metadata.tsv``). Atomic;
    refuses to replace an existing file without ``force``, and a folder that takes no new
    files before anything is written (:func:`check_target`). Returns PATH."""
    if format not in WRITE_FORMATS:
        raise FormatError(f"unknown output format {format!r}; choose one of {', '.join(WRITE_FORMATS)}")
    words = list(space.words)
    _check_words(words, format)
    path = check_target(path, format, force)
    vectors = space.vectors
    n, d = space.shape

    if format == "tsv":
        targets = [path / TSV_VECTORS, path / TSV_METADATA]
        step = max(1, (1 << 22) // max(d, 1))

        def write_vec(f) -> None:
            for s in range(0, n, step):
                f.write(_format_block(vectors[s:s + step], "\t"))

        _write_file(targets[0], write_vec)
        _write_file(targets[1], lambda f: f.write(("".join(w + "\n" for w in words)).encode("utf-8")))
        return path

    step = max(1, (1 << 22) // max(d, 1))

    if format == "word2vec-bin":
        def write(f) -> None:
            f.write(f"{n} {d}\n".encode("ascii"))
            for s in range(0, n, step):
                block = np.ascontiguousarray(vectors[s:s + step], dtype="<f4")
                f.write(b"".join(w.encode("utf-8") + b" " + block[i].tobytes() + b"\n"
                                 for i, w in enumerate(words[s:s + step])))
    else:
        def write(f) -> None:
            if format == "word2vec":
                f.write(f"{n} {d}\n".encode("ascii"))
            for s in range(0, n, step):
                f.write(_format_block(vectors[s:s + step], " ", words[s:s + step]))

    _write_file(path, write)
    return path


def export_vectors(space: Space | Callable[[], Space], path: str | os.PathLike, format: str = "word2vec",
                   force: bool = False) -> Exported:
    """:func:`write_vectors`, reporting what was written (``model`` is the space's name).
    ``space`` may be a function that loads it: the target is checked first (:func:`check_target`),
    so a bad path is refused before a large model is loaded."""
    check_target(path, format, force)
    if callable(space):
        space = space()
    out = write_vectors(space, path, format=format, force=force)
    files = [str(out / TSV_VECTORS), str(out / TSV_METADATA)] if format == "tsv" else [str(out)]
    return Exported(space.name, str(out), format, len(space), space.dim, files)
