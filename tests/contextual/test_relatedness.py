"""Contextual similarity against human relatedness judgements of sentence pairs, and
`vecs eval relatedness`."""

from __future__ import annotations

import json

import pytest
from helpers import MONEY, RIVER
from typer.testing import CliRunner

from vecs.contextual.relatedness import dev_set_path, evaluate_relatedness, read_relatedness
from vecs.errors import DatasetError

runner = CliRunner()


def _app():
    from cli.main import app

    return app


def test_dev_set_is_well_formed():
    rows = read_relatedness(dev_set_path())
    assert len(rows) >= 100
    assert len({r["score"] for r in rows}) >= 3  # graded, not binary


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


@pytest.mark.parametrize("score", ["nan", "inf", "-Infinity", "1e400"])
def test_relatedness_csv_rejects_nonfinite_scores_with_file_and_line(tmp_path, score):
    rows = [["bank", "a bank", "the bank", "3", "", ""], ["bank", "a bank", "the bank", score, "", ""]]
    with pytest.raises(DatasetError, match=f"rel.csv line 3: score '{score}' is not a finite number"):
        read_relatedness(_csv(tmp_path, rows))


def test_relatedness_csv_that_the_csv_module_cannot_read_is_a_dataset_error(tmp_path):
    p = tmp_path / "big.csv"  # a field over the csv module's size limit: csv.Error before
    p.write_text("word,sentence1,sentence2,score\nbank,\"" + "x" * 200_000 + "\",b,3\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="big.csv: not a readable CSV file"):
        read_relatedness(p)


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
