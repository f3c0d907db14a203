"""Polysemy: senses within vs across, the shipped example set, relatedness evaluation, and the
CLI commands `senses` and `eval relatedness`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from vecs.contextual.align import find_word
from vecs.contextual.extract import word_vectors
from vecs.contextual.load import load_model
from vecs.linalg import cosine_matrix
from vecs.contextual.polysemy import context_similarities, load_examples, sense_examples, senses
from vecs.contextual.relatedness import dev_set_path, evaluate_relatedness, read_relatedness
from vecs.errors import ContextualError, DatasetError

runner = CliRunner()

MONEY = ["I deposited my salary at the bank.", "The bank approved our mortgage.",
         "She opened an account at the bank downtown."]
RIVER = ["We had a picnic on the bank of the river.", "The fisherman sat on the muddy bank.",
         "Reeds grow along the bank of the stream."]


def _app():
    from cli.main import app

    return app


@pytest.fixture(scope="session")
def minilm():
    return load_model("minilm")


def test_parse_groups():
    from cli.contextual import _parse_groups

    g = _parse_groups(["--group", "money", "a bank", "b bank", "--group=river", "c bank", "-g", "x", "d bank"])
    assert g == {"money": ["a bank", "b bank"], "river": ["c bank"], "x": ["d bank"]}
    with pytest.raises(ContextualError, match="before any --group"):
        _parse_groups(["a bank", "--group", "x"])


def test_examples_file_is_well_formed():
    ex = load_examples()
    assert {"bank", "bat", "pitcher", "magazine", "paper", "school"} <= set(ex)
    for w, entry in ex.items():
        assert entry["kind"] in ("homonym", "polyseme") and len(entry["senses"]) == 2
        for sents in entry["senses"].values():
            assert len(sents) >= 5
            for s in sents:
                find_word(s, w)  # raises if the word is missing


def test_dev_set_is_well_formed():
    rows = read_relatedness(dev_set_path())
    assert len(rows) >= 100
    assert len({r["score"] for r in rows}) >= 3  # graded, not binary


@pytest.mark.real
def test_bank_money_closer_to_money_than_to_river(minilm):
    wv = word_vectors(minilm, MONEY + RIVER, "bank", layer=3)
    m = cosine_matrix(wv.at(3))
    within_money = m[:3, :3][np.triu_indices(3, 1)]
    across = m[:3, 3:]
    assert within_money.min() > across.max()
    r = senses(minilm, "bank", {"money": MONEY, "river": RIVER}, layer="all")
    assert [x.layer for x in r.layers] == list(range(7))
    mid = r.at(3)
    assert mid.within > mid.across and mid.gap == pytest.approx(mid.within - mid.across)
    assert r.at(0).gap < mid.gap  # the embedding layer barely separates senses


@pytest.mark.real
def test_homonyms_further_apart_than_polysemes(minilm):
    r = sense_examples(minilm, layer=None)
    assert [x.layer for x in r.layers] == [5]
    assert r.holds_at_default
    bank = next(w for w in r.words if w.word == "bank")
    magazine = next(w for w in r.words if w.word == "magazine")
    assert bank.at(5).across < magazine.at(5).across


@pytest.mark.real
def test_senses_errors(minilm):
    with pytest.raises(ContextualError, match="two sense groups"):
        senses(minilm, "bank", {"money": MONEY})
    with pytest.raises(ContextualError, match="no sentences"):
        senses(minilm, "bank", {"money": MONEY, "river": []})


@pytest.mark.real
def test_context_similarities_standardized(minilm):
    raw = context_similarities(minilm, "bank", MONEY + RIVER, layer=3)
    std = context_similarities(minilm, "bank", MONEY + RIVER, layer=3, standardize=True)
    assert not raw.standardized and std.standardized
    # standardisation removes the common offset: similarities spread out and drop
    assert np.mean([p.score for p in std.pairs]) < np.mean([p.score for p in raw.pairs])
    with pytest.raises(ContextualError, match="at least two"):
        context_similarities(minilm, "bank", MONEY[:1])


def _csv(tmp_path, rows, header="word,sentence1,sentence2,score,string,extra"):
    p = tmp_path / "rel.csv"
    import csv

    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header.split(","))
        w.writerows(rows)
    return p


@pytest.mark.real
def test_evaluate_relatedness(minilm, tmp_path):
    rows = []
    for i, a in enumerate(MONEY):
        rows.append(["bank", a, MONEY[(i + 1) % 3], 4.5, "", "x"])
        rows.append(["bank", a, RIVER[i], 1.0, "", "x"])
        rows.append(["bank", RIVER[i], RIVER[(i + 1) % 3], 4.5, "", "x"])
    rows.append(["break", "He broke the vase.", "The dam broke.", 3.0, "broke", ""])
    rows.append(["bank", "Two banks merged.", "The banks of the Nile.", 1.0, "", ""])  # loose: banks
    rows.append(["bank", "No such word.", "Nor here.", 2.0, "", ""])  # skipped
    r = evaluate_relatedness(minilm, _csv(tmp_path, rows))
    assert r.pairs == 11 and r.skipped == 1 and r.skipped_rows == [13]
    assert [x.layer for x in r.layers] == list(range(7)) and r.layer == r.default_layer == 5
    assert r.spearman > 0.5 and r.spearman == r.layers[5].spearman
    assert r.best_layer in range(7)


def test_read_relatedness_errors(tmp_path):
    with pytest.raises(DatasetError, match="missing column"):
        read_relatedness(_csv(tmp_path, [["bank", "a", "b"]], header="word,sentence1,sentence2"))
    with pytest.raises(DatasetError, match="not a number"):
        read_relatedness(_csv(tmp_path, [["bank", "a", "b", "high", "", ""]]))
    with pytest.raises(DatasetError, match="no such file"):
        read_relatedness(tmp_path / "nope.csv")


# -- CLI -----------------------------------------------------------------------------------
@pytest.mark.real
def test_cli_senses(minilm):
    app = _app()
    args = ["senses", "bank", "--group", "money", *MONEY, "--group", "river", *RIVER, "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["groups"] == {"money": 3, "river": 3} and len(d["layers"]) == 7
    assert d["layers"][3]["gap"] > 0
    res = runner.invoke(app, ["senses", "bank", "--group", "money", *MONEY, "--group", "river", *RIVER,
                              "--layer", "3", "--standardize"])
    assert res.exit_code == 0 and "standardised: yes" in res.output and "within money" in res.output
    for args, msg in ((["senses", "bank", "--group", "money", *MONEY], "two sense groups"),
                      (["senses", "bank"], "no sentences"),
                      (["senses", "bank", "--group", "a", "a bank", "b bank", "--group", "b", "a river"],
                       "not in sentence 3"),
                      (["senses", "bank", "--group", "a", "x bank", "z bank", "--group", "b", "y bank", "-m", "zzz"],
                       "no transformer model")):
        res = runner.invoke(app, args)
        assert res.exit_code == 1, args
        assert msg in res.output and "Traceback" not in res.output


@pytest.mark.real
def test_cli_senses_example(minilm):
    res = runner.invoke(_app(), ["senses", "--example", "--layer", "5", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["holds_at_default"] is True and {w["word"] for w in d["words"]} >= {"bank", "magazine"}
    res = runner.invoke(_app(), ["senses", "--demo", "--layer", "5"])
    assert res.exit_code == 0 and "lower for homonyms?" in res.output
    # another layer alone: whether the claim holds at the default layer is unknown, not false
    res = runner.invoke(_app(), ["senses", "--example", "--layer", "3", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["holds_at_default"] is None


@pytest.mark.real
def test_cli_eval_relatedness(minilm, tmp_path):
    rows = [["bank", a, b, 4.5 if (a in MONEY) == (b in MONEY) else 1.0, "", ""]
            for a in MONEY + RIVER for b in MONEY + RIVER if a < b]
    p = _csv(tmp_path, rows)
    res = runner.invoke(_app(), ["eval", "relatedness", str(p), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert [x["layer"] for x in d["layers"]] == list(range(7))
    assert all("spearman" in x and "spearman_standardized" in x for x in d["layers"])
    assert d["best_layer"] in range(7) and d["layer"] == 5 and d["spearman"] > 0.5
    res = runner.invoke(_app(), ["eval", "relatedness", str(p), "--layer", "2"])
    assert res.exit_code == 0 and "Spearman at layer 2" in res.output
    bad = _csv(tmp_path, [["bank", "a"]], header="word,sentence1")
    res = runner.invoke(_app(), ["eval", "relatedness", str(bad)])
    assert res.exit_code == 1 and "missing column" in res.output
