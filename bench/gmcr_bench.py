"""Time ``zopa stability``'s engine against the number of states (results: bench/README.md,
"Stability (GMCR)").

    .venv/bin/python bench/gmcr_bench.py [--shapes 2x4,4x2,4x3,2x8,4x4,8x2] [--repeat 3]
        [--seed 0] [--skip-built-in]

Each shape ``DxK`` is a model of D decision makers with K options each (2^(D·K)
states, every one feasible, every move reversible) and random strict
preferences (a seeded permutation per decision maker): the hardest case for
the sanctions searches, since few moves are dominated.  For each, the median
wall-clock and CPU seconds of :func:`zopa.gmcr.stability.analyse` (all six
concepts, model built outside the timing) over ``--repeat`` runs, the number
of unilateral moves and improvements, and the number of equilibria.  Then the
standoff of the built-in scenario (:func:`zopa.gmcr.run.run`, derivation with
its engine calls and the analysis), and ``zopa stability --json`` as a command.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from zopa.gmcr.model import DecisionMaker, GraphModel, Option
from zopa.gmcr.stability import CONCEPTS, analyse


def random_model(dms: int, options: int, seed: int) -> GraphModel:
    rng = np.random.default_rng(seed)
    opts: list[Option] = []
    makers = []
    for i in range(dms):
        first = len(opts)
        opts += [Option(f"o{len(opts)}", f"o{len(opts)}", i) for _ in range(options)]
        makers.append(DecisionMaker(f"d{i}", f"d{i}", tuple(range(first, len(opts)))))
    codes = np.arange(1 << len(opts), dtype=np.int64)
    ranks = np.stack([rng.permutation(len(codes)) for _ in makers]).astype(np.int64)
    return GraphModel("bench", None, tuple(makers), tuple(opts), codes, ranks)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, object]:
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default="2x4,4x2,4x3,2x8,4x4,8x2")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-built-in", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    head = "| shape | states | moves | improvements | wall s | CPU s | equilibria N/G/S/Q/M/Q+M |"
    print(head)
    print("|---|---:|---:|---:|---:|---:|---|")
    for shape in args.shapes.split(","):
        d, k = (int(x) for x in shape.split("x"))
        model = random_model(d, k, args.seed)
        wall, cpu, result = timed(lambda m=model: analyse(m), args.repeat)
        moves = sum(u.moves.count for u in result.per_unit)  # type: ignore[attr-defined]
        imps = sum(u.improvements.count for u in result.per_unit)  # type: ignore[attr-defined]
        eq = "/".join(str(len(result.equilibria(c))) for c in CONCEPTS)  # type: ignore[attr-defined]
        print(f"| {shape} | {model.n:,} | {moves:,} | {imps:,} | {wall:.2f} | {cpu:.2f} | {eq} |")
    if args.skip_built_in:
        return
    from zopa.gmcr.run import run

    wall, cpu, done = timed(lambda: run("ukraine-2025"), args.repeat)
    so = done.standoff  # type: ignore[attr-defined]
    print(
        f"built-in standoff (derive + analyse): {so.model.n:,} states, {so.deals} with a deal, "
        f"{so.engine_calls} engine calls: wall {wall:.2f} s, CPU {cpu:.2f} s"
    )
    walls = []
    for _ in range(args.repeat):
        w = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "zopa.cli", "stability", "--json"],
            check=True,
            capture_output=True,
        )
        walls.append(time.perf_counter() - w)
    print(f"zopa stability --json (cold process): median wall {statistics.median(walls):.2f} s")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
