"""Shell completion: `vecs --show-completion` prints a script for the shell, `--install-completion`
is offered, and neither adds to what `vecs --help` imports."""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

from helpers import ok

ROOT = Path(__file__).resolve().parents[2]


def test_help_offers_install_and_show_completion():
    out = ok(["--help"], env={"COLUMNS": "80"}).stdout
    assert "--install-completion" in out and "--show-completion" in out


def test_show_completion_prints_a_bash_script():
    code = ("import sys; sys.argv=['vecs','--show-completion','bash']\n"
            "from cli.main import app\napp(prog_name='vecs')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                       env={"PATH": "/usr/bin:/bin", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert r.returncode == 0, r.stderr
    assert "_vecs_completion" in r.stdout and "complete" in r.stdout


def test_completion_adds_no_module_to_help():
    code = ("import sys; sys.argv=['vecs','--help']\nfrom cli.main import app\nn=set(sys.modules)\n"
            "app._add_completion = {flag}\n"
            "try:\n    app(prog_name='vecs')\nexcept SystemExit:\n    pass\nprint(len(set(sys.modules)))")
    counts = []
    for flag in (False, True):
        r = subprocess.run([sys.executable, "-c", code.format(flag=flag)], capture_output=True, text=True, timeout=120,
                           cwd=ROOT)
        assert r.returncode == 0, r.stderr
        counts.append(int(r.stdout.strip().splitlines()[-1]))
    assert counts[0] == counts[1]
