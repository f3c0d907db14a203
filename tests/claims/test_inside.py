"""The transformer claims on the real causal LMs: each verdict is the one its criterion gives for
the numbers it reports (recomputed here from the outcome's data)."""

from __future__ import annotations

import pytest

from vecs.claims import inside

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def lms():
    from vecs.contextual.load import load_model

    return {name: load_model(name) for name in ("smollm2", "gemma3")}


def test_darwin_verdict_follows_the_ranks_of_the(lms):
    for m in lms.values():
        o = inside.darwin(m)
        ranks, final = o.data["ranks"], o.data["final_rank"]
        mid = (len(ranks) - 1) // 2
        held = any(k == 1 for L, k in enumerate(ranks) if L > mid) and final <= 3
        assert o.held is held
        assert o.verdict == ("held" if held else "partly" if final <= 10 or min(ranks) <= 3 else "not here")
    # measured: ·the is never SmolLM2's top guess on the full question (best #3); the model says ·"
    o = inside.darwin(lms["smollm2"])
    assert o.verdict == "partly" and o.data["best_rank"] == 3


def test_warsaw_is_written_mid_depth_in_gemma_and_by_the_last_block_in_smollm2(lms):
    g = inside.warsaw(lms["gemma3"])
    assert g.held and g.data["best_layer"] < g.data["blocks"]
    s = inside.warsaw(lms["smollm2"])
    assert s.data["best_layer"] == s.data["blocks"] and not s.held  # a last-layer effect: not the claim


def test_the_poland_vector_gives_beijing_not_warsaw(lms):
    for m in lms.values():
        o = inside.beijing(m)
        d = o.data
        assert o.held is (d["beijing_swapped"] == 1 and d["beijing_removed"] > 1)
        assert d["beijing_swapped"] < d["warsaw_swapped"]


def test_his_attends_to_john_and_sampling_varies(lms):
    m = lms["gemma3"]
    o = inside.his(m)
    assert o.held is (o.data["heads"][0][1] >= 0.3)
    s = inside.sampling(m)
    assert s.data["distinct"] >= 2 and s.held
