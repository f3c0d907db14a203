"""Reading word2vec binary files: the header is checked against the file's size before the
matrix is allocated (a compressed file's matrix grows as its rows arrive instead), text given
as binary is recognised, and every value must be a finite float32."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from vecs.errors import FormatError
from vecs.io.compressed import Reader
from vecs.io.text import (
    CHUNK,
    binary_layout,
    check_header_fits,
    first_nonfinite,
    looks_like_text,
    nonfinite_error,
    parse_header,
    text_shape,
)
from vecs.progress import ProgressFn, report

SAMPLE = 1 << 16  # bytes looked at to tell text from binary


GROW = 64 << 20  # bytes of rows a compressed file's matrix starts with (then doubles)


_NUMBERS = re.compile(r"[0-9eE+\-.,naifNAIF \t\r]*")  # values written as text (decimal commas too)


def _refuse_text(path: Path, data: bytes, n: int, d: int, whole: bool) -> None:
    """Raise if the records are text lines (a word and ``d`` values each, or printable text that
    cannot be binary records) rather than binary floats."""
    shape = text_shape(data, d, whole)
    if shape == "binary":
        return
    if shape == "rows":
        lines = [ln.split(None, 1) for ln in data.decode("utf-8", "replace").split("\n")[:50] if ln.strip()]
        numbers = all(_NUMBERS.fullmatch(parts[-1]) for parts in lines)
        if numbers or not binary_layout(data, n, d, whole):
            raise FormatError(f"{path}: row 1: the values are text, not binary floats (the lines are a word "
                              f"and {d} values); for a text file use format word2vec")
    elif not binary_layout(data, n, d, whole):
        raise FormatError(f"{path}: row 1: the values are text, not binary floats; for a text file use format "
                          f"word2vec (which names the line at fault)")


def read_bin(path: Path, limit: int | None, progress: ProgressFn | None) -> tuple[list[str], np.ndarray]:
    stage = f"read {path.name}"
    with Reader(path) as r:
        buf = r.read(CHUNK)
        eof = len(buf) < CHUNK
        if not buf.strip():
            raise FormatError(f"{path}: empty file")
        nl = buf.find(b"\n")
        hdr = parse_header(buf[:nl], path) if 0 < nl <= 200 else None
        if hdr is None:
            shown = buf[: nl if 0 < nl <= 60 else 60]
            raise FormatError(f"{path}: line 1: a word2vec binary file starts with a header 'COUNT DIM' "
                              f"(two integers), got {shown!r}")
        n, d = hdr
        rec = 4 * d
        sample = buf[nl + 1: nl + 1 + SAMPLE]
        _refuse_text(path, sample, n, d, eof and len(buf) <= nl + 1 + SAMPLE)
        rows = n if limit is None else min(n, limit)
        check_header_fits(path, rows, d, r, rec + 1)
        out = np.empty((0, 0), dtype="<f4")  # allocated when the first record has arrived
        dst = memoryview(b"")
        room = 0  # bytes allocated in ``out``
        words: list[str] = []
        append = words.append
        pos = nl + 1
        src = memoryview(buf)
        at = 0  # byte offset of the next row in ``out``
        while len(words) < rows:
            sp = buf.find(b" ", pos, pos + 100_000)
            if sp < 0 or sp + 1 + rec > len(buf):
                if eof:
                    _truncated(path, buf, pos, sp, n, d, len(words))
                more = r.read(CHUNK)  # never more at once: a header's dimension is not trusted
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
            if at + rec > room:  # grow: all rows at once when the file's size vouches for them
                cap = rows if r.compressed is None else min(rows, max(2 * len(out), GROW // rec, 1))
                grown = np.empty((cap, d), dtype="<f4")
                if len(out):
                    grown[:len(out)] = out
                dst.release()
                out, dst = grown, memoryview(grown).cast("B")
                room = dst.nbytes
            pos = sp + 1 + rec
            dst[at: at + rec] = src[sp + 1: pos]
            at += rec
            if at == rec and rec >= 16 and looks_like_text(buf[sp + 1: pos]):
                raise FormatError(f"{path}: row 1: the values are text, not binary floats; for a text "
                                  f"file use format word2vec")
        src.release()
        dst.release()
        if limit is None or limit > n:
            rest = buf[pos:] + r.read(1 << 16)
            if rest.strip():
                raise FormatError(f"{path}: the file goes on after the {n:,} vectors its header promises")
        report(progress, stage, r.done if limit is not None else r.size, r.size, finished=True,
               words=len(words))
    out = out[:len(words)]
    step = max(1, (4 << 20) // d)
    for s in range(0, len(out), step):
        bad = first_nonfinite(out[s:s + step])
        if bad is not None:
            raise nonfinite_error(path, f"row {s + bad + 1} ({words[s + bad][:40]!r})", out[s + bad])
    return words, out.astype(np.float32, copy=False)


def _truncated(path: Path, buf: bytes, pos: int, sp: int, n: int, d: int, done: int) -> None:
    if sp < 0 and len(buf) - pos >= 100_000:
        raise FormatError(f"{path}: row {done + 1}: no word (no space in 100 kB); is this a word2vec binary file?")
    got = buf[pos:sp].strip()[:40].decode("utf-8", "replace") if sp >= 0 else ""
    got = f" ({got!r})" if got else ""
    hint = ""
    if looks_like_text(buf[pos: pos + 4 * d + 200]):
        hint = "; what is there is text: for a text file use format word2vec"
    raise FormatError(f"{path}: truncated: the header promises {n:,} vectors of {d} dimensions, but the file "
                      f"ends in row {done + 1}{got}{hint}")
