"""Reading Embedding Projector TSV (vectors.tsv + metadata.tsv)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from vecs.errors import FormatError
from vecs.io.compressed import Reader
from vecs.io.text import check_numbers, chunks, decode_chunk, first_nonfinite, nonfinite_error, read_words
from vecs.progress import ProgressFn, report

TSV_VECTORS = "vectors.tsv"


TSV_METADATA = "metadata.tsv"


def read_tsv(path: Path, limit: int | None, progress: ProgressFn | None) -> tuple[list[str], np.ndarray]:
    vec_path = path / TSV_VECTORS if path.is_dir() else path
    if vec_path.name.lower() == TSV_METADATA:  # the words file of the pair: its vectors are beside it
        vec_path = vec_path.with_name(TSV_VECTORS)
    meta_path = vec_path.with_name(TSV_METADATA)
    if not vec_path.is_file():
        raise FormatError(f"{path}: no {TSV_VECTORS} here (the tsv format is a folder with "
                          f"{TSV_VECTORS} and {TSV_METADATA})")
    if not meta_path.is_file():
        raise FormatError(f"{meta_path}: missing (the words for {vec_path})")
    words = read_words(meta_path)
    stage = f"read {vec_path.name}"
    rows: list[np.ndarray] = []
    count = 0
    d = None
    line0 = 1
    with Reader(vec_path) as r:
        for chunk in chunks(r):
            text = decode_chunk(chunk, vec_path, line0, "tsv")
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if d is None and lines:
                d = len(lines[0].rstrip("\r").split("\t"))
            try:
                with warnings.catch_warnings():  # "input contained no data": blank lines, diagnosed below
                    warnings.simplefilter("ignore", UserWarning)
                    block = np.loadtxt(lines, dtype=np.float32, delimiter="\t", comments=None, quotechar=None,
                                       ndmin=2)
                ok = block.shape == (len(lines), d)
            except ValueError:
                ok = False
            if not ok:
                for j, line in enumerate(lines):
                    vals = line.rstrip("\r").split("\t")
                    if len(vals) != d:
                        raise FormatError(f"{vec_path}: line {line0 + j}: wrong dimension: {len(vals)} "
                                          f"values, expected {d}")
                    check_numbers(vec_path, line0 + j, vals)
                with np.errstate(over="ignore"):
                    block = np.array([ln.rstrip("\r").split("\t") for ln in lines],
                                     dtype=np.float64).astype(np.float32)
            bad = first_nonfinite(block.reshape(len(lines), d or 0))
            if bad is not None:
                raise nonfinite_error(vec_path, f"line {line0 + bad}", lines[bad].rstrip("\r").split("\t"))
            rows.append(block.reshape(len(lines), d or 0).astype(np.float32, copy=False))
            count += len(lines)
            line0 += len(lines)
            report(progress, stage, r.done, r.size, words=count)
    if d is None:
        raise FormatError(f"{vec_path}: empty file")
    if count != len(words):
        raise FormatError(f"{path}: {count:,} vectors in {TSV_VECTORS} but {len(words):,} words in "
                          f"{TSV_METADATA}")
    vectors = np.concatenate(rows)
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
    return words, np.ascontiguousarray(vectors)
