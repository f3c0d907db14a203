"""Checkpoints of our GPT: plain safetensors + JSON folders, saved (atomically) and loaded with
every file checked; the device choice (``auto``, ``cpu``, ``cuda``).

Where they live. A finished model is the store folder ``models/NAME/``. While a training runs,
its checkpoints live *beside* it, in the hidden folder ``models/.NAME.checkpoint/``
(:func:`side_path`), so an existing model NAME is replaced only by a finished one (the last
checkpoint is moved in with :func:`vecs.swap.replace_dir`, whose swap survives a kill). Each
checkpoint is written into a hidden staging folder and swapped in, so the side folder is always
the previous checkpoint or this one, never half of one.

Loading checks before it allocates: ``config.json`` (:meth:`GPTConfig.from_dict`), ``vocab.json``,
``trainer_state.json`` and the safetensors headers (names and shapes against the config, read
without loading the tensors); a damaged file is one :class:`StoreError` naming it."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vecs.errors import DeviceUnavailable, StoreError
from vecs.extras import require_torch
from vecs.io.folder import CONFIG_FILE, MODEL_FILE
from vecs.jsonify import plain
from vecs.lm.history import HISTORY_FILE
from vecs.lm.tokenizer import WordTokenizer
from vecs.swap import replace_dir, signals_deferred

OPTIM_FILE, VOCAB_FILE, STATE_FILE = "optimizer.safetensors", "vocab.json", "trainer_state.json"
SIDE_SUFFIX = ".checkpoint"


def pick_device(device: str = "auto") -> str:
    """``auto`` -> ``cuda`` when available, else ``cpu``; ``cuda`` without CUDA raises
    :class:`DeviceUnavailable`."""
    torch = require_torch()
    device = (device or "auto").lower()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceUnavailable(f"--device {device}: CUDA is not available here "
                                    f"(torch {torch.__version__}); use --device cpu or auto")
        return device
    if device == "cpu":
        return "cpu"
    raise DeviceUnavailable(f"unknown device {device!r}: use auto, cpu or cuda")


def side_path(path: str | Path) -> Path:
    """Where the checkpoints of a training of the model folder ``path`` live until it has
    finished: the hidden sibling ``.NAME.checkpoint``."""
    path = Path(path)
    return path.parent / f".{path.name}{SIDE_SUFFIX}"


# -- saving ------------------------------------------------------------------------------------
def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _optimizer_tensors(opt) -> tuple[dict, dict]:
    """An optimizer's state_dict split into tensors (for safetensors) and JSON."""
    sd = opt.state_dict()
    tensors, scalars = {}, {}
    for pid, st in sd["state"].items():
        for k, v in st.items():
            if hasattr(v, "detach"):
                tensors[f"state.{pid}.{k}"] = v.detach().to("cpu").contiguous()
            else:
                scalars[f"{pid}.{k}"] = plain(v)
    return tensors, {"param_groups": plain(sd["param_groups"]), "scalars": scalars}


def optimizer_state_dict(tensors: dict, meta: dict) -> dict:
    state: dict = {}
    for key, t in tensors.items():
        _, pid, k = key.split(".", 2)
        state.setdefault(int(pid), {})[k] = t
    for key, v in meta.get("scalars", {}).items():
        pid, k = key.split(".", 1)
        state.setdefault(int(pid), {})[k] = v
    groups = meta["param_groups"]
    for g in groups:
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
    return {"state": state, "param_groups": groups}


def model_tensors(model) -> dict:
    """The model's weights for safetensors (the tied ``lm_head.weight`` is ``wte.weight``)."""
    return {k: v.detach().to("cpu", copy=True).float().contiguous()
            for k, v in model.state_dict().items() if k != "lm_head.weight"}


def save_checkpoint(path: Path, model, tokenizer: WordTokenizer, optimizer, state: dict,
                    meta: dict, name: str | None = None, history=None) -> Path:
    """Write the whole model folder ``path`` (its store name ``name``, default the folder's
    name; with the loss curve ``history``, a :class:`vecs.lm.history.LossHistory`, when given)
    atomically: it is written into a hidden staging sibling ``.FOLDER.ckpt-*``, then
    swapped in (:func:`vecs.swap.replace_dir`, Ctrl-C and SIGTERM held back during the swap),
    so ``path`` is always the previous checkpoint or this one, never half of one. A write that
    fails (a full disk) leaves no staging folder and raises :class:`StoreError`. The caller holds
    :func:`vecs.swap.dir_lock` (``path``) while it writes."""
    from safetensors.torch import save_file

    from vecs.io.folder import write_dir
    from vecs.space import Space

    path = Path(path)
    name = name or path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.ckpt-", dir=path.parent))
    try:
        emb = model.wte.weight.detach().to("cpu").float().numpy()[: len(tokenizer.words)]
        space = Space(tokenizer.words, np.ascontiguousarray(emb, dtype=np.float32), name=name, meta=meta)
        folder = staging / name
        try:
            write_dir(space, folder)
            save_file(model_tensors(model), str(folder / MODEL_FILE), metadata={"format": "pt"})
            _write_json(folder / CONFIG_FILE, {"model_type": "vecs-gpt", **model.config.to_dict()})
            _write_json(folder / VOCAB_FILE, tokenizer.to_dict())
            st = dict(state)
            if optimizer is not None:
                tensors, ometa = _optimizer_tensors(optimizer)
                save_file(tensors, str(folder / OPTIM_FILE), metadata={"format": "pt"})
                st["optimizer"] = ometa
            _write_json(folder / STATE_FILE, plain(st))
            if history is not None:
                _write_json(folder / HISTORY_FILE, plain(history.to_dict()))
        except OSError as e:
            raise StoreError(f"cannot write a checkpoint of {name!r} in {path.parent}: {e.strerror or e}; "
                             f"nothing was replaced") from None
        except Exception as e:  # safetensors reports a full disk as its own SafetensorError
            if type(e).__name__ != "SafetensorError":
                raise
            raise StoreError(f"cannot write a checkpoint of {name!r} in {path.parent}: "
                             f"{str(e).splitlines()[0][:160]}; nothing was replaced") from None
        with signals_deferred():  # Ctrl-C and SIGTERM wait for the swap
            replace_dir(folder, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


# -- loading -----------------------------------------------------------------------------------
def read_json(path: Path) -> dict:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{path}: missing") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise StoreError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(d, dict):
        raise StoreError(f"{path}: expected a JSON object")
    return d


def tensor_header(file: Path) -> dict[str, tuple[list[int], str]]:
    """Name -> (shape, dtype) of every tensor in a safetensors file, read from its header alone
    (nothing is allocated); a missing, truncated or malformed file is a :class:`StoreError`."""
    from safetensors import SafetensorError, safe_open

    if not file.is_file():
        raise StoreError(f"{file}: missing; the model folder is incomplete")
    try:
        with safe_open(str(file), "pt") as f:
            return {k: (list(f.get_slice(k).get_shape()), str(f.get_slice(k).get_dtype())) for k in f.keys()}
    except (SafetensorError, ValueError, RuntimeError, OSError) as e:
        raise StoreError(f"{file}: not a readable safetensors file ({str(e)[:200]}); the model folder "
                         f"is damaged: train it again or remove it") from None


def read_tensors(file: Path, device: str = "cpu") -> dict:
    """The tensors of a safetensors file; a damaged one is a :class:`StoreError` naming it."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    tensor_header(file)  # missing, truncated, malformed: said before anything is allocated
    try:
        return load_file(str(file), device=device)
    except (SafetensorError, ValueError, RuntimeError, OSError) as e:
        raise StoreError(f"{file}: cannot be read ({str(e)[:200]})") from None


def check_weights(folder: Path, config) -> int:
    """Check that ``model.safetensors`` holds exactly the tensors ``config`` describes (names and
    shapes, from its header: nothing allocated, so a config that claims a huge model is caught
    here); return the number of parameters."""
    require_torch()
    import torch

    from vecs.lm.model import GPT

    try:
        with torch.device("meta"):  # shapes without memory
            want = {k: list(v.shape) for k, v in GPT(config).state_dict().items() if k != "lm_head.weight"}
    except (RuntimeError, ValueError, OverflowError) as e:  # sizes whose byte counts overflow even on "meta"
        raise StoreError(f"{folder / CONFIG_FILE}: describes a model too large to build "
                         f"({str(e).splitlines()[0][:120]})") from None
    have = tensor_header(folder / MODEL_FILE)
    missing = [k for k in want if k not in have]
    unexpected = [k for k in have if k not in want]
    wrong = [f"{k} {have[k][0]} (config: {want[k]})" for k in want if k in have and have[k][0] != want[k]]
    if missing or unexpected or wrong:
        what = "; ".join(filter(None, [f"missing {missing[:3]}" if missing else "",
                                       f"unexpected {unexpected[:3]}" if unexpected else "",
                                       f"shapes {wrong[:2]}" if wrong else ""]))
        raise StoreError(f"{folder / MODEL_FILE}: the weights do not match {CONFIG_FILE} ({what})")
    return int(sum(int(np.prod(s)) for s in want.values()))


def load_weights(model, folder: Path, device: str = "cpu") -> None:
    """Load ``model.safetensors`` into ``model`` (checked against its config first)."""
    check_weights(folder, model.config)
    sd = read_tensors(folder / MODEL_FILE, device=device)
    try:
        model.load_state_dict(sd, strict=False)
    except RuntimeError as e:  # pragma: no cover - check_weights catches the shapes first
        raise StoreError(f"{folder / MODEL_FILE}: weights do not match the config ({str(e)[:200]})") from None


@dataclass
class Checkpoint:
    """A model folder's small files, read and checked: what a resume or a load starts from."""

    folder: Path
    config: object  # GPTConfig
    tokenizer: WordTokenizer
    state: dict  # trainer_state.json

    @property
    def step(self) -> int:
        return int(self.state.get("step", 0))

    @property
    def complete(self) -> bool:
        return bool(self.state.get("complete"))


def read_checkpoint(folder: Path, state: bool = True) -> Checkpoint:
    """``config.json``, ``vocab.json`` (and ``trainer_state.json``) of a model folder, checked:
    one :class:`StoreError` naming the folder or the file for anything wrong."""
    require_torch()
    from vecs.lm.model import GPTConfig

    folder = Path(folder)
    config = GPTConfig.from_dict(read_json(folder / CONFIG_FILE), source=str(folder / CONFIG_FILE))
    try:
        tokenizer = WordTokenizer.from_dict(read_json(folder / VOCAB_FILE))
    except StoreError as e:
        raise StoreError(f"{folder / VOCAB_FILE}: {e}") from None
    if config.vocab_size != tokenizer.vocab_size:
        raise StoreError(f"{folder}: config has {config.vocab_size} tokens, vocabulary {tokenizer.vocab_size}")
    st: dict = {}
    if state:
        st = read_json(folder / STATE_FILE)
        step = st.get("step", 0)
        if isinstance(step, bool) or not isinstance(step, int) or step < 0 or not isinstance(st.get("params", {}), dict):
            raise StoreError(f"{folder / STATE_FILE}: no valid step and params (step {step!r})")
    return Checkpoint(folder, config, tokenizer, st)


def load_optimizer(opt, ckpt: Checkpoint, device: str) -> None:
    """Load the optimizer state saved with ``ckpt`` into ``opt``; a missing or damaged one is a
    :class:`StoreError` (a resume never starts its optimizer over silently)."""
    if "optimizer" not in ckpt.state:
        raise StoreError(f"{ckpt.folder / STATE_FILE}: no optimizer state; the checkpoint cannot be resumed")
    tensors = read_tensors(ckpt.folder / OPTIM_FILE, device=device)
    try:
        opt.load_state_dict(optimizer_state_dict(tensors, ckpt.state["optimizer"]))
    except (KeyError, ValueError, TypeError, IndexError, RuntimeError, AttributeError) as e:
        raise StoreError(f"{ckpt.folder / OPTIM_FILE}: the optimizer state does not fit the model "
                         f"({type(e).__name__}: {str(e)[:160]})") from None


def _model_folder(path_or_name) -> Path:
    from vecs.resolve import resolve_transformer

    spec = resolve_transformer(path_or_name, ours_only=True)
    return spec.path


def load_transformer(path_or_name, device: str = "cpu"):
    """``(model, tokenizer, config)`` for a trained transformer: a store name (``models/NAME``)
    or a folder. The model is in eval mode on ``device``. Every file is checked before the model
    is built (a damaged or inconsistent folder is one :class:`StoreError` naming it), and a model
    bigger than the memory at hand is refused before it is allocated."""
    require_torch()
    from vecs.lm.budget import check_fits, load_estimate, memory_guard
    from vecs.lm.model import GPT

    folder = _model_folder(path_or_name)
    ckpt = read_checkpoint(folder, state=False)
    n = check_weights(folder, ckpt.config)
    dev = pick_device(device)
    est = load_estimate(n)
    check_fits(est, dev, f"loading {folder}")
    with memory_guard(f"loading {folder}", est, dev):
        model = GPT(ckpt.config)
        load_weights(model, folder)
        model.to(dev)
    model.eval()
    return model, ckpt.tokenizer, ckpt.config
