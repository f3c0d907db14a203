"""Turn results into plain JSON values: dataclasses, numpy and torch scalars and arrays."""

from __future__ import annotations

import dataclasses
import math
from typing import Any


def plain(obj: Any) -> Any:
    """``obj`` as dicts, lists, str, int, float, bool and None only. NaN and infinities become
    None (they are not valid JSON); unknown objects become their ``str``."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if getattr(obj, "ndim", None) == 0 and hasattr(obj, "item"):  # numpy / torch scalars
        return plain(obj.item())
    if hasattr(obj, "tolist"):  # numpy arrays, torch tensors
        return plain(obj.tolist())
    if hasattr(obj, "__fspath__"):
        return str(obj)
    return str(obj)
