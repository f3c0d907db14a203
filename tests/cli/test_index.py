"""`vecs index build|show|remove` and `vecs neighbours --index`: the index built with its recall
shown, used when asked, and every refusal one line."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

pytest.importorskip("faiss")

from helpers import fails, ok  # noqa: E402
from tests.cli.test_widths import check_fits  # noqa: E402  (imported before any test sets COLUMNS, as there)
from vecs import Space  # noqa: E402
from vecs.io.store import model_path, save  # noqa: E402
from vecs.static.ann_store import LOADED  # noqa: E402


@pytest.fixture
def clus():
    rng = np.random.default_rng(0)
    v = np.repeat(rng.normal(size=(60, 8)), 10, axis=0) + 0.02 * rng.normal(size=(600, 8))
    save(Space([f"w{i}" for i in range(600)], v.astype(np.float32)), "clus")
    LOADED.clear()
    return "clus"


def test_build_show_use_remove(clus):
    out = ok(["index", "build", clus, "--links", "16", "--ef-construction", "40", "--queries", "100"]).stdout
    assert "Built the HNSW index of clus (600 words x 8)" in out and "recall@10 1.000 at efSearch 16" in out
    info = json.loads(ok(["index", "show", clus, "--json"]).stdout)
    assert info["status"] == "fresh" and info["recall_at_10"] >= 0.95 and info["m"] == 16
    assert info["curve"][0]["ef_search"] == 16 and info["speedup"] > 0
    assert "fresh" in ok(["index", "show", clus]).stdout
    shown = ok(["neighbours", "w3", "-m", clus, "--index", "ann"]).stdout
    assert "found with an approximate index, hnsw (recall@10 1.000 at build)" in shown
    res = json.loads(ok(["neighbours", "w3", "-m", clus, "--index", "ann", "--json"]).stdout)
    assert res["method"].startswith("hnsw") and {r["word"] for r in res["results"][:9]} == \
        {f"w{i}" for i in range(10)} - {"w3"}
    assert json.loads(ok(["neighbours", "w3", "-m", clus, "--json"]).stdout)["method"] == "exact"  # small: auto
    assert "approximate" not in ok(["neighbours", "w3", "-m", clus, "--index", "exact"]).stdout
    gone = json.loads(ok(["index", "remove", clus, "--json"]).stdout)
    assert len(gone["removed"]) == 2 and not (model_path(clus) / "index.faiss").exists()
    assert "no approximate index" in fails(["index", "show", clus])


def test_refusals_are_one_line(clus, tmp_path, monkeypatch):
    assert "vecs index build clus" in fails(["neighbours", "w3", "-m", clus, "--index", "ann"])
    assert "no approximate index to remove" in fails(["index", "remove", clus])
    f = tmp_path / "v.txt"
    f.write_text("cat 1 0\ndog 0 1\n")
    assert "not a stored model" in fails(["index", "build", str(f)])
    assert "no model" in fails(["index", "build", "nosuchmodel"])
    monkeypatch.setitem(sys.modules, "faiss", None)
    assert "vecs[ann]" in fails(["index", "build", clus])


@pytest.mark.parametrize("width", [60, 80])
def test_index_output_fits_the_terminal(clus, width, tmp_path):
    env = {"COLUMNS": str(width)}
    home = str(model_path(clus).parent.parent)
    outs = [ok(["index", "build", clus, "--links", "16", "--ef-construction", "40", "--queries", "50"], env=env).stdout,
            ok(["index", "show", clus], env=env).stdout,
            ok(["neighbours", "w3 + w4", "-m", clus, "--index", "ann"], env=env).stdout,
            ok(["index", "remove", clus], env=env).stdout]
    for out in outs:
        check_fits(out.replace(home, "/h"), width)  # the test's long temporary path is no user's path
