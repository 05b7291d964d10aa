"""Monte Carlo benchmarks (results in bench/README.md, section "Monte Carlo").

    python bench/montecarlo_bench.py ten-k   # 10,000 samples of ukraine-2025: serial, 2 processes
    python bench/montecarlo_bench.py dask    # 100,000 samples: Dask with 1 worker, then 2

Each run prints one JSON line per measurement: wall-clock seconds (cluster start-up
excluded for Dask, reported separately), P(deal), the robust package's share, and the
number of samples handed to the exact engine.  Run on an otherwise idle machine.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from zopa.load import load_scenario
from zopa.uncertainty import Dask, Processes, Serial, montecarlo


def measure(label: str, samples: int, executor: Any, nash: bool = True) -> dict[str, Any]:
    scenario = load_scenario("ukraine-2025")
    start = time.perf_counter()
    result = montecarlo(scenario, samples, seed=1, nash=nash, executor=executor)
    seconds = time.perf_counter() - start
    doc = result.to_json()
    row = {
        "run": label,
        "samples": samples,
        "nash": nash,
        "seconds": round(seconds, 2),
        "p_deal": doc["p_deal"]["estimate"],
        "robust_p_accepted": doc["robust_package"]["p_accepted"],
        "nash_samples": doc["nash_samples"],
        "engine_samples": doc["engine_samples"],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(row), flush=True)
    return row


def ten_k() -> None:
    measure("serial", 10_000, Serial())
    pool = Processes(2)
    try:
        measure("processes=2", 10_000, pool)
        measure("processes=2 --no-nash", 10_000, pool, nash=False)
    finally:
        pool.close()


def dask(samples: int = 100_000) -> None:
    times = {}
    for workers in (1, 2):
        start = time.perf_counter()
        cluster = Dask(workers=workers)
        print(json.dumps({"cluster_start_seconds": round(time.perf_counter() - start, 2)}))
        try:
            times[workers] = measure(f"dask workers={workers}", samples, cluster)["seconds"]
        finally:
            cluster.close()
    print(json.dumps({"dask_speedup_2_vs_1": round(times[1] / times[2], 2)}))


if __name__ == "__main__":  # Dask's worker processes re-import this module
    {"ten-k": ten_k, "dask": dask}[sys.argv[1] if len(sys.argv) > 1 else "ten-k"]()
