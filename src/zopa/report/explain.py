"""Plain-language sentences about analysis results, shared by every output.

The terminal, the HTML report and the web app all word things the same way
because they all call these functions.  Nothing here computes an answer; it
only phrases results the engine has already proven.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from zopa.engine.blockers import Blockers, Conflict
from zopa.engine.board import PartyStances
from zopa.engine.gaps import ThresholdGap
from zopa.model import RedLine, Scenario
from zopa.problem import Constraint, Problem


def party_name(problem: Problem, party_id: str) -> str:
    return problem.parties[problem.party_index[party_id]].label


def by_party(problem: Problem, red_lines: list[Any]) -> str:
    """Red lines grouped under their parties' names, in the parties' order:
    ``Ukraine: a, b; Russia: c`` (:func:`_by_party`).  The ids stay, since they are what
    ``--drop`` takes."""
    return "; ".join(
        f"{party_name(problem, p)}: {', '.join(ids)}"
        for p, ids in _by_party(problem, red_lines).items()
    )


def party_names(scenario: Scenario) -> dict[str, str]:
    """Each party's display name by id (its ``name``, else its id), as :func:`party_name`
    gives it, for outputs that hold a scenario rather than a problem."""
    return {p.id: p.label for p in scenario.parties}


def issue_titles(scenario: Scenario) -> dict[str, str]:
    """Each issue's title by id (its ``title``, else its id), as :func:`issue_title`."""
    return {i.id: i.title or i.id for i in scenario.issues}


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
    """A quantity of a numeric issue, the one way every output writes it: ``85,000 personnel``."""
    return quantity(value, problem.issues[problem.issue_index[issue_id]].unit)


def quantity(value: Any, unit: str | None = None) -> str:
    """``85,000 personnel``, ``7.39``: thousands separated, integral values without decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        text = str(value)
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        x = float(value)
        text = f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"
    return f"{text} {unit}" if unit else text


def option_label(problem: Problem, issue_id: str, value: Any) -> str:
    """What an option is called in text: its label, or the number with its unit."""
    issue = problem.issues[problem.issue_index[issue_id]]
    k = issue.index_of(value)
    return issue.label(k) if k is not None else str(value)


def choice(problem: Problem, issue_id: str, value: Any) -> str:
    """``Ceiling on armed forces: 800,000 personnel``."""
    return f"{issue_title(problem, issue_id)}: {option_label(problem, issue_id, value)}"


def names(items: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def draft_name(draft_id: str, title: str | None) -> str:
    """A draft as text: its title and id, or its id alone when it has no title."""
    return f"{title} ({draft_id})" if title and title != draft_id else draft_id


def draft_title(problem: Problem, draft_id: str) -> str:
    """A draft as prose names it: its title, or its id when it has none."""
    draft = next((d for d in problem.scenario.drafts if d.id == draft_id), None)
    return draft.title if draft is not None and draft.title else draft_id


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
            line += "; open: " + names([issue_title(problem, i) for i in p.open])
        if p.rejected:
            line += "; rejected: " + names([issue_title(problem, i) for i in p.rejected])
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


def objection_line(problem: Problem, red: RedLine | None, red_id: str, broken_by: str) -> str:
    """ "Party's red line, broken by X: its text" for a red line of a party without a veto
    (its id only when the scenario no longer has it)."""
    if red is None:
        return f"red line {red_id}, broken by {broken_by}"
    return f"{party_name(problem, red.party)}'s red line, broken by {broken_by}: " + (
        red.text or red.rule
    )


def _who(problem: Problem, g: ThresholdGap) -> str:
    """``Russia`` or ``Russia; an assumption: the mean of an assumed uniform range …``,
    preceded by the threshold itself when a strict one lands on the grid's next step
    (``below 700,000, the nearest step; Russia; …``), so the two numbers do not puzzle."""
    name = party_name(problem, g.party)
    who = f"{name}; assumed: {g.assumption}" if g.assumption else name
    if g.op in ("<", ">") and g.bound is not None and g.bound != g.threshold:
        side = "below" if g.op == "<" else "above"
        who = f"the nearest step {side} {number(problem, g.issue, g.threshold)}; {who}"
    return who


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
    """``4 red lines set aside — Russia: a, b and c; Ukraine: d`` (parties in scenario
    order; no verb to agree with a party's name, singular or plural)."""
    n = len(concession)
    parts = "; ".join(
        f"{party_name(problem, party)}: {names(ids)}"
        for party, ids in _by_party(problem, concession).items()
    )
    return f"{n} red line{'s' if n != 1 else ''} set aside — {parts}"


def concession_shape(problem: Problem, concession: list[Constraint]) -> str:
    """How many red lines each party gives up: ``Russia 3 and Ukraine 1``."""
    return names(
        [
            f"{party_name(problem, p)} {len(ids)}"
            for p, ids in _by_party(problem, concession).items()
        ]
    )


def _by_party(problem: Problem, constraints: list[Any]) -> dict[str, list[str]]:
    """Ids by party, parties in scenario order, ids sorted (anything with ``party`` and
    ``id``: constraints, red lines, their statuses)."""
    out: dict[str, list[str]] = {}
    for c in sorted(constraints, key=lambda c: (problem.party_index[c.party], c.id)):
        out.setdefault(c.party, []).append(c.id)
    return out


def issue_sides(problem: Problem, result: Blockers) -> list[tuple[str, list[list[str]]]]:
    """For each blocking issue, the parties whose constraints on it conflict, in sides.

    Two parties whose constraints meet in one conflict are on opposite sides.
    When those oppositions split the parties in two (a 2-colouring of the graph
    of oppositions, by breadth-first search), the two sides are returned; when
    they do not (three-way conflicts, or a party whose own red lines clash), one
    group of every party involved.  Parties are in scenario order.
    """
    out = []
    for issue in result.blocking_issues:
        edges: set[tuple[str, str]] = set()
        involved: set[str] = set()
        split = True
        for conflict in result.conflicts:
            if issue not in conflict.issues:
                continue
            parties = sorted({c.party for c in conflict.constraints}, key=problem.party_index.get)
            involved |= set(parties)
            split &= len(parties) == 2
            edges |= {(a, b) for a in parties for b in parties if a != b}
        order = sorted(involved, key=problem.party_index.get)
        colour = _two_colours(order, edges) if split else None
        if colour is None:
            out.append((issue, [order]))
        else:
            first = [p for p in order if colour[p] == colour[order[0]]]
            out.append((issue, [first, [p for p in order if p not in first]]))
    return out


def _two_colours(nodes: list[str], edges: set[tuple[str, str]]) -> dict[str, int] | None:
    """A 2-colouring of a connected graph, or None (not connected, or an odd cycle)."""
    colour = {nodes[0]: 0}
    queue = [nodes[0]]
    while queue:
        a = queue.pop()
        for x, b in edges:
            if x != a:
                continue
            if b not in colour:
                colour[b] = 1 - colour[a]
                queue.append(b)
            elif colour[b] == colour[a]:
                return None
    return colour if len(colour) == len(nodes) else None


def sides_text(problem: Problem, sides: list[list[str]]) -> str:
    """``Ukraine and European states against Russia``, or ``among A, B and C``."""
    named = [names([party_name(problem, p) for p in side]) for side in sides]
    if len(sides) == 2:
        return " against ".join(named)
    if len(sides[0]) == 1:
        return f"{named[0]}'s own constraints (red lines, reservation)"
    return f"among {named[0]}"


# What each solution concept maximises: the meaning of its "value".
VALUE_MEANING = {
    "utilitarian": "the sum of the veto parties' utilities",
    "egalitarian": "the smallest gain over reservation of a veto party",
    "nash": "the product of the veto parties' gains over their reservations",
    "kalai_smorodinsky": "the smallest share of its ideal gain that a veto party gets",
}


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
