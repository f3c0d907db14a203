"""Word counts of a corpus."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vecs.corpus.reader import open_corpus
from vecs.progress import ProgressFn


@dataclass
class WordCount:
    word: str
    count: int


@dataclass
class CorpusStats:
    name: str
    source: str
    files: int
    documents: int
    sentences: int
    tokens: int
    vocabulary: int
    top: list[WordCount] = field(default_factory=list)
    segment: str = "auto"  # the segmenter's mode
    segmented: dict = field(default_factory=dict)  # sentences cut each way: space, jieba, char
    note: str = ""


def corpus_stats(corpus, top: int = 20, progress: ProgressFn | None = None, lower: bool = True,
                 phrases: bool = False, segment: str | None = None, user_dict=None) -> CorpusStats:
    """Counts over one pass: documents, sentences, tokens, vocabulary size and the ``top`` most
    frequent words (ties broken by first occurrence). ``corpus`` is a :class:`Corpus` or a spec
    that :func:`open_corpus` opens with ``lower``, ``phrases``, ``segment`` and ``user_dict``.
    ``segmented`` counts the sentences cut each way; ``note`` is the segmenter's note (jieba
    missing) or ''."""
    corpus = open_corpus(corpus, lower=lower, phrases=phrases, progress=progress, segment=segment,
                         user_dict=user_dict)
    counts: Counter = Counter()
    docs = sents = 0
    cur = object()
    for key, toks in corpus.keyed_sentences(progress):
        if key != cur:
            docs += 1
            cur = key
        sents += 1
        counts.update(toks)
    return CorpusStats(
        name=corpus.name, source=corpus.source, files=len(corpus.files), documents=docs, sentences=sents,
        tokens=sum(counts.values()), vocabulary=len(counts),
        top=[WordCount(w, c) for w, c in counts.most_common(top)],
        segment=corpus.segmenter.mode, segmented=dict(corpus.segmenter.used), note=corpus.segmenter.note,
    )
