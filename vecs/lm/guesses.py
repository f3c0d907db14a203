"""The next-word guesses of our GPT for one prompt: what training shows before and after, the
moment a language model is seen to have learned by predicting the next word.

The prompt is the user's (``--prompt``) or taken from the corpus' own held-out text: the first
:data:`PROMPT_WORDS` words of the first held-out sentence that is longer than that and has no
``<unk>`` among them and the word after them (the word the text goes on with is then known, and
its probability and rank are shown too). The model reads it as in training: ``<eos>`` first (the
boundary before every sentence), then the words."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vecs.errors import VecsError
from vecs.extras import require_torch
from vecs.lm.tokenizer import WordTokenizer

PROMPT_WORDS = 6  # words of a held-out sentence the default prompt keeps
TOP = 5


@dataclass
class Guess:
    word: str
    probability: float


@dataclass
class NextWords:
    """The model's top next words after ``prompt`` at ``step``; with ``expected`` (the word the
    corpus goes on with), its probability and rank (1 = the top guess)."""

    step: int
    prompt: str
    guesses: list[Guess] = field(default_factory=list)
    expected: str | None = None
    expected_probability: float | None = None
    expected_rank: int | None = None
    uniform: float = 0.0  # 1 / vocabulary: what every word gets from a model that knows nothing


@dataclass
class Prompt:
    text: str  # what the guesses are shown for
    ids: list[int]  # <eos> + the words' ids (the last ``context`` at most)
    expected: int | None = None  # the id of the word the corpus goes on with
    unknown: list[str] = field(default_factory=list)  # words of a --prompt not in the vocabulary


def prompt_from_text(text: str, tokenizer: WordTokenizer, context: int) -> Prompt:
    """A user's prompt: its words (unknown ones become ``<unk>``), the last ``context`` tokens
    with ``<eos>`` first."""
    ids, _ = tokenizer.encode(text, add_bos=True)
    if len(ids) < 2:
        raise VecsError(f"--prompt {text!r} has no words")
    words = tokenizer.tokenize(text)
    unknown = [w for w in words if tokenizer.token_id(w) == tokenizer.unk_id]
    return Prompt(" ".join(words), ids[-context:], None, unknown)


def prompt_from_corpus(val: np.ndarray, tokenizer: WordTokenizer, context: int, words: int = PROMPT_WORDS,
                       mid_sentence: bool = False) -> Prompt | None:
    """The default prompt: the first words of a held-out sentence (see the module docstring);
    None when the held-out text has no such sentence. ``mid_sentence``: the held-out text may
    begin inside a sentence (a split by tokens), so its first piece is no sentence start."""
    eos, unk = tokenizer.eos_id, tokenizer.unk_id
    n = max(1, min(words, context - 1))
    val = np.asarray(val)
    ends = np.flatnonzero(val == eos)
    starts = np.concatenate([[0], ends + 1])
    for a, b in list(zip(starts, np.concatenate([ends, [len(val)]])))[int(mid_sentence):]:
        sent = val[a:b]
        if len(sent) > n and not (sent[: n + 1] == unk).any():
            ids = [int(i) for i in sent[:n]]
            return Prompt(tokenizer.decode(ids), [eos] + ids, int(sent[n]))
    return None


def next_words(model, prompt: Prompt, tokenizer: WordTokenizer, step: int, device: str = "cpu",
               top: int = TOP) -> NextWords:
    """The ``top`` next words the model gives ``prompt`` (``<unk>`` and ``<eos>`` included when
    they rank: the model may well expect a sentence to end)."""
    torch = require_torch()
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        x = torch.tensor([prompt.ids], dtype=torch.long, device=device)  # (1, T)
        logits, _ = model(x)
        p = torch.softmax(logits[0, -1].float(), dim=-1).cpu()  # (V,)
    if was_training:
        model.train()
    pv, pi = torch.topk(p, min(top, p.numel()))
    out = NextWords(step, prompt.text, [Guess(tokenizer.itos[int(i)], float(v)) for v, i in zip(pv, pi)],
                    uniform=1.0 / p.numel())
    if prompt.expected is not None:
        e = prompt.expected
        out.expected = tokenizer.itos[e]
        out.expected_probability = float(p[e])
        out.expected_rank = int((p > p[e]).sum()) + 1
    return out
