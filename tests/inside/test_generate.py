"""Generation on a tiny GPT whose next-token distribution is known by hand (tests/inside/successor.py:
after token t its logits are -0.5 * ((v - t - 1) mod 12), whatever came before), the sampling
warpers against transformers' own, and SmolLM2 against transformers' generate."""

from __future__ import annotations

import math

import pytest

from tests.inside.successor import WORDS, logits_after, probs_after, successor_gpt
from vecs.errors import ContextualError
from vecs.inside.generate import check_settings, generate, generation, sample_continuations, warp

torch = pytest.importorskip("torch")

THE = WORDS.index("the")


@pytest.fixture
def succ():
    return successor_gpt()


def rank_after(t: int, v: int) -> int:
    return (v - t - 1) % len(WORDS) + 1


# -- greedy ----------------------------------------------------------------------------------
def test_greedy_is_the_argmax_at_every_step_and_stops_at_the_end_token(succ):
    g = generation(succ, "the", temperature=0)
    ids = [s.id for s in g.steps]
    assert ids == [3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1]  # each the argmax after the one before; 1 = <eos>
    assert g.stopped == "end token" and g.steps[-1].token == "⟨eos⟩"
    assert all(s.rank == 1 and s.probability == 1.0 for s in g.steps)
    assert all(s.model_probability == pytest.approx(probs_after(THE)[3], abs=1e-5) for s in g.steps)
    assert g.text == " bank river money is a of by on we <unk>"  # the end token is not written
    assert g.settings.seed is None


def test_greedy_runners_up_are_the_next_best_with_their_probabilities(succ):
    step = generation(succ, "the", temperature=0, max_tokens=1, runners_up=3).steps[0]
    p = probs_after(THE)
    assert [c.id for c in step.runners_up] == [4, 5, 6]
    assert [c.probability for c in step.runners_up] == pytest.approx([p[4], p[5], p[6]], abs=1e-5)
    assert [c.token for c in step.runners_up] == ["river", "money", "is"]


def test_greedy_is_repeatable(succ):
    a = generation(succ, "we the bank", temperature=0, max_tokens=5)
    b = generation(succ, "we the bank", temperature=0, max_tokens=5)
    assert a == b


# -- sampling --------------------------------------------------------------------------------
def test_seeded_sampling_is_reproducible_and_seeds_differ(succ):
    runs = {s: generation(succ, "the", temperature=1.0, seed=s, max_tokens=10).steps for s in (1, 2)}
    again = generation(succ, "the", temperature=1.0, seed=1, max_tokens=10).steps
    assert [x.id for x in again] == [x.id for x in runs[1]]
    assert [x.id for x in runs[1]] != [x.id for x in runs[2]]


def test_sampled_steps_report_model_probability_rank_and_draw_probability(succ):
    g = generation(succ, "the", temperature=1.0, seed=7, max_tokens=12)
    prev = THE
    for s in g.steps:
        assert s.rank == rank_after(prev, s.id)
        assert s.model_probability == pytest.approx(probs_after(prev)[s.id], abs=1e-5)
        assert s.probability == pytest.approx(s.model_probability, abs=1e-5)  # T = 1, nothing cut
        prev = s.id
    assert g.log_probability == pytest.approx(sum(math.log(s.model_probability) for s in g.steps))


def test_temperature_and_top_k_change_the_draw_distribution_not_the_models(succ):
    s = generation(succ, "the", temperature=0.5, top_k=2, seed=0, max_tokens=1).steps[0]
    z = torch.tensor(logits_after(THE)) / 0.5
    keep = torch.topk(z, 2).indices
    p = torch.softmax(z[keep], 0)
    assert s.id in keep.tolist()
    assert s.probability == pytest.approx(float(p[keep.tolist().index(s.id)]), abs=1e-5)
    assert s.model_probability == pytest.approx(probs_after(THE)[s.id], abs=1e-5)


def test_top_k_keeps_every_draw_within_the_k_best(succ):
    g = generation(succ, "the", temperature=2.0, top_k=3, seed=11, max_tokens=15)
    assert all(s.rank <= 3 for s in g.steps)


def test_top_p_keeps_the_smallest_set_reaching_p(succ):
    p = sorted(probs_after(THE), reverse=True)  # 0.39, 0.24, 0.14, ...: the top two hold 0.63
    g = generation(succ, "the", temperature=1.0, top_p=0.6, seed=3, max_tokens=15)
    assert p[0] < 0.6 < p[0] + p[1]
    assert all(s.rank <= 2 for s in g.steps) and any(s.rank == 2 for s in g.steps)


def test_top_k_one_is_greedy(succ):
    greedy = generation(succ, "the", temperature=0, max_tokens=8)
    k1 = generation(succ, "the", temperature=1.5, top_k=1, seed=4, max_tokens=8)
    assert [s.id for s in k1.steps] == [s.id for s in greedy.steps]


@pytest.mark.parametrize("temperature,top_k,top_p", [(1.0, 5, None), (0.7, None, 0.9), (1.3, 50, 0.8),
                                                     (0.5, 1, 0.3), (2.0, 1000, 1.0), (1.0, None, 0.05)])
def test_warp_matches_transformers_warpers(temperature, top_k, top_p):
    tr = pytest.importorskip("transformers")
    from transformers.generation.logits_process import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 500, generator=g) * 3
    logits[0, :10] = 1.0  # ties at the k-th place
    theirs = TemperatureLogitsWarper(temperature)(None, logits.clone())
    if top_k is not None:
        theirs = TopKLogitsWarper(top_k)(None, theirs)
    if top_p is not None:
        theirs = TopPLogitsWarper(top_p)(None, theirs)
    ours = warp(logits, temperature, top_k, top_p)
    assert torch.equal(torch.isinf(ours), torch.isinf(theirs))
    assert torch.allclose(ours[~torch.isinf(ours)], theirs[~torch.isinf(theirs)])
    assert tr is not None


# -- streaming, stopping, the context ----------------------------------------------------------
def test_generate_streams_one_step_at_a_time(succ):
    stream = generate(succ, "the", temperature=0, max_tokens=5)
    first = next(stream)
    assert first.step == 1 and len(stream.steps) == 1 and stream.stopped is None
    rest = list(stream)
    assert [s.step for s in rest] == [2, 3, 4, 5] and stream.stopped == "max tokens"
    g = stream.result()
    assert "".join(s.text for s in g.steps) == g.text == " bank river money is a"
    assert g.prompt_tokens == ["the"]


def test_samples_seed_and_sampling_on_our_gpt_with_a_start_token(tiny_gpt):
    """The room's tiny GPT reads <eos> first (as our trained ones do): it is in the prompt, not a stop."""
    g = generation(tiny_gpt, "the bank", temperature=1.0, seed=1, max_tokens=5)
    assert g.prompt_tokens[0] == "⟨eos⟩" and g.steps
    assert g == generation(tiny_gpt, "the bank", temperature=1.0, seed=1, max_tokens=5)


def test_stops_at_max_tokens_without_an_end_token():
    m = successor_gpt(eos=False)
    g = generation(m, "the", temperature=0, max_tokens=14)
    assert len(g.steps) == 14 and g.stopped == "max tokens" and g.steps[10].id == 1  # <eos> is just a word here


def test_stops_when_the_context_is_full(succ):
    prompt = "we the bank river money is a of by the"  # 10 tokens; the end token is 11 steps away
    g = generation(succ, prompt, temperature=0, max_tokens=32)
    assert g.stopped == "context full" and len(g.steps) == 6 and g.context == 16


def test_prompt_filling_the_context_is_one_error(succ):
    with pytest.raises(ContextualError, match="reads at most 16"):
        generate(succ, " ".join(["the"] * 16))
    generate(succ, " ".join(["the"] * 15))  # room for one token


@pytest.mark.parametrize("kw,msg", [({"temperature": -0.1}, "temperature"), ({"top_p": 0.0}, "top-p"),
                                    ({"top_p": 1.5}, "top-p"), ({"top_k": 0}, "top-k"),
                                    ({"max_tokens": 0}, "max-tokens"), ({"seed": -1}, "seed"),
                                    ({"temperature": float("nan")}, "temperature")])
def test_bad_settings_are_refused_before_anything_runs(succ, kw, msg):
    with pytest.raises(ContextualError, match=msg):
        generate(succ, "the", **kw)


@pytest.mark.parametrize("prompt", ["", "   "])
def test_an_empty_prompt_is_one_error(succ, prompt):
    with pytest.raises(ContextualError, match="empty"):
        generate(succ, prompt)


def test_check_settings_samples_range():
    with pytest.raises(ContextualError, match="samples"):
        check_settings(8, 1.0, None, None, None, samples=0)


def test_an_encoder_is_refused(minilm_like):
    with pytest.raises(ContextualError, match="causal"):
        generate(minilm_like, "the")


@pytest.fixture
def minilm_like(succ):
    succ.causal, succ.kind, succ.name = False, "hf-encoder", "enc"
    return succ


def test_unseeded_sampling_records_the_seed_it_drew(succ):
    g = generation(succ, "the", temperature=1.0, max_tokens=6)
    assert isinstance(g.settings.seed, int)
    assert generation(succ, "the", temperature=1.0, max_tokens=6, seed=g.settings.seed).steps == g.steps


# -- samples ---------------------------------------------------------------------------------
def test_samples_are_the_runs_of_consecutive_seeds(succ):
    s = sample_continuations(succ, "the", samples=4, temperature=1.0, seed=20, max_tokens=6)
    assert len(s.samples) == 4 and s.settings.seed == 20
    for i, g in enumerate(s.samples):
        assert g.steps == generation(succ, "the", temperature=1.0, seed=20 + i, max_tokens=6).steps
    assert s.distinct == len({g.text for g in s.samples}) > 1


def test_greedy_samples_are_all_the_same(succ):
    s = sample_continuations(succ, "the", samples=3, temperature=0, max_tokens=4)
    assert s.distinct == 1 and s.settings.seed is None


# -- real models -----------------------------------------------------------------------------
def _transformers_greedy(m, prompt: str, n: int) -> list[int]:
    ids = torch.tensor([m.encode_ids(prompt)])
    with torch.no_grad():
        out = m.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, do_sample=False)
    return out[0, ids.shape[1]:].tolist()


@pytest.mark.real
def test_smollm2_greedy_says_paris_and_equals_transformers_generate(smollm2):
    g = generation(smollm2, "The capital of France is", max_tokens=16, temperature=0)
    assert g.steps[0].token == "·Paris" and g.text.startswith(" Paris")
    assert [s.id for s in g.steps] == _transformers_greedy(smollm2, "The capital of France is", 16)


@pytest.mark.real
def test_gemma3_greedy_says_warsaw_and_equals_transformers_generate(gemma3):
    g = generation(gemma3, "The capital of Poland is", max_tokens=12, temperature=0)
    assert g.steps[0].token == "·Warsaw"
    assert [s.id for s in g.steps] == _transformers_greedy(gemma3, "The capital of Poland is", 12)


@pytest.mark.real
def test_smollm2_streams_chinese_whole_characters(smollm2):
    """SmolLM2 spells most Chinese characters in two or three byte pieces: the stream holds them
    back until the character is whole, and the steps show it on the piece that completes it."""
    g = generation(smollm2, "这场足球比赛中，输", max_tokens=9, temperature=0)
    assert "".join(s.text for s in g.steps) == g.text == "出“足球比"
    assert [s.token for s in g.steps][2:] == ["⋯", "⋯", "足", "⋯", "球", "⋯", "比"]
