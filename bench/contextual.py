"""Speed of word-in-context extraction with minilm on 1,000 sentences.

Compares vecs's batched extraction (`vecs.contextual.word_vectors`, every layer, subword
pooling, alignment) with
  * the same function called one sentence at a time (the naive loop), and
  * sentence-transformers' `encode(..., output_value="token_embeddings")` on the same
    sentences (last layer only, no alignment) — sentence-transformers is not a dependency of
    vecs; install it into the venv for this bench only (`pip install sentence-transformers`);
    without it that comparison is skipped and said so.

Prints the timings and ratios, and a final JSON line. Usage: python bench/contextual.py [N]
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from vecs.contextual.extract import word_vectors
from vecs.contextual.load import load_model
from vecs.contextual.polysemy import load_examples


def sentences(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """n sentences with their target word: the shipped sense examples, varied with prefixes."""
    rng = random.Random(seed)
    pool = [(w, s) for w, e in load_examples().items() for ss in e["senses"].values() for s in ss]
    pre = ["", "Yesterday, ", "As everyone knows, ", "In the end, ", "According to the report, ",
           "Honestly, I think that ", "Late last night, after a long and tiring day at work, "]
    out = []
    for i in range(n):
        w, s = pool[i % len(pool)]
        p = rng.choice(pre)
        out.append((w, p + (s[0].lower() + s[1:] if p else s)))
    return [w for w, _ in out], [s for _, s in out]


def best_of(f, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(n: int = 1000) -> dict:
    import torch

    words, sents = sentences(n)
    model = load_model("minilm")
    by_word: dict[str, list[str]] = {}
    for w, s in zip(words, sents):
        by_word.setdefault(w, []).append(s)

    def batched():
        for w, ss in by_word.items():
            word_vectors(model, ss, w, layer="all", batch_size=64)

    def one_at_a_time():
        for w, s in zip(words, sents):
            word_vectors(model, [s], w, layer="all")

    batched()  # warm-up
    t_batch = best_of(batched)
    sub = 200  # the slow loop on a sample, scaled up
    t_loop = best_of(lambda: [word_vectors(model, [s], w, layer="all")
                              for w, s in zip(words[:sub], sents[:sub])], repeat=1) * n / sub
    result = {"sentences": n, "threads": torch.get_num_threads(), "batched_s": round(t_batch, 3),
              "batched_sentences_per_s": round(n / t_batch, 1), "loop_s": round(t_loop, 3),
              "speedup_vs_loop": round(t_loop / t_batch, 2)}
    print(f"vecs batched, all 7 layers + pooling: {t_batch:.2f} s ({n / t_batch:,.0f} sentences/s)")
    print(f"vecs one sentence at a time:          {t_loop:.2f} s (estimated from {sub})"
          f"  -> batched is {t_loop / t_batch:.1f}x faster")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        print("sentence-transformers is not installed (it is not a dependency of vecs): "
              "pip install sentence-transformers to compare")
        result["sentence_transformers"] = None
    else:
        from vecs.hub.fetch import path

        st = SentenceTransformer(str(path("minilm")), device="cpu", local_files_only=True)
        enc = lambda: st.encode(sents, output_value="token_embeddings", batch_size=64)  # noqa: E731
        enc()
        t_st = best_of(enc)
        result.update(st_s=round(t_st, 3), st_sentences_per_s=round(n / t_st, 1),
                      ratio_vs_sentence_transformers=round(t_st / t_batch, 2))
        print(f"sentence-transformers token_embeddings (last layer only): {t_st:.2f} s"
              f"  -> vecs is {t_st / t_batch:.2f}x its speed")
    return result


if __name__ == "__main__":
    r = main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    print(json.dumps(r))
