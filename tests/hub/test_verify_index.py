"""An approximate-neighbour index built beside a resource's vectors (`vecs index build
glove-6b-50d`) is not an "unexpected file" for `vecs get --verify`; anything else still is."""

from __future__ import annotations

from vecs.hub.catalogue import Member
from vecs.hub.fetch import fetch
from vecs.hub.verify import verify_resources


def test_index_files_beside_the_vectors_are_not_unexpected(own_home, url_resource, craft):
    files = {"vectors.npy": b"v", "words.txt": b"cat\n"}
    archive = craft.zip(own_home.root / "r.zip", {f"data/{k}": v for k, v in files.items()})
    url_resource("tiny", archive, (Member("data/*", "space", craft.set_sha(files)),), main="space")
    fetch("tiny")
    space = own_home.res / "tiny" / "space"
    (space / "index.faiss").write_bytes(b"graph")
    (space / "index.json").write_text("{}")
    [res] = verify_resources(["tiny"])
    assert res.ok and res.problems == []
    (space / "other.json").write_text("{}")
    [res] = verify_resources(["tiny"])
    assert res.problems == ["tiny: unexpected file space/other.json"]
