"""Speed of looking inside a transformer: vecs against the same work done with plain transformers
calls, in the same process, on smollm2 and gemma3.

Cases (each side computes the same answer, checked identical before timing):
  * lens      — every layer x every position decoded to the top guess: vecs `logit_lens` vs
                `output_hidden_states=True` + the final norm + the unembedding by hand;
  * attention — every head's pattern at every layer: vecs `probe.run(capture=pattern)` vs
                `output_attentions=True` (eager attention);
  * generate  — up to 32 greedy tokens (both stop at the model's end tokens): vecs
                `generation(temperature=0)` (which also ranks every token and keeps runners-up) vs
                `model.generate(do_sample=False)`;
  * ablate    — the target's rank with each MLP switched off, a sweep over layers: vecs `ablate`
                vs a loop of forward passes with a hook zeroing one MLP each.

Timing: a warm-up of each side, then RUNS rounds, the two sides interleaved in every round;
medians reported. Threads and the load average are printed; run it with nothing else running.
Prints a table and a final JSON line. Usage: python bench/transformer.py [MODEL ...] [--runs N]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPT = "What is Charles Darwin's most famous book? Darwin wrote"
POLAND = "The capital of Poland is"
STORY = "Once upon a time, in a small village by the sea,"  # long enough an answer for 32 tokens


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def plain_lens(m, ids):
    import torch

    hf = m.model
    with torch.inference_mode():
        out = hf.base_model(input_ids=ids, output_hidden_states=True)
        hs = list(out.hidden_states)
        normed = [m.final_norm_module()(h) for h in hs[:-1]] + [hs[-1]]  # the last is normalised already
        logits = hf.lm_head(torch.stack(normed, 0)[:, 0]).float()  # (L+1, T, V)
        return logits.softmax(-1).argmax(-1)


def vecs_lens(m):
    from vecs.inside.lens import logit_lens

    r = logit_lens(m, PROMPT, k=1, positions="all")
    return [[col[0].id for col in layer] for layer in r.guesses]


def plain_attention(m, ids):
    import torch

    hf = m.model
    hf.set_attn_implementation("eager")
    try:
        with torch.inference_mode():
            out = hf.base_model(input_ids=ids, output_attentions=True)
        return torch.stack([a[0] for a in out.attentions], 0).float()  # (L, H, T, T)
    finally:
        hf.set_attn_implementation("sdpa")


def vecs_attention(m):
    from vecs.inside.probe import run

    return run(m, [PROMPT], capture=("pattern",)).pattern[:, 0]


def plain_generate(m, ids, n):
    import torch

    with torch.inference_mode():
        out = m.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, do_sample=False,
                               eos_token_id=sorted(m.stop_ids()), pad_token_id=m.tok.pad_token_id)
    return out[0, ids.shape[1]:].tolist()


def vecs_generate(m, n):
    from vecs.inside.generate import generation

    g = generation(m, STORY, max_tokens=n, temperature=0)
    return [s.id for s in g.steps]


def plain_ablate(m, ids, tid):
    import torch

    from vecs.inside.anatomy import anatomy

    an = anatomy(m)
    ranks = []
    with torch.inference_mode():
        for mod in an.mlp_write:
            h = mod.register_forward_hook(lambda mod, i, o: torch.zeros_like(o))
            try:
                logits = m.model(input_ids=ids).logits[0, -1].float()
            finally:
                h.remove()
            ranks.append(int((logits > logits[tid]).sum()) + 1)
    return ranks


def vecs_ablate(m):
    from vecs.inside.ablate import ablate

    return [row.rank for row in ablate(m, POLAND, "Warsaw", component="mlp", layer="all").rows]


def bench_model(name: str, runs: int) -> list[dict]:
    import torch

    from vecs.contextual.load import load_model
    from vecs.inside.tokens import find_target

    m = load_model(name)
    ids = torch.tensor([m.encode_ids(PROMPT)])
    pids = torch.tensor([m.encode_ids(POLAND)])
    sids = torch.tensor([m.encode_ids(STORY)])
    tid = find_target(m, "Warsaw").id
    n_gen = 32
    cases = {
        "lens": (lambda: vecs_lens(m), lambda: plain_lens(m, ids).tolist()),
        "attention": (lambda: vecs_attention(m), lambda: plain_attention(m, ids)),
        "generate": (lambda: vecs_generate(m, n_gen), lambda: plain_generate(m, sids, n_gen)),
        "ablate": (lambda: vecs_ablate(m), lambda: plain_ablate(m, pids, tid)),
    }
    rows = []
    for case, (ours, theirs) in cases.items():
        _, a = timed(ours)  # warm-up, and the answers compared
        _, b = timed(theirs)
        if case == "attention":
            same = bool(torch.allclose(a, b, atol=1e-4))
        elif case == "generate":  # both stop at the same end tokens: the same tokens, the same work
            same = a == b
        else:
            same = a == b
        t_ours, t_theirs = [], []
        for _ in range(runs):
            t_ours.append(timed(ours)[0])
            t_theirs.append(timed(theirs)[0])
        mo, mt = statistics.median(t_ours), statistics.median(t_theirs)
        rows.append({"model": name, "case": case, "vecs_s": round(mo, 4), "plain_s": round(mt, 4),
                     "ratio": round(mo / mt, 3), "same_answers": same, "runs": runs,
                     "vecs_all_s": [round(t, 4) for t in t_ours], "plain_all_s": [round(t, 4) for t in t_theirs]})
        print(f"{name:8} {case:10} vecs {mo:8.3f} s   plain {mt:8.3f} s   vecs/plain {mo / mt:5.2f}x   "
              f"answers {'identical' if same else 'DIFFER'}", flush=True)
    return rows


def main(argv: list[str]) -> dict:
    import torch

    runs = 5
    if "--runs" in argv:
        i = argv.index("--runs")
        runs = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    models = argv or ["smollm2", "gemma3"]
    load = os.getloadavg()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {runs} interleaved runs, medians")
    rows = [r for name in models for r in bench_model(name, runs)]
    after = os.getloadavg()
    result = {"bench": "transformer", "rows": rows, "threads": torch.get_num_threads(),
              "load_before": round(load[0], 2), "load_after": round(after[0], 2)}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
