"""Time simulated negotiations and tournaments (results: bench/README.md, "Simulation").

    .venv/bin/python bench/simulate_bench.py [--rounds 100] [--repeat 3]
        [--tournament-rounds 30] [--strategies boulware,linear,conceder]
        [--built-in-rounds 10] [--built-in-strategies boulware,linear] [--processes 1,2]

Prints, per protocol, the median wall-clock and CPU seconds of one run on the
built-in scenario ``ukraine-2025`` (the problem and strategies built inside the
timing, module imports outside), the number of proposals, and the
milliseconds per proposal.  Then times ``zopa tournament`` as the command runs
it (:func:`zopa.simulate.tournament.tournament` on the executor of
``--processes N``: this process for 1, a spawned process pool otherwise,
pool start-up included) on the how-to's three-issue scenario
(``docs/how-to/simulate-talks.yaml``) and on ``ukraine-2025``, with the CPU
seconds of this process and of its finished children.  ``--skip-built-in-tournament``
leaves out the (slow) tournament on the built-in scenario.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

from zopa.load import load_scenario
from zopa.problem import Problem
from zopa.simulate import simulate
from zopa.simulate import tournament as tm
from zopa.simulate.spec import split_specs
from zopa.uncertainty import executors

HOW_TO = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "simulate-talks.yaml"


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (a spawned pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def runs(args: argparse.Namespace) -> None:
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
            f"{steps} proposals, {1000 * cpu / max(steps, 1):5.1f} ms CPU per proposal",
            flush=True,
        )


def tournaments(args: argparse.Namespace) -> None:
    targets = [
        ("how-to", load_scenario(HOW_TO), args.strategies, args.tournament_rounds),
    ]
    if not args.skip_built_in_tournament:
        targets.append(
            (
                "ukraine-2025",
                load_scenario("ukraine-2025"),
                args.built_in_strategies,
                args.built_in_rounds,
            )
        )
    for label, scenario, names, rounds in targets:
        entrants = tuple(split_specs(names))
        job = tm.Job(
            (tm.Entry(scenario, None, None),), entrants, "alternating", rounds, 1, 0, 1.0, ()
        )
        total = len(job.runs())
        for processes in (int(x) for x in args.processes.split(",")):
            wall, cpu = time.perf_counter(), cpu_seconds()
            executor = executors.choose(None, None, processes, total)
            try:
                result = tm.tournament(job, executor)
            finally:
                executor.close()
            wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            deals = sum(r.agreement for r in result.results)
            print(
                f"tournament {label}: {len(entrants)} strategies, {total} runs of "
                f"{rounds} rounds, {processes} process(es): {wall:6.1f} s wall, "
                f"{cpu:6.1f} s CPU, {deals} deals, "
                f"{1000 * wall / total:6.0f} ms wall per run",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tournament-rounds", type=int, default=30)
    parser.add_argument("--strategies", default="boulware,linear,conceder")
    parser.add_argument("--built-in-rounds", type=int, default=10)
    parser.add_argument("--built-in-strategies", default="boulware,linear")
    parser.add_argument("--processes", default="1,2", help="comma-separated pool sizes")
    parser.add_argument("--skip-runs", action="store_true", help="tournaments only")
    parser.add_argument("--skip-built-in-tournament", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if not args.skip_runs:
        runs(args)
    tournaments(args)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
