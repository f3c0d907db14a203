"""Our own GPT: the model in one file (`model`), its word tokenizer (`tokenizer`), training data
(`data`), checkpoints (`checkpoint`) and the training loop (`train`).
"""
