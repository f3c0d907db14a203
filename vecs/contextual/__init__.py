"""Contextual vectors from transformers: one adapter per backend (`hf`, `gpt`) behind
`model.ContextModel`, whose `batch` returns an activation cache (`model.Activations`) that knows
which tokens a word owns; loading (`load`), finding words (`align`), the batching engine
(`batches`: one tokenizer call, token-budget batches, words pooled with index tensors),
extraction (`extract`), distillation into static spaces and stored models (`distill`), the logit
and feed-forward lenses (`lens`), polysemy (`polysemy`) and relatedness against human judgements
(`relatedness`).
"""
