"""GGUF causal LMs -> plain safetensors checkpoint folders, once, at fetch time."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from vecs.errors import FormatError, MissingExtra, VecsError
from vecs.extras import require_torch, require_transformers
from vecs.progress import ProgressFn, report


def dequantise_gguf(gguf_path: str | os.PathLike, out_dir: str | os.PathLike,
                    progress: ProgressFn | None = None) -> Path:
    """Turn a GGUF causal LM into a plain safetensors checkpoint folder (config, float32
    ``model.safetensors``, tokenizer files), once, so that later loads are fast.

    transformers' own ``from_pretrained(..., gguf_file=...)`` insists on ``accelerate`` in
    recent versions; the same pieces without it: the config and the tokenizer from the GGUF
    metadata, the tensors dequantised by transformers' GGUF reader, tied weights re-tied."""
    tr = require_transformers()
    torch = require_torch()
    try:
        import gguf  # noqa: F401
    except ImportError:
        raise MissingExtra("contextual", "gguf") from None
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    stage = f"dequantise {gguf_path.name}"
    report(progress, stage, 0, 3)
    try:
        cfg = tr.AutoConfig.from_pretrained(gguf_path.parent, trust_remote_code=False, gguf_file=gguf_path.name,
                                            local_files_only=True)
        model = tr.AutoModelForCausalLM.from_config(cfg, dtype=torch.float32, trust_remote_code=False)
        report(progress, stage, 1, 3)
        with contextlib.redirect_stderr(io.StringIO()):  # its own tqdm bar: we report progress ourselves
            tensors = load_gguf_checkpoint(str(gguf_path), return_tensors=True, model_to_load=model)["tensors"]
        missing, unexpected = model.load_state_dict(tensors, strict=False)
        tied = {"lm_head.weight"} if getattr(cfg, "tie_word_embeddings", False) else set()
        if set(missing) - tied or unexpected:
            raise FormatError(f"{gguf_path.name}: weights do not match the architecture "
                              f"(missing {sorted(set(missing) - tied)[:3]}, unexpected {list(unexpected)[:3]})")
        model.tie_weights()
        tok = tr.AutoTokenizer.from_pretrained(gguf_path.parent, trust_remote_code=False, gguf_file=gguf_path.name,
                                               local_files_only=True)
    except VecsError:
        raise
    except Exception as e:  # transformers, gguf, torch: one line naming the file
        lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
        raise FormatError(f"{gguf_path.name}: cannot read this GGUF model: "
                          f"{lines[0] if lines else type(e).__name__}") from None
    report(progress, stage, 2, 3)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    report(progress, stage, 3, 3, finished=True)
    return out_dir
