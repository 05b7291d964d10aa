"""Monte Carlo benchmarks (results in bench/README.md, section "Monte Carlo").

    python bench/montecarlo_bench.py ten-k   # 10,000 samples of ukraine-2025: serial, 2 processes
    python bench/montecarlo_bench.py dask    # 100,000 samples: Dask with 1 worker, then 2
    python bench/montecarlo_bench.py --wait-idle 1.0 dask   # first wait for a quiet machine

Each run prints one JSON line per measurement: wall-clock seconds (cluster start-up
excluded for Dask, reported separately), P(deal), the robust package's share, and the
number of samples handed to the exact engine.  Run on an otherwise idle machine.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
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


def wait_until_idle(max_load: float, max_wait: float) -> None:
    """Wait (at most ``max_wait`` seconds) for the 1-minute load average to drop below
    ``max_load``; other jobs on the machine distort wall-clock speed-ups."""
    deadline = time.monotonic() + max_wait
    while (os.getloadavg()[0] >= max_load or _other_benchmarks()) and time.monotonic() < deadline:
        time.sleep(15)
    print(json.dumps({"load_at_start": round(os.getloadavg()[0], 2)}), flush=True)


def _other_benchmarks() -> bool:
    """Whether another process runs a script under bench/ (two benchmarks distort each other)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "bench/" in cmd and "montecarlo_bench" not in cmd:
            return True
    return False


if __name__ == "__main__":  # Dask's worker processes re-import this module
    args = sys.argv[1:]
    if "--wait-idle" in args:
        at = args.index("--wait-idle")
        wait_until_idle(float(args[at + 1]), 40 * 60)
        del args[at : at + 2]
    {"ten-k": ten_k, "dask": dask}[args[0] if args else "ten-k"]()
