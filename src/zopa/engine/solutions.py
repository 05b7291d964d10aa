"""Bargaining solutions over the agreement set (docs/explanation/concepts.md), each proven optimal.

* ``utilitarian`` — maximise ``Σ_{p∈V} u_p`` (one CP-SAT solve);
* ``egalitarian`` — maximise ``min_{p∈V} (u_p − d_p)`` (Rawls' max-min, Kalai's
  1977 egalitarian solution on gains); among the optima, the package with the
  largest total utility, so that the answer is Pareto-optimal;
* ``nash`` — maximise ``Π (u_p − d_p)`` (:mod:`zopa.engine.nash`);
* ``kalai_smorodinsky`` — maximise the smallest gain relative to the ideal
  (:mod:`zopa.engine.kalai_smorodinsky`).

When the agreement set decomposes into blocks of issues (every red line names
issues only or utilities only, :mod:`zopa.engine.blocks`), all four are found
by :mod:`zopa.engine.bargaining` — a linear relaxation guides, an exact
Lagrangian search proves — which stays fast with many parties and issues.  A
concept that search cannot settle within its node limit, and every concept of
a problem that does not decompose, is solved with CP-SAT as described above.

Every objective is evaluated in the exact integer arithmetic of
:mod:`zopa.problem`; reported floats are those integers divided by the scale.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from zopa.engine.cpsat import CpModel, cp_model_module
from zopa.engine.kalai_smorodinsky import kalai_smorodinsky
from zopa.engine.nash import nash
from zopa.problem import SCALE, Problem

CONCEPTS = ("utilitarian", "egalitarian", "nash", "kalai_smorodinsky")


@dataclass(frozen=True)
class Solution:
    concept: str
    value: float | None
    utilities: dict[str, float]
    package: dict[str, Any]
    optimal: bool
    indices: list[int] = field(repr=False, default_factory=list)
    objections: list[str] = field(default_factory=list)  # violated red lines of non-veto parties
    bound: float | None = None  # not optimal: a proven upper bound on the value, when known

    def to_json(self) -> dict[str, Any]:
        out = {
            "value": self.value,
            "utilities": self.utilities,
            "package": self.package,
            "optimal": self.optimal,
            "objections": self.objections,
        }
        if not self.optimal:  # what is proven: the best value found and an upper bound
            out["bound"] = self.bound
        return out


@dataclass(frozen=True)
class Solutions:
    scenario: str
    as_of: Any
    feasible: bool | None  # None: a limit stopped the search before it was decided
    solutions: dict[str, Solution]
    ideal: dict[str, float] = field(default_factory=dict)  # only the proven ideal utilities
    complete: bool = True  # False: a limit stopped the search before every concept had a package

    @property
    def all_optimal(self) -> bool:
        return (
            self.complete
            and self.feasible is not None
            and all(s.optimal for s in self.solutions.values())
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "feasible": self.feasible,
            "solutions": {k: v.to_json() for k, v in self.solutions.items()},
            "ideal": self.ideal,
        }


def solve(
    problem: Problem, concepts: list[str] | None = None, time_limit: float | None = None
) -> Solutions:
    """The requested bargaining solutions (all four by default)."""
    wanted = list(concepts or CONCEPTS)
    unknown = [c for c in wanted if c not in CONCEPTS]
    if unknown:
        raise ValueError(f"unknown solution concept {unknown[0]!r} (known: {', '.join(CONCEPTS)})")
    deadline = time.monotonic() + time_limit if time_limit else None
    from zopa.engine import bargaining

    ctx = bargaining.prepare(problem, deadline)
    if ctx is not None:
        try:
            return _by_blocks(problem, ctx, wanted)
        except OverflowError:  # scores beyond exact int64 arithmetic: CP-SAT instead
            pass
    return _by_cpsat(problem, wanted, deadline)


def _by_blocks(problem: Problem, ctx: Any, wanted: list[str]) -> Solutions:
    """Every concept by :mod:`zopa.engine.bargaining`.

    A concept the search cannot settle within its node limit or the time
    limit is reported with ``optimal`` false and the best package found (CP-SAT
    does no better at those sizes: measured on 5 parties × 100 issues, it took
    10 s to prove what the search proves in 0.1–2.5 s).
    """
    from zopa.engine import bargaining

    V = problem.veto_parties
    D = {p: int(problem.reservations[p]) for p in V}
    found_ideals = bargaining.ideals(ctx)
    if found_ideals is None:
        return Solutions(problem.scenario.id, problem.as_of, False, {})
    ideals, ideals_proven = found_ideals
    bounds: dict[str, float] = {}
    if not ideals:  # stopped before any acceptable package was found: nothing is decided
        return Solutions(problem.scenario.id, problem.as_of, None, {}, complete=False)
    found: dict[str, tuple[Any, bool]] = {}
    for concept in wanted:
        if concept == "utilitarian":
            result = bargaining.utilitarian(ctx)
        elif concept == "egalitarian":
            result = bargaining.egalitarian(ctx)
        elif concept == "nash":
            result = bargaining.nash(ctx)[0]
        else:  # the ratios depend on the ideals: proven only if they are
            result = bargaining.kalai_smorodinsky(ctx, ideals)[0]
            result = bargaining.Found(
                result.package, result.optimal and ideals_proven, result.bound
            )
        found[concept] = (result.package, result.optimal)
        if result.bound is not None:
            bounds[concept] = float(result.bound)
    proven = set(ideals) if ideals_proven else set()
    return _assemble(problem, wanted, found, V, D, ideals, bounds, proven)


def _by_cpsat(problem: Problem, wanted: list[str], deadline: float | None) -> Solutions:
    V = problem.veto_parties
    D = {p: int(problem.reservations[p]) for p in V}
    cp_model_module()  # before the Nash thread starts: lets it skip loading pandas
    # CP-SAT releases the GIL while it searches, so the longest job (the Nash
    # outer approximation) runs in a second thread beside all the others.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = (
            pool.submit(nash, problem, V, time_limit=_left(deadline)) if "nash" in wanted else None
        )
        ideals: dict[int, int] = {}
        proven: set[int] = set()
        for p in V:
            sol = _maximise(problem, V, lambda cp, p=p: cp.U[p], deadline)
            if sol.package is None:  # infeasible, or undecided when the time ran out
                if pending is not None:
                    pending.cancel()
                if sol.status == "infeasible":
                    return Solutions(problem.scenario.id, problem.as_of, False, {})
                return Solutions(problem.scenario.id, problem.as_of, None, {}, complete=False)
            ideals[p] = problem.utility(sol.package)[p]
            if sol.status == "optimal":
                proven.add(p)
        found: dict[str, tuple[Any, bool]] = {}
        for concept in wanted:
            if concept != "nash":
                found[concept] = _cpsat_concept(problem, concept, V, D, ideals, deadline)
        if "kalai_smorodinsky" in found and proven != set(V):  # ratios of unproven ideals
            found["kalai_smorodinsky"] = (found["kalai_smorodinsky"][0], False)
        if pending is not None:
            res = pending.result()
            found["nash"] = (res.package, res.optimal)
    return _assemble(problem, wanted, found, V, D, ideals, None, proven)


def _cpsat_concept(
    problem: Problem,
    concept: str,
    V: list[int],
    D: dict[int, int],
    ideals: dict[int, int],
    deadline: float | None,
) -> tuple[Any, bool]:
    """One concept with CP-SAT: (package or None, proven optimal)."""
    if concept == "utilitarian":
        sol = _maximise(problem, V, lambda cp: sum(cp.U[p] for p in V), deadline)
        return sol.package, sol.status == "optimal"
    if concept == "egalitarian":
        sol = _maximise(problem, V, lambda cp: _min_gain(cp, V, D), deadline)
        pkg, optimal = sol.package, sol.status == "optimal"
        if optimal and sol.objective is not None:  # among the optima, the most efficient
            pkg = _most_efficient(problem, V, D, sol.objective, pkg, deadline)
        return pkg, optimal
    if concept == "nash":
        res = nash(problem, V, time_limit=_left(deadline), blocks=False)
        return res.package, res.optimal
    ks = kalai_smorodinsky(problem, ideals, time_limit=_left(deadline))
    return ks.package, ks.optimal


def _assemble(
    problem: Problem,
    wanted: list[str],
    found: dict[str, tuple[Any, bool]],
    V: list[int],
    D: dict[int, int],
    ideals: dict[int, int],
    bounds: dict[str, float] | None = None,
    proven: set[int] | None = None,
) -> Solutions:
    """The solutions found; ``ideal`` lists only the ideal utilities proven (``proven``)."""
    out: dict[str, Solution] = {}
    for concept in wanted:
        pkg, optimal = found[concept]
        if pkg is not None:  # None only on a time limit
            out[concept] = _solution(problem, concept, pkg, optimal, V, D, ideals)
            if not optimal and bounds and concept in bounds:
                out[concept] = replace(out[concept], bound=bounds[concept])
    return Solutions(
        problem.scenario.id,
        problem.as_of,
        True,
        out,
        {problem.parties[p].id: ideals[p] / SCALE for p in ideals if p in (proven or ())},
        complete=len(out) == len(wanted),
    )


def _maximise(problem: Problem, V: list[int], objective: Any, deadline: float | None) -> Any:
    cp = CpModel(problem, utility_parties=V)
    expr = objective(cp)
    return cp.solve(maximize=expr if V else None, time_limit=_left(deadline))


def _most_efficient(
    problem: Problem, V: list[int], D: dict[int, int], floor: int, best: Any, deadline: float | None
) -> Any:
    """A package with every gain ≥ ``floor`` and the largest total utility (Pareto-optimal)."""
    cp = CpModel(problem, utility_parties=V)
    for p in V:
        cp.model.add(cp.U[p] - D[p] >= floor)
    sol = cp.solve(maximize=sum(cp.U[p] for p in V), time_limit=_left(deadline), hint=best)
    return sol.package if sol.status == "optimal" else best


def _min_gain(cp: CpModel, V: list[int], D: dict[int, int]) -> Any:
    t = cp.model.new_int_var(-2 * SCALE, 2 * SCALE, "t")
    for p in V:
        cp.model.add(t <= cp.U[p] - D[p])
    return t


def objective_value(
    problem: Problem,
    concept: str,
    package: list[int],
    V: list[int],
    ideals: dict[int, int],
) -> Fraction | None:
    """The exact objective of ``concept`` at ``package`` (in utility units)."""
    utils = problem.utility(package)
    gains = {p: Fraction(utils[p] - int(problem.reservations[p]), SCALE) for p in V}
    if concept == "utilitarian":
        return Fraction(sum(utils[p] for p in V), SCALE)
    if concept == "egalitarian":
        return min(gains.values(), default=None)
    if concept == "nash":
        return math.prod(gains.values()) if V else None
    ratios = [
        Fraction(utils[p] - int(problem.reservations[p]), ideals[p] - int(problem.reservations[p]))
        for p in V
        if ideals.get(p, 0) > problem.reservations[p]
    ]
    return min(ratios, default=None)


def _solution(
    problem: Problem,
    concept: str,
    package: list[int],
    optimal: bool,
    V: list[int],
    D: dict[int, int],
    ideals: dict[int, int],
) -> Solution:
    value = objective_value(problem, concept, package, V, ideals)
    utils = problem.utility(package)
    return Solution(
        concept,
        float(value) if value is not None else None,
        {p.id: utils[k] / SCALE for k, p in enumerate(problem.parties)},
        problem.package_json(package),
        optimal,
        package,
        problem.objections_to(package),
    )


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.01, deadline - time.monotonic())
