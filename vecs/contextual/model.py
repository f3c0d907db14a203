"""Contextual embeddings: the vector of a word *in a sentence*, at every layer of a transformer.

One interface, :class:`ContextModel`, over three kinds of model:

* a pretrained checkpoint resource — ``minilm`` (BERT, 6 layers x 384, the default), ``mpnet``
  (12 x 768), ``smollm2`` (a causal LM, 30 x 576);
* any local Hugging Face checkpoint folder (``config.json`` + ``model.safetensors`` + a fast
  tokenizer); safetensors only, nothing is ever downloaded (``HF_HUB_OFFLINE``);
* one of our own trained transformers (:mod:`vecs.lm.model`, store kind ``transformer``).

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

Word-to-token alignment works on character spans: the target occurrence (found by text,
case-insensitive, a whole word in spaced scripts and any run of its characters in scripts written
without spaces, such as Chinese — see :mod:`vecs.contextual.align`; ``occurrence`` picks the n-th, counting from 1; ``string`` names an
inflected form such as ``broke`` for the word ``break``) owns every token whose span overlaps
it; its vector is the ``mean`` (default), ``first``, ``last`` or ``sum`` of those tokens.

torch and transformers belong to the optional extra ``contextual`` and are imported only inside
functions; a missing one raises :class:`MissingExtra`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Sequence

from vecs.errors import ContextualError
from vecs.extras import require_torch

DEFAULT_MODEL = "minilm"

# --------------------------------------------------------------------------------------------
# Pooling: several subword tokens -> one word vector
# --------------------------------------------------------------------------------------------
_POOL = {
    "mean": lambda v: v.mean(1),  # (L, n, C) -> (L, C)
    "first": lambda v: v[:, 0],
    "last": lambda v: v[:, -1],
    "sum": lambda v: v.sum(1),
}
POOLINGS = tuple(_POOL)


def check_pooling(how: str) -> str:
    """``how`` if it names a pooling (:data:`POOLINGS`), else :class:`ContextualError`. Every entry
    point that takes ``pooling`` calls this first, so a bad name fails before any model loads."""
    if how not in _POOL:
        raise ContextualError(f"unknown pooling {how!r}; choose one of {', '.join(POOLINGS)}")
    return how


def pool(vecs, how: str):
    """(L, n_tokens, C) -> (L, C): the ``how`` pooling of each layer's token vectors."""
    return _POOL[check_pooling(how)](vecs)


def default_layer(n_layers: int, causal: bool) -> int:
    """The documented default layer (see the module docstring): the upper layers short of the
    top sixth for encoders, the middle for causal LMs."""
    if n_layers <= 1:
        return n_layers
    return n_layers // 2 if causal else max(1, n_layers - math.ceil(n_layers / 6))


# --------------------------------------------------------------------------------------------
# Tokens and their character spans
# --------------------------------------------------------------------------------------------
@dataclass
class Encoding:
    """Texts as a model reads them, unpadded (what :meth:`ContextModel.tokenize` returns):
    ``ids[b]`` the input ids of text ``b`` (start tokens included, cut to the model's window),
    ``spans[b][t]`` token ``t``'s character span ``(start, end)`` in the text (None for special
    tokens), ``tokens[b][t]`` its string as the vocabulary stores it."""

    ids: list[list[int]]
    spans: list[list[tuple[int, int] | None]]
    tokens: list[list[str]]

    def __len__(self) -> int:
        return len(self.ids)


class SpanIndex:
    """The span-to-token alignment of one text (the one rule of the room): a character span
    ``[start, end)`` owns every real token (not special, not padding) whose span overlaps it."""

    __slots__ = ("ends", "ordered", "real", "starts")

    def __init__(self, spans: Sequence[tuple[int, int] | None]):
        self.real = [t for t, sp in enumerate(spans) if sp is not None]
        self.starts = [spans[t][0] for t in self.real]
        self.ends = [spans[t][1] for t in self.real]
        s, e = self.starts, self.ends
        self.ordered = all(a <= b for a, b in pairwise(s)) and all(a <= b for a, b in pairwise(e))

    def positions(self, start: int, end: int) -> list[int]:
        """The positions of the tokens the span ``[start, end)`` owns, in order."""
        real, starts, ends = self.real, self.starts, self.ends
        if not self.ordered:  # spans out of order (odd tokenizers): test every token
            return [t for t, s, e in zip(real, starts, ends) if s < end and e > start]
        out = []
        i = bisect_right(ends, start)  # the first token ending after ``start``
        while i < len(real) and starts[i] < end:
            out.append(real[i])
            i += 1
        return out


# --------------------------------------------------------------------------------------------
# The activation cache
# --------------------------------------------------------------------------------------------
@dataclass
class Activations:
    """The residual stream of a padded batch of texts, with what it takes to read words off it
    (in the spirit of TransformerLens's ``ActivationCache``): the rest of the room asks it for
    positions and vectors instead of indexing tensors by hand.

    ``states[k, b, t]`` is the vector of token ``t`` of text ``b`` at layer ``layers[k]``;
    ``spans[b][t]`` that token's character span ``(start, end)`` in the text, None for special
    and padding tokens; ``tokens[b][t]`` its string."""

    states: object  # (L', B, T, C) float32 torch tensor
    spans: list[list[tuple[int, int] | None]]  # [B][T]
    tokens: list[list[str]]  # [B][T]
    layers: list[int] | None = None  # the layer number of each k (None: 0..L'-1, every layer)
    _rows: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.layers is None:
            self.layers = list(range(int(self.states.shape[0])))

    def layer(self, k: int):
        """(B, T, C): every token of every text at layer ``k`` (a layer number, not an index)."""
        return self.states[self.index(k)]

    def index(self, k: int) -> int:
        """The position of layer ``k`` in :attr:`states`."""
        try:
            return self.layers.index(k)
        except ValueError:
            raise ContextualError(f"layer {k} is not in this cache (have {self.layers})") from None

    def keep(self, layers: Sequence[int]) -> Activations:
        """A cache of ``layers`` only: (len(layers), B, T, C); spans and tokens shared."""
        torch = require_torch()
        idx = torch.tensor([self.index(k) for k in layers], dtype=torch.long)
        return Activations(self.states.index_select(0, idx), self.spans, self.tokens, list(layers))

    def stream(self, row: int):
        """(L', T, C): the residual stream of text ``row``, every layer held."""
        return self.states[:, row]

    def real_positions(self, row: int) -> list[int]:
        """The positions of text ``row``'s real tokens (not special, not padding), in order."""
        return self._row(row).real

    def positions(self, row: int, start: int, end: int) -> list[int]:
        """The tokens a character span ``[start, end)`` of text ``row`` owns: every real token
        whose span overlaps it, in order (:class:`SpanIndex`)."""
        return self._row(row).positions(start, end)

    def token_strings(self, row: int, positions: Sequence[int]) -> list[str]:
        """The tokens of text ``row`` at ``positions``."""
        return [self.tokens[row][t] for t in positions]

    def vectors(self, row: int, positions: Sequence[int], layers: Sequence[int] | None = None):
        """(L', n, C): the vectors of text ``row``'s tokens at ``positions`` (every layer held, or
        ``layers``)."""
        x = self.states[:, row, list(positions)]  # (L', n, C)
        return x if layers is None else x[[self.index(k) for k in layers]]

    def word(self, row: int, positions: Sequence[int], layers: Sequence[int] | None = None,
             pooling: str = "mean"):
        """(L', C): one word's vector per layer, its tokens at ``positions`` pooled."""
        return pool(self.vectors(row, positions, layers), pooling)

    def _row(self, row: int) -> SpanIndex:
        if row not in self._rows:
            self._rows[row] = SpanIndex(self.spans[row])
        return self._rows[row]


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------
class ContextModel:
    """A transformer seen as a stack of layers of per-token vectors. Subclasses implement
    :meth:`_run` (tokenise with character spans, hidden states); causal ones also the pieces of
    :meth:`decode` (:meth:`final_norm_module`, :meth:`unembedding`) and of the feed-forward
    lens (:meth:`mlp_modules`, :meth:`token_id`)."""

    name: str = ""
    kind: str = ""  # "hf-encoder" | "hf-causal" | "gpt"
    source: str = ""
    n_layers: int = 0  # blocks; there are n_layers + 1 layers counting the embeddings
    dim: int = 0
    causal: bool = False
    max_tokens: int = 512
    default_layer: int = 0
    pad_token: str = ""  # the token string :meth:`batch` shows at padding positions

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
        """The activations of every layer for a batch of texts (inference mode): (L+1, B, T, C)."""
        torch = require_torch()
        with torch.inference_mode():
            return self._run(list(texts))

    def tokenize(self, texts: Sequence[str]) -> Encoding:  # pragma: no cover - abstract
        """Every text as the model reads it, unpadded, in one call (:class:`Encoding`)."""
        raise NotImplementedError

    def hidden(self, ids: Sequence[Sequence[int]]) -> list:
        """One forward pass (inference mode) over rows of input ids (:attr:`Encoding.ids`),
        right-padded to the longest: the L+1 layers' states, each ``(B, T, C)`` float32, the
        padding positions meaningless."""
        torch = require_torch()
        with torch.inference_mode():
            return self._hidden([list(r) for r in ids])

    def _hidden(self, ids: list[list[int]]) -> list:  # pragma: no cover - abstract
        raise NotImplementedError

    def _run(self, texts: list[str]) -> Activations:
        torch = require_torch()
        enc = self.tokenize(texts)
        hs = self._hidden(enc.ids)
        T = int(hs[0].shape[1])
        states = torch.stack(hs, 0).float()  # (L+1, B, T, C)
        spans = [row + [None] * (T - len(row)) for row in enc.spans]
        tokens = [row + [self.pad_token] * (T - len(row)) for row in enc.tokens]
        return Activations(states, spans, tokens)

    # -- reading the residual stream as next-token logits (causal models) ------------------------
    def require_causal(self) -> None:
        """:class:`ContextualError` unless the model has a language-model head."""
        if not self.causal:
            raise ContextualError(f"{self.name} has no causal language-model head; the logit lens needs one "
                                  f"(try --model smollm2, gemma3 or one of our trained transformers)")

    def decode(self, h):
        """(..., C) residual -> (..., V) float32 logits on the CPU: the final norm (once), then the
        unembedding."""
        torch = require_torch()
        U = self.unembedding()  # (V, C)
        x = self.final_norm_module()(h.to(U.device).to(U.dtype))  # (..., C)
        return torch.nn.functional.linear(x, U, self.unembedding_bias()).float().cpu()  # (..., V)

    def lens_logits(self, text: str):
        """``(tokens, logits (L+1, T, V))``: every layer's residual through :meth:`decode`."""
        self.require_causal()
        torch = require_torch()
        with torch.inference_mode():
            acts = self._run([text])
            return acts.tokens[0], self.decode(acts.stream(0))  # (L+1, T, C) -> (L+1, T, V)

    def token_text(self, token_id: int) -> str:  # pragma: no cover - abstract
        """The text of one token id (a leading space kept)."""
        raise NotImplementedError

    # -- token ids, as the model reads a text (vecs.inside works on these) -----------------------
    def encode_ids(self, text: str) -> list[int]:  # pragma: no cover - abstract
        """The token ids the model reads for ``text``, start tokens included (as :meth:`batch`
        reads it), cut to :attr:`max_tokens`."""
        raise NotImplementedError

    def decode_ids(self, ids: Sequence[int]) -> str:  # pragma: no cover - abstract
        """The text of a run of token ids (special tokens kept as their names)."""
        raise NotImplementedError

    def special_ids(self) -> set[int]:
        """The ids of special tokens (start, end, padding, unknown...)."""
        return set()

    def raw_token(self, token_id: int) -> str:
        """The vocabulary entry of one id (byte-level BPE entries as stored)."""
        return self.token_text(token_id)

    def stop_ids(self) -> set[int]:
        """The ids that end a generated text (end of text / turn)."""
        return set()

    @property
    def vocab_size(self) -> int:
        return int(self.unembedding().shape[0])

    def show_token(self, token: str) -> str:
        """A token string as a reader should see it (byte-level tokens decoded)."""
        return token

    def mlp_modules(self) -> list:  # pragma: no cover - abstract
        """The feed-forward block of every layer, in order."""
        raise NotImplementedError

    def final_norm_module(self):  # pragma: no cover - abstract
        """The norm applied to the last residual before the unembedding: (..., C) -> (..., C)."""
        raise NotImplementedError

    def unembedding(self):  # pragma: no cover - abstract
        """The unembedding matrix ``(V, C)``."""
        raise NotImplementedError

    def unembedding_bias(self):
        """The unembedding's bias ``(V,)``, or None (most models have none)."""
        return None

    def token_id(self, word: str) -> int:  # pragma: no cover - abstract
        """The id of the first token of ``word`` as it would follow other text."""
        raise NotImplementedError
