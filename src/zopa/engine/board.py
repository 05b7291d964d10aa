"""The status board of a draft: each point, the draft's option, each party's
reported stance, and the red lines the draft violates.

No solver is needed: red lines are evaluated on the draft package with
three-valued logic, so a red line that depends on a point the draft leaves
open is reported as *undetermined* rather than guessed.

Stances are shown as reported by the board's date, each with its date and
sources; a point on which a party's stance was not reported is *not
reported*, which is not disagreement.  :func:`party_stances` sums them up per
party (which points it is reported to accept, reject or leave open): the
same summary serves the board and the timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from zopa import rules
from zopa.model import Draft, StanceView
from zopa.problem import Problem

Status = Literal["holds", "violated", "undetermined"]


@dataclass(frozen=True)
class RedLineStatus:
    id: str
    party: str
    veto: bool
    status: Status
    issues: tuple[str, ...]
    text: str
    reason: str | None = None  # the reason its party gives, as worded on the board's date

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "party": self.party,
            "veto": self.veto,
            "status": self.status,
            "issues": list(self.issues),
            "text": self.text,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Row:
    issue: str
    title: str
    point: Any
    option: Any  # option id or number; None when the draft leaves the point open
    option_label: str | None
    positions: dict[str, str | None]
    violated: tuple[str, ...]
    stances: dict[str, StanceView | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "title": self.title,
            "point": self.point,
            "option": self.option,
            "option_label": self.option_label,
            "positions": self.positions,
            "stances": {p: v.to_json() if v else None for p, v in self.stances.items()},
            "red_lines_violated": list(self.violated),
        }


@dataclass(frozen=True)
class PartyStances:
    """The points of a draft a party is reported to accept, reject or leave open by a date."""

    party: str
    veto: bool
    agreed: list[str]
    rejected: list[str]
    open: list[str]
    not_reported: list[str]
    sources: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "veto": self.veto,
            "agreed": self.agreed,
            "rejected": self.rejected,
            "open": self.open,
            "not_reported": self.not_reported,
            "sources": self.sources,
        }

    def counts(self) -> str:
        """``3 agreed, 1 rejected, 2 open, 5 not reported``."""
        parts = [
            (len(self.agreed), "agreed"),
            (len(self.rejected), "rejected"),
            (len(self.open), "open"),
            (len(self.not_reported), "not reported"),
        ]
        return ", ".join(f"{n} {word}" for n, word in parts)


def party_stances(problem: Problem, draft: Draft) -> list[PartyStances]:
    """Per party, the draft's points by reported stance as of the problem's date.

    The points are those the draft settles and any other point a stance is
    recorded on (:meth:`zopa.model.Draft.points`).
    """
    points = draft.points()
    out = []
    for k, party in enumerate(problem.parties):
        by: dict[str, list[str]] = {"agreed": [], "rejected": [], "open": [], "none": []}
        cited: list[str] = []
        for issue in points:
            view = problem.stance(draft, party.id, issue)
            by[view.stance if view else "none"].append(issue)
            cited += view.sources if view else []
        out.append(
            PartyStances(
                party.id,
                problem.veto[k],
                by["agreed"],
                by["rejected"],
                by["open"],
                by["none"],
                list(dict.fromkeys(cited)),
            )
        )
    return out


@dataclass(frozen=True)
class Board:
    draft: str | None
    title: str | None
    date: dt.date | None
    as_of: dt.date | None
    rows: list[Row]
    red_lines: list[RedLineStatus] = field(default_factory=list)
    parties: list[PartyStances] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "draft": self.draft,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "rows": [r.to_json() for r in self.rows],
            "red_lines": [r.to_json() for r in self.red_lines],
            "parties": [p.to_json() for p in self.parties],
        }


def board(problem: Problem, draft: Draft | None) -> Board:
    """The board of ``draft`` (or of an empty package when there is none)."""
    package = problem.package_indices(draft.package) if draft else [None] * problem.n_issues
    complete = all(k is not None for k in package)
    utilities = problem.utility(package) if complete else None  # type: ignore[arg-type]
    statuses: list[RedLineStatus] = []
    for red, bound in problem.red_lines:
        value = rules.evaluate_partial(bound, package, utilities)
        status: Status = "undetermined" if value is None else ("holds" if value else "violated")
        named = sorted(rules.issues_of(bound))
        statuses.append(
            RedLineStatus(
                red.id,
                red.party,
                problem.veto[problem.party_index[red.party]],
                status,
                tuple(problem.issues[i].id for i in named),
                red.text or red.rule,
                red.reason,
            )
        )
    rows = []
    for i, issue in enumerate(problem.issues):
        k = package[i]
        stances = {
            p.id: (problem.stance(draft, p.id, issue.id) if draft else None)
            for p in problem.parties
        }
        positions = {p: (v.stance if v else None) for p, v in stances.items()}
        violated = tuple(s.id for s in statuses if s.status == "violated" and issue.id in s.issues)
        rows.append(
            Row(
                issue.id,
                issue.title or issue.id,
                (issue.meta or {}).get("point") if isinstance(issue.meta, dict) else None,
                issue.option_json(k) if k is not None else None,
                issue.label(k) if k is not None else None,
                positions,
                violated,
                stances,
            )
        )
    return Board(
        draft.id if draft else None,
        draft.title if draft else None,
        draft.date if draft else None,
        problem.as_of,
        rows,
        statuses,
        party_stances(problem, draft) if draft else [],
    )
