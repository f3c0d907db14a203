"""Vector file reading/writing and store loading speed, against gensim's reader.

    .venv/bin/python bench/bench_store.py [N] [DIM]

Builds a GloVe-like file (N words x DIM, 5 significant digits; default the size of GloVe 6B
50d, 400,000 x 50), then times our readers (text and binary), the writer, gensim's
``load_word2vec_format`` on the same files, and opening the saved store model (mmap).
Prints the figures and a final JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400_000
    d = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["VECS_HOME"] = tmp
        from vecs import Space
        from vecs.io.store import load, save
        from vecs.io.formats import read_vectors
        from vecs.io.write import write_vectors

        rng = np.random.default_rng(0)
        v = np.round(rng.standard_normal((n, d)) * 0.4, 5).astype(np.float32)
        space = Space([f"w{i}" for i in range(n)], v)
        txt, bin_ = Path(tmp) / "glove.txt", Path(tmp) / "vectors.bin"
        _, t_write_txt = timed(lambda: write_vectors(space, txt, "glove"))
        _, t_write_bin = timed(lambda: write_vectors(space, bin_, "word2vec-bin"))
        s_txt, t_read_txt = timed(lambda: read_vectors(txt))
        s_bin, t_read_bin = timed(lambda: read_vectors(bin_))
        assert np.array_equal(s_txt.vectors, v) and np.array_equal(s_bin.vectors, v)

        from gensim.models import KeyedVectors

        _, t_gensim_txt = timed(lambda: KeyedVectors.load_word2vec_format(str(txt), binary=False,
                                                                          no_header=True))
        _, t_gensim_bin = timed(lambda: KeyedVectors.load_word2vec_format(str(bin_), binary=True))

        save(space, "bench")
        loaded, t_load = timed(lambda: load("bench"))
        _, t_first_query = timed(lambda: loaded.normed[loaded.row("w123")] @ loaded.normed[:1000].T)

        mb = txt.stat().st_size / 1e6
        res = {
            "words": n, "dim": d, "text_mb": round(mb, 1),
            "read_glove_text_s": round(t_read_txt, 3), "read_text_mb_per_s": round(mb / t_read_txt, 1),
            "gensim_read_text_s": round(t_gensim_txt, 3), "text_speedup_vs_gensim": round(t_gensim_txt / t_read_txt, 2),
            "read_bin_s": round(t_read_bin, 3), "gensim_read_bin_s": round(t_gensim_bin, 3),
            "bin_speedup_vs_gensim": round(t_gensim_bin / t_read_bin, 2),
            "write_glove_text_s": round(t_write_txt, 3), "write_bin_s": round(t_write_bin, 3),
            "store_load_s": round(t_load, 4), "store_first_query_s": round(t_first_query, 3),
        }
        for k, val in res.items():
            print(f"{k:>26}: {val}")
        print(json.dumps(res))


if __name__ == "__main__":
    main()
