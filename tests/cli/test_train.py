"""`vecs train transformer` shows that the model learned by predicting the next word: the
next-word guesses for a prompt before and after training (a table readable at 80 columns), the
loss curve's figures and where to draw it; `--prompt` and `--record-every`; bad input in one line.
(The training itself is tested in tests/lm.)"""

from __future__ import annotations

import json
import random

import pytest

from tests.helpers import fails, ok, runner

from cli.main import app

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture
def corpus(tmp_path):
    rng = random.Random(0)
    lines = [f"{rng.choice(['the cat', 'the dog', 'a bird'])} {rng.choice(['sees', 'likes', 'feeds'])} "
             f"{rng.choice(['the mouse', 'a ball', 'some bread'])} in the garden today." for _ in range(300)]
    p = tmp_path / "tiny.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _args(corpus, name, *extra):
    return ["train", "transformer", str(corpus), "--name", name, "--layers", "2", "--dim", "32", "--heads", "2",
            "--context", "16", "--batch", "8", "--lr", "1e-2", "--steps", "40", "--min-count", "1",
            "--device", "cpu", *extra]


def test_the_guesses_before_and_after_and_the_loss_curve_are_shown(corpus):
    r = ok(_args(corpus, "gpt"), env={"COLUMNS": "80"})
    out = r.stdout
    flat = " ".join(out.split())  # prose is wrapped at the terminal width
    assert "The model's next word after “the cat likes the mouse in …”" in flat  # the first held-out sentence
    assert "step 0" in out and "step 40" in out
    lines = out.splitlines()
    row1 = next(ln for ln in lines if ln.startswith("│ 1 "))
    assert row1.split("│")[4].strip() == "the" and row1.split("│")[5].strip().endswith("%")
    assert all(len(ln) <= 80 for ln in lines if ln.startswith(("│", "┃", "┏", "└"))), [ln for ln in lines if len(ln) > 80]
    said = flat[flat.index("The text goes on with “the”"):]
    assert "(rank 1) at step 40" in said and "knowing nothing gives every word" in said
    assert "Loss curve (21 points, validation" in flat and "vecs plot loss gpt" in flat


def test_json_carries_the_history_and_both_guesses(corpus):
    d = json.loads(ok(_args(corpus, "gpt", "--json", "--record-every", "10")).stdout)
    assert [p["step"] for p in d["history"]["points"]] == [0, 10, 20, 30, 40]
    b, a = d["guesses_before"], d["guesses_after"]
    assert b["step"] == 0 and a["step"] == 40 and len(a["guesses"]) == 5
    assert a["guesses"][0]["word"] == a["expected"] == "the" and a["expected_rank"] == 1
    assert [g["word"] for g in a["guesses"]] != [g["word"] for g in b["guesses"]]


def test_a_prompt_of_ones_own(corpus):
    r = ok(_args(corpus, "gpt", "--prompt", "The zebra likes"))
    assert "The model's next word after “the zebra likes …”" in r.stdout
    assert "Not in the vocabulary (read as <unk>): zebra" in r.stdout
    assert "The text goes on with" not in r.stdout  # a prompt of one's own has no known next word


def test_bad_prompt_and_record_every_are_one_line(corpus):
    assert fails(_args(corpus, "gpt", "--prompt", "?!")) == "error: --prompt '?!' has no words"
    r = runner.invoke(app, _args(corpus, "gpt", "--record-every", "0"))
    assert r.exit_code == 2 and "Traceback" not in r.output  # typer refuses it (min=1)
