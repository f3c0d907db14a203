"""Where the parts of a transformer are: one :class:`Anatomy` per architecture family, so the
probe (:mod:`vecs.inside.probe`) never branches on the architecture in its forward pass.

Families:

* ``llama`` — Llama, SmolLM2, Mistral, Qwen2/3 (``model.layers[i].self_attn`` / ``.mlp``): the
  attention and MLP outputs are added to the residual as they are;
* ``gemma`` — Gemma 2/3: a norm sits *after* each sub-block (``post_attention_layernorm``,
  ``post_feedforward_layernorm``); what is added to the residual is that norm's output;
* ``gpt`` — our own GPT (:mod:`vecs.lm.model`);
* ``bert`` / ``mpnet`` — encoders: attention patterns only (post-LN blocks have no separate
  "write" into a residual, and no language-model head is loaded).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vecs.errors import ContextualError


@dataclass
class Anatomy:
    family: str
    n_layers: int
    n_heads: int
    embed: object  # its output is the residual at layer 0 (None: encoders)
    blocks: list  # block i's output is the residual at layer i + 1
    attn_core: list  # the self-attention module of each block (its attention function is intercepted)
    attn_write: list | None = None  # the module whose output the attention sub-block adds (None: encoders)
    mlp_write: list | None = None  # the module whose output the MLP sub-block adds
    out_proj: list = field(default_factory=list)  # each block's output projection weight (C, H * d_head)
    post_norm: bool = False  # the attention write is a norm of the projected heads (Gemma)
    legacy: bool = False  # attention computed inside the module (MPNet): scores recomputed from q, k

    @property
    def causal(self) -> bool:
        return self.attn_write is not None

    def require_writes(self, what: str) -> None:
        if self.attn_write is None:
            raise ContextualError(f"{what} needs a causal language model (smollm2, gemma3 or one of ours); "
                                  f"this is an encoder ({self.family})")


def anatomy(model) -> Anatomy:
    """The anatomy of a loaded :class:`~vecs.contextual.model.ContextModel`."""
    if model.kind == "gpt":
        gpt = model.model
        blocks = list(gpt.blocks)
        return Anatomy("gpt", len(blocks), int(gpt.config.n_head), gpt.drop, blocks,
                       [b.attn for b in blocks], [b.attn for b in blocks], [b.mlp for b in blocks],
                       [b.attn.c_proj.weight for b in blocks])
    hf = model.model
    base = hf.base_model
    layers = getattr(base, "layers", None)
    if layers is not None and all(hasattr(b, "self_attn") and hasattr(b, "mlp") for b in layers):
        blocks = list(layers)
        first = blocks[0].self_attn
        heads = int(getattr(first, "num_heads", 0) or hf.config.num_attention_heads)
        gemma = all(hasattr(b, "post_feedforward_layernorm") and hasattr(b, "pre_feedforward_layernorm")
                    for b in blocks)
        if gemma:
            aw = [b.post_attention_layernorm for b in blocks]
            mw = [b.post_feedforward_layernorm for b in blocks]
        else:
            aw = [b.self_attn for b in blocks]
            mw = [b.mlp for b in blocks]
        proj = []
        for b in blocks:
            o = getattr(b.self_attn, "o_proj", None)
            if o is None:
                raise ContextualError(f"{model.name}: cannot find the attention output projection (o_proj)")
            proj.append(o.weight)
        return Anatomy("gemma" if gemma else "llama", len(blocks), heads, base.embed_tokens, blocks,
                       [b.self_attn for b in blocks], aw, mw, proj, post_norm=gemma)
    encoder = getattr(base, "encoder", None)
    layer = getattr(encoder, "layer", None)
    if layer is not None:
        blocks = list(layer)
        att = blocks[0].attention
        if hasattr(att, "self"):  # BERT family
            return Anatomy("bert", len(blocks), int(hf.config.num_attention_heads), None, blocks,
                           [b.attention.self for b in blocks],
                           out_proj=[b.attention.output.dense.weight for b in blocks])
        if hasattr(att, "attn"):  # MPNet
            return Anatomy("mpnet", len(blocks), int(hf.config.num_attention_heads), None, blocks,
                           [b.attention.attn for b in blocks], out_proj=[b.attention.attn.o.weight for b in blocks],
                           legacy=True)
    raise ContextualError(f"{model.name}: vecs cannot look inside this architecture "
                          f"({type(hf).__name__}); supported: Llama/SmolLM2/Mistral/Qwen, Gemma, BERT, MPNet, ours")
