"""Polysemy: a word across sentences (`vecs context`), senses within vs across (`vecs senses`)
and the shipped example set of homonyms and polysemes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import MONEY, RIVER, fails  # noqa: E402
from typer.testing import CliRunner

from vecs.contextual.align import find_word
from vecs.contextual.extract import word_vectors
from vecs.contextual.polysemy import context_similarities, load_examples, read_groups, sense_examples, senses
from vecs.errors import ContextualError, DatasetError
from vecs.linalg import cosine_matrix

runner = CliRunner()


def _app():
    from cli.main import app

    return app


def test_senses_arguments():
    """Groups come from --group NAME (also -g NAME, --group=NAME); mistakes fail before a model loads."""
    for args, msg in ((["a bank", "--group", "x", "b bank"], "'a bank' comes before any --group NAME"),
                      (["a bank", "b bank"], "'a bank' comes before any --group NAME"),
                      (["--group"], "--group needs a name"),
                      (["--group=", "a bank"], "--group needs a name"),
                      (["-g", "x", "a bank", "--bogus"], "unknown option '--bogus' (see vecs senses --help)")):
        assert msg in fails(["senses", "bank", *args, "-m", "no-such-model"]), args
    assert "no sentences given" in fails(["senses", "bank", "-m", "no-such-model"])
    assert "takes no groups" in fails(["senses", "bank", "--example", "-g", "x", "a bank", "-m", "no-such-model"])
    assert "no shipped examples for 'zebra'" in fails(["senses", "zebra", "--example", "-m", "no-such-model"])
    assert "give a word" in fails(["senses"])


def test_read_groups(tmp_path):
    p = tmp_path / "g.json"
    p.write_text(json.dumps({"money": MONEY, "river": RIVER[:1]}))
    assert read_groups(p) == {"money": MONEY, "river": RIVER[:1]}
    p.write_text(json.dumps(["a bank"]))
    with pytest.raises(DatasetError, match="expected a JSON object"):
        read_groups(p)
    with pytest.raises(DatasetError, match="cannot read"):
        read_groups(tmp_path / "nope.json")
    with pytest.raises(DatasetError, match="cannot read"):  # before any model loads
        senses("no-such-model", "bank", {"money": MONEY}, file=tmp_path / "nope.json")


def test_examples_file_is_well_formed():
    ex = load_examples()
    assert {"bank", "bat", "pitcher", "magazine", "paper", "school"} <= set(ex)
    for w, entry in ex.items():
        assert entry["kind"] in ("homonym", "polyseme") and len(entry["senses"]) == 2
        for sents in entry["senses"].values():
            assert len(sents) >= 5
            for s in sents:
                find_word(s, w)  # raises if the word is missing


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


# -- CLI -----------------------------------------------------------------------------------
@pytest.mark.real
def test_cli_context_json_and_table(minilm):
    app = _app()
    res = runner.invoke(app, ["context", "bank", "I paid at the bank.", "We sat on the river bank.",
                              "The bank lent money.", "--layer", "all", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["layers"] == list(range(7)) and d["standardized"] is False
    assert len(d["pairs"]) == 3 * 7 and all({"word", "score"} <= set(p) for p in d["pairs"])
    at4 = {(p["a"], p["b"]): p["score"] for p in d["pairs"] if p["layer"] == 4}
    assert at4[(1, 3)] > at4[(1, 2)]  # money-money closer than money-river
    res = runner.invoke(app, ["context", "break", "--string", "broke", "--show-tokens", "--standardize"],
                        input="He broke the vase.\nThe dam broke.\n")
    assert res.exit_code == 0, res.output
    assert "broke" in res.output and "standardised: yes" in res.output


@pytest.mark.real
def test_cli_context_file_and_errors(minilm, tmp_path):
    app = _app()
    f = tmp_path / "s.txt"
    f.write_text("the bank\n\nthe other bank\n")
    res = runner.invoke(app, ["context", "bank", "--file", str(f), "--json", "--layer", "2"])
    assert res.exit_code == 0 and json.loads(res.stdout)["layers"] == [2]
    for args, msg in ((["context", "bank", "a bank", "a river"], "not in sentence 2"),
                      (["context", "bank"], "no sentences"),
                      (["context", "bank", "a bank", "b bank", "--model", "nosuch"], "no transformer model"),
                      (["context", "bank", "a bank", "b bank", "--layer", "9"], "out of range")):
        res = runner.invoke(app, args, input="")
        assert res.exit_code == 1, args
        assert msg in res.output and "Traceback" not in res.output


@pytest.mark.real
def test_cli_senses(minilm, tmp_path):
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
    # -g and --group=, a repeated group, and groups from a JSON file, merged in order
    f = tmp_path / "groups.json"
    f.write_text(json.dumps({"river": RIVER[2:], "stream": ["The bank of the stream was steep."]}))
    res = runner.invoke(app, ["senses", "bank", "-g", "money", *MONEY[:2], "--group=river", *RIVER[:2],
                              "-g", "money", MONEY[2], "--file", str(f), "--layer", "3", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["groups"] == {"money": 3, "river": 3, "stream": 1}
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
