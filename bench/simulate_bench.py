"""Time simulated negotiations on the built-in scenario (figures in docs/reference/simulation.md).

    .venv/bin/python bench/simulate_bench.py [--rounds 100] [--repeat 3]

Prints, per protocol, the median wall-clock and CPU seconds of one run (the
problem and strategies built inside the timing, module imports outside), the
number of proposals, and the milliseconds per proposal.
"""

from __future__ import annotations

import argparse
import statistics
import time

from zopa.load import load_scenario
from zopa.problem import Problem
from zopa.simulate import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scenario = load_scenario("ukraine-2025")
    for protocol in ("alternating", "single-text"):
        walls, cpus, steps = [], [], 0
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            problem, draft = Problem.for_draft(scenario)
            package = problem.package_indices(draft.package) if draft else None
            run = simulate(problem, protocol, rounds=args.rounds, draft=package)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            steps = len(run.steps)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"{protocol:12} {args.rounds} rounds: {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
            f"{steps} proposals, {1000 * cpu / max(steps, 1):5.1f} ms CPU per proposal"
        )


if __name__ == "__main__":
    main()
