"""The smallest amendment of a draft that every veto party accepts (docs/explanation/concepts.md).

A lexicographic optimisation in CP-SAT: first minimise the number of the
draft's points that change (points the draft leaves open are free and do not
count), then, among the packages with that many changes, maximise the Nash
product with the exact method of :mod:`zopa.engine.nash`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from zopa.engine.cpsat import CpModel
from zopa.engine.nash import nash
from zopa.model import Draft
from zopa.problem import SCALE, Problem


@dataclass(frozen=True)
class Amendment:
    scenario: str
    draft: str
    as_of: Any
    feasible: bool | None  # None: undecided when a time limit stopped the search
    package: dict[str, Any] | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    filled: list[dict[str, Any]] = field(default_factory=list)  # points the draft left open
    utilities: dict[str, float] = field(default_factory=dict)
    nash_product: float | None = None
    optimal: bool = True
    objections: list[str] = field(default_factory=list)  # violated red lines of non-veto parties

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "draft": self.draft,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "feasible": self.feasible,
            "package": self.package,
            "changes": self.changes,
            "filled": self.filled,
            "utilities": self.utilities,
            "nash_product": self.nash_product,
            "optimal": self.optimal,
            "objections": self.objections,
        }


def no_draft(problem: Problem) -> str:
    """Why there is no draft to amend: none in the scenario, or none tabled by the date."""
    dated = sorted(d.date for d in problem.scenario.drafts if d.date is not None)
    if not problem.scenario.drafts:
        return "the scenario has no drafts to amend"
    when = problem.as_of.isoformat() if problem.as_of else "that date"
    first = f" (the first is dated {dated[0].isoformat()})" if dated else ""
    return f"no draft had been tabled by {when}{first}: nothing to amend"


def amend(problem: Problem, draft: Draft, time_limit: float | None = None) -> Amendment:
    """Fewest changed points of ``draft`` that make it acceptable; ties by Nash product."""
    begun = time.monotonic()
    start = problem.package_indices(draft.package)
    V = problem.veto_parties
    cp = CpModel(problem, utility_parties=V)
    changes = cp.changes_from(start)
    first = cp.solve(maximize=-changes, time_limit=time_limit)
    if first.package is None:  # no package at all, or none found before the time ran out
        proven = first.status == "infeasible"
        feasible = False if proven else None
        return Amendment(problem.scenario.id, draft.id, problem.as_of, feasible, optimal=proven)
    fewest = -first.objective if first.objective is not None else 0

    def same_changes(model: CpModel) -> None:
        model.model.add(model.changes_from(start) == fewest)

    left = None if time_limit is None else max(0.01, begun + time_limit - time.monotonic())
    best = nash(problem, V, extra=[same_changes], time_limit=left)  # the same deadline
    package = best.package or first.package
    optimal = first.status == "optimal" and best.optimal
    utils = problem.utility(package)
    return Amendment(
        problem.scenario.id,
        draft.id,
        problem.as_of,
        True,
        problem.package_json(package),
        [
            {
                "issue": issue.id,
                "from": issue.option_json(k0),
                "to": issue.option_json(package[i]),
            }
            for i, (issue, k0) in enumerate(zip(problem.issues, start, strict=True))
            if k0 is not None and package[i] != k0
        ],
        [
            {"issue": issue.id, "to": issue.option_json(package[i])}
            for i, (issue, k0) in enumerate(zip(problem.issues, start, strict=True))
            if k0 is None
        ],
        {p.id: utils[k] / SCALE for k, p in enumerate(problem.parties)},
        best.product / SCALE ** len(V) if V else None,
        optimal,
        problem.objections_to(package),
    )
