"""The status board of a draft: each point, the draft's option, each party's
reported stance, and the red lines the draft violates.

No solver is needed: red lines are evaluated on the draft package with
three-valued logic, so a red line that depends on a point the draft leaves
open is reported as *undetermined* rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from zopa import rules
from zopa.model import Draft
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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "party": self.party,
            "veto": self.veto,
            "status": self.status,
            "issues": list(self.issues),
            "text": self.text,
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

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "title": self.title,
            "point": self.point,
            "option": self.option,
            "option_label": self.option_label,
            "positions": self.positions,
            "red_lines_violated": list(self.violated),
        }


@dataclass(frozen=True)
class Board:
    draft: str | None
    title: str | None
    date: dt.date | None
    as_of: dt.date | None
    rows: list[Row]
    red_lines: list[RedLineStatus] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "draft": self.draft,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "rows": [r.to_json() for r in self.rows],
            "red_lines": [r.to_json() for r in self.red_lines],
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
            )
        )
    rows = []
    for i, issue in enumerate(problem.issues):
        k = package[i]
        positions = {
            p.id: (draft.positions.get(p.id, {}).get(issue.id) if draft else None)
            for p in problem.parties
        }
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
            )
        )
    return Board(
        draft.id if draft else None,
        draft.title if draft else None,
        draft.date if draft else None,
        problem.as_of,
        rows,
        statuses,
    )
