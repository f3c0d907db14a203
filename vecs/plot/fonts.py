"""A CJK font for labels in Chinese (Japanese, Korean): found or fetched once, registered with
matplotlib's font manager at plot time, and given to the texts that need it.

matplotlib's default font (DejaVu Sans) has no CJK glyphs: a Chinese label would be drawn as
empty boxes, with a "Glyph ... missing from font(s) DejaVu Sans" warning. :func:`use_cjk_font`
gives every text of a figure that holds a character of a script without spaces
(:func:`vecs.util.has_unspaced`) a font *list*: its own family first, then the CJK family, so
Latin letters keep their usual look and matplotlib falls back to the CJK font glyph by glyph.

Where the font comes from (:func:`cjk_family`), first found wins:

1. the ``noto-cjk`` resource, if installed (Noto Sans CJK, OFL-1.1; the Simplified Chinese face
   of its collection, which also holds kana and hangul);
2. a CJK font matplotlib already knows (a system font such as Noto Sans CJK or WenQuanYi, or one
   registered before);
3. the ``noto-cjk`` resource, fetched now (once);
4. none: the figure gets a note saying so (:mod:`vecs.plot.canvas`).

The shipped collection is a variable font whose default instance is a light weight; matplotlib
cannot choose a variation, so it is registered as the regular and bold weights of its family
(the same outlines), which keeps matplotlib from logging a font-weight fallback on every label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecs.util import has_unspaced

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

RESOURCE = "noto-cjk"

# families of CJK fonts commonly installed (Linux, macOS, Windows), Simplified Chinese first
SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                   "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "Microsoft YaHei",
                   "SimHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "AR PL UMing CN", "AR PL UKai CN",
                   "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR")

WEIGHTS = (100, 200, 300, 400, 500, 600, 700, 800, 900)  # every weight a text may ask for

_found: dict[str, str | None] = {}  # "family" -> the family found (None: none), looked up once per process


def register(path: str) -> str:
    """Register the font file (or collection) at ``path`` with matplotlib; returns its family
    name (for a collection, the Simplified Chinese face if it has one, else the first). Each
    weight is registered (see the module's notes); registering a file twice does nothing more."""
    import dataclasses

    from matplotlib import font_manager, ft2font

    fm = font_manager.fontManager
    path = str(path)
    first = ft2font.FT2Font(path)
    faces = [first] + [ft2font.FT2Font(path, face_index=i) for i in range(1, first.num_faces)]
    props = [font_manager.ttfFontProperty(f) for f in faces]
    prop = next((p for p in props if p.name.endswith(" SC")), props[0])
    have = {(e.fname, e.name, e.weight) for e in fm.ttflist}
    added = False
    for w in WEIGHTS:
        if (prop.fname, prop.name, w) not in have:
            fm.ttflist.append(dataclasses.replace(prop, weight=w))
            added = True
    if added:
        fm._findfont_cached.cache_clear()
    return prop.name


def _known_family() -> str | None:
    from matplotlib import font_manager

    names = {e.name for e in font_manager.fontManager.ttflist}
    return next((f for f in SYSTEM_FAMILIES if f in names), None)


def cjk_family() -> str | None:
    """The family name of a CJK font registered with matplotlib (see the module's notes for
    where it comes from), or None when there is none to be had. Looked up once per process."""
    if "family" in _found:
        return _found["family"]
    from vecs.errors import VecsError
    from vecs.hub.verify import is_installed

    family = None
    try:
        if is_installed(RESOURCE):
            family = _from_resource()
    except (VecsError, OSError, RuntimeError):
        family = None
    family = family or _known_family()
    if family is None:
        try:
            family = _from_resource()
        except (VecsError, OSError, RuntimeError):  # offline, not fetchable, not a font
            family = None
    _found["family"] = family
    return family


def _from_resource() -> str:
    from vecs.hub.fetch import path

    return register(str(path(RESOURCE)))


def forget() -> None:
    """Look the font up again next time (for tests)."""
    _found.clear()


def cjk_texts(fig: "Figure") -> list:
    """Every text artist of ``fig`` (titles, labels, tick labels, notes) holding a character of
    a script without spaces."""
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if has_unspaced(t.get_text())]


def use_cjk_font(fig: "Figure", texts: list | None = None) -> bool | None:
    """Give the CJK font to the texts of ``fig`` that need it (``texts``: only these). Returns
    None when no text needs it, True when the font was given, False when no CJK font could be
    found (the texts are left as they were)."""
    texts = cjk_texts(fig) if texts is None else [t for t in texts if has_unspaced(t.get_text())]
    if not texts:
        return None
    family = cjk_family()
    if family is None:
        return False
    for t in texts:
        fams = list(t.get_fontfamily())
        if family not in fams:
            t.set_fontfamily(fams + [family])
    return True
