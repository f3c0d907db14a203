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


# -- the lazy command table (cli/main.py COMMANDS) -------------------------------------------------
def _registering_modules() -> list[str]:
    """Every cli module with a top-level ``register(app)``: each adds commands to `vecs`."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "cli"
    return sorted(p.stem for p in root.glob("*.py")
                  if any(isinstance(n, ast.FunctionDef) and n.name == "register"
                         for n in ast.parse(p.read_text(encoding="utf-8")).body))


def _registered() -> dict[str, tuple[str, object]]:
    """name -> (module, typer's info) of every command and group the modules really register."""
    import importlib

    from typer.main import get_command_name

    out: dict[str, tuple[str, object]] = {}
    for module in _registering_modules():
        scratch = typer.Typer()
        importlib.import_module(f"cli.{module}").register(scratch)
        infos = [(c.name or get_command_name(c.callback.__name__), c) for c in scratch.registered_commands]
        infos += [(g.name or g.typer_instance.info.name, g) for g in scratch.registered_groups]
        for name, info in infos:
            assert name not in out, f"{name!r} is registered by both cli.{out[name][0]} and cli.{module}"
            out[name] = (module, info)
    return out


def test_command_table_lists_every_command_and_nothing_else():
    from cli.main import COMMANDS

    real = _registered()
    missing = sorted(set(real) - set(COMMANDS))
    assert not missing, ("commands registered but missing from cli/main.py COMMANDS (add one line each): "
                         + ", ".join(f"{n} (cli.{real[n][0]})" for n in missing))
    ghosts = sorted(set(COMMANDS) - set(real))
    assert not ghosts, f"cli/main.py COMMANDS lists commands no module registers: {ghosts}"
    wrong = {n: (m, real[n][0]) for n, (m, _, _) in COMMANDS.items() if real[n][0] != m}
    assert not wrong, f"COMMANDS names the wrong module (table, real): {wrong}"


def test_command_table_help_and_panels_are_the_commands_own():
    import inspect

    from cli.main import COMMANDS, build_command

    for name, (module, panel, short) in COMMANDS.items():
        cmd = build_command(name)
        real_panel = getattr(cmd, "rich_help_panel", None)
        real_panel = real_panel if isinstance(real_panel, str) else None  # typer's default placeholder
        first = inspect.cleandoc(cmd.short_help or cmd.help or "").split("\n\n")[0].strip()
        assert (panel, short) == (real_panel, first), (
            f"COMMANDS[{name!r}] should read: ({module!r}, {real_panel!r}, {first!r})")


def test_help_lists_without_importing_and_reads_as_when_loaded():
    """`vecs --help` in a fresh process imports no command module; with every command built first
    it prints the same text (same names, order, panels and one-line help)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys\nfrom typer.testing import CliRunner\nimport cli.main\n"
            "{prep}\nr = CliRunner().invoke(cli.main.app, ['--help'], env={{'COLUMNS': '100'}})\n"
            "assert r.exit_code == 0, r.output\nprint(r.output)\n"
            "print('LOADED', sorted(m for m in sys.modules if m.startswith('cli.') and m != 'cli.main'))")
    outs = []
    for prep in ("", "for n in cli.main.COMMANDS: cli.main.build_command(n)"):
        r = subprocess.run([sys.executable, "-c", code.format(prep=prep)], capture_output=True, text=True,
                           cwd=Path(__file__).resolve().parents[2], timeout=120)
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout.rsplit("LOADED", 1))
    (lazy, lazy_mods), (loaded, _) = outs
    assert lazy_mods.strip() == "[]", lazy_mods
    assert lazy == loaded
    assert "neighbours" in lazy and "Query" in lazy and "Evaluate" in lazy


def test_a_command_runs_and_shows_its_own_help_when_asked():
    r = runner.invoke(app_main(), ["neighbours", "--help"], env={"COLUMNS": "100"})
    assert r.exit_code == 0 and "--keep-inputs" in r.output
    r = runner.invoke(app_main(), ["eval", "--help"], env={"COLUMNS": "100"})
    assert r.exit_code == 0 and "similarity" in r.output and "analogies" in r.output
    r = runner.invoke(app_main(), ["neigbours", "cat"])
    assert r.exit_code == 2 and "Did you mean 'neighbours'" in r.output


def test_completion_of_command_names_imports_no_command_module():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, os\nfrom cli.main import app\n"
            "try:\n    app(prog_name='vecs')\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.startswith('cli.') and m != 'cli.main'))")
    env = {"PATH": "/usr/bin:/bin", "_VECS_COMPLETE": "complete_bash", "COMP_WORDS": "vecs nei", "COMP_CWORD": "1"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=Path(__file__).resolve().parents[2], env=env)
    assert r.returncode == 0, r.stderr
    words, loaded = r.stdout.split("LOADED")
    assert words.split() == ["neighbours"] and loaded.strip() == "[]"
    env.update(COMP_WORDS="vecs eval si", COMP_CWORD="2")  # a group's own commands: its module is loaded
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=Path(__file__).resolve().parents[2], env=env)
    assert r.stdout.split("LOADED")[0].split() == ["similarity"]


def app_main():
    from cli.main import app

    return app


def test_command_table_names_each_command_once():
    """A name written twice in the COMMANDS literal would silently keep one entry."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[2] / "cli" / "main.py").read_text(encoding="utf-8"))
    table = next(n.value for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "COMMANDS")
    names = [k.value for k in table.keys]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
