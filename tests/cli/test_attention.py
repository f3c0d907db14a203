"""`vecs attention` on the tiny GPT with hand-built heads (tests/inside/attending.py, put in the
loaded-model cache as ``tiny``): tables at 80 columns, --json, --explain, --to/--from,
--find-names, and one error line for each bad input."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from helpers import fails, ok  # noqa: E402
from tests.inside.attending import attending_gpt  # noqa: E402

NARROW = {"COLUMNS": "80"}
PROMPT = "when mary and john went to the store john gave a drink to"
IOI = "When Mary and John went to the store, John gave a drink to"


@pytest.fixture
def tiny(monkeypatch):
    from vecs.contextual.load import LOADED

    m = attending_gpt()
    monkeypatch.setitem(LOADED, "tiny", m)
    return m


def fits(text: str, width: int = 80) -> bool:
    from rich.cells import cell_len

    return all(cell_len(line) <= width for line in text.splitlines())


def words(text: str) -> str:
    return " ".join(text.split())


def test_heads_of_a_layer_show_where_each_position_looks(tiny):
    r = ok(["attention", PROMPT, "-m", "tiny", "-l", "1"], env=NARROW)
    assert fits(r.stdout)
    lines = r.stdout.splitlines()
    row = next(x for x in lines if x.strip().startswith("3 and"))  # position 3 looks back at mary (head 1.0)
    assert "mary" in row and "1.00" in row
    assert "1.0" in r.stdout and "1.1" in r.stdout
    assert "what kind of head" in r.stdout and "strongest previous-token heads: 1.0 (1.00)" in words(r.stdout)


def test_one_head_lists_its_top_k_sources(tiny):
    r = ok(["attention", PROMPT, "-m", "tiny", "-l", "1", "--head", "1", "-k", "2"], env=NARROW)
    assert fits(r.stdout) and "head 1.1" in r.stdout and "#2" in r.stdout and "#3" not in r.stdout
    row = next(x for x in r.stdout.splitlines() if x.strip().startswith("1 when"))
    assert row.count("0.50") == 2  # the even head: two keys, half each


def test_every_layer_gives_the_summary_of_every_head(tiny):
    r = ok(["attention", PROMPT, "-m", "tiny", "-l", "all"], env=NARROW)
    assert fits(r.stdout) and "the summary only" in words(r.stdout)
    heads = [x.split()[0] for x in r.stdout.splitlines() if x.strip()[:3] in ("1.0", "1.1", "2.0", "2.1")]
    assert heads == ["1.0", "1.1", "2.0", "2.1"]
    assert "strongest induction heads: 2.0" in words(r.stdout)


def test_json_is_the_result(tiny):
    from vecs.inside.attention import attention_heads

    data = json.loads(ok(["attention", PROMPT, "-m", "tiny", "-l", "all", "--json"]).stdout)
    want = attention_heads(tiny, PROMPT, layer="all")
    assert data["layers"] == [1, 2] and data["tokens"][0] == "⟨eos⟩" and data["induction_len"] == 7
    assert [(h["layer"], h["head"]) for h in data["heads"]] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    assert data["heads"][2]["summary"]["induction"] == pytest.approx(want.heads[2].summary.induction)
    assert data["heads"][0]["looks"][3][0] == {"position": 2, "token": "mary", "weight": pytest.approx(1.0, abs=1e-4)}


def test_explain_shows_scores_weights_and_what_the_head_writes(tiny):
    from vecs.inside.attention import explain_head

    r = ok(["attention", PROMPT, "-m", "tiny", "-l", "2", "--head", "1", "--explain", "-1", "-k", "3"], env=NARROW)
    assert fits(r.stdout) and "head 2.1 · query 13 (to)" in r.stdout
    e = explain_head(tiny, PROMPT, 2, 1, -1, k=3)
    assert f"{e.keys[2].score:.2f}" in r.stdout and "promotes" in r.stdout and e.promotes[0].token in r.stdout
    data = json.loads(ok(["attention", PROMPT, "-m", "tiny", "-l", "2", "--head", "1", "--explain", "went",
                          "--json"]).stdout)
    assert data["query"] == "went" and len(data["keys"]) == data["position"] + 1 and len(data["promotes"]) == 10


def test_to_and_from_rank_every_head(tiny):
    r = ok(["attention", "John wants his bank to cash the", "-m", "tiny", "--to", "John", "--from", "his"], env=NARROW)
    assert fits(r.stdout)
    assert "query: position 3 (his); source: john at position 1" in r.stdout
    assert "direct logit attribution" in words(r.stdout)
    rows = [x.split() for x in r.stdout.splitlines() if x.strip()[:3] in ("1.0", "1.1", "2.0", "2.1")]
    assert len(rows) == 8 and any(row[0] == "1.1" and row[1] == "0.25" for row in rows)  # the even head: 1/4


def test_find_names_says_which_name_it_chose(tiny):
    r = ok(["attention", "-m", "tiny", "--find-names", IOI], env=NARROW)
    assert fits(r.stdout) and "said once (Mary)" in words(r.stdout) and "weight on mary" in r.stdout
    assert "weight on john" in r.stdout and "heads by logit effect on mary" in r.stdout
    data = json.loads(ok(["attention", "-m", "tiny", "--find-names", IOI, "--json"]).stdout)
    assert data["target"]["id"] == 3 and data["other"] == "John" and len(data["heads"]) == 4
    assert data["effect_rule"].startswith("direct logit attribution")


@pytest.mark.parametrize("args, says", [
    (["-l", "3"], "out of range"),
    (["-l", "0"], "embeddings"),
    (["-l", "1", "--head", "2"], "head 2 is out of range"),
    (["-l", "1", "--head", "0", "--explain", "14"], "beyond the prompt"),
    (["-l", "1", "--head", "0", "--explain", "bank"], "not a token of the prompt"),
    (["--explain", "-1"], "needs -l LAYER and --head"),
    (["--to", "bank"], "not a token of the prompt"),
    (["--to", "drink", "--from", "mary"], "only looks back"),
    (["--from", "mary"], "--from needs --to"),
    (["--to", "mary", "-l", "1"], "leave out -l"),
    (["-l", "x"], "layer must be a number"),
])
def test_bad_input_is_one_line(tiny, args, says):
    assert says in fails(["attention", PROMPT, "-m", "tiny", *args])


def test_prompt_twice_or_never_is_one_line(tiny):
    assert "give the prompt once" in fails(["attention", PROMPT, "-m", "tiny", "--find-names", IOI])
    assert "give a prompt" in fails(["attention", "-m", "tiny"])
    assert "cannot tell" in fails(["attention", "-m", "tiny", "--find-names", "When Mary, Paul and John went, John"])
