"""Plots with Chinese labels: the CJK font is found (the noto-cjk resource, a system font), registered
with matplotlib at plot time and given to the texts that need it, so no glyph is missing."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from vecs import Space
from vecs.plot import fonts
from vecs.plot.canvas import NO_CJK_NOTE, add_label, new_figure, notes, save


@pytest.fixture(autouse=True)
def fresh_lookup():
    fonts.forget()
    yield
    fonts.forget()


@pytest.fixture
def zh() -> Space:
    words = ["杨柳", "柳树", "国王", "王后", "男人", "女人", "king"]
    rng = np.random.default_rng(0)
    return Space(words, rng.normal(size=(len(words), 8)).astype(np.float32), name="zh")


def _missing_glyphs(caught) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_only_texts_with_chinese_characters_need_the_font():
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    ax.set_title("男人 : 国王 :: 女人 : ?")
    ax.set_xlabel("PC1")
    assert [t.get_text() for t in fonts.cjk_texts(fig)] == ["男人 : 国王 :: 女人 : ?"]


def test_latin_labels_never_look_the_font_up(monkeypatch):
    def boom():
        raise AssertionError("looked up")

    monkeypatch.setattr(fonts, "cjk_family", boom)
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    add_label(ax, 0.5, 0.5, "willow")
    fig.tight_layout()
    assert fonts.use_cjk_font(fig) is None and notes(fig) == []


def test_without_a_cjk_font_the_figure_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    t = add_label(ax, 0.5, 0.5, "杨柳")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the boxes matplotlib warns about are the point here
        save(fig, tmp_path / "a.png")
    assert notes(fig) == [NO_CJK_NOTE]  # once, though several calls found no font
    assert list(t.get_fontfamily()) == ["sans-serif"]


def test_a_registered_font_is_added_after_the_texts_own_family(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_family", lambda: "Some CJK")
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    t = add_label(ax, 0.5, 0.5, "杨柳 willow")
    u = add_label(ax, 0.5, 0.2, "willow")
    assert list(t.get_fontfamily()) == ["sans-serif", "Some CJK"] and list(u.get_fontfamily()) == ["sans-serif"]
    assert fonts.use_cjk_font(fig) is True and list(t.get_fontfamily()).count("Some CJK") == 1


@pytest.mark.real
def test_chinese_labels_render_in_the_noto_cjk_font_without_missing_glyphs(zh, tmp_path, caplog):
    from matplotlib import font_manager

    from vecs.hub.fetch import path
    from vecs.plot.static import analogy_plot, words_plot

    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, "matplotlib"):
        warnings.simplefilter("always")
        figs = [words_plot(zh, zh.words), analogy_plot(zh, "男人", "国王", "女人", "王后")]
        for i, fig in enumerate(figs):
            for ext in ("png", "svg", "pdf"):
                save(fig, tmp_path / f"f{i}.{ext}")
    assert _missing_glyphs(caught) == []
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]  # no weight fallback logged
    family = fonts.cjk_family()
    assert family == "Noto Sans CJK SC"
    texts = [t for fig in figs for t in fonts.cjk_texts(fig)]
    assert len(texts) >= 7 and all(family in t.get_fontfamily() for t in texts)
    title = figs[1].axes[0].title
    assert family in title.get_fontfamily()  # made by another room's code, given the font all the same
    found = font_manager.fontManager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert found == str(path("noto-cjk"))
    assert all(notes(fig) == [] for fig in figs)


def test_the_same_plot_without_the_font_would_miss_glyphs(zh, monkeypatch):
    """The check above can fail: with no CJK font matplotlib warns about the missing glyphs."""
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    from vecs.plot.static import words_plot

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = words_plot(zh, zh.words)
        fig.canvas.draw()
    assert _missing_glyphs(caught) and NO_CJK_NOTE in notes(fig)
