"""Activation patching (vecs.inside.patch): the cells whose answer is known exactly on any model —
the residual at layer 0 where the prompts differ, and the last layer's last position, give the
clean run; where the prompts agree, layer 0 gives the corrupted run — then SmolLM2 on Poland vs
Norway."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from tests.inside.constructed import WORDS, by_hand, constructed_gpt  # noqa: E402

from vecs.errors import ContextualError  # noqa: E402
from vecs.inside.patch import patch  # noqa: E402

CLEAN, CORRUPT = "the bank is", "the river is"


@pytest.fixture(scope="module")
def tiny():
    return constructed_gpt(writer=False)


@pytest.fixture(scope="module")
def answer(tiny):
    return WORDS[int(by_hand(tiny, CLEAN).argmax())]


@pytest.fixture(scope="module")
def traced(tiny, answer):
    return patch(tiny, CLEAN, CORRUPT, answer)


def test_clean_and_corrupted_runs_are_the_models_own(tiny, answer, traced):
    i = WORDS.index(answer)
    assert traced.clean_prob == pytest.approx(float(by_hand(tiny, CLEAN)[i]), rel=1e-5)
    assert traced.corrupt_prob == pytest.approx(float(by_hand(tiny, CORRUPT)[i]), rel=1e-5)
    assert traced.clean_prob != pytest.approx(traced.corrupt_prob, abs=1e-3)  # something to restore
    assert traced.differ == [1]
    assert traced.layers == [0, 1, 2]
    assert len(traced.probs) == 3 and all(len(row) == 3 for row in traced.probs)


def test_patching_the_whole_residual_at_the_last_layers_last_position_restores_the_clean_run(traced):
    assert traced.probs[-1][-1] == pytest.approx(traced.clean_prob, rel=1e-5)
    assert traced.ranks[-1][-1] == traced.clean_rank
    assert traced.restored[-1][-1] == pytest.approx(1.0, abs=1e-4)


def test_layer_zero_where_the_prompts_differ_gives_the_clean_run_and_elsewhere_the_corrupted(traced):
    assert traced.probs[0][1] == pytest.approx(traced.clean_prob, rel=1e-5)
    assert traced.restored[0][1] == pytest.approx(1.0, abs=1e-4)
    for t in (0, 2):  # the same token in both prompts: nothing changes
        assert traced.probs[0][t] == pytest.approx(traced.corrupt_prob, rel=1e-5)
        assert traced.restored[0][t] == pytest.approx(0.0, abs=1e-4)
    assert traced.best.restored == pytest.approx(1.0, abs=1e-4)


def test_the_residual_after_the_last_layer_at_earlier_positions_changes_nothing(traced):
    # nothing reads the last layer's residual except the unembedding of its own position
    for t in (0, 1):
        assert traced.probs[-1][t] == pytest.approx(traced.corrupt_prob, rel=1e-5)


def test_row_batched_patching_equals_one_at_a_time_runs(tiny, answer):
    import torch

    from vecs.inside.probe import Edit, run

    for component in ("resid", "attn", "mlp"):
        batched = patch(tiny, CLEAN, CORRUPT, answer, component=component)
        single = patch(tiny, CLEAN, CORRUPT, answer, component=component, rows_per_pass=1)
        for a, b in zip(batched.probs, single.probs):
            assert a == pytest.approx(b, rel=1e-4, abs=1e-7)
    # one cell (block 1's MLP at position 1) with the probe's plain edits
    clean = run(tiny, [CLEAN], capture=("mlp",)).mlp[0, 0, 1]

    def put(x):
        x = x.clone()
        x[:, 1] = clean
        return x

    t = run(tiny, [CORRUPT], [Edit("mlp", 1, put)], capture=("resid",))
    p = float(torch.softmax(t.logits(position=-1).detach(), -1)[WORDS.index(answer)])
    assert patch(tiny, CLEAN, CORRUPT, answer, component="mlp").probs[0][1] == pytest.approx(p, rel=1e-4)


def test_all_positions_of_every_layer_take_one_forward_pass(tiny, answer, monkeypatch):
    import vecs.inside.intervene as iv
    import vecs.inside.patch as pt

    calls = []
    for module in (iv, pt):
        monkeypatch.setattr(module, "run", lambda model, ids, *a, real=module.run, **k:
                            calls.append(len(ids)) or real(model, ids, *a, **k))
    patch(tiny, CLEAN, CORRUPT, answer)
    assert calls == [1, 1 + 3 * 3]  # the clean run; the corrupted run and its 9 patched copies


def test_the_same_prompt_twice_has_nothing_to_restore(tiny, answer):
    r = patch(tiny, CLEAN, CLEAN, answer)
    assert r.differ == [] and all(x is None for row in r.restored for x in row)


@pytest.mark.parametrize("args, message", [
    ((CLEAN, "the river is a", "money"), r"same number of tokens: clean 3 \(the bank is\), corrupted 4 "
                                         r"\(the river is a\)"),
    ((CLEAN, CORRUPT, ""), "the target is empty"),
    (("", CORRUPT, "money"), "the clean prompt is empty"),
    ((CLEAN, " ", "money"), "the corrupted prompt is empty"),
])
def test_bad_inputs_are_one_clear_error(tiny, args, message):
    with pytest.raises(ContextualError, match=message):
        patch(tiny, *args)


def test_an_unknown_component_is_refused(tiny):
    with pytest.raises(ContextualError, match="unknown component 'head'"):
        patch(tiny, CLEAN, CORRUPT, "money", component="head")


@pytest.mark.real
def test_smollm2_poland_norway_warsaw(smollm2):
    r = patch(smollm2, "The capital of Poland is", "The capital of Norway is", "Warsaw")
    assert r.clean_rank == 1 and r.clean_prob > 0.1 and r.corrupt_prob < 0.01
    assert len(r.differ) == 1
    t = r.differ[0]
    assert r.clean_tokens[t] == "·Poland" and r.corrupt_tokens[t] == "·Norway"
    assert r.restored[0][t] == pytest.approx(1.0, abs=1e-3)  # the embeddings of the differing word: the clean run
    assert r.restored[-1][-1] == pytest.approx(1.0, abs=1e-3)


@pytest.mark.real
def test_gemma3_poland_norway_warsaw(gemma3):
    r = patch(gemma3, "The capital of Poland is", "The capital of Norway is", "Warsaw")
    assert r.clean_tokens[0] == "⟨bos⟩" and r.differ == [4]
    assert r.clean_rank == 1 and r.corrupt_prob < 0.01
    assert r.restored[0][4] == pytest.approx(1.0, abs=1e-3) and r.restored[-1][-1] == pytest.approx(1.0, abs=1e-3)
