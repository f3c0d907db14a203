"""The Chinese development sets shipped in vecs/data (zh-analogy-dev, zh-similarity-dev): loadable
by name by `vecs eval`, well formed, and their figures on the Chinese vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import fails, ok
from vecs import Space
from vecs.static.benchmarks import dataset_names, dataset_path, read_analogies, read_pairs
from vecs.util import has_unspaced


def _save(words, vectors, name="zh"):
    from vecs.io.store import save

    save(Space(words, np.asarray(vectors, dtype=np.float32), name=name), name)
    return name


def test_dev_sets_are_named_data_sets_of_their_kind():
    assert "zh-analogy-dev" in dataset_names("analogies") and "zh-similarity-dev" in dataset_names("similarity")
    label, path = dataset_path("zh-analogy-dev", "analogies")
    assert label == "zh-analogy-dev" and path.is_file()
    with pytest.raises(Exception, match="is an analogy set"):
        dataset_path("zh-analogy-dev", "similarity")


def test_analogy_dev_set_is_well_formed_chinese():
    sections, invalid = read_analogies(dataset_path("zh-analogy-dev", "analogies")[1])
    assert invalid == 0
    names = [s for s, _ in sections]
    assert names == ["capital-country", "family-gender", "province-capital", "currency", "opposite"]
    qs = [tuple(ws) for _, q in sections for _, ws in q]
    assert 40 <= len(qs) <= 80 and len(set(qs)) == len(qs)
    assert all(has_unspaced(w) for q in qs for w in q)
    assert ("巴黎", "法国", "柏林", "德国") in qs and ("男人", "女人", "国王", "王后") in qs


def test_similarity_dev_set_is_well_formed_chinese():
    pairs, invalid = read_pairs(dataset_path("zh-similarity-dev", "similarity")[1])
    assert invalid == 0 and 40 <= len(pairs) <= 60
    assert all(0 <= s <= 10 and has_unspaced(a) and has_unspaced(b) for _, a, b, s in pairs)
    assert len({(a, b) for _, a, b, _ in pairs}) == len(pairs)


def test_cli_eval_analogies_by_name_counts_coverage():
    # only the four words of the first question: it is the only one asked, and the answer is the
    # only word that is not an input
    model = _save(["巴黎", "法国", "柏林", "德国"], np.eye(4) + 0.1)
    out = json.loads(ok(["eval", "analogies", "-m", model, "-d", "zh-analogy-dev", "--json"]).stdout)
    assert (out["dataset"], out["correct"], out["total"], out["questions"]) == ("zh-analogy-dev", 1, 1, 66)
    r = ok(["eval", "analogies", "-m", model, "-d", "zh-analogy-dev"])
    assert "capital-country" in r.stdout and "100.0%" in r.stdout


def test_cli_eval_similarity_by_name():
    # cosines in the order of the human scores for three pairs: Spearman 1
    words = ["老师", "教师", "猫", "狗", "香蕉", "法律"]
    v = [[1, 0, 0], [1, 0.05, 0], [0, 1, 0], [0.6, 1, 0], [0, 0, 1], [0.2, 1, 0.1]]
    model = _save(words, v)
    (rep,) = json.loads(ok(["eval", "similarity", "-m", model, "-d", "zh-similarity-dev", "--json"]).stdout)
    assert rep["dataset"] == "zh-similarity-dev" and rep["pairs"] == 3 and rep["spearman"] == pytest.approx(1.0)


def test_cli_dev_set_of_the_wrong_kind_is_one_line():
    model = _save(["老师", "教师"], np.eye(2))
    assert "is an analogy set" in fails(["eval", "similarity", "-m", model, "-d", "zh-analogy-dev"])
    assert "is a similarity set" in fails(["eval", "analogies", "-m", model, "-d", "zh-similarity-dev"])


@pytest.mark.real
def test_zh_vectors_know_every_dev_word_and_their_figures():
    from vecs.resolve import resolve
    from vecs.static.eval_analogies import evaluate_analogies
    from vecs.static.eval_similarity import evaluate_similarity

    space = resolve("zh-vectors")
    rep = evaluate_analogies(space, "zh-analogy-dev")
    assert rep.coverage == 1.0 and rep.total == 66
    assert rep.correct == 39  # measured: 59.1% (capitals 13/20, family 13/20, provinces 6/10, currency 5/7, opposites 2/9)
    assert [s.correct for s in rep.sections] == [13, 13, 6, 5, 2]
    sim = evaluate_similarity(space, "zh-similarity-dev")
    assert sim.oov == 0 and sim.pairs == 51 and sim.spearman == pytest.approx(0.6521, abs=1e-3)
