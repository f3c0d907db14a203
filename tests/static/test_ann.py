"""The approximate-neighbour index (vecs.static.ann): built beside a stored model with its recall
measured, used by neighbours when fresh, ignored with a note when stale or damaged, refused when
its file does not match its checksum."""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest

pytest.importorskip("faiss")

from vecs import Space  # noqa: E402
from vecs.errors import FormatError, MissingExtra, QueryError, StoreError  # noqa: E402
from vecs.io.store import model_path, save  # noqa: E402
from vecs.resolve import resolve  # noqa: E402
from vecs.static import ann  # noqa: E402
from vecs.static.ann import build_index, remove_index, show_index  # noqa: E402
from vecs.static.ann_store import LOADED  # noqa: E402
from vecs.static.query import neighbours, neighbours_many  # noqa: E402


def clustered(n_clusters: int = 100, size: int = 10, dim: int = 16, seed: int = 0):
    """Tight clusters far apart: each word's 9 nearest are exactly its cluster mates."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_clusters, dim))
    v = np.repeat(centres, size, axis=0) + 0.02 * rng.normal(size=(n_clusters * size, dim))
    return [f"w{i}" for i in range(n_clusters * size)], v.astype(np.float32)


@pytest.fixture
def model():
    """A stored model with a fresh index (built on 200 words), loaded as a query would load it."""
    LOADED.clear()
    save(Space(*clustered()), "clus")
    space = resolve("clus")
    build_index(space, m=16, ef_construction=40, queries=200)  # small settings: fast; the space is easy
    LOADED.clear()  # every test starts cold, as a new process would
    return space


def words(res):
    return [r.word for r in res.results]


def pays(name: str) -> None:
    """Record figures by which `auto` finds the index worth loading for any batch (on a tiny space the
    measured ones may say it never is)."""
    meta = model_path(name) / "index.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "load_s": 0.0, "exact_ms_per_query": 1.0,
                                "ann_ms_per_query": 0.1}))


def test_build_measures_recall_and_records_the_vectors(model):
    info = show_index(model)
    assert info.status == "fresh" and info.reached and info.recall_at_10 >= 0.95
    assert info.ef_search in ann.LADDER and info.curve[-1].ef_search == info.ef_search
    assert (info.rows, info.dim, info.queries, info.m, info.ef_construction) == (1000, 16, 200, 16, 40)
    folder = model_path("clus")
    raw = json.loads((folder / "index.json").read_text())
    assert raw["vectors"]["size"] == (folder / "vectors.npy").stat().st_size
    assert raw["exact_ms_per_query"] > 0 and raw["ann_ms_per_query"] > 0 and raw["build_s"] > 0
    assert (folder / "index.faiss").stat().st_size == raw["size"]


def test_neighbours_with_the_index_match_exact_search(model):
    for w in ("w0", "w15", "w503", "w999"):
        a, e = neighbours(model, w, k=12, index="ann"), neighbours(model, w, k=12, index="exact")
        assert a.method.startswith("hnsw (recall@10") and e.method == "exact"
        assert words(a)[:9] == words(e)[:9] and set(words(a)[:9]) == {f"w{(int(w[1:]) // 10) * 10 + j}"
                                                                      for j in range(10)} - {w}
        assert [r.score for r in a.results] == pytest.approx([r.score for r in e.results], abs=1e-5)
        assert [(i.word, i.rank) for i in a.inputs] == [(w, 1)]
    many = neighbours_many(model, ["w3", "w3 + w4", "w77"], k=5, index="ann")
    assert all(r.method.startswith("hnsw") for r in many)
    assert words(many[1]) == words(neighbours(model, "w3 + w4", k=5, index="exact"))
    assert "w3" not in words(many[0]) and len(many[0].results) == 5


def test_auto_uses_the_index_only_on_large_spaces_and_when_it_pays(model, monkeypatch):
    assert neighbours_many(model, ["w1"] * 50)[0].method == "exact"  # 1,000 words < MIN_ROWS
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    meta = model_path("clus") / "index.json"
    raw = json.loads(meta.read_text())
    raw.update(load_s=1000.0, exact_ms_per_query=1.0, ann_ms_per_query=0.1)
    meta.write_text(json.dumps(raw))
    assert neighbours(model, "w1").method == "exact"  # loading would cost more than it saves
    assert neighbours(model, "w1", index="ann").method.startswith("hnsw")  # now loaded in this process
    assert neighbours(model, "w1").method.startswith("hnsw")
    LOADED.clear()
    raw.update(load_s=0.001)
    meta.write_text(json.dumps(raw))
    assert neighbours_many(model, ["w1", "w2"])[1].method.startswith("hnsw")
    assert neighbours(model, "w1", index="exact").method == "exact"


def test_stale_index_is_ignored_with_a_note_and_refused_by_ann(model, monkeypatch):
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    folder = model_path("clus")
    w, v = clustered(seed=1)  # other vectors, same shape and size
    tmp = folder / "new.npy"
    np.save(tmp, v)
    os.replace(tmp, folder / "vectors.npy")
    pays("clus")
    space = resolve("clus")
    res = neighbours_many(space, ["w1"] * 3)[0]
    assert res.method == "exact" and "stale" in res.note and "vecs index build clus" in res.note
    with pytest.raises(QueryError, match="stale"):
        neighbours(space, "w1", index="ann")
    assert show_index(space).status == "stale"
    build_index(space, m=16, ef_construction=40, queries=100)  # rebuilding makes it fresh again
    assert neighbours(space, "w1", index="ann").method.startswith("hnsw")


def test_same_vectors_touched_are_still_fresh(model):
    f = model_path("clus") / "vectors.npy"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))  # a copy: new time, same bytes
    assert show_index(model).status == "fresh"
    assert neighbours(model, "w1", index="ann").method.startswith("hnsw")


def test_tampered_index_file_is_refused_in_one_line(model, monkeypatch):
    f = model_path("clus") / "index.faiss"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="checksum") as e:
        neighbours(model, "w1", index="ann")
    assert "\n" not in str(e.value)
    assert show_index(model).status == "damaged"
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    pays("clus")
    res = neighbours_many(model, ["w1"] * 3)[0]
    assert res.method == "exact" and "checksum" in res.note


def test_a_file_faiss_cannot_read_is_one_typed_error(model):
    folder = model_path("clus")
    junk = b"IHNf" + bytes(200)
    (folder / "index.faiss").write_bytes(junk)
    import hashlib

    raw = json.loads((folder / "index.json").read_text())
    raw["sha256"] = hashlib.sha256(junk).hexdigest()  # it matches its checksum, but is no index
    (folder / "index.json").write_text(json.dumps(raw))
    with pytest.raises(FormatError, match="faiss cannot read it") as e:
        neighbours(model, "w1", index="ann")
    assert "\n" not in str(e.value)
    (folder / "index.json").write_text("{not json")
    with pytest.raises(FormatError, match="not valid JSON"):
        neighbours(model, "w1", index="ann")


def test_missing_faiss_is_a_missing_extra(model, monkeypatch):
    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss raises ImportError
    with pytest.raises(MissingExtra, match=r"vecs\[ann\]"):
        build_index(model)
    with pytest.raises(MissingExtra):
        neighbours(model, "w1", index="ann")
    assert neighbours(model, "w1").method == "exact"  # auto on a small space never needs faiss
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    pays("clus")
    res = neighbours_many(model, ["w1", "w2"])[0]  # auto would use the index: it says why it could not
    assert res.method == "exact" and "vecs[ann]" in res.note


def test_ann_without_an_index_and_other_refusals(model):
    remove_index(model)
    assert not (model_path("clus") / "index.faiss").exists()
    with pytest.raises(QueryError, match="no approximate index.*vecs index build clus"):
        neighbours(model, "w1", index="ann")
    with pytest.raises(StoreError, match="no approximate index"):
        show_index(model)
    with pytest.raises(StoreError):
        remove_index(model)
    with pytest.raises(QueryError, match="unknown index choice"):
        neighbours(model, "w1", index="fast")
    mem = Space(*clustered())
    with pytest.raises(QueryError, match="not a stored model"):
        neighbours(mem, "w1", index="ann")
    with pytest.raises(StoreError, match="not a stored model"):
        build_index(mem)


def test_restrict_needs_exact_search(model, monkeypatch):
    with pytest.raises(QueryError, match="--restrict needs exact search"):
        neighbours(model, "w1", index="ann", restrict=500)
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    pays("clus")
    res = neighbours_many(model, ["w1"] * 3, restrict=500)[0]
    assert res.method == "exact" and res.candidates == 500


def test_rows_without_direction_are_never_answers():
    w, v = clustered(n_clusters=30)
    v[[3, 100, 250]] = 0.0
    v[7] = np.nan
    save(Space(w, v), "holes")
    space = resolve("holes")
    info = build_index(space, m=16, ef_construction=40, queries=100)
    assert info.no_direction == 4 and info.recall_at_10 >= 0.95
    for q in ("w0", "w101", "w255"):
        got = neighbours(space, q, k=12, index="ann")
        assert not {"w3", "w100", "w250", "w7"} & set(words(got))
        assert words(got)[:8] == words(neighbours(space, q, k=12, index="exact"))[:8]


@pytest.mark.real
def test_glove_30k_recall_at_10_against_exact(glove):
    save(glove.restrict(30_000), "glove30k")  # a stored copy: the shared resource is left alone
    space = resolve("glove30k")
    info = build_index(space, m=16, ef_construction=40, queries=500, seed=1)  # small settings: a fast test
    assert info.reached and info.recall_at_10 >= 0.95
    rng = np.random.default_rng(7)
    qs = [space.words[i] for i in rng.choice(len(space), 200, replace=False)]
    a = neighbours_many(space, qs, k=10, index="ann")
    e = neighbours_many(space, qs, k=10, index="exact")
    overlap = np.mean([len(set(words(x)) & set(words(y))) / 10 for x, y in zip(a, e)])
    assert overlap >= 0.95 and all(x.method.startswith("hnsw") for x in a)
    assert [r.score for r in a[0].results if r.word in words(e[0])] == pytest.approx(
        [r.score for r in e[0].results if r.word in words(a[0])], abs=1e-5)


def test_a_resource_index_takes_the_resource_lock_and_adds_only_its_two_files(tmp_path, monkeypatch):
    from vecs.io.folder import load_dir, write_dir

    monkeypatch.setenv("VECS_RESOURCES", str(tmp_path / "res"))
    folder = write_dir(Space(*clustered(n_clusters=20)), tmp_path / "res" / "fake" / "space")
    before = set(p.name for p in folder.parent.iterdir()) | set(p.name for p in folder.iterdir())
    build_index(load_dir(folder, name="fake"), m=16, ef_construction=40, queries=50)
    after = set(p.name for p in folder.parent.iterdir()) | set(p.name for p in folder.iterdir())
    assert after - before == {"index.faiss", "index.json"}
    assert (tmp_path / "res" / ".fake.lock").exists()  # the lock a fetch of 'fake' takes
