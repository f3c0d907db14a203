"""A hooked forward pass: everything a transformer computes on a prompt, and edits to it.

:func:`run` reads a batch of prompts once and returns a :class:`Trace` (in the spirit of
TransformerLens's ``ActivationCache``): the residual stream at every layer, what each attention
and MLP sub-block added to it, every head's attention pattern with its pre-softmax scores, and
every head's output before the output projection. :class:`Edit` s change the run as it goes —
switch a head, an attention or an MLP output off, copy a residual from another run, add a
vector — which is all ablation, patching and steering need.

Numbering (the same as :class:`~vecs.contextual.model.ContextModel`): the residual at layer
``0`` is the embeddings and at layer ``l`` the output of block ``l``; the attention, MLP and
heads of block ``l`` are numbered ``l`` (1-based). Shapes: ``L`` layers, ``B`` prompts, ``T``
positions, ``C`` width, ``H`` heads, ``D`` head width, ``V`` vocabulary.

How: forward hooks on the modules named by :mod:`vecs.inside.anatomy`, and an attention function
of our own put in place of the model's for the duration of the run (transformers'
``AttentionInterface`` for Hugging Face models, ``attention_fn`` for ours). It computes exactly
what the eager attention computes — scores ``q·k * scale`` (+ soft cap) + mask, softmax, weights
times values — and keeps the pieces. Nothing of the model is changed after the run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence

from vecs.errors import ContextualError
from vecs.extras import require_torch
from vecs.inside.anatomy import Anatomy, anatomy

WHERE = ("resid", "attn", "mlp", "head")
CAPTURE = ("resid", "attn", "mlp", "pattern", "z")
PROBE_NAME = "vecs_probe"
_ACTIVE = threading.local()  # the probe of the run in progress (the attention function looks it up)


@dataclass
class Edit:
    """One change to a run: ``fn`` gets what ``where`` would be at ``layer`` and returns what it
    becomes — ``(B, T, C)`` for ``resid`` (layer 0..L), ``attn`` and ``mlp`` (block 1..L); the
    head's output before the projection ``(B, T, D)`` for ``head`` (with ``head``)."""

    where: str
    layer: int
    fn: Callable
    head: int | None = None


@dataclass
class Trace:
    """What one run computed. Tensors on the CPU, float32; missing captures are None."""

    model: object = field(repr=False)
    ids: list[list[int]]  # [B][T] token ids (right-padded with the first id)
    lengths: list[int]  # real tokens per prompt
    resid: object = None  # (L+1, B, T, C)
    attn: object = None  # (L, B, T, C): what block l's attention added (index l - 1)
    mlp: object = None  # (L, B, T, C): what block l's MLP added
    pattern: object = None  # (L, B, H, T, T): weights, rows = queries, columns = keys
    scores: object = None  # (L, B, H, T, T): before the softmax, masked entries -inf
    z: object = None  # (L, B, T, H, D): each head's output before the output projection
    attn_scale: object = None  # (L, B, T, C): the post-attention norm's factor (Gemma), else None

    @property
    def n_layers(self) -> int:
        return len(self.model.layers) - 1

    def logits(self, layer: int | None = None, row: int = 0, position: int | None = None):
        """Next-token logits read off the residual at ``layer`` (default the last; the final norm
        applied once, then the unembedding): ``(T, V)``, or ``(V,)`` for one ``position``."""
        torch = require_torch()
        layer = self.n_layers if layer is None else layer
        h = self.resid[layer, row]
        with torch.inference_mode():
            return self.model.decode(h if position is None else h[position])

    def head_write(self, layer: int, head: int, row: int = 0):
        """``(T, C)``: what head ``head`` of block ``layer`` adds to the residual (its slice of the
        output projection; for Gemma times the post-attention norm's factor, so the heads of a
        block sum to its attention output)."""
        torch = require_torch()
        z = self.z[layer - 1, row, :, head]  # (T, D)
        W = self.model_anatomy.out_proj[layer - 1]  # (C, H * D)
        D = z.shape[-1]
        with torch.inference_mode():
            out = z @ W[:, head * D:(head + 1) * D].detach().float().cpu().T  # (T, C)
        if self.attn_scale is not None:
            out = out * self.attn_scale[layer - 1, row]
        return out

    @property
    def model_anatomy(self) -> Anatomy:
        return anatomy(self.model)


def tensor_out(out):
    """The tensor of a module's output (transformers modules may return tuples)."""
    return out[0] if isinstance(out, tuple) else out


def _replace(out, new):
    return (new, *out[1:]) if isinstance(out, tuple) else new


def check_layer(model, layer: int, where: str) -> int:
    """``layer`` checked for ``where``: 0..L for the residual, 1..L for a block's parts."""
    lo = 0 if where == "resid" else 1
    n = model.n_layers
    if not lo <= int(layer) <= n:
        raise ContextualError(f"layer {layer} is out of range for {model.name}'s {where} ({lo}..{n})")
    return int(layer)


def check_head(model, head: int) -> int:
    n = anatomy(model).n_heads
    if not 0 <= int(head) < n:
        raise ContextualError(f"head {head} is out of range for {model.name} (0..{n - 1})")
    return int(head)


def encode(model, prompts: Sequence[str]) -> list[list[int]]:
    """Token ids of each prompt, as the model reads it; a prompt the context cannot hold is a
    :class:`ContextualError` (never silently cut)."""
    out = []
    for p in prompts:
        if not isinstance(p, str) or not p.strip():
            raise ContextualError("the prompt is empty")
        ids = model.encode_ids(p)  # cut at max_tokens: a prompt that reaches it may have been cut
        if len(ids) >= model.max_tokens:
            raise ContextualError(f"the prompt is {len(ids)} tokens or more; {model.name} reads at most "
                                  f"{model.max_tokens}")
        out.append(ids)
    return out


def run(model, prompts: Sequence[str] | Sequence[Sequence[int]], edits: Sequence[Edit] = (),
        capture: Sequence[str] = CAPTURE) -> Trace:
    """Run ``prompts`` (texts, or token id lists) through ``model`` once, with ``edits``, and
    keep what ``capture`` names (any of ``resid attn mlp pattern z``)."""
    torch = require_torch()
    prompts = list(prompts)
    if not prompts:
        raise ContextualError("no prompt given")
    ids = encode(model, prompts) if isinstance(prompts[0], str) else [list(map(int, p)) for p in prompts]
    an = anatomy(model)
    for e in edits:
        if e.where not in WHERE:
            raise ContextualError(f"unknown place {e.where!r}; choose one of {', '.join(WHERE)}")
        check_layer(model, e.layer, e.where)
        if e.where in ("attn", "mlp"):
            an.require_writes(f"changing the {e.where} output")
        if e.where == "head":
            check_head(model, e.head if e.head is not None else -1)
    lengths = [len(r) for r in ids]
    T = max(lengths)
    idx = torch.tensor([r + [r[0]] * (T - len(r)) for r in ids], dtype=torch.long)
    mask = torch.tensor([[1] * n + [0] * (T - n) for n in lengths], dtype=torch.long)
    probe = _Probe(an, list(edits), set(capture))
    with torch.inference_mode(), probe.installed(model):
        _forward(model, an, idx, mask)
    return probe.trace(model, ids, lengths)


def _forward(model, an: Anatomy, idx, mask) -> None:
    dev = getattr(model, "device", "cpu")
    if an.family == "gpt":
        model.model.hidden_states(idx.to(dev))
        return
    base = model.model.base_model
    dev = next(model.model.parameters()).device
    kw = {"output_attentions": True} if an.legacy else {}
    base(input_ids=idx.to(dev), attention_mask=mask.to(dev), **kw)


class _Probe:
    """The hooks of one run: captures and edits."""

    def __init__(self, an: Anatomy, edits: list[Edit], capture: set[str]):
        self.an, self.edits, self.capture = an, edits, capture
        self.layer_of: dict[int, int] = {id(m): i + 1 for i, m in enumerate(an.attn_core)}
        self.resid: dict[int, object] = {}
        self.attn: dict[int, object] = {}
        self.mlp: dict[int, object] = {}
        self.pattern: dict[int, object] = {}
        self.scores: dict[int, object] = {}
        self.z: dict[int, object] = {}
        self.pre_norm: dict[int, object] = {}
        self.legacy_in: dict[int, dict] = {}

    def edits_at(self, where: str, layer: int) -> list[Edit]:
        return [e for e in self.edits if e.where == where and e.layer == layer]

    # -- hooks ---------------------------------------------------------------------------------
    def _apply(self, where: str, layer: int, out):
        x = tensor_out(out)
        changed = False
        for e in self.edits_at(where, layer):
            x = e.fn(x)
            changed = True
        if where in self.capture:
            getattr(self, where)[layer] = x.detach().float().cpu()
        return _replace(out, x) if changed else None

    def installed(self, model):
        return _Installed(self, model)

    def attention(self, module, query, key, value, attention_mask=None, scaling=None, dropout=0.0,
                  softcap=None, **kwargs):
        """The eager attention, with its pieces kept and its heads editable. query (B, H, T, D);
        key, value (B, Hkv, S, D); returns (z (B, T, H, D), weights (B, H, T, S))."""
        torch = require_torch()
        layer = self.layer_of[id(module)]
        if key.shape[1] != query.shape[1]:  # grouped-query attention: share each key/value head
            g = query.shape[1] // key.shape[1]
            key, value = key.repeat_interleave(g, 1), value.repeat_interleave(g, 1)
        if scaling is None:
            scaling = query.shape[-1] ** -0.5
        scores = torch.matmul(query, key.transpose(2, 3)) * scaling  # (B, H, T, S)
        if softcap:
            scores = torch.tanh(scores / softcap) * softcap
        if attention_mask is not None:
            m = attention_mask
            if m.dtype == torch.bool:
                m = torch.zeros(m.shape, dtype=scores.dtype, device=m.device).masked_fill(~m, float("-inf"))
            scores = scores + m[..., : key.shape[-2]]
        weights = torch.softmax(scores.float(), -1).to(query.dtype)  # (B, H, T, S)
        z = torch.matmul(weights, value).transpose(1, 2).contiguous()  # (B, T, H, D)
        for e in self.edits_at("head", layer):
            z[:, :, e.head] = e.fn(z[:, :, e.head])
        if "pattern" in self.capture:
            self.pattern[layer] = weights.detach().float().cpu()
            self.scores[layer] = scores.detach().float().cpu()
        if "z" in self.capture:
            self.z[layer] = z.detach().float().cpu()
        return z, weights

    def trace(self, model, ids, lengths) -> Trace:
        torch = require_torch()

        def stack(d: dict, first: int, last: int):
            if not d:
                return None
            return torch.stack([d[i] for i in range(first, last + 1)], 0)

        L = self.an.n_layers
        t = Trace(model, ids, lengths)
        t.resid = stack(self.resid, 0, L) if "resid" in self.capture and self.an.embed is not None else None
        t.attn = stack(self.attn, 1, L) if "attn" in self.capture else None
        t.mlp = stack(self.mlp, 1, L) if "mlp" in self.capture else None
        t.pattern = stack(self.pattern, 1, L)
        t.scores = stack(self.scores, 1, L)
        t.z = stack(self.z, 1, L)
        if self.pre_norm and t.attn is not None:
            pre = stack(self.pre_norm, 1, L)
            t.attn_scale = torch.where(pre == 0, torch.zeros_like(pre), t.attn / torch.where(pre == 0, torch.ones_like(pre), pre))
        if self.an.embed is None and "resid" in self.capture and self.resid:
            t.resid = stack(self.resid, 1, L)  # encoders: block outputs only (layer l at index l - 1)
        return t


class _Installed:
    """Hooks in place for one ``with`` block; everything undone on the way out."""

    def __init__(self, probe: _Probe, model):
        self.probe, self.model, self.handles, self.restore = probe, model, [], None

    def __enter__(self):
        p, an = self.probe, self.probe.an

        def wanted(where: str, layer: int) -> bool:  # a hook only where something is read or changed
            return where in p.capture or bool(p.edits_at(where, layer))

        if an.embed is not None and wanted("resid", 0):
            self.handles.append(an.embed.register_forward_hook(lambda m, i, o: p._apply("resid", 0, o)))
        for i, block in enumerate(an.blocks):
            if wanted("resid", i + 1):
                self.handles.append(block.register_forward_hook(
                    lambda m, inp, o, layer=i + 1: p._apply("resid", layer, o)))
        for i in range(an.n_layers if an.attn_write is not None else 0):
            if wanted("attn", i + 1):
                self.handles.append(an.attn_write[i].register_forward_hook(
                    lambda m, inp, o, layer=i + 1: p._apply("attn", layer, o)))
            if wanted("mlp", i + 1):
                self.handles.append(an.mlp_write[i].register_forward_hook(
                    lambda m, inp, o, layer=i + 1: p._apply("mlp", layer, o)))
            if an.post_norm and "attn" in p.capture:
                self.handles.append(an.attn_write[i].register_forward_pre_hook(
                    lambda m, inp, layer=i + 1: p.pre_norm.__setitem__(layer, inp[0].detach().float().cpu())))
        _ACTIVE.probe = p
        if an.family == "gpt":
            for m in an.attn_core:
                m.attention_fn = _dispatch
        elif an.legacy:
            for m in an.attn_core:
                self.handles.append(m.register_forward_pre_hook(_legacy_pre, with_kwargs=True))
                self.handles.append(m.register_forward_hook(_legacy_post))
        else:
            _register_attention()
            hf = self.model.model
            self.restore = hf.config._attn_implementation
            hf.set_attn_implementation(PROBE_NAME)
        return self

    def __exit__(self, *exc):
        for h in self.handles:
            h.remove()
        an = self.probe.an
        if an.family == "gpt":
            for m in an.attn_core:
                m.attention_fn = None
        elif self.restore is not None:
            self.model.model.set_attn_implementation(self.restore)
        _ACTIVE.probe = None
        return False


def _dispatch(module, query, key, value, attention_mask=None, **kwargs):
    probe = getattr(_ACTIVE, "probe", None)
    if probe is None:  # pragma: no cover - the implementation is only set inside a run
        raise ContextualError("the vecs probe attention was called outside a run")
    return probe.attention(module, query, key, value, attention_mask, **kwargs)


_REGISTERED = False


def _register_attention() -> None:
    global _REGISTERED
    if _REGISTERED:
        return
    from transformers import AttentionInterface, AttentionMaskInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS

    AttentionInterface.register(PROBE_NAME, _dispatch)
    AttentionMaskInterface.register(PROBE_NAME, ALL_MASK_ATTENTION_FUNCTIONS["eager"])
    _REGISTERED = True


def _legacy_pre(module, args, kwargs):
    """MPNet computes attention inside its module (the run asks it for the weights): keep its
    inputs so the scores can be recomputed the same way."""
    probe = _ACTIVE.probe
    names = ("hidden_states", "attention_mask", "position_bias")
    given = {**dict(zip(names, args)), **kwargs}
    probe.legacy_in[id(module)] = {"h": given["hidden_states"], "mask": given.get("attention_mask"),
                                   "bias": given.get("position_bias")}
    return args, kwargs


def _legacy_post(module, inp, out):
    torch = require_torch()
    probe = _ACTIVE.probe
    layer = probe.layer_of[id(module)]
    saved = probe.legacy_in.pop(id(module))
    h = saved["h"]
    B, T, _ = h.shape
    H, D = module.num_attention_heads, module.attention_head_size
    q = module.q(h).view(B, T, H, D).transpose(1, 2)
    k = module.k(h).view(B, T, H, D).transpose(1, 2)
    scores = torch.matmul(q, k.transpose(-1, -2)) / D ** 0.5
    if saved["bias"] is not None:
        scores = scores + saved["bias"]
    if saved["mask"] is not None:
        scores = scores + saved["mask"]
    if "pattern" in probe.capture:
        probe.pattern[layer] = out[1].detach().float().cpu()
        probe.scores[layer] = scores.detach().float().cpu()
    return None
