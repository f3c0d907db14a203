"""WEAT (vecs.bias.weat): d and p hand-computed, missing words, exact and sampled p-values,
Caliskan et al.'s tests, and their signs on the real GoogleNews vectors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from helpers import ok
from vecs.bias.weat import TEST_NAMES, permutation_p, weat, weat_named, weat_test, weat_tests
from vecs.errors import BiasError


def test_weat_hand_computed(weat_space):
    r = weat(weat_space, ["x1", "x2"], ["y1", "y2"], ["a1", "a2"], ["b1", "b2"])
    assert r.s == pytest.approx(2.4)
    assert r.d == pytest.approx(1.2 / math.sqrt(0.52))  # population std of {1, .2, -1, -.2}
    # partitions of {1, .2, -1, -.2} into 2+2: only the observed one reaches 2.4
    assert (r.p, r.p_method, r.partitions, r.permutations) == (pytest.approx(1 / 6), "exact", 6, 6)
    rev = weat(weat_space, ["y1", "y2"], ["x1", "x2"], ["a1", "a2"], ["b1", "b2"])
    assert rev.d == pytest.approx(-r.d) and rev.p == pytest.approx(1.0)


def test_weat_missing_words_and_errors(weat_space):
    r = weat(weat_space, ["x1", "x2", "nope"], ["y1", "y2"], ["a1", "a2"], ["b1", "b2", "gone"],
                  names=("X", "Y", "A", "B"))
    assert r.missing == {"X": ["nope"], "B": ["gone"]} and r.coverage == pytest.approx(8 / 10)
    assert r.d == pytest.approx(1.2 / math.sqrt(0.52))
    with pytest.raises(BiasError, match="at least two"):
        weat(weat_space, ["x1", "nope"], ["y1", "y2"], ["a1", "a2"], ["b1", "b2"])
    # no spread at all: d is 0, never NaN
    flat = weat(weat_space, ["z", "z2"], ["z3", "z4"], ["a1", "a2"], ["b1", "b2"])
    assert flat.d == 0.0 and not math.isnan(flat.p)


def test_permutation_p_exact_against_brute_force_and_sampled():
    rng = np.random.default_rng(3)
    sx, sy = rng.normal(0.3, 1, 6), rng.normal(0, 1, 6)
    import itertools

    s = np.concatenate([sx, sy])
    obs = sx.sum() - sy.sum()
    hits = sum(1 for c in itertools.combinations(range(12), 6)
               if 2 * s[list(c)].sum() - s.sum() >= obs - 1e-12)
    p, how, parts, _ = permutation_p(sx, sy, permutations=1000)
    assert (how, parts) == ("exact", 924) and p == pytest.approx(hits / 924)
    ps, how, _, n = permutation_p(sx, sy, permutations=500, seed=1)
    assert (how, n) == ("sampled", 500) and abs(ps - p) < 0.06
    assert ps == permutation_p(sx, sy, permutations=500, seed=1)[0]  # seeded


def test_weat_tests_and_unknown_name():
    t = weat_test("weat6")
    assert t.name == "career-family" and t.published.d == 1.81 and t.published.iat_d == 0.72
    assert len(weat_tests()["ea-aa-names"].X[1]) == 32  # Caliskan's removed names left out
    with pytest.raises(BiasError, match="unknown WEAT test"):
        weat_test("flowers-insect")


@pytest.mark.real
def test_googlenews_weat_signs_agree(googlenews):
    covered = 0
    for name in TEST_NAMES:
        try:
            r = weat_named(googlenews, name, permutations=20_000)
        except BiasError:  # names lists mostly absent from this lower-case vocabulary
            assert name in ("career-family", "young-old")
            continue
        covered += 1
        assert r.sign_agrees, (name, r.d)
        assert not math.isnan(r.d) and 0 < r.p <= 1
    assert covered == 8
    data = json.loads(ok(["bias", "weat", "weat8", "-m", "googlenews", "--json"]).stdout)
    r = data["results"][0]
    assert r["test"] == "science-arts" and r["p_method"] == "exact" and r["sign_agrees"] is True
    assert r["missing"] == {"Science": ["Einstein", "NASA"], "Arts": ["Shakespeare"]}
    assert r["published"]["d"] == 1.24 and r["d"] == pytest.approx(1.406, abs=1e-3)
    out = ok(["bias", "weat", "--all", "-m", "googlenews", "--permutations", "2000"]).stdout
    assert "career-family: not computed" in out and "signs agree with Caliskan et al. for 8 of 8" in out


def test_the_model_a_weat_runs_on(weat_space):
    from vecs.bias.weat import uses_template, weat_space as space_for
    from vecs.io.store import save

    save(weat_space, "wspace")
    assert not uses_template("wspace") and not uses_template(weat_space)
    assert uses_template("minilm")  # a transformer resource: template vectors
    assert uses_template("wspace", layer="3")  # any model given a layer
    assert not uses_template("googlenews")
    assert space_for(weat_space) is weat_space
    s = space_for("wspace")
    assert s.name == "wspace" and s.words == weat_space.words


def test_run_weat_custom_and_argument_errors(weat_space, tmp_path):
    from vecs.bias.weat import run_weat
    from vecs.errors import DatasetError

    files = []
    for name, words in {"X": "x1 x2", "Y": "y1 y2", "A": "a1 a2", "B": "b1 b2"}.items():
        (tmp_path / f"{name}.txt").write_text("\n".join(words.split()) + "\n")
        files.append(str(tmp_path / f"{name}.txt"))
    run = run_weat(weat_space, targets=tuple(files[:2]), attributes=tuple(files[2:]))
    assert run.model == "tiny" and run.skipped == [] and len(run.results) == 1
    r = run.results[0]
    assert r.targets == ("X", "Y") and r.attributes == ("A", "B") and r.p == pytest.approx(1 / 6)
    for kw, msg in [({}, "name a TEST"), ({"targets": tuple(files[:2])}, "needs both"),
                    ({"test": "weat1", "all_tests": True}, "not both"),
                    ({"test": "weat1", "targets": tuple(files[:2]), "attributes": tuple(files[2:])}, "not several")]:
        with pytest.raises(DatasetError, match=msg):
            run_weat("nosuchmodel", **kw)
