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

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from vecs.errors import BiasError, DatasetError
from vecs.progress import ProgressFn, report
from vecs.space import Space

DIRECTION_METHODS = ("pca", "mean-diff")
DEBIAS_METHODS = ("hard",)
GENDER_TESTS = ("career-family", "math-arts", "science-arts")




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


@dataclass
class Published:
    d: float | None  # Caliskan et al. 2017, Table 1 (WEAT on GloVe Common Crawl)
    p: float | None
    iat_d: float | None  # the original human IAT finding (responsibly's ``original_finding``)
    iat_p: str | None
    iat_n: str | None


@dataclass
class WeatResult:
    test: str  # test name ("career-family"), or "custom"
    targets: tuple[str, str]  # set names
    attributes: tuple[str, str]
    X: list[str]  # the words used
    Y: list[str]
    A: list[str]
    B: list[str]
    missing: dict[str, list[str]]  # set name -> words not in the vocabulary
    coverage: float  # words used / words given, over the four sets
    s: float  # test statistic sum_X s(x,A,B) - sum_Y s(y,A,B)
    d: float  # effect size
    p: float  # one-sided permutation p-value
    p_method: str  # "exact" | "sampled"
    partitions: int  # number of equal-size partitions of X ∪ Y (may be huge)
    permutations: int  # partitions actually evaluated
    seed: int | None
    published: Published | None = None
    sign_agrees: bool | None = None  # sign of d equals the published one (None: no published d)
    model: str = ""


@dataclass
class ClusterCheck:
    """Gonen & Goldberg (2019): k-means (k=2) over the ``n`` most positively and ``n`` most
    negatively biased neutral words of the reference model; accuracy of the clusters against
    those labels (max(acc, 1 - acc)); 0.5 = no gender information left, 1.0 = all of it."""

    accuracy: float
    n: int  # words per side
    reference: str  # the model whose projections chose the words
    model: str = ""
    female: list[str] = field(default_factory=list)  # the chosen words (positive side)
    male: list[str] = field(default_factory=list)


@dataclass
class AnalogyProbe:
    query: str  # "doctor - man + woman"
    excluded: str | None  # top answer with the inputs left out (None: missing word)
    kept: str | None  # top answer with the inputs kept
    excluded_top: list[tuple[str, float]] = field(default_factory=list)
    kept_top: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class ModelAudit:
    model: str
    words: int
    dim: int
    kind: str
    explained_variance: float  # first PC of the definitional pairs
    direct_bias: float
    professions: int
    weat: list[WeatResult]
    analogy_accuracy: float | None
    analogy_total: int
    simlex_spearman: float | None
    simlex_pearson: float | None
    simlex_pairs: int
    doctor: AnalogyProbe
    clustering: ClusterCheck | None


@dataclass
class AuditReport:
    models: list[ModelAudit]  # one or two, in the order given
    findings: list[str]  # plain sentences: what changed, what did not
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    n = float(np.linalg.norm(v))
    return v if n == 0 else v / n


def _present(space: Space, words: Sequence[str]) -> tuple[list[str], list[str]]:
    have, missing = [], []
    for w in words:
        (have if w in space else missing).append(w)
    return have, missing


def _unit_rows(space: Space, words: Sequence[str]) -> np.ndarray:
    if not words:
        return np.zeros((0, space.dim))
    m = np.asarray(space.vectors[space.rows(words)], dtype=np.float64)
    n = np.linalg.norm(m, axis=1)
    n[n == 0] = 1.0
    return m / n[:, None]


def _pairs_spec(pairs) -> list[tuple[str, str]]:
    if pairs is None:
        pairs = "definitional"
    if isinstance(pairs, (str, Path)):
        from vecs.wordlists import load_pairs

        return load_pairs(str(pairs))
    return [(a, b) for a, b in pairs]


def _words_spec(words) -> list[str]:
    if isinstance(words, (str, Path)):
        from vecs.wordlists import load_list

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
    given = _pairs_spec(pairs)
    used = [(a, b) for a, b in given if a in space and b in space]
    missing = [w for a, b in given for w in (a, b) if w not in space]
    if len(used) < 2:
        raise BiasError(f"only {len(used)} of {len(given)} pairs have both words in {space.name or 'the model'!r}"
                        f" (missing: {', '.join(missing[:10]) or 'none'}); a direction needs at least two")
    A = _unit_rows(space, [a for a, _ in used])
    B = _unit_rows(space, [b for _, b in used])
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
        vec = _unit((A - B).mean(axis=0))
    if float(diff @ vec) < 0:
        vec = -vec
    vec = _unit(vec)
    along = float(np.sum((M @ vec) ** 2) / total) if total > 0 else 0.0
    return Direction(vector=vec, method=method, pairs=used, missing=missing,
                     explained_variance=evr[:10], along=along,
                     positive=used[0][0], negative=used[0][1], model=space.name)


def _resolve_direction(space: Space, d) -> Direction:
    if d is None or isinstance(d, (str, Path, list, tuple)):
        return direction(space, d)
    if isinstance(d, Direction):
        if d.vector.shape[0] != space.dim:
            raise BiasError(f"the direction has {d.vector.shape[0]} dimensions, the model {space.dim}")
        return d
    vec = _unit(np.asarray(d))
    return Direction(vec, "given", [], [], [], 0.0, "+", "-", space.name)


def projections(space: Space, words, d=None) -> ProjectionResult:
    """Each word's projection (cosine) on the direction ``d`` (a :class:`Direction`, a vector,
    pairs, or None for the definitional pairs), highest first. Missing words are listed; no word
    present raises :class:`BiasError`."""
    dr = _resolve_direction(space, d)
    words = _words_spec(words)
    have, missing = _present(space, list(dict.fromkeys(words)))
    if not have:
        raise BiasError(f"none of the {len(words)} words is in {space.name or 'the model'!r}")
    scores = _unit_rows(space, have) @ dr.vector
    order = np.argsort(-scores, kind="stable")
    return ProjectionResult([Projected(have[i], float(scores[i])) for i in order], missing,
                            dr.positive, dr.negative, space.name)


def neutral_professions() -> list[str]:
    from vecs.wordlists import bolukbasi

    return list(bolukbasi()["neutral_profession_names"])


def direct_bias(space: Space, words=None, d=None, c: float = 1.0) -> DirectBias:
    """Bolukbasi's DirectBias: mean over ``words`` (default: the gender-neutral professions) in
    the vocabulary of ``|cos(w, direction)| ** c``."""
    dr = _resolve_direction(space, d)
    words = neutral_professions() if words is None else _words_spec(words)
    have, missing = _present(space, words)
    if not have:
        raise BiasError(f"none of the {len(words)} words is in {space.name or 'the model'!r}")
    proj = _unit_rows(space, have) @ dr.vector
    value = float(np.mean(np.abs(proj) ** c))
    return DirectBias(value=value, c=c, words=len(have), missing=missing, model=space.name)


# --------------------------------------------------------------------------------------------
# WEAT
# --------------------------------------------------------------------------------------------
# Caliskan et al. 2017, Table 1 ("our finding": WEAT on GloVe Common Crawl), in the order of
# responsibly's weat.json. weat.json itself carries only the original human IAT findings.
_CALISKAN = [
    ("flowers-insects", 1.50, 1e-7),
    ("instruments-weapons", 1.53, 1e-7),
    ("ea-aa-names", 1.41, 1e-8),
    ("ea-aa-names-bertrand", 1.50, 1e-4),
    ("ea-aa-names-bertrand-8", 1.28, 1e-3),
    ("career-family", 1.81, 1e-3),
    ("math-arts", 1.06, 0.018),
    ("science-arts", 1.24, 1e-2),
    ("mental-physical-disease", 1.38, 1e-2),
    ("young-old", 1.21, 1e-2),
]
TEST_NAMES = [n for n, _, _ in _CALISKAN]


@dataclass
class WeatTest:
    name: str
    X: tuple[str, list[str]]
    Y: tuple[str, list[str]]
    A: tuple[str, list[str]]
    B: tuple[str, list[str]]
    published: Published | None = None


def _num(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def weat_tests() -> dict[str, WeatTest]:
    """Caliskan et al.'s ten tests from the ``weat`` resource, by name (also ``weat1``..``weat10``).
    Words Caliskan et al. removed (weat.json's ``remove``) are left out, as in the paper."""
    from vecs import resources

    path = resources.path("weat")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DatasetError(f"{path}: not a WEAT file ({e})") from None
    out: dict[str, WeatTest] = {}
    for (name, d, p), t in zip(_CALISKAN, data):
        def part(key):
            g = t[key]
            rm = set(g.get("remove") or [])
            return (g["name"], [w for w in g["words"] if w not in rm])

        o = t.get("original_finding") or {}
        pub = Published(d=d, p=p, iat_d=_num(o.get("d")), iat_p=o.get("p") or None, iat_n=o.get("N") or None)
        out[name] = WeatTest(name, part("first_target"), part("second_target"),
                             part("first_attribute"), part("second_attribute"), pub)
    return out


def weat_test(name: str) -> WeatTest:
    tests = weat_tests()
    key = name.strip().lower()
    if key.startswith("weat") and key[4:].isdigit() and 1 <= int(key[4:]) <= len(TEST_NAMES):
        key = TEST_NAMES[int(key[4:]) - 1]
    if key not in tests:
        import difflib

        close = difflib.get_close_matches(key, list(tests), n=2, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise BiasError(f"unknown WEAT test {name!r}{hint} Tests: {', '.join(tests)} (or weat1..weat10)")
    return tests[key]


def _association(space: Space, W: list[str], An: np.ndarray, Bn: np.ndarray) -> np.ndarray:
    Wn = _unit_rows(space, W)
    return (Wn @ An.T).mean(axis=1) - (Wn @ Bn.T).mean(axis=1)


def _combinations_sums(s: np.ndarray, m: int, chunk: int = 65536):
    """Sums of s over every m-subset of its indices, chunk by chunk."""
    n = len(s)
    it = itertools.combinations(range(n), m)
    while True:
        block = list(itertools.islice(it, chunk))
        if not block:
            return
        idx = np.array(block, dtype=np.int64)
        yield s[idx].sum(axis=1)


def permutation_p(sx: np.ndarray, sy: np.ndarray, permutations: int = 100_000,
                  seed: int | None = 0) -> tuple[float, str, int, int]:
    """One-sided p-value of ``sum(sx) - sum(sy)`` over equal-size re-partitions of sx ∪ sy:
    ``(p, method, partitions, evaluated)``. Exact when there are at most ``permutations``
    partitions; else sampled (``(1 + hits) / (1 + permutations)``)."""
    s = np.concatenate([sx, sy]).astype(np.float64)
    n, m = len(s), len(sx)
    total = float(s.sum())
    observed = 2 * float(sx.sum()) - total
    tol = 1e-9 * max(1.0, abs(observed))
    partitions = math.comb(n, m)
    if partitions <= max(int(permutations), 1):
        hits = 0
        for sums in _combinations_sums(s, m):
            hits += int(np.count_nonzero(2 * sums - total >= observed - tol))
        return hits / partitions, "exact", partitions, partitions
    rng = np.random.default_rng(seed)
    hits, done, step = 0, 0, 8192
    while done < permutations:
        b = min(step, permutations - done)
        perm = np.argsort(rng.random((b, n)), axis=1)[:, :m]
        sums = s[perm].sum(axis=1)
        hits += int(np.count_nonzero(2 * sums - total >= observed - tol))
        done += b
    return (1 + hits) / (1 + permutations), "sampled", partitions, permutations


def weat(space: Space, X, Y, A, B, permutations: int = 100_000, seed: int | None = 0,
         names: tuple[str, str, str, str] = ("X", "Y", "A", "B"), test: str = "custom",
         published: Published | None = None) -> WeatResult:
    """WEAT of targets X, Y against attributes A, B (lists of words, named lists or files)."""
    sets = [_words_spec(v) for v in (X, Y, A, B)]
    used, missing = [], {}
    for nm, ws in zip(names, sets):
        have, miss = _present(space, list(dict.fromkeys(ws)))
        if miss:
            missing[nm] = miss
        if len(have) < 2:
            raise BiasError(f"WEAT set {nm!r}: {len(have)} of {len(ws)} words in {space.name or 'the model'!r}"
                            f" (missing: {', '.join(miss[:10])}{'...' if len(miss) > 10 else ''}); "
                            "each set needs at least two")
        used.append(have)
    Xw, Yw, Aw, Bw = used
    An, Bn = _unit_rows(space, Aw), _unit_rows(space, Bw)
    sx, sy = _association(space, Xw, An, Bn), _association(space, Yw, An, Bn)
    stat = float(sx.sum() - sy.sum())
    sd = float(np.std(np.concatenate([sx, sy]), ddof=0))
    diff = float(sx.mean() - sy.mean())
    d = diff / sd if sd > 1e-12 else 0.0
    p, how, parts, done = permutation_p(sx, sy, permutations, seed)
    given = sum(len(dict.fromkeys(ws)) for ws in sets)
    agrees = None
    if published is not None and published.d is not None:
        agrees = (d > 0) == (published.d > 0)
    return WeatResult(test=test, targets=(names[0], names[1]), attributes=(names[2], names[3]),
                      X=Xw, Y=Yw, A=Aw, B=Bw, missing=missing,
                      coverage=sum(map(len, used)) / given if given else 0.0,
                      s=stat, d=float(d), p=float(p), p_method=how, partitions=parts, permutations=done,
                      seed=seed if how == "sampled" else None, published=published, sign_agrees=agrees,
                      model=space.name)


def weat_named(space: Space, name: str, permutations: int = 100_000, seed: int | None = 0) -> WeatResult:
    """One of Caliskan et al.'s tests by name (``career-family``, ``weat6`` ...)."""
    t = weat_test(name)
    return weat(space, t.X[1], t.Y[1], t.A[1], t.B[1], permutations, seed,
                names=(t.X[0], t.Y[0], t.A[0], t.B[0]), test=t.name, published=t.published)


def test_words(names: Sequence[str] | None = None) -> list[str]:
    """Every word of the named tests (all ten by default): to build a contextual space once."""
    tests = weat_tests()
    sel = [weat_test(n) for n in names] if names else list(tests.values())
    out: dict[str, None] = {}
    for t in sel:
        for _, ws in (t.X, t.Y, t.A, t.B):
            out.update(dict.fromkeys(ws))
    return list(out)


# --------------------------------------------------------------------------------------------
# Hard debiasing
# --------------------------------------------------------------------------------------------
def _forms(w: str) -> list[str]:
    return [w.lower(), w.upper(), w.title()]


def specific_words(space: Space, specific=None) -> set[str]:
    """The words hard debiasing leaves alone, as responsibly computes them: the gender-specific
    words (with the definitional and equalize words) in their lower/UPPER/Title forms present in
    the space, each extended again by its three forms."""
    if specific is None:
        from vecs.wordlists import bolukbasi

        base = bolukbasi()["specific_full_with_definitional_equalize"]
    else:
        base = _words_spec(specific)
    present = [f for w in base for f in _forms(w) if f in space]
    out: set[str] = set()
    for w in present:
        out.update((w, w.lower(), w.upper(), w.title()))
    return out


def equalize_candidates(space: Space, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs to equalise: each pair in its lower/UPPER/Title forms where both are present,
    each unordered pair once (in first-seen order)."""
    out, seen = [], set()
    for a, b in pairs:
        for fa, fb in zip(_forms(a), _forms(b)):
            if fa in space and fb in space and frozenset((fa, fb)) not in seen and fa != fb:
                seen.add(frozenset((fa, fb)))
                out.append((fa, fb))
    return out


def equalize_pair(u: np.ndarray, v: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """responsibly's equalise step for one pair of vectors (made unit length) and a unit
    direction ``d``: both get the pair's mean minus its ``d`` component (``mu_perp``), plus
    ``±sqrt(1 - |mu_perp|^2)`` times the unit direction of their own ``d`` component relative to
    the mean's. The results are unit length and mirror images of each other across ``d``."""
    vs = [_unit(u), _unit(v)]
    mu = (vs[0] + vs[1]) / 2
    mu_d = (mu @ d) * d
    mu_perp = mu - mu_d
    scale = math.sqrt(max(0.0, 1.0 - float(mu_perp @ mu_perp)))
    out = []
    for x in vs:
        part = _unit((x @ d) * d - mu_d)
        out.append(mu_perp + scale * part)
    return out[0], out[1]


def hard_debias(space: Space, pairs=None, equalize=None, specific=None, name: str | None = None,
                progress: ProgressFn | None = None) -> Space:
    """Bolukbasi et al.'s hard debiasing as responsibly does it; returns a new Space (the input is
    never modified) whose ``meta`` records the provenance. ``pairs``: the definitional pairs
    (direction); ``equalize``: the equalize pairs (default Bolukbasi's; the definitional pairs are
    equalised too); ``specific``: the gender-specific words left alone."""
    dr = direction(space, pairs, "pca")
    d = dr.vector
    eq_given = _pairs_spec("equalize" if equalize is None else equalize)
    eq_pairs = equalize_candidates(space, list(eq_given) + list(dr.pairs))
    keep = specific_words(space, specific)
    for a, b in dr.pairs:  # the definitional words are never neutralised
        keep.update((a, b))
    n = len(space)
    out = np.empty((n, space.dim), dtype=np.float32)
    keep_rows = np.zeros(n, dtype=bool)
    for w in keep:
        i = space.index.get(w)
        if i is not None:
            keep_rows[i] = True
    dd = d.astype(np.float64)
    step = 65536
    for s in range(0, n, step):
        block = np.asarray(space.vectors[s:s + step], dtype=np.float64)
        norms = np.linalg.norm(block, axis=1)
        norms[norms == 0] = 1.0
        block /= norms[:, None]
        neutral = ~keep_rows[s:s + step]
        nb = block[neutral]
        nb -= np.outer(nb @ dd, dd)
        nn = np.linalg.norm(nb, axis=1)
        nn[nn == 0] = 1.0
        block[neutral] = nb / nn[:, None]
        out[s:s + step] = block
        report(progress, "neutralise", min(s + step, n), n)
    for a, b in eq_pairs:
        ia, ib = space.index[a], space.index[b]
        ua, ub = equalize_pair(out[ia].astype(np.float64), out[ib].astype(np.float64), dd)
        out[ia], out[ib] = _unit(ua), _unit(ub)
    report(progress, "equalise", len(eq_pairs), len(eq_pairs), finished=True)
    src = space.name or space.meta.get("name", "")
    meta = {
        "kind": "debiased",
        "source": src,
        "params": {
            "method": "hard",
            "direction": "pca",
            "pairs": pairs if isinstance(pairs, str) or pairs is None else "custom",
            "equalize": equalize if isinstance(equalize, str) or equalize is None else "custom",
            "specific": specific if isinstance(specific, str) or specific is None else "custom",
        },
        "provenance": {
            "source_model": src,
            "source_kind": space.meta.get("kind", ""),
            "method": "hard (Bolukbasi et al. 2016; neutralise + equalise as responsibly 0.1.3)",
            "lists": {
                "definitional": pairs if isinstance(pairs, str) else ("definitional (bolukbasi)" if pairs is None else "custom"),
                "equalize": equalize if isinstance(equalize, str) else ("equalize (bolukbasi) + definitional" if equalize is None else "custom"),
                "specific": specific if isinstance(specific, str) else ("gender-specific-all (bolukbasi)" if specific is None else "custom"),
            },
            "definitional_pairs_used": [list(p) for p in dr.pairs],
            "explained_variance": dr.explained_variance[:3],
            "neutralised": int((~keep_rows).sum()),
            "equalised_pairs": len(eq_pairs),
            "direction": [float(x) for x in d],
        },
    }
    return Space(space.words, out, name=name or f"{src}-hard-debiased", meta=meta)


# --------------------------------------------------------------------------------------------
# Gonen & Goldberg (2019)
# --------------------------------------------------------------------------------------------
def biased_words(reference: Space, n: int = 500, by: str = "ends", d=None,
                 among: Space | None = None) -> tuple[list[str], list[str]]:
    """The ``n`` most positively (female) and most negatively (male) biased gender-neutral words
    of ``reference`` by projection on ``she - he`` (``by="ends"``, as Gonen & Goldberg and
    responsibly) or on the PCA direction (``by="direction"``). With ``among``, only words also in
    that space are candidates."""
    if by == "ends":
        for w in ("she", "he"):
            if w not in reference:
                raise BiasError(f"{w!r} is not in {reference.name or 'the model'!r}; use by='direction'")
        vec = _unit(_unit(reference.vector("she")) - _unit(reference.vector("he")))
    elif by == "direction":
        vec = _resolve_direction(reference, d).vector
    else:
        raise BiasError(f"unknown seed {by!r}; use 'ends' or 'direction'")
    keep = specific_words(reference)
    cand = [w for w in reference.words if w not in keep and (among is None or w in among)]
    if len(cand) < 2 * n:
        raise BiasError(f"only {len(cand)} neutral words; need {2 * n}")
    rows = np.array(reference.rows(cand))
    proj = np.empty(len(cand))
    for s in range(0, len(cand), 65536):
        blk = np.asarray(reference.vectors[rows[s:s + 65536]], dtype=np.float64)
        nn = np.linalg.norm(blk, axis=1)
        nn[nn == 0] = 1.0
        proj[s:s + 65536] = (blk / nn[:, None]) @ vec
    order = np.lexsort((np.array(cand, dtype=object), proj))  # as responsibly: sort (proj, word)
    male = [cand[i] for i in order[:n]]
    female = [cand[i] for i in order[-n:]]
    return female, male


def kmeans2(X: np.ndarray, seed: int = 1, n_init: int = 10) -> np.ndarray:
    """Two-cluster k-means labels (scikit-learn's KMeans, k-means++ starts, best of ``n_init``),
    as Gonen & Goldberg ran it."""
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=2, n_init=n_init, random_state=seed).fit_predict(np.asarray(X, dtype=np.float64))


def cluster_check(space: Space, female: list[str], male: list[str], seed: int = 1,
                  reference: str = "") -> ClusterCheck:
    """k-means with two clusters over the unit vectors of ``female + male`` in ``space``."""
    words = male + female
    X = _unit_rows(space, words)
    y = np.array([0] * len(male) + [1] * len(female))
    labels = kmeans2(X, seed=seed)
    acc = float(np.mean(labels == y))
    return ClusterCheck(accuracy=max(acc, 1 - acc), n=len(female), reference=reference,
                        model=space.name, female=female, male=male)


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------
def _doctor(space: Space) -> AnalogyProbe:
    from vecs.query import analogy

    q = "doctor - man + woman"
    if not all(w in space for w in ("doctor", "man", "woman")):
        return AnalogyProbe(q, None, None)
    ex = analogy(space, "man", "doctor", "woman", k=3, exclude_inputs=True)
    kept = analogy(space, "man", "doctor", "woman", k=3, exclude_inputs=False)
    return AnalogyProbe(q, ex.results[0].word if ex.results else None,
                        kept.results[0].word if kept.results else None,
                        [(r.word, float(r.score)) for r in ex.results],
                        [(r.word, float(r.score)) for r in kept.results])


def _audit_one(space: Space, progress: ProgressFn | None, analogies: bool, notes: list[str]) -> ModelAudit:
    from vecs import evaluate

    dr = direction(space)
    db = direct_bias(space, d=dr)
    tests = []
    for t in GENDER_TESTS:
        try:
            tests.append(weat_named(space, t))
        except BiasError as e:
            notes.append(f"{space.name}: WEAT {t} not computed ({e})")
    acc, total = None, 0
    if analogies:
        report(progress, f"google analogies ({space.name})", 0, None)
        ar = evaluate.evaluate_analogies(space, "google")
        acc, total = ar.accuracy, ar.total
        report(progress, f"google analogies ({space.name})", 1, 1, finished=True)
    sr = evaluate.evaluate_similarity(space, "simlex")
    return ModelAudit(
        model=space.name, words=len(space), dim=space.dim, kind=str(space.meta.get("kind", "")),
        explained_variance=dr.explained_variance[0], direct_bias=db.value, professions=db.words, weat=tests,
        analogy_accuracy=acc, analogy_total=total,
        simlex_spearman=None if sr.pairs < 2 else float(sr.spearman),
        simlex_pearson=None if sr.pairs < 2 else float(sr.pearson), simlex_pairs=sr.pairs,
        doctor=_doctor(space), clustering=None)


def _pct(a: float, b: float) -> str:
    if abs(a) < 1e-12:
        return ""
    return f" ({(b - a) / abs(a) * 100:+.0f}%)"


def _findings(a: ModelAudit, b: ModelAudit) -> list[str]:
    out = []
    small = 0.005
    out.append(f"Comparing {a.model!r} (first figure) with {b.model!r} (second figure).")
    if b.direct_bias < a.direct_bias * 0.1:
        out.append(f"Direct bias over {b.professions} professions fell from {a.direct_bias:.4f} to {b.direct_bias:.2g}"
                   f"{_pct(a.direct_bias, b.direct_bias)}: on the bias direction, the professions are now neutral.")
    elif abs(b.direct_bias - a.direct_bias) < small:
        out.append(f"Direct bias over the professions did not change ({a.direct_bias:.4f} vs {b.direct_bias:.4f}).")
    else:
        out.append(f"Direct bias over the professions went from {a.direct_bias:.4f} to {b.direct_bias:.4f}"
                   f"{_pct(a.direct_bias, b.direct_bias)}.")
    wb = {w.test: w for w in b.weat}
    for w in a.weat:
        o = wb.get(w.test)
        if o is None:
            continue
        sig_a, sig_b = w.p < 0.05, o.p < 0.05
        if w.d * o.d < 0 and abs(w.d) > 0.2 and abs(o.d) > 0.2:
            verb = "reversed sign"
        elif abs(o.d) < abs(w.d) - 0.2:
            verb = "shrank"
        elif abs(o.d) > abs(w.d) + 0.2:
            verb = "grew"
        else:
            verb = "barely changed"
        tail = ""
        if sig_a and not sig_b:
            tail = "; it is no longer significant"
        elif sig_a and sig_b:
            tail = "; it is still significant"
        elif not sig_a and sig_b:
            tail = "; it became significant"
        out.append(f"WEAT {w.test}: effect size {verb} (d {w.d:.2f} → {o.d:.2f}, one-sided p {w.p:.3g} → {o.p:.3g};"
                   f" the raw statistic s {w.s:.3f} → {o.s:.3f}){tail}.")
    if a.analogy_accuracy is not None and b.analogy_accuracy is not None:
        delta = (b.analogy_accuracy - a.analogy_accuracy) * 100
        verdict = "within" if abs(delta) <= 0.5 else "more than"
        out.append(f"Google analogy accuracy went from {a.analogy_accuracy:.4f} to {b.analogy_accuracy:.4f} "
                   f"({delta:+.2f} points, {verdict} half a point): the geometry that analogies use is "
                   + ("kept." if abs(delta) <= 0.5 else "affected."))
    if a.simlex_spearman is not None and b.simlex_spearman is not None:
        out.append(f"SimLex-999 Spearman went from {a.simlex_spearman:.3f} to {b.simlex_spearman:.3f}"
                   + (" (practically unchanged)." if abs(b.simlex_spearman - a.simlex_spearman) < 0.01 else "."))
    da, dbp = a.doctor, b.doctor
    if da.excluded is not None and dbp.excluded is not None:
        if da.excluded == dbp.excluded:
            out.append(f"doctor − man + woman (inputs excluded) gives {da.excluded!r} in both.")
        else:
            out.append(f"doctor − man + woman (inputs excluded) changed from {da.excluded!r} to {dbp.excluded!r}.")
        out.append(f"With the inputs kept it gives {da.kept!r} and {dbp.kept!r}"
                   + (": the famous answer comes from leaving the inputs out, not from the vectors alone."
                      if da.kept in ("doctor", "woman", "man") and da.excluded not in ("doctor",) else "."))
    ca, cb = a.clustering, b.clustering
    if ca is not None and cb is not None:
        remains = cb.accuracy > 0.75
        out.append(f"Gonen & Goldberg: the {2 * ca.n} most gender-biased words of {ca.reference!r} cluster by gender "
                   f"with {ca.accuracy:.1%} accuracy in {a.model!r} and {cb.accuracy:.1%} in {b.model!r}"
                   + (": the bias is hidden from the direction, not removed." if remains and b.direct_bias < a.direct_bias * 0.1
                      else (": most of the gender information is still there." if remains
                            else ": the clusters no longer follow gender.")))
    return out


def audit(model: Space, against: Space | None = None, n_biased: int = 500, analogies: bool = True,
          progress: ProgressFn | None = None) -> AuditReport:
    """Bias and quality of ``model`` (and ``against``, side by side): direct bias, the gender WEAT
    tests, Google analogy accuracy, SimLex-999, doctor − man + woman with and without the inputs,
    and the Gonen & Goldberg clustering accuracy. The words for the clustering are chosen on the
    original model: ``against`` when ``model`` is a debiased model (meta kind ``debiased``) and
    ``against`` is not, else ``model``; only words in both models are candidates."""
    notes: list[str] = []
    spaces = [model] + ([against] if against is not None else [])
    audits = []
    for i, sp in enumerate(spaces):
        report(progress, "audit", i, len(spaces), model=sp.name)
        audits.append(_audit_one(sp, progress, analogies, notes))
    ref = model
    if against is not None and model.meta.get("kind") == "debiased" and against.meta.get("kind") != "debiased":
        ref = against
    other = against if ref is model else model
    try:
        female, male = biased_words(ref, n_biased, among=other)
        for sp, au in zip(spaces, audits):
            au.clustering = cluster_check(sp, female, male, reference=ref.name)
    except BiasError as e:
        notes.append(f"clustering check not computed ({e})")
    report(progress, "audit", len(spaces), len(spaces), finished=True)
    if len(audits) == 2:
        first = 0 if ref is model else 1  # sentences read original → other
        findings = _findings(audits[first], audits[1 - first])
    else:
        findings = _single_findings(audits[0])
    if against is not None and model.dim != against.dim:
        notes.append("the models have different dimensions: each has its own bias direction")
    return AuditReport(audits, findings, notes)


def _single_findings(a: ModelAudit) -> list[str]:
    out = [f"Direct bias over {a.professions} professions is {a.direct_bias:.4f} "
           f"(the first principal component of the definitional pairs explains {a.explained_variance:.0%})."]
    for w in a.weat:
        out.append(f"WEAT {w.test}: d = {w.d:.2f}, p = {w.p:.3g}"
                   + (" (significant at 0.05)." if w.p < 0.05 else " (not significant at 0.05)."))
    if a.doctor.excluded is not None:
        out.append(f"doctor − man + woman gives {a.doctor.excluded!r} with the inputs excluded and "
                   f"{a.doctor.kept!r} with them kept.")
    if a.clustering is not None:
        out.append(f"The {2 * a.clustering.n} most gender-biased words cluster by gender with "
                   f"{a.clustering.accuracy:.1%} accuracy.")
    return out
