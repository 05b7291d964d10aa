"""How good is an outcome?  Distances in the utility space of the veto parties.

The *outcome vector* is the agreement's utilities, or every party's
reservation after a breakdown.  Against the exact Pareto frontier of the
agreement set (:func:`zopa.engine.frontier.frontier`) and the exact Nash point
(:func:`zopa.engine.solutions.solve`):

* ``pareto.gap`` — the largest ``ε ≥ 0`` such that some frontier point gives
  *every* veto party at least ``ε`` more: ``max_f min_p (f_p − u_p)``.  It is 0
  exactly when no deal is better for all veto parties at once (weak Pareto
  optimality); after a breakdown it is the egalitarian gain that was missed.
* ``pareto.distance`` — the Euclidean distance to the nearest frontier point
  (the convention of GENIUS and NegMAS).
* ``nash.distance`` — the Euclidean distance to the Nash point;
  ``nash.product_ratio`` — the outcome's Nash product ``Π (u_p − d_p)`` over
  the optimal one (1 at the Nash point, 0 when some party gains nothing).
* ``gains`` — every party's utility minus its reservation.

From the trace (:func:`dynamics`), who moved and how close the talks came:

* ``concessions`` — per proposing party, the utility (to itself) of its first
  and of its last proposal, and the first round in which it proposed less
  than at first (``null``: it never conceded);
* ``closest`` — the proposal accepted by the most veto parties (among those,
  the one whose worst-off veto party gains most over its reservation; the
  earliest on ties), and who rejected it.

Frontier and Nash point are computed once per problem (:func:`reference`) and
reused for every run of a tournament.  Distances are computed from the exact
integer utilities and reported in utility units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.engine.frontier import frontier
from zopa.engine.solutions import solve
from zopa.problem import SCALE, Problem
from zopa.simulate.core import Step

FRONTIER_LIMIT = 20_000


@dataclass(frozen=True)
class Reference:
    """The frontier and Nash point of a problem, over its veto parties."""

    parties: list[int]
    feasible: bool
    frontier: np.ndarray  # (points, parties) integer utilities
    complete: bool  # the frontier is the whole frontier
    nash: np.ndarray | None  # (parties,) integer utilities
    nash_optimal: bool


def reference(
    problem: Problem, limit: int = FRONTIER_LIMIT, time_limit: float | None = None
) -> Reference:
    V = list(problem.veto_parties)
    empty = np.zeros((0, len(V)), dtype=np.int64)
    if not V:
        return Reference(V, True, empty, True, None, True)
    found = solve(problem, ["nash"], time_limit=time_limit)
    if not found.feasible:
        return Reference(V, False, empty, True, None, True)
    nash = found.solutions.get("nash")
    if nash is None:  # a time limit stopped the search
        return Reference(V, True, empty, False, None, False)
    point = problem.utility(nash.indices)
    front = frontier(problem, limit=limit, time_limit=time_limit)
    return Reference(
        V,
        True,
        front.vectors,
        front.complete,
        np.array([point[p] for p in V], dtype=np.int64),
        nash.optimal,
    )


def measure(
    problem: Problem, ref: Reference, utilities: Sequence[int], discount_factor: float = 1.0
) -> dict[str, Any]:
    """The metrics of an outcome vector (integer utilities of every party)."""
    ids = [p.id for p in problem.parties]
    d = [int(x) for x in problem.reservations]
    out: dict[str, Any] = {
        "feasible": ref.feasible,
        "utilities": {p: u / SCALE for p, u in zip(ids, utilities, strict=True)},
        "discounted_utilities": {
            p: discount_factor * u / SCALE for p, u in zip(ids, utilities, strict=True)
        },
        "reservations": {p: x / SCALE for p, x in zip(ids, d, strict=True)},
        "gains": {p: (u - x) / SCALE for p, u, x in zip(ids, utilities, d, strict=True)},
        "pareto": None,
        "nash": None,
    }
    if not ref.feasible or ref.nash is None:
        return out
    u = np.array([utilities[p] for p in ref.parties], dtype=np.int64)
    out["pareto"] = pareto(ref, u)
    gains = [utilities[p] - d[p] for p in ref.parties]
    best = [int(n) - d[p] for n, p in zip(ref.nash, ref.parties, strict=True)]
    optimal_product = math.prod(best)
    ratio = math.prod(max(g, 0) for g in gains) / optimal_product if optimal_product > 0 else None
    out["nash"] = {
        "utilities": {ids[p]: int(n) / SCALE for p, n in zip(ref.parties, ref.nash, strict=True)},
        "distance": distance(u, ref.nash),
        "product_ratio": ratio,
        "optimal": ref.nash_optimal,
    }
    return out


def pareto(ref: Reference, u: np.ndarray) -> dict[str, Any]:
    if not len(ref.frontier):
        return {"gap": None, "distance": None, "complete": ref.complete}
    gap = int((ref.frontier - u).min(axis=1).max())
    nearest = np.sqrt(((ref.frontier - u).astype(float) ** 2).sum(axis=1)).min()
    return {
        "gap": max(gap, 0) / SCALE,
        "distance": float(nearest) / SCALE,
        "complete": ref.complete,
    }


def distance(u: np.ndarray, v: np.ndarray) -> float:
    """Euclidean distance of two integer utility vectors, in utility units."""
    return float(np.sqrt(((u - v).astype(float) ** 2).sum())) / SCALE


def dynamics(problem: Problem, steps: Sequence[Step]) -> dict[str, Any]:
    """Who conceded when, and the proposal that came closest to agreement."""
    ids = [p.id for p in problem.parties]
    first: dict[int, Step] = {}
    conceded: dict[int, int | None] = {}
    last: dict[int, Step] = {}
    for step in steps:
        p = step.proposer
        first.setdefault(p, step)
        last[p] = step
        if conceded.get(p) is None:
            moved = step.utilities[p] < first[p].utilities[p]
            conceded[p] = step.round if moved else None
    concessions = {
        ids[p]: {
            "first": first[p].utilities[p] / SCALE,
            "last": last[p].utilities[p] / SCALE,
            "first_concession_round": conceded[p],
        }
        for p in sorted(first)
    }
    veto = problem.veto_parties
    d = [int(x) for x in problem.reservations]

    def closeness(k: int) -> tuple[int, int, int]:
        s = steps[k]
        signed = sum(s.responses.get(p, p == s.proposer) for p in veto)
        worst = min((s.utilities[p] - d[p] for p in veto), default=0)
        return signed, worst, -k  # the earliest on ties

    closest = None
    if steps:
        best = steps[max(range(len(steps)), key=closeness)]
        closest = {
            "round": best.round,
            "proposer": ids[best.proposer],
            "accepted_by": [ids[p] for p in veto if best.responses.get(p, p == best.proposer)],
            "rejected_by": [ids[p] for p in veto if not best.responses.get(p, p == best.proposer)],
        }
    return {"concessions": concessions, "closest": closest}
