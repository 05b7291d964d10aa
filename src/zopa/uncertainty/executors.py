"""Where batches of samples run: this process, local processes, or a Dask cluster.

Every executor maps one function over batches ``(start, stop)`` of sample
indices and yields results as batches finish.  Batches are the unit of work
because a task costs ~1.5 ms of overhead on Dask (measured; see
docs/reference/uncertainty.md); a sample's result never depends on its batch.

* :class:`Serial` — in this process (tests, tiny jobs).
* :class:`Processes` — the standard library's process pool (the default).
* :class:`Dask` — a Dask ``distributed`` cluster: an existing one
  (``--scheduler tcp://HOST:PORT``) or a local one it starts (``--workers K``).
  Local workers get the measured glibc fix: Dask's nanny sets
  ``MALLOC_TRIM_THRESHOLD_=65536``, which made numpy-heavy tasks 1.57× slower.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from zopa import signals

MALLOC_FIX = {"MALLOC_TRIM_THRESHOLD_": 2**40, "MALLOC_MMAP_THRESHOLD_": 16_777_216}

Batch = tuple[int, int]


class DaskMissing(RuntimeError):
    """``--workers`` / ``--scheduler`` need the optional ``zopa[dask]`` extra."""


def batches(samples: int, workers: int, target: int = 500) -> list[Batch]:
    """Split ``range(samples)`` into batches: about ``target`` samples, and several per worker
    (so a slow batch does not leave the other workers idle at the end)."""
    size = max(25, min(target, -(-samples // max(1, 4 * workers))))
    return [(lo, min(samples, lo + size)) for lo in range(0, samples, size)]


class Serial:
    """Run batches one after the other in this process."""

    workers = 1

    def map(self, fn: Callable[..., Any], job: Any, items: Sequence[Any]) -> Iterator[Any]:
        for item in items:
            yield fn(job, *item)

    def close(self) -> None:
        pass


def _call(fn: Callable[..., Any], job: Any, item: Sequence[Any]) -> Any:
    return fn(job, *item)


class Processes:
    """A pool of local processes (``spawn``: no solver state is inherited by forking).

    Workers ignore SIGINT (the command decides, :mod:`zopa.signals`); after a
    stop signal :meth:`close` terminates them instead of waiting for their tasks.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=signals.worker_init,
        )

    def map(self, fn: Callable[..., Any], job: Any, items: Sequence[Any]) -> Iterator[Any]:
        with signals.sheltered():  # workers start (on submit) never seeing SIGINT
            futures = [self.pool.submit(_call, fn, job, item) for item in items]
        for future in as_completed(futures):
            yield future.result()

    def close(self) -> None:
        if signals.stopping():
            for process in list((self.pool._processes or {}).values()):
                process.terminate()
            self.pool.shutdown(wait=False, cancel_futures=True)
            return
        self.pool.shutdown(cancel_futures=True)


class Dask:
    """A Dask distributed cluster: connect to ``address``, or start ``workers`` local ones."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise DaskMissing(
                "--workers and --scheduler need the optional 'dask' extra (missing: distributed): "
                "pip install 'zopa[dask]', or from a checkout of zopa: pip install '.[dask]'"
            ) from None
        self.cluster = None
        if address is None:
            import logging

            # a local cluster's own warnings (a worker slow to stop, a port taken) are noise
            # on a command's stderr; errors still show
            logging.getLogger("distributed").setLevel(logging.ERROR)
            settings = {
                "distributed.nanny.pre-spawn-environ": MALLOC_FIX,
                # each worker runs dask_setup below: it leaves SIGINT to the command
                "distributed.worker.preload": ["zopa.uncertainty.executors"],
                # The worker's statistical profiler holds references to the frames it
                # samples, so a solver's native objects (PySAT's pindakaas encodings, which
                # must be dropped on the thread that made them) would be freed on the
                # profiler's thread, with a RuntimeError on stderr; zopa does not use them.
                "distributed.worker.profile.enabled": False,
            }

            def start() -> Any:
                return LocalCluster(
                    n_workers=workers or 1,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    # its HTTP server starts anyway: on a free port, so that a second
                    # cluster on this machine does not warn that 8787 is taken
                    dashboard_address="127.0.0.1:0",
                )

            # started from a thread that blocks SIGINT: its processes (and any a nanny
            # restarts) never get Ctrl-C, which printed tracebacks from workers still
            # importing; this thread keeps it and stops them (zopa.signals.shielded)
            with dask.config.set(settings), signals.silent_children():
                self.cluster = signals.shielded(start)
            self.client = Client(self.cluster)
        else:
            self.client = Client(address, timeout=30)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[..., Any], job: Any, items: Sequence[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed as completed

        (shared,) = self.client.scatter([job], broadcast=True)  # one object, even a tuple
        futures = [self.client.submit(_call, fn, shared, item, pure=False) for item in items]
        for future in completed(futures):
            yield future.result()

    def close(self) -> None:
        if signals.stopping():  # no graceful goodbyes: the command stops its processes
            if self.cluster is not None:
                self._park()
            return
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def _park(self, wait: float = 1.0) -> None:
        """Hold the local cluster's event loop until this process ends.

        Its nannies run on that loop and start a worker again when one dies:
        the workers :func:`zopa.signals.stop_children` stops were restarted
        while it waited, and the new ones outlived the command.
        """
        parked, never = threading.Event(), threading.Event()

        def hold() -> None:
            parked.set()
            never.wait()  # the process ends with os._exit (zopa.signals.leave)

        self.client.loop.add_callback(hold)
        parked.wait(wait)  # a loop too busy to answer is stopped all the same


def dask_setup(worker: Any) -> None:
    """Dask's preload hook, in every local worker process: ignore SIGINT (zopa.signals)."""
    signals.worker_init()


def choose(
    workers: int | None,
    scheduler: str | None,
    processes: int | None,
    jobs: int,
    serial_below: int = 2,
) -> Serial | Processes | Dask:
    """The executor for a command's options: Dask when asked for, this process for
    small jobs or ``processes == 1``, else a local process pool of at most ``jobs``.

    Raises ValueError for contradictory options, :class:`DaskMissing` without
    the extra, and OSError when a scheduler cannot be reached.
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give --workers (a local Dask cluster) or --scheduler, not both")
    if (workers is not None and workers < 1) or (processes is not None and processes < 1):
        raise ValueError("--workers/--processes: give at least 1")
    if scheduler is not None or workers is not None:
        return Dask(scheduler, workers)
    if processes == 1 or (processes is None and jobs < serial_below):
        return Serial()
    return Processes(min(processes or os.cpu_count() or 1, max(1, jobs)))
