"""Offers made by the engine: never by enumerating the outcome space.

Each party gets one CP-SAT model (:class:`zopa.engine.cpsat.CpModel`), compiled
once and re-solved every time it proposes:

* **hard**: the party's own red lines in force and its reservation, and
  ``U_self ≥ target`` (the target is written into the bounds of ``U_self``, so
  nothing is rebuilt between rounds);
* **objective**, lexicographic through integer weights:
  1. as many of the other veto parties' red lines as possible (public
     positions; with the full-information model also their reservations),
  2. the largest estimated utility of the other veto parties together, under
     the opponent model (:mod:`zopa.simulate.opponent`),
  3. the proposer's own utility (ties of the first two).

This is the classic time-dependent offering ("a bid near the target utility,
the best one for the opponent": Faratin, Sierra & Jennings 1998; the
trade-off mechanism of Faratin, Sierra & Jennings, *AIJ* 142, 2002) made exact
over a combinatorial space.  Orders 2 and 3 are computed on a coarse grid of
1/1000 of a utility unit; the hard constraints are exact.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from zopa import rules
from zopa.engine.cpsat import CpModel
from zopa.problem import Problem
from zopa.simulate.opponent import FrequencyModel, TrueModel, total, true_scores

# Measured on the built-in scenario (100 rounds, 4 parties): these settings make a
# re-solve 2-3x faster than CP-SAT's defaults; the models are small and re-solved often.
SOLVER = {
    "linearization_level": 2,
    "cp_model_probing_level": 0,
    "symmetry_level": 0,
    "use_sat_inprocessing": False,
}


class OfferMaker:
    """The offers of one party (``model``: ``frequency`` or ``full``)."""

    def __init__(self, problem: Problem, party: int, model: str = "frequency") -> None:
        self.problem = problem
        self.me = party
        pid = problem.parties[party].id
        cp = CpModel(problem, constraints=[], utility_parties=[party])
        for red, bound in problem.red_lines:
            if red.party == pid:
                cp.post(bound)
        cp.post(rules.UtilityAtom(party, ">=", int(problem.reservations[party])))
        self.cp = cp
        self.others = [q for q in problem.veto_parties if q != party]
        theirs = {problem.parties[q].id for q in self.others}
        goals = [
            c
            for c in problem.constraints
            if c.party in theirs and (c.kind == "red_line" or model == "full")
        ]
        self.goals = [cp.literal(c.bound) for c in goals]
        self.models: dict[int, FrequencyModel | TrueModel] = {
            q: FrequencyModel(problem) if model == "frequency" else TrueModel(problem, q)
            for q in self.others
        }
        self.cells = [(i, o) for i, xs in enumerate(cp.x) for o in range(len(xs))]
        self.literals = [x for xs in cp.x for x in xs]
        self.own = true_scores(problem, party)
        self.own_top = total(self.own, problem.sizes)
        self._last: list[int] | None = None
        self._cache: dict[tuple[int, bytes], list[int]] = {}
        best = cp.solve(maximize=cp.U[party])
        self.best_utility = None if best.package is None else problem.utility(best.package)[party]

    def observe(self, party: int, package: Sequence[int]) -> None:
        """Learn from an offer of another party."""
        if party in self.models:
            self.models[party].observe(package)

    def propose(self, target: int) -> list[int] | None:
        """A package with ``U_self ≥ target`` that is best for the others (see the module)."""
        if self.best_utility is None:
            return None
        target = max(int(self.problem.reservations[self.me]), min(int(target), self.best_utility))
        theirs = sum((m.scores() for m in self.models.values()), np.zeros_like(self.own))
        weight = self.own_top + 1  # one point for the others outweighs all the proposer's own
        cells = weight * theirs + self.own
        goal_weight = weight * total(theirs, self.problem.sizes) + self.own_top + 1
        key = (target, cells.tobytes())
        if key not in self._cache:
            self._cache[key] = self._solve(target, cells, goal_weight)
        self._last = self._cache[key]
        return list(self._last)

    def random(self, rng: random.Random) -> list[int] | None:
        """A random package the party accepts (random scores; not uniform over packages)."""
        if self.best_utility is None:
            return None
        cells = np.array(
            [[rng.randrange(1000) for _ in range(self.own.shape[1])] for _ in self.own]
        )
        return self._solve(int(self.problem.reservations[self.me]), cells, 0)

    def _solve(self, target: int, cells: np.ndarray, goal_weight: int) -> list[int]:
        cp = self.cp
        cp.U[self.me].proto.domain[0] = target  # U_self ≥ target, without rebuilding the model
        coeffs = [int(cells[i, o]) for i, o in self.cells] + [goal_weight] * len(self.goals)
        objective: Any = cp.cp.LinearExpr.weighted_sum(self.literals + self.goals, coeffs)
        solved = resolve(cp, objective, self._last)
        if solved.package is None:  # cannot happen: the best package meets every target
            raise RuntimeError(f"no offer found for target {target} ({solved.status})")
        return solved.package


def resolve(cp: CpModel, objective: Any, hint: Sequence[int | None] | None) -> Any:
    """Maximise ``objective`` from a hint (the chosen options only: cheaper than all)."""
    cp.model.clear_hints()
    for i, k in enumerate(hint or ()):
        if k is not None:
            cp.model.add_hint(cp.x[i][k], True)
    return cp.solve(maximize=objective, parameters=SOLVER)
