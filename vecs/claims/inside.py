"""The explainers' claims about the inside of a language model, each checked on a real model with
the explainers' own prompts, each verdict decided by the criterion stated beside it.

Every function takes a loaded causal :class:`~vecs.contextual.model.ContextModel` and returns an
:class:`~vecs.claims.outcome.Outcome`; :data:`CLAIMS` lists them in the order of the explainers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from vecs.claims.outcome import Outcome, judged
from vecs.extras import require_torch

DARWIN = "What is Charles Darwin's most famous book? Darwin wrote"
POLAND = "Q: What is the capital of France? A: Paris Q: What is the capital of Poland? A:"
POLAND_FACT = "The capital of Poland is Warsaw. " + POLAND
MARY = "When Mary and John went to the store, John gave a drink to"
HIS = "John wants his bank to cash the"
CHINA = "Q: What is the capital of France? A: Paris Q: What is the capital of China? A:"
SAMPLE = "Q: What is Charles Darwin's most famous book? A:"


def _ranks(layers, ranks, every: int) -> str:
    return ", ".join(f"L{L}:#{r:,}" for L, r in zip(layers, ranks) if L % every == 0 or L == layers[-1])


def darwin(model) -> Outcome:
    from vecs.inside.lens import logit_lens

    r = logit_lens(model, DARWIN, k=3, target="the", positions=[-1])
    t = r.tracks[0]
    mid = r.layers[-1] // 2
    top1_late = [L for L, k in zip(r.layers, t.ranks) if k == 1 and L > mid]
    held = bool(top1_late) and t.final_rank <= 3
    partly = t.final_rank <= 10 or t.best_rank <= 3
    final = r.final[0]
    return judged(model.name, held, partly,
                  f"·the #{t.final_rank} at the last layer (best #{t.best_rank} at L{t.best_layer}); "
                  f"the model's guess {final.shown} ({final.score:.2f})",
                  "rank of ·the by layer: " + _ranks(r.layers, t.ranks, max(1, len(r.layers) // 6)),
                  {"ranks": t.ranks, "final_rank": t.final_rank, "best_rank": t.best_rank,
                   "best_layer": t.best_layer, "final_guess": final.shown})


def charles(model) -> Outcome:
    from vecs.inside.lens import logit_lens

    r = logit_lens(model, DARWIN, k=3, target="Dickens", positions=["Charles"])
    t = r.tracks[0]
    mid = r.layers[-1] // 2
    late = [k for L, k in zip(r.layers, t.ranks) if L > mid]
    held = min(late) == 1
    partly = min(late) <= 10
    col = [layer[0][0] for layer in r.guesses]
    return judged(model.name, held, partly,
                  f"·Dickens best #{t.best_rank} (L{t.best_layer}), #{t.final_rank} at the last layer; "
                  f"the column's last guess {col[-1].shown} ({col[-1].score:.2f})",
                  "rank of ·Dickens by layer: " + _ranks(r.layers, t.ranks, max(1, len(r.layers) // 6)),
                  {"ranks": t.ranks, "final_rank": t.final_rank, "final_guess": col[-1].shown})


def warsaw(model) -> Outcome:
    from vecs.inside.lens import feed_forward_lens

    r = feed_forward_lens(model, POLAND, target="Warsaw")
    best = next(x for x in r.layers if x.layer == r.best_layer)
    gain = best.rank_before / max(best.rank_after, 1)
    n = len(r.layers)
    held = r.final_rank == 1 and gain >= 10 and best.layer < n
    partly = r.final_rank <= 10 and gain >= 10
    where = "the last block" if best.layer == n else f"block {best.layer} of {n}"
    return judged(model.name, held, partly,
                  f"{where}'s MLP: Warsaw #{best.rank_before:,} → #{best.rank_after:,}; "
                  f"the model's rank for Warsaw #{r.final_rank:,}",
                  f"gain {gain:,.0f}x in rank at block {best.layer}",
                  {"best_layer": best.layer, "rank_before": best.rank_before, "rank_after": best.rank_after,
                   "final_rank": r.final_rank, "blocks": n})


_BEST: dict[tuple[str, int], int] = {}


def _best_mlp(model) -> int:
    """The block whose MLP lifts Warsaw most in the Poland question (worked out once per model)."""
    from vecs.inside.lens import feed_forward_lens

    key = (model.name, id(model))
    if key not in _BEST:
        _BEST[key] = feed_forward_lens(model, POLAND, target="Warsaw").best_layer
    return _BEST[key]


def switch_off(model) -> Outcome:
    from vecs.inside.ablate import ablate

    layer = _best_mlp(model)
    r = ablate(model, POLAND, "Warsaw", component="mlp", layer=layer)
    row = r.rows[0]
    held = row.rank > 10
    partly = row.change <= -0.693  # the probability at least halved
    return judged(model.name, held, partly,
                  f"block {layer}'s MLP off: Warsaw #{r.baseline_rank:,} ({r.baseline_prob:.3f}) → "
                  f"#{row.rank:,} ({row.prob:.3f})",
                  f"top guess with it off: {row.top}",
                  {"layer": layer, "baseline_rank": r.baseline_rank, "rank": row.rank, "prob": row.prob,
                   "baseline_prob": r.baseline_prob})


def fact_in_prompt(model) -> Outcome:
    from vecs.inside.ablate import ablate

    layer = _best_mlp(model)
    bare = ablate(model, POLAND, "Warsaw", component="mlp", layer=layer).rows[0]
    told = ablate(model, POLAND_FACT, "Warsaw", component="mlp", layer=layer).rows[0]
    held = told.rank == 1
    partly = told.rank <= 3 and told.rank < bare.rank
    return judged(model.name, held, partly,
                  f"block {layer}'s MLP off, fact in the prompt: Warsaw #{told.rank:,} ({told.prob:.3f}); "
                  f"without the fact #{bare.rank:,}",
                  f"prompt: {POLAND_FACT!r}",
                  {"layer": layer, "rank_told": told.rank, "rank_bare": bare.rank})


def beijing(model) -> Outcome:
    """Block L (the MLP that lifts Warsaw most) writes a vector at the last position of the Poland
    question. Put that vector in place of what the same block writes for the China question: is
    the answer Beijing (the vector means "the capital of the country asked about") or Warsaw (it
    carries Warsaw itself)? Compared with the China question with that block's output removed."""
    from vecs.inside.probe import Edit, run
    from vecs.inside.tokens import find_target

    torch = require_torch()
    layer = _best_mlp(model)
    bj, wa = find_target(model, "Beijing").id, find_target(model, "Warsaw").id
    donor = run(model, [POLAND], capture=("mlp",))
    vec = donor.mlp[layer - 1, 0, donor.lengths[0] - 1]

    def last(fn):
        def edit(x):
            x = x.clone()
            x[:, -1] = fn(x[:, -1])
            return x
        return edit

    def ranks(edits):
        lp = torch.log_softmax(run(model, [CHINA], edits=edits, capture=("resid",)).logits(position=-1), -1)
        return int((lp > lp[bj]).sum()) + 1, int((lp > lp[wa]).sum()) + 1

    own = ranks([])
    off = ranks([Edit("mlp", layer, last(torch.zeros_like))])
    swapped = ranks([Edit("mlp", layer, last(lambda x: vec.to(x.dtype).to(x.device).expand_as(x)))])
    held = swapped[0] == 1 and off[0] > 1
    partly = swapped[0] < off[0] and swapped[0] < swapped[1]
    return judged(model.name, held, partly,
                  f"China question with block {layer}'s MLP output from the Poland question: Beijing #{swapped[0]:,}, "
                  f"Warsaw #{swapped[1]:,}",
                  f"Beijing #{own[0]:,} on its own, #{off[0]:,} with that output removed",
                  {"layer": layer, "beijing_own": own[0], "beijing_removed": off[0], "beijing_swapped": swapped[0],
                   "warsaw_swapped": swapped[1]})


def mary(model) -> Outcome:
    from vecs.inside.heads import find_names
    from vecs.inside.lens import logit_lens

    final = logit_lens(model, MARY, k=3, positions=[-1]).final[0]
    r = find_names(model, MARY)
    movers = sorted((h for h in r.heads if h.weight >= 0.3 and h.effect is not None and h.effect > 0),
                    key=lambda h: -h.effect)
    top = movers[0] if movers else r.heads[0]  # the best name mover, else the head that looks most
    held = final.shown == "·Mary" and bool(movers)
    partly = final.shown == "·Mary" or r.heads[0].weight >= 0.3
    effect = f", logit effect {top.effect:+.2f}" if top.effect is not None else ""
    return judged(model.name, held, partly,
                  f"the model says {final.shown} ({final.score:.2f}); head {top.name} puts {top.weight:.2f} of the "
                  f"last position's attention on Mary{effect}",
                  "heads with >= 0.30 on Mary that raise ·Mary: "
                  + (", ".join(f"{h.name} ({h.weight:.2f}, {h.effect:+.2f})" for h in movers[:5]) or "none")
                  + "; most attention: " + ", ".join(f"{h.name} ({h.weight:.2f})" for h in r.heads[:3]),
                  {"final": final.shown, "movers": [(h.name, h.weight, h.effect) for h in movers[:5]],
                   "heads": [(h.name, h.weight, h.effect) for h in r.heads[:5]]})


def his(model) -> Outcome:
    from vecs.inside.heads import rank_heads

    r = rank_heads(model, HIS, to="John", source_from="his")
    top = r.heads[0]
    return judged(model.name, top.weight >= 0.3, top.weight >= 0.1,
                  f"head {top.name}: 'his' puts {top.weight:.2f} of its attention on John",
                  "next: " + ", ".join(f"{h.name} ({h.weight:.2f})" for h in r.heads[1:4]),
                  {"heads": [(h.name, h.weight) for h in r.heads[:5]]})


def sampling(model) -> Outcome:
    from vecs.inside.generate import generation, sample_continuations

    s = sample_continuations(model, SAMPLE, samples=5, max_tokens=8, temperature=1.0, seed=0)
    g1 = generation(model, SAMPLE, max_tokens=8, temperature=0)
    g2 = generation(model, SAMPLE, max_tokens=8, temperature=0)
    unlikely = sum(1 for g in s.samples for st in g.steps if st.rank > 1)
    held = s.distinct >= 2 and g1.text == g2.text and unlikely > 0
    return judged(model.name, held, s.distinct >= 2,
                  f"{s.distinct} different answers in 5 samples (temperature 1); greedy twice: "
                  f"{'the same' if g1.text == g2.text else 'different'}; {unlikely} tokens were not the top guess",
                  " | ".join(repr(g.text.strip()[:30]) for g in s.samples[:3]),
                  {"distinct": s.distinct, "greedy": g1.text, "samples": [g.text for g in s.samples]})


@dataclass
class Claim:
    key: str
    claim: str
    command: str
    criterion: str
    check: Callable[[object], Outcome]


CLAIMS = [
    Claim("darwin", "later layers settle on the next word: \"…Darwin wrote\" → \"the\"",
          f'vecs lens "{DARWIN}" -t the -m {{m}}',
          "held = ·the is the top guess at some layer after the middle and in the top 3 at the last; "
          "partly = in the top 10 at the last layer, or the top 3 at some layer", darwin),
    Claim("charles", "the column of \"Charles\" settles on \"Dickens\"",
          f'vecs lens "{DARWIN}" --position Charles -t Dickens -m {{m}}',
          "held = ·Dickens is the top guess at some layer after the middle; partly = in the top 10 there",
          charles),
    Claim("warsaw", "a feed-forward layer turns Poland into Warsaw",
          f'vecs ffn "{POLAND}" -t Warsaw -m {{m}}',
          "held = Warsaw is the model's answer and one MLP before the last lifts its rank 10x or more; "
          "partly = Warsaw in the top 10 and some MLP (the last included) lifts it 10x", warsaw),
    Claim("switch-off", "switch that layer off and Warsaw is gone",
          f'vecs ablate "{POLAND}" -t Warsaw --component mlp -l {{layer}} -m {{m}}',
          "held = with the MLP that lifts Warsaw most switched off, Warsaw leaves the top 10; "
          "partly = its probability at least halves", switch_off),
    Claim("fact", "put \"The capital of Poland is Warsaw.\" in the prompt and attention brings it back",
          f'vecs ablate "{POLAND_FACT}" -t Warsaw --component mlp -l {{layer}} -m {{m}}',
          "held = with that MLP still off, Warsaw is the top guess once the fact is in the prompt; "
          "partly = top 3 and better than without the fact", fact_in_prompt),
    Claim("beijing", "the same vector turns China into Beijing",
          f'vecs patch "{POLAND}" "{CHINA}" -t Beijing --component mlp -m {{m}}',
          "held = the China question, with the Poland question's MLP output (of the block that lifts Warsaw "
          "most) in place of its own at the last position, answers Beijing, and without that output it does "
          "not; partly = Beijing rises over removing it and stays above Warsaw", beijing),
    Claim("mary", "attention heads move the name: \"…John gave a drink to\" → Mary",
          f'vecs attention --find-names "{MARY}" -m {{m}}',
          "held = the model says ·Mary and some head puts >= 0.30 of the last position's attention on Mary "
          "while raising ·Mary's logit; partly = one of the two", mary),
    Claim("his", "\"his\" gets John's vector: a head attends from his to John",
          f'vecs attention "{HIS}" --to John --from his -m {{m}}',
          "held = some head puts >= 0.30 of his attention on John; partly = >= 0.10", his),
    Claim("sampling", "a model writes one word at a time, sometimes a less likely one, so answers vary",
          f'vecs generate "{SAMPLE}" --samples 5 --seed 0 --max-tokens 8 -m {{m}}',
          "held = 5 samples at temperature 1 give at least 2 different answers, some tokens are not the top "
          "guess, and greedy decoding repeats exactly; partly = the answers vary", sampling),
]
