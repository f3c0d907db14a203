"""Generation: the model writes one token at a time, and every choice is shown.

At each step the model reads the text so far and gives scores (logits) over its vocabulary for
the next token; softmax turns them into the **model's distribution**. The token is then drawn:

* ``temperature=0``: greedy, the model's top token (argmax) — the same text every time;
* otherwise from the **sampling distribution**: the logits divided by ``temperature``, then cut
  to the ``top_k`` best tokens and to the smallest set whose probability reaches ``top_p``
  (nucleus sampling), in that order, exactly as transformers' ``TemperatureLogitsWarper``,
  ``TopKLogitsWarper`` and ``TopPLogitsWarper`` do (:func:`warp`). The draw uses a
  ``torch.Generator`` on the CPU seeded with ``seed``: the same seed gives the same text. With no
  seed one is drawn and recorded in the settings, so any run can be replayed.

Each :class:`Step` holds the token, its probability under the distribution it was drawn from and
under the model's plain softmax, its rank in the model's distribution (1 = the model's top
guess) and the model's runners-up. Writing stops at ``max_tokens``, at an end token
(:meth:`ContextModel.stop_ids`, the step that drew it included), or when the context is full
(:attr:`ContextModel.max_tokens` tokens, the prompt included).

The model reads the text through :class:`vecs.inside.reader.Reader`: Hugging Face models keep
their key/value cache between steps (one token read per step, as transformers' own
``generate``); our GPT is small and reads the whole text again.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Iterator

from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.reader import Reader, TextWriter, prompt_ids
from vecs.inside.tokens import label, labels
from vecs.progress import ProgressFn, report

STOPPED = ("max tokens", "end token", "context full")
MAX_SAMPLES = 100


@dataclass
class Candidate:
    """A token the model considered: its id, shown text and probability under the model."""

    id: int
    token: str
    probability: float


@dataclass
class Step:
    step: int  # 1 = the first token written
    id: int
    # shown text (``·the``, ``⟨eos⟩``...); a byte piece is its hex bytes while the run streams, and
    # when it ends, as in every text of vecs.inside.tokens: ``⋯`` on the pieces before a character,
    # the character on the piece that completes it
    token: str
    text: str  # what this step adds to the written text ("" while a character waits for its next byte)
    probability: float  # under the distribution it was drawn from (1.0 when greedy)
    model_probability: float  # under the model's plain softmax (temperature 1, nothing cut)
    rank: int  # in the model's distribution (1 = its top guess)
    runners_up: list[Candidate] = field(default_factory=list)  # the model's best other tokens


@dataclass
class Settings:
    max_tokens: int
    temperature: float
    top_k: int | None
    top_p: float | None
    seed: int | None  # the seed used (drawn and recorded when sampling without one; None when greedy)


@dataclass
class Generation:
    model: str
    prompt: str
    prompt_tokens: list[str]  # shown
    settings: Settings
    steps: list[Step]
    text: str  # the written continuation (end token left out)
    stopped: str  # "max tokens" | "end token" | "context full"
    log_probability: float  # sum of ln(model probability) over the steps
    context: int  # the most tokens the model reads (prompt + continuation)


@dataclass
class Samples:
    """``samples`` independent continuations of one prompt: sample ``i`` (from 0) used seed
    ``seed + i`` and is what :func:`generate` writes with that seed."""

    model: str
    prompt: str
    settings: Settings
    samples: list[Generation]
    distinct: int  # how many different texts


# --------------------------------------------------------------------------------------------
# Settings and the sampling distribution
# --------------------------------------------------------------------------------------------
def check_settings(max_tokens: int, temperature: float, top_k: int | None, top_p: float | None,
                   seed: int | None = None, samples: int = 1) -> None:
    """:class:`ContextualError` (one line) for a setting out of range."""
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise ContextualError(f"--max-tokens must be a whole number of at least 1, not {max_tokens!r}")
    if not isinstance(temperature, (int, float)) or not math.isfinite(temperature) or temperature < 0:
        raise ContextualError(f"--temperature must be 0 (greedy) or more, not {temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ContextualError(f"--top-k must be a whole number of at least 1, not {top_k!r}")
    if top_p is not None and (not isinstance(top_p, (int, float)) or not 0 < top_p <= 1):
        raise ContextualError(f"--top-p must be in (0, 1] (a share of the probability), not {top_p!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63):
        raise ContextualError(f"--seed must be a whole number from 0, not {seed!r}")
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise ContextualError(f"--samples must be from 1 to {MAX_SAMPLES}, not {samples!r}")


def warp(logits, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None):
    """The sampling scores: ``logits`` (..., V) / ``temperature``, then top-k, then top-p, cut
    tokens at ``-inf`` — transformers' warpers, same order, same ties (a token tied with the k-th
    is kept; a token is cut when the probability of the tokens below it, it included, is at most
    ``1 - top_p``; the best token is always kept). ``temperature`` must be > 0 here."""
    torch = require_torch()
    scores = logits.float() / float(temperature)
    if top_k is not None:
        k = min(max(int(top_k), 1), scores.size(-1))
        kth = torch.topk(scores, k)[0][..., -1, None]
        scores = scores.masked_fill(scores < kth, -float("inf"))
    if top_p is not None and top_p < 1:
        sorted_scores, order = torch.sort(scores, descending=False)
        cum = sorted_scores.softmax(dim=-1).cumsum(dim=-1)
        drop = cum <= (1 - float(top_p))
        drop[..., -1:] = False
        scores = scores.masked_fill(drop.scatter(-1, order, drop), -float("inf"))
    return scores


def _choose(logits, temperature: float, top_k, top_p, generator, runners_up: int, model, step: int) -> Step:
    """One step from the last position's logits (V,) float32 on the CPU."""
    torch = require_torch()
    probs = torch.softmax(logits, dim=-1)
    if temperature == 0:
        chosen = int(torch.argmax(logits))
        p_draw = 1.0
    else:
        dist = torch.softmax(warp(logits, temperature, top_k, top_p), dim=-1)
        chosen = int(torch.multinomial(dist, 1, generator=generator))
        p_draw = float(dist[chosen])
    rank = int((logits > logits[chosen]).sum()) + 1
    k = min(runners_up + 1, int(logits.numel()))
    top_p_, top_i = torch.topk(probs, k)
    others = [(int(i), float(p)) for i, p in zip(top_i.tolist(), top_p_.tolist()) if int(i) != chosen][:runners_up]
    return Step(step, chosen, label(model, chosen), "", p_draw, float(probs[chosen]), rank,
                [Candidate(i, label(model, i), p) for i, p in others])


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------
class Stream:
    """The steps of one generation as they are produced: iterate over it (one :class:`Step` per
    token), then :meth:`result` gives the whole :class:`Generation` (it finishes the run if the
    iteration stopped early)."""

    def __init__(self, model, prompt: str, ids: list[int], settings: Settings, runners_up: int):
        self.model, self.prompt, self.ids, self.settings = model, prompt, ids, settings
        self.runners_up = runners_up
        self.steps: list[Step] = []
        self.stopped: str | None = None
        self._it = self._run()

    def __iter__(self) -> Iterator[Step]:
        return self

    def __next__(self) -> Step:
        return next(self._it)

    def _run(self) -> Iterator[Step]:
        torch = require_torch()
        s, model = self.settings, self.model
        gen = torch.Generator(device="cpu")
        if s.seed is not None:
            gen.manual_seed(int(s.seed))
        stops = model.stop_ids()
        writer = self._writer = TextWriter(model, self.ids)
        reader = Reader(model)
        with torch.inference_mode():
            logits = reader.start(self.ids)
        n = len(self.ids)
        for i in range(1, s.max_tokens + 1):
            step = _choose(logits, s.temperature, s.top_k, s.top_p, gen, self.runners_up, model, i)
            if step.id in stops:
                self.stopped = "end token"
            else:
                step.text = writer.push(step.id)
            self.steps.append(step)
            n += 1
            if self.stopped is None and i == s.max_tokens:
                self.stopped = "max tokens"
            elif self.stopped is None and n >= model.max_tokens:
                self.stopped = "context full"
            if self.stopped is not None:
                rest = writer.text()[len(writer.shown):]  # a character still waiting for bytes
                if rest and writer.text().startswith(writer.shown):
                    step.text += rest
                    writer.shown += rest
                # byte pieces shown as the room shows a text: the character on the piece that completes it
                for st, shown in zip(self.steps, labels(model, [st.id for st in self.steps])):
                    st.token = shown
                yield step
                return
            yield step
            with torch.inference_mode():
                logits = reader.push(step.id)

    def result(self) -> Generation:
        for _ in self:
            pass
        model = self.model
        return Generation(model.name, self.prompt, labels(model, self.ids), self.settings, list(self.steps),
                          self._writer.text(), self.stopped or "max tokens",
                          sum(math.log(max(st.model_probability, 1e-45)) for st in self.steps), model.max_tokens)


def generate(model, prompt: str, max_tokens: int = 32, temperature: float = 1.0, top_k: int | None = None,
             top_p: float | None = None, seed: int | None = None, runners_up: int = 3,
             progress: ProgressFn | None = None) -> Stream:
    """Write a continuation of ``prompt`` one token at a time: a :class:`Stream` yielding one
    :class:`Step` per token as it is produced (``.result()`` gives the :class:`Generation`).
    ``model`` is a spec or a loaded :class:`ContextModel`; settings out of range and a prompt that
    fills the context raise :class:`ContextualError` here, before anything runs (``progress``:
    fetching and loading the model)."""
    from vecs.contextual.load import load_model

    check_settings(max_tokens, temperature, top_k, top_p, seed)
    if not isinstance(runners_up, int) or runners_up < 0:
        raise ContextualError(f"runners_up must be 0 or more, not {runners_up!r}")
    model = load_model(model, progress=progress)
    model.require_causal()
    ids = prompt_ids(model, prompt)
    if temperature == 0:
        seed = None
    elif seed is None:
        seed = random.SystemRandom().randrange(2**31)  # recorded, so the run can be replayed
    return Stream(model, prompt, ids, Settings(max_tokens, float(temperature), top_k, top_p, seed), runners_up)


def generation(model, prompt: str, max_tokens: int = 32, temperature: float = 1.0, top_k: int | None = None,
               top_p: float | None = None, seed: int | None = None, runners_up: int = 3) -> Generation:
    """The whole :class:`Generation` at once (see :func:`generate`)."""
    return generate(model, prompt, max_tokens, temperature, top_k, top_p, seed, runners_up).result()


def sample_continuations(model, prompt: str, samples: int = 5, max_tokens: int = 32, temperature: float = 1.0,
                         top_k: int | None = None, top_p: float | None = None, seed: int | None = None,
                         runners_up: int = 3, progress: ProgressFn | None = None) -> Samples:
    """``samples`` independent continuations (seeds ``seed``, ``seed + 1``...): how the answers
    vary. Sample ``i`` is exactly what :func:`generate` writes with seed ``seed + i``."""
    from vecs.contextual.load import load_model

    check_settings(max_tokens, temperature, top_k, top_p, seed, samples)
    model = load_model(model, progress=progress)
    model.require_causal()
    prompt_ids(model, prompt)
    if temperature > 0 and seed is None:
        seed = random.SystemRandom().randrange(2**31)
    out = []
    for i in range(samples):
        report(progress, "write samples", i, samples)
        s = None if temperature == 0 else seed + i
        out.append(generation(model, prompt, max_tokens, temperature, top_k, top_p, s, runners_up))
    report(progress, "write samples", samples, samples, finished=True)
    settings = Settings(max_tokens, float(temperature), top_k, top_p, None if temperature == 0 else seed)
    return Samples(model.name, prompt, settings, out, len({g.text for g in out}))
