"""Reading word2vec binary files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vecs.errors import FormatError
from vecs.io.text import CHUNK, Reader, looks_like_text, parse_header
from vecs.progress import ProgressFn, report


def read_bin(path: Path, limit: int | None, progress: ProgressFn | None) -> tuple[list[str], np.ndarray]:
    stage = f"read {path.name}"
    with Reader(path) as r:
        buf = r.read(CHUNK)
        if not buf.strip():
            raise FormatError(f"{path}: empty file")
        nl = buf.find(b"\n")
        hdr = parse_header(buf[:nl]) if 0 < nl <= 200 else None
        if hdr is None:
            shown = buf[: nl if 0 < nl <= 60 else 60]
            raise FormatError(f"{path}: line 1: a word2vec binary file starts with a header 'COUNT DIM' "
                              f"(two integers), got {shown!r}")
        n, d = hdr
        if n == 0:
            raise FormatError(f"{path}: no vectors in file (header says 0)")
        rows = n if limit is None else min(n, limit)
        rec = 4 * d
        out = np.empty((rows, d), dtype="<f4")
        dst = memoryview(out).cast("B")
        words: list[str] = []
        append = words.append
        pos = nl + 1
        eof = False
        src = memoryview(buf)
        at = 0  # byte offset of the next row in ``out``
        while len(words) < rows:
            sp = buf.find(b" ", pos, pos + 100_000)
            if sp < 0 or sp + 1 + rec > len(buf):
                if eof:
                    if sp < 0 and len(buf) - pos >= 100_000:
                        raise FormatError(f"{path}: row {len(words) + 1}: no word (no space in 100 kB); "
                                          f"is this a word2vec binary file?")
                    got = buf[pos:sp].strip()[:40].decode("utf-8", "replace") if sp >= 0 else ""
                    got = f" ({got!r})" if got else ""
                    raise FormatError(f"{path}: truncated: the header promises {n:,} vectors of {d} "
                                      f"dimensions, but the file ends in row {len(words) + 1}{got}")
                more = r.read(max(CHUNK, rec + 4096))
                eof = not more
                src.release()
                buf = buf[pos:] + more
                src = memoryview(buf)
                pos = 0
                report(progress, stage, r.done, r.size, words=len(words))
                continue
            wb = buf[pos:sp]
            if wb[:1] == b"\n":
                wb = wb.lstrip(b"\n")
            try:
                append(wb.decode("utf-8"))
            except UnicodeDecodeError as e:
                raise FormatError(f"{path}: row {len(words) + 1}: word is not valid UTF-8 "
                                  f"(byte 0x{wb[e.start]:02x})") from None
            pos = sp + 1 + rec
            dst[at: at + rec] = src[sp + 1: pos]
            at += rec
            if at == rec and rec >= 16 and looks_like_text(buf[sp + 1: pos]):
                raise FormatError(f"{path}: row 1: the values are text, not binary floats; for a text "
                                  f"file use format word2vec")
        src.release()
        if limit is None or limit > n:
            rest = buf[pos:] + r.read(1 << 16)
            if rest.strip():
                raise FormatError(f"{path}: the file goes on after the {n:,} vectors its header promises")
        report(progress, stage, r.done if limit is not None else r.size, r.size, finished=True,
               words=len(words))
    return words, out.astype(np.float32, copy=False)
