"""CLI assertions shared by the test files: a command succeeds, or fails with one clean line."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()

# two senses of `bank`, three sentences each (contextual tests)
MONEY = ["I deposited my salary at the bank.", "The bank approved our mortgage.",
         "She opened an account at the bank downtown."]
RIVER = ["We had a picnic on the bank of the river.", "The fisherman sat on the muddy bank.",
         "Reeds grow along the bank of the stream."]


def ok(args, **kw):
    """Run ``vecs ARGS``; it must exit 0."""
    r = runner.invoke(app, args, **kw)
    assert r.exit_code == 0, (r.stdout, r.stderr, r.exception)
    return r


def fails(args, **kw) -> str:
    """Run ``vecs ARGS``; it must exit 1 with exactly one ``error:`` line and no traceback.
    Returns that line."""
    r = runner.invoke(app, args, **kw)
    assert r.exit_code == 1, (r.stdout, r.stderr)
    msg = r.stderr.strip()
    assert msg.startswith("error:") and "\n" not in msg, msg
    assert "Traceback" not in r.stdout + r.stderr
    return msg
