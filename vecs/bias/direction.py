"""Bias probes: a bias direction, projections on it, WEAT, direct bias, hard debiasing, the
Gonen & Goldberg clustering check, and an audit that puts two models side by side.

The choices follow responsibly 0.1.3 (``responsibly/we/bias.py``), which reproduces Bolukbasi
et al. (2016), so that the published figures on the GoogleNews vectors come out:

* **direction** (``method="pca"``): each definitional pair ``(a, b)`` is made unit length,
  centred on its midpoint, and both centred vectors (``a - c``, ``b - c``) go into a matrix
  whose first principal component is the direction (Bolukbasi's code, not the paper's "ten
  difference vectors"). It is oriented so that the first words of the pairs (``woman``,
  ``she``...) project positively. ``explained_variance`` gives the share of the first
  components (about 60% for the first on GoogleNews). ``method="mean-diff"``: the normalised
  mean of the unit difference vectors ``a - b``.
* **projection** of a word: the cosine of its vector with the direction.
* **direct bias** (Bolukbasi's DirectBias, ``c = 1``): the mean of ``|projection|**c`` over the
  gender-neutral professions (the profession names minus every gender-specific, definitional and
  equalize word) that are in the vocabulary: 303 words, 0.0731 on GoogleNews.
* **hard debiasing**: every vector is made unit length; every word that is not gender-specific
  (in any of its lower/UPPER/Title forms) loses its component along the direction (neutralise)
  and is renormalised; every equalize and definitional pair (in the forms present) is moved to
  be symmetric about the direction (equalise, with responsibly's formula). The direction is the
  original model's. Direct bias afterwards is ~1e-9.

WEAT (Caliskan, Bryson & Narayanan 2017): ``s(w, A, B)`` = mean cosine of ``w`` with ``A`` minus
with ``B``; the statistic is ``sum_X s - sum_Y s``; the effect size ``d`` = (mean_X s - mean_Y s)
/ std over X ∪ Y (population std, ``ddof=0``, as responsibly and WEFE); the one-sided p-value is
the share of equal-size re-partitions of X ∪ Y whose statistic is at least the observed one,
exact over all partitions when there are at most ``permutations`` of them, else estimated from
``permutations`` random partitions as ``(1 + hits) / (1 + permutations)``. Words missing from the
space are dropped and listed; a set with fewer than two words present raises
:class:`BiasError`; there is never a NaN (a zero spread gives ``d = 0``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from vecs.errors import BiasError
from vecs.linalg import unit, unit_rows
from vecs.space import Space

DIRECTION_METHODS = ("pca", "mean-diff")


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class Direction:
    """A unit bias direction; the first words of ``pairs`` project positively on it."""

    vector: np.ndarray
    method: str
    pairs: list[tuple[str, str]]  # the pairs used (both words in the vocabulary)
    missing: list[str]  # words of the given pairs that are not in the vocabulary
    explained_variance: list[float]  # share of each principal component of the centred pairs
    along: float  # share of the centred pairs' variance along ``vector`` (= first PC's for pca)
    positive: str  # label of the positive end (first word of the first pair)
    negative: str
    model: str = ""


@dataclass
class Projected:
    word: str
    score: float  # cosine with the direction (positive: towards ``positive``)


@dataclass
class ProjectionResult:
    results: list[Projected]  # sorted by score, highest first
    missing: list[str]
    positive: str
    negative: str
    model: str = ""


@dataclass
class DirectBias:
    value: float
    c: float
    words: int  # words used (in the vocabulary)
    missing: list[str]
    model: str = ""


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def split_present(space: Space, words: Sequence[str]) -> tuple[list[str], list[str]]:
    have, missing = [], []
    for w in words:
        (have if w in space else missing).append(w)
    return have, missing


def word_rows(space: Space, words: Sequence[str]) -> np.ndarray:
    """The unit vectors of ``words`` (float64, one row each; a zero vector stays zero)."""
    if not words:
        return np.zeros((0, space.dim))
    return unit_rows(space.vectors[space.rows(words)], dtype=np.float64)


def pairs_spec(pairs) -> list[tuple[str, str]]:
    if pairs is None:
        pairs = "definitional"
    if isinstance(pairs, (str, Path)):
        from vecs.bias.wordlists import load_pairs

        return load_pairs(str(pairs))
    return [(a, b) for a, b in pairs]


def words_spec(words) -> list[str]:
    if isinstance(words, (str, Path)):
        from vecs.bias.wordlists import load_list

        return load_list(str(words))
    return list(words)


# --------------------------------------------------------------------------------------------
# Direction and projections
# --------------------------------------------------------------------------------------------
def direction(space: Space, pairs=None, method: str = "pca") -> Direction:
    """The bias direction from ``pairs`` (a list of ``(a, b)``, a named pair list or a file;
    default: Bolukbasi's definitional pairs). Pairs with a word missing from the space are left
    out (and their missing words listed); fewer than two usable pairs raise :class:`BiasError`."""
    if method not in DIRECTION_METHODS:
        raise BiasError(f"unknown direction method {method!r}; use one of: {', '.join(DIRECTION_METHODS)}")
    given = pairs_spec(pairs)
    used = [(a, b) for a, b in given if a in space and b in space]
    missing = [w for a, b in given for w in (a, b) if w not in space]
    if len(used) < 2:
        raise BiasError(f"only {len(used)} of {len(given)} pairs have both words in {space.name or 'the model'!r}"
                        f" (missing: {', '.join(missing[:10]) or 'none'}); a direction needs at least two")
    A = word_rows(space, [a for a, _ in used])
    B = word_rows(space, [b for _, b in used])
    C = (A + B) / 2
    M = np.vstack([A - C, B - C])  # 2n rows, mean zero by construction
    M = M - M.mean(axis=0)  # as sklearn's PCA (a no-op up to rounding)
    _, s, vt = np.linalg.svd(M, full_matrices=False)
    var = s ** 2
    total = float(var.sum())
    evr = [float(x / total) for x in var] if total > 0 else [0.0] * len(var)
    diff = (A - B).sum(axis=0)
    if method == "pca":
        vec = vt[0]
    else:
        vec = unit((A - B).mean(axis=0))
    if float(diff @ vec) < 0:
        vec = -vec
    vec = unit(vec)
    along = float(np.sum((M @ vec) ** 2) / total) if total > 0 else 0.0
    return Direction(vector=vec, method=method, pairs=used, missing=missing,
                     explained_variance=evr[:10], along=along,
                     positive=used[0][0], negative=used[0][1], model=space.name)


def resolve_direction(space: Space, d) -> Direction:
    if d is None or isinstance(d, (str, Path, list, tuple)):
        return direction(space, d)
    if isinstance(d, Direction):
        if d.vector.shape[0] != space.dim:
            raise BiasError(f"the direction has {d.vector.shape[0]} dimensions, the model {space.dim}")
        return d
    vec = unit(np.asarray(d))
    return Direction(vec, "given", [], [], [], 0.0, "+", "-", space.name)


def projections(space: Space, words, d=None) -> ProjectionResult:
    """Each word's projection (cosine) on the direction ``d`` (a :class:`Direction`, a vector,
    pairs, or None for the definitional pairs), highest first. Missing words are listed; no word
    present raises :class:`BiasError`."""
    dr = resolve_direction(space, d)
    words = words_spec(words)
    have, missing = split_present(space, list(dict.fromkeys(words)))
    if not have:
        raise BiasError(f"none of the {len(words)} words is in {space.name or 'the model'!r}")
    scores = word_rows(space, have) @ dr.vector
    order = np.argsort(-scores, kind="stable")
    return ProjectionResult([Projected(have[i], float(scores[i])) for i in order], missing,
                            dr.positive, dr.negative, space.name)


def neutral_professions() -> list[str]:
    from vecs.bias.wordlists import bolukbasi

    return list(bolukbasi()["neutral_profession_names"])


def direct_bias(space: Space, words=None, d=None, c: float = 1.0) -> DirectBias:
    """Bolukbasi's DirectBias: mean over ``words`` (default: the gender-neutral professions, in
    Chinese ``zh-professions`` when the direction's pairs are Chinese) in the vocabulary of
    ``|cos(w, direction)| ** c``."""
    dr = resolve_direction(space, d)
    if words is None:  # the professions in the language of the direction's pairs
        from vecs.util import has_unspaced

        chinese = any(has_unspaced(w) for pair in dr.pairs for w in pair)
        words = words_spec("zh-professions") if chinese else neutral_professions()
    else:
        words = words_spec(words)
    have, missing = split_present(space, words)
    if not have:
        raise BiasError(f"none of the {len(words)} words is in {space.name or 'the model'!r}")
    proj = word_rows(space, have) @ dr.vector
    value = float(np.mean(np.abs(proj) ** c))
    return DirectBias(value=value, c=c, words=len(have), missing=missing, model=space.name)
