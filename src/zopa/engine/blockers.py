"""Is a deal possible, and if not, exactly what blocks it?

Answers ``zopa blockers``: feasibility of the agreement set, every
conflict (:mod:`zopa.engine.conflicts`), every concession
(:mod:`zopa.engine.concessions`), the blocking issues, and for conflicts
between numeric thresholds how far each threshold must move
(:mod:`zopa.engine.gaps`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from zopa.engine.concessions import enumerate_mcses, hitting_sets
from zopa.engine.conflicts import enumerate_muses
from zopa.engine.gaps import ThresholdGap, gaps
from zopa.engine.sat import SatModel, SatSolver
from zopa.problem import Constraint, Problem

DEFAULT_LIMIT = 1000  # conflicts and concessions, each
DEFAULT_TIME_LIMIT = 60.0  # seconds, each enumeration


@dataclass(frozen=True)
class Conflict:
    constraints: list[Constraint]
    issues: list[str]
    thresholds: list[ThresholdGap]

    @property
    def ids(self) -> list[str]:
        return sorted(c.id for c in self.constraints)

    def to_json(self) -> dict[str, Any]:
        return {
            "constraints": self.ids,
            "issues": self.issues,
            "red_lines": [
                _constraint_json(c) for c in sorted(self.constraints, key=lambda c: c.id)
            ],
            "thresholds": [g.to_json() for g in self.thresholds],
        }


@dataclass(frozen=True)
class Blockers:
    scenario: str
    as_of: Any
    feasible: bool
    conflicts: list[Conflict]
    concessions: list[list[Constraint]]
    blocking_issues: list[str]
    conflicts_complete: bool
    concessions_complete: bool
    concessions_complete_up_to: int
    example: dict[str, Any] | None = None  # a package every veto party accepts
    stats: dict[str, Any] = field(default_factory=dict)
    oracle_muses: list[frozenset[int]] = field(default_factory=list, repr=False)
    constraint_ids: list[str] = field(default_factory=list, repr=False)

    @property
    def complete(self) -> bool:
        return self.conflicts_complete and self.concessions_complete

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "feasible": self.feasible,
            "conflicts": [c.ids for c in self.conflicts],
            "concessions": [sorted(c.id for c in cs) for cs in self.concessions],
            "blocking_issues": self.blocking_issues,
            "complete": self.complete,
            "conflicts_complete": self.conflicts_complete,
            "concessions_complete": self.concessions_complete,
            "concessions_complete_up_to_size": self.concessions_complete_up_to,
            "explanations": [c.to_json() for c in self.conflicts],
            "example_package": self.example,
        }


def _constraint_json(c: Constraint) -> dict[str, Any]:
    red = c.red_line
    return {
        "id": c.id,
        "party": c.party,
        "kind": c.kind,
        "rule": red.rule if red else f"utility({c.party}) >= reservation",
        "text": c.text,
        "sources": red.sources if red else [],
        "reason": red.reason if red else None,  # as given on the analysis date (RedLine.view)
    }


def _order(sets: list[list[str]]) -> list[list[str]]:
    """The JSON order: ids sorted inside; lists by length, then lexicographically."""
    return sorted((sorted(s) for s in sets), key=lambda s: (len(s), s))


def blockers(
    problem: Problem,
    limit: int = DEFAULT_LIMIT,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    explain: bool = True,
    oracle: SatSolver | None = None,
    known: list[frozenset[int]] = (),
) -> Blockers:
    """Feasibility, all conflicts and all concessions of ``problem``'s constraints.

    ``oracle`` may be a solver built for a larger problem over the same
    scenario (every red line, as in :mod:`zopa.engine.timeline`); only the
    constraints of ``problem`` are then considered, and ``known`` conflicts of
    that oracle (as its constraint indices) are reused.
    """
    start = time.monotonic()
    own = oracle is None
    solver = SatModel(problem).solver() if oracle is None else oracle
    try:
        return _blockers(problem, solver, limit, time_limit, explain, start, known)
    finally:
        if own:
            solver.close()


def _blockers(
    problem: Problem,
    oracle: SatSolver,
    limit: int,
    time_limit: float | None,
    explain: bool,
    start: float,
    known: list[frozenset[int]] = (),
) -> Blockers:
    model = oracle.model
    slot = {c.id: k for k, c in enumerate(model.constraints)}
    universe = [slot[c.id] for c in problem.constraints]
    calls = oracle.calls
    feasible = oracle.check(universe)
    if feasible:
        return Blockers(
            problem.scenario.id,
            problem.as_of,
            True,
            [],
            [],
            [],
            True,
            True,
            0,
            problem.package_json(oracle.package()),
            {"seconds": time.monotonic() - start, "oracle_calls": oracle.calls - calls},
            [],
            [c.id for c in problem.constraints],
        )
    deadline = start + time_limit if time_limit else None  # one deadline for both searches
    muses = enumerate_muses(oracle, universe, limit, deadline, known)
    if muses.complete:  # duality: no more SAT calls needed
        mcses = hitting_sets(muses.muses, limit, deadline)
    else:
        mcses = enumerate_mcses(model, universe, limit, deadline)

    by_id = {c.id: c for c in problem.constraints}
    ids_of = [c.id for c in model.constraints]
    conflicts = []
    for ids in _order([[ids_of[k] for k in m] for m in muses.muses]):
        members = [by_id[i] for i in ids]
        issues = sorted(
            {problem.issues[i].id for c in members for i in c.issues},
            key=lambda s: problem.issue_index[s],
        )
        conflicts.append(Conflict(members, issues, gaps(problem, members) if explain else []))
    found = [frozenset(m) for m in muses.muses]
    concessions = [
        [by_id[i] for i in ids] for ids in _order([[ids_of[k] for k in m] for m in mcses.mcses])
    ]
    blocking = sorted({i for c in conflicts for i in c.issues})
    return Blockers(
        problem.scenario.id,
        problem.as_of,
        False,
        conflicts,
        concessions,
        blocking,
        muses.complete,
        mcses.complete,
        mcses.complete_up_to,
        None,
        {"seconds": time.monotonic() - start, "oracle_calls": oracle.calls - calls},
        found,
        [c.id for c in problem.constraints],
    )


def explained(problem: Problem, result: Blockers) -> Blockers:
    """``result`` with the threshold gaps of its conflicts (when computed without them)."""
    conflicts = [
        Conflict(c.constraints, c.issues, gaps(problem, c.constraints)) for c in result.conflicts
    ]
    return dataclasses.replace(result, conflicts=conflicts, as_of=problem.as_of)
