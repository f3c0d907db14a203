"""中文导览 (`vecs tour --lang zh`): the Chinese explainers' examples, one checked step at a time.

Yields :class:`~vecs.claims.outcome.Step` s narrated in Chinese, then a plain dict with the
figures the tour's result needs (the tour wraps it). Uses ``zh-vectors``, a word2vec trained here
on ``peoples-daily`` and, with the ``contextual`` extra, ``gemma3``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

from vecs.claims.outcome import Outcome, Step
from vecs.claims.trained import self_trained
from vecs.claims.zh import CLAIMS, LM, VECTORS
from vecs.errors import VecsError
from vecs.progress import ProgressFn

SELF_TRAINED = "peoples-daily-tour"
QUICK_W2V = dict(dim=100, window=5, epochs=3, min_count=5, sg=True, seed=1)
FULL_W2V = dict(dim=200, window=5, epochs=10, min_count=5, sg=True, seed=1)
PLOT_WORDS = ("杨柳", "垂柳", "柳树", "狮子头", "红烧", "国王", "王后", "男人", "女人", "北京", "上海", "巴黎", "法国")


def run_zh_tour(quick: bool = True, out: str | Path = "vecs-tour", contextual: bool = True, seed: int = 0,
                progress: ProgressFn | None = None) -> Iterator[Step | dict]:
    from vecs.plot.canvas import save
    from vecs.plot.static import words_plot
    from vecs.resolve import resolve

    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    plots: list[str] = []
    kit: dict[str, object] = {}
    failed: dict[str, str] = {}
    trained: dict = {}

    def get(uses: str):
        if uses in kit or uses in failed:
            return kit.get(uses)
        try:
            if uses == "vectors":
                kit[uses] = resolve(VECTORS, progress=progress)
            elif uses == "trained":
                space, info = self_trained("peoples-daily", SELF_TRAINED, QUICK_W2V if quick else FULL_W2V, progress)
                trained.update(info)
                kit[uses] = space
            elif not contextual:
                failed[uses] = "需要 contextual 扩展：pip install 'vecs[contextual]'"
            else:
                from vecs.contextual.load import load_model

                kit[uses] = load_model(LM, progress=progress)
        except VecsError as e:
            failed[uses] = str(e)
        return kit.get(uses)

    for c in CLAIMS:
        subject = get(c.uses)
        if subject is None:
            o = Outcome({"vectors": VECTORS, "trained": SELF_TRAINED, "lm": LM}[c.uses], None, failed[c.uses])
        else:
            try:
                o = c.check(subject)
            except VecsError as e:
                o = Outcome(getattr(subject, "name", c.uses), None, str(e))
        step = Step(c.key, c.claim, c.command.format(m=o.model), [o], criterion=c.criterion)
        if c.key == "willow" and subject is not None:
            shown = [w for w in PLOT_WORDS if w in subject]
            if len(shown) >= 3:
                step.plot = str(save(words_plot(subject, shown, neighbours=0, seed=seed), out / "words-zh.png",
                                     force=True))
                plots.append(step.plot)
        steps.append(step)
        yield step
    yield {"steps": steps, "plots": plots, "seconds": round(time.perf_counter() - t0, 1),
           "trained": trained or {"name": SELF_TRAINED, "params": {}, "seconds": 0.0, "reused": False}}
