"""Where the points of a word map go: the projections (PCA, t-SNE, UMAP, in 2-D or 3-D) and the
words with their neighbours, computed once and drawn by either renderer (matplotlib in
:mod:`vecs.plot.static`, plotly in :mod:`vecs.plot.html`). scikit-learn and umap-learn are
imported inside the functions; randomness comes from ``seed`` only, so a seed gives the same map.

* **pca** — ``sklearn.decomposition.PCA`` of the unit vectors, each component's sign fixed (largest
  loading positive).
* **tsne** — t-SNE (cosine), perplexity ``min(30, (n - 1) / 3)``, PCA initialisation.
* **umap** — UMAP (``umap-learn``, cosine), ``n_neighbors = min(15, n - 1)``, ``random_state=seed``
  (which also makes it single-threaded: the same seed gives the same map).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.errors import PlotError
from vecs.linalg import unit_rows
from vecs.plot.canvas import tsne_perplexity

if TYPE_CHECKING:  # pragma: no cover
    from vecs.space import Space

METHODS = ("pca", "tsne", "umap")

MAX_NEIGHBOURS = 100  # neighbours per word on a map

MAX_POINTS = 5000  # points on a map (words and neighbours)

HOVER_NEIGHBOURS = 8  # nearest neighbours named when hovering a word of an HTML map


def pca(m: np.ndarray, seed: int = 0, dims: int = 2) -> tuple[np.ndarray, list[float]]:
    """The first ``dims`` principal components of the rows of ``m`` (zeros where there are fewer),
    each with a fixed sign, and their explained variance ratios."""
    from sklearn.decomposition import PCA

    n_comp = min(dims, m.shape[0], m.shape[1])
    p = PCA(n_components=n_comp, random_state=seed)
    xy = p.fit_transform(m)
    if xy.shape[1] < dims:
        xy = np.hstack([xy, np.zeros((len(xy), dims - xy.shape[1]))])
    for j in range(p.components_.shape[0]):  # a fixed sign: same picture every run
        comp = p.components_[j]
        if comp[np.argmax(np.abs(comp))] < 0:
            xy[:, j] = -xy[:, j]
    return xy, [float(x) for x in p.explained_variance_ratio_]


def project(m: np.ndarray, method: str = "pca", seed: int = 0, dims: int = 2) -> tuple[np.ndarray, str]:
    """``m``'s rows (unit vectors) in ``dims`` (2 or 3) dimensions by ``method``, and a line
    saying how."""
    if method not in METHODS:
        raise PlotError(f"unknown method {method!r}: use pca, tsne or umap")
    if dims not in (2, 3):
        raise PlotError(f"a map has 2 or 3 dimensions, not {dims}")
    n = len(m)
    if method == "pca":
        xy, evr = pca(m, seed, dims)
        evr = evr + [0.0] * (dims - len(evr))
        return xy, "PCA of unit vectors · explained variance " + " + ".join(f"{e:.0%}" for e in evr)
    if method == "tsne":
        if n < 3:
            raise PlotError("t-SNE needs at least three words")
        from sklearn.manifold import TSNE

        perp = tsne_perplexity(n)
        how = "exact" if n <= 300 or dims == 3 else "barnes_hut"  # exact: small maps, no approximation
        xy = TSNE(n_components=dims, perplexity=perp, random_state=seed, init="pca", metric="cosine",
                  method=how).fit_transform(m)
        return xy, f"t-SNE (cosine, perplexity {perp:.3g}, seed {seed})"
    if n < 4:
        raise PlotError("UMAP needs at least four words")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "n_jobs overridden by setting random_state": wanted
        from umap import UMAP

        k = int(min(15, n - 1))
        init = "spectral" if n > dims + 2 else "random"
        xy = UMAP(n_components=dims, n_neighbors=k, metric="cosine", random_state=seed, init=init,
                  min_dist=0.1).fit_transform(m)
    return np.asarray(xy, dtype=np.float64), f"UMAP (cosine, {k} neighbours, seed {seed})"


@dataclass
class WordMap:
    """The points of ``vecs plot words``: ``words`` (the asked words first, ``n_words`` of them,
    then their neighbours), ``xy`` (one row per word, 2 or 3 columns), ``nearest``: each asked
    word's nearest neighbours as ``(word, cosine)`` (for hovering), ``priority``: the label order
    (the words, then the nearest neighbours of each word in turn)."""
    name: str
    words: list[str]
    n_words: int
    xy: np.ndarray
    how: str
    method: str
    neighbours: int
    nearest: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    priority: list[int] = field(default_factory=list)


def word_map(space: "Space", words: Sequence[str], method: str = "pca", neighbours: int = 0, seed: int = 0,
             dims: int = 2, hover: int = 0) -> WordMap:
    """The :class:`WordMap` of ``words`` (and each one's ``neighbours`` nearest, at most
    :data:`MAX_NEIGHBOURS`; at most :data:`MAX_POINTS` points). ``hover``: how many nearest
    neighbours of each asked word to keep in ``nearest`` (for an interactive map)."""
    from vecs.static.query import neighbours as nearest_of

    if method not in METHODS:
        raise PlotError(f"unknown method {method!r}: use pca, tsne or umap")
    if neighbours > MAX_NEIGHBOURS:
        raise PlotError(f"at most {MAX_NEIGHBOURS} neighbours per word on a map, got {neighbours}")
    words = list(dict.fromkeys(words))
    if len(words) * (1 + max(0, neighbours)) > MAX_POINTS:
        raise PlotError(f"{len(words):,} words" + (f" with {neighbours} neighbours each" if neighbours > 0 else "")
                        + f" make more than {MAX_POINTS:,} points: too many for one map")
    space.rows(words)  # unknown words raise UnknownWord with suggestions
    extra: list[str] = []
    rank: list[tuple[int, int]] = []  # (neighbour rank, word) of each extra: the label order
    near: dict[str, list[tuple[str, float]]] = {}
    want = max(neighbours, hover)
    if want > 0:
        seen = set(words)
        for i, w in enumerate(words):
            res = nearest_of(space, w, k=want).results
            if hover:
                near[w] = [(r.word, float(r.score)) for r in res[:hover]]
            for r in res[:neighbours]:
                if r.word not in seen:
                    seen.add(r.word)
                    extra.append(r.word)
                    rank.append((r.rank, i))
    allw = words + extra
    if len(allw) < 2:
        raise PlotError("a map needs at least two words (or --neighbours)")
    m = unit_rows(space.vectors[space.rows(allw)], dtype=np.float64)
    xy, how = project(m, method, seed, dims)
    nw = len(words)
    order = list(range(nw)) + [nw + j for j in sorted(range(len(extra)), key=lambda j: rank[j])]
    return WordMap(space.name or "model", allw, nw, np.asarray(xy, dtype=np.float64), how, method, neighbours,
                   near, order)
