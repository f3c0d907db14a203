"""Reading a growing text with a causal model: the next-token logits after a prompt, then after
each token added (:class:`Reader`), and the text the added tokens write (:class:`TextWriter`).

One adapter per kind of model, in this module only: Hugging Face causal LMs keep their key/value
cache between steps (one token read per step, as transformers' own ``generate``; the first step
asks for the last position's logits only); our GPT is small and reads the whole text again, cut
to its context."""

from __future__ import annotations

from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.tokens import MAX_PIECES, REPLACEMENT


# --------------------------------------------------------------------------------------------
def model_device(model):
    """Where the model's weights live."""
    dev = getattr(model, "device", None)
    if dev is not None:
        return dev
    try:
        return next(model.model.parameters()).device
    except (AttributeError, StopIteration):  # pragma: no cover
        return "cpu"


class Reader:
    """The next-token logits of a growing text: :meth:`start` reads the prompt, :meth:`push` one
    more token; both return the last position's logits (V,) float32 on the CPU. Hugging Face
    models keep the key/value cache; our GPT reads the whole text again (it is small)."""

    def __init__(self, model):
        model.require_causal()
        if model.kind not in ("hf-causal", "gpt"):
            raise ContextualError(f"{model.name}: generation works on causal language models (smollm2, gemma3, "
                                  f"our trained transformers), not {model.kind or 'this kind of model'}")
        self.model = model
        self.device = model_device(model)
        self.ids: list[int] = []
        self.cache = None
        if model.kind == "hf-causal":
            import inspect

            params = inspect.signature(model.model.forward).parameters
            self._cache_arg = "cache" if "cache" in params else "past_key_values"
            self._keep = "logits_to_keep" in params

    def _hf(self, new: list[int]):
        torch = require_torch()
        kw = {self._cache_arg: self.cache, "use_cache": True}
        if self._keep:
            kw["logits_to_keep"] = 1
        out = self.model.model(input_ids=torch.tensor([new], dtype=torch.long, device=self.device), **kw)
        self.cache = getattr(out, "cache", None) if self._cache_arg == "cache" else None
        if self.cache is None:
            self.cache = out.past_key_values
        return out.logits[0, -1].float().cpu()

    def _gpt(self):
        torch = require_torch()
        idx = torch.tensor([self.ids[-self.model.max_tokens:]], dtype=torch.long, device=self.device)
        logits, _ = self.model.model(idx)
        return logits[0, -1].float().cpu()

    def start(self, ids: list[int]):
        self.ids, self.cache = list(ids), None
        return self._hf(self.ids) if self.model.kind == "hf-causal" else self._gpt()

    def push(self, token_id: int):
        self.ids.append(int(token_id))
        return self._hf([int(token_id)]) if self.model.kind == "hf-causal" else self._gpt()


def next_token_logits(model, text: str):
    """``(ids, logits (V,))``: the token ids the model reads for ``text`` and its scores for the
    next token (float32, CPU). A text that fills the context is a :class:`ContextualError`."""
    torch = require_torch()
    ids = prompt_ids(model, text)
    with torch.inference_mode():
        return ids, Reader(model).start(ids)


def prompt_ids(model, prompt: str, room: int = 1) -> list[int]:
    """The token ids of ``prompt`` as the model reads it, checked: not empty, and leaving
    ``room`` tokens in the context (a prompt as long as the context may have been cut by the
    tokenizer: refused too)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ContextualError("the prompt is empty: give some text for the model to continue")
    ids = model.encode_ids(prompt)
    if not ids:
        raise ContextualError("the prompt gives no token: give some text")
    if len(ids) + room > model.max_tokens:
        raise ContextualError(f"the prompt is {len(ids):,} tokens or more; {model.name} reads at most "
                              f"{model.max_tokens:,} (its context here), leaving no room to write: shorten it")
    return ids


class TextWriter:
    """The written text, one token at a time: what each token adds, a character split over
    several byte pieces held back until it is whole."""

    def __init__(self, model, prompt: list[int]):
        self.model = model
        self.anchor = list(prompt[-1:])  # decoded with the text, so a leading space survives
        self.base = model.decode_ids(self.anchor)
        self.ids: list[int] = []
        self.shown = ""
        self.held = 0

    def text(self) -> str:
        full = self.model.decode_ids(self.anchor + self.ids)
        return full[len(self.base):] if full.startswith(self.base) else self.model.decode_ids(self.ids)

    def push(self, token_id: int) -> str:
        self.ids.append(int(token_id))
        text = self.text()
        if text.endswith(REPLACEMENT) and self.held + 1 < MAX_PIECES:
            self.held += 1
            return ""
        self.held = 0
        new = text[len(self.shown):] if text.startswith(self.shown) else text
        self.shown = text
        return new
