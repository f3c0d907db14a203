"""The guided tour: every claim of the explainers, checked live on real vectors and models.

:func:`run_tour` yields one :class:`Step` at a time (so a caller can show each as it is done):
the claim, the `vecs` command that reproduces it, and its outcome on each model — pretrained
word2vec (GoogleNews), pretrained GloVe (which has place names), a word2vec trained here on the
State of the Union corpus and, with the ``contextual`` extra, MiniLM/MPNet (word senses) and the
causal LMs SmolLM2 and Gemma 3 (:mod:`vecs.claims.inside`: the lens, the feed-forward layer
that writes Warsaw, switching it off, attention moving names, sampling). Each verdict — held,
partly, not here — follows the criterion printed with its step; claims that do not hold are
reported as such, with the number that shows it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from vecs.claims.outcome import Outcome, Step
from vecs.errors import UnknownWord, VecsError
from vecs.progress import ProgressFn, report

__all__ = ["Outcome", "Step", "TourResult", "run_tour", "contextual_available"]

PRETRAINED = ("googlenews", "glove-6b-50d")
LANGS = ("en", "zh")
SELF_TRAINED = "sotu-tour"  # the store name of the word2vec the tour trains on `sotu`

# the word2vec trained by the tour: quick keeps it to about a minute on 2 cores
QUICK_W2V = dict(dim=100, window=5, epochs=3, min_count=5, sg=True, seed=1)
FULL_W2V = dict(dim=200, window=5, epochs=10, min_count=5, sg=True, seed=1)

ESTIMATE = {True: "about a minute", False: "about 2 minutes"}  # on a quiet 2-core machine, resources cached


@dataclass
class TourResult:
    quick: bool
    steps: list[Step]
    plots: list[str]
    seconds: float
    trained: dict  # what the tour trained: name, params, seconds


# --------------------------------------------------------------------------------------------
# static claims
# --------------------------------------------------------------------------------------------
def _missing(space, words) -> list[str]:
    return [w for w in words if w not in space]


def _cat(space) -> Outcome:
    from vecs.static.query import neighbours

    if "cat" not in space:
        return Outcome(space.name, None, "no 'cat' in this vocabulary")
    r = neighbours(space, "cat", k=10)
    top = [x.word for x in r.results]
    found = [w for w in ("dog", "kitten", "pet") if w in top]
    held = "dog" in top and "kitten" in top
    ranks = {w: top.index(w) + 1 for w in found}
    return Outcome(space.name, held, ", ".join(f"{w} #{k}" for w, k in ranks.items()) or "none of dog/kitten/pet",
                   "top 10: " + ", ".join(top), {"neighbours": top, "ranks": ranks})


def _calc(space, expression: str, expected: str) -> Outcome:
    from vecs.static.query import calc

    words = [w for w in expression.replace("+", " ").replace("-", " ").split()]
    miss = _missing(space, words + [expected])
    if miss:
        return Outcome(space.name, None, f"lacks {', '.join(miss)}")
    r = calc(space, expression, k=100)
    top = [x.word for x in r.results]
    rank = top.index(expected) + 1 if expected in top else None
    return Outcome(space.name, rank == 1, f"{top[0]} ({r.results[0].score:.2f})" + (
        "" if rank == 1 else f"; {expected} #{rank}" if rank else f"; {expected} not in top 100"),
        "top 3: " + ", ".join(top[:3]), {"top": top[:10], "expected_rank": rank})


def _analogy(space, a: str, b: str, c: str, d: str) -> Outcome:
    from vecs.static.query import analogy

    miss = _missing(space, [a, b, c, d])
    if miss:
        return Outcome(space.name, None, f"lacks {', '.join(miss)}")
    r = analogy(space, a, b, c, k=5, expected=d)
    top = r.results[0]
    exp = r.expected
    held = top.word == d
    num = f"{top.word} ({top.score:.2f})" if held else f"{top.word}; {d} #{exp.rank:,}"
    detail = "top 5: " + ", ".join(x.word for x in r.results)
    if r.top_is_input:
        detail += f"; with inputs kept, {r.top_is_input} would come first"
    return Outcome(space.name, held, num, detail,
                   {"top": [x.word for x in r.results], "expected_rank": exp.rank, "top_is_input": r.top_is_input})


def _doctor(space) -> Outcome:
    from vecs.static.query import exclusion_effect

    miss = _missing(space, ["man", "doctor", "woman", "nurse"])
    if miss:
        return Outcome(space.name, None, f"lacks {', '.join(miss)}")
    both = exclusion_effect(space, "man", "doctor", "woman", k=5, expected="nurse")
    ex, kept = both.excluded, both.kept
    held = ex.results[0].word == "nurse"
    num = (f"excluded: {ex.results[0].word}; kept: {kept.results[0].word}, nurse #{kept.expected.rank}")
    detail = ("nurse wins only because doctor is excluded" if held and both.answer_needs_exclusion
              and kept.results[0].word == "doctor" else "")
    return Outcome(space.name, held, num, detail,
                   {"excluded": [x.word for x in ex.results], "kept": [x.word for x in kept.results],
                    "nurse_rank_kept": kept.expected.rank})


STATIC_STEPS = [
    ("cat", "`cat` sits near dog, kitten and pet", "vecs neighbours cat -m {m}", _cat),
    ("biggest", "biggest − big + small ≈ smallest", 'vecs calc "biggest - big + small" -m {m}',
     lambda s: _calc(s, "biggest - big + small", "smallest")),
    ("swiss", "Swiss : Switzerland :: Cambodian : Cambodia", "vecs analogy swiss switzerland cambodian -m {m}",
     lambda s: _analogy(s, "swiss", "switzerland", "cambodian", "cambodia")),
    ("paris", "Paris : France :: Berlin : Germany", "vecs analogy paris france berlin -m {m}",
     lambda s: _analogy(s, "paris", "france", "berlin", "germany")),
    ("ethical", "unethical : ethical :: impossible : possible",
     "vecs analogy unethical ethical impossible --expect possible -m {m}",
     lambda s: _analogy(s, "unethical", "ethical", "impossible", "possible")),
    ("mice", "mouse : mice :: dollar : dollars", "vecs analogy mouse mice dollar --expect dollars -m {m}",
     lambda s: _analogy(s, "mouse", "mice", "dollar", "dollars")),
    ("queen", "man : woman :: king : queen", "vecs analogy man woman king -m {m}",
     lambda s: _analogy(s, "man", "woman", "king", "queen")),
    ("doctor", "doctor − man + woman ≈ nurse (bias), and how much is the exclusion of the inputs",
     "vecs analogy man doctor woman --keep-inputs -m {m}", _doctor),
]


# --------------------------------------------------------------------------------------------
# contextual claims
# --------------------------------------------------------------------------------------------
def _senses(model: str, progress) -> Outcome:
    from vecs.contextual.polysemy import sense_examples

    r = sense_examples(model, layer="all", progress=progress)
    d = r.default_layer
    at = next(x for x in r.layers if x.layer == d)
    bank = next(w for w in r.words if w.word == "bank")
    mag = next(w for w in r.words if w.word == "magazine")
    b_at = next(x for x in bank.layers if x.layer == d)
    m_at = next(x for x in mag.layers if x.layer == d)
    return Outcome(r.model, r.holds_at_default,
                   f"L{d}: bank {b_at.across:.2f} vs magazine {m_at.across:.2f} across senses",
                   f"homonyms {at.homonym_across:.2f} vs polysemes {at.polyseme_across:.2f} across senses at "
                   f"layer {d}; holds at {r.layers_holding} of {len(r.layers)} layers",
                   {"default_layer": d, "layers_holding": r.layers_holding, "layers": len(r.layers),
                    "bank_across": [x.across for x in bank.layers],
                    "magazine_across": [x.across for x in mag.layers]})


LMS = ("smollm2", "gemma3")  # the causal LMs the transformer claims are checked on


def _lens_plot(model, progress):
    """The logit-lens grid of the full Darwin question, with the rank of ·the."""
    from vecs.claims.inside import DARWIN
    from vecs.inside.lens import logit_lens
    from vecs.plot.lens import lens_plot

    return lens_plot(logit_lens(model, DARWIN, k=1, target="the", progress=progress))


def _inside_steps(out: Path, progress) -> Iterator[Step]:
    """The transformer claims (vecs.claims.inside) on each causal LM, one step per claim."""
    from vecs.claims.inside import CLAIMS
    from vecs.contextual.load import load_model
    from vecs.plot.canvas import save

    models, failed = {}, {}
    for name in LMS:
        try:
            models[name] = load_model(name, progress=progress)
        except VecsError as e:
            failed[name] = str(e)
    for c in CLAIMS:
        outcomes = []
        for name in LMS:
            if name in failed:
                outcomes.append(Outcome(name, None, failed[name]))
                continue
            try:
                outcomes.append(c.check(models[name]))
            except VecsError as e:
                outcomes.append(Outcome(name, None, str(e)))
        first = next((o for o in outcomes if o.held is not None), outcomes[0])
        layer = first.data.get("layer", "LAYER")  # the commands name the layer the first model used
        step = Step(c.key, c.claim, c.command.format(m=first.model, layer=layer), outcomes, criterion=c.criterion)
        if c.key == "darwin" and LMS[0] in models:
            step.plot = str(save(_lens_plot(models[LMS[0]], progress), out / "lens-darwin.png", force=True))
        yield step


# --------------------------------------------------------------------------------------------
# the tour
# --------------------------------------------------------------------------------------------
def contextual_available() -> bool:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


def _train_sotu(quick: bool, progress: ProgressFn | None) -> tuple[object, dict]:
    """The self-trained model: ``sotu-tour``, a word2vec on `sotu` (reused when it fits)."""
    from vecs.claims.trained import self_trained

    return self_trained("sotu", SELF_TRAINED, QUICK_W2V if quick else FULL_W2V, progress)


def run_tour(quick: bool = True, out: str | Path = "vecs-tour", contextual: bool | None = None,
             seed: int = 0, progress: ProgressFn | None = None, lang: str = "en") -> Iterator[Step | TourResult]:
    """Walk through every claim; yields each :class:`Step` when it is done and finally the
    :class:`TourResult`. Plots are written into ``out``. ``lang="zh"``: the Chinese tour
    (:mod:`vecs.claims.zh_tour`), narrated in Chinese."""
    if lang not in LANGS:
        raise VecsError(f"unknown tour language {lang!r}; choose one of {', '.join(LANGS)}")
    if lang == "zh":
        from vecs.claims.zh_tour import run_zh_tour

        for item in run_zh_tour(quick=quick, out=out, contextual=contextual_available() if contextual is None
                                else contextual, seed=seed, progress=progress):
            yield item if isinstance(item, Step) else TourResult(quick, item["steps"], item["plots"],
                                                                 item["seconds"], item["trained"])
        return
    from vecs.plot.canvas import save
    from vecs.plot.contextual import plot_word_layers
    from vecs.plot.static import analogy_plot, words_plot
    from vecs.resolve import resolve

    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    if contextual is None:
        contextual = contextual_available()

    spaces = [resolve(m, progress=progress) for m in PRETRAINED]
    own, trained = _train_sotu(quick, progress)
    spaces.append(own)

    for key, claim, command, check in STATIC_STEPS:
        outcomes = []
        for s in spaces:
            try:
                outcomes.append(check(s))
            except UnknownWord as e:  # pragma: no cover - the checks look first
                outcomes.append(Outcome(s.name, None, str(e)))
        shown = next((o.model for o in outcomes if o.held is not None), spaces[0].name)
        step = Step(key, claim, command.format(m=shown), outcomes)
        if key == "cat":
            shown = [w for w in ("cat", "dog", "kitten", "pet", "king", "queen", "man", "woman", "apple",
                                 "banana", "car", "truck") if w in spaces[0]]
            if len(shown) >= 3:
                fig = words_plot(spaces[0], shown, neighbours=2, seed=seed)
                step.plot = str(save(fig, out / "words.png", force=True))
        if key == "queen" and all(w in spaces[0] for w in ("man", "woman", "king")):
            fig = analogy_plot(spaces[0], "man", "woman", "king", seed=seed)
            step.plot = str(save(fig, out / "analogy.png", force=True))
        if key == "doctor":
            step.note = ("Excluding the input words (as every benchmark does) is what lets nurse win: kept, "
                         "the nearest word to doctor − man + woman is doctor itself (Nissim et al. 2020).")
        steps.append(step)
        report(progress, "tour", len(steps), None)
        yield step

    if contextual:
        sense_models = ["minilm"] if quick else ["minilm", "mpnet"]
        outcomes = []
        for m in sense_models:
            try:
                outcomes.append(_senses(m, progress))
            except VecsError as e:
                outcomes.append(Outcome(m, None, str(e)))
        step = Step("bank", "`bank` (homonym) is less similar to itself across senses than `magazine` "
                            "(polysemy), layer by layer", f"vecs senses --example -m {sense_models[0]}", outcomes)
        try:
            from vecs.contextual.polysemy import load_examples

            ex = load_examples()["bank"]["senses"]
            sents, groups = [], []
            for g, ss in ex.items():
                sents += ss[:3]
                groups += [g] * len(ss[:3])
            fig = plot_word_layers("minilm", "bank", sents, groups, seed=seed)
            step.plot = str(save(fig, out / "bank-layers.png", force=True))
        except VecsError:  # pragma: no cover - the step above reported it
            pass
        steps.append(step)
        yield step

        for step in _inside_steps(out, progress):
            steps.append(step)
            yield step
    else:
        from vecs.claims.inside import CLAIMS

        for key, claim in [("bank", "bank (homonym) vs magazine (polysemy) across layers")] + \
                [(c.key, c.claim) for c in CLAIMS]:
            step = Step(key, claim, "pip install 'vecs[contextual]'",
                        [Outcome("(contextual extra)", None, "not installed: pip install 'vecs[contextual]'")])
            steps.append(step)
            yield step

    plots = [s.plot for s in steps if s.plot]
    yield TourResult(quick, steps, plots, round(time.perf_counter() - t0, 1), trained)
