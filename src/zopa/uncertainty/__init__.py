"""How likely is a deal?  Monte Carlo analysis of an uncertain scenario.

A scenario may give distributions instead of numbers (weights, values,
reservations, red-line thresholds) and a firmness per red line (the
probability that it is a real red line rather than an opening position); see
:mod:`zopa.model`.  :func:`montecarlo` draws ``samples`` realisations and
analyses each one *exactly*:

* whether a deal exists (the agreement set is non-empty);
* which red lines (and reservations) are in some conflict, and hence which
  issues are blocking;
* where a deal exists, the Nash package and every party's utility there;
* whether each party accepts the draft (some completion of it).

It then reports shares of samples with Wilson 95 % intervals, and the
*robust package*: the package every veto party accepts in the largest share
of samples, found exactly by a maximum-coverage CP-SAT model over the samples
with a deal (:mod:`~zopa.uncertainty.robust`), compared with candidate
packages (the most frequent witness and Nash packages, plus a complete
draft); if the solver's time limit stops it first, the output says so.

Modules: :mod:`~zopa.uncertainty.sampling` (reproducible draws),
:mod:`~zopa.uncertainty.tables` (vectorised utility tables),
:mod:`~zopa.uncertainty.components` (exact conflicts by enumeration),
:mod:`~zopa.uncertainty.evaluate` (one batch of samples),
:mod:`~zopa.uncertainty.aggregate` (probabilities and intervals),
:mod:`~zopa.uncertainty.robust` (the robust package, exactly),
:mod:`~zopa.uncertainty.executors` (serial, processes, Dask).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from zopa.model import Scenario
from zopa.uncertainty.aggregate import MonteCarlo, candidates, merge
from zopa.uncertainty.evaluate import Job, analyse, count_accepting, model_for
from zopa.uncertainty.executors import Dask, DaskMissing, Processes, Serial, batches
from zopa.uncertainty.robust import TIME_LIMIT, robust_package

__all__ = ["Dask", "DaskMissing", "Job", "MonteCarlo", "Processes", "Serial", "montecarlo"]


def montecarlo(
    scenario: Scenario,
    samples: int = 10_000,
    seed: int = 0,
    *,
    as_of: dt.date | None = None,
    draft: str | None = None,
    nash: bool = True,
    executor: Serial | Processes | Dask | None = None,
    progress: Callable[[int], None] | None = None,
    robust_time_limit: float = TIME_LIMIT,
) -> MonteCarlo:
    """Analyse ``samples`` realisations of ``scenario`` (seed ``seed``).

    The date and draft follow docs/explanation/concepts.md (``scenario.select``).  ``executor``
    runs the batches (default: in this process); ``progress`` is called with
    the number of samples finished, once per batch (twice over: the robust
    package takes a second pass over the samples).  The result is the same
    for any executor and worker count.
    """
    selected, date = scenario.select(draft, as_of)
    job = Job(scenario, date, selected.id if selected else None, seed, samples, nash)
    runner = executor or Serial()
    parts = batches(samples, runner.workers)
    results = []
    for result in runner.map(analyse, job, parts):
        results.append(result)
        if progress:
            progress(result.samples)
    total = merge(results)
    model = model_for(job)
    pool = candidates(total, model)
    accepted = np.zeros(len(pool), dtype=np.int64)
    for lo, hi, counts in runner.map(_count, (job, pool), parts):
        accepted += counts  # integer sums: the order batches finish in does not matter
        if progress:
            progress(hi - lo)
    robust = robust_package(job, total.deal_samples, pool, accepted, robust_time_limit)
    return MonteCarlo(model, total, pool, accepted, robust)


def _count(job_and_pool: tuple[Job, np.ndarray], start: int, stop: int) -> tuple:
    job, pool = job_and_pool
    return start, stop, count_accepting(job, start, stop, pool)
