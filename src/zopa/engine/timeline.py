"""The negotiation over time: every draft, as of its own date (``zopa timeline``).

For each draft: how many points it addresses, how many every veto party
reported as agreed, whether any deal is possible on that date and which
issues block one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zopa.engine.blockers import Blockers, blockers
from zopa.engine.sat import SatModel, SatSolver
from zopa.model import Draft, Scenario
from zopa.problem import Problem


@dataclass(frozen=True)
class Entry:
    draft: str
    title: str | None
    date: Any
    points: int
    agreed: int
    feasible: bool
    blocking_issues: list[str]
    conflicts: list[list[str]]
    complete: bool
    blockers: Blockers | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "draft": self.draft,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "points": self.points,
            "agreed": self.agreed,
            "feasible": self.feasible,
            "blocking_issues": self.blocking_issues,
            "conflicts": self.conflicts,
            "complete": self.complete,
        }


def agreed_points(problem: Problem, draft: Draft) -> int:
    """Points of the draft that every veto party reported as agreed."""
    veto = [problem.parties[p].id for p in problem.veto_parties]
    return sum(
        1
        for issue in draft.package
        if veto and all(draft.positions.get(p, {}).get(issue) == "agreed" for p in veto)
    )


def timeline(
    scenario: Scenario,
    time_limit: float | None = None,
    base: Problem | None = None,
    oracle: SatSolver | None = None,
    known: list[frozenset[int]] = (),
) -> list[Entry]:
    """One entry per draft, oldest first, each analysed as of the draft's date.

    One SAT model of every red line serves all dates, and the conflicts found
    on one date are reused on the next (a conflict stays a conflict whatever
    else is in force).  ``base`` may pass a compiled problem of the scenario
    to reuse its utility tables; ``oracle`` a solver already built over
    ``base.at(None)`` and ``known`` conflicts it found.
    """
    if not scenario.drafts:
        return []
    everything = (base or Problem(scenario, None)).at(None)
    if oracle is None:
        with SatModel(everything).solver() as own:
            return _entries(scenario, everything, own, time_limit, list(known))
    return _entries(scenario, everything, oracle, time_limit, list(known))


def _entries(
    scenario: Scenario,
    everything: Problem,
    oracle: SatSolver,
    time_limit: float | None,
    known: list[frozenset[int]],
) -> list[Entry]:
    seen: dict[tuple[str, ...], Blockers] = {}  # drafts on dates with the same red lines
    out = []
    for draft in scenario.drafts:
        problem = everything.at(draft.date)
        key = tuple(c.id for c in problem.constraints)
        if key not in seen:
            seen[key] = blockers(
                problem, time_limit=time_limit, explain=False, oracle=oracle, known=known
            )
            known += [m for m in seen[key].oracle_muses if m not in known]
        out.append(_entry(problem, draft, seen[key]))
    return out


def _entry(problem: Problem, draft: Draft, result: Blockers) -> Entry:
    return Entry(
        draft.id,
        draft.title,
        draft.date,
        len(draft.package),
        agreed_points(problem, draft),
        result.feasible,
        result.blocking_issues,
        [c.ids for c in result.conflicts],
        result.conflicts_complete,
        result,
    )
