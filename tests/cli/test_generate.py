"""`vecs generate` on the tiny GPT whose next-token distribution is known by hand
(tests/inside/successor.py: after token t the top guess is t + 1, then t + 2...)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import fails, ok
from tests.inside.successor import successor_gpt

pytest.importorskip("torch")


@pytest.fixture
def succ(monkeypatch):
    """The model, loadable as ``-m succ`` for the length of a test."""
    from vecs.contextual import load

    m = successor_gpt("succ")
    monkeypatch.setitem(load.LOADED, "succ", m)
    return m


def test_greedy_streams_the_text_then_a_table(succ):
    r = ok(["generate", "the", "-m", "succ", "--temperature", "0", "--max-tokens", "4"], env={"COLUMNS": "80"})
    lines = r.stdout.splitlines()
    assert lines[0] == "the bank river money is"  # the prompt, then each token as it came
    assert "greedy" in r.stdout and "stopped: max tokens" in r.stdout
    row = next(ln for ln in lines if ln.split()[:2] == ["1", "bank"])
    assert row.split()[2:5] == ["0.39", "1", "river"]  # p model, rank, the first runner-up
    assert all(len(ln) <= 80 for ln in lines)


def test_tokens_are_printed_as_they_are_produced(succ, monkeypatch):
    import cli.generate as cg
    from vecs.inside.generate import Stream

    events = []
    real_next, real_piece = Stream.__next__, cg._piece
    monkeypatch.setattr(Stream, "__next__", lambda self: events.append("step") or real_next(self))
    monkeypatch.setattr(cg, "_piece", lambda text: events.append("print") or real_piece(text))
    ok(["generate", "the", "-m", "succ", "--temperature", "0", "--max-tokens", "3"])
    assert events[:6] == ["step", "print", "step", "print", "step", "print"]


def test_sampling_shows_both_probabilities_and_the_seed(succ):
    r = ok(["generate", "the", "-m", "succ", "--temperature", "1.5", "--top-k", "2", "--seed", "5",
            "--max-tokens", "3"], env={"COLUMNS": "80"})
    assert "p drawn" in r.stdout and "seed 5" in r.stdout and "top-k 2" in r.stdout
    again = ok(["generate", "the", "-m", "succ", "--temperature", "1.5", "--top-k", "2", "--seed", "5",
                "--max-tokens", "3"], env={"COLUMNS": "80"})
    assert again.stdout == r.stdout


def test_json_gives_every_step(succ):
    d = json.loads(ok(["generate", "the", "-m", "succ", "--temperature", "0", "--max-tokens", "3", "--json"]).stdout)
    assert d["text"] == " bank river money" and d["stopped"] == "max tokens"
    assert [s["token"] for s in d["steps"]] == ["bank", "river", "money"]
    s = d["steps"][0]
    assert s["rank"] == 1 and s["probability"] == 1.0 and s["model_probability"] == pytest.approx(0.394, abs=1e-3)
    assert [c["token"] for c in s["runners_up"]] == ["river", "money", "is"]
    assert d["settings"] == {"max_tokens": 3, "temperature": 0.0, "top_k": None, "top_p": None, "seed": None}


def test_end_token_stops_and_is_reported(succ):
    r = ok(["generate", "we", "-m", "succ", "--temperature", "0"])
    assert "stopped: end token" in r.stdout and "⟨eos⟩" in r.stdout


def test_samples_one_per_line_with_log_probability(succ):
    r = ok(["generate", "the", "-m", "succ", "--samples", "3", "--seed", "7", "--max-tokens", "4"],
           env={"COLUMNS": "80"})
    rows = [ln.split() for ln in r.stdout.splitlines() if ln.split()[:1] in (["1"], ["2"], ["3"])][:3]
    assert [row[1] for row in rows] == ["7", "8", "9"]  # the seeds
    assert all(float(row[2]) < 0 for row in rows)  # the log-probabilities
    d = json.loads(ok(["generate", "the", "-m", "succ", "--samples", "3", "--seed", "7", "--max-tokens", "4",
                       "--json"]).stdout)
    assert [g["settings"]["seed"] for g in d["samples"]] == [7, 8, 9]
    for g, row in zip(d["samples"], rows):
        assert " ".join(row[3:]) == "·" + g["text"][1:]  # a leading space shown as ·


@pytest.mark.parametrize("args,msg", [(["--temperature", "-1"], "temperature"), (["--top-p", "0"], "top-p"),
                                      (["--top-p", "1.5"], "top-p"), (["--top-k", "0"], "top-k"),
                                      (["--max-tokens", "0"], "max-tokens"), (["--samples", "0"], "samples"),
                                      (["--seed", "-3"], "seed")])
def test_bad_settings_are_one_line(succ, args, msg):
    assert msg in fails(["generate", "the", "-m", "succ", *args])


def test_bad_settings_fail_before_loading_a_model():
    assert "temperature" in fails(["generate", "the", "-m", "no-such-model", "--temperature", "-1"])


def test_prompt_longer_than_the_context_is_one_line(succ):
    assert "reads at most 16" in fails(["generate", " ".join(["the"] * 20), "-m", "succ"])


def test_an_empty_prompt_is_one_line(succ):
    assert "empty" in fails(["generate", "", "-m", "succ"])


def test_an_encoder_is_one_line(succ):
    succ.causal, succ.kind = False, "hf-encoder"
    assert "causal" in fails(["generate", "the", "-m", "succ"])
