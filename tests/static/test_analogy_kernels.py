"""The two engines of analogy evaluation (compiled numba, plain numpy) give the same candidates,
in the same order, on spaces built to be awkward (exact ties, case variants, blocks cut small);
settling near ties on aligned gemv windows gives gensim's own floats."""

from __future__ import annotations

import numpy as np
import pytest

from vecs import Space
from vecs.errors import DatasetError
from vecs.static import analogy_topk as at
from vecs.static.eval_analogies import evaluate_analogies
from vecs.static.eval_ties import Exact

numba = pytest.importorskip("numba")


def awkward_space(n: int = 600, dim: int = 12, seed: int = 0) -> Space:
    """Random vectors with exact duplicates (ties in every score) and case variants."""
    rng = np.random.default_rng(seed)
    V = rng.normal(size=(n, dim)).astype(np.float32)
    words = [f"w{i}" for i in range(n)]
    if n > 300:
        V[50:60] = V[40:50]  # duplicated rows: equal scores, the lower row must come first
        V[300] = V[7]
        words[61], words[62] = "W3", "w3x"  # W3 upper-cases like w3
    return Space(words, V, name="awkward")


def questions(n_rows: int, Q: int = 400, seed: int = 1):
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, 80, size=(30, 2))  # few (a, b) pairs shared by many questions, as in Google
    p = rng.integers(0, len(pairs), Q)
    qa, qb = pairs[p, 0], pairs[p, 1]
    qc = rng.integers(0, n_rows, Q)
    return qa.astype(np.int64), qb.astype(np.int64), qc.astype(np.int64)


@pytest.mark.parametrize("method", ["add", "mul"])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_numba_equals_numpy_candidates(method, threads):
    space = awkward_space()
    R = len(space)
    qa, qb, qc = questions(R)
    want_i, want_s = at.top_candidates_numpy(space, R, qa, qb, qc, method, None)
    stats: dict = {}
    got_i, got_s = at.top_candidates_numba(space, R, qa, qb, qc, method, None, first=64, block=100, chunk=200,
                                           threads=threads, stats=stats)
    np.testing.assert_array_equal(got_i, want_i)
    np.testing.assert_array_equal(got_s, want_s)
    assert stats["threads"] == threads and stats["kernel"] == "numba"
    # the bounds skip work and still find the same answers
    assert 0 < stats["runs_scored"] < stats["runs_total"]
    # inputs are never candidates
    for k in range(got_i.shape[1]):
        assert not np.any((got_i[:, k] == qa) | (got_i[:, k] == qb) | (got_i[:, k] == qc))


@pytest.mark.parametrize("method", ["add", "mul"])
@pytest.mark.parametrize("threads", [1, 2])
def test_keeping_fewer_finds_the_same_best_and_skips_more(method, threads):
    space = awkward_space()
    R = len(space)
    qa, qb, qc = questions(R)
    full_i, full_s = at.top_candidates_numpy(space, R, qa, qb, qc, method, None)
    keep = np.random.default_rng(5).integers(1, at.CANDIDATES_KEPT + 1, len(qa))
    every, fewer = {}, {}
    at.top_candidates_numba(space, R, qa, qb, qc, method, None, first=64, block=100, chunk=200,
                            threads=threads, stats=every)
    for engine, kw in ((at.top_candidates_numpy, {}),
                       (at.top_candidates_numba, dict(first=64, block=100, chunk=200, threads=threads,
                                                      stats=fewer))):
        got_i, got_s = engine(space, R, qa, qb, qc, method, None, keep=keep, **kw)
        past = np.arange(got_i.shape[1]) >= keep[:, None]
        # the first keep[q] are the full search's first keep[q], ties in the same order; no more
        np.testing.assert_array_equal(np.where(past, -1, full_i), got_i)
        np.testing.assert_array_equal(np.where(past, -np.inf, full_s), got_s)
    assert fewer["runs_scored"] < every["runs_scored"]  # a higher bar skips more of the vocabulary
    with pytest.raises(DatasetError, match="keep must be between 1 and"):
        at.top_candidates(space, R, qa, qb, qc, method, None, keep=0)


def categories(n_rows: int, seed: int = 2):
    """Google-like questions: three categories, each with its own (a, b) pairs, every pair asked
    with the first words of the category's other pairs as c. So three groups."""
    rng = np.random.default_rng(seed)
    qa, qb, qc = [], [], []
    words = rng.permutation(n_rows)[:60].reshape(3, 10, 2)  # 3 categories of 10 (first, second)
    for cat in words:
        for i, (a, b) in enumerate(cat):
            for j, (c, _) in enumerate(cat):
                if i != j:
                    qa.append(a), qb.append(b), qc.append(c)
    return tuple(np.array(x, dtype=np.int64) for x in (qa, qb, qc))


def test_pair_groups_by_hand():
    # pairs 0, 1, 2; words 0..5. Pair 0 asks c 3 and 4, pair 2 asks c 4 (Jaccard 1/2 with pair
    # 0's: it joins); pair 1 asks c 5 alone (Jaccard 0: a group of its own)
    pg, gptr, grow = at.pair_groups(np.array([0, 0, 1, 2]), np.array([3, 4, 5, 4]), 3, 6)
    assert pg.tolist() == [0, 1, 0]
    assert [grow[gptr[g]:gptr[g + 1]].tolist() for g in range(len(gptr) - 1)] == [[3, 4], [5]]
    # six pairs over four words, no two alike enough: 12 rows > 2 x 4, so one group of every c
    pidx, uc = np.repeat(np.arange(6), 2), np.array([0, 1, 1, 2, 2, 3, 0, 3, 0, 2, 1, 3])
    pg, gptr, grow = at.pair_groups(pidx, uc, 6, 4)
    assert pg.tolist() == [0] * 6 and gptr.tolist() == [0, 4] and grow.tolist() == [0, 1, 2, 3]
    # the same with room for them: a group each
    pg, gptr, grow = at.pair_groups(pidx, uc, 6, 6)
    assert sorted(pg.tolist()) == list(range(6)) and gptr[-1] == 12
    # ... unless that is more groups than allowed, or too many pairs x words to group at all
    for limit in (dict(max_groups=5), dict(max_cells=35)):
        pg, gptr, grow = at.pair_groups(pidx, uc, 6, 6, **limit)
        assert pg.tolist() == [0] * 6 and grow.tolist() == [0, 1, 2, 3]
    # no questions: no groups, and the engine returns no rows
    none = np.zeros(0, dtype=np.int64)
    assert [x.tolist() for x in at.pair_groups(none, none, 0, 0)] == [[], [0], []]
    got_i, _ = at.top_candidates_numba(awkward_space(n=40), 40, none, none, none, "mul", None, first=16, block=16)
    assert got_i.shape == (0, at.CANDIDATES_KEPT)


@pytest.mark.parametrize("method", ["add", "mul"])
def test_word_bounds_hold_and_are_tighter(method):
    """maxW never falls below a score of its run (else a candidate would be skipped), and is
    below the bound from two separate maxima somewhere (else it would be of no use)."""
    k = at.numba_kernels()
    space = awkward_space(n=2000)
    qa, qb, qc = categories(len(space))
    Un, pa, pb, pidx, uc = at._question_words(space, qa, qb, qc)
    pa, pb, pidx, uc = (x.astype(np.int64) for x in (pa, pb, pidx, uc))
    pg, gptr, grow = at.pair_groups(pidx, uc, len(pa), len(Un))
    assert len(gptr) - 1 == 3
    mul = method == "mul"
    w, wp = 500, 512  # the last 12 columns are padding
    T = np.empty((len(Un), wp), np.float32)
    T[:, :w] = Un @ at.unit_rows_f32(space.vectors[1000:1000 + w]).T
    cos = T[:, :w] + np.float32(1) if mul else T[:, :w].copy()
    mT, mP, mW = (np.empty((n, wp // 16), np.float32) for n in (len(Un), len(pa), len(pa)))
    P = np.empty((len(pa), wp), np.float32)
    k.prepare(T, w, mul, pa, pb, P, mT, mP)
    scratch = np.full(wp, np.inf, dtype=np.float32)  # scratch may hold anything: padding must not show
    k.pair_bounds(T, w, mul, P, pg, gptr, grow, np.full((3, wp), np.nan, dtype=np.float32), scratch, mW)
    assert np.isfinite(mW).all()
    P = cos[pb] / (cos[pa] + np.float32(2e-6)) if mul else cos[pb] - cos[pa]
    score = P[pidx] * cos[uc] if mul else P[pidx] + cos[uc]
    score = np.pad(score, ((0, 0), (0, wp - w)), constant_values=-np.inf).reshape(len(qa), -1, 16).max(2)
    assert (mW[pidx] >= score).all()
    plain = mP[pidx] * mT[uc] if mul else mP[pidx] + mT[uc]
    assert (mW[pidx] <= plain).mean() > 0.5 and (mW[pidx] < plain).any()


@pytest.mark.parametrize("method", ["add", "mul"])
@pytest.mark.parametrize("threads", [1, 2])
def test_numba_equals_numpy_on_categories_and_wide_blocks(method, threads):
    """Several groups, and a seed block of 1,500 words: 94 runs, more than one 64-run mask."""
    space = awkward_space(n=3000)
    R = len(space)
    qa, qb, qc = categories(R)
    want_i, want_s = at.top_candidates_numpy(space, R, qa, qb, qc, method, None)
    got_i, got_s = at.top_candidates_numba(space, R, qa, qb, qc, method, None, first=1500, block=300,
                                           chunk=600, threads=threads)
    np.testing.assert_array_equal(got_i, want_i)
    np.testing.assert_array_equal(got_s, want_s)


def test_answer_depth_counts_the_inputs_other_spellings():
    from vecs.static.eval_analogies import answer_depth

    # rows 0..5; row 4 is a second spelling of row 1's key, row 5 of row 2's
    kid = np.array([0, 1, 2, 3, 1, 2])
    qa, qb, qc = np.array([0, 0, 1, 3, 1]), np.array([1, 3, 2, 0, 1]), np.array([2, 2, 3, 3, 1])
    # (0,1,2): variants 4 and 5 -> 2 + 3; (0,3,2): 5 -> 4; (1,2,3): 4, 5 -> 5; none -> 3; (1,1,1): 4 -> 4
    assert answer_depth(kid, 6, qa, qb, qc).tolist() == [5, 4, 5, 3, 4]
    # rows past R are not candidates
    assert answer_depth(kid, 4, qa[:1], qb[:1], qc[:1]).tolist() == [3]
    # never more than the table holds
    many = np.zeros(20, dtype=np.int64)
    assert answer_depth(many, 20, np.array([0]), np.array([0]), np.array([0])).tolist() == [at.CANDIDATES_KEPT]


@pytest.mark.parametrize("method", ["add", "mul"])
def test_tiny_vocabulary_leaves_missing_candidates(method):
    """Blocks of 4 words padded to 16: a padding column never becomes a candidate."""
    space = awkward_space(n=6, dim=4)
    qa, qb, qc = (np.array([0, 1]), np.array([1, 2]), np.array([2, 3]))
    got_i, got_s = at.top_candidates_numba(space, 6, qa, qb, qc, method, None, first=4, block=4)
    want_i, want_s = at.top_candidates_numpy(space, 6, qa, qb, qc, method, None)
    np.testing.assert_array_equal(got_i, want_i)
    assert (got_i[:, 3:] == -1).all() and np.isneginf(got_s[:, 3:]).all()  # 6 rows - 3 inputs


def test_merge_tops_keeps_what_one_pass_in_order_keeps():
    k = at.numba_kernels()
    inf = -np.inf
    top_s = np.array([[0.9, 0.5, 0.5, inf]], dtype=np.float32)
    top_i = np.array([[3, 10, 12, -1]], dtype=np.int64)
    # the other worker started from the same seed block (rows < 5): row 3 must not come twice
    other_s = np.array([[0.9, 0.7, 0.5, 0.4]], dtype=np.float32)
    other_i = np.array([[3, 20, 11, 30]], dtype=np.int64)
    k.merge_tops(top_s, top_i, other_s, other_i, 5)
    assert top_i.tolist() == [[3, 20, 10, 11]]  # equal scores: the lower row first
    assert top_s[0].tolist() == pytest.approx([0.9, 0.7, 0.5, 0.5])


def test_kernels_give_the_same_report(tmp_path):
    space = awkward_space()
    rng = np.random.default_rng(3)
    lines = [": one"] + [" ".join(space.words[i] for i in rng.integers(0, 120, 4)) for _ in range(150)]
    lines += [": two", "w3 W3 w5 w6", "w1 w2 w3 w4"]
    f = tmp_path / "q.txt"
    f.write_text("\n".join(lines) + "\n")
    for method in ("add", "mul"):
        a = evaluate_analogies(space, f, method=method, kernel="numba")
        b = evaluate_analogies(space, f, method=method, kernel="numpy")
        assert (a.kernel, b.kernel) == ("numba", "numpy")
        assert (a.correct, a.total, a.oov) == (b.correct, b.total, b.oov)
        assert [(m.line, m.predicted) for m in a.mistakes] == [(m.line, m.predicted) for m in b.mistakes]


def test_kernel_choice(monkeypatch):
    with pytest.raises(DatasetError, match="unknown kernel 'fast'"):
        at.pick_kernel("fast")
    assert at.pick_kernel("auto") == "numba"
    monkeypatch.setattr(at, "numba_kernels", lambda: None)
    assert at.pick_kernel("auto") == "numpy"  # numba absent: numpy, same answers
    with pytest.raises(DatasetError, match="needs numba"):
        at.pick_kernel("numba")


@pytest.mark.real
def test_windows_give_gensims_floats_on_glove():
    """The settle path scores a candidate on its aligned 64-row window: the same float32 values
    as gensim's one gemv over all rows (checked here on 2,000 rows), and the run's own check
    agrees."""
    from vecs.resolve import resolve

    space = resolve("glove-6b-50d")
    R = 300_000
    ex = Exact(space, R)
    assert ex.windows_exact()
    rng = np.random.default_rng(5)
    V = space.vectors
    for _ in range(5):
        vec = rng.normal(size=space.dim).astype(np.float32)
        full = np.dot(V[:R], vec)
        rows = rng.integers(0, R, 400)
        np.testing.assert_array_equal(ex._dots(rows, vec), full[rows])
    norms = np.linalg.norm(np.asarray(V[:R]), axis=1)
    rows = rng.integers(0, R, 400)
    np.testing.assert_array_equal(ex._norms(rows), norms[rows])
