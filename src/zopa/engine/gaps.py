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
from zopa.model import exact, plain_number
from zopa.problem import Constraint, Problem


@dataclass(frozen=True)
class ThresholdGap:
    """How far one threshold red line must move, on the issue's grid, to dissolve a conflict.

    ``bound`` is the red line's current inclusive bound on the grid (the least
    option ``>= 800000`` allows, the greatest one ``< 800000`` allows);
    ``nearest`` is the closest inclusive bound at which the other members of
    the conflict become satisfiable; ``distance = |nearest − bound|``.
    """

    red_line: str
    party: str
    issue: str
    op: str
    threshold: int | float
    bound: int | float | None
    nearest: int | float | None
    distance: int | float | None
    assumption: str | None = None  # how the threshold was assumed, when it is not a stated number
    derived: bool = False  # nearest/distance depend on an assumed threshold of the conflict

    @property
    def lower(self) -> bool:
        """True for a floor (``>``, ``>=``), False for a ceiling."""
        return self.op in (">", ">=")

    def to_json(self) -> dict[str, Any]:
        return {
            "red_line": self.red_line,
            "party": self.party,
            "issue": self.issue,
            "op": self.op,
            "threshold": self.threshold,
            "bound": self.bound,
            "nearest": self.nearest,
            "distance": self.distance,
            "assumed": self.assumption is not None,
            "assumption": self.assumption,
            "derived_from_assumption": self.derived,
        }


def threshold_of(problem: Problem, constraint: Constraint) -> tuple[int, str, Fraction] | None:
    """(issue index, op, threshold) when the red line is ``numeric_issue OP number``.

    A named threshold (``army_cap >= floor``) takes the number the problem
    uses for it: the distribution's mean in a point analysis, the drawn value
    in a Monte Carlo sample.
    """
    if constraint.red_line is None:
        return None
    expr = rules.parse(constraint.red_line.rule)
    if not isinstance(expr, rules.Cmp) or expr.op in ("==", "!="):
        return None
    if expr.issue not in problem.issue_index:  # an attribute (ISSUE.ATTR), not a numeric issue
        return None
    i = problem.issue_index[expr.issue]
    if not problem.issues[i].numeric:
        return None
    number = expr.value.number
    if number is None:
        named = problem.realisation.thresholds.get(constraint.red_line.id, {})
        number = named.get(expr.value.text)
    if number is None:
        return None
    return i, expr.op, Fraction(number)


def gaps(problem: Problem, conflict: list[Constraint]) -> list[ThresholdGap]:
    """For each numeric-threshold red line of a conflict, the smallest move that dissolves it."""
    out = []
    derived = any(_assumption(problem, c) for c in conflict)
    for k, c in enumerate(conflict):
        found = threshold_of(problem, c)
        if found is None:
            continue
        i, op, t = found
        assumption = _assumption(problem, c)
        values: list[Fraction] = list(problem.issues[i].values)  # type: ignore[arg-type]
        allowed = [v for v in values if rules.compare(v, op, t)]  # type: ignore[arg-type]
        lower = op in (">", ">=")
        bound = (min(allowed) if lower else max(allowed)) if allowed else None
        others = conflict[:k] + conflict[k + 1 :]
        nearest = _nearest_bound(problem, others, i, lower, bound if bound is not None else t)
        ref = bound if bound is not None else t
        out.append(
            ThresholdGap(
                c.id,
                c.party,
                problem.issues[i].id,
                op,
                plain_number(t),
                plain_number(bound) if bound is not None else None,
                plain_number(nearest) if nearest is not None else None,
                plain_number(abs(nearest - ref)) if nearest is not None else None,
                assumption,
                derived,
            )
        )
    return out


def _assumption(problem: Problem, constraint: Constraint) -> str | None:
    """How a named threshold's number came about: ``mean of an assumed uniform 600,000–800,000``.

    A threshold written as a number in the rule is a stated figure (None).  A
    named one is an uncertain number: the point analysis uses its mean, a
    Monte Carlo sample a drawn value; either way the number is an assumption.
    """
    red = constraint.red_line
    if red is None or not red.thresholds:
        return None
    expr = rules.parse(red.rule)
    if not isinstance(expr, rules.Cmp) or expr.value.number is not None:
        return None
    dist = red.thresholds.get(expr.value.text)
    if dist is None:
        return None
    ranges = problem.scenario.threshold_ranges(red)
    lo, hi = dist.support(ranges[expr.value.text])
    point = problem.realisation.thresholds.get(red.id, {}).get(expr.value.text)
    mean = exact(dist.mean(ranges[expr.value.text]))
    if point is None or point == mean:
        return f"the mean, {_n(mean)}, of an assumed {dist.kind} range {_n(lo)}–{_n(hi)}"
    return f"{_n(point)}, drawn from an assumed {dist.kind} range {_n(lo)}–{_n(hi)}"


def _n(x: float) -> str:
    return f"{plain_number(exact(x)):,}"


def _nearest_bound(
    problem: Problem, others: list[Constraint], i: int, lower: bool, bound: Fraction
) -> Fraction | None:
    """The closest inclusive bound beyond ``bound`` at which ``others`` are satisfiable."""
    values: list[Fraction] = list(problem.issues[i].values)  # type: ignore[arg-type]
    if lower:  # relaxing a floor lowers it
        candidates = sorted((v for v in values if v < bound), reverse=True)
    else:
        candidates = sorted(v for v in values if v > bound)
    if not candidates:
        return None
    model = SatModel(problem, others)
    with model.solver() as oracle:
        everyone = range(len(others))

        def feasible(new: Fraction) -> bool:
            banned = [
                -model.x[i][o] for o, v in enumerate(values) if (v < new if lower else v > new)
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
