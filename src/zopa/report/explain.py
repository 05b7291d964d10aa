"""Plain-language sentences about analysis results, shared by every output.

The terminal, the HTML report and the web app all word things the same way
because they all call these functions.  Nothing here computes an answer; it
only phrases results the engine has already proven.
"""

from __future__ import annotations

from typing import Any

from zopa.engine.blockers import Blockers, Conflict
from zopa.engine.board import PartyStances
from zopa.engine.gaps import ThresholdGap
from zopa.problem import Constraint, Problem


def party_name(problem: Problem, party_id: str) -> str:
    return problem.parties[problem.party_index[party_id]].label


def issue_title(problem: Problem, issue_id: str) -> str:
    """An issue's title; for ``ISSUE.ATTR`` (a weight on an attribute), the issue's title
    and the attribute's."""
    ident, _, name = issue_id.partition(".")
    issue = problem.issues[problem.issue_index[ident]]
    title = issue.title or issue.id
    if name and issue.attributes and name in issue.attributes:
        return f"{title}: {issue.attributes[name].title or name}"
    return title


def number(problem: Problem, issue_id: str, value: Any) -> str:
    unit = problem.issues[problem.issue_index[issue_id]].unit
    text = f"{value:,}" if isinstance(value, int | float) else str(value)
    return f"{text} {unit}" if unit else text


FORECAST_ASSUMED = (
    "These forecasts are derived from assumptions: the capabilities, saliences and "
    "(where not a cited figure) positions are modelling inputs, not reported facts."
)


def stance_lines(problem: Problem, parties: list[PartyStances]) -> list[str]:
    """One line per party: counts, the points open or rejected, the sources."""
    out = []
    for p in parties:
        name = party_name(problem, p.party) + ("" if p.veto else " (no veto)")
        line = f"{name}: {p.counts()}"
        if p.open:
            line += "; open: " + ", ".join(p.open)
        if p.rejected:
            line += "; rejected: " + ", ".join(p.rejected)
        if p.sources:
            line += f" [{', '.join(p.sources)}]"
        out.append(line)
    return out


def date_text(problem: Problem) -> str:
    return problem.as_of.isoformat() if problem.as_of else "any date"


def constraint_line(problem: Problem, c: Constraint) -> str:
    """ "Party: what it will not sign without; its reason [sources]"."""
    sources = f" [{', '.join(c.red_line.sources)}]" if c.red_line and c.red_line.sources else ""
    reason = f" Reason given: {c.red_line.reason}" if c.red_line and c.red_line.reason else ""
    return f"{party_name(problem, c.party)}: {c.text}{reason}{sources} ({c.id})"


def _who(problem: Problem, g: ThresholdGap) -> str:
    """``Russia`` or ``Russia; an assumption: the mean of an assumed uniform range …``."""
    name = party_name(problem, g.party)
    return f"{name}; assumed: {g.assumption}" if g.assumption else name


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
                derived = (
                    ", derived from an assumed threshold" if f.assumption or c.assumption else ""
                )
                out.append(
                    f"{issue_title(problem, f.issue)}: at least "
                    f"{number(problem, f.issue, f.bound)} ({_who(problem, f)}) "
                    f"against at most {number(problem, c.issue, c.bound)} "
                    f"({_who(problem, c)}): a gap of "
                    f"{number(problem, f.issue, f.bound - c.bound)}{derived}"
                )
                paired |= {f.red_line, c.red_line}
    for g in conflict.thresholds:
        if g.red_line not in paired and g.nearest is not None:
            out.append(move_sentence(problem, g))
    return out


def move_sentence(problem: Problem, g: ThresholdGap) -> str:
    direction = "lowered" if g.lower else "raised"
    assumed = f" (the threshold is assumed: {g.assumption})" if g.assumption else ""
    return (
        f"{party_name(problem, g.party)}'s threshold on {issue_title(problem, g.issue)} would have "
        f"to be {direction} by {number(problem, g.issue, g.distance)} "
        f"(to {number(problem, g.issue, g.nearest)}) to dissolve this conflict{assumed}"
    )


def no_deal_sentence(problem: Problem, result: Blockers) -> str:
    if result.feasible:
        return (
            f"A deal is possible as of {date_text(problem)}: some package every veto party accepts."
        )
    issues = ", ".join(issue_title(problem, i) for i in result.blocking_issues)
    n = len(result.conflicts)
    if n == 0:  # infeasibility is proven, but the search stopped before naming a conflict
        return (
            f"No deal is possible as of {date_text(problem)}: the red lines conflict, but the "
            "search stopped at a limit before it named a conflict."
        )
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


# --------------------------------------------------------------------------- bridging formulas


def value_text(problem: Problem, issue_id: str, value: Any) -> str:
    """An option by its label, or a new formula (a mapping of attribute values) in words."""
    issue = problem.issues[problem.issue_index[issue_id]]
    if isinstance(value, dict) and issue.attributes:
        combo = tuple(
            attr.index_of(value[name]) for name, attr in issue.attribute_list() if name in value
        )
        if len(combo) == len(issue.attributes) and None not in combo:
            return "new formula: " + issue.combo_text(combo)  # type: ignore[arg-type]
        return str(value)
    k = issue.index_of(value)
    return issue.label(k) if k is not None else str(value)


def space_line(problem: Problem, space: Any) -> str:
    """E.g. "The contested zone: 9 combinations, 1 excluded, 2 listed, 6 new"."""
    return (
        f"{issue_title(problem, space.issue)}: {space.combinations:,} combination"
        f"{'s' if space.combinations != 1 else ''} of attribute values, {space.excluded:,} "
        f"excluded, {space.listed:,} listed, {space.new:,} new"
    )


def combined_sentence(problem: Problem, result: Any) -> str:
    """Whether a deal exists once new formulas are allowed on every attribute issue at once."""
    if result.feasible_with_new_formulas is None:
        return (
            "Whether new formulas on every issue at once allow a deal depends on values "
            "the scenario does not state (see below)."
        )
    if not result.feasible_with_new_formulas:
        return (
            "Even with new formulas allowed on every issue described by attributes at "
            f"once, no deal is possible as of {date_text(problem)}."
        )
    n = result.fewest_new_formulas
    if n == 0:
        return f"A deal is possible as of {date_text(problem)} on the listed options already."
    sets = [" and ".join(issue_title(problem, i) for i in s.issues) for s in result.fewest_sets]
    which = sets[0] if len(sets) == 1 else "; or ".join(sets)
    return (
        f"With new formulas a deal is possible as of {date_text(problem)}: it needs a new "
        f"formula on {n} issue{'s' if n != 1 else ''} at least ({which})."
    )


def unvalued_sentences(problem: Problem, result: Any) -> list[str]:
    """Which parties state no value for new formulas, and what that leaves undecided."""
    out = []
    for entry in result.unvalued:
        names = ", ".join(party_name(problem, p) for p in entry["parties"])
        title = issue_title(problem, entry["issue"])
        left = []
        if not entry["searched"]:
            left.append("the combined question keeps it on its listed options")
        if not entry["solved"]:
            left.append("the bargaining solutions keep it on its listed options")
        tail = f" ({'; '.join(left)})" if left else ""
        out.append(
            f"{names} value{'s' if len(entry['parties']) == 1 else ''} {title} for its "
            f"listed options only and state{'s' if len(entry['parties']) == 1 else ''} no "
            f"value for a new formula: nothing is guessed{tail}."
        )
    return out
