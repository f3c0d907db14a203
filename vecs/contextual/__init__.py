"""Contextual vectors from transformers: one adapter per backend (`hf`, `gpt`) behind
`model.ContextModel`, loading (`load`), word alignment (`align`), extraction (`extract`),
distillation into static spaces (`distill`), lenses (`lens`), polysemy and relatedness.
"""
