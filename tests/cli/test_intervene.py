"""`vecs ablate`, `vecs patch`, `vecs steer` on a constructed GPT (put in the loaded-model cache as
``tiny``): tables at 80 columns, --json, and one error line for each bad input."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from helpers import fails, ok  # noqa: E402
from tests.inside.constructed import constructed_gpt  # noqa: E402

NARROW = {"COLUMNS": "80"}


@pytest.fixture
def tiny(monkeypatch):
    from vecs.contextual.load import LOADED

    m = constructed_gpt()
    monkeypatch.setitem(LOADED, "tiny", m)
    return m


def fits(text: str, width: int = 80) -> bool:
    from rich.cells import cell_len

    return all(cell_len(line) <= width for line in text.splitlines())


def test_ablate_table_has_the_baseline_first_and_names_the_worst_layer(tiny):
    r = ok(["ablate", "the bank is a", "-t", "money", "-m", "tiny"], env=NARROW)
    lines = r.stdout.splitlines()
    first = next(i for i, x in enumerate(lines) if x.strip().startswith("none"))
    assert lines[first + 1].split()[0] == "1" and lines[first + 2].split()[0] == "2"
    assert "switching off block 2's MLP hurts money most" in " ".join(r.stdout.split())
    assert fits(r.stdout)


def test_ablate_heads_and_mean_mode(tiny):
    r = ok(["ablate", "the bank is a", "-t", "money", "-m", "tiny", "--component", "head", "-l", "2", "--mode",
            "mean"], env=NARROW)
    names = [x.split()[0] for x in r.stdout.splitlines() if x.strip()]
    assert "2.0" in names and "2.1" in names and "1.0" not in names
    assert "its mean over the prompt's positions" in " ".join(r.stdout.split())


def test_ablate_at_one_position(tiny):
    r = ok(["ablate", "the bank is a", "-t", "money", "-m", "tiny", "--position", "bank"], env=NARROW)
    assert "at 1 (bank)" in " ".join(r.stdout.split()) and fits(r.stdout)
    assert "'river' is not a token of the prompt" in fails(["ablate", "the bank is a", "-t", "money", "-m", "tiny",
                                                            "--position", "river"])


def test_ablate_json_is_the_result(tiny):
    from vecs.inside.ablate import ablate

    r = ok(["ablate", "the bank is a", "-t", "money", "-m", "tiny", "--json"])
    data = json.loads(r.stdout)
    want = ablate(tiny, "the bank is a", "money")
    assert data["component"] == "mlp" and data["mode"] == "zero"
    assert data["baseline_prob"] == pytest.approx(want.baseline_prob)
    assert [row["layer"] for row in data["rows"]] == [1, 2]
    assert data["worst"]["layer"] == 2 and data["target"]["tokens"] == ["money"]


def test_patch_grid_shows_every_layer_and_marks_the_differing_position(tiny):
    r = ok(["patch", "the bank is", "the river is", "-t", "money", "-m", "tiny"], env=NARROW)
    assert "1*" in r.stdout and "clean:" in r.stdout and "corrupted:" in r.stdout
    rows = [x.split() for x in r.stdout.splitlines() if x.strip()[:1].isdigit() and len(x.split()) == 4]
    assert [x[0] for x in rows] == ["0", "1", "2"]
    assert "the answer comes back most at layer 0, position 1 (bank)" in " ".join(r.stdout.split())
    assert fits(r.stdout)
    r = ok(["patch", "the bank is", "the river is", "-t", "money", "-m", "tiny", "--restored"], env=NARROW)
    assert "1.00" in r.stdout and "restored (0 = corrupted, 1 = clean)" in " ".join(r.stdout.split())


def test_patch_grid_of_a_long_prompt_is_paged_at_80_columns(tiny):
    words = "the bank is a river of money by the bank on the river is a"
    r = ok(["patch", words, words.replace("money", "bank"), "-t", "money", "-m", "tiny"], env=NARROW)
    assert "columns 1–" in r.stdout and fits(r.stdout)


def test_patch_json(tiny):
    data = json.loads(ok(["patch", "the bank is", "the river is", "-t", "money", "-m", "tiny", "--json"]).stdout)
    assert data["differ"] == [1] and data["layers"] == [0, 1, 2]
    assert data["probs"][2][2] == pytest.approx(data["clean_prob"], rel=1e-5)
    assert data["best"]["layer"] == 0 and data["best"]["position"] == 1


def test_steer_shows_before_and_after(tiny):
    r = ok(["steer", "we sat on the river", "--add", "the money is@2", "--component", "mlp", "-t", "money",
            "-m", "tiny", "-k", "3"], env=NARROW)
    assert "before" in r.stdout and "after" in r.stdout and "steered at layer 2" in " ".join(r.stdout.split())
    flat = " ".join(r.stdout.split())
    assert "money rises" in flat or "money does not rise" in flat
    assert fits(r.stdout)


def test_steer_layer_sweep_and_json(tiny):
    r = ok(["steer", "we sat on the river", "--add", "the money is@1", "-l", "all", "-t", "money", "-m", "tiny",
            "--scale", "2"], env=NARROW)
    assert "none" in r.stdout and "Δ log p" in r.stdout
    data = json.loads(ok(["steer", "we sat on the river", "--add", "the money is@all", "--subtract", "the bank is",
                          "-t", "money", "-m", "tiny", "--json"]).stdout)
    assert [x["layer"] for x in data["layers"]] == [0, 1, 2]
    assert data["subtract"] == "the bank is" and data["best_layer"] in (0, 1, 2)


@pytest.mark.parametrize("args, message", [
    (["ablate", "the bank is a", "-t", "", "-m", "tiny"], "the target is empty"),
    (["ablate", "the bank is a", "-t", "money", "-m", "tiny", "-l", "7"], "layer 7 is out of range"),
    (["ablate", "the bank is a", "-t", "money", "-m", "tiny", "--component", "head", "--head", "9"],
     "head 9 is out of range"),
    (["ablate", "the bank is a", "-t", "money", "-m", "tiny", "--component", "neuron"], "unknown component"),
    (["patch", "the bank is", "the river is a", "-t", "money", "-m", "tiny"], "same number of tokens"),
    (["patch", "the bank is", "the river is", "-t", " ", "-m", "tiny"], "the target is empty"),
    (["steer", "the river is", "--add", "the money is", "-m", "tiny"], "--add must be PROMPT@LAYER"),
    (["steer", "the river is", "--add", "the money is@9", "-m", "tiny"], "layer 9 is out of range"),
])
def test_bad_inputs_are_one_error_line(tiny, args, message):
    assert message in fails(args)
