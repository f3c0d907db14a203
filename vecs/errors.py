"""Typed errors. The library raises these; the CLI turns each into one line and exit code 1."""

from __future__ import annotations


class VecsError(Exception):
    """Base class of every error vecs raises on purpose (bad input, missing data, ...)."""


class UnknownWord(VecsError, KeyError):
    """A word is not in the vocabulary. Carries close suggestions (case variants first)."""

    def __init__(self, word: str, suggestions: list[str] | None = None, space: str = ""):
        self.word = word
        self.suggestions = list(suggestions or [])
        self.space = space
        where = f" in {space!r}" if space else ""
        msg = f"unknown word {word!r}{where}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class ResourceError(VecsError):
    """A named resource is unknown, cannot be fetched (offline) or failed verification."""


class StoreError(VecsError):
    """The model store refused an operation (name collision, missing model, bad name)."""


class ModelNotFound(StoreError):
    """No store model, resource or path matches the given model spec."""


class ModelExists(StoreError):
    """A model of that name exists already (use --force to replace it)."""


class FormatError(VecsError):
    """A vector file is malformed, truncated, of the wrong dimension, or not what its format says."""


class CorpusError(VecsError):
    """A corpus is empty, binary, not UTF-8, or otherwise unusable."""


class ExpressionError(VecsError):
    """A vector expression (``biggest - big + small``) cannot be parsed."""


class DatasetError(VecsError):
    """A benchmark or word-list file is malformed or has no usable items."""


class MissingExtra(VecsError):
    """An optional dependency is not installed."""

    def __init__(self, extra: str, package: str):
        self.extra = extra
        self.package = package
        super().__init__(
            f"this needs {package!r}, which is not installed; install the extra: pip install 'vecs[{extra}]'"
        )


class ContextualError(VecsError):
    """A contextual-embedding request cannot be met: the word is not in a sentence, no
    sentences, a layer out of range, a model without the head a command needs."""


class QueryError(VecsError, ValueError):
    """A query that cannot be answered as asked (too few words, unknown method, bad k)."""


class BiasError(VecsError, ValueError):
    """A bias probe that cannot be computed as asked: too few words of a list in the vocabulary,
    an unknown WEAT test or method."""


class QuizError(VecsError, ValueError):
    """A quiz that cannot be run as asked: unknown section or mode, no usable question."""


class PlotError(VecsError, ValueError):
    """A plot that cannot be drawn as asked (too few words, unknown method or format)."""


class DeviceUnavailable(VecsError):
    """The requested device (``cuda``) is not available."""


class SparkError(VecsError):
    """Spark could not do its part: no Java, the JVM did not start, a job failed, an option
    Spark's Word2Vec does not have."""
