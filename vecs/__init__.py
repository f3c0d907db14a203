"""vecs: word embeddings you can see.

The central type is :class:`vecs.space.Space` — a vocabulary plus a matrix. Every producer
(word2vec training, imported files, pretrained resources, transformer layers) returns one and
every operation (neighbours, analogies, evaluation, bias probes, plots) takes one.
"""

from vecs.errors import VecsError, UnknownWord
from vecs.space import Space

__all__ = ["Space", "VecsError", "UnknownWord"]
__version__ = "0.1.0"
