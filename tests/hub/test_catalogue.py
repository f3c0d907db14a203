"""The resource catalogue (vecs.hub.catalogue): every resource has a licence, a description and an
origin that works offline; unknown names get close ones."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from vecs.errors import ResourceError
from vecs.hub.catalogue import get

runner = CliRunner()


def test_catalogue_has_the_issue_resources_with_licences():
    for name in ["sotu", "lee", "googlenews", "glove-6b-50d", "google", "msr", "ws353", "simlex",
                 "men", "rw", "mturk771", "rg65"]:
        r = get(name)
        assert r.licence and r.description and r.origins
        # every entry has an origin that works without the internet (a package, not a URL)
        assert any(o.kind in ("pypi", "installed") for o in r.origins)
        assert all(m.sha256 for o in r.origins if o.kind != "url" for m in o.members)


def test_unknown_resource_is_one_line_error():
    res = runner.invoke(app, ["get", "googlenewz"])
    assert res.exit_code == 1
    assert "unknown resource 'googlenewz'" in res.stderr and "googlenews" in res.stderr
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_get_suggests_close_names_or_lists_the_known_ones():
    with pytest.raises(ResourceError, match=r"did you mean 'googlenews'"):
        get("Googlenews")
    with pytest.raises(ResourceError, match=r"; known: sotu, lee, googlenews"):
        get("zzzzzzzz")
