"""One way to time both sides of every bench, so none of them can flatter vecs.

* the same number of runs for every side, interleaved (A B C, A B C, ...), after the same warm-up;
* medians (min and max shown too), never a best-of for one side and a single run for the other;
* the answers of every side checked identical (``same``) before a ratio is printed;
* the machine stated: CPU model, cores, load average at the start and the end of every case, the
  thread counts of BLAS, torch and numba, and the versions of what is compared;
* a final line that is one JSON object (``bench/table.py`` builds README's speed table from those).

    b = Bench("analogies", runs=5)
    b.case("GloVe 400k x 50, 3CosAdd", {"vecs": f, "gensim": g}, same=lambda a: a["vecs"] == a["gensim"])
    b.extra("floor_s", 0.37)
    b.finish()
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def load() -> float:
    return round(os.getloadavg()[0], 2)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def threads() -> dict[str, Any]:
    """Thread counts of the libraries that run in parallel (only those already imported)."""
    out: dict[str, Any] = {"cpus": os.cpu_count()}
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            out[f"blas:{pool.get('internal_api')}"] = pool.get("num_threads")
    except Exception:  # threadpoolctl absent: say what the environment asks for
        out["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "unset")
    if "torch" in sys.modules:
        out["torch"] = sys.modules["torch"].get_num_threads()
    if "numba" in sys.modules:
        out["numba"] = sys.modules["numba"].get_num_threads()
    return out


def versions(*names: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            out[n] = "absent"
    return out


def fmt_s(s: float) -> str:
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1000:.0f} ms" if s >= 0.01 else f"{s * 1000:.2f} ms"


class NotIdentical(AssertionError):
    pass


class Bench:
    def __init__(self, name: str, runs: int = 5, warmup: int = 1, packages: tuple[str, ...] = ("numpy",)):
        self.name, self.runs, self.warmup = name, runs, warmup
        self.cases: list[dict] = []
        self.extras: dict[str, Any] = {}
        self.start_load = load()
        self.machine = {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
                        "load_start": self.start_load}
        self.packages = versions(*packages)
        print(f"bench {name}: {self.machine['cpu']}, {self.machine['cores']} cores, Python "
              f"{self.machine['python']}; load average {self.start_load}")
        print("versions: " + ", ".join(f"{k} {v}" for k, v in self.packages.items()))
        print(f"each case: {warmup} warm-up + {runs} timed runs per side, interleaved; medians")

    def case(self, label: str, sides: dict[str, Callable[[], Any]], same: Callable[[dict], bool] | None = None,
             runs: int | None = None, warmup: int | None = None, note: str = "",
             floor: float | None = None) -> dict:
        """Time every side alike; returns the case's record (also kept for the final JSON line).
        ``floor``: a lower bound in seconds measured by the bench itself (shown as a ratio)."""
        runs = self.runs if runs is None else runs
        warmup = self.warmup if warmup is None else warmup
        names = list(sides)
        answers: dict[str, Any] = {}
        l0 = load()
        for _ in range(warmup):
            for n in names:
                answers[n] = sides[n]()
        times: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(runs):
            for n in names:
                t = time.perf_counter()
                out = sides[n]()
                times[n].append(time.perf_counter() - t)
                answers[n] = out
        identical = None if same is None else bool(same(answers))
        med = {n: statistics.median(ts) for n, ts in times.items()}
        ours = names[0]
        rec = {"case": label, "runs": runs, "warmup": warmup, "load": [l0, load()], "threads": threads(),
               "median_s": {n: round(m, 4) for n, m in med.items()},
               "min_s": {n: round(min(ts), 4) for n, ts in times.items()},
               "max_s": {n: round(max(ts), 4) for n, ts in times.items()},
               "ratio": {n: round(med[n] / med[ours], 2) for n in names[1:]}, "identical": identical}
        if floor is not None:
            rec["floor_s"] = round(floor, 4)
            rec["vs_floor"] = round(med[ours] / floor, 2)
        if note:
            rec["note"] = note
        self.cases.append(rec)
        print(f"\n{label}  (load {l0} -> {rec['load'][1]}; threads {rec['threads']})")
        for n in names:
            r = "" if n == ours else f"   {ours} is {med[n] / med[ours]:.2f}x faster" if med[n] >= med[ours] \
                else f"   {ours} is {med[ours] / med[n]:.2f}x slower"
            print(f"  {n:<28} median {fmt_s(med[n]):>9}  (min {fmt_s(min(times[n]))}, max {fmt_s(max(times[n]))}){r}")
        if floor is not None:
            print(f"  floor (measured here)        {fmt_s(floor):>16}   {ours} at {med[ours] / floor:.2f}x the floor")
        if identical is not None:
            print(f"  answers identical: {identical}")
        if note:
            print(f"  {note}")
        return rec

    def extra(self, key: str, value: Any) -> None:
        self.extras[key] = value

    def finish(self) -> dict:
        self.machine["load_end"] = load()
        out = {"bench": self.name, "machine": self.machine, "versions": self.packages, "cases": self.cases,
               **self.extras}
        out["identical"] = all(c["identical"] is not False for c in self.cases)
        print(json.dumps(out))
        return out


def run_cold(cmd: list[str], env: dict, tail: int = 2000) -> tuple[str, float]:
    """Run ``cmd`` as a fresh process: (its stdout, its CPU seconds, user + system). A failure
    ends the bench with the command and the end of its stderr."""
    import resource
    import subprocess

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-tail:]}")
    return p.stdout, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def median_time(fn: Callable[[], Any], runs: int = 5) -> float:
    """The median wall time of ``fn`` (for floors: a timed np.dot of the shape the bench needs)."""
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)
