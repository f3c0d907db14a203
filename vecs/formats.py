"""Reading and writing word-vector files: word2vec text and binary, GloVe, fastText ``.vec``,
and the TensorFlow Embedding Projector TSV pair.

Our own parsers (never gensim's loader, which may unpickle): strict, fast, and every refusal
is a :class:`FormatError` naming the file and the line (text) or row (binary).

Formats
-------
``word2vec``      text: header ``COUNT DIM``, then ``word v1 ... vDIM`` per line.
``fasttext``      the same as ``word2vec`` (fastText's ``.vec`` files).
``word2vec-bin``  Mikolov/gensim binary: the header line, then per word the UTF-8 word, a
                  space, DIM little-endian float32 values, and an optional newline.
``glove``         text without a header; DIM is the number of values on the first line.
``tsv``           (read and write) a folder holding ``vectors.tsv`` (tab-separated floats, no
                  header) and ``metadata.tsv`` (one word per line, no header), as the TensorFlow
                  Embedding Projector loads them. PATH is the folder.

Text files may be compressed with gzip, bzip2 or xz (recognised by their magic bytes, so
the suffix does not matter); ``write_vectors`` compresses when PATH ends in ``.gz``, ``.bz2``
or ``.xz``. Text output writes each float32 with the fewest significant digits
that reads back to the same float32 (the shortest such form), so every write/read round trip
is exact.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from vecs.errors import FormatError
from vecs.progress import ProgressFn, report
from vecs.space import Space

READ_FORMATS = ("auto", "word2vec", "word2vec-bin", "glove", "fasttext", "tsv")
WRITE_FORMATS = ("word2vec", "word2vec-bin", "glove", "tsv")
TSV_VECTORS = "vectors.tsv"
TSV_METADATA = "metadata.tsv"

_CHUNK = 8 << 20  # bytes per read: big enough to amortise numpy calls, small enough to stream
_MAGIC = {b"\x1f\x8b": "gz", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
_NUMERIC_TAIL = re.compile(rb"^[0-9eE+\-.naifNAIF \t\r]*$")  # what follows the word on a text line


# -- opening ----------------------------------------------------------------------------------
class _Counting:
    """A raw file that remembers how many bytes were read (for progress on compressed input)."""

    def __init__(self, f: BinaryIO):
        self.f = f
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        b = self.f.read(n)
        self.pos += len(b)
        return b

    def readinto(self, buf) -> int:
        n = self.f.readinto(buf)
        self.pos += n or 0
        return n

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.f.close()

    @property
    def closed(self) -> bool:
        return self.f.closed


def _compression(path: Path) -> str | None:
    with open(path, "rb") as f:
        head = f.read(6)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


class _Reader:
    """Decompressed byte stream of ``path`` plus how far through the file on disk we are."""

    def __init__(self, path: Path):
        self.path = path
        self.size = path.stat().st_size
        self.raw = _Counting(open(path, "rb"))
        kind = _compression(path)
        if kind == "gz":
            import gzip

            self.stream = gzip.GzipFile(fileobj=self.raw, mode="rb")
        elif kind == "bz2":
            import bz2

            self.stream = bz2.BZ2File(self.raw, mode="rb")
        elif kind == "xz":
            import lzma

            self.stream = lzma.LZMAFile(self.raw, mode="rb")
        else:
            self.stream = self.raw
        self.compressed = kind

    def read(self, n: int) -> bytes:
        try:
            return self.stream.read(n)
        except (OSError, EOFError, ValueError) as e:  # corrupt or truncated compressed data
            raise FormatError(f"{self.path}: cannot decompress ({self.compressed}): {e}") from None

    @property
    def done(self) -> int:
        return self.raw.pos

    def close(self) -> None:
        if self.stream is not self.raw:
            self.stream.close()
        self.raw.close()

    def __enter__(self) -> "_Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _base_suffix(path: Path) -> str:
    name = path.name.lower()
    for ext in (".gz", ".bz2", ".xz"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return os.path.splitext(name)[1]


def _header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) != 2:
        return None
    try:
        n, d = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    return (n, d) if n >= 0 and d > 0 else None


def sniff(path: str | os.PathLike) -> str:
    """Guess the format of a vector file (or TSV folder): ``word2vec-bin`` for binary content
    or a ``.bin`` suffix, ``word2vec`` when the first line is two integers, else ``glove``."""
    path = Path(path)
    if path.is_dir():
        if (path / TSV_VECTORS).is_file():
            return "tsv"
        raise FormatError(f"{path}: a folder, but neither a stored model nor a TSV pair ({TSV_VECTORS})")
    with _Reader(path) as r:
        head = r.read(1 << 16)
    if not head.strip():
        raise FormatError(f"{path}: empty file")
    if _base_suffix(path) == ".bin":
        return "word2vec-bin"
    nl = head.find(b"\n")
    first = head if nl < 0 else head[:nl]
    hdr = _header(first)
    if hdr is None:
        if b"\x00" in head:
            raise FormatError(f"{path}: binary data without a word2vec header ('COUNT DIM')")
        return "glove"
    rest = head[nl + 1:] if nl >= 0 else b""
    end = rest.find(b"\n")
    line2 = rest if end < 0 else rest[:end]
    sp = line2.find(b" ")
    if not line2 or (sp > 0 and b"\x00" not in line2 and _NUMERIC_TAIL.match(line2[sp + 1:])):
        return "word2vec"
    return "word2vec-bin"


# -- reading ------------------------------------------------------------------------------------
def read_vectors(path: str | os.PathLike, format: str = "auto", limit: int | None = None,
                 progress: ProgressFn | None = None) -> Space:
    """Read a vector file into a :class:`Space` (``meta``: kind ``imported``, ``source`` the
    absolute path, ``format`` the format actually read). ``limit`` keeps the first N words.
    Progress events report bytes read (of the file on disk) and words so far."""
    path = Path(path).expanduser()
    if format not in READ_FORMATS:
        raise FormatError(f"unknown vector format {format!r}; choose one of {', '.join(READ_FORMATS)}")
    if limit is not None and limit < 1:
        raise FormatError(f"limit must be at least 1, got {limit}")
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    if format == "auto":
        format = sniff(path)
    if format == "tsv":
        words, vectors = _read_tsv(path, limit, progress)
    elif path.is_dir():
        raise FormatError(f"{path}: a folder, not a {format} file")
    elif format == "word2vec-bin":
        words, vectors = _read_bin(path, limit, progress)
    else:
        words, vectors = _read_text(path, header=format != "glove", limit=limit, progress=progress,
                                    fmt=format)
    meta = {"kind": "imported", "source": str(path.resolve()), "format": format}
    if limit is not None:
        meta["limit"] = limit
    return Space(words, vectors, name=path.name, meta=meta)


def _chunks(r: _Reader) -> Iterator[bytes]:
    """Decompressed data in pieces that end at a newline (or at the end of the file)."""
    tail = b""
    while True:
        block = r.read(_CHUNK)
        if not block:
            if tail:
                yield tail
            return
        data = tail + block
        cut = data.rfind(b"\n")
        if cut < 0:
            tail = data
            continue
        tail = data[cut + 1:]
        yield data[: cut + 1]


def _decode(chunk: bytes, path: Path, line0: int, fmt: str) -> str:
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError as e:
        line = line0 + chunk.count(b"\n", 0, e.start)
        col = e.start - (chunk.rfind(b"\n", 0, e.start) + 1) + 1
        if b"\x00" in chunk:
            hint = "; it looks binary: for a word2vec binary file use format word2vec-bin"
        else:
            hint = "; vector files must be UTF-8"
        raise FormatError(f"{path}: line {line}: not valid UTF-8 (byte 0x{chunk[e.start]:02x} at "
                          f"column {col}){hint}") from None


def _read_text(path: Path, header: bool, limit: int | None, progress: ProgressFn | None,
               fmt: str) -> tuple[list[str], np.ndarray]:
    stage = f"read {path.name}"
    words: list[str] = []
    blocks: list[np.ndarray] = []
    n_expected: int | None = None
    d: int | None = None
    line0 = 1  # line number of the first line of the current chunk
    with _Reader(path) as r:
        for chunk in _chunks(r):
            if not words and not blocks and line0 == 1 and b"\x00" in chunk[:1 << 16]:
                raise FormatError(f"{path}: looks like a binary file (NUL bytes), not {fmt} text; "
                                  f"for a word2vec binary file use format word2vec-bin")
            text = _decode(chunk, path, line0, fmt)
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            first = 0
            if header and n_expected is None:
                # the header: first non-blank line
                while first < len(lines) and not lines[first].strip():
                    first += 1
                if first == len(lines):
                    line0 += len(lines)
                    continue
                hdr = _header(lines[first].encode())
                if hdr is None:
                    raise FormatError(f"{path}: line {line0 + first}: a {fmt} file starts with a header "
                                      f"'COUNT DIM' (two integers), got {lines[first].strip()[:60]!r}; "
                                      f"for a file without header use format glove")
                n_expected, d = hdr
                first += 1
            if d is None:
                while first < len(lines) and not lines[first].strip():
                    first += 1
                if first == len(lines):
                    line0 += len(lines)
                    continue
                d = len(lines[first].split()) - 1
                if d < 1:
                    raise FormatError(f"{path}: line {line0 + first}: a word with no values")
            want = None
            if limit is not None:
                want = limit - len(words)
            if n_expected is not None:
                left = n_expected - len(words)
                want = left if want is None else min(want, left)
            cw, cv, used = _parse_lines(lines, first, d, path, line0, want)
            if n_expected is not None and used < len(lines) and (limit is None or len(words) + len(cw) < limit):
                extra = next((i for i in range(used, len(lines)) if lines[i].strip()), None)
                if extra is not None:
                    raise FormatError(f"{path}: line {line0 + extra}: more rows than the header's "
                                      f"{n_expected:,}")
            words.extend(cw)
            if len(cv):
                blocks.append(cv)
            line0 += len(lines)
            report(progress, stage, r.done, r.size, words=len(words))
            if limit is not None and len(words) >= limit:
                break
        report(progress, stage, r.done, r.size, finished=True, words=len(words))
    if n_expected is None and d is None:
        raise FormatError(f"{path}: empty file")
    if n_expected is not None and len(words) < n_expected and (limit is None or len(words) < limit):
        raise FormatError(f"{path}: the header promises {n_expected:,} rows but the file has only "
                          f"{len(words):,}")
    if not words:
        raise FormatError(f"{path}: no vectors in file")
    vectors = np.concatenate(blocks) if len(blocks) != 1 else blocks[0]
    return words, np.ascontiguousarray(vectors, dtype=np.float32)


def _parse_lines(lines: list[str], first: int, d: int, path: Path, line0: int,
                 want: int | None) -> tuple[list[str], np.ndarray, int]:
    """Parse ``lines[first:]`` (at most ``want`` non-blank rows) into words and a (k, d) matrix;
    also return the index of the first line not consumed."""
    words: list[str] = []
    rests: list[str] = []
    i = first
    end = len(lines)
    if want is not None and want <= 0:
        return words, np.empty((0, d), np.float32), first
    for i in range(first, end):
        line = lines[i].rstrip()
        if not line:
            continue
        w, _, rest = line.partition(" ")
        words.append(w)
        rests.append(rest)
        if want is not None and len(words) >= want:
            i += 1
            break
    else:
        i = end
    if not words:
        return words, np.empty((0, d), np.float32), i
    try:  # fast path: numpy's C parser, exactly one space between values
        flat = np.loadtxt(rests, dtype=np.float32, delimiter=" ", comments=None, quotechar=None, ndmin=2)
        fast = flat.shape == (len(rests), d)
    except ValueError:
        fast = False
    if fast:
        return words, flat, i
    # slow path: exact diagnostics, and tolerant of tabs and repeated spaces between values
    out = np.empty((len(words), d), dtype=np.float32)
    row = 0
    for j in range(first, i):
        line = lines[j].rstrip()
        if not line:
            continue
        w, _, rest = line.partition(" ")
        vals = rest.split()
        if len(vals) != d:
            raise FormatError(f"{path}: line {line0 + j}: wrong dimension: {len(vals)} values after "
                              f"{w[:40]!r}, expected {d}")
        try:
            out[row] = np.array(vals, dtype=np.float64)
        except ValueError:
            _check_numbers(path, line0 + j, vals)
            raise  # pragma: no cover
        row += 1
    return words, out, i


def _read_bin(path: Path, limit: int | None, progress: ProgressFn | None) -> tuple[list[str], np.ndarray]:
    stage = f"read {path.name}"
    with _Reader(path) as r:
        buf = r.read(_CHUNK)
        if not buf.strip():
            raise FormatError(f"{path}: empty file")
        nl = buf.find(b"\n")
        hdr = _header(buf[:nl]) if 0 < nl <= 200 else None
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
                more = r.read(max(_CHUNK, rec + 4096))
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
            if at == rec and rec >= 16 and _looks_like_text(buf[sp + 1: pos]):
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


def _looks_like_text(b: bytes) -> bool:
    """True if these bytes (supposedly binary floats) are printable UTF-8 text."""
    try:
        t = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((c < " " and c not in "\t\n\r") or c == "\x7f" for c in t)


def _read_tsv(path: Path, limit: int | None, progress: ProgressFn | None) -> tuple[list[str], np.ndarray]:
    vec_path = path / TSV_VECTORS if path.is_dir() else path
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
    with _Reader(vec_path) as r:
        for chunk in _chunks(r):
            text = _decode(chunk, vec_path, line0, "tsv")
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if d is None and lines:
                d = len(lines[0].rstrip("\r").split("\t"))
            try:
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
                    _check_numbers(vec_path, line0 + j, vals)
                block = np.array([ln.rstrip("\r").split("\t") for ln in lines], dtype=np.float64)
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


def _check_numbers(path, line: int, vals: list[str]) -> None:
    """Raise a FormatError naming the first value on ``line`` that is not a number."""
    for k, v in enumerate(vals, 1):
        try:
            float(v)
        except ValueError:
            raise FormatError(f"{path}: line {line}: value {k} ({v[:40]!r}) is not a number") from None


def read_words(path: Path) -> list[str]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise FormatError(f"{path}: line {line}: not valid UTF-8") from None
    words = text.split("\n")
    if words and words[-1] == "":
        words.pop()
    return [w[:-1] if w.endswith("\r") else w for w in words]


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
        elif not w or any(c.isspace() for c in w):
            raise FormatError(f"word {i + 1} ({w!r}) cannot be written in {fmt} format (empty or "
                              f"contains whitespace)")


def _open_out(tmp: Path, final: Path):
    name = final.name.lower()
    if name.endswith(".gz"):
        import gzip

        return gzip.open(tmp, "wb")
    if name.endswith(".bz2"):
        import bz2

        return bz2.open(tmp, "wb")
    if name.endswith(".xz"):
        import lzma

        return lzma.open(tmp, "wb")
    return open(tmp, "wb")


def _atomic_write(final: Path, write) -> None:
    """Call ``write(fileobj)`` on a temporary sibling of ``final``, then rename it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.tmp-", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, 0o666 & ~_umask())
        with _open_out(tmp_path, final) as f:
            write(f)
        os.replace(tmp_path, final)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


_UMASK: list[int] = []


def _umask() -> int:
    if not _UMASK:
        mask = os.umask(0o022)
        os.umask(mask)
        _UMASK.append(mask)
    return _UMASK[0]


def write_vectors(space: Space, path: str | os.PathLike, format: str, force: bool = False) -> Path:
    """Write ``space`` as ``word2vec`` (text with header), ``word2vec-bin``, ``glove`` or
    ``tsv`` (PATH is a folder that receives ``vectors.tsv`` and ``metadata.tsv``). Atomic;
    refuses to replace an existing file without ``force``. Returns PATH."""
    from vecs.errors import StoreError

    path = Path(path).expanduser()
    if format not in WRITE_FORMATS:
        raise FormatError(f"unknown output format {format!r}; choose one of {', '.join(WRITE_FORMATS)}")
    words = list(space.words)
    _check_words(words, format)
    vectors = space.vectors
    n, d = space.shape

    if format == "tsv":
        if path.suffix.lower() == ".tsv" or path.is_file():
            raise FormatError(f"{path}: for format tsv, PATH is a folder; it receives {TSV_VECTORS} and "
                              f"{TSV_METADATA}")
        targets = [path / TSV_VECTORS, path / TSV_METADATA]
        existing = [t for t in targets if t.exists()]
        if existing and not force:
            raise StoreError(f"{existing[0]} exists; use --force to replace it")
        step = max(1, (1 << 22) // max(d, 1))

        def write_vec(f) -> None:
            for s in range(0, n, step):
                f.write(_format_block(vectors[s:s + step], "\t"))

        _atomic_write(targets[0], write_vec)
        _atomic_write(targets[1], lambda f: f.write(("".join(w + "\n" for w in words)).encode("utf-8")))
        return path

    if path.is_dir():
        raise FormatError(f"{path}: is a folder; give a file name")
    if path.exists() and not force:
        raise StoreError(f"{path} exists; use --force to replace it")
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

    _atomic_write(path, write)
    return path
