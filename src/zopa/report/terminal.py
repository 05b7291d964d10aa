"""Rich terminal rendering of analysis results (presentation only)."""

from __future__ import annotations

import itertools
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from zopa.analysis import Analysis
from zopa.engine.amend import Amendment
from zopa.engine.blockers import Blockers
from zopa.engine.board import Board
from zopa.engine.bridge import Bridges
from zopa.engine.frontier import Frontier
from zopa.engine.solutions import CONCEPTS, Solutions
from zopa.engine.timeline import Entry
from zopa.model import Scenario
from zopa.problem import SCALE, Problem
from zopa.report import explain

STANCE = {"agreed": "agreed", "open": "open", "rejected": "REJECTED"}
SHORT = {
    "utilitarian": "utilitarian",
    "egalitarian": "egalitarian",
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai–Smorodinsky",
}


def _u(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _label(problem: Problem, issue_id: str, value: Any) -> str:
    issue = problem.issues[problem.issue_index[issue_id]]
    k = issue.index_of(value)
    return issue.label(k) if k is not None else str(value)


# --------------------------------------------------------------------------- board


def render_board(console: Console, problem: Problem, board: Board) -> None:
    """The status board: one row per point of the draft."""
    if board.draft:
        console.print(
            f"Draft: {board.title or board.draft} ({board.draft}), "
            f"as of {explain.date_text(problem)}"
        )
    else:
        console.print(f"No draft; as of {explain.date_text(problem)}")
    table = Table(pad_edge=False, expand=False, show_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Point")
    table.add_column("Draft says")
    for party in problem.parties:
        table.add_column(party.id, no_wrap=True)
    table.add_column("Red lines violated")
    for row in board.rows:
        table.add_row(
            str(row.point) if row.point is not None else "",
            row.title,
            row.option_label or "(not addressed)",
            *[STANCE.get(row.positions.get(p.id) or "", "·") for p in problem.parties],
            ", ".join(row.violated),
        )
    console.print(table)
    undetermined = [r for r in board.red_lines if r.status == "undetermined"]
    if undetermined:
        console.print(
            f"{len(undetermined)} red line(s) depend on points the draft leaves open: "
            + ", ".join(r.id for r in undetermined)
        )
    if board.parties:
        console.print(
            f"Stances reported by {explain.date_text(problem)} (· = not reported, "
            "which is not disagreement):"
        )
        for line in explain.stance_lines(problem, board.parties):
            console.print(f"  {line}")


# --------------------------------------------------------------------------- blockers


def render_blockers(console: Console, problem: Problem, result: Blockers) -> None:
    console.print(explain.no_deal_sentence(problem, result), style="bold")
    if result.feasible:
        if result.example:
            console.print("For example: " + _package_text(problem, result.example))
        return
    for k, conflict in enumerate(result.conflicts, 1):
        issues = ", ".join(explain.issue_title(problem, i) for i in conflict.issues)
        console.print(Text.assemble("\n", (f"Conflict {k}", "bold"), f" ({issues}):"))
        for c in conflict.constraints:
            console.print(f"  • {explain.constraint_line(problem, c)}")
        for sentence in explain.gap_sentences(problem, conflict):
            console.print(f"  → {sentence}")
    if not result.conflicts_complete:
        console.print(
            "The search for conflicts stopped at a limit; more may exist.", style="yellow"
        )
    console.print(
        Text.assemble(
            "\n", ("Smallest concessions", "bold"), " (ranked by how many red lines they touch):"
        )
    )
    for k, concession in enumerate(result.concessions[:10], 1):
        console.print(f"  {k}. {explain.concession_line(problem, concession)}")
    if len(result.concessions) > 10:
        console.print(f"  … and {len(result.concessions) - 10} more (--json lists all).")
    if not result.concessions_complete:
        console.print(
            "Concessions stopped at a limit: every concession of at most "
            f"{result.concessions_complete_up_to} red lines is listed.",
            style="yellow",
        )


def _package_text(problem: Problem, package: dict[str, Any]) -> str:
    return "; ".join(
        f"{explain.issue_title(problem, i)}: {_label(problem, i, v)}" for i, v in package.items()
    )


# --------------------------------------------------------------------------- solutions

UNDECIDED = (
    "The time limit stopped the search before it found an acceptable package or proved "
    "that none exists."
)


def render_solutions(
    console: Console, problem: Problem, result: Solutions, title: str = ""
) -> None:
    if result.feasible is None:
        console.print(UNDECIDED)
        return
    if not result.feasible:
        console.print("No package is acceptable to every veto party, so there is nothing to solve.")
        return
    concepts = [c for c in CONCEPTS if c in result.solutions]
    table = Table(title=title or None, pad_edge=False, show_edge=False)
    table.add_column("Point")
    for c in concepts:
        table.add_column(SHORT[c] + ("" if result.solutions[c].optimal else " (not proven)"))
    for issue in problem.issues:
        cells = [_label(problem, issue.id, result.solutions[c].package[issue.id]) for c in concepts]
        table.add_row(issue.title or issue.id, *cells)
    table.add_section()
    for party in problem.parties:
        table.add_row(
            f"utility of {party.label}",
            *[_u(result.solutions[c].utilities[party.id]) for c in concepts],
        )
    table.add_row("objective value", *[_u(result.solutions[c].value) for c in concepts])
    if any(not result.solutions[c].optimal for c in concepts):  # what is proven
        table.add_row(
            "proven upper bound",
            *[
                "optimal" if result.solutions[c].optimal else _u(result.solutions[c].bound)
                for c in concepts
            ],
        )
    console.print(table)


def render_utilities(
    console: Console, problem: Problem, result: Solutions, issues: list[str] = ()
) -> None:
    """Compact: one column per solution concept, the given points, then each party's utility."""
    if result.feasible is None:
        console.print("  " + UNDECIDED)
        return
    if not result.feasible:
        console.print("  No package would be acceptable even then.")
        return
    concepts = [c for c in CONCEPTS if c in result.solutions]
    table = Table(pad_edge=False, show_edge=False)
    table.add_column("")
    for c in concepts:
        table.add_column(SHORT[c])
    for issue_id in issues:
        table.add_row(
            explain.issue_title(problem, issue_id),
            *[_label(problem, issue_id, result.solutions[c].package[issue_id]) for c in concepts],
        )
    if issues:
        table.add_section()
    for party in problem.parties:
        table.add_row(
            f"utility of {party.id}",
            *[_u(result.solutions[c].utilities[party.id]) for c in concepts],
        )
    console.print(table)


# --------------------------------------------------------------------------- frontier


FRONTIER_ROWS = 20  # frontiers up to this size are listed whole
FRONTIER_SAMPLE = 8  # points shown of a larger frontier, evenly spaced


def render_frontier(console: Console, problem: Problem, result: Frontier) -> None:
    """A frontier: whole when small; otherwise its size, ranges, extremes and a sample."""
    n = len(result.vectors)
    state = "complete" if result.complete else "stopped at a limit: verified points only"
    console.print(
        f"Pareto frontier of {', '.join(result.parties)}: {n:,} point{'s' if n != 1 else ''} "
        f"({state}), method: {result.method}"
    )
    if n == 0:
        return
    if n <= FRONTIER_ROWS:
        _frontier_table(console, result, list(range(n)))
        return
    for j, p in enumerate(result.parties):
        col = result.vectors[:, j]
        console.print(
            f"  {explain.party_name(problem, p)}: from {_u(int(col.min()) / SCALE)} "
            f"to {_u(int(col.max()) / SCALE)}"
        )
    best = [int(result.vectors[:, j].argmax()) for j in range(len(result.parties))]
    spaced = [round(k * (n - 1) / (FRONTIER_SAMPLE - 1)) for k in range(FRONTIER_SAMPLE)]
    rows = sorted(set(best) | set(spaced))
    console.print(
        f"Each party's best point and {FRONTIER_SAMPLE} points spread along the frontier; "
        "each lists what its package changes from the row above:"
    )
    _frontier_table(console, result, rows)
    for previous, row in itertools.pairwise(rows):
        changed = [
            f"{explain.issue_title(problem, issue.id)} → {issue.label(int(b))}"
            for issue, a, b in zip(
                problem.issues, result.packages[previous], result.packages[row], strict=True
            )
            if a != b
        ]
        shown = "; ".join(changed[:3]) + (
            f"; and {len(changed) - 3} more" if len(changed) > 3 else ""
        )
        console.print(f"  point {row + 1:,}: {shown or 'same package'}")
    console.print(f"--json lists all {n:,} points with their packages.")


def _frontier_table(console: Console, result: Frontier, rows: list[int]) -> None:
    table = Table(pad_edge=False, show_edge=False)
    table.add_column("point", justify="right")
    for p in result.parties:
        table.add_column(p, justify="right")
    for k in rows:
        table.add_row(f"{k + 1:,}", *[_u(int(u) / SCALE) for u in result.vectors[k]])
    console.print(table)


# --------------------------------------------------------------------------- amendment


def render_amendment(
    console: Console, problem: Problem, result: Amendment, hypothetical: bool = False
) -> None:
    """The smallest amendment; ``hypothetical``: computed with conflicting red lines set aside."""
    if result.feasible is None:
        console.print(UNDECIDED)
        return
    if not result.feasible:
        console.print(
            f"No amendment of {result.draft} is acceptable to every veto party as of "
            f"{explain.date_text(problem)}: no package is (see `zopa blockers`)."
        )
        return
    n = len(result.changes)
    proven = "" if result.optimal else " (not proven minimal)"
    if hypothetical:
        change = (
            "no point the draft settles would have to change"
            if n == 0
            else f"{n} point{'s' if n != 1 else ''} the draft settles would have to change"
        )
        console.print(f"With those red lines set aside, in {result.draft} {change}{proven}")
    else:
        console.print(
            f"Smallest amendment of {result.draft}: {n} change{'s' if n != 1 else ''}{proven}"
        )
    for ch in result.changes:
        console.print(
            f"  • {explain.issue_title(problem, ch['issue'])}: "
            f"{_label(problem, ch['issue'], ch['from'])} → {_label(problem, ch['issue'], ch['to'])}"
        )
    if result.filled:
        console.print(
            f"  and {len(result.filled)} point(s) the draft leaves open filled in "
            "(best Nash product among the smallest amendments; --json lists them)"
        )
    utilities = ", ".join(
        f"{explain.party_name(problem, p)} {_u(u)}" for p, u in result.utilities.items()
    )
    console.print(f"  Utilities: {utilities}")


# --------------------------------------------------------------------------- timeline


def render_timeline(console: Console, scenario: Scenario, entries: list[Entry]) -> None:
    table = Table(pad_edge=False, show_edge=False)
    for col in ("Date", "Draft", "Points", "Agreed", "Deal possible", "Blocking issues"):
        table.add_column(col)
    for e in entries:
        table.add_row(
            e.date.isoformat() if e.date else "",
            e.title or e.draft,
            str(e.points),
            str(e.agreed),
            "yes" if e.feasible else "no",
            ", ".join(e.blocking_issues),
        )
    console.print(table)
    render_timeline_stances(console, entries)


def render_timeline_stances(console: Console, entries: list[Entry]) -> None:
    """Per draft and party: points agreed / rejected / open, and not reported."""
    if not entries or not entries[0].parties:
        return
    when = entries[0].stances_as_of
    console.print(
        "Stances reported on each draft"
        + (f" by {when.isoformat()}" if when else "")
        + ": agreed/rejected/open, then points not reported (— nothing reported)"
    )
    table = Table(pad_edge=False, show_edge=False)
    table.add_column("Draft", overflow="fold")
    for p in entries[0].parties:
        table.add_column(p.party + ("" if p.veto else "*"), no_wrap=True)
    for e in entries:
        cells = []
        for p in e.parties:
            reported = len(p.agreed) + len(p.rejected) + len(p.open)
            cells.append(
                f"{len(p.agreed)}/{len(p.rejected)}/{len(p.open)} +{len(p.not_reported)}"
                if reported
                else "—"
            )
        table.add_row(e.draft, *cells)
    console.print(table)
    if not all(p.veto for p in entries[0].parties):
        console.print("* no veto")


# --------------------------------------------------------------------------- analyze


def render_analysis(console: Console, a: Analysis) -> None:
    problem = a.problem
    s = problem.scenario
    console.print(s.title or s.id, style="bold")
    render_board(console, problem, a.board)
    console.print()
    render_blockers(console, problem, a.blockers)
    console.print()
    if a.blockers.feasible:
        render_solutions(console, problem, a.solutions, "Bargaining solutions")
        if a.amendment:
            console.print()
            render_amendment(console, problem, a.amendment)
    for h in a.hypotheticals:
        names = ", ".join(h.concession)
        console.print(
            Text.assemble(
                "\n",
                ("If every red line in a conflict were set aside", "bold"),
                f" ({names}) — a hypothetical that shows where the parties' interests would"
                " meet, not a recommendation; `zopa solve`/`zopa amend` give full packages:",
            )
        )
        render_utilities(console, problem, h.solutions, a.blockers.blocking_issues)
        if h.amendment:
            render_amendment(console, problem.without(h.concession), h.amendment, hypothetical=True)
    if a.forecasts:
        console.print(
            Text.assemble(
                "\n",
                ("Forecasts", "bold"),
                " for numeric points (spatial models; see zopa forecast):",
            )
        )
        for f in a.forecasts:
            for line in f.to_text().splitlines():
                console.print(f"  {line}", markup=False)
        console.print(f"  {explain.FORECAST_ASSUMED}")
    if a.timeline:
        console.print(
            Text.assemble(
                "\n", ("Timeline", "bold"), " (each draft as of its own date, up to this analysis)"
            )
        )
        render_timeline(console, s, a.timeline)
    _assumption_note(console, s)


def assumptions_note(scenario: Scenario) -> str | None:
    """The scenario's own statement of what is assumed (``assumptions.note``, else
    ``meta.assumptions``), if any."""
    if scenario.assumptions is not None and scenario.assumptions.note:
        return scenario.assumptions.note
    meta = scenario.meta if isinstance(scenario.meta, dict) else {}
    note = meta.get("assumptions_note") or meta.get("disclaimer") or meta.get("assumptions")
    return str(note) if note else None


def _assumption_note(console: Console, scenario: Scenario) -> None:
    note = assumptions_note(scenario)
    if note:
        console.print(f"\n{note}", style="dim")


# --------------------------------------------------------------------------- bridging formulas


def _wrapped(console: Console, text: str, first: str, rest: str) -> None:
    """A paragraph wrapped to the console's width with a hanging indent."""
    import textwrap

    width = max(40, min(console.width, 100))
    console.print(
        textwrap.fill(
            text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
        )
    )


def render_bridges(console: Console, problem: Problem, result: Bridges) -> None:
    """zopa bridge: per conflict, the new formulas that dissolve it; then all issues at once."""
    if not result.opened:
        console.print("No issue of this scenario is described by attributes: nothing to bridge.")
        return
    for space in result.space:
        _wrapped(console, explain.space_line(problem, space) + ".", "", "  ")
    when = explain.date_text(problem)
    if result.feasible_listed:
        console.print(f"\nA deal is possible as of {when} on the listed options.", style="bold")
    else:
        n = len(result.conflicts)
        conflicts = f"{n} conflict{'s' if n != 1 else ''}"
        console.print(f"\nNo deal on the listed options as of {when}: {conflicts}.", style="bold")
    for k, conflict in enumerate(result.conflicts, 1):
        issues = ", ".join(explain.issue_title(problem, i) for i in conflict.issues)
        console.print(Text.assemble("\n", (f"Conflict {k}", "bold"), f" ({issues}):"))
        for c in sorted(conflict.constraints, key=lambda c: c.id):
            _wrapped(console, explain.constraint_line(problem, c), "  • ", "    ")
        n = len(conflict.bridged_by)
        if n:
            console.print(f"  Dissolved by {n} new formula{'s' if n != 1 else ''}:")
            for formula in conflict.bridged_by[:10]:
                _wrapped(console, formula.text, "  → ", "    ")
            if n > 10:
                console.print(f"  … and {n - 10} more (--json lists all).")
        for u in conflict.undetermined[:10]:
            names = ", ".join(explain.party_name(problem, p) for p in u.parties)
            text = (
                f"{explain.issue_title(problem, u.issue)}: {u.label}: the red lines hold, but "
                f"{names} state{'s' if len(u.parties) == 1 else ''} no value for it."
            )
            _wrapped(console, text, "  ? ", "    ")
        if not conflict.complete:
            console.print("  The search stopped at the time limit; more may exist.", style="yellow")
        elif not n and not conflict.undetermined:
            console.print("  No new formula of a single issue dissolves it.")
    if result.conflicts and not result.complete:
        console.print("The search stopped at a limit; more may exist.", style="yellow")
    console.print()
    _wrapped(console, explain.combined_sentence(problem, result), "", "")
    for sentence in explain.unvalued_sentences(problem, result):
        _wrapped(console, sentence, "", "")
    if not result.solutions:
        return
    console.print("\nBargaining solutions with new formulas allowed (* a new formula):")
    for concept in CONCEPTS:
        sol = result.solutions.get(concept)
        if sol is None:
            continue
        points = "; ".join(
            f"{issue.title or issue.id}{'*' if issue.id in sol.new else ''}: "
            + explain.value_text(problem, issue.id, sol.package[issue.id]).removeprefix(
                "new formula: "
            )
            for issue in problem.issues
        )
        utilities = ", ".join(f"{p.label} {_u(sol.utilities[p.id])}" for p in problem.parties)
        proven = "" if sol.optimal else " (not proven optimal)"
        _wrapped(
            console, f"{points}. Utilities: {utilities}.", f"  {SHORT[concept]}{proven}: ", "    "
        )
