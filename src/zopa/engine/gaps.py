"""How far must a numeric threshold move to dissolve a conflict?

For a red line that is a single order comparison on a numeric issue
(``army_cap >= 800000``), the allowed options shrink or grow monotonically
with the threshold.  Within one conflict we look for the threshold closest to
the current one at which the other members of the conflict become jointly
satisfiable; monotonicity lets a binary search over the grid do it in
O(log n) SAT calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zopa import rules
from zopa.engine.sat import SatModel
from zopa.model import plain_number
from zopa.problem import Constraint, Problem


@dataclass(frozen=True)
class ThresholdGap:
    red_line: str
    party: str
    issue: str
    op: str
    threshold: int | float
    nearest: int | float | None  # closest threshold that dissolves the conflict
    distance: int | float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "red_line": self.red_line,
            "party": self.party,
            "issue": self.issue,
            "op": self.op,
            "threshold": self.threshold,
            "nearest": self.nearest,
            "distance": self.distance,
        }


def threshold_of(problem: Problem, constraint: Constraint) -> tuple[int, str, Fraction] | None:
    """(issue index, op, threshold) when the red line is ``numeric_issue OP number``."""
    if constraint.red_line is None:
        return None
    expr = rules.parse(constraint.red_line.rule)
    if not isinstance(expr, rules.Cmp) or expr.op in ("==", "!="):
        return None
    i = problem.issue_index[expr.issue]
    if not problem.issues[i].numeric or expr.value.number is None:
        return None
    return i, expr.op, expr.value.number


def gaps(problem: Problem, conflict: list[Constraint]) -> list[ThresholdGap]:
    """For each numeric-threshold red line of a conflict, the smallest move that dissolves it."""
    out = []
    for k, c in enumerate(conflict):
        found = threshold_of(problem, c)
        if found is None:
            continue
        i, op, t = found
        others = conflict[:k] + conflict[k + 1 :]
        nearest = _nearest_threshold(problem, others, i, op, t)
        out.append(
            ThresholdGap(
                c.id,
                c.party,
                problem.issues[i].id,
                op,
                plain_number(t),
                plain_number(nearest) if nearest is not None else None,
                plain_number(abs(nearest - t)) if nearest is not None else None,
            )
        )
    return out


def _nearest_threshold(
    problem: Problem, others: list[Constraint], i: int, op: str, t: Fraction
) -> Fraction | None:
    values: list[Fraction] = list(problem.issues[i].values)  # type: ignore[arg-type]
    lower = op in (">", ">=")  # relaxing a lower bound means lowering it
    # candidate new thresholds: option values not allowed now, nearest first
    if lower:
        candidates = sorted((v for v in values if not rules.compare(v, op, t)), reverse=True)  # type: ignore[arg-type]
    else:
        candidates = sorted(v for v in values if not rules.compare(v, op, t))  # type: ignore[arg-type]
    if not candidates:
        return None
    model = SatModel(problem, others)
    with model.solver() as oracle:
        everyone = range(len(others))

        def feasible(new: Fraction) -> bool:
            banned = [
                -model.x[i][o]
                for o, v in enumerate(values)
                if not rules.compare(v, op, new)  # type: ignore[arg-type]
            ]
            return oracle.check(everyone, banned)

        if not feasible(candidates[-1]):
            return None
        lo, hi = 0, len(candidates) - 1  # invariant: candidates[hi] is feasible
        while lo < hi:
            mid = (lo + hi) // 2
            if feasible(candidates[mid]):
                hi = mid
            else:
                lo = mid + 1
        return candidates[hi]
