"""Time ``zopa bridge`` (zopa.engine.bridge.bridge): wall and CPU time of the search.

Cases: the how-to's worked example, every built-in scenario with issues described
by attributes (at its latest date, and ukraine-2025 also at 2025-11-26 and each
draft date), and seeded synthetic scenarios at the built-in's scale (28 issues, 4
with three attributes of 3-4 values each, 4 parties, red lines over attributes).
Each case runs in a fresh process; the clock starts after the imports and the
loading of the scenario, and covers ``bridge(problem)`` (listed and expanded
problems, conflicts, every bridge, the combined question, the solutions). The
cold command ``zopa bridge --json`` on the built-in is timed as a whole too
(process wall time and the child's CPU time, imports and loading included).

    .venv/bin/python bench/bridge_bench.py [--repeat 3] [--out bench/results/bridge.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOWTO = ROOT / "docs" / "how-to" / "find-bridging-formulas.yaml"

RUNNER = """
import json, sys, time
from zopa.engine import bridge as b
from zopa.engine import blockers, sat, solutions  # noqa: F401 - imports before the clock
from zopa.engine.cpsat import cp_model_module
from zopa.load import load_scenario
from zopa.problem import Problem
cp_model_module()
import pysat.solvers, pysat.examples.rc2, pysat.examples.hitman  # noqa: E401,F401
import datetime as dt
scenario = load_scenario(sys.argv[1])
as_of = dt.date.fromisoformat(sys.argv[3]) if sys.argv[3] != "-" else None
problem, _ = Problem.for_draft(scenario, sys.argv[2] if sys.argv[2] != "-" else None, as_of)
wall, cpu = time.perf_counter(), time.process_time()
result = b.bridge(problem)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
doc = result.to_json()
print(json.dumps({
    "wall_s": wall, "cpu_s": cpu,
    "combinations": sum(s["combinations"] for s in doc["space"]),
    "new": sum(s["new"] for s in doc["space"]),
    "conflicts": len(doc["conflicts"]),
    "bridges": sum(len(c["bridged_by"]) for c in doc["conflicts"]),
    "feasible_with_new_formulas": doc["feasible_with_new_formulas"],
    "oracle_calls": result.stats["oracle_calls"],
}))
"""


def synthetic(seed: int) -> dict:
    """A scenario at the built-in's scale with four issues described by attributes."""
    rng = random.Random(seed)
    issues: list[dict] = []
    for k in range(4):
        attrs = {f"a{j}": [f"v{m}" for m in range(rng.choice([3, 4]))] for j in range(3)}
        listed = []
        for m in range(3):
            listed.append({"id": f"p{m}", **{n: rng.choice(vs) for n, vs in attrs.items()}})
        unique = {tuple(v for n, v in sorted(o.items()) if n != "id"): o for o in listed}
        issues.append({"id": f"z{k}", "attributes": attrs, "options": list(unique.values())})
    for k in range(24):
        if k % 3 == 0:
            issues.append({"id": f"n{k}", "range": {"min": 0, "max": 100, "step": 10}})
        else:
            issues.append({"id": f"c{k}", "options": ["x", "y", "z"]})
    parties = []
    for p in range(4):
        weights, values = {}, {}
        for issue in issues:
            if "attributes" in issue:
                for n, vs in issue["attributes"].items():
                    weights[f"{issue['id']}.{n}"] = rng.choice([1, 2, 3])
                    values[f"{issue['id']}.{n}"] = {v: rng.choice([0, 0.3, 0.6, 1]) for v in vs}
            elif "range" in issue:
                weights[issue["id"]] = rng.choice([0, 1, 2])
                values[issue["id"]] = {0: rng.choice([0, 1]), 100: rng.choice([0, 1])}
            else:
                weights[issue["id"]] = rng.choice([0, 1, 2])
                values[issue["id"]] = {o: rng.choice([0, 0.5, 1]) for o in issue["options"]}
        parties.append({"id": f"p{p}", "reservation": 0.3, "weights": weights, "values": values})
    red_lines = []
    for k, issue in enumerate(issues[:4]):
        for p in range(4):
            n = rng.choice(list(issue["attributes"]))
            v = rng.choice(issue["attributes"][n])
            red_lines.append(
                {"id": f"r{k}-{p}", "party": f"p{p}", "rule": f"{issue['id']}.{n} != {v}"}
            )
        # each listed option is rejected by someone: a conflict on every issue
        for m, option in enumerate(issue["options"]):
            red_lines.append(
                {
                    "id": f"x{k}-{m}",
                    "party": f"p{m % 4}",
                    "rule": f"{issue['id']} != {option['id']}",
                }
            )
    return {
        "format": "zopa/1",
        "id": f"synthetic-{seed}",
        "issues": issues,
        "parties": parties,
        "red_lines": red_lines,
    }


def run(path: str, repeat: int, draft: str = "-", as_of: str = "-") -> dict:
    rows = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", RUNNER, path, draft, as_of],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(done.stdout))
    best = dict(rows[0])
    best["wall_s"] = statistics.median(r["wall_s"] for r in rows)
    best["cpu_s"] = statistics.median(r["cpu_s"] for r in rows)
    return best


def command(ident: str, repeat: int) -> dict:
    """The whole command, cold: wall time of the process and its CPU time (user + system)."""
    rows = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "zopa.cli", "bridge", ident, "--json"],
            capture_output=True,
            check=True,
        )
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rows.append({"wall_s": wall, "cpu_s": cpu})
    return {k: statistics.median(r[k] for r in rows) for k in ("wall_s", "cpu_s")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "bridge.json"))
    args = parser.parse_args()
    from zopa.load import builtin_ids, load_scenario

    cases: dict[str, tuple[str, ...]] = {"how-to (valley)": (str(HOWTO),)}
    for ident in builtin_ids():
        scenario = load_scenario(ident)
        if any(i.attributed for i in scenario.issues):
            cases[f"built-in {ident}"] = (ident,)
            if ident == "ukraine-2025":
                cases[f"{ident} 2025-11-26"] = (ident, "-", "2025-11-26")
                for d in scenario.drafts:
                    cases[f"{ident} {d.id}"] = (ident, d.id)
    with tempfile.TemporaryDirectory() as folder:
        for seed in (1, 2, 3):
            path = Path(folder) / f"synthetic-{seed}.json"
            path.write_text(json.dumps(synthetic(seed)))
            cases[f"synthetic seed {seed}"] = (str(path),)
        results: dict = {"load_before": os.getloadavg(), "cases": {}}
        for name, case in cases.items():
            results["cases"][name] = run(*case[:1], args.repeat, *case[1:])
            r = results["cases"][name]
            print(
                f"{name:22} {r['combinations']:5} combinations {r['new']:5} new "
                f"{r['conflicts']:3} conflicts {r['bridges']:4} bridges "
                f"{r['oracle_calls']:5} SAT calls  wall {r['wall_s']:.3f} s  cpu {r['cpu_s']:.3f} s"
            )
        results["command"] = command("ukraine-2025", args.repeat)
        c = results["command"]
        print(f"zopa bridge ukraine-2025 --json (cold)  wall {c['wall_s']:.2f} s", end="")
        print(f"  cpu {c['cpu_s']:.2f} s")
        results["load_after"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"load average before {results['load_before']}, after {results['load_after']}")


if __name__ == "__main__":
    main()
