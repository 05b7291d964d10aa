"""Tournaments: every assignment of strategies to parties, on every scenario.

With ``k`` strategies and a scenario of ``n`` parties there are ``kⁿ``
assignments, each run ``repeats`` times (repeats differ only for strategies
that draw random numbers); because every strategy plays every seat equally
often, averages compare strategies fairly across parties of different
strengths (the round-robin design of the ANAC competitions).

Runs are independent, so they go to an executor of
:mod:`zopa.uncertainty.executors` (this process, local processes, or a Dask
cluster) in small batches; the result does not depend on the executor or on
the order batches finish in.  Each run's seed is derived from the tournament
seed and the run's position, so any single run can be replayed with
``zopa simulate --seed``.

The ranking is by mean utility over the seats a strategy held (its party's
utility at the agreement, or its reservation after a breakdown), with the
agreement rate, the mean gain over the reservation and the mean distance of
the outcome to the Nash point (:mod:`zopa.simulate.metrics`).  With a
discount ``δ < 1`` the utility of an agreement in round ``r`` is
``δ^(r−1) · u``, exactly the ``discounted_utilities`` of ``zopa simulate``,
so a late deal scores less; the undiscounted utilities are kept beside it.
The distance to the Nash point is measured from the undiscounted outcome (it
says *which* deal was reached, as in ``zopa simulate``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.model import Scenario
from zopa.problem import SCALE, Problem
from zopa.simulate.core import protocol_class
from zopa.simulate.metrics import Reference, distance, reference
from zopa.simulate.run import simulate
from zopa.simulate.spec import StrategySpec


@dataclass(frozen=True)
class Entry:
    """One scenario of a tournament, as of a date (the date of its selected draft)."""

    scenario: Scenario
    as_of: dt.date | None
    draft: str | None


@dataclass(frozen=True)
class Job:
    """Everything a worker needs (sent once per worker)."""

    entries: tuple[Entry, ...]
    strategies: tuple[StrategySpec, ...]
    protocol: str
    rounds: int
    repeats: int
    seed: int
    discount: float
    params: tuple[tuple[str, Any], ...]

    def runs(self) -> list[tuple[int, tuple[int, ...], int]]:
        """(scenario, strategy index per party, repeat) of every run, in order."""
        return [
            (s, assignment, r)
            for s, entry in enumerate(self.entries)
            for assignment in itertools.product(
                range(len(self.strategies)), repeat=len(entry.scenario.parties)
            )
            for r in range(self.repeats)
        ]


@dataclass(frozen=True)
class Result:
    index: int
    scenario: int
    assignment: tuple[int, ...]
    repeat: int
    seed: int
    agreement: bool
    round: int
    utilities: tuple[int, ...]  # every party's (undiscounted) utility of the outcome

    def scores(self, discount: float) -> list[float]:
        """Every party's utility of the outcome, discounted by ``δ^(round−1)`` for an
        agreement (computed exactly as ``zopa simulate``'s ``discounted_utilities``)."""
        factor = discount ** (self.round - 1) if self.agreement else 1.0
        return [factor * u / SCALE for u in self.utilities]


def run_seed(seed: int, scenario: int, assignment: Sequence[int], repeat: int) -> int:
    """A run's seed: a hash of its place in the tournament (reproducible anywhere)."""
    words = np.random.SeedSequence([seed, scenario, repeat, *assignment]).generate_state(1)
    return int(words[0])


def play(job: Job, start: int, stop: int) -> list[Result]:
    """Runs ``start``..``stop − 1`` of the tournament (a task for an executor)."""
    runs = job.runs()
    problems: dict[int, tuple[Problem, Any]] = {}
    out = []
    for index in range(start, stop):
        s, assignment, r = runs[index]
        if s not in problems:
            entry = job.entries[s]
            problem, draft = Problem.for_draft(entry.scenario, entry.draft, entry.as_of)
            problems[s] = (problem, problem.package_indices(draft.package) if draft else None)
        problem, draft_package = problems[s]
        seed = run_seed(job.seed, s, assignment, r)
        chosen = {
            party.id: job.strategies[k]
            for party, k in zip(problem.parties, assignment, strict=True)
        }
        run = simulate(
            problem,
            job.protocol,
            chosen,
            rounds=job.rounds,
            seed=seed,
            discount=job.discount,
            params=dict(job.params),
            draft=draft_package,
        )
        out.append(
            Result(
                index,
                s,
                assignment,
                r,
                seed,
                run.outcome.agreement is not None,
                run.outcome.round,
                tuple(run.outcome_utilities()),
            )
        )
    return out


def tasks(total: int, workers: int) -> list[tuple[int, int]]:
    """Batches of runs: about four per worker, so that no worker idles at the end."""
    size = max(1, math.ceil(total / max(1, 4 * workers)))
    return [(lo, min(total, lo + size)) for lo in range(0, total, size)]


@dataclass(frozen=True)
class Tournament:
    job: Job
    problems: list[Problem]
    references: list[Reference]
    results: list[Result]

    def distances(self) -> list[float | None]:
        """Each run's distance from its outcome to the Nash point (None: no deal exists)."""
        out: list[float | None] = []
        for res in self.results:
            ref = self.references[res.scenario]
            if ref.nash is None:
                out.append(None)
                continue
            u = np.array([res.utilities[p] for p in ref.parties], dtype=np.int64)
            out.append(distance(u, ref.nash))
        return out

    def ranking(self) -> list[dict[str, Any]]:
        """Per strategy, over the seats it held: agreement rate, means; best mean utility first."""
        seats: dict[int, list[tuple[Result, int, float | None]]] = {
            k: [] for k in range(len(self.job.strategies))
        }
        for res, dist in zip(self.results, self.distances(), strict=True):
            for party, k in enumerate(res.assignment):
                seats[k].append((res, party, dist))
        rows = []
        for k, held in seats.items():
            delta = self.job.discount
            utilities = [res.scores(delta)[p] for res, p, _ in held]
            gains = [
                res.scores(delta)[p] - int(self.problems[res.scenario].reservations[p]) / SCALE
                for res, p, _ in held
            ]
            raw = [res.utilities[p] / SCALE for res, p, _ in held]
            dists = [x for _, _, x in held if x is not None]
            rounds = [res.round for res, _, _ in held if res.agreement]
            rows.append(
                {
                    "strategy": self.job.strategies[k].label,
                    "seats": len(held),
                    "agreement_rate": _mean([float(res.agreement) for res, _, _ in held]),
                    "mean_utility": _mean(utilities),
                    "mean_undiscounted_utility": _mean(raw),
                    "mean_gain": _mean(gains),
                    "mean_distance_to_nash": _mean(dists),
                    "mean_agreement_round": _mean([float(x) for x in rounds]),
                }
            )
        rows.sort(key=lambda row: (-(row["mean_utility"] or 0.0), row["strategy"]))
        return [{"rank": k + 1, **row} for k, row in enumerate(rows)]

    def as_of(self) -> str | None:
        """The date the scenarios were analysed as of (None if none, or if they differ)."""
        dates = [p.as_of.isoformat() if p.as_of else None for p in self.problems]
        return dates[0] if len(set(dates)) == 1 else None

    def to_json(self) -> dict[str, Any]:
        job = self.job
        labels = [s.label for s in job.strategies]
        return {
            "scenarios": [e.scenario.id for e in job.entries],
            "as_of": self.as_of(),
            "as_of_by_scenario": {
                e.scenario.id: p.as_of.isoformat() if p.as_of else None
                for e, p in zip(job.entries, self.problems, strict=True)
            },
            "protocol": job.protocol,
            "parameters": {
                **dict(job.params),
                "rounds": job.rounds,
                "repeats": job.repeats,
                "discount": job.discount,
                "seed": job.seed,
            },
            "strategies": labels,
            "runs": len(self.results),
            "ranking": self.ranking(),
            "results": [
                {
                    "scenario": job.entries[res.scenario].scenario.id,
                    "assignment": {
                        p.id: labels[k]
                        for p, k in zip(
                            self.problems[res.scenario].parties, res.assignment, strict=True
                        )
                    },
                    "repeat": res.repeat,
                    "seed": res.seed,
                    "outcome": "agreement" if res.agreement else "breakdown",
                    "round": res.round,
                    "utilities": {
                        p.id: u
                        for p, u in zip(
                            self.problems[res.scenario].parties,
                            res.scores(job.discount),
                            strict=True,
                        )
                    },
                    "undiscounted_utilities": {
                        p.id: u / SCALE
                        for p, u in zip(
                            self.problems[res.scenario].parties, res.utilities, strict=True
                        )
                    },
                    "distance_to_nash": dist,
                }
                for res, dist in zip(self.results, self.distances(), strict=True)
            ],
        }


def tournament(
    job: Job,
    executor: Any,
    progress: Callable[[int], None] | None = None,
) -> Tournament:
    """Play every run of ``job`` on ``executor`` (see :mod:`zopa.uncertainty.executors`)."""
    problems = [Problem.for_draft(e.scenario, e.draft, e.as_of)[0] for e in job.entries]
    for problem in problems:
        protocol_class(job.protocol).validate(problem, dict(job.params))
    references = [reference(p) for p in problems]
    total = len(job.runs())
    results: list[Result] = []
    for batch in executor.map(play, job, tasks(total, executor.workers)):
        results.extend(batch)
        if progress:
            progress(len(batch))
    results.sort(key=lambda res: res.index)
    return Tournament(job, problems, references, results)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
