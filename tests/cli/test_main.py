"""The one error boundary (cli/main.py): library errors, OS errors, memory and Ctrl-C each end in
one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import errno

import pytest
import typer
from typer.testing import CliRunner

from cli.main import VecsGroup, os_error_line
from vecs.errors import QueryError

runner = CliRunner()


def _app(exc: BaseException) -> typer.Typer:
    app = typer.Typer(cls=VecsGroup)

    @app.command()
    def boom() -> None:
        raise exc

    @app.command()
    def fine() -> None:
        print("ok")

    return app


@pytest.mark.parametrize("exc, code, text", [
    (QueryError("k must be at least 1"), 1, "error: k must be at least 1"),
    (OSError(errno.ENOSPC, "No space left on device", "/x/y.npy"), 1,
     "error: No space left on device: /x/y.npy (the disk is full"),
    (PermissionError(errno.EACCES, "Permission denied", "/ro/models"), 1, "error: Permission denied: /ro/models"),
    (MemoryError(), 1, "error: out of memory"),
    (KeyboardInterrupt(), 130, "error: interrupted"),
])
def test_boundary_turns_failures_into_one_line(exc, code, text):
    r = runner.invoke(_app(exc), ["boom"])
    assert r.exit_code == code
    assert r.stderr.strip().startswith(text) and "\n" not in r.stderr.strip()
    assert "Traceback" not in r.output


def test_os_error_line_names_file_and_remedy():
    line = os_error_line(OSError(errno.EROFS, "Read-only file system", "/home/me/.vecs"))
    assert line.startswith("Read-only file system: /home/me/.vecs") and "VECS_HOME" in line
    assert os_error_line(FileNotFoundError(2, "No such file or directory")) == "No such file or directory"


def test_sigterm_behaves_like_ctrl_c():
    import signal

    r = runner.invoke(_app(RuntimeError()), ["fine"])
    assert r.exit_code == 0
    assert signal.getsignal(signal.SIGTERM).__name__ == "_terminate"
    with pytest.raises(KeyboardInterrupt):
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
