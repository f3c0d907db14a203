"""Token streams for training our GPT: corpus -> ids, train/validation split, a unigram baseline."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from vecs.errors import CorpusError
from vecs.lm.tokenizer import WordTokenizer
from vecs.progress import ProgressFn, report


@dataclass
class LMData:
    """A corpus as token ids: the training and validation streams (``<eos>`` after each
    sentence) and the tokenizer that made them."""

    tokenizer: WordTokenizer
    train: np.ndarray  # int64 ids
    val: np.ndarray  # int64 ids
    documents: int
    val_documents: int  # 0 when the split is by tokens (fewer than 20 documents)
    unk_rate: float  # share of <unk> among the validation words


def _read_stream(corpus, progress: ProgressFn | None) -> tuple[list[np.ndarray], list[str]]:
    """Each document as an array of provisional ids (order of first occurrence), + the words."""
    prov: dict[str, int] = {}
    docs: list[np.ndarray] = []
    eos = -1
    done = 0
    for doc in corpus.documents():
        ids = array("q")  # 8 bytes a token (a list of ints takes ~4x that: one long line is one document)
        for sent in doc.sentences:
            for w in sent:
                i = prov.get(w)
                if i is None:
                    i = prov[w] = len(prov)
                ids.append(i)
            ids.append(eos)
        docs.append(np.frombuffer(ids, dtype=np.int64) if len(ids) else np.zeros(0, dtype=np.int64))
        done += len(ids)
        report(progress, f"read {corpus.name}", len(docs), None, tokens=done)
    report(progress, f"read {corpus.name}", len(docs), len(docs), finished=True, tokens=done)
    if not docs or done == 0:
        raise CorpusError(f"{corpus.source}: no words")
    return docs, list(prov)


def build_data(corpus, max_vocab: int = 16000, min_count: int = 2, val_fraction: float = 0.05,
               tokenizer: WordTokenizer | None = None, progress: ProgressFn | None = None) -> LMData:
    """Read ``corpus`` into train/validation id streams; build the vocabulary from the training
    split (or use ``tokenizer``, when resuming)."""
    docs, words = _read_stream(corpus, progress)
    n_docs = len(docs)
    if n_docs >= 20:
        n_val = max(1, round(n_docs * val_fraction))
        train_parts, val_parts = docs[:-n_val], docs[-n_val:]
        flat_train = np.concatenate(train_parts)
        flat_val = np.concatenate(val_parts)
        val_docs = n_val
    else:
        flat = np.concatenate(docs)
        cut = int(len(flat) * (1 - val_fraction))
        flat_train, flat_val = flat[:cut], flat[cut:]
        val_docs = 0
    if len(flat_val) < 2 or len(flat_train) < 2:
        raise CorpusError(f"{corpus.source}: too little text to train a language model "
                          f"({len(flat_train) + len(flat_val)} tokens)")
    if tokenizer is None:
        counts = np.bincount(flat_train[flat_train >= 0], minlength=len(words))
        order = np.argsort(-counts, kind="stable")  # by count, ties by first occurrence
        keep = order[counts[order] >= max(1, min_count)][:max_vocab]
        tokenizer = WordTokenizer([words[i] for i in keep], lower=getattr(corpus, "lower", True))
    # provisional id -> final id (the last slot, index -1, is <eos>)
    lut = np.array([tokenizer.token_id(w) for w in words] + [tokenizer.eos_id], dtype=np.int64)
    train = lut[flat_train]
    val = lut[flat_val]
    words_val = val[val != tokenizer.eos_id]
    unk_rate = float((words_val == tokenizer.unk_id).mean()) if len(words_val) else 0.0
    return LMData(tokenizer, train, val, n_docs, val_docs, unk_rate)


def unigram_perplexity(train: np.ndarray, targets: np.ndarray, vocab_size: int) -> float:
    """Perplexity on ``targets`` of the add-one-smoothed unigram model of ``train``."""
    counts = np.bincount(train, minlength=vocab_size).astype(np.float64) + 1.0
    logp = np.log(counts) - np.log(counts.sum())
    return float(np.exp(-logp[targets].mean()))
