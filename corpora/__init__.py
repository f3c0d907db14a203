"""Corpus recipes: one TOML file per named corpus (``corpora/NAME.toml``).

A recipe says where the text comes from (a resource of :mod:`vecs.hub`), its licence, what
a document is, and how the text is cleaned before tokenisation. :mod:`vecs.corpus` reads them;
see ``corpora/README.md`` for the fields and the tokenisation rules.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources as _res

#: Cleaning steps a recipe may ask for (``[clean]`` table), with their defaults.
CLEAN_DEFAULTS: dict = {
    "drop_salutation": False,
    "bracket_notes": False,
    "speaker_labels": [],
    "drop_lines_starting": [],
    "pos_tags": False,
}


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    resource: str  # name in vecs.hub.catalogue.CATALOGUE
    documents: str = "file"  # "file": one document per file; "line": one per non-empty line
    pattern: str | None = None  # glob inside the resource folder; None when the resource is a file
    words: int = 0  # raw (whitespace) word count, for listings
    licence: str = ""
    source: str = ""
    description: str = ""
    clean: dict = field(default_factory=dict)
    segment: str = "auto"  # the segmenter (vecs.corpus.segment): auto, space, jieba or char


_CACHE: dict[str, Recipe] | None = None


def _parse(text: str, filename: str) -> Recipe:
    data = tomllib.loads(text)
    clean = dict(CLEAN_DEFAULTS)
    unknown = set(data.get("clean", {})) - set(CLEAN_DEFAULTS)
    if unknown:
        raise ValueError(f"corpora/{filename}: unknown cleaning steps {sorted(unknown)}")
    clean.update(data.get("clean", {}))
    if data.get("documents", "file") not in ("file", "line"):
        raise ValueError(f"corpora/{filename}: documents must be 'file' or 'line'")
    if data.get("segment", "auto") not in ("auto", "space", "jieba", "char"):
        raise ValueError(f"corpora/{filename}: segment must be 'auto', 'space', 'jieba' or 'char'")
    return Recipe(
        name=data["name"], title=data.get("title", data["name"]), resource=data["resource"],
        documents=data.get("documents", "file"), pattern=data.get("pattern"),
        words=int(data.get("words", 0)), licence=data.get("licence", ""), source=data.get("source", ""),
        description=" ".join(data.get("description", "").split()), clean=clean,
        segment=data.get("segment", "auto"),
    )


def recipes() -> dict[str, Recipe]:
    """All recipes shipped with vecs, by name (read once)."""
    global _CACHE
    if _CACHE is None:
        out: dict[str, Recipe] = {}
        for entry in sorted(_res.files(__name__).iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".toml"):
                r = _parse(entry.read_text(encoding="utf-8"), entry.name)
                out[r.name] = r
        _CACHE = out
    return dict(_CACHE)


def get(name: str) -> Recipe | None:
    """The recipe called ``name``, or None."""
    return recipes().get(name)
