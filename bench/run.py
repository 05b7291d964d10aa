"""Benchmarks of zopa's exact engine, side by side with NegMAS 0.16 in the same run.

    python bench/run.py                      # everything (NegMAS rows take ~15 min)
    python bench/run.py --only '2p-*' --skip-negmas --repeat 5
    python bench/run.py --table              # print the results table of --out

Every measurement runs in a fresh process (``bench/zopa_runner.py`` in this
environment, ``bench/negmas_runner.py`` in ``bench/.venv-negmas``) under
``/usr/bin/time -v``, so that wall time and peak resident memory are those of
one process.  zopa runs are repeated and the median is reported; NegMAS runs
once (its large rows take minutes and gigabytes).  Both runners time their
computation with their libraries already imported; the cold ``zopa analyze``
row measures the whole process, imports included.

For every row NegMAS can answer, zopa's frontier and Nash point are compared
with NegMAS's in the same run: frontiers as sets of utility vectors rounded to
6 decimals (zopa's utilities are exact on a 10⁻⁹ grid, NegMAS's are floats), Nash
points within 10⁻⁶.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ZOPA_RUNNER = HERE / "zopa_runner.py"
NEGMAS_RUNNER = HERE / "negmas_runner.py"
BIN = Path(sys.executable).parent
SCALE = 720_720_000  # zopa.problem.SCALE (the runner reports raw integers)
SLOW = 60.0  # seconds: a zopa run slower than this is not repeated

# ----------------------------------------------------------------------------- workloads


@dataclass(frozen=True)
class Workload:
    name: str
    group: str  # "target", "equality", "scale" or "builtin"
    title: str
    spec: dict[str, Any]  # for bench/zopa_runner.py, without the seed
    seeds: tuple[int, ...] = (1,)
    target_s: float | None = None
    target_mb: float | None = None
    negmas: str | None = None  # "enumerate" or "mobanos" (see bench/negmas_runner.py)
    negmas_seeds: tuple[int, ...] = ()  # default: every seed
    negmas_note: str = ""  # why NegMAS is not run
    references: dict[str, Any] = field(default_factory=dict)  # measured earlier, same machine


def _random(parties: int, issues: int, options: int, tasks: list[str], **kw: Any) -> dict:
    return {
        "source": "random",
        "parties": parties,
        "issues": issues,
        "options": options,
        "tasks": tasks,
        **kw,
    }


FN = ["frontier", "nash"]
NO_ENUMERATION = "{:.1e} outcomes cannot be enumerated; NegMAS's exact samplers are 2-party only"
NO_RED_LINES = (
    "NegMAS has no red lines or reservations of third parties; its enumeration of the "
    "2.0e16 packages is out of reach"
)

WORKLOADS = [
    Workload(
        "2p-12x4",
        "target",
        "2 parties, 12 × 4 (16.8 M outcomes): frontier + Nash",
        _random(2, 12, 4, FN),
        seeds=(1, 2, 3),
        target_s=0.5,
        target_mb=300,
        negmas="enumerate",
        negmas_seeds=(1,),
        references={"negmas_s": 87.5, "negmas_mb": 6510},
    ),
    Workload(
        "3p-12x4",
        "target",
        "3 parties, 12 × 4 (16.8 M outcomes): frontier + Nash",
        _random(3, 12, 4, FN),
        seeds=(1, 2, 3),
        target_s=2.0,
        negmas="enumerate",
        negmas_seeds=(1,),
        references={"negmas_s": 123.2, "negmas_mb": 7440},
    ),
    Workload(
        "2p-30x10-opposed",
        "target",
        "2 parties, 30 × 10 opposed (10³⁰ outcomes): exact frontier",
        _random(2, 30, 10, ["frontier"], opposed=True),
        seeds=(1, 2, 3),
        target_s=10.0,
        negmas="mobanos",
        negmas_seeds=(1,),
        references={"negmas": "no answer in 300 s (MOBANOS)"},
    ),
    Workload(
        "3p-30x5-nash",
        "target",
        "3 parties, 30 × 5 (9.3·10²⁰ outcomes): proven Nash optimum",
        _random(3, 30, 5, ["nash"]),
        seeds=(1, 2, 3),
        target_s=1.0,
        negmas_note=NO_ENUMERATION.format(5.0**30),
    ),
    Workload(
        "3p-30x5-nash-r0.4",
        "target",
        "3 parties, 30 × 5, reservations 0.4: proven Nash optimum",
        _random(3, 30, 5, ["nash"], reservation=0.4),
        seeds=(1, 2, 3),
        target_s=1.0,
        negmas_note=NO_ENUMERATION.format(5.0**30),
    ),
    Workload(
        "builtin-blockers-2025-11-26",
        "builtin",
        "built-in scenario as of 2025-11-26: all conflicts and concessions",
        {"source": "builtin", "as_of": "2025-11-26", "tasks": ["blockers"]},
        target_s=0.2,
        negmas_note="NegMAS has no red lines or conflict analysis",
    ),
    Workload(
        "builtin-blockers-latest",
        "builtin",
        "built-in scenario at its latest draft: all conflicts and concessions",
        {"source": "builtin", "as_of": None, "tasks": ["blockers"]},
        target_s=0.2,
        negmas_note="NegMAS has no red lines or conflict analysis",
    ),
    Workload(
        "cli-analyze-cold",
        "builtin",
        "`zopa analyze` (built-in scenario) as a cold process, imports included",
        {"source": "cli", "argv": ["analyze"]},
        target_s=1.5,
        negmas_note="not comparable",
    ),
    # issue 14: the built-in negotiation with every conflicting red line set aside
    *[
        Workload(
            f"builtin-hyp-frontier-{tag}{suffix}",
            "builtin-hypothetical",
            f"built-in, conflicting red lines set aside, {when}: exact frontier of {who}",
            {
                "source": "builtin",
                "hypothetical": True,
                "as_of": as_of,
                "parties": parties,
                "tasks": ["frontier"],
            },
            target_s=2.0 if parties else 5.0,
            negmas_note=NO_RED_LINES,
        )
        for tag, who, parties in (
            ("ua-ru", "Ukraine and Russia", ["ukraine", "russia"]),
            ("ua-eu", "Ukraine and the European states", ["ukraine", "europe"]),
            ("ru-eu", "Russia and the European states", ["russia", "europe"]),
            ("veto", "all three veto parties", None),
        )
        for suffix, when, as_of in (
            ("", "latest draft", None),
            ("-each-draft", "every draft date (slowest date)", "each-draft"),
        )
    ],
    *[
        Workload(
            f"builtin-hyp-solutions{suffix}",
            "builtin-hypothetical",
            f"built-in, conflicting red lines set aside, {when}: all four solutions proven",
            {"source": "builtin", "hypothetical": True, "as_of": as_of, "tasks": ["solutions"]},
            target_s=2.0,
            negmas_note=NO_RED_LINES,
        )
        for suffix, when, as_of in (
            ("", "latest draft", None),
            ("-each-draft", "every draft date (slowest date)", "each-draft"),
        )
    ],
    # issue 14: proven Nash, egalitarian and Kalai–Smorodinsky with many parties
    *[
        Workload(
            f"{n}p-{i}x{o}-bargaining{'-r0.4' if r else ''}",
            "many-parties",
            f"{n} parties, {i} × {o}{', reservations 0.4' if r else ''}: "
            "proven Nash, egalitarian and Kalai–Smorodinsky",
            _random(
                n,
                i,
                o,
                ["solutions"],
                reservation=r,
                concepts=["nash", "egalitarian", "kalai_smorodinsky"],
            ),
            seeds=(1, 2, 3),
            target_s=target,
            target_mb=1024,
            negmas_note=NO_ENUMERATION.format(float(o) ** i),
        )
        for n, i, o, target in ((3, 100, 5, 0.5), (5, 100, 5, 1.0), (8, 200, 5, 5.0))
        for r in (0.0, 0.4)
    ],
    # equality checks against NegMAS on cheap sizes, several seeds
    Workload(
        "2p-8x5",
        "equality",
        "2 parties, 8 × 5 (390,625 outcomes): frontier + Nash",
        _random(2, 8, 5, FN),
        seeds=(1, 2, 3),
        negmas="enumerate",
    ),
    Workload(
        "2p-10x4-opposed",
        "equality",
        "2 parties, 10 × 4 opposed (1 M outcomes): frontier + Nash",
        _random(2, 10, 4, FN, opposed=True),
        seeds=(1, 2, 3),
        negmas="enumerate",
    ),
    Workload(
        "3p-8x5",
        "equality",
        "3 parties, 8 × 5 (390,625 outcomes): frontier + Nash",
        _random(3, 8, 5, FN),
        seeds=(1, 2, 3),
        negmas="enumerate",
    ),
    Workload(
        "2p-30x10",
        "equality",
        "2 parties, 30 × 10 (10³⁰ outcomes): frontier + Nash",
        _random(2, 30, 10, FN),
        seeds=(1, 2, 3),
        negmas="mobanos",
    ),
    Workload(
        "2p-20x10-opposed",
        "equality",
        "2 parties, 20 × 10 opposed (10²⁰ outcomes): frontier + Nash",
        _random(2, 20, 10, FN, opposed=True),
        seeds=(1,),
        negmas="mobanos",
        references={"negmas_s": 48.2},
    ),
    # headroom beyond NegMAS's reach
    Workload(
        "2p-50x10-opposed",
        "scale",
        "2 parties, 50 × 10 opposed (10⁵⁰ outcomes): exact frontier",
        _random(2, 50, 10, ["frontier"], opposed=True),
        negmas="mobanos",
    ),
    Workload(
        "3p-100x5-nash",
        "scale",
        "3 parties, 100 × 5 (7.9·10⁶⁹ outcomes): proven Nash optimum",
        _random(3, 100, 5, ["nash"]),
        negmas_note=NO_ENUMERATION.format(5.0**100),
    ),
    Workload(
        "5p-100x5-nash",
        "scale",
        "5 parties, 100 × 5: proven Nash optimum",
        _random(5, 100, 5, ["nash"]),
        negmas_note=NO_ENUMERATION.format(5.0**100),
    ),
    Workload(
        "8p-200x5-nash",
        "scale",
        "8 parties, 200 × 5 (6.2·10¹³⁹ outcomes): proven Nash optimum",
        _random(8, 200, 5, ["nash"]),
        negmas_note=NO_ENUMERATION.format(5.0**200),
    ),
]

# ----------------------------------------------------------------------------- processes


@functools.cache
def _time_command() -> list[str] | None:
    """``/usr/bin/time -v``, installing Debian's ``time`` package if allowed."""
    if not Path("/usr/bin/time").exists() and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "time"], capture_output=True)
    return ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else None


# Fallback when /usr/bin/time is missing: a wrapper whose only child is the
# measured process, so RUSAGE_CHILDREN's peak is that process's peak.
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[2:]).returncode\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(f'User time (seconds): {r.ru_utime}\\n'\n"
    "    f'System time (seconds): {r.ru_stime}\\n'\n"
    "    f'Maximum resident set size (kbytes): {r.ru_maxrss}\\n')\n"
    "sys.exit(rc)\n"
)


@dataclass
class Measured:
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    wall_s: float
    peak_mb: float | None
    cpu_s: float | None  # user + system time of the process


def measure(command: list[str], timeout: float) -> Measured:
    """Run ``command`` in a fresh process; its wall time, CPU time and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as report:
        path = report.name
    timer = _time_command()
    wrapped = (
        [*timer, "-o", path, *command]
        if timer
        else [sys.executable, "-c", RSS_WRAPPER, path, *command]
    )
    start = time.perf_counter()
    proc = subprocess.Popen(
        wrapped,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a timeout kills the whole group
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
        code = None
    wall = time.perf_counter() - start
    text = Path(path).read_text(errors="replace")
    Path(path).unlink(missing_ok=True)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    peak = int(found.group(1)) / 1024 if found and code is not None else None
    times = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text)
    cpu = sum(float(t) for t in times) if len(times) == 2 else None
    return Measured(code, out, err, wall, peak, cpu)


def _failure(m: Measured, timeout: float) -> str | None:
    if m.returncode is None:
        return f"no answer in {timeout:g} s"
    if m.returncode != 0:
        last = (m.stderr.strip().splitlines() or ["no message"])[-1]
        return f"exit {m.returncode}: {last[:200]}"
    return None


# ----------------------------------------------------------------------------- zopa side


def run_zopa(spec: dict[str, Any], repeat: int, timeout: float) -> dict[str, Any]:
    """Median of ``repeat`` fresh-process runs (one if the first is slow)."""
    runs: list[dict[str, Any]] = []
    for _ in range(repeat):
        m = measure([sys.executable, str(ZOPA_RUNNER), json.dumps(spec)], timeout)
        failed = _failure(m, timeout)
        if failed:
            return {"status": failed, "runs": len(runs)}
        result = json.loads(m.stdout)
        result["wall_s"], result["peak_mb"] = m.wall_s, m.peak_mb
        runs.append(result)
        if result["compute_s"] > SLOW:
            break
    summary = {
        key: statistics.median(r[key] for r in runs)
        for key in runs[0]
        if key.endswith("_s") or key == "peak_mb"
    }
    last = runs[-1]
    keys = ("frontier", "nash", "blockers", "solutions", "per_date")
    summary.update({k: last[k] for k in keys if k in last})
    if "frontier" in summary:  # the size and the verdict; the vectors only for comparisons
        summary["frontier"] = {
            k: v for k, v in summary["frontier"].items() if k != "vectors" or len(v) <= 20_000
        }
    summary.update(status="ok", runs=len(runs), compute_all_s=[r["compute_s"] for r in runs])
    return summary


def run_cli(argv: list[str], repeat: int, timeout: float) -> dict[str, Any]:
    """``zopa …`` as a cold process: median wall time, and what its imports cost."""
    zopa = str(BIN / "zopa")
    walls, cpus, peaks, codes = [], [], [], []
    for _ in range(repeat):
        m = measure([zopa, *argv], timeout)
        if m.returncode is None:
            return {"status": f"no answer in {timeout:g} s", "runs": len(walls)}
        walls.append(m.wall_s)
        cpus.append(m.cpu_s)
        peaks.append(m.peak_mb)
        codes.append(m.returncode)
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", zopa, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    imports = _import_costs(probe.stderr)
    return {
        "status": "ok" if all(c in (0, 3) for c in codes) else f"exit codes {codes}",
        "runs": len(walls),
        "compute_s": statistics.median(walls),
        "compute_cpu_s": statistics.median(c for c in cpus if c is not None) if any(cpus) else None,
        "wall_s": statistics.median(walls),
        "compute_all_s": walls,
        "peak_mb": statistics.median(p for p in peaks if p is not None) if any(peaks) else None,
        "exit_codes": codes,
        "imports": imports,
    }


def _import_costs(stderr: str) -> dict[str, Any]:
    """Total import time and the top packages by self time (``-X importtime``)."""
    by_package: dict[str, int] = {}
    total = 0
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|(\s*)(\S+)", line)
        if not found:
            continue
        self_us = int(found.group(1))
        total += self_us
        root = found.group(3).split(".")[0]
        by_package[root] = by_package.get(root, 0) + self_us
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:10]
    return {"total_s": total / 1e6, "top": [[name, us / 1e6] for name, us in top]}


# ----------------------------------------------------------------------------- NegMAS side


def negmas_spec(scenario: Any, method: str) -> dict[str, Any]:
    """The numbers the scenario gives (weights normalised to sum 1), for NegMAS."""
    issues = [{"name": i.id, "options": [o.id for o in i.options]} for i in scenario.issues]
    parties = []
    for p in scenario.parties:
        mass = sum(float(w) for w in p.weights.values())
        parties.append(
            {
                "name": p.id,
                "reservation": float(p.reservation),
                "weights": {i: float(w) / mass for i, w in p.weights.items()},
                "values": {i: {o: float(v) for o, v in t.items()} for i, t in p.values.items()},
            }
        )
    return {"method": method, "issues": issues, "parties": parties}


def run_negmas(python: Path, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    try:
        m = measure([str(python), str(NEGMAS_RUNNER), f.name], timeout)
    finally:
        Path(f.name).unlink(missing_ok=True)
    failed = _failure(m, timeout)
    if failed:
        return {"status": failed, "method": spec["method"], "wall_s": m.wall_s}
    result = json.loads(m.stdout)
    result.update(status="ok", wall_s=m.wall_s, peak_mb=m.peak_mb)
    return result


# ----------------------------------------------------------------------------- comparison


def compare_frontiers(zopa: list[list[int]], negmas: list[list[float]]) -> dict[str, Any]:
    """Equal as sets of vectors rounded to 6 decimals (else matched within 1e-6)?"""
    z = np.asarray(zopa, dtype=np.float64) / SCALE
    n = np.asarray(negmas, dtype=np.float64).reshape(-1, z.shape[1] if z.ndim == 2 else 1)
    zs = {tuple(v) for v in np.round(z, 6).tolist()}
    ns = {tuple(v) for v in np.round(n, 6).tolist()}
    out: dict[str, Any] = {
        "zopa_points": len(z),
        "negmas_points": len(n),
        "negmas_distinct": len(ns),
    }
    if zs == ns:
        return {**out, "verdict": "identical"}
    only_z = [v for v in z if not _near(v, n)]
    only_n = [v for v in n if not _near(v, z)]
    if not only_z and not only_n:
        return {**out, "verdict": "identical within 1e-6 (rounding-boundary cases only)"}
    return {
        **out,
        "verdict": f"differ: {len(only_z)} only in zopa, {len(only_n)} only in NegMAS",
        "only_zopa": [list(map(float, v)) for v in only_z[:5]],
        "only_negmas": [list(map(float, v)) for v in only_n[:5]],
    }


def _near(v: np.ndarray, others: np.ndarray, tol: float = 1e-6) -> bool:
    return bool(len(others)) and bool((np.abs(others - v).max(axis=1) <= tol).any())


def compare_nash(zopa: list[int] | None, negmas: list[list[float]]) -> dict[str, Any]:
    if zopa is None or not negmas:
        return {"verdict": "differ: one side found none"}
    z = np.asarray(zopa, dtype=np.float64) / SCALE
    n = np.asarray(negmas, dtype=np.float64)
    gap = float(np.abs(n - z).max(axis=1).min())
    verdict = "identical" if gap <= 1e-6 else f"differ by {gap:.2e}"
    return {
        "verdict": verdict,
        "zopa": z.round(9).tolist(),
        "negmas": n.round(9).tolist(),
        "max_abs_difference": gap,
    }


# ----------------------------------------------------------------------------- orchestration


def machine() -> dict[str, Any]:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")),
        platform.processor(),
    )
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    versions = {}
    for name in ("zopa", "numpy", "ortools", "python-sat", "pindakaas", "highspy", "pydantic"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem.group(1)) / 2**20, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "timer": "/usr/bin/time -v" if _time_command() else "RUSAGE_CHILDREN wrapper",
    }


def wait_until_idle(max_load: float, max_wait: float) -> None:
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] >= max_load and time.monotonic() < deadline:
        print(f"load {os.getloadavg()[0]:.2f} ≥ {max_load}: waiting 60 s", file=sys.stderr)
        time.sleep(60)


def run_workload(w: Workload, args: argparse.Namespace, negmas_python: Path | None) -> list[dict]:
    rows = []
    for seed in w.seeds:
        row: dict[str, Any] = {
            "workload": w.name,
            "group": w.group,
            "title": w.title,
            "seed": seed if w.spec["source"] == "random" else None,
            "target_s": w.target_s,
            "target_mb": w.target_mb,
            "references": w.references,
        }
        print(f"· {w.name}" + (f" seed {seed}" if row["seed"] else ""), file=sys.stderr)
        if w.spec["source"] == "cli":
            row["zopa"] = run_cli(w.spec["argv"], max(args.repeat, 5), args.zopa_timeout)
        else:
            spec = {**w.spec, "seed": seed}
            row["zopa"] = run_zopa(spec, args.repeat, args.zopa_timeout)
        row["negmas"] = _negmas_row(w, seed, args, negmas_python)
        _compare(row)
        _verdict(row)
        rows.append(row)
        print(f"  {_brief(row)}", file=sys.stderr)
    return rows


def _negmas_row(
    w: Workload, seed: int, args: argparse.Namespace, python: Path | None
) -> dict[str, Any]:
    if w.negmas is None:
        return {"status": "not run", "reason": w.negmas_note}
    if python is None:
        return {"status": "skipped (--skip-negmas)"}
    if w.negmas_seeds and seed not in w.negmas_seeds:
        return {"status": "skipped (one seed only: slow)"}
    sys.path.insert(0, str(HERE))
    from workloads import random_scenario

    s = w.spec
    scenario = random_scenario(
        s["parties"],
        s["issues"],
        s["options"],
        seed,
        opposed=s.get("opposed", False),
        reservation=s.get("reservation", 0.0),
    )
    return run_negmas(python, negmas_spec(scenario, w.negmas), args.timeout)


def _compare(row: dict[str, Any]) -> None:
    z, n = row["zopa"], row["negmas"]
    if z.get("status") != "ok" or n.get("status") != "ok":
        for side in (z, n):  # keep the JSON small
            if isinstance(side.get("frontier"), dict):
                side["frontier"].pop("vectors", None)
        n.pop("vectors", None)
        return
    checks: dict[str, Any] = {}
    if "frontier" in z:
        checks["frontier"] = compare_frontiers(z["frontier"]["vectors"], n["vectors"])
    if "nash" in z:
        checks["nash"] = compare_nash(z["nash"]["utilities"], n["nash"])
    row["comparison"] = checks
    row["identical"] = all(c["verdict"].startswith("identical") for c in checks.values())
    row["ratio"] = n["compute_s"] / z["compute_s"] if z["compute_s"] else None
    if z.get("peak_mb") and n.get("peak_mb"):
        row["memory_ratio"] = n["peak_mb"] / z["peak_mb"]
    if "frontier" in z:
        z["frontier"].pop("vectors", None)
    n.pop("vectors", None)


def _verdict(row: dict[str, Any]) -> None:
    z = row["zopa"]
    if row["target_s"] is None:
        return
    # a row over every draft date is held against the target at its slowest date
    seconds = z.get("slowest_date_s", z.get("compute_s"))
    ok = z.get("status") == "ok" and seconds <= row["target_s"]
    if row["target_mb"] is not None:
        ok = ok and z.get("peak_mb") is not None and z["peak_mb"] <= row["target_mb"]
    if "nash" in z:
        ok = ok and bool(z["nash"]["optimal"])
    if "frontier" in z:
        ok = ok and bool(z["frontier"]["complete"])
    if "solutions" in z:
        ok = ok and bool(z["solutions"]["all_optimal"])
    for date in z.get("per_date", []):
        ok = ok and all(
            bool(date[t].get("complete", date[t].get("all_optimal", True)))
            for t in ("frontier", "solutions")
            if t in date
        )
    row["meets_target"] = ok


def _brief(row: dict[str, Any]) -> str:
    z, n = row["zopa"], row["negmas"]
    parts = [
        f"zopa {z['compute_s']:.3f} s, {z['peak_mb']:.0f} MB"
        if z.get("status") == "ok" and z.get("peak_mb")
        else f"zopa {z.get('status')}"
    ]
    if n.get("status") == "ok":
        parts.append(f"NegMAS {n['compute_s']:.2f} s, {n['peak_mb']:.0f} MB")
    elif n.get("status") != "not run":
        parts.append(f"NegMAS {n.get('status')}")
    if "identical" in row:
        parts.append("identical" if row["identical"] else "DIFFERENT")
    if "meets_target" in row:
        parts.append("target met" if row["meets_target"] else "TARGET MISSED")
    return "; ".join(parts)


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


# ----------------------------------------------------------------------------- table


def _seconds(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def table(document: dict[str, Any]) -> str:
    """The README's results table."""
    head = (
        "| Workload | Seed | zopa time (s) | zopa CPU (s) | zopa peak (MB) | NegMAS time (s)"
        " | NegMAS peak (MB) | Ratio | Same answer | Target | Met |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    notes: dict[str, str] = {}  # why NegMAS was not run, by workload
    for r in document["results"]:
        z, n = r["zopa"], r["negmas"]
        zt = _seconds(z["compute_s"]) if z.get("status") == "ok" else z.get("status")
        zc = _seconds(z.get("compute_cpu_s"))
        zm = f"{z['peak_mb']:.0f}" if z.get("peak_mb") else "–"
        if n.get("status") == "ok":
            nt, nm = _seconds(n["compute_s"]), f"{n['peak_mb']:.0f}"
            nt += " (MOBANOS)" if n.get("method") == "mobanos" else ""
        elif n.get("status") == "not run":
            notes[r["workload"]] = n.get("reason", "")
            nt, nm = "n/a", "–"
        else:
            nt, nm = n.get("status", "–"), "–"
        ratio = f"{r['ratio']:,.0f}×" if r.get("ratio") else "–"
        same = "–"
        if "comparison" in r:
            same = "; ".join(
                f"{k}: {c['verdict']}"
                + (f" ({c['zopa_points']} points)" if k == "frontier" else "")
                for k, c in r["comparison"].items()
            )
        target = "–"
        if r.get("target_s") is not None:
            target = f"≤ {r['target_s']:g} s" + (
                f", ≤ {r['target_mb']:g} MB" if r.get("target_mb") else ""
            )
        met = {True: "yes", False: "**no**"}.get(r.get("meets_target"), "–")
        seed = str(r["seed"]) if r["seed"] is not None else "–"
        lines.append(
            f"| {r['workload']} | {seed} | {zt} | {zc} | {zm} | {nt} | {nm} | {ratio} | {same}"
            f" | {target} | {met} |"
        )
    if notes:
        lines.append("\nNegMAS n/a:\n")
        lines.extend(f"- {name}: {why}" for name, why in notes.items())
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", metavar="NAME", help="workload name or glob")
    ap.add_argument("--skip-negmas", action="store_true", help="run zopa only")
    ap.add_argument("--repeat", type=int, default=3, help="zopa runs per row (median)")
    ap.add_argument("--timeout", type=float, default=300.0, help="NegMAS time limit per run (s)")
    ap.add_argument("--zopa-timeout", type=float, default=120.0, help="zopa limit per run (s)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    ap.add_argument("--wait-idle", type=float, metavar="LOAD", help="wait for a 1-min load below")
    ap.add_argument("--update", action="store_true", help="replace only the chosen rows in --out")
    ap.add_argument("--table", action="store_true", help="print the table of --out and stop")
    args = ap.parse_args(argv)
    if args.table:
        print(table(json.loads(args.out.read_text())))
        return 0
    chosen = [
        w for w in WORKLOADS if not args.only or any(fnmatch.fnmatch(w.name, p) for p in args.only)
    ]
    if not chosen:
        ap.error(f"no workload matches {args.only}; known: {', '.join(w.name for w in WORKLOADS)}")
    negmas_python = None
    if not args.skip_negmas and any(w.negmas for w in chosen):
        from negmas_env import ensure

        negmas_python = ensure()
    if args.wait_idle:
        wait_until_idle(args.wait_idle, 30 * 60)
    this_run = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_start": os.getloadavg(),
        "settings": {
            "repeat": args.repeat,
            "negmas_timeout_s": args.timeout,
            "zopa_timeout_s": args.zopa_timeout,
            "only": args.only,
        },
    }
    if args.update and args.out.exists():  # replace only the chosen rows
        document = json.loads(args.out.read_text())
        names = {w.name for w in chosen}
        document["results"] = [r for r in document["results"] if r["workload"] not in names]
        document.setdefault("updates", []).append(this_run)
    else:
        document = {"machine": machine(), **this_run, "results": []}
    order = {w.name: k for k, w in enumerate(WORKLOADS)}
    for w in chosen:
        document["results"].extend(run_workload(w, args, negmas_python))
        document["results"].sort(key=lambda r: order.get(r["workload"], len(order)))
        write_json(args.out, document)  # keep partial results of a long run
    this_run["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    this_run["load_end"] = os.getloadavg()
    if not args.update:
        document.update(this_run)
    negmas_versions = {r["negmas"].get("negmas") for r in document["results"]} - {None}
    if negmas_versions:
        document["machine"]["packages"]["negmas"] = ", ".join(sorted(negmas_versions))
    write_json(args.out, document)
    print(table(document))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
