"""Spearman and Pearson without scipy (vecs.static.correlation) and gensim's unit vectors without
scipy's BLAS (vecs.static.eval_ties.blas_nrm2, gensim_unitvec): checked against scipy and gensim
themselves, which are installed (gensim needs scipy), on constructed cases and real vectors."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from vecs.static.correlation import pearson, rankdata, spearman
from vecs.static.eval_ties import blas_nrm2, gensim_unitvec

ROOT = Path(__file__).resolve().parents[2]


def _scipy(x, y):
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s, p = stats.spearmanr(x, y), stats.pearsonr(x, y)
    return float(s[0]), float(s[1]), float(p[0]), float(p[1])


def _same(ours: float, theirs: float, rel: float = 1e-12) -> bool:
    if math.isnan(theirs):
        return math.isnan(ours)
    return abs(ours - theirs) <= rel * abs(theirs) + 1e-300  # p-values below 1e-300 are denormal noise


def test_rankdata_averages_ties():
    assert rankdata([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert rankdata([3, 1, 2, 2, 3, 3]).tolist() == [5.0, 1.0, 2.5, 2.5, 5.0, 5.0]
    assert rankdata([]).tolist() == []


def test_known_values():
    # perfectly monotone: rho 1, p 0; perfectly linear: r 1
    assert spearman([1, 2, 3, 4], [10, 20, 30, 100]) == (1.0, 0.0)
    assert pearson([1, 2, 3], [2, 4, 6])[0] == pytest.approx(1.0)
    # two values: r is exactly +-1 and p 1, as scipy says
    assert pearson([1, 2], [5, 3]) == (-1.0, 1.0)
    # undefined: a constant input, too few values, a NaN
    for r, p in (spearman([1, 1, 1], [1, 2, 3]), pearson([1, 2, 3], [4, 4, 4]), spearman([1], [2]),
                 spearman([1, 2, math.nan], [1, 2, 3])):
        assert math.isnan(r) and math.isnan(p)
    with pytest.raises(ValueError):
        pearson([1, 2, 3], [1, 2])


@pytest.mark.parametrize("n", [3, 4, 5, 8, 20, 21, 22, 23, 30, 65, 100, 353, 999, 2034, 3000])
def test_identical_to_scipy(n):
    """The statistics to the last bit (the same numpy operations), the p-values to 1e-12."""
    rng = np.random.default_rng(n)
    for trial in range(12):
        x = rng.standard_normal(n)
        rho = rng.uniform(-1, 1) if trial % 4 else rng.choice([-0.9999, 0.99999999])
        y = rho * x + math.sqrt(1 - rho ** 2) * rng.standard_normal(n) * rng.choice([1e-3, 1.0, 10.0])
        if trial % 3 == 0:
            x = np.round(x, 1)  # ties
        if trial % 2:
            y = y.astype(np.float32)  # the model's cosines are float32
        sr, sp, pr, pp = _scipy(x, y)
        (our_sr, our_sp), (our_pr, our_pp) = spearman(x, y), pearson(x, y)
        assert our_sr == sr and our_pr == pr, (n, trial)
        assert _same(our_sp, sp) and _same(our_pp, pp), (n, trial, our_sp, sp, our_pp, pp)


def test_nrm2_and_unitvec_bit_for_bit_constructed():
    from gensim.matutils import unitvec
    from scipy.linalg import get_blas_funcs

    nrm2 = get_blas_funcs(("nrm2",), (np.array([], dtype=float),))[0]
    rng = np.random.default_rng(0)
    for d in (1, 3, 7, 8, 9, 15, 16, 50, 300, 301):
        for scale in (1e-20, 1.0, 1e20):
            m = (rng.standard_normal((200, d)) * scale).astype(np.float32)
            ref = np.array([nrm2(v) for v in m])
            assert np.array_equal(blas_nrm2(m), ref) and blas_nrm2(m[3]) == ref[3], (d, scale)
            u = gensim_unitvec(m)
            assert all(np.array_equal(u[i], unitvec(m[i])) for i in range(0, 200, 7)), (d, scale)
    zero = np.zeros(4, np.float32)
    assert np.array_equal(gensim_unitvec(zero), unitvec(zero)) and gensim_unitvec(zero).dtype == np.float32


@pytest.mark.real
def test_unitvec_bit_for_bit_on_real_vectors(googlenews, glove):
    from gensim.matutils import unitvec
    from scipy.linalg import get_blas_funcs

    nrm2 = get_blas_funcs(("nrm2",), (np.array([], dtype=float),))[0]
    for space in (googlenews, glove):
        m = np.asarray(space.vectors[:20000])
        ref = np.array([nrm2(v) for v in m])
        assert np.array_equal(blas_nrm2(m), ref)
        u = gensim_unitvec(m[:2000])
        assert all(np.array_equal(u[i], unitvec(m[i])) for i in range(2000))


@pytest.mark.real
def test_similarity_sets_match_gensim_on_real_vectors(googlenews):
    """Every packaged set gensim reads as we do (not RG-65: gensim stumbles on its runs of tabs and
    reads 7 of 65 pairs): the same correlations as its evaluate_word_pairs (statistics to the
    bit, p-values to 1e-12)."""
    from gensim.models import KeyedVectors

    from vecs.hub.fetch import path
    from vecs.static.benchmarks import SIMILARITY_SETS
    from vecs.static.eval_similarity import evaluate_similarity

    kv = KeyedVectors(googlenews.dim, dtype=np.float32)
    kv.add_vectors(googlenews.words, np.asarray(googlenews.vectors))
    for name in [s for s in SIMILARITY_SETS if s != "rg65"]:
        rep = evaluate_similarity(googlenews, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pe, sp, _ = kv.evaluate_word_pairs(str(path(name)))
        assert (rep.spearman, rep.pearson) == (float(sp[0]), float(pe[0])), name
        assert _same(rep.spearman_p, float(sp[1])) and _same(rep.pearson_p, float(pe[1])), name


def test_similarity_evaluation_imports_no_scipy(tmp_path):
    f = tmp_path / "pairs.tsv"
    f.write_text("cat\tdog\t9\ncat\tcar\t2\ncar\ttree\t1\nsun\ttree\t5\n", encoding="utf-8")
    code = ("import sys, numpy as np\nfrom vecs import Space\nfrom vecs.static.eval_similarity import evaluate_similarity\n"
            "s = Space(['cat', 'dog', 'car', 'tree', 'sun'], np.random.default_rng(0).standard_normal((5, 4)))\n"
            f"r = evaluate_similarity(s, {str(f)!r})\nassert r.pairs == 4 and -1 <= r.spearman <= 1, r\n"
            "print(sorted(m for m in ('scipy', 'sklearn', 'gensim') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
