"""The standoff of a negotiation as a graph model: who can gain by giving way, and when.

From a ``zopa/1`` scenario without a deal, as of its date:

* the **decision makers** are the veto parties with a red line in some conflict;
* each one's **options** are to *set aside* each of its red lines that take part
  in a conflict (one option per red line; ``Y`` = set aside);
* a **state** says which red lines are set aside; the status quo is holding firm
  (none set aside);
* each party's **preference** over states is its utility in the outcome the state
  leads to: the Nash bargaining package over the packages acceptable under the red
  lines still held (every reservation kept), or its reservation when no package
  is acceptable.

Why the Nash package.  It is the one bargaining solution that is invariant to how
each party's utility is scaled and symmetric between the parties (Nash 1950), so
the derived preferences do not depend on arbitrary calibration; it is also the
outcome of alternating-offers bargaining as patience grows (Binmore, Rubinstein &
Wolinsky 1986).  The alternatives — ``utilitarian``, ``egalitarian``,
``kalai_smorodinsky`` (docs/explanation/concepts.md) — are selectable: the first two depend on the
scale of utilities, and Kalai–Smorodinsky on the best each party could get.

Exactness and cost.  Whether a state allows a deal is decided by the conflicts
(the state must set aside at least one red line of every conflict; exact when the
conflict enumeration is complete, otherwise the engine is asked).  Each state
with a deal needs one engine call, cached: for the rules that maximise one
objective over the agreement set (Nash, utilitarian, egalitarian), a package
optimal for a larger agreement set that is acceptable in a smaller one is
optimal there too, so states are visited from the most red lines set aside to
the fewest and an earlier optimum is reused whenever it is still acceptable.
The number of engine calls is reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zopa.engine.blockers import blockers
from zopa.engine.nash import nash
from zopa.engine.solutions import solve
from zopa.gmcr.model import MAX_OPTIONS, DecisionMaker, GraphModel, ModelLimit, Option, dense_ranks
from zopa.model import Scenario
from zopa.problem import SCALE, Problem

RULES = ("nash", "utilitarian", "egalitarian", "kalai_smorodinsky")
REUSABLE = frozenset({"nash", "utilitarian", "egalitarian"})  # one objective over the set


@dataclass
class Outcome:
    deal: bool
    utilities: list[int]  # integer utilities of every party (see zopa.problem)
    package: list[int] | None = None
    optimal: bool = True
    solved_here: bool = False  # this state needed its own engine call


@dataclass
class Standoff:
    scenario: Scenario
    as_of: dt.date | None
    rule: str
    problem: Problem
    feasible: bool  # a deal exists already: no standoff
    model: GraphModel | None
    outcomes: list[Outcome] = field(default_factory=list)
    engine_calls: int = 0
    conflicts: list[list[str]] = field(default_factory=list)
    complete: bool = True
    bystanders: list[str] = field(default_factory=list)  # veto parties with nothing to set aside

    @property
    def deals(self) -> int:
        return sum(o.deal for o in self.outcomes)

    def utility(self, state: int, party: str) -> float:
        return self.outcomes[state].utilities[self.problem.party_index[party]] / SCALE

    def package(self, state: int) -> dict[str, Any] | None:
        pkg = self.outcomes[state].package
        return None if pkg is None else self.problem.package_json(pkg)


def standoff(
    scenario: Scenario,
    as_of: dt.date | None = None,
    draft: str | None = None,
    rule: str = "nash",
    time_limit: float | None = None,
) -> Standoff:
    """The graph model of the standoff, with the outcome of every state."""
    problem, _ = Problem.for_draft(scenario, draft, as_of)
    return derive(problem, rule, time_limit)


def derive(problem: Problem, rule: str = "nash", time_limit: float | None = None) -> Standoff:
    """The standoff of a problem (a scenario as of a date, as the web app holds it)."""
    if rule not in RULES:
        raise ValueError(f"unknown outcome rule {rule!r} (known: {', '.join(RULES)})")
    scenario = problem.scenario
    found = blockers(problem, explain=False)
    if found.feasible:
        return Standoff(scenario, problem.as_of, rule, problem, True, None)
    conflicts = [[c.id for c in conflict.constraints] for conflict in found.conflicts]
    in_conflict = {cid for ids in conflicts for cid in ids}
    red = [c for c in problem.constraints if c.kind == "red_line" and c.id in in_conflict]
    movers = [p for p in problem.veto_parties if any(c.party == problem.parties[p].id for c in red)]
    if not red:  # every conflict is between reservations: nothing to set aside
        return Standoff(scenario, problem.as_of, rule, problem, False, None, conflicts=conflicts)
    if len(red) > MAX_OPTIONS:
        raise ModelLimit(
            f"{len(red)} red lines take part in conflicts: 2^{len(red)} states; the limit is "
            f"{MAX_OPTIONS} red lines"
        )
    options: list[Option] = []
    dms: list[DecisionMaker] = []
    for k, p in enumerate(movers):
        party = problem.parties[p]
        first = len(options)
        options += [Option(c.id, c.text, k) for c in red if c.party == party.id]
        dms.append(DecisionMaker(party.id, party.label, tuple(range(first, len(options)))))
    ids = [o.id for o in options]
    m = len(options)
    codes = np.arange(1 << m, dtype=np.int64)
    outcomes, calls = _outcomes(problem, ids, conflicts, found.conflicts_complete, rule, time_limit)
    utilities = np.array([o.utilities for o in outcomes], dtype=np.int64)  # (states, parties)
    ranks = np.stack([dense_ranks(utilities[:, p]) for p in movers])
    model = GraphModel(
        id=f"{scenario.id}-standoff",
        title=f"The standoff in {scenario.title or scenario.id}",
        dms=tuple(dms),
        options=tuple(options),
        codes=codes,
        ranks=ranks,
        status_quo=0,
    )
    bystanders = [problem.parties[p].id for p in problem.veto_parties if p not in movers]
    return Standoff(
        scenario,
        problem.as_of,
        rule,
        problem,
        False,
        model,
        outcomes,
        calls,
        conflicts,
        found.conflicts_complete and all(o.optimal for o in outcomes),
        bystanders,
    )


def _outcomes(
    problem: Problem,
    ids: list[str],
    conflicts: list[list[str]],
    conflicts_complete: bool,
    rule: str,
    time_limit: float | None,
) -> tuple[list[Outcome], int]:
    m = len(ids)
    no_deal = [int(d) for d in problem.reservations]
    out: list[Outcome | None] = [None] * (1 << m)
    solved: list[tuple[frozenset[str], list[int]]] = []  # (set aside, optimal package)
    calls = 0
    # the most red lines set aside first: their optima may serve the states below them
    for code in sorted(range(1 << m), key=lambda c: (-c.bit_count(), c)):
        aside = frozenset(ids[k] for k in range(m) if code >> k & 1)
        if conflicts_complete and not all(aside & set(c) for c in conflicts):
            out[code] = Outcome(False, no_deal)
            continue
        relaxed = problem.without(aside)
        reuse = None
        if rule in REUSABLE:
            reuse = next(
                (
                    pkg
                    for done, pkg in solved
                    if aside <= done and bool(relaxed.agreement_mask(np.array([pkg]))[0])
                ),
                None,
            )
        if reuse is not None:
            out[code] = Outcome(True, relaxed.utility(reuse), reuse)
            continue
        calls += 1
        pkg, optimal = _solve(relaxed, rule, time_limit)
        if pkg is None:
            out[code] = Outcome(False, no_deal, optimal=optimal, solved_here=True)
            continue
        out[code] = Outcome(True, relaxed.utility(pkg), pkg, optimal, solved_here=True)
        if optimal:
            solved.append((aside, pkg))
    return [o for o in out if o is not None], calls


def _solve(problem: Problem, rule: str, time_limit: float | None) -> tuple[list[int] | None, bool]:
    """One engine call: the outcome rule's package over the agreement set (None: no deal)."""
    if rule == "nash":
        result = nash(problem, time_limit=time_limit)
        return result.package, result.optimal
    solutions = solve(problem, [rule], time_limit=time_limit)
    if not solutions.feasible:
        return None, True
    sol = solutions.solutions.get(rule)
    if sol is None:
        return None, False
    return list(sol.indices), sol.optimal
