"""The Kalai–Smorodinsky solution over the agreement set, proven optimal.

With ideal points ``I_p = max_{x∈A} U_p(x)`` and ``R_p = I_p − D_p``, maximise
``min_p (U_p − D_p)/R_p`` over the parties with ``R_p > 0`` (Kalai &
Smorodinsky, "Other solutions to Nash's bargaining problem", *Econometrica*
43(3), 1975; on a finite set of packages the max-min of normalised gains).

The ratio is a minimum of fractions, so it is solved exactly by a
Dinkelbach-style ascent (Dinkelbach, "On nonlinear fractional programming",
*Management Science* 13(7), 1967; Crouzeix, Ferland & Schaible 1985 for the
generalised, min-of-ratios case): start from a scaled max-min solution, then
with the incumbent ratio ``a/b`` ask CP-SAT for a package with
``b·(U_p − D_p) > a·R_p`` for every party.  Each success strictly raises the
ratio; "infeasible" proves the incumbent optimal, in exact integers.  Among
the optimal packages the one with the largest total utility is reported, so
the answer is also Pareto-optimal.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from zopa.engine.cpsat import CpModel
from zopa.problem import Constraint, Problem

APPROX = 10**6  # resolution of the first, scaled max-min solve


@dataclass(frozen=True)
class KsResult:
    package: list[int] | None
    ratio: Fraction | None  # None: no party can gain (every ideal equals its reservation)
    optimal: bool


def kalai_smorodinsky(
    problem: Problem,
    ideals: dict[int, int],
    constraints: Sequence[Constraint] | None = None,
    time_limit: float | None = None,
) -> KsResult:
    """Maximise the smallest normalised gain; ``ideals`` are the ``I_p`` of the veto parties."""
    deadline = time.monotonic() + time_limit if time_limit else None
    D = {p: int(problem.reservations[p]) for p in ideals}
    R = {p: ideals[p] - D[p] for p in ideals if ideals[p] > D[p]}
    cp = CpModel(problem, constraints, utility_parties=list(ideals))
    if not R:
        sol = cp.solve(time_limit=_left(deadline))
        return KsResult(sol.package, None, sol.status == "optimal")
    t = cp.model.new_int_var(0, APPROX, "t")
    for p, r in R.items():
        cp.model.add(r * t <= APPROX * (cp.U[p] - D[p]))
    sol = cp.solve(maximize=t, time_limit=_left(deadline))
    if sol.package is None:
        return KsResult(None, None, sol.status == "infeasible")
    best = sol.package
    while True:
        ratio = _ratio(problem, best, R, D)
        a, b = ratio.numerator, ratio.denominator
        for p, r in R.items():
            cp.model.add(b * (cp.U[p] - D[p]) >= a * r + 1)
        better = cp.solve(time_limit=_left(deadline), hint=best)
        if better.status == "infeasible":
            return KsResult(
                _most_efficient(problem, ideals, constraints, R, D, ratio, best), ratio, True
            )
        if better.package is None:
            return KsResult(best, ratio, False)
        best = better.package


def _most_efficient(
    problem: Problem,
    ideals: dict[int, int],
    constraints: Sequence[Constraint] | None,
    R: dict[int, int],
    D: dict[int, int],
    ratio: Fraction,
    best: list[int],
) -> list[int]:
    """Among the optimal packages, one with the largest total utility (so Pareto-optimal)."""
    cp = CpModel(problem, constraints, utility_parties=list(ideals))
    for p, r in R.items():
        cp.model.add(ratio.denominator * (cp.U[p] - D[p]) >= ratio.numerator * r)
    sol = cp.solve(maximize=sum(cp.U[p] for p in ideals), hint=best)
    return sol.package if sol.status == "optimal" and sol.package is not None else best


def _ratio(problem: Problem, package: list[int], R: dict[int, int], D: dict[int, int]) -> Fraction:
    utils = problem.utility(package)
    return min(Fraction(utils[p] - D[p], r) for p, r in R.items())


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.01, deadline - time.monotonic())
