"""Robustness timings: refused inputs, the largest valid inputs under --time-limit, stopping.

Every case runs ``zopa`` in a fresh process under ``/usr/bin/time``, which gives the
wall time, the CPU time (user + system) and the peak resident memory of that process.
The inputs are generated into a temporary folder; nothing is written into the repository
except ``bench/results/robust.json``.

    .venv/bin/python bench/robust_bench.py            # all cases, about 3 minutes idle
    .venv/bin/python bench/robust_bench.py --only 'refuse-*'

docs/reference/limits.md records a run and the machine's load.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ZOPA = [sys.executable, "-m", "zopa.cli"]
HERE = Path(__file__).parent
EXAMPLE = HERE.parent / "tests" / "data" / "example.yaml"

HEAD = """format: zopa/1
id: big
issues:
  - id: cap
    range: {min: 0, max: 9999, step: 1}
  - id: zone
    options: [north, south, east]
parties:
  - id: a
    weights: {cap: 2, zone: 1}
    values: {cap: {0: 0, 9999: 1}, zone: {north: 1, south: 0, east: 0.5}}
    reservation: 0.3
  - id: b
    weights: {cap: 1, zone: 1}
    values: {cap: {0: 1, 9999: 0}, zone: {north: 0, south: 1, east: 0.5}}
    reservation: 0.3
drafts:
  - {id: d, package: {cap: 5000, zone: east}}
"""


def inputs(folder: Path) -> dict[str, Path]:
    """Every generated input, by name."""
    files: dict[str, str] = {
        "nested-lists": "meta: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "nested-maps": "meta: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n",
        "nested-compact": "meta:\n" + "- " * 50_000 + "x\n",
        "nested-model": "format: zopa-gmcr/1\nmeta: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "nested-1mb": "meta: " + "[" * 500_000 + "]" * 500_000 + "\n",
        "keys-10mb": HEAD + "meta:\n" + "".join(f"  key{i:07d}: {i}\n" for i in range(480_000)),
        "error-3mb": HEAD.replace("drafts:\n  - {id: d, package: {cap: 5000, zone: east}}\n", "")
        + "meta:\n"
        + "".join(f"  k{i}: [{i}, {i + 1}, text {i}]\n" for i in range(90_000))
        + "drafts:\n  - {id: d, package: {cap: 55.5}}\n",
        "range-10k": HEAD
        + "red_lines:\n  - {id: a1, party: a, rule: cap >= 3000}\n"
        + "  - {id: b1, party: b, rule: cap <= 8000}\n",
        "categorical-10k": _categorical(),
        "or-50k": HEAD
        + 'red_lines:\n  - id: b1\n    party: b\n    rule: "'
        + " or ".join(f"cap == {i % 10_000}" for i in range(50_000))
        + '"\n',
        "parties-202": _parties(202),
    }
    out = {}
    for name, text in files.items():
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(text)
    for n in (50, 201):  # forecast: the largest bdm table with the default sensitivity; one over
        out[f"actors-{n}"] = folder / f"actors-{n}.csv"
        out[f"actors-{n}"].write_text(_actors(n))
    out["terms-1000"] = folder / "terms-1000.txt"
    out["terms-1000"].write_text("".join(f"word{i}*\n" for i in range(1_000)))
    return out


def _actors(n: int) -> str:
    rng = random.Random(5)
    rows = [
        f"a{i},{rng.randint(1, 100)},{rng.randint(0, 100)},{rng.randint(1, 100)}" for i in range(n)
    ]
    return "actor,capability,position,salience\n" + "\n".join(rows) + "\n"


def _categorical() -> str:
    options = ", ".join(f"o{i}" for i in range(10_000))
    a = ", ".join(f"o{i}: {round(i / 9999, 4)}" for i in range(10_000))
    b = ", ".join(f"o{i}: {round(1 - i / 9999, 4)}" for i in range(10_000))
    return f"""format: zopa/1
id: cat
issues:
  - {{id: pick, options: [{options}]}}
  - {{id: zone, options: [north, south, east]}}
parties:
  - {{id: a, weights: {{pick: 2, zone: 1}}, reservation: 0.3,
     values: {{pick: {{{a}}}, zone: {{north: 1, south: 0, east: 0.5}}}}}}
  - {{id: b, weights: {{pick: 1, zone: 1}}, reservation: 0.3,
     values: {{pick: {{{b}}}, zone: {{north: 0, south: 1, east: 0.5}}}}}}
red_lines:
  - {{id: a1, party: a, rule: "pick in [o1, o2, o3, o5000, o9000]"}}
drafts:
  - {{id: d, package: {{pick: o5000, zone: east}}}}
"""


def _parties(n: int) -> str:
    rng = random.Random(3)
    issues = [f"i{k}" for k in range(6)]
    options = [f"o{j}" for j in range(5)]
    lines = ["format: zopa/1", "id: many", "issues:"]
    lines += [f"  - {{id: {i}, options: [{', '.join(options)}]}}" for i in issues]
    lines.append("parties:")
    for p in range(n):
        weights = ", ".join(f"{i}: {rng.randint(0, 3)}" for i in issues)
        lines += [f"  - id: p{p}", f"    reservation: {rng.choice([0, 0.2, 0.3])}"]
        lines += [f"    weights: {{{weights}}}", "    values:"]
        for i in issues:
            values = ", ".join(f"{o}: {rng.randint(0, 10) / 10}" for o in options)
            lines.append(f"      {i}: {{{values}}}")
    lines.append("red_lines:")
    for r in range(30):
        rule = f"{rng.choice(issues)} != {rng.choice(options)}"
        lines.append(f"  - {{id: r{r}, party: p{rng.randint(0, n - 1)}, rule: '{rule}'}}")
    lines.append("drafts:")
    lines.append("  - {id: d, package: {" + ", ".join(f"{i}: o0" for i in issues) + "}}")
    return "\n".join(lines) + "\n"


def measure(
    args: list[str], stop_after: float | None = None, program: list[str] = ZOPA
) -> dict[str, float | int]:
    """Wall, CPU and peak memory of one zopa process (optionally stopped with SIGTERM)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        command = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name, *program, *args]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        stopped, zopa_left = None, []
        if stop_after is not None:
            time.sleep(stop_after)
            stopped = time.monotonic()
            zopa = _children(proc.pid)
            zopa_left = _descendants(proc.pid)
            for pid in zopa[:1]:
                os.kill(pid, signal.SIGTERM)
        output, _ = proc.communicate()
        code = proc.returncode
        end = time.monotonic()
        fields = re.findall(r"[0-9.]+", Path(report.name).read_text().splitlines()[-1])
    wall, user, system, peak = (float(x) for x in fields[-4:])
    row: dict[str, float | int] = {
        "exit": code,
        "wall_s": round(wall, 2),
        "cpu_s": round(user + system, 2),
        "peak_mb": round(peak / 1024, 1),
    }
    if stopped is not None:
        row["stop_s"] = round(end - stopped, 2)
        time.sleep(0.5)
        row["left_behind"] = sum(_alive(pid) for pid in zopa_left)
    if program is not ZOPA:  # the web case prints its request's own figures
        row.update(json.loads(output.decode().splitlines()[-1]))
    return row


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        found = _children(todo.pop())
        out += found
        todo += found
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# One request to the web app's /api/validate (in this process, through Starlette's test
# client): its wall and CPU seconds; /usr/bin/time adds the process's peak memory.
WEB = """
import json, sys, time, tempfile, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from zopa.web.app import Settings, create_app
text = Path(sys.argv[1]).read_text()
app = create_app(Settings(workspace=Path(tempfile.mkdtemp()) / "ws"))
with TestClient(app, base_url="http://127.0.0.1") as client:
    client.get("/api/health")
    wall, cpu = time.perf_counter(), time.process_time()
    answer = client.post("/api/validate", json={"text": text})
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"status": answer.status_code, "valid": answer.json().get("valid"),
                  "request_wall_s": round(wall, 3), "request_cpu_s": round(cpu, 3)}))
"""


def cases(files: dict[str, Path]) -> dict[str, Callable[[], dict[str, float | int]]]:
    limit = ["--time-limit", "5"]
    table: dict[str, Callable[[], dict[str, float | int]]] = {}
    for name in ("nested-lists", "nested-maps", "nested-compact", "nested-model", "nested-1mb"):
        table[f"refuse-{name}"] = lambda n=name: measure(["check", str(files[n])])
    for name in ("nested-lists", "nested-1mb"):
        table[f"web-refuse-{name}"] = lambda n=name: measure(
            [str(files[n])], program=[sys.executable, "-c", WEB]
        )
    table["refuse-dev-zero"] = lambda: measure(["check", "/dev/zero"])
    table["refuse-keys-10mb"] = lambda: measure(["check", str(files["keys-10mb"])])
    table["refuse-error-3mb"] = lambda: measure(["check", str(files["error-3mb"])])
    table["check-builtin"] = lambda: measure(["check", "ukraine-2025"])
    table["refuse-actors-201"] = lambda: measure(["forecast", "--actors", str(files["actors-201"])])
    table["forecast-bdm-50-actors"] = lambda: measure(
        ["forecast", "--actors", str(files["actors-50"]), "--model", "bdm"]
    )
    table["audit-builtin-1000-terms"] = lambda: measure(
        ["audit", "--terms", str(files["terms-1000"])]
    )
    for name in ("range-10k", "categorical-10k", "or-50k", "parties-202"):
        table[f"analyze-{name}"] = lambda n=name: measure(["analyze", str(files[n]), *limit])
    table["analyze-builtin"] = lambda: measure(["analyze", *limit])
    table["report-builtin"] = lambda: measure(
        ["report", "-o", str(files["range-10k"].parent / "r.html"), "--force", *limit]
    )
    table["simulate-1000-rounds"] = lambda: measure(
        ["simulate", str(EXAMPLE), "--rounds", "1000", "--json"]
    )
    table["simulate-builtin-1000-rounds"] = lambda: measure(["simulate", "--rounds", "1000"])
    table["montecarlo-10k-serial"] = lambda: measure(["montecarlo", "-n", "10000", "--seed", "1"])
    table["stop-montecarlo-processes"] = lambda: measure(
        ["montecarlo", "-n", "200000", "--processes", "2"], stop_after=8
    )
    table["stop-montecarlo-dask"] = lambda: measure(
        ["montecarlo", "-n", "200000", "--workers", "2"], stop_after=12
    )
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="a case name or glob (repeatable)")
    parser.add_argument("--out", default=str(HERE / "results" / "robust.json"))
    options = parser.parse_args()
    if shutil.which("/usr/bin/time") is None:
        print("needs /usr/bin/time (Debian: apt-get install time)", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="zopa-robust-"))
    try:
        table = cases(inputs(folder))
        chosen = [
            name
            for name in table
            if not options.only or any(fnmatch.fnmatch(name, g) for g in options.only)
        ]
        rows = {}
        for name in chosen:
            load = os.getloadavg()[0]
            rows[name] = {**table[name](), "load": round(load, 1)}
            rows[name]["load_after"] = round(os.getloadavg()[0], 1)
            print(f"{name:28} {json.dumps(rows[name])}", flush=True)
        out = Path(options.out)
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"cpus": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
