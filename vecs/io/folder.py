"""The store's folder format: vectors.npy (memory-mapped), words.txt, meta.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from vecs.errors import FormatError, ModelExists, StoreError
from vecs.io.text import read_words
from vecs.space import Space

# what only writing needs (shutil, tempfile, datetime, vecs.swap, vecs.jsonify) is imported in the
# writers: a query that loads a model pays for none of it

VECTORS, NORMS, WORDS, META = "vectors.npy", "norms.npy", "words.txt", "meta.json"
# one of our transformers is a model folder that also holds its weights and config
MODEL_FILE, CONFIG_FILE = "model.safetensors", "config.json"
OUR_MODEL_TYPE = "vecs-gpt"  # config.json's model_type in our trained transformers
# an approximate-neighbour index beside the vectors (vecs.static.ann; `vecs index build`)
INDEX, INDEX_META = "index.faiss", "index.json"


def is_transformer(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds one of our trained transformers (weights and config beside the
    store files). The one test for it; a Hugging Face checkpoint folder is not one of ours."""
    folder = Path(folder)
    if not ((folder / MODEL_FILE).is_file() and (folder / CONFIG_FILE).is_file()):
        return False
    # a Hugging Face checkpoint has the same two files: ours says model_type "vecs-gpt"
    try:
        with open(folder / CONFIG_FILE, "rb") as f:
            cfg = json.loads(f.read(1 << 20).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        cfg = None  # unreadable: ours if it has our vocabulary file and no Hugging Face tokenizer
    if isinstance(cfg, dict) and "model_type" in cfg:
        return cfg.get("model_type") == OUR_MODEL_TYPE
    return (folder / "vocab.json").is_file() and not (folder / "tokenizer.json").is_file()


# -- writing --------------------------------------------------------------------------------
class _WriteOnly:
    """A file seen by numpy as a plain stream: it then writes the array in 16 MB chunks through
    ``write`` rather than ``ndarray.tofile``, whose C code turns a Ctrl-C (or SIGTERM mapped to
    it) landing in its flush into ``TypeError: expected str, bytes or os.PathLike object``."""

    def __init__(self, f):
        self.write = f.write


def save_npy(path: Path, array: np.ndarray) -> None:
    """``np.save(path, array, allow_pickle=False)``, the same bytes, interruptible cleanly."""
    with open(path, "wb") as f:
        np.lib.format.write_array(_WriteOnly(f), np.asanyarray(array), allow_pickle=False)


def _write_into(space: Space, folder: Path, name: str) -> None:
    from datetime import datetime, timezone

    from vecs.jsonify import plain

    words = space.words
    for i, w in enumerate(words):
        if "\n" in w:
            raise FormatError(f"word {i + 1} ({w[:40]!r}) contains a line break; it cannot be stored")
    save_npy(folder / VECTORS, np.ascontiguousarray(space.vectors, dtype=np.float32))
    save_npy(folder / NORMS, np.ascontiguousarray(space.norms, dtype=np.float32))
    (folder / WORDS).write_bytes("".join(w + "\n" for w in words).encode("utf-8"))
    meta = dict(space.meta)
    meta.update(
        name=name,
        kind=meta.get("kind") or "unknown",
        words=len(words),
        dim=space.dim,
        source=str(meta.get("source", "")),
        created=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        params=meta.get("params") or {},
    )
    (folder / META).write_text(json.dumps(plain(meta), ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")


def _why(e: OSError, folder: Path) -> str:
    """What went wrong, in words: numpy reports a full disk as "N requested and M written"."""
    import shutil

    why = e.strerror or str(e) or type(e).__name__
    if e.errno is None:
        try:
            if shutil.disk_usage(folder).free < (1 << 20):
                return f"the disk is full ({why})"
        except OSError:
            pass
    return why


def write_dir(space: Space, path: str | os.PathLike, force: bool = False) -> Path:
    """Write ``space`` in the store format into the folder ``path`` (atomically). An existing
    ``path`` raises :class:`ModelExists` unless ``force``; with ``force`` it is replaced with
    no moment at which ``path`` is missing or half-written (a link there is replaced, not its
    target), and the old model is put back if the new one cannot be moved in
    (:func:`vecs.swap.replace_dir`). A write that fails (a full disk) leaves no temporary and
    raises :class:`StoreError` naming the folder. Writers that share ``path``'s folder with
    other processes hold :func:`vecs.swap.dir_lock` (``path``): the store does."""
    import shutil
    import tempfile

    from vecs.swap import replace_dir
    from vecs.util import current_umask

    path = Path(path).expanduser()
    name = path.name
    if os.path.lexists(path) and not force:
        raise ModelExists(f"model {name!r} exists; use --force to replace it")
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} exists and is not a model folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=path.parent))
    try:
        os.chmod(tmp, 0o777 & ~current_umask())  # the usual permissions, not mkdtemp's private 0o700
        try:
            _write_into(space, tmp, name)
        except OSError as e:
            raise StoreError(f"cannot write model {name!r} in {path.parent}: {_why(e, tmp)}; "
                             f"nothing was replaced") from None
        if os.path.lexists(path):
            if not force:  # appeared while we were writing
                raise ModelExists(f"model {name!r} exists; use --force to replace it")
            if path.is_dir() and not (path / META).is_file() and any(path.iterdir()):
                raise StoreError(f"{path} exists and is not a model folder; not replacing it")
        replace_dir(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


# -- reading --------------------------------------------------------------------------------
def read_meta(path: Path) -> dict:
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as e:
        raise FormatError(f"{path / META}: not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise FormatError(f"{path / META}: expected a JSON object")
    return meta


def _load_npy(file: Path) -> np.ndarray:
    """A ``.npy`` file of the store, memory-mapped; a damaged one (bad header, truncated, not
    ``.npy`` at all) is a :class:`FormatError` naming the file."""
    try:
        return np.load(file, mmap_mode="r", allow_pickle=False)
    except OSError:
        raise
    except Exception as e:  # numpy raises ValueError, SyntaxError, tokenize.TokenError, EOFError...
        import tokenize

        if isinstance(e, (SyntaxError, tokenize.TokenError)):
            why = "malformed .npy header"
        else:
            why = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise FormatError(f"{file}: cannot load ({why}); the model folder is damaged: "
                          f"import or train it again, or remove it") from None


def load_dir(path: str | os.PathLike, name: str | None = None) -> Space:
    """A Space from a store-format folder; ``vectors`` (and the norms) are read-only memory maps.
    A damaged file gives one :class:`FormatError` naming it."""
    path = Path(path).expanduser()
    if not (path / VECTORS).is_file() or not (path / WORDS).is_file():
        raise FormatError(f"{path}: not a model folder (needs {VECTORS} and {WORDS})")
    meta = read_meta(path)
    vectors = _load_npy(path / VECTORS)
    if vectors.ndim != 2 or vectors.dtype != np.float32:
        raise FormatError(f"{path / VECTORS}: expected a float32 matrix, got {vectors.dtype} {vectors.shape}")
    words = read_words(path / WORDS)
    if len(words) != vectors.shape[0]:
        raise FormatError(f"{path}: {len(words):,} words in {WORDS} but {vectors.shape[0]:,} vectors")
    norms = None
    if (path / NORMS).is_file():
        norms = _load_npy(path / NORMS)
        if norms.shape != (len(words),) or norms.dtype != np.float32:
            raise FormatError(f"{path / NORMS}: expected {len(words):,} float32 norms, got {norms.dtype} "
                              f"{norms.shape}; the model folder is damaged: import or train it again, or remove it")
    return Space(words, vectors, name=name if name is not None else meta.get("name", path.name), meta=meta,
                 norms=norms)
