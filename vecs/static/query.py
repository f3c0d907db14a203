"""Questions to a Space: neighbours, analogies, vector arithmetic, similarity, the odd one out.

Scores are cosines ``space.vectors @ q / space.norms`` (norms kept on disk), top-k by ``np.argpartition``.

Analogies are *honest* (Nissim, van Noord & van der Goot 2020, "Fair is better than sensational"):
like gensim and the word2vec tool, ``a : b :: c : ?`` excludes a, b and c from the answers by
default, but every result also says where each input word *would* have ranked had it been kept,
and where an ``expected`` answer ranked — so ``doctor - man + woman`` can be read for what it is.

Ranks are 1-based: 1 + the number of candidates with a strictly higher score. The candidates are
every word of the space (the first ``restrict`` words with ``restrict=N``). An input word's
``rank`` is counted with the inputs kept as candidates; any other word's ``rank`` (the results,
an ``expected`` word that is not an input) in the ranking the results come from, i.e. without the
inputs when ``exclude_inputs`` is true.

No query answers NaN: a word whose vector is zero or not finite has no direction: asking about it
is a :class:`~vecs.errors.QueryError` (``ExpressionError`` in an expression); as a candidate it is
never a result; an input's or the expected word's score is None then (ranked after all others).

>>> import numpy as np
>>> from vecs import Space
>>> s = Space(["man", "woman", "king", "queen"],
...           np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=np.float32))
>>> r = analogy(s, "man", "king", "woman", k=1)
>>> r.results[0].word, round(r.results[0].score, 4)
('queen', 0.9586)
>>> [(i.word, i.rank) for i in r.inputs]
[('man', 4), ('king', 3), ('woman', 2)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Literal, Sequence

import numpy as np

from vecs.errors import QueryError, VecsError
from vecs.linalg import unit
from vecs.static.query_results import (AnalogyResult, CalcResult, ExclusionEffect, NeighboursResult,  # noqa: F401
                                       OddOneOut, Scored, Similarity, WordRank)

if TYPE_CHECKING:  # pragma: no cover
    from vecs.space import Space


Method = Literal["add", "mul", "pair"]
METHODS = {"add": "3CosAdd", "mul": "3CosMul", "pair": "PairDirection"}

_EPS = 1e-6  # 3CosMul's denominator guard, as in gensim's most_similar_cosmul


# -- ranking core ---------------------------------------------------------------------------
def _find(space: "Space", word: str) -> int | None:
    """The row of ``word`` or None. ``in`` and :meth:`Space.row` look a few words up with a C
    scan of the word list, not by building the word -> row dict of a large space (which costs
    more than a whole cold query); a word that is not there gets no spelling suggestions."""
    return space.row(word) if word in space else None


def _check_k(k: int) -> None:
    if int(k) < 1:
        raise QueryError(f"k must be at least 1, got {k}")


def _direction(space: "Space", word: str, row: int) -> np.ndarray:
    """The unit vector (float32) of a query word; a zero vector or one that is not finite has no
    direction: :class:`QueryError` (a query never answers NaN)."""
    v = np.asarray(space.vectors[row], dtype=np.float32)
    where = f" in {space.name!r}" if space.name else ""
    if not np.isfinite(v).all():
        raise QueryError(f"{word!r} has a vector that is not finite (NaN or infinity){where}: it has no direction")
    n = _norm(space, row)
    if not n > 0:
        raise QueryError(f"{word!r} has a zero vector{where}: it has no direction")
    return (v / n).astype(np.float32)


def _norm(space: "Space", row: int) -> float:
    """The stored norm of a row, or its float64 norm where float32 cannot hold it (huge values;
    NaN for a row that is not finite)."""
    n = space.norms[row]
    if np.isfinite(n):
        return n
    v = np.asarray(space.vectors[row], dtype=np.float64)
    return float(np.linalg.norm(v)) if np.isfinite(v).all() else float("nan")


def _candidates(space: "Space", restrict: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    n = len(space) if restrict is None else max(0, min(int(restrict), len(space)))
    if restrict is not None and int(restrict) < 1:
        raise QueryError(f"restrict must be at least 1, got {restrict}")
    vectors = np.asarray(space.vectors[:n])
    norms = np.asarray(space.norms[:n])
    bad = np.flatnonzero(~np.isfinite(norms))
    if len(bad):  # norms float32 cannot hold, rows that are not finite (NaN: no score)
        norms = norms.astype(np.float64)
        norms[bad] = [_norm(space, int(r)) for r in bad]
    return vectors, norms, n


def _cosines(vectors: np.ndarray, norms: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``vectors @ q / norms`` (q unit length); rows without a direction (zero, not finite) score NaN."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return (vectors @ q) / norms


def _rankable(scores: np.ndarray) -> np.ndarray:
    """NaN (zero vectors, undefined pair directions) ranks last, as -inf: such a word has no score,
    so it is never a result."""
    bad = ~np.isfinite(scores)
    if bad.any():
        scores = np.where(bad, -np.inf, scores)
    return scores


def _top(scores: np.ndarray, k: int, exclude: set[int]) -> list[int]:
    """Rows of the k best scores (descending), skipping ``exclude`` and the rows without a score."""
    n = len(scores)
    want = min(n, k + len(exclude))
    if want <= 0:
        return []
    if want < n:
        part = np.argpartition(-scores, want - 1)[:want]
    else:
        part = np.arange(n)
    order = part[np.argsort(-scores[part], kind="stable")]
    return [int(i) for i in order if int(i) not in exclude and scores[i] != -np.inf][:k]


def _rank_of(scores: np.ndarray, s: float, exclude_rows: Iterable[int] = ()) -> int:
    """1 + the number of candidates scoring strictly higher than s (not counting exclude_rows)."""
    if s != s:  # NaN: after everything with a score
        scored = int(np.count_nonzero(~np.isneginf(scores)))
        return scored - sum(1 for r in set(exclude_rows) if r < len(scores) and scores[r] != -np.inf) + 1
    higher = int(np.count_nonzero(scores > s))
    higher -= sum(1 for r in exclude_rows if r < len(scores) and scores[r] > s)
    return higher + 1


def _word_rank(space: "Space", scores: np.ndarray, score_of, word: str, row: int, role: str,
               excluded: bool, exclude_rows: Iterable[int]) -> WordRank:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = float(scores[row]) if row < len(scores) else float(score_of(row))
    if not np.isfinite(s):
        s = float("nan")
    rank = _rank_of(scores, s, exclude_rows)
    return WordRank(word, role, None if s != s else s, rank, excluded, row < len(scores))


def _results(space: "Space", scores: np.ndarray, k: int, exclude: set[int]) -> list[Scored]:
    out = []
    for i, r in enumerate(_top(scores, k, exclude)):
        out.append(Scored(space.words[r], float(scores[r]), i + 1))
    return out


# -- neighbours and expressions -------------------------------------------------------------
def _query_vector(space: "Space", query: str, force_expression: bool):
    """(text, terms, rows of the input words, unit query vector) of a word or an expression."""
    row = None if force_expression else _find(space, query)
    if row is not None:
        terms, text, rows = {query: 1.0}, query, {query: row}
        q = _direction(space, query, row)
    else:
        from vecs.static.expression import evaluate  # only for expressions: a cold word query skips it

        ev = evaluate(space, query)
        terms, text, q = ev.terms, ev.expression, ev.vector
        rows = dict(zip(ev.words, ev.rows))
    # gensim: mean of the weighted unit vectors, then unit length (the mean's scale does not matter)
    total = sum(abs(c) for c in terms.values()) or 1.0
    q = unit(np.asarray(q, dtype=np.float64) / total, np.float32)  # float64 first: no overflow for any total
    return text, terms, rows, q


def _ranked(space: "Space", cls, prepared, scores: np.ndarray, k: int, exclude_inputs: bool, n: int):
    text, terms, rows, q = prepared
    exclude = set(rows.values()) if exclude_inputs else set()

    def score_of(r: int) -> float:
        v = np.asarray(space.vectors[r], dtype=np.float32)
        return float(v @ q / _norm(space, r))

    inputs = [_word_rank(space, scores, score_of, w, r, "input", exclude_inputs, ()) for w, r in rows.items()]
    return cls(text, _results(space, scores, k, exclude), inputs, exclude_inputs, dict(terms), k, space.name, n)


def _approximate(*args):
    from vecs.static.ann import approximate  # imported when asked: the cold path stays small
    return approximate(*args)


def _expression_query(space: "Space", query: str, k: int, exclude_inputs: bool, restrict: int | None,
                      cls, force_expression: bool, index: str = "exact"):
    _check_k(k)
    prepared = _query_vector(space, query, force_expression)
    found, note = _approximate(space, [prepared], k, exclude_inputs, restrict, cls, index)
    if found:
        return found[0]
    vectors, norms, n = _candidates(space, restrict)
    scores = _rankable(_cosines(vectors, norms, prepared[3]))
    res = _ranked(space, cls, prepared, scores, k, exclude_inputs, n)
    res.note = note
    return res


def neighbours(space: "Space", query: str, k: int = 10, exclude_inputs: bool = True,
               restrict: int | None = None, index: str = "auto") -> NeighboursResult:
    """The ``k`` nearest words (cosine) to a word or to a vector expression (see
    :mod:`vecs.static.expression`). A query that is a word of the space is that word, even if it would
    parse otherwise (``don't``, ``u.s.``). The query's own words are left out unless
    ``exclude_inputs=False``; their ranks are in ``inputs`` either way. Same answers as gensim's
    ``most_similar``. ``index``: ``auto`` uses a stored approximate index where it pays, ``exact``
    never, ``ann`` requires one (:mod:`vecs.static.ann`); ``method`` says which answered."""
    return _expression_query(space, query, k, exclude_inputs, restrict, NeighboursResult, False, index)


def calc(space: "Space", expression: str, k: int = 10, exclude_inputs: bool = True,
         restrict: int | None = None) -> CalcResult:
    """Evaluate a vector expression (``biggest - big + small``) and rank the words nearest to it;
    ``inputs`` tells where each word of the expression would rank if kept."""
    return _expression_query(space, expression, k, exclude_inputs, restrict, CalcResult, True)


BLOCK_CELLS = 1 << 24  # scores held at once by neighbours_many (64 MB of float32)


def neighbours_many(space: "Space", queries: Sequence[str], k: int = 10, exclude_inputs: bool = True,
                    restrict: int | None = None, keep_errors: bool = False,
                    expression: bool = False, index: str = "auto") -> list:
    """:func:`neighbours` (:func:`calc` with ``expression``) of many queries in one pass: the query
    vectors are scored together, one matrix product per block of queries (``BLOCK_CELLS`` scores at
    a time), each result as the single call gives it. With ``keep_errors`` a query that cannot be
    answered (an unknown word, a bad expression) gives its :class:`~vecs.errors.VecsError` in its
    place instead of stopping the batch. ``index`` as in :func:`neighbours`."""
    _check_k(k)
    cls = CalcResult if expression else NeighboursResult
    vectors, norms, n = _candidates(space, restrict)
    out: list = []
    for query in queries:
        try:
            out.append(_query_vector(space, query, expression))
        except VecsError as e:
            if not keep_errors:
                raise
            out.append(e)
    todo = [i for i, p in enumerate(out) if not isinstance(p, VecsError)]
    found, note = _approximate(space, [out[i] for i in todo], k, exclude_inputs, restrict, cls, index)
    for i, r in zip(todo, found or []):
        out[i] = r
    step = max(1, BLOCK_CELLS // max(n, 1))
    for s in range(0, len(todo) if found is None else 0, step):
        idx = todo[s:s + step]
        block = np.stack([out[i][3] for i in idx])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scores = block @ vectors.T  # (queries, candidates)
            scores /= norms
        for j, i in enumerate(idx):
            out[i] = _ranked(space, cls, out[i], _rankable(scores[j]), k, exclude_inputs, n)
            out[i].note = note
    return out


def each(fn, space: "Space", items: Iterable[tuple], keep_errors: bool = False, **kw) -> list:
    """``fn(space, *item, **kw)`` for every item (a batch of analogies, pairs, groups), the model
    loaded once; with ``keep_errors`` an item that cannot be answered gives its
    :class:`~vecs.errors.VecsError` in its place."""
    out: list = []
    for item in items:
        try:
            out.append(fn(space, *item, **kw))
        except VecsError as e:
            if not keep_errors:
                raise
            out.append(e)
    return out


# -- analogies ------------------------------------------------------------------------------
def _analogy_scores(space: "Space", rows: list[int], units: list[np.ndarray], vectors: np.ndarray,
                    norms: np.ndarray, method: str):
    """Scores of every candidate for a : b :: c : ? and a scorer for rows beyond the candidates."""
    ra, rb, rc = rows
    ua, ub, uc = units
    if method == "add":
        # gensim most_similar(positive=[b, c], negative=[a]): weighted mean of unit vectors, unit length
        mean = np.zeros(space.dim, dtype=np.float32)
        for w, u in ((1.0, ub), (1.0, uc), (-1.0, ua)):
            mean += np.float64(w) * u
        q = unit(mean / 3.0, np.float32)
        scores = _cosines(vectors, norms, q)

        def score_of(r):
            return float(np.asarray(space.vectors[r], dtype=np.float32) @ q / _norm(space, r))
    elif method == "mul":
        # gensim most_similar_cosmul(positive=[b, c], negative=[a]): cosines shifted to [0, 1]
        def shifted(v, n, u):
            with np.errstate(divide="ignore", invalid="ignore"):
                return (1 + v @ u / n) / 2

        scores = shifted(vectors, norms, ub) * shifted(vectors, norms, uc) / (shifted(vectors, norms, ua) + _EPS)

        def score_of(r):
            v, n = np.asarray(space.vectors[r], dtype=np.float32), _norm(space, r)
            return float(shifted(v, n, ub) * shifted(v, n, uc) / (shifted(v, n, ua) + _EPS))
    else:
        # PairDirection: cos(x - c, b - a) on unit vectors; |x - c|^2 = 2 - 2 cos(x, c)
        d = ub - ua
        dn = float(np.linalg.norm(d))
        if dn == 0:
            raise QueryError(f"{space.words[ra]!r} and {space.words[rb]!r} have the same direction: "
                             "the pair direction b - a is zero")
        cd = float(uc @ d)

        def pair(v, n):
            with np.errstate(divide="ignore", invalid="ignore"):
                xc = v @ uc / n
                num = v @ d / n - cd
                den = np.sqrt(np.maximum(2.0 - 2.0 * xc, 0.0)) * dn
                return np.where(den > 1e-6, num / den, np.nan)

        scores = pair(vectors, norms).astype(np.float32)

        def score_of(r):
            return float(pair(np.asarray(space.vectors[r], dtype=np.float32)[None, :], _norm(space, r))[0])
    return scores, score_of


def analogy(space: "Space", a: str, b: str, c: str, k: int = 5, method: Method = "add",
            exclude_inputs: bool = True, expected: str | None = None,
            restrict: int | None = None) -> AnalogyResult:
    """``a : b :: c : ?`` — ``man king woman`` gives ``queen``.

    ``method``: ``add`` (3CosAdd, same scores as gensim ``most_similar(positive=[b, c],
    negative=[a])``), ``mul`` (3CosMul, as gensim ``most_similar_cosmul``), ``pair``
    (PairDirection, ``cos(x - c, b - a)``). The result always reports the rank and score each of
    a, b, c would have had if kept, and those of ``expected`` when given."""
    _check_k(k)
    if method not in METHODS:
        raise QueryError(f"unknown analogy method {method!r}; choose one of {', '.join(METHODS)}")
    rows = space.rows([a, b, c])  # UnknownWord with suggestions
    units = [_direction(space, w, r) for w, r in zip((a, b, c), rows)]  # QueryError: zero, not finite
    exp_row = space.row(expected) if expected is not None else None
    vectors, norms, n = _candidates(space, restrict)
    scores, score_of = _analogy_scores(space, rows, units, vectors, norms, method)
    scores = _rankable(np.asarray(scores, dtype=np.float32))
    exclude = set(rows) if exclude_inputs else set()
    inputs = [_word_rank(space, scores, score_of, w, r, role, exclude_inputs, ())
              for w, r, role in zip((a, b, c), rows, "abc")]
    exp = None
    if expected is not None:
        if exp_row in rows:
            exp = _word_rank(space, scores, score_of, expected, exp_row, "expected", exclude_inputs, ())
        else:
            exp = _word_rank(space, scores, score_of, expected, exp_row, "expected", False, exclude)
    top = None
    best_input = min(inputs, key=lambda i: i.rank)
    if best_input.rank == 1 and best_input.score is not None:
        top = best_input.word
    return AnalogyResult(a, b, c, method, _results(space, scores, k, exclude), inputs, exclude_inputs, exp,
                         top, k, space.name, n)


def exclusion_effect(space: "Space", a: str, b: str, c: str, k: int = 5, expected: str | None = None,
                     method: Method = "add") -> ExclusionEffect:
    """:func:`analogy` with ``exclude_inputs`` True and False, side by side."""
    return ExclusionEffect(analogy(space, a, b, c, k=k, method=method, expected=expected, exclude_inputs=True),
                           analogy(space, a, b, c, k=k, method=method, expected=expected, exclude_inputs=False))


# -- pairs and groups -----------------------------------------------------------------------
def similarity(space: "Space", w1: str, w2: str) -> float:
    """Cosine similarity of two words (as gensim's ``similarity``). A word whose vector is zero
    or not finite has no direction: :class:`QueryError`, never NaN."""
    u1, u2 = (_direction(space, w, r) for w, r in zip((w1, w2), space.rows([w1, w2])))
    return float(np.clip(np.dot(u1, u2), -1.0, 1.0))


def similarity_of(space: "Space", w1: str, w2: str) -> Similarity:
    """:func:`similarity` as a result (the words, the score, the model), for batches and JSON."""
    return Similarity([w1, w2], similarity(space, w1, w2), space.name)


def odd_one_out(space: "Space", words: Sequence[str]) -> OddOneOut:
    """The word that fits least: the one least similar to the mean of the unit vectors (gensim's
    ``doesnt_match``, except that an unknown word is an error, not silently dropped)."""
    words = list(words)
    if len(words) < 3:
        raise QueryError(f"odd one out needs at least 3 words, got {len(words)}")
    rows = space.rows(words)
    units = np.stack([_direction(space, w, r) for w, r in zip(words, rows)])  # QueryError: no direction
    mean = units.mean(axis=0)
    if not mean.any():
        raise QueryError(f"the unit vectors of {', '.join(words)} cancel out: their mean has no direction")
    dists = units @ unit(mean, np.float32)
    order = sorted(range(len(words)), key=lambda i: (float(dists[i]), words[i]))
    scores = [Scored(words[i], float(dists[i]), rank + 1) for rank, i in enumerate(order)]
    margin = scores[1].score - scores[0].score
    return OddOneOut(scores[0].word, scores, float(margin), space.name)
