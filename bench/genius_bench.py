"""GENIUS domains: zopa's exact engine beside NegMAS 0.16 on the same XML files.

For each ANAC domain folder this runs, each in a fresh process and side by side:

* zopa with GENIUS 10.4 semantics (the default import);
* zopa with ``--semantics negmas`` (NegMAS's reading of the same files);
* NegMAS 0.16 itself (``bench/negmas_genius_runner.py`` in ``bench/.venv-negmas``,
  created on first use by ``bench/negmas_env.py``).

Each run times loading, the Pareto frontier and the Nash point (imports and
interpreter start excluded) and reports peak memory.  The comparison checks
that zopa under NegMAS semantics finds NegMAS's frontier size and Nash point,
and whether NegMAS's Nash bid is also optimal under GENIUS's own semantics.

The domains are not in this repository (their licence is unclear): clone
https://github.com/yasserfarouk/negmas and pass ``--data <clone>/tests/data/scenarios``.

    python bench/genius_bench.py --data DIR                 # the largest ANAC domains
    python bench/genius_bench.py --data DIR --all-anac      # every ANAC 2010-2016 folder
    python bench/genius_bench.py --table                    # reprint bench/results/genius.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
NEGMAS_VERSION = "0.16.0"  # what bench/negmas_env.py installs
RUNNER = HERE / "negmas_genius_runner.py"
NEAR = 1e-7  # utilities this close count as equal when frontiers are compared

LARGEST = [  # relative to --data; outcome counts from the domain files
    "anac/y2016/AgentHp2",  # 5,764,801 outcomes, 3 parties, integer issues
    "anac/y2016/parsCat",  # 390,625, 3 parties
    "anac/y2011/Energy",  # 390,625
    "anac/y2012/EnergyA",  # 390,625
    "anac/y2015/group9-killer_robot",  # 240,000, 5 parties
    "anac/y2010/Travel",  # 188,160
    "anac/y2012/SupermarketA",  # 112,896
    "anac/y2013/Wholesaler",  # 56,700
    "anac/y2016/Terra",  # 35,840, 3 parties
    "anac/y2015/group2-politics",  # 23,040, 3 parties
    "anac/y2011/Car",  # 15,625
    "anac/y2014/10issues",  # 10^10 outcomes, hyper-rectangle utilities
]


# --------------------------------------------------------------------------- one run (zopa)


def run_zopa(folder: Path, semantics: str) -> dict[str, Any]:
    """Load, frontier and Nash with zopa in this process; the JSON the parent reads."""
    from zopa.engine.frontier import frontier
    from zopa.engine.solutions import solve
    from zopa.interop.folder import genius_files
    from zopa.interop.genius import import_genius
    from zopa.problem import SCALE, Problem

    w0 = time.perf_counter()
    warm_up()
    startup = time.perf_counter() - w0
    t0 = time.perf_counter()
    found = genius_files(folder)
    assert found is not None, f"no GENIUS domain in {folder}"
    scenario = import_genius(found[0], found[1], semantics=semantics).scenario  # type: ignore[arg-type]
    problem = Problem(scenario)
    t1 = time.perf_counter()
    front = frontier(problem)
    t2 = time.perf_counter()
    nash = solve(problem, ["nash"]).solutions.get("nash")  # None when no deal is acceptable
    t3 = time.perf_counter()
    return {
        "engine": f"zopa-{semantics}",
        "parties": [p.name for p in scenario.parties],
        "issues": [i.title for i in scenario.issues],
        "outcomes": problem.space_size(),
        "startup_s": startup,
        "load_s": t1 - t0,
        "frontier_s": t2 - t1,
        "nash_s": t3 - t2,
        "frontier_size": len(front.vectors),
        "frontier": front.vectors.tolist(),
        "frontier_complete": front.complete,
        "frontier_method": front.method,
        "nash": {
            "value": nash.value if nash else None,
            "optimal": nash.optimal if nash else True,
            "utilities": [nash.utilities.get(p.id) for p in scenario.parties] if nash else None,
            "outcome": outcome_labels(scenario, nash.indices) if nash and nash.indices else None,
        },
        "negmas_utility": [p.meta["genius"].get("negmas_utility") for p in scenario.parties],
        "reservations": [p.reservation for p in scenario.parties],
        "scale": SCALE,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def warm_up() -> None:
    """Solve a one-issue scenario first, so that the solvers' lazy imports are not timed
    (NegMAS's imports are not timed either)."""
    from zopa.engine.frontier import frontier
    from zopa.engine.solutions import solve
    from zopa.model import Scenario
    from zopa.problem import Problem

    tiny = Scenario.model_validate(
        {
            "id": "warm",
            "issues": [{"id": "i", "options": ["a", "b"]}],
            "parties": [
                {"id": "p", "weights": {"i": 1}, "values": {"i": {"a": 1, "b": 0}}},
                {"id": "q", "weights": {"i": 1}, "values": {"i": {"a": 0, "b": 1}}},
            ],
        }
    )
    problem = Problem(tiny)
    frontier(problem)
    solve(problem)


def outcome_labels(scenario: Any, package: list[int]) -> list[str]:
    """A package as GENIUS writes values: the original value text, or the number."""
    return [option_names(i)[k] for i, k in zip(scenario.issues, package, strict=True)]


# --------------------------------------------------------------------------- orchestration


def child(command: list[str], timeout: float, memory_gb: float) -> dict[str, Any]:
    """Run one measurement in a fresh process (address space capped); its JSON, or the error."""
    cap = int(memory_gb * 2**30)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, preexec_fn=limit
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        errors = [line for line in lines if "Error" in line or "Killed" in line]
        return {"error": (errors or lines)[-1][:300], "wall_s": wall}
    result = json.loads(done.stdout)
    result["wall_s"] = wall
    return result


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The first successful run, with each phase's least time over the repetitions."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    best = dict(good[0])
    for key in ("load_s", "frontier_s", "nash_s", "wall_s"):
        best[key] = min(r[key] for r in good)
    best["repeats"] = len(good)
    return best


def measure(
    folder: Path, negmas_python: Path, repeat: int, timeout: float, memory_gb: float
) -> dict[str, Any]:
    me = [sys.executable, str(Path(__file__).resolve()), "--one", str(folder)]
    commands = {
        "zopa-genius": [*me, "--semantics", "genius"],
        "zopa-negmas": [*me, "--semantics", "negmas"],
        "negmas": [str(negmas_python), str(RUNNER), str(folder)],
    }
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in commands}
    for _ in range(repeat):  # interleaved, so that load on the machine hits all alike
        for name, command in commands.items():
            runs[name].append(child(command, timeout, memory_gb))
            if "error" in runs[name][-1] and "timeout" in runs[name][-1]["error"]:
                commands = {k: v for k, v in commands.items() if k != name}
    return {name: best_of(r) for name, r in runs.items()}


def compare(folder: Path, result: dict[str, Any]) -> dict[str, Any]:
    """Does zopa under NegMAS semantics reproduce NegMAS; is NegMAS's bid GENIUS-optimal?

    Utilities are compared on zopa's scale, ``(u_negmas − offset) / scale``.  Both
    tools can keep a point that exact arithmetic finds (weakly) dominated by a
    hair: NegMAS computes in floats (last-bit differences), zopa on its 1e-9
    integer grid (each issue's term rounded, up to 1.5e-9 per issue).  So both
    frontiers are compared after merging such near-ties (``NEAR``), and the
    merged sizes are reported beside the raw ones.
    """
    nm, zn, zg = result["negmas"], result["zopa-negmas"], result["zopa-genius"]
    out: dict[str, Any] = {}
    if "error" not in zg:
        genius_grid = np.asarray(zg["frontier"], dtype=float) / zg["scale"]
        out["zopa_genius_frontier_merged"] = len(near_frontier(genius_grid.tolist(), NEAR))
    if "error" in nm or "error" in zn:
        return out
    order = [zn["parties"].index(name) for name in nm["parties"]]
    maps = [zn["negmas_utility"][k] for k in order]

    def to_zopa(point: list[float]) -> list[float]:
        return [
            (u - m["offset"]) / m["scale"] if m["scale"] else 0.0
            for u, m in zip(point, maps, strict=True)
        ]

    theirs = near_frontier([to_zopa(p) for p in nm["frontier"]], NEAR)
    grid = np.asarray(zn["frontier"], dtype=float).reshape(-1, len(order))[:, order] / zn["scale"]
    ours = near_frontier(grid.tolist(), NEAR)
    out["negmas_frontier_merged"] = len(theirs)
    out["zopa_frontier_merged"] = len(ours)
    out["frontier_equal"] = same_points(ours, theirs, NEAR)
    nash_nm = nm["nash"]
    if not nash_nm or zn["nash"]["outcome"] is None:
        out["nash_equal"] = not nash_nm and zn["nash"]["outcome"] is None
        return out
    mine = [zn["nash"]["utilities"][k] for k in order]
    out["nash_equal"] = any(
        max(abs(a - b) for a, b in zip(mine, to_zopa(p["utilities"]), strict=True)) <= NEAR
        for p in nash_nm
    )
    if "error" not in zg and zg["nash"]["outcome"] is not None:
        out["genius_nash_bid"] = zg["nash"]["outcome"]
        out["negmas_nash_bid"] = nash_nm[0]["outcome"]
        out["negmas_bid_optimal_under_genius"] = genius_optimal(
            folder, nm["issues"], nash_nm, zg["nash"]["value"]
        )
    return out


def near_frontier(points: list[list[float]], tol: float) -> np.ndarray:
    """Points no other point dominates when coordinates within ``tol`` count as equal.

    Welfare order, as NegMAS's own filter: a point still alive when reached is
    kept, and every point it dominates (within ``tol``) is dropped.
    """
    if not len(points):
        return np.zeros((0, 0))
    pts = np.asarray(points, dtype=float)
    pts = pts[np.argsort(-pts.sum(axis=1), kind="stable")]
    alive = np.ones(len(pts), dtype=bool)
    kept = []
    for i in range(len(pts)):
        if alive[i]:
            kept.append(i)
            alive &= ~np.all(pts <= pts[i] + tol, axis=1)
    return pts[kept]


def same_points(ours: np.ndarray, theirs: np.ndarray, tol: float) -> bool:
    """Whether two point sets match one to one within ``tol`` (max norm)."""
    if len(ours) != len(theirs):
        return False
    if len(ours) == 0:
        return True
    theirs = theirs[np.argsort(theirs[:, 0])]
    for p in ours:
        lo, hi = np.searchsorted(theirs[:, 0], [p[0] - tol, p[0] + tol], side="left")
        window = theirs[lo : hi + 1]
        if not len(window) or np.abs(window - p).max(axis=1).min() > tol:
            return False
    return True


def genius_optimal(
    folder: Path, issues: list[str], nash_nm: list[dict[str, Any]], best: float | None
) -> bool | None:
    """Whether one of NegMAS's Nash outcomes reaches zopa's Nash value under GENIUS semantics."""
    from zopa.interop.folder import load_folder
    from zopa.problem import SCALE, Problem

    scenario = load_folder(folder).scenario
    problem = Problem(scenario)
    if best is None or sorted(issues) != sorted(i.title for i in scenario.issues):
        return None  # NegMAS added or renamed an issue (its DUMMY_ISSUE, say)
    for point in nash_nm:
        labels = dict(zip(issues, point["outcome"], strict=True))
        package = [option_names(issue).index(labels[issue.title]) for issue in scenario.issues]
        if not problem.agreement_mask([package])[0]:
            continue
        utils = problem.utility(package)
        value = math.prod(
            (utils[p] - int(problem.reservations[p])) / SCALE for p in problem.veto_parties
        )
        if value >= best - 1e-9:
            return True
    return False


def option_names(issue: Any) -> list[str]:
    if issue.numeric:
        return [str(issue.option_json(k)) for k in range(len(issue.values))]
    return [o.label or o.id for o in issue.options]


# --------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(mem, 1),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mark(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "**no**")


def total(run: dict[str, Any]) -> float | None:
    return None if "error" in run else run["load_s"] + run["frontier_s"] + run["nash_s"]


def cell(run: dict[str, Any], merged: Any = None) -> str:
    """``load + frontier + Nash (|F| n, m merged)`` of one run, or its error."""
    if "error" in run:
        return f"error: {run['error'].split(': ')[-1][:70]}"  # the message, not the path
    size = f"{run['frontier_size']}" + (f", {merged} merged" if merged is not None else "")
    return (
        f"{fmt(run['load_s'])} + {fmt(run['frontier_s'])} + {fmt(run['nash_s'])} (\\|F\\| {size})"
    )


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| domain | outcomes | parties | zopa, NegMAS semantics: load + frontier + Nash "
        "| NegMAS 0.16: load + frontier + Nash | NegMAS / zopa time | peak RSS zopa / NegMAS "
        "| same frontier | same Nash | zopa, GENIUS semantics | NegMAS's Nash bid GENIUS-optimal |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|:-:|---:|:-:|",
    ]
    for row in rows:
        r, c = row["runs"], row["compare"]
        zg, zn, nm = r["zopa-genius"], r["zopa-negmas"], r["negmas"]
        tz, tn = total(zn), total(nm)
        ratio = f"{tn / tz:.1f}×" if tz and tn else "–"
        rss = f"{zn['peak_rss_mb']:.0f} / {nm['peak_rss_mb']:.0f} MB" if tz and tn else "–"
        outcomes = zg.get("outcomes") or nm.get("outcomes")
        size = f"{outcomes:,}" if outcomes else "–"
        parties = len(zg.get("parties") or nm.get("parties") or []) or "–"
        same = [mark(c.get(k)) for k in ("frontier_equal", "nash_equal")]
        genius_total = total(zg)
        genius = (
            f"{fmt(genius_total)} (\\|F\\| {zg['frontier_size']}, "
            f"{c.get('zopa_genius_frontier_merged')} merged)"
            if genius_total is not None
            else cell(zg)
        )
        lines.append(
            f"| {row['domain']} | {size} | {parties} | {cell(zn, c.get('zopa_frontier_merged'))} "
            f"| {cell(nm, c.get('negmas_frontier_merged'))} | {ratio} | {rss} "
            f"| {' | '.join(same)} | {genius} | {mark(c.get('negmas_bid_optimal_under_genius'))} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="negmas/tests/data/scenarios or alike")
    parser.add_argument("--domains", nargs="*", help="folders relative to --data")
    parser.add_argument("--all-anac", action="store_true", help="every folder under anac/")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--memory-gb", type=float, default=12, help="address-space cap per run")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "genius.json")
    parser.add_argument("--table", action="store_true", help="reprint the table of --out")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--semantics", default="genius", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_zopa(args.one, args.semantics)))
        return
    if args.table:
        print(markdown(json.loads(args.out.read_text())["results"]))
        return
    if args.data is None:
        parser.error("--data is required (see the module docstring)")
    import negmas_env  # bench/negmas_env.py: the shared, locked NegMAS environment

    negmas_python = negmas_env.ensure()
    if args.all_anac:
        from zopa.interop.folder import genius_files

        folders = []
        for d in sorted({p.parent for p in (args.data / "anac").rglob("*.xml")}):
            try:
                if genius_files(d):
                    folders.append(d)
            except Exception:  # a folder zopa refuses is reported by the runs themselves
                folders.append(d)
        domains = [str(d.relative_to(args.data)) for d in folders]
    else:
        domains = args.domains or LARGEST
    rows = []
    for name in domains:
        folder = args.data / name
        print(f"{name} …", file=sys.stderr, flush=True)
        repeat = 1 if name.endswith("AgentHp2") or "y2014" in name else args.repeat
        runs = measure(folder, negmas_python, repeat, args.timeout, args.memory_gb)
        rows.append({"domain": name, "runs": runs, "compare": compare(folder, runs)})
        save(args.out, {"machine": machine(), "negmas": NEGMAS_VERSION, "results": rows})
    print(markdown(rows))


def save(path: Path, document: dict[str, Any]) -> None:
    """Write the results so far (after every domain), atomically, without the point lists."""
    slim = json.loads(json.dumps(document))
    for row in slim["results"]:
        for run in row["runs"].values():
            run.pop("frontier", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(slim, indent=1))
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
