"""Our own GPT: the model in one file (`model`), its word tokenizer (`tokenizer`), training data
(`data`), checkpoints (`checkpoint`), validation (`evaluate`), memory budgets (`budget`), a run's
bookkeeping around the store (`runs`: side checkpoints, resume, interruptions) and the training
loop (`train`).
"""
