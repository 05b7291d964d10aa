"""Time NegMAS 0.16 on one GENIUS folder: load, Pareto frontier, Nash point.

Runs inside ``bench/.venv-negmas`` (made by ``genius_bench.py``), never inside
zopa's environment: NegMAS is AGPL and is only run, not imported by zopa.
Prints one JSON document.  The calls are the ones NegMAS documents:
``load_genius_domain_from_folder`` (discounts ignored, as for static analysis),
``pareto_frontier(ufuns, issues=...)`` and ``nash_points``.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main(folder: str) -> None:
    from negmas.inout import load_genius_domain_from_folder
    from negmas.outcomes import discretize_and_enumerate_issues
    from negmas.preferences.ops import nash_points, pareto_frontier

    t0 = time.perf_counter()
    scenario = load_genius_domain_from_folder(folder, ignore_discount=True)
    ufuns = list(scenario.ufuns)
    issues = list(scenario.outcome_space.issues)
    t1 = time.perf_counter()
    frontier, indices = pareto_frontier(ufuns, issues=issues)
    t2 = time.perf_counter()
    nash = nash_points(ufuns, frontier, outcome_space=scenario.outcome_space)
    t3 = time.perf_counter()
    outcomes = discretize_and_enumerate_issues(issues)  # untimed: to name the Nash outcomes
    print(
        json.dumps(
            {
                "engine": "negmas",
                "parties": [u.name for u in ufuns],
                "issues": [i.name for i in issues],
                "outcomes": int(scenario.outcome_space.cardinality),
                "load_s": t1 - t0,
                "frontier_s": t2 - t1,
                "nash_s": t3 - t2,
                "frontier_size": len(frontier),
                "frontier": [list(u) for u in frontier],
                "nash": [
                    {"utilities": list(u), "outcome": [str(v) for v in outcomes[indices[k]]]}
                    for u, k in nash
                ],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
