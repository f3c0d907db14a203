"""`vecs lens` and `vecs ffn` (cli/lens.py): every view readable at 80 columns with every number
whole, the position forms, bad input as one line; on tiny GPTs put in place of the model, then
on SmolLM2."""

from __future__ import annotations

import json

import pytest

from helpers import fails, ok

pytest.importorskip("torch")
real = pytest.mark.real

W80 = {"COLUMNS": "80"}
LONG = ["<unk>", "<eos>", "extraordinarily", "incomprehensible", "notwithstanding", "circumlocution",
        "the", "a", "of", "on", "by", "is", "we", "characteristically", "uncharacteristic", "bank"]
PROMPT = "we extraordinarily on the circumlocution of notwithstanding a bank by incomprehensible"  # 11 words


@pytest.fixture
def use(monkeypatch):
    """Put a model in place of whatever --model names."""

    def put(m):
        monkeypatch.setattr("vecs.inside.lens.load_model", lambda spec, progress=None: m)
        return m

    return put


@pytest.fixture
def deep(use):
    from inside.conftest import make_gpt

    return use(make_gpt(n_layer=30, words=LONG))


def readable(out: str) -> None:
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def grid_rows(out: str, layers: int) -> dict[int, list[str]]:
    """layer -> its cells, the pages joined (the grid's lines only)."""
    rows: dict[int, list[str]] = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].isdigit() and int(parts[0]) <= layers and len(line) - len(line.lstrip()) < 6:
            rows.setdefault(int(parts[0]), []).extend(parts[1:])
    return rows


# -- the views at 80 columns -------------------------------------------------------------------
def test_grid_with_a_target_shows_every_rank_whole_at_80_columns(deep):
    from vecs.inside.lens import logit_lens

    r = logit_lens(deep, PROMPT, k=1, target="bank", positions="all")
    assert len(r.tokens) == 12 and len(r.layers) == 31
    out = ok(["lens", PROMPT, "--grid", "--target", "bank"], env=W80).stdout
    readable(out)
    grid = out.split("·bank by position")[0] if "·bank by position" in out else out.split("bank by position")[0]
    rows = grid_rows(grid, 30)
    assert sorted(rows) == list(range(31))
    for k, L in enumerate(r.layers):
        assert rows[L] == [str(tr.ranks[k]) for tr in r.tracks], L
    assert "positions 0–" in out  # paged over positions, with a header per page
    for tr in r.tracks:  # the summary: best and final rank of every position
        assert f"{tr.best_rank:,}" in out and f"{tr.final_rank:,}" in out


def test_grid_abbreviates_guesses_to_a_fixed_width_with_a_legend(deep):
    from vecs.inside.lens import logit_lens

    r = logit_lens(deep, PROMPT, k=1, positions="all")
    out = ok(["lens", PROMPT, "--grid"], env=W80).stdout
    readable(out)
    said = out.split("guesses (~ = abbreviated): ")[1].split("the model's next token")[0]
    legend = dict(x.split("=", 1) for x in said.split())
    rows = grid_rows(out, 30)
    for k, L in enumerate(r.layers):
        for cell, g in zip(rows[L], (c[0] for c in r.guesses[k])):
            assert cell == g.shown or legend[cell] == g.shown
            assert len(cell) <= 8
    assert any(c.endswith("~") for c in legend)


def test_the_default_view_is_the_last_positions_top_k_per_layer(deep):
    from vecs.inside.lens import logit_lens

    r = logit_lens(deep, PROMPT, k=3, positions=-1)
    out = ok(["lens", PROMPT, "-k", "3"], env=W80).stdout
    readable(out)
    assert "after position 11 (incomprehensible)" in out or "after position 11" in out
    for k in range(len(r.layers)):
        line = next(x for x in out.splitlines() if x.split()[:1] == [str(r.layers[k])])
        for g in r.guesses[k][0]:
            from cli.lens import prob

            assert prob(g.score) in line


def test_a_target_at_one_position_shows_its_rank_per_layer_and_where_it_enters(deep):
    from vecs.inside.lens import logit_lens

    r = logit_lens(deep, PROMPT, k=1, target="bank", positions="circumlocution")
    out = ok(["lens", PROMPT, "-t", "bank", "--position", "circumlocution"], env=W80).stdout
    readable(out)
    tr = r.tracks[0]
    assert tr.position == 5
    rows = {int(x.split()[0]): x.split() for x in out.splitlines() if x.split() and x.split()[0].isdigit()}
    for k, L in enumerate(r.layers):
        assert rows[L][1] == f"{tr.ranks[k]:,}"
    assert f"best rank {tr.best_rank:,} at layer {tr.best_layer}; final rank {tr.final_rank:,}" in " ".join(out.split())


def test_many_guesses_are_paged_not_cut(deep):
    out = ok(["lens", PROMPT, "-k", "10"], env=W80).stdout
    readable(out)
    assert "guesses #1–" in out and "#10" in out


def test_json_is_the_result(deep):
    d = json.loads(ok(["lens", PROMPT, "--target", "bank", "--position", "all", "--json"]).stdout)
    assert d["positions"] == list(range(12)) and len(d["tracks"]) == 12 and len(d["tracks"][0]["ranks"]) == 31
    assert d["target"]["tokens"] == ["bank"] and d["tokens"][0] == "⟨eos⟩"
    assert {"word", "score", "id", "rank", "shown"} <= set(d["guesses"][0][0][0])


# -- bad input: one line each --------------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--target", ""], "error: the target is empty"),
    (["--target", "zzzqqq"], "error: 'zzzqqq' is not in tiny's vocabulary"),
    (["--position", "12"], "error: position 12 is beyond the prompt: it has 12 tokens"),
    (["--position", "-13"], "error: position -13 is beyond the prompt"),
    (["--position", "money"], "error: 'money' is not a token of the prompt; its tokens: 0:⟨eos⟩ 1:we"),
    (["--position", "the"], None),
])
def test_bad_inputs_are_one_line(deep, args, message):
    if message is None:
        ok(["lens", PROMPT, *args])  # 'the' is there once
        return
    assert fails(["lens", PROMPT, *args]).startswith(message)


def test_a_target_of_several_tokens_is_noted(use):
    from inside.conftest import make_gpt

    use(make_gpt())
    out = ok(["lens", "we sat on the", "-t", "river bank"]).stdout
    assert "note: 'river bank' is 2 tokens in tiny (river + bank): following the first, 'river'" in out


# -- vecs ffn ------------------------------------------------------------------------------------
def test_ffn_shows_the_writer_and_readable_raised_tokens(use):
    from inside.constructed import constructed_gpt

    use(constructed_gpt())
    out = ok(["ffn", "we sat on the", "-t", "money"], env=W80).stdout
    readable(out)
    row = next(x for x in out.splitlines() if x.split()[:1] == ["2"])
    assert row.split()[2] == "1" and row.split()[4] == "money"  # rank after block 2: 1; raised most: money
    assert "block 2's feed-forward layer moves money" in " ".join(out.split())
    d = json.loads(ok(["ffn", "we sat on the", "--json"]).stdout)
    assert d["target"] == "money" and d["best_layer"] == 2 and d["layers"][1]["raised"][0]["shown"] == "money"


def test_ffn_bad_target_is_one_line(use):
    from inside.conftest import make_gpt

    use(make_gpt())
    assert fails(["ffn", "we sat on the", "-t", "zzzqqq"]).startswith("error: 'zzzqqq' is not in tiny's vocabulary")
    assert fails(["ffn", "we sat on the", "-t", " "]) == "error: the target is empty"


# -- SmolLM2 -------------------------------------------------------------------------------------
DARWIN = "What is Charles Darwin's most famous book? Darwin wrote"


@real
def test_darwin_grid_with_the_at_80_columns():
    out = ok(["lens", DARWIN, "--target", "the", "--position", "all"], env=W80).stdout
    readable(out)
    rows = grid_rows(out.split("·the by position")[0], 30)
    assert sorted(rows) == list(range(31)) and all(len(v) == 12 and all(c.isdigit() for c in v) for v in rows.values())


@real
def test_the_charles_column_with_dickens():
    out = ok(["lens", DARWIN, "--target", "Dickens", "--position", "Charles"], env=W80).stdout
    readable(out)
    assert "·Dickens after position 3 (·Charles)" in " ".join(out.split())
    assert "the model's next token after position 3: ·Darwin" in out


@real
def test_lens_and_ffn_refuse_an_encoder():
    assert "causal" in fails(["lens", "Hello", "--model", "minilm"])
    assert "causal" in fails(["ffn", "The capital of Poland is", "-m", "minilm"])


@real
def test_ffn_json_and_the_default_target():
    d = json.loads(ok(["ffn", "The capital of France is", "--json"]).stdout)
    assert d["final_rank"] == 1 and d["target"] == "·Paris"
    assert {"layer", "rank_before", "rank_after", "raised"} <= set(d["layers"][0])
    out = ok(["ffn", "The capital of Poland is", "-t", "Warsaw"], env=W80).stdout
    readable(out)
