"""Checkpoints of our GPT: plain safetensors + JSON folders in the store, saved (atomically) and
loaded; the device choice (``auto``, ``cpu``, ``cuda``)."""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from vecs.errors import DeviceUnavailable, StoreError
from vecs.extras import require_torch
from vecs.io.folder import CONFIG_FILE, MODEL_FILE
from vecs.jsonify import plain
from vecs.lm.tokenizer import WordTokenizer
from vecs.util import replace_dir

OPTIM_FILE, VOCAB_FILE, STATE_FILE = "optimizer.safetensors", "vocab.json", "trainer_state.json"


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


# -- checkpoints -------------------------------------------------------------------------------
@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while a checkpoint is swapped in (two renames), then deliver it. Only
    the main thread can handle signals: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list = []
    try:
        old = signal.signal(signal.SIGINT, lambda s, f: got.append(s))
    except (ValueError, OSError):  # pragma: no cover
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if got:
            raise KeyboardInterrupt


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
                    meta: dict) -> Path:
    """Write the whole model folder ``path`` atomically: it is written into a hidden sibling,
    then swapped in (:func:`vecs.util.replace_dir`) with Ctrl-C held back during the swap, so
    ``path`` is always the previous checkpoint or this one, never half of one."""
    from safetensors.torch import save_file

    from vecs.io.folder import write_dir
    from vecs.space import Space

    path = Path(path)
    name = path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.ckpt-", dir=path.parent))
    try:
        emb = model.wte.weight.detach().to("cpu").float().numpy()[: len(tokenizer.words)]
        space = Space(tokenizer.words, np.ascontiguousarray(emb, dtype=np.float32), name=name, meta=meta)
        folder = staging / name
        write_dir(space, folder)
        save_file(model_tensors(model), str(folder / MODEL_FILE), metadata={"format": "pt"})
        cfg = model.config.to_dict()
        _write_json(folder / CONFIG_FILE, {"model_type": "vecs-gpt", **cfg})
        _write_json(folder / VOCAB_FILE, tokenizer.to_dict())
        st = dict(state)
        if optimizer is not None:
            tensors, ometa = _optimizer_tensors(optimizer)
            save_file(tensors, str(folder / OPTIM_FILE), metadata={"format": "pt"})
            st["optimizer"] = ometa
        _write_json(folder / STATE_FILE, plain(st))
        with sigint_deferred():
            replace_dir(folder, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


def _model_folder(path_or_name) -> Path:
    from vecs.resolve import resolve_transformer

    spec = resolve_transformer(path_or_name, ours_only=True)
    return spec.path


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


def load_weights(model, folder: Path, device: str = "cpu") -> None:
    from safetensors.torch import load_file

    sd = load_file(str(folder / MODEL_FILE), device=device)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if k != "lm_head.weight"]
    if missing or unexpected:
        raise StoreError(f"{folder / MODEL_FILE}: weights do not match the config "
                         f"(missing {missing[:3]}, unexpected {unexpected[:3]})")


def load_transformer(path_or_name, device: str = "cpu"):
    """``(model, tokenizer, config)`` for a trained transformer: a store name (``models/NAME``)
    or a folder. The model is in eval mode on ``device``."""
    require_torch()
    from vecs.lm.model import GPT, GPTConfig

    folder = _model_folder(path_or_name)
    config = GPTConfig.from_dict(read_json(folder / CONFIG_FILE))
    tokenizer = WordTokenizer.from_dict(read_json(folder / VOCAB_FILE))
    if config.vocab_size != tokenizer.vocab_size:
        raise StoreError(f"{folder}: config has {config.vocab_size} tokens, vocabulary {tokenizer.vocab_size}")
    model = GPT(config)
    load_weights(model, folder)
    model.to(pick_device(device))
    model.eval()
    return model, tokenizer, config
