"""One zopa measurement in a fresh process (started by ``bench/run.py``).

    python bench/zopa_runner.py '{"source": "random", "parties": 2, ...}'

The spec names the scenario — ``random`` (:func:`workloads.random_scenario`)
or ``builtin`` (the built-in scenario, as of a date or at its latest draft) —
and the tasks to time, through zopa's public API:

* ``frontier`` — :func:`zopa.engine.frontier.frontier`;
* ``nash`` — :func:`zopa.engine.solutions.solve` with ``["nash"]``;
* ``blockers`` — :func:`zopa.engine.blockers.blockers`;
* ``solutions`` — :func:`zopa.engine.solutions.solve` with the concepts in
  ``spec["concepts"]`` (default all four); reports whether each is proven.

``"hypothetical": true`` sets aside every red line that takes part in a conflict,
as ``zopa analyze`` does; ``"as_of": "each-draft"`` repeats the tasks at the
date of every draft of the built-in scenario and reports the slowest date.
``"parties"`` names the frontier's parties (default: the veto parties).

zopa and its solvers (which the engine imports lazily) are imported before the
clock starts, as NegMAS is on the other side; their import time is reported
separately.  ``compute_s`` (wall) and ``compute_cpu_s`` (CPU time of the
process, less sensitive to other load on the machine) cover compiling the
:class:`~zopa.problem.Problem` and every task.  Prints one JSON document with
exact integer utilities.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

SOLVER_MODULES = (  # what the engine imports lazily on first use
    "ortools.sat.python.cp_model",
    "pysat.card",
    "pysat.pb",
    "pysat.solvers",
    "pysat.formula",
    "pysat.examples.rc2",
    "pysat.examples.hitman",
)


def load(spec: dict[str, Any]) -> Any:
    if spec["source"] == "builtin":
        from zopa.load import load_scenario

        return load_scenario(spec.get("scenario"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from workloads import random_scenario

    return random_scenario(
        spec["parties"],
        spec["issues"],
        spec["options"],
        spec["seed"],
        opposed=spec.get("opposed", False),
        reservation=spec.get("reservation", 0.0),
    )


def compile_problem(spec: dict[str, Any], scenario: Any, as_of: str | None = None) -> Any:
    from zopa.problem import Problem

    if spec["source"] == "builtin":
        date = dt.date.fromisoformat(as_of) if as_of else None
        problem, _ = Problem.for_draft(scenario, None, date)
    else:
        problem = Problem(scenario)
    if spec.get("hypothetical"):  # every red line in a conflict set aside, as analyze does
        from zopa.engine.blockers import blockers

        found = blockers(problem)
        problem = problem.without(
            sorted({c.id for conflict in found.conflicts for c in conflict.constraints})
        )
    return problem


def dates(spec: dict[str, Any], scenario: Any) -> list[str | None]:
    if spec.get("as_of") == "each-draft":
        return sorted({d.date.isoformat() for d in scenario.drafts})
    return [spec.get("as_of")]


def run_task(task: str, problem: Any, spec: dict[str, Any]) -> dict[str, Any]:
    if task == "frontier":
        from zopa.engine.frontier import frontier

        f = frontier(problem, spec.get("parties"))
        return {
            "size": len(f.vectors),
            "complete": f.complete,
            "method": f.method,
            "vectors": f.vectors.tolist(),
        }
    if task == "nash":
        from zopa.engine.solutions import solve

        s = solve(problem, ["nash"])
        if "nash" not in s.solutions:
            return {"feasible": s.feasible, "utilities": None, "optimal": False}
        nash = s.solutions["nash"]
        return {
            "feasible": s.feasible,
            "utilities": problem.utility(nash.indices),
            "optimal": nash.optimal,
        }
    if task == "solutions":
        from zopa.engine.solutions import solve

        s = solve(problem, spec.get("concepts"))
        return {
            "feasible": s.feasible,
            "optimal": {k: v.optimal for k, v in s.solutions.items()},
            "all_optimal": s.all_optimal,
            "values": {k: v.value for k, v in s.solutions.items()},
            # unproven concepts: the exact upper bound on the value, when known
            "bounds": {k: v.bound for k, v in s.solutions.items() if not v.optimal},
        }
    if task == "blockers":
        from zopa.engine.blockers import blockers

        b = blockers(problem)
        return {
            "as_of": problem.as_of.isoformat() if problem.as_of else None,
            "feasible": b.feasible,
            "conflicts": len(b.conflicts),
            "concessions": len(b.concessions),
            "complete": b.complete,
        }
    raise ValueError(f"unknown task {task!r}")


def main(spec: dict[str, Any]) -> None:
    start = time.perf_counter()
    import importlib

    import zopa.engine.blockers
    import zopa.engine.frontier
    import zopa.engine.solutions  # noqa: F401

    for name in SOLVER_MODULES:
        importlib.import_module(name)
    imported = time.perf_counter()
    scenario = load(spec)
    loaded, cpu = time.perf_counter(), time.process_time()
    out: dict[str, Any] = {"import_s": imported - start, "generate_s": loaded - imported}
    per_date = []
    for as_of in dates(spec, scenario):
        t0, c0 = time.perf_counter(), time.process_time()
        problem = compile_problem(spec, scenario, as_of)
        out["problem_s"] = time.perf_counter() - t0
        for task in spec["tasks"]:
            t = time.perf_counter()
            out[task] = run_task(task, problem, spec)
            out[f"{task}_s"] = time.perf_counter() - t
        per_date.append(
            {
                "as_of": as_of,
                "wall_s": time.perf_counter() - t0,
                "cpu_s": time.process_time() - c0,
                **{task: out[task] for task in spec["tasks"]},
            }
        )
    if len(per_date) > 1:  # the slowest date is the figure to hold against a target
        out["per_date"] = [{k: v for k, v in d.items() if k != "frontier"} for d in per_date]
        out["slowest_date_s"] = max(d["wall_s"] for d in per_date)
        out["slowest_date_cpu_s"] = max(d["cpu_s"] for d in per_date)
    out["compute_s"] = time.perf_counter() - loaded
    out["compute_cpu_s"] = time.process_time() - cpu
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
