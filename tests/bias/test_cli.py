"""`vecs bias ...` on tiny stored spaces: tables, --json, and the error paths."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from helpers import fails, ok


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


def test_cli_project_top(stored):
    args = ["bias", "project", "engineer", "nurse", "doctor", "--pairs", str(stored / "pairs.txt"), "-m", "axis"]
    for top in (["-k", "1"], ["--top", "1"]):
        out = ok(args + top).stdout
        assert "nurse" in out and "engineer" in out and "doctor" not in out
        assert "1 words in the middle not shown" in out


def test_cli_checks_arguments_before_loading_the_model(stored):
    # the model does not exist: the argument errors come first
    assert "not both" in fails(["bias", "project", "nurse", "--list", "professions", "-m", "nosuchmodel"])
    assert "invalid model name" in fails(["bias", "debias", "--name", "bad name", "-m", "nosuchmodel"])
    assert "exists" in fails(["bias", "debias", "--name", "axis", "-m", "nosuchmodel"])
    assert "both --targets X Y and --attributes A B" in fails(
        ["bias", "weat", "-m", "nosuchmodel", "--targets", str(stored / "X.txt"), str(stored / "Y.txt")])
    assert "not both" in fails(["bias", "weat", "weat1", "--all", "-m", "nosuchmodel"])
