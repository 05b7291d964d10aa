"""The negotiation over time: every draft, as of its own date (``zopa timeline``).

For each draft: how many points it addresses, whether any deal is possible on
that date and which issues block one, and what each party is reported to have
said about the draft's points (agreed, rejected, open or not reported), with
the sources.  Stances are reactions to a draft and come after it, so they are
read as the record stood on the timeline's own date (``stances_as_of``: the
analysis date, or None for everything recorded), never later; drafts dated
after that date are left out.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from zopa.engine.blockers import Blockers, blockers
from zopa.engine.board import PartyStances, party_stances
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
    parties: list[PartyStances] = field(default_factory=list)
    stances_as_of: Any = None

    @property
    def stance_points(self) -> int:
        """The points the stances cover: the draft's own and any other point a party is
        reported to take a stance on (:meth:`zopa.model.Draft.points`), so at least
        ``points``."""
        if not self.parties:
            return self.points
        p = self.parties[0]
        return len(p.agreed) + len(p.rejected) + len(p.open) + len(p.not_reported)

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
            "stances_as_of": self.stances_as_of.isoformat() if self.stances_as_of else None,
            "parties": [p.to_json() for p in self.parties],
            "stance_points": self.stance_points,
        }


def agreed_points(problem: Problem, draft: Draft) -> int:
    """Points of the draft that every veto party reported as agreed by the problem's date."""
    veto = [problem.parties[p].id for p in problem.veto_parties]
    return sum(
        1
        for issue in draft.package
        if veto and all(_stance(problem, draft, p, issue) == "agreed" for p in veto)
    )


def _stance(problem: Problem, draft: Draft, party: str, issue: str) -> str | None:
    view = problem.stance(draft, party, issue)
    return view.stance if view else None


def timeline(
    scenario: Scenario,
    time_limit: float | None = None,
    base: Problem | None = None,
    oracle: SatSolver | None = None,
    known: list[frozenset[int]] = (),
    as_of: dt.date | None = None,
) -> list[Entry]:
    """One entry per draft tabled by ``as_of``, oldest first, each analysed as of its date.

    Stances are read as reported by ``as_of`` (None: everything recorded).
    One SAT model of every red line serves all dates, and the conflicts found
    on one date are reused on the next (a conflict stays a conflict whatever
    else is in force).  ``base`` may pass a compiled problem of the scenario
    to reuse its utility tables; ``oracle`` a solver already built over
    ``base.at(None)`` and ``known`` conflicts it found.
    """
    drafts = [d for d in scenario.drafts if as_of is None or d.date is None or d.date <= as_of]
    if not drafts:
        return []
    everything = (base or Problem(scenario, None)).at(None)
    if oracle is None:
        with SatModel(everything).solver() as own:
            return _entries(drafts, everything, own, time_limit, list(known), as_of)
    return _entries(drafts, everything, oracle, time_limit, list(known), as_of)


def _entries(
    drafts: list[Draft],
    everything: Problem,
    oracle: SatSolver,
    time_limit: float | None,
    known: list[frozenset[int]],
    as_of: dt.date | None,
) -> list[Entry]:
    seen: dict[tuple[str, ...], Blockers] = {}  # drafts on dates with the same red lines
    record = everything.at(as_of)  # the stances as reported by the timeline's date
    out = []
    deadline = time.monotonic() + time_limit if time_limit else None  # one for every date
    for draft in drafts:
        problem = everything.at(draft.date)
        key = tuple(c.id for c in problem.constraints)
        if key not in seen:
            left = None if deadline is None else max(0.001, deadline - time.monotonic())
            seen[key] = blockers(
                problem, time_limit=left, explain=False, oracle=oracle, known=known
            )
            known += [m for m in seen[key].oracle_muses if m not in known]
        out.append(_entry(record, draft, seen[key]))
    return out


def _entry(record: Problem, draft: Draft, result: Blockers) -> Entry:
    return Entry(
        draft.id,
        draft.title,
        draft.date,
        len(draft.package),
        agreed_points(record, draft),
        result.feasible,
        result.blocking_issues,
        [c.ids for c in result.conflicts],
        result.conflicts_complete,
        result,
        party_stances(record, draft),
        record.as_of,
    )
