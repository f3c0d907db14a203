"""Hard debiasing (Bolukbasi et al. 2016): neutralise, then equalise; and a debiased copy of a
model stored with its provenance (:func:`debias_model`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from vecs.bias.direction import direct_bias, direction, pairs_spec, words_spec
from vecs.errors import BiasError
from vecs.linalg import unit, unit_rows
from vecs.progress import ProgressFn, report
from vecs.space import Space


# --------------------------------------------------------------------------------------------
# Hard debiasing
# --------------------------------------------------------------------------------------------
def _forms(w: str) -> list[str]:
    return [w.lower(), w.upper(), w.title()]


def specific_words(space: Space, specific=None) -> set[str]:
    """The words hard debiasing leaves alone, as responsibly computes them: the gender-specific
    words (with the definitional and equalize words) in their lower/UPPER/Title forms present in
    the space, each extended again by its three forms."""
    if specific is None:
        from vecs.bias.wordlists import bolukbasi

        base = bolukbasi()["specific_full_with_definitional_equalize"]
    else:
        base = words_spec(specific)
    present = [f for w in base for f in _forms(w) if f in space]
    out: set[str] = set()
    for w in present:
        out.update((w, w.lower(), w.upper(), w.title()))
    return out


def equalize_candidates(space: Space, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs to equalise: each pair in its lower/UPPER/Title forms where both are present,
    each unordered pair once (in first-seen order)."""
    out, seen = [], set()
    for a, b in pairs:
        for fa, fb in zip(_forms(a), _forms(b)):
            if fa in space and fb in space and frozenset((fa, fb)) not in seen and fa != fb:
                seen.add(frozenset((fa, fb)))
                out.append((fa, fb))
    return out


def equalize_pair(u: np.ndarray, v: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """responsibly's equalise step for one pair of vectors (made unit length) and a unit
    direction ``d``: both get the pair's mean minus its ``d`` component (``mu_perp``), plus
    ``±sqrt(1 - |mu_perp|^2)`` times the unit direction of their own ``d`` component relative to
    the mean's. The results are unit length and mirror images of each other across ``d``."""
    vs = [unit(u), unit(v)]
    mu = (vs[0] + vs[1]) / 2
    mu_d = (mu @ d) * d
    mu_perp = mu - mu_d
    scale = math.sqrt(max(0.0, 1.0 - float(mu_perp @ mu_perp)))
    out = []
    for x in vs:
        part = unit((x @ d) * d - mu_d)
        out.append(mu_perp + scale * part)
    return out[0], out[1]


def hard_debias(space: Space, pairs=None, equalize=None, specific=None, name: str | None = None,
                progress: ProgressFn | None = None) -> Space:
    """Bolukbasi et al.'s hard debiasing as responsibly does it; returns a new Space (the input is
    never modified) whose ``meta`` records the provenance. ``pairs``: the definitional pairs
    (direction); ``equalize``: the equalize pairs (default Bolukbasi's; the definitional pairs are
    equalised too); ``specific``: the gender-specific words left alone."""
    dr = direction(space, pairs, "pca")
    d = dr.vector
    eq_given = pairs_spec("equalize" if equalize is None else equalize)
    eq_pairs = equalize_candidates(space, list(eq_given) + list(dr.pairs))
    keep = specific_words(space, specific)
    for a, b in dr.pairs:  # the definitional words are never neutralised
        keep.update((a, b))
    n = len(space)
    out = np.empty((n, space.dim), dtype=np.float32)
    keep_rows = np.zeros(n, dtype=bool)
    for w in keep:
        i = space.index.get(w)
        if i is not None:
            keep_rows[i] = True
    dd = d.astype(np.float64)
    step = 65536
    for s in range(0, n, step):
        block = unit_rows(space.vectors[s:s + step], dtype=np.float64)
        neutral = ~keep_rows[s:s + step]
        nb = block[neutral]
        nb -= np.outer(nb @ dd, dd)
        block[neutral] = unit_rows(nb, dtype=np.float64)
        out[s:s + step] = block
        report(progress, "neutralise", min(s + step, n), n)
    for a, b in eq_pairs:
        ia, ib = space.index[a], space.index[b]
        ua, ub = equalize_pair(out[ia].astype(np.float64), out[ib].astype(np.float64), dd)
        out[ia], out[ib] = unit(ua), unit(ub)
    report(progress, "equalise", len(eq_pairs), len(eq_pairs), finished=True)
    src = space.name or space.meta.get("name", "")
    meta = {
        "kind": "debiased",
        "source": src,
        "params": {
            "method": "hard",
            "direction": "pca",
            "pairs": pairs if isinstance(pairs, str) or pairs is None else "custom",
            "equalize": equalize if isinstance(equalize, str) or equalize is None else "custom",
            "specific": specific if isinstance(specific, str) or specific is None else "custom",
        },
        "provenance": {
            "source_model": src,
            "source_kind": space.meta.get("kind", ""),
            "method": "hard (Bolukbasi et al. 2016; neutralise + equalise as responsibly 0.1.3)",
            "lists": {
                "definitional": pairs if isinstance(pairs, str) else ("definitional (bolukbasi)" if pairs is None else "custom"),
                "equalize": equalize if isinstance(equalize, str) else ("equalize (bolukbasi) + definitional" if equalize is None else "custom"),
                "specific": specific if isinstance(specific, str) else ("gender-specific-all (bolukbasi)" if specific is None else "custom"),
            },
            "definitional_pairs_used": [list(p) for p in dr.pairs],
            "explained_variance": dr.explained_variance[:3],
            "neutralised": int((~keep_rows).sum()),
            "equalised_pairs": len(eq_pairs),
            "direction": [float(x) for x in d],
        },
    }
    return Space(space.words, out, name=name or f"{src}-hard-debiased", meta=meta)


@dataclass
class Debiased:
    """A debiased copy of a model, stored as ``name``, and the direct bias before and after."""

    name: str
    path: str
    source: str
    method: str
    neutralised: int
    equalised_pairs: int
    lists: dict
    direct_bias_before: float
    direct_bias_after: float
    professions: int  # the neutral professions in the vocabulary (the direct-bias words)


def debias_model(model: str | Space, name: str, method: str = "hard", pairs=None, equalize=None, specific=None,
                 force: bool = False, progress: ProgressFn | None = None) -> Debiased:
    """Debias ``model`` (a Space or a ``--model`` spec) into a new store model ``name``; the
    original is never modified. The name is checked before anything is loaded."""
    from vecs.io.store import check_new_name, save
    from vecs.resolve import resolve

    if method != "hard":
        raise BiasError(f"unknown debiasing method {method!r}; use: hard")
    check_new_name(name, force)
    space = model if isinstance(model, Space) else resolve(model, progress=progress)
    new = hard_debias(space, pairs=pairs, equalize=equalize, specific=specific, name=name, progress=progress)
    d = direction(space, pairs)
    before, after = direct_bias(space, d=d), direct_bias(new, d=d)  # measured before anything is saved
    path = save(new, name, force=force)
    prov = new.meta["provenance"]
    return Debiased(name=name, path=str(path), source=space.name, method=method, neutralised=prov["neutralised"],
                    equalised_pairs=prov["equalised_pairs"], lists=prov["lists"],
                    direct_bias_before=before.value, direct_bias_after=after.value, professions=before.words)
