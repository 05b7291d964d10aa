"""Offers made by the engine: never by enumerating the outcome space.

Each party gets one CP-SAT model (:class:`zopa.engine.cpsat.CpModel`), compiled
once and re-solved every time it proposes:

* **hard**: the party's own red lines in force and its reservation, and
  ``U_self ≥ target`` (the target is written into the bounds of ``U_self``, so
  nothing is rebuilt between rounds);
* **objective**, lexicographic through integer weights:
  1. the other veto parties' red lines (public positions; with the
     full-information model also their reservations): first the fewest broken
     for the party with the most broken, then the fewest broken in all (so
     that no side's red lines count for more because it has allies or more
     of them),
  2. the estimated utilities of the other veto parties under the opponent
     model (:mod:`zopa.simulate.opponent`): first the least of them (concede
     to the party furthest from agreeing), then their total,
  3. the proposer's own utility (ties of the first two).

This is the classic time-dependent offering ("a bid near the target utility,
the best one for the opponent": Faratin, Sierra & Jennings 1998; the
trade-off mechanism of Faratin, Sierra & Jennings, *AIJ* 142, 2002) made exact
over a combinatorial space.  Orders 2 and 3 are computed on a coarse grid of
1/1000 of a utility unit; the hard constraints are exact.  Scores that change
between rounds are written into the model in place (:class:`Floor`), so one
model serves the whole negotiation.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from zopa import rules
from zopa.engine.cpsat import CpModel
from zopa.problem import Problem
from zopa.simulate.opponent import COARSE, FrequencyModel, TrueModel, total, true_scores

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
        self.worst = worst_broken(cp, [c.party for c in goals], self.goals)
        self.models: dict[int, FrequencyModel | TrueModel] = {
            q: FrequencyModel(problem) if model == "frequency" else TrueModel(problem, q)
            for q in self.others
        }
        self.cells = [(i, o) for i, xs in enumerate(cp.x) for o in range(len(xs))]
        self.literals = [x for xs in cp.x for x in xs]
        # the least estimated score of any other veto party, through rewritable constraints
        self.least = cp.model.new_int_var(0, 2 * COARSE, "least")
        self.floors = {q: Floor(cp, self.least, self.literals) for q in self.others}
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
        scores = {q: m.scores() for q, m in self.models.items()}
        key = (target, b"".join(s.tobytes() for s in scores.values()))
        if key not in self._cache:
            self._cache[key] = self._solve(target, scores)
        self._last = self._cache[key]
        return list(self._last)

    def random(self, rng: random.Random) -> list[int] | None:
        """A random package the party accepts (random scores; not uniform over packages)."""
        if self.best_utility is None:
            return None
        width = self.own.shape[1]
        own = np.array([[rng.randrange(COARSE) for _ in range(width)] for _ in self.own])
        return self._solve(int(self.problem.reservations[self.me]), {}, own)

    def _solve(
        self, target: int, scores: dict[int, np.ndarray], own: np.ndarray | None = None
    ) -> list[int]:
        """Maximise, in this order: the worst-off party's red lines, all their red lines,
        the least and the total of their scores, then ``own`` (default: the true one)."""
        cp, sizes = self.cp, self.problem.sizes
        cp.U[self.me].proto.domain[0] = target  # U_self ≥ target, without rebuilding the model
        own = self.own if own is None else own
        theirs = sum(scores.values(), np.zeros_like(self.own))
        for q, floor in self.floors.items():
            floor.set([int(scores[q][i, o]) if q in scores else 0 for i, o in self.cells])
        w_sum, w_least, w_goal, w_worst = lexicographic(
            [total(own, sizes), total(theirs, sizes), 2 * COARSE, len(self.goals)]
        )
        if not scores:  # the random baseline: its own random scores only
            w_sum = w_least = w_goal = w_worst = 0
        cells = w_sum * theirs + own
        objective: Any = cp.cp.LinearExpr.weighted_sum(
            [*self.literals, self.least, *self.goals, self.worst],
            [
                *(int(cells[i, o]) for i, o in self.cells),
                w_least,
                *[w_goal] * len(self.goals),
                -w_worst,
            ],
        )
        solved = resolve(cp, objective, self._last)
        if solved.package is None:  # cannot happen: the best package meets every target
            raise RuntimeError(f"no offer found for target {target} ({solved.status})")
        return solved.package


def lexicographic(spans: Sequence[int]) -> list[int]:
    """Integer weights for terms ranked from least to most important, given the range of
    each (the first term has weight 1): every weight outweighs all the terms below it."""
    weights, below = [], spans[0] if spans else 0
    for span in spans[1:]:
        weights.append(below + 1)
        below += weights[-1] * span
    weights.append(below + 1)
    return weights


class Floor:
    """The constraint ``var ≤ Σ score·x`` over the option literals, its scores rewritten
    in place before each solve (the model keeps its shape)."""

    def __init__(self, cp: CpModel, var: Any, literals: Sequence[Any]) -> None:
        placeholder = cp.cp.LinearExpr.weighted_sum(list(literals), [1] * len(literals))
        index = cp.model.add(var <= placeholder).index
        self.linear = cp.model.proto.constraints[index].linear
        position = {int(v): k for k, v in enumerate(self.linear.vars)}
        self.slots = [position[lit.index] for lit in literals]
        self.signs = [int(self.linear.coeffs[k]) for k in self.slots]  # ±1, as CP-SAT wrote it

    def set(self, scores: Sequence[int]) -> None:
        for k, sign, score in zip(self.slots, self.signs, scores, strict=True):
            self.linear.coeffs[k] = sign * score


def resolve(cp: CpModel, objective: Any, hint: Sequence[int | None] | None) -> Any:
    """Maximise ``objective`` from a hint (the chosen options only: cheaper than all)."""
    cp.model.clear_hints()
    for i, k in enumerate(hint or ()):
        if k is not None:
            cp.model.add_hint(cp.x[i][k], True)
    return cp.solve(maximize=objective, parameters=SOLVER)


def worst_broken(cp: CpModel, owners: Sequence[str], goals: Sequence[Any]) -> Any:
    """A variable at least the number of broken goals of each owner (minimised: the worst-off)."""
    count: dict[str, list[Any]] = {}
    for owner, lit in zip(owners, goals, strict=True):
        count.setdefault(owner, []).append(lit)
    worst = cp.model.new_int_var(0, max((len(v) for v in count.values()), default=0), "worst")
    for lits in count.values():
        cp.model.add(worst >= len(lits) - sum(lits))
    return worst
