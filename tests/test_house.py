"""The house rules, checked on the source: imports run one way (no cycle, lazy imports
included), no module over 400 lines, and nothing `vecs --help` imports pulls in a heavy
library at module level."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("vecs", "cli")
MAX_LINES = 400
HEAVY = ("torch", "transformers", "gensim", "matplotlib", "sklearn", "pyarrow", "scipy", "safetensors",
         "tokenizers", "gguf", "numba", "llvmlite", "faiss", "pyspark", "py4j")


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in sorted((ROOT / pkg).rglob("*.py")):
            name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = p
    return out


def imports(path: Path, module: str, known: set[str], top_level_only: bool = False) -> set[str]:
    """The project modules ``module`` imports (``from pkg import sub`` counts as ``pkg.sub``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # module level includes `if`/`try` blocks, not function bodies
        nodes = [n for stmt in tree.body if not isinstance(stmt, (ast.FunctionDef, ast.ClassDef))
                 for n in ast.walk(stmt)]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            for a in node.names:
                found.add(a.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                pkg = parts if path.name == "__init__.py" else parts[:-1]
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
            found.add(base)
            for a in node.names:
                found.add(f"{base}.{a.name}")
    out = set()
    for name in found:
        while name and name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in known and name != module:
            out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    g = {}
    for m, p in mods.items():
        deps = imports(p, m, known)
        # a package's __init__ is imported by its submodules' importers: not an edge of theirs
        g[m] = {d for d in deps if not m.startswith(d + ".")}
    return g


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        colour[n] = 1
        stack.append(n)
        for d in sorted(g.get(n, ())):
            if colour.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if colour.get(d) is None:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        colour[n] = 2
        return None

    for n in sorted(g):
        if colour.get(n) is None:
            found = visit(n)
            if found:
                return found
    return None


def test_find_cycle_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


# The floors, bottom to top: a module imports only from its own floor or the floors below.
FLOORS = [
    ("vecs.space", "vecs.errors", "vecs.paths", "vecs.progress", "vecs.jsonify", "vecs.linalg", "vecs.util",
     "vecs.swap",     "vecs.extras", "vecs"),
    ("vecs.io",),
    ("vecs.hub",),
    ("vecs.resolve",),
    ("vecs.corpus",),
    ("vecs.static",),
    ("vecs.lm",),
    ("vecs.contextual",),
    ("vecs.inside",),
    ("vecs.bias",),
    ("vecs.plot",),
    ("vecs.quiz",),
    ("vecs.claims",),
    ("vecs.tour",),
    ("cli",),
]


def floor(module: str) -> int:
    best, level = -1, None
    for i, prefixes in enumerate(FLOORS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, level = len(p), i
    assert level is not None, f"{module} is on no floor: add it to FLOORS (and to HACKING.md)"
    return level


def test_imports_run_bottom_to_top():
    up = [(m, d) for m, deps in graph().items() for d in deps if floor(d) > floor(m)]
    assert not up, "imports from a higher floor: " + ", ".join(f"{m} -> {d}" for m, d in up)


def test_no_module_over_400_lines():
    long = {m: n for m, p in modules().items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def help_modules() -> tuple[list[str], list[str]]:
    """(project modules, heavy libraries and numpy) in ``sys.modules`` after ``vecs --help``."""
    code = ("import sys; from typer.testing import CliRunner; from cli.main import app; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('vecs', 'cli')))); "
            f"print(' '.join(sorted(m for m in {HEAVY + ('numpy',)!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    ours, heavy = (out.stdout.splitlines() + ["", ""])[:2]
    return ours.split(), heavy.split()


def heavy_module_level_imports(path: Path) -> list[str]:
    """Heavy libraries imported at module level (outside functions, classes and TYPE_CHECKING)."""
    found = []
    for stmt in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import):
                found += [a.name for a in node.names if a.name.split(".")[0] in HEAVY]
            elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] in HEAVY:
                found.append(node.module)
    return found


def test_heavy_import_check_sees_one(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("import numpy\ntry:\n    import torch\nexcept ImportError:\n    pass\n"
                 "def f():\n    import gensim\n")
    assert heavy_module_level_imports(p) == ["torch"]


def test_vecs_help_loads_nothing_heavy():
    """`vecs --help` lists every command from cli/main.py's table: it imports no command module,
    no library module (not even numpy), nothing heavy."""
    ours, heavy = help_modules()
    assert ours == ["cli", "cli.main"], ours
    assert heavy == []
    mods = modules()
    bad = {m: h for m in ours if m in mods and (h := heavy_module_level_imports(mods[m]))}
    assert not bad, f"modules loaded by `vecs --help` import heavy libraries at module level: {bad}"


def test_command_modules_import_nothing_heavy_at_module_level():
    """A command module is imported only when its command runs, but then before anything else:
    none may pull in a heavy library at module level."""
    mods = modules()
    bad = {m: h for m, p in mods.items() if m.startswith("cli.") and (h := heavy_module_level_imports(p))}
    assert not bad, bad


# Queries answer in a fresh process each time: none of these may be imported on their way.
QUERY_HEAVY = HEAVY + ("numba", "faiss", "hnswlib", "plotly", "pandas", "jieba")
QUERIES = (["neighbours", "cat", "-m", "m"], ["neighbours", "cat", "-m", "m", "--json"],
           ["analogy", "man", "king", "woman", "-m", "m"], ["similarity", "cat", "dog", "-m", "m"],
           ["calc", "king", "-", "man", "+", "woman", "-m", "m"], ["odd-one-out", "cat", "dog", "car", "-m", "m"],
           ["eval", "similarity", "-m", "m", "-d", "PAIRS"])


@pytest.mark.parametrize("args", QUERIES, ids=lambda a: " ".join(a[:2]))
def test_query_paths_import_nothing_heavy(args, tmp_path):
    """`vecs neighbours` and the other queries on a stored model: numpy, typer, rich and our own
    modules; no scipy, scikit-learn, gensim, matplotlib, torch, numba, faiss... (the cold start)."""
    import numpy as np

    from vecs import Space
    from vecs.io.store import save

    words = ["man", "woman", "king", "queen", "cat", "dog", "car"]
    save(Space(words, np.random.default_rng(0).standard_normal((len(words), 8)).astype(np.float32)), "m")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cat\tdog\t9\ncat\tcar\t2\nking\tqueen\t8\nman\tcar\t1\n", encoding="utf-8")
    args = [str(pairs) if a == "PAIRS" else a for a in args]
    code = ("import sys, typer.main\nfrom cli.main import app\n"
            f"try:\n    typer.main.get_command(app).main(args={args!r}, prog_name='vecs')\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            f"print('HEAVY', sorted(m for m in {QUERY_HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.rsplit("HEAVY", 1)[1].strip() == "[]", out.stdout


@pytest.mark.parametrize("pkg", PACKAGES)
def test_every_folder_is_a_package(pkg):
    for d in (ROOT / pkg).rglob("*"):
        if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py")):
            assert (d / "__init__.py").is_file(), f"{d} has modules but no __init__.py"
