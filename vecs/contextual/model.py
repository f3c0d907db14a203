"""Contextual embeddings: the vector of a word *in a sentence*, at every layer of a transformer.

One interface, :class:`ContextModel`, over three kinds of model:

* a pretrained checkpoint resource — ``minilm`` (BERT, 6 layers x 384, the default), ``mpnet``
  (12 x 768), ``smollm2`` (a causal LM, 30 x 576);
* any local Hugging Face checkpoint folder (``config.json`` + ``model.safetensors`` + a fast
  tokenizer); safetensors only, nothing is ever downloaded (``HF_HUB_OFFLINE``);
* one of our own trained transformers (:mod:`vecs.transformer`, store kind ``transformer``).

Layers are numbered ``0`` (the token embeddings, before any block) to ``n_layers`` (after the
last block). For causal models every layer is the residual stream *before* the final norm
(Hugging Face returns the last one already normalised; we take the un-normalised one from the
final norm's input), so the logit lens applies the final norm exactly once to every layer.

Each model has a documented **default layer**, a property of the architecture, never chosen on
evaluation data: for encoders ``n_layers - ceil(n_layers / 6)`` — the upper layers short of the
top sixth (minilm 5 of 6, mpnet 10 of 12, BERT-base 10 of 12) —, for causal LMs
``n_layers // 2`` (smollm2 15 of 30). Why: probing studies find word-sense information peaks in
the upper layers of BERT-style encoders, while the very top layers are the most
context-specific and, in sentence-transformer fine-tunes, shaped for sentence pooling (Tenney
et al. 2019; Ethayarajh 2019; Vulić et al. 2020); causal LMs keep it in the middle layers,
their last layers specialising in predicting the next token (the logit lens). The rule was
checked on our own development set of sense pairs (``vecs/data/relatedness_dev.csv``, see
``vecs eval relatedness dev``), where it picks the best layer of both encoders.

Word-to-token alignment works on character spans: the target occurrence (found by text, whole
word, case-insensitive; ``occurrence`` picks the n-th, counting from 1; ``string`` names an
inflected form such as ``broke`` for the word ``break``) owns every token whose span overlaps
it; its vector is the ``mean`` (default), ``first``, ``last`` or ``sum`` of those tokens.

torch and transformers belong to the optional extra ``contextual`` and are imported only inside
functions; a missing one raises :class:`MissingExtra`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from vecs.errors import ContextualError
from vecs.extras import require_torch

POOLINGS = ("mean", "first", "last", "sum")




DEFAULT_MODEL = "minilm"


def default_layer(n_layers: int, causal: bool) -> int:
    """The documented default layer (see the module docstring): the upper layers short of the
    top sixth for encoders, the middle for causal LMs."""
    if n_layers <= 1:
        return n_layers
    return n_layers // 2 if causal else max(1, n_layers - math.ceil(n_layers / 6))


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------
@dataclass
class Activations:
    """A padded batch. ``states`` (L+1, B, T, C) float32 torch tensor; per row ``spans``: a
    character span (start, end) per token, None for special and padding tokens."""

    states: object
    spans: list[list[tuple[int, int] | None]]
    tokens: list[list[str]]


class ContextModel:
    """A transformer seen as a stack of layers of per-token vectors. Subclasses implement
    :meth:`_encode` (tokenise with character spans) and :meth:`_run` (hidden states); causal
    ones also :meth:`_lens_logits`."""

    name: str = ""
    kind: str = ""  # "hf-encoder" | "hf-causal" | "gpt"
    source: str = ""
    n_layers: int = 0  # blocks; there are n_layers + 1 layers counting the embeddings
    dim: int = 0
    causal: bool = False
    max_tokens: int = 512
    default_layer: int = 0

    def __repr__(self) -> str:
        return f"ContextModel({self.name!r}, {self.kind}, layers={self.n_layers}, dim={self.dim})"

    @property
    def layers(self) -> list[int]:
        return list(range(self.n_layers + 1))

    def resolve_layers(self, layer) -> list[int]:
        """``None`` -> [default layer]; ``"all"`` -> every layer; an int (negative counts from
        the end, ``-1`` is the last) or a digit string -> that layer."""
        if layer is None:
            return [self.default_layer]
        if isinstance(layer, str):
            if layer.strip().lower() == "all":
                return self.layers
            try:
                layer = int(layer)
            except ValueError:
                raise ContextualError(f"layer must be a number or 'all', not {layer!r}") from None
        if isinstance(layer, (list, tuple)):
            return [x for item in layer for x in self.resolve_layers(item)]
        n = self.n_layers
        idx = int(layer) + n + 1 if int(layer) < 0 else int(layer)
        if not 0 <= idx <= n:
            raise ContextualError(f"layer {layer} is out of range for {self.name} (0..{n}; 0 is the embeddings)")
        return [idx]

    def batch(self, texts: Sequence[str]) -> Activations:
        """Hidden states of every layer for a batch of texts (inference mode)."""
        torch = require_torch()
        with torch.inference_mode():
            return self._run(list(texts))

    def _run(self, texts: list[str]) -> Activations:  # pragma: no cover - abstract
        raise NotImplementedError

    def lens_logits(self, text: str):
        """``(tokens, logits (L+1, T, V))``: every layer's residual through the final norm (once)
        and the unembedding."""
        if not self.causal:
            raise ContextualError(f"{self.name} has no causal language-model head; the logit lens needs one "
                                  f"(try --model smollm2 or one of our trained transformers)")
        torch = require_torch()
        with torch.inference_mode():
            return self._lens_logits(text)

    def _lens_logits(self, text: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def token_text(self, token_id: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- what the feed-forward lens needs (causal models) ----------------------------------------
    def mlp_modules(self) -> list:  # pragma: no cover - abstract
        """The feed-forward block of every layer, in order."""
        raise NotImplementedError

    def final_norm_module(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def unembedding(self):  # pragma: no cover - abstract
        """The unembedding matrix ``(V, C)``."""
        raise NotImplementedError

    def token_id(self, word: str) -> int:  # pragma: no cover - abstract
        """The id of the first token of ``word`` as it would follow other text."""
        raise NotImplementedError


def pool(vecs, how: str):
    """(L, n_tokens, C) -> (L, C)."""
    if how == "mean":
        return vecs.mean(1)
    if how == "sum":
        return vecs.sum(1)
    if how == "first":
        return vecs[:, 0]
    if how == "last":
        return vecs[:, -1]
    raise ContextualError(f"unknown pooling {how!r}; choose one of {', '.join(POOLINGS)}")
