"""Plain-language sentences about analysis results, shared by every output.

The terminal, the HTML report and the web app all word things the same way
because they all call these functions.  Nothing here computes an answer; it
only phrases results the engine has already proven.
"""

from __future__ import annotations

from typing import Any

from zopa.engine.blockers import Blockers, Conflict
from zopa.engine.gaps import ThresholdGap
from zopa.problem import Constraint, Problem


def party_name(problem: Problem, party_id: str) -> str:
    return problem.parties[problem.party_index[party_id]].label


def issue_title(problem: Problem, issue_id: str) -> str:
    issue = problem.issues[problem.issue_index[issue_id]]
    return issue.title or issue.id


def number(problem: Problem, issue_id: str, value: Any) -> str:
    unit = problem.issues[problem.issue_index[issue_id]].unit
    text = f"{value:,}" if isinstance(value, int | float) else str(value)
    return f"{text} {unit}" if unit else text


def date_text(problem: Problem) -> str:
    return problem.as_of.isoformat() if problem.as_of else "any date"


def constraint_line(problem: Problem, c: Constraint) -> str:
    """ "Party: what it will not sign without [sources]"."""
    sources = f" [{', '.join(c.red_line.sources)}]" if c.red_line and c.red_line.sources else ""
    return f"{party_name(problem, c.party)}: {c.text}{sources} ({c.id})"


def gap_sentences(problem: Problem, conflict: Conflict) -> list[str]:
    """E.g. "a ceiling of at least 800,000 against one of at most 600,000: a gap of 200,000"."""
    out = []
    floors = [g for g in conflict.thresholds if g.lower and g.bound is not None]
    ceilings = [g for g in conflict.thresholds if not g.lower and g.bound is not None]
    paired: set[str] = set()
    for f in floors:
        for c in ceilings:
            if (
                f.issue == c.issue
                and f.bound is not None
                and c.bound is not None
                and f.bound > c.bound
            ):
                out.append(
                    f"{issue_title(problem, f.issue)}: at least "
                    f"{number(problem, f.issue, f.bound)} ({party_name(problem, f.party)}) "
                    f"against at most {number(problem, c.issue, c.bound)} "
                    f"({party_name(problem, c.party)}): a gap of "
                    f"{number(problem, f.issue, f.bound - c.bound)}"
                )
                paired |= {f.red_line, c.red_line}
    for g in conflict.thresholds:
        if g.red_line not in paired and g.nearest is not None:
            out.append(move_sentence(problem, g))
    return out


def move_sentence(problem: Problem, g: ThresholdGap) -> str:
    direction = "lowered" if g.lower else "raised"
    return (
        f"{party_name(problem, g.party)}'s threshold on {issue_title(problem, g.issue)} would have "
        f"to be {direction} by {number(problem, g.issue, g.distance)} "
        f"(to {number(problem, g.issue, g.nearest)}) to dissolve this conflict"
    )


def no_deal_sentence(problem: Problem, result: Blockers) -> str:
    if result.feasible:
        return (
            f"A deal is possible as of {date_text(problem)}: some package every veto party accepts."
        )
    issues = ", ".join(issue_title(problem, i) for i in result.blocking_issues)
    n = len(result.conflicts)
    conflicts = f"{n} conflict{'s' if n != 1 else ''}" + (
        "" if result.conflicts_complete else " (at least)"
    )
    return (
        f"No deal is possible as of {date_text(problem)} because of {conflicts} between red lines, "
        f"on: {issues}."
    )


def concession_line(problem: Problem, concession: list[Constraint]) -> str:
    n = len(concession)
    parts = "; ".join(f"{party_name(problem, c.party)} drops {c.id}" for c in concession)
    return f"{n} red line{'s' if n != 1 else ''}: {parts}"
