"""README's speed table, regenerated from the benches' own final JSON lines.

Each bench prints one JSON object as its last line; keep it in ``bench/results/NAME.json``:

    python bench/analogies.py | tee /tmp/analogies.log && tail -n 1 /tmp/analogies.log > bench/results/analogies.json

then ``python bench/table.py`` rewrites the part of README.md between ``<!-- speed-table -->`` and
``<!-- /speed-table -->`` (``--print`` shows it instead). Nothing in the table is typed by hand:
every figure, the machine and the load averages come from those files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START, END = "<!-- speed-table -->", "<!-- /speed-table -->"
ORDER = ("analogies", "neighbours", "ann", "coldstart", "train", "contextual", "spark")


def fmt(s: float | None) -> str:
    if s is None:
        return "–"
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1000:.0f} ms" if s >= 0.01 else f"{s * 1000:.1f} ms"


def rows(result: dict) -> list[str]:
    name = result["bench"]
    out = []
    for c in result.get("cases", []):
        med = c["median_s"]
        sides = list(med)
        ours = sides[0]
        peers = "; ".join(f"{p} {fmt(med[p])}" for p in sides[1:])
        ratio = "; ".join(f"**{r:g}×**" for r in c.get("ratio", {}).values())
        same = {True: "yes", False: "**no**", None: "–"}[c.get("identical")]
        load = "–".join(f"{x:g}" for x in c.get("load", []))
        note = c.get("vs_floor")
        floor = f"{note:g}× floor" if note is not None else ""
        label = c["case"] + (f" ({c['note']})" if c.get("note") and len(c["note"]) < 90 else "")
        out.append(f"| `{name}` | {label} | {fmt(med[ours])} | {peers} | {ratio} {floor} | {same} | "
                   f"{c.get('runs', '')} | {load} |")
    return out


def table(results: list[dict]) -> str:
    machines = {(r["machine"]["cpu"], r["machine"]["cores"]) for r in results if "machine" in r}
    lines = []
    for cpu, cores in sorted(machines):
        lines.append(f"Machine: {cpu}, {cores} cores. Ratio = the peer's median / vecs's median (above 1: vecs "
                     "is faster; for a floor case, vecs's time over the floor's). Load: the 1-minute load "
                     "average at the start and the end of the case.")
    lines += ["", "| bench | case | vecs | peer | ratio | same answers | runs | load |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines += rows(r)
    extras = []
    for r in results:
        for k, v in r.items():
            if k not in ("bench", "machine", "versions", "cases", "identical"):
                extras.append(f"- `{r['bench']}` {k}: `{json.dumps(v)}`")
    if extras:
        lines += ["", "Other figures the benches measured:", ""] + extras
    versions = {}
    for r in results:
        versions.update(r.get("versions", {}))
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + "."]
    return "\n".join(lines)


def last_json(text: str) -> dict | None:
    """The bench's JSON line: the last line that is one JSON object with a "bench" key."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if isinstance(d, dict) and "bench" in d:
                return d
    return None


def load_results(folder: Path) -> list[dict]:
    found = {p.stem: d for p in folder.glob("*.json") if (d := last_json(p.read_text())) is not None}
    return [found[k] for k in ORDER if k in found] + [v for k, v in sorted(found.items()) if k not in ORDER]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, default=HERE / "results")
    ap.add_argument("--print", action="store_true", help="print the table instead of rewriting README.md")
    args = ap.parse_args()
    results = load_results(args.results)
    if not results:
        sys.exit(f"no results in {args.results}: run the benches first (see this file's docstring)")
    text = table(results)
    if args.print:
        print(text)
        return
    readme = README.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        sys.exit(f"README.md has no {START} ... {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
    print(f"README.md: speed table rewritten from {len(results)} benches")


if __name__ == "__main__":
    main()
