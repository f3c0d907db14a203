"""The word2vec loss figure: the mean negative-sampling loss per (word, context) pair on a fixed
sample of training pairs, after each epoch (why gensim's own figure is not used, and the formula:
:mod:`vecs.static.word2vec`).

The sample is drawn once, before training, from at most 64 pieces of at most 8 KB of the
tokenised corpus file, each read once, so its cost does not grow with the corpus or with the
length of its lines (a text8-style corpus is one line of 100 MB)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: (word, context) pairs in the fixed sample the loss is measured on
LOSS_PAIRS = 10_000


# -- the loss on a fixed sample -------------------------------------------------------------
class SampledLoss:
    """Mean negative-sampling loss per pair on a fixed sample (see :mod:`vecs.static.word2vec`).

    The sample comes from bounded pieces of the tokenised file (:func:`sample_pieces`), each
    read once, and the pairs are drawn with numpy from the number of valid pairs at each
    position, never listed one by one: memory and time do not depend on the length of the
    corpus's lines (a text8-style corpus of one long line costs what the same text in lines costs)."""

    def __init__(self, model, path: Path, window: int, seed: int):
        rng = np.random.default_rng(seed)
        self.sg = bool(model.sg)
        ids, sent = piece_ids(path, model.wv.key_to_index)
        pos, off = draw_pairs(sent, window, LOSS_PAIRS, rng, self.sg)
        self.center = ids[pos]  # (n,)
        if self.sg:
            self.ctx = ids[pos + off][:, None]  # (n, 1): the one context word
            self.mask = np.ones(self.ctx.shape, dtype=np.float32)
        else:  # CBOW: the words of the window around the centre, in its sentence
            d = np.array([k for k in range(-window, window + 1) if k], dtype=np.int64)
            j = (pos[:, None] + d[None, :]).clip(0, max(len(ids) - 1, 0))  # (n, 2w)
            ok = (np.abs(j - pos[:, None]) == np.abs(d)[None, :]) & (sent[j] == sent[pos][:, None])
            self.ctx = np.where(ok, ids[j], 0)
            self.mask = ok.astype(np.float32)
        cum = model.cum_table
        draws = rng.integers(0, int(cum[-1]), size=(len(self.center), model.negative), dtype=np.int64)
        self.neg = np.searchsorted(cum, draws, side="right").clip(0, len(cum) - 1)

    def __call__(self, model) -> float | None:
        if len(self.center) == 0:
            return None
        syn0 = model.wv.vectors
        syn1 = model.syn1neg
        v = (syn0[self.ctx] * self.mask[:, :, None]).sum(1) / self.mask.sum(1, keepdims=True)  # (n, d)
        pos = np.einsum("nd,nd->n", v, syn1[self.center])  # (n,)
        neg = np.einsum("nd,nkd->nk", v, syn1[self.neg])  # (n, k)
        loss = np.logaddexp(0.0, -pos.astype(np.float64)) + np.logaddexp(0.0, neg.astype(np.float64)).sum(1)
        return float(loss.mean())


def sample_pieces(path: Path, spots: int = 64, piece_bytes: int = 8192) -> list[list[list[str]]]:
    """Up to ``spots`` evenly spaced pieces of the tokenised file, each at most ``piece_bytes``
    long and none overlapping another, so each byte is read once at most and ``spots *
    piece_bytes`` in all, however long the lines are. Each piece as its sentences (a line break
    ends one), each a list of tokens; a token cut by a piece's edge is left out."""
    size = path.stat().st_size
    starts = sorted({size * k // spots for k in range(spots)})
    out: list[list[list[str]]] = []
    spans: list[list[int]] = []
    for a, nxt in zip(starts, starts[1:] + [size]):
        b = min(nxt, a + piece_bytes)
        if spans and spans[-1][1] == a:  # adjacent pieces are one (a small file is read whole)
            spans[-1][1] = b
        elif b > a:
            spans.append([a, b])
    with open(path, "rb") as f:
        for a, b in spans:
            lo = max(a - 1, 0)  # a byte before the piece and one after: are its edge tokens whole?
            f.seek(lo)
            raw = f.read(min(b + 1, size) - lo)
            if a > 0:  # the first token is cut unless the byte before is a space
                cut = min((i for i in (raw.find(b" "), raw.find(b"\n")) if i >= 0), default=len(raw))
                raw = raw[1:] if raw[:1] in (b" ", b"\n") else raw[cut:]
            if b < size:  # the last one is cut unless the byte after is a space
                raw = raw[:-1] if raw[-1:] in (b" ", b"\n") else raw[: max(raw.rfind(b" "), raw.rfind(b"\n"), 0)]
            if raw.strip():
                out.append([line.split() for line in raw.decode("utf-8", errors="replace").split("\n")])
    return out


def piece_ids(path: Path, index: dict) -> tuple[np.ndarray, np.ndarray]:
    """The sampled pieces of the tokenised file as vocabulary ids (words out of it dropped, as
    gensim drops them) and the number of the sentence each belongs to (pieces share none)."""
    ids: list[int] = []
    sent: list[int] = []
    s = 0
    for piece in sample_pieces(path):
        for toks in piece:
            row = [i for i in map(index.get, toks) if i is not None]
            ids.extend(row)
            sent.extend([s] * len(row))
            s += 1
    return np.asarray(ids, dtype=np.int64), np.asarray(sent, dtype=np.int64)


def draw_pairs(sent: np.ndarray, window: int, n: int, rng, sg: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(position, offset)`` of up to ``n`` distinct pairs drawn uniformly among the valid ones
    (the context word within ``window`` of the centre, in the same sentence ``sent``); for CBOW
    (``sg`` false) up to ``n`` positions with at least one context word, offsets 0. Memory
    linear in the positions, whatever the window."""
    m = len(sent)
    idx = np.arange(m)
    new = np.r_[True, sent[1:] != sent[:-1]] if m else np.zeros(0, dtype=bool)
    first = np.maximum.accumulate(np.where(new, idx, 0)) if m else idx  # first position of each one's sentence
    ends = np.r_[idx[1:][new[1:]], m] if m else idx  # one past each sentence's last position
    last = ends[np.cumsum(new) - 1] - 1 if m else idx
    left = np.minimum(window, idx - first)
    count = left + np.minimum(window, last - idx)  # valid context words at each position
    if not sg:
        cand = np.flatnonzero(count)
        pick = np.sort(rng.choice(len(cand), size=min(len(cand), n), replace=False)) if len(cand) else cand
        return cand[pick], np.zeros(len(pick), dtype=np.int64)
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    p = np.sort(rng.choice(total, size=min(total, n), replace=False))
    cum = np.cumsum(count)
    pos = np.searchsorted(cum, p, side="right")
    r = p - (cum[pos] - count[pos])  # which of the position's context words
    return pos, np.where(r < left[pos], r - left[pos], r - left[pos] + 1)
