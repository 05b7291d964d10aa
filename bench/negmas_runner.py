"""One NegMAS 0.16 measurement; runs inside ``bench/.venv-negmas`` and never imports zopa.

    python negmas_runner.py SPEC.json

``SPEC.json`` holds the issues (names and option names), each party's weights,
per-option evaluations and reservation, and ``method``:

* ``enumerate`` — NegMAS's exact path for any number of parties:
  ``pareto_frontier(ufuns, issues=...)`` (enumerates every outcome) then
  ``nash_points``;
* ``mobanos`` — NegMAS's scalable exact path for two linear-additive parties:
  ``MOBANOSParetoSampler`` (with its size cap lifted so that it stays exact),
  the utilities of the outcomes it returns, then ``nash_points``.

Only NegMAS's public API is called.  ``nash_points`` is given the ranges
``(0, 1)`` and each ufun's ``reserved_value`` is the party's reservation, so
its disagreement point is the reservation (NegMAS would otherwise use each
party's minimum utility).  Prints one JSON document: phase times
(``compute_s`` = building the ufuns + frontier + Nash, wall clock; its CPU time
is ``compute_cpu_s``; imports excluded), the frontier's utility vectors and the
Nash points.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def build(spec: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    from negmas.outcomes import make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    issues = [make_issue(values=list(i["options"]), name=i["name"]) for i in spec["issues"]]
    ufuns = [
        LinearAdditiveUtilityFunction(
            values={name: TableFun(table) for name, table in party["values"].items()},
            weights=party["weights"],
            issues=issues,
            reserved_value=party["reservation"],
        )
        for party in spec["parties"]
    ]
    return issues, ufuns


def frontier_enumerate(ufuns: list[Any], issues: list[Any]) -> list[tuple[float, ...]]:
    from negmas.preferences import pareto_frontier

    vectors, _ = pareto_frontier(ufuns, issues=issues)
    return [tuple(float(u) for u in v) for v in vectors]


def frontier_mobanos(ufuns: list[Any]) -> list[tuple[float, ...]]:
    from negmas.preferences.pareto_sampler.mobanos import MOBANOSParetoSampler

    sampler = MOBANOSParetoSampler(max_pareto_size=10**9)  # never truncate: exact
    sampler.init(ufun=ufuns[0], opponent_ufun=ufuns[1])
    outcomes = sampler.pareto_outcomes()
    return [tuple(float(u(o)) for u in ufuns) for o in outcomes]


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    start = time.perf_counter()
    import negmas
    from negmas.preferences import nash_points

    imported, cpu = time.perf_counter(), time.process_time()
    issues, ufuns = build(spec)
    built = time.perf_counter()
    if spec["method"] == "mobanos":
        vectors = frontier_mobanos(ufuns)
    else:
        vectors = frontier_enumerate(ufuns, issues)
    found = time.perf_counter()
    ranges = [(0.0, 1.0)] * len(ufuns)
    nash = nash_points(ufuns, vectors, ranges=ranges)
    done, cpu_s = time.perf_counter(), time.process_time() - cpu
    json.dump(
        {
            "negmas": negmas.__version__,
            "method": spec["method"],
            "import_s": imported - start,
            "build_s": built - imported,
            "frontier_s": found - built,
            "nash_s": done - found,
            "compute_s": done - imported,
            "compute_cpu_s": cpu_s,
            "frontier_size": len(vectors),
            "vectors": vectors,
            "nash": [list(point) for point, _ in nash],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
