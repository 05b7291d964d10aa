"""Rich terminal rendering of analysis results (presentation only).

Everything reads at 80 columns: prose is wrapped with a hanging indent,
tables wrap their cells at spaces (a word longer than its column is folded,
never cut to an ellipsis), and nothing is abbreviated.  Words come from
:mod:`zopa.report.explain`, shared with the web app and the reports.
"""

from __future__ import annotations

import itertools
import re
import textwrap
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
from zopa.models.fair import Division
from zopa.problem import SCALE, Problem
from zopa.report import explain

STANCE = {"agreed": "agreed", "open": "open", "rejected": "REJECTED"}
NAME = {
    "utilitarian": "utilitarian",
    "egalitarian": "egalitarian",
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai–Smorodinsky",
}
HEADER = {**NAME, "kalai_smorodinsky": "Kalai–\nSmorodinsky"}  # wraps at its dash
SHOWN_CONCESSIONS = 10


def _u(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def say(console: Console, text: str, indent: str = "", first: str | None = None) -> None:
    """Print prose wrapped to the console's width, continuation lines indented.

    Words are never broken (ids such as ``russia-nato-exclusion`` stay whole).
    """
    width = max(console.width, 40)
    lead = indent if first is None else first
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=lead,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    for line in lines or [lead]:
        console.print(line)


def heading(console: Console, text: str, rest: str = "") -> None:
    console.print()
    console.print(Text.assemble((text, "bold"), rest))


def _table(*columns: str, right: tuple[str, ...] = (), title: str | None = None) -> Table:
    """A borderless table whose cells wrap at spaces (see :func:`show`)."""
    table = Table(pad_edge=False, show_edge=False, title=title)
    for name in columns:
        table.add_column(name, overflow="fold", justify="right" if name in right else "left")
    return table


def show(console: Console, table: Table) -> None:
    """Print ``table`` within the console's width without cutting a word.

    rich shrinks columns by ratio and cuts or folds the words that no longer
    fit; here every column first gets its longest word, and the space left is
    shared in proportion to how much more each column's longest line needs.
    A table whose longest words alone exceed the width is written as a list
    instead (:func:`_as_list`): a word is never cut.
    """
    columns = table.columns
    available = console.width - 3 * (len(columns) - 1)  # " │ " between columns
    words, lines = [], []
    for column in columns:
        texts = [str(cell) for cell in (column.header, *column.cells)]
        longest = max((len(w) for t in texts for w in t.split()), default=1)
        words.append(max(longest, column.min_width or 0))  # a column's own minimum holds
        lines.append(max((len(x) for t in texts for x in t.split("\n")), default=1))
    if sum(words) > available and len(columns) > 1:
        _as_list(console, table)
        return
    if sum(lines) > available:
        spare = max(available - sum(words), 0)
        wanted = [b - a for a, b in zip(words, lines, strict=True)]
        total = sum(wanted) or 1
        widths = [a + spare * w // total for a, w in zip(words, wanted, strict=True)]
        while sum(widths) < available and any(w < b for w, b in zip(widths, lines, strict=True)):
            k = max(range(len(widths)), key=lambda i: lines[i] - widths[i])
            widths[k] += 1
        for column, width in zip(columns, widths, strict=True):
            column.width = width
    console.print(table)


def _as_list(console: Console, table: Table) -> None:
    """A table too wide for the terminal, one paragraph per row: the row's first cell,
    then each value once with the columns that hold it (``Nash, egalitarian: ...``)."""
    columns = table.columns
    heads = [" ".join(re.sub(r"([–-])\n", r"\1", str(c.header)).split()) for c in columns]
    if table.title:
        console.print(str(table.title))
    say(
        console,
        f"Each {heads[0].lower() or 'row'}, then its value under "
        f"{explain.names(heads[1:])} (all: the same under each):",
        indent="  ",
        first="",
    )
    for r in range(table.row_count):
        cells = [" ".join(str(list(c.cells)[r]).split()) for c in columns]
        groups: dict[str, list[str]] = {}
        for head, cell in zip(heads[1:], cells[1:], strict=True):
            groups.setdefault(cell, []).append(head)
        if len(groups) == 1 and len(heads) > 2:
            (value,) = groups
            parts = [f"all: {value}"]
        else:
            parts = [f"{', '.join(hs)}: {value}" for value, hs in groups.items()]
        say(console, cells[0] or heads[0])
        say(console, "; ".join(parts), indent="    ", first="  ")


# --------------------------------------------------------------------------- summary


def render_summary(console: Console, a: Analysis) -> None:
    """The first screen of ``zopa analyze``: what, verdict, why, smallest way out, next.

    Fits 80 × 24 for the built-in scenario (tested); the detail follows it.
    """
    problem = a.problem
    s = problem.scenario
    say(console, s.title or s.id)
    say(console, _draft_sentence(a), indent="  ", first="")
    console.print()
    date = explain.date_text(problem)
    if a.blockers.feasible:
        say(console, f"A deal is possible as of {date}. " + _deal_sentence(a), "  ", "")
    else:
        n = len(a.blockers.conflicts)
        say(
            console,
            f"No deal is possible as of {date}: {n} conflict{'s' if n != 1 else ''} between "
            "red lines"
            + ("" if a.blockers.conflicts_complete else " (at least)")
            + ", on these points (and the parties whose red lines clash):",
            indent="  ",
            first="",
        )
        # points with the same sides share one line: the summary stays on one screen
        grouped: dict[str, list[str]] = {}
        for issue, sides in explain.issue_sides(problem, a.blockers):
            titles = grouped.setdefault(explain.sides_text(problem, sides), [])
            titles.append(explain.issue_title(problem, issue))
        for sides_text, titles in grouped.items():
            say(console, f"{'; '.join(titles)} — {sides_text}", indent="    ", first="  • ")
        say(console, _smallest_sentence(problem, a.blockers), indent="  ", first="")
    console.print()
    say(console, _next_sentence(a), indent="  ", first="")


def _draft_sentence(a: Analysis) -> str:
    """Which draft is shown and why; when it addresses few points, the fuller one to see."""
    problem = a.problem
    if a.draft is None:
        return f"As of {explain.date_text(problem)}; the scenario has no draft on the table."
    latest, _ = problem.scenario.select(None, problem.as_of)
    when = a.draft.date.isoformat() if a.draft.date else "undated"
    title = a.draft.title or a.draft.id
    n, total = len(a.draft.package), problem.n_issues
    if latest is a.draft:
        text = (
            f"Draft: {title}, {when}, the latest on the table (--draft ID shows "
            f"another). It addresses {'only ' if n <= total / 2 else ''}{n} of {total} points."
        )
    else:
        text = f"Draft: {title}, {when}. It addresses {n} of {total} points."
    fuller = a.fuller_draft
    if fuller is not None:
        text += (
            f" The most complete recent draft addresses {len(fuller.package)}: "
            f"{fuller.title or fuller.id}, {fuller.date.isoformat() if fuller.date else 'undated'}"
            f" (zopa analyze --draft {fuller.id})."
        )
    return text


def _smallest_sentence(problem: Problem, result: Blockers) -> str:
    if not result.concessions:
        return "No concession was found within the limits."
    size = len(result.concessions[0])
    smallest = [c for c in result.concessions if len(c) == size]
    shapes = list(dict.fromkeys(explain.concession_shape(problem, c) for c in smallest))
    total = len(result.concessions)
    ways = f"{len(smallest)} way{'s' if len(smallest) != 1 else ''}"
    listed = "; ".join(shapes[:3]) + ("; …" if len(shapes) > 3 else "")
    all_of = f"{total} concessions in all" + ("" if result.concessions_complete else " found")
    return (
        f"Smallest way to a deal: drop {size} red line{'s' if size != 1 else ''}, in {ways} "
        f"({listed}); {all_of}."
    )


def _deal_sentence(a: Analysis) -> str:
    problem = a.problem
    parts = []
    nash = a.solutions.solutions.get("nash")
    if nash is not None:
        utilities = ", ".join(
            f"{explain.party_name(problem, p)} {_u(u)}"
            for p, u in nash.utilities.items()
            if problem.veto[problem.party_index[p]]
        )
        parts.append(f"The Nash solution gives {utilities}.")
    if a.amendment is not None and a.amendment.feasible:
        n = len(a.amendment.changes)
        parts.append(
            f"The smallest amendment of the draft changes {n} point{'s' if n != 1 else ''}."
        )
    return " ".join(parts)


def _next_sentence(a: Analysis) -> str:
    if a.blockers.feasible:
        parts = ["the draft point by point", "the bargaining solutions", "the smallest amendment"]
    else:
        parts = [
            "the draft point by point",
            "each conflict in the parties' words",
            "the concessions",
            "the solutions with those red lines set aside",
        ]
    parts += [x for x, on in (("forecasts", a.forecasts), ("the timeline", a.timeline)) if on]
    text = f"Below: {', '.join(parts)}. To explore what-ifs: zopa serve."
    if a.problem.scenario.uncertain:
        # said here rather than in a note above the summary (the CLI leaves it out)
        text += (
            " The scenario is uncertain: this is a point analysis (distribution means, red lines"
            " with firmness at least 0.5); for probabilities, zopa montecarlo."
        )
    return text


# --------------------------------------------------------------------------- board


def render_board(console: Console, problem: Problem, board: Board) -> None:
    """The points the draft addresses, one row each; the rest summarised in one line."""
    if not board.draft:
        say(console, f"No draft is on the table as of {explain.date_text(problem)}.")
        return
    addressed = [r for r in board.rows if r.option is not None]
    n = len(board.rows)
    heading(console, "The draft, point by point", f" ({len(addressed)} of {n} points addressed)")
    if addressed:
        table = _table("Point", "Draft says", "Stances reported", "Red lines broken")
        for row in addressed:
            title = row.title
            if row.point is not None and not title.startswith(f"Point {row.point}"):
                title = f"{row.point}. {title}"
            stances = [
                f"{explain.party_name(problem, p)}: {STANCE.get(s, s)}"
                for p, s in row.positions.items()
                if s
            ]
            broken = [
                f"{r} ({explain.party_name(problem, _owner(board, r))})" for r in row.violated
            ]
            table.add_row(
                title,
                row.option_label or "",
                "\n".join(stances) or "none reported",
                "\n".join(broken) or "none",
            )
        show(console, table)
    left = n - len(addressed)
    if left:
        console.print(f"{left} point{'s' if left != 1 else ''} not addressed by this draft.")
    shown = {r for row in addressed for r in row.violated}
    violated = [r for r in board.red_lines if r.status == "violated" and r.id not in shown]
    if violated:
        say(
            console,
            f"The draft also breaks {len(violated)} red line{'s' if len(violated) != 1 else ''}: "
            + "; ".join(
                f"{r.id} ({explain.party_name(problem, r.party)}"
                + ("" if r.veto else ", no veto")
                + ")"
                for r in violated
            )
            + ".",
            indent="  ",
            first="",
        )
    undetermined = [r for r in board.red_lines if r.status == "undetermined"]
    if undetermined:
        k = len(undetermined)
        say(
            console,
            f"{k} red line{'s' if k != 1 else ''} depend{'s' if k == 1 else ''} on points the "
            "draft leaves open: " + explain.by_party(problem, undetermined) + ".",
            indent="  ",
            first="",
        )
    reported = [p for p in board.parties if p.agreed or p.rejected or p.open]
    if reported:
        say(
            console,
            f"Stances reported by {explain.date_text(problem)} (a point with no stance "
            "reported is not one in dispute):",
        )
        for line in explain.stance_lines(problem, reported):
            say(console, line, indent="    ", first="  ")
    silent = [p for p in board.parties if p not in reported]
    if silent and reported:
        say(
            console,
            "No stance reported for "
            + explain.names([explain.party_name(problem, p.party) for p in silent])
            + ".",
            indent="    ",
            first="  ",
        )


def _owner(board: Board, red_line: str) -> str:
    return next(r.party for r in board.red_lines if r.id == red_line)


# --------------------------------------------------------------------------- blockers


def render_blockers(console: Console, problem: Problem, result: Blockers) -> None:
    say(console, explain.no_deal_sentence(problem, result), indent="  ", first="")
    if result.feasible:
        if result.example:
            say(
                console,
                "For example: " + _package_text(problem, result.example),
                indent="  ",
                first="",
            )
        return
    for k, conflict in enumerate(result.conflicts, 1):
        issues = ", ".join(explain.issue_title(problem, i) for i in conflict.issues)
        console.print()
        say(console, f"Conflict {k} ({issues}):")
        for c in conflict.constraints:
            say(console, explain.constraint_line(problem, c), indent="    ", first="  • ")
        for sentence in explain.gap_sentences(problem, conflict):
            say(console, sentence, indent="    ", first="  → ")
    if not result.conflicts_complete:
        console.print("The search for conflicts stopped at a limit; more may exist.")
    heading(console, "Smallest concessions", " (ranked by how many red lines they touch):")
    for k, concession in enumerate(result.concessions[:SHOWN_CONCESSIONS], 1):
        lead = f"  {k}. "
        say(
            console,
            explain.concession_line(problem, concession),
            indent=" " * len(lead),
            first=lead,
        )
    if len(result.concessions) > SHOWN_CONCESSIONS:
        console.print(
            f"  … and {len(result.concessions) - SHOWN_CONCESSIONS} more (--json lists all)."
        )
    if not result.concessions_complete:
        say(
            console,
            "Concessions stopped at a limit: every concession of at most "
            f"{result.concessions_complete_up_to} red lines is listed.",
        )


def _package_text(problem: Problem, package: dict[str, Any]) -> str:
    return "; ".join(explain.choice(problem, i, v) for i, v in package.items())


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
        say(
            console,
            f"No package is acceptable to every veto party as of {explain.date_text(problem)}, "
            "so there is nothing to solve (see zopa blockers).",
        )
        return
    concepts = [c for c in CONCEPTS if c in result.solutions]
    if title:
        heading(console, title)
    table = _table(
        "Point",
        *[HEADER[c] + ("" if result.solutions[c].optimal else "\n(not proven)") for c in concepts],
    )
    for issue in problem.issues:
        cells = [
            explain.option_label(problem, issue.id, result.solutions[c].package[issue.id])
            for c in concepts
        ]
        table.add_row(issue.title or issue.id, *cells)
    table.add_section()
    for party in problem.parties:
        table.add_row(
            f"utility of {party.label}"
            + ("" if problem.veto[problem.party_index[party.id]] else " (no veto)"),
            *[_u(result.solutions[c].utilities[party.id]) for c in concepts],
        )
    table.add_row("value (below)", *[_u(result.solutions[c].value) for c in concepts])
    if any(not result.solutions[c].optimal for c in concepts):  # what is proven
        table.add_row(
            "proven upper bound of the value",
            *[
                "optimal" if result.solutions[c].optimal else _u(result.solutions[c].bound)
                for c in concepts
            ],
        )
    show(console, table)
    say(
        console,
        "Each value is what its solution maximises over the packages every veto party "
        "accepts: "
        + "; ".join(f"{NAME[c]}, {explain.VALUE_MEANING[c]}" for c in concepts)
        + ". They measure different things and are not compared across columns.",
        indent="  ",
        first="",
    )
    render_objections(console, problem, {NAME[c]: result.solutions[c].objections for c in concepts})


def render_objections(console: Console, problem: Problem, by_answer: dict[str, list[str]]) -> None:
    """Red lines of parties without a veto that the shown packages break (never binding),
    each by its party and its text."""
    broken: dict[str, list[str]] = {}
    for answer, ids in by_answer.items():
        for rid in ids:
            broken.setdefault(rid, []).append(answer)
    if not broken:
        return
    owners = {r.id: r for r, _ in problem.objections}
    say(console, "Objections of parties without a veto (they cannot block a deal):")
    for rid, answers in broken.items():
        every = len(answers) == len(by_answer) > 1
        which = "every solution" if every else explain.names(answers)
        say(console, explain.objection_line(problem, owners.get(rid), rid, which), "    ", "  • ")


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
    table = _table("", *[HEADER[c] for c in concepts])
    for issue_id in issues:
        table.add_row(
            explain.issue_title(problem, issue_id),
            *[
                explain.option_label(problem, issue_id, result.solutions[c].package[issue_id])
                for c in concepts
            ],
        )
    if issues:
        table.add_section()
    for party in problem.parties:
        table.add_row(
            f"utility of {party.label}",
            *[_u(result.solutions[c].utilities[party.id]) for c in concepts],
        )
    show(console, table)
    render_objections(console, problem, {NAME[c]: result.solutions[c].objections for c in concepts})


# --------------------------------------------------------------------------- frontier


FRONTIER_ROWS = 20  # frontiers up to this size are listed whole
FRONTIER_SAMPLE = 8  # points shown of a larger frontier, evenly spaced


def render_frontier(console: Console, problem: Problem, result: Frontier) -> None:
    """A frontier with the package that reaches each point (its witness): whole when
    small; otherwise its size, each party's range, and a sample of points."""
    n = len(result.vectors)
    who = explain.names([explain.party_name(problem, p) for p in result.parties])
    if n == 0:
        if not result.complete:
            why = "the search stopped at a limit before it found a point"
        else:
            why = (
                "no package is acceptable to every veto party as of "
                f"{explain.date_text(problem)} (see zopa blockers for why)"
            )
        say(console, f"The Pareto frontier of {who} is empty: {why}.")
        return
    say(
        console,
        f"Pareto frontier of {who}: {n:,} point{'s' if n != 1 else ''}"
        + (" (exact)" if result.complete else " (stopped at a limit: verified points only)")
        + ", each with one package that reaches it.",
    )
    if n <= FRONTIER_ROWS:
        _frontier_packages(console, problem, result, list(range(n)))
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
    say(
        console,
        f"Each party's best point and {FRONTIER_SAMPLE} points spread along the frontier; "
        "the first one's package in full, then what each package changes from the row above:",
    )
    show(console, _frontier_table(problem, result, rows))
    first = problem.package_json([int(k) for k in result.packages[rows[0]]])
    say(console, f"point {rows[0] + 1:,}: {_package_text(problem, first)}", "    ", "  ")
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
        say(console, f"point {row + 1:,}: {shown or 'same package'}", "    ", "  ")
    console.print(f"--json lists all {n:,} points with their packages.")


def _frontier_table(problem: Problem, result: Frontier, rows: list[int]) -> Table:
    names = [explain.party_name(problem, p) for p in result.parties]
    table = _table("point", *names, right=("point", *names))
    for k in rows:
        table.add_row(f"{k + 1:,}", *[_u(int(u) / SCALE) for u in result.vectors[k]])
    return table


def _frontier_packages(
    console: Console, problem: Problem, result: Frontier, rows: list[int]
) -> None:
    """A small frontier: each point's utilities and package; options all share, once."""
    packages = [problem.package_json([int(k) for k in result.packages[r]]) for r in rows]
    common = (
        {i: v for i, v in packages[0].items() if all(p.get(i) == v for p in packages[1:])}
        if len(rows) > 1
        else {}
    )
    names = [explain.party_name(problem, p) for p in result.parties]
    table = _table("point", *names, "Package", right=("point", *names))
    for r, package in zip(rows, packages, strict=True):
        cells = [_u(int(u) / SCALE) for u in result.vectors[r]]
        varying = [explain.choice(problem, i, v) for i, v in package.items() if i not in common]
        table.add_row(f"{r + 1:,}", *cells, "\n".join(varying) or "(as below)")
    show(console, table)
    if common:
        say(
            console,
            ("Every point also has: " if len(common) < len(packages[0]) else "")
            + _package_text(problem, common)
            + ".",
            indent="  ",
            first="",
        )


# --------------------------------------------------------------------------- amendment


def render_amendment(
    console: Console, problem: Problem, result: Amendment, hypothetical: bool = False
) -> None:
    """The smallest amendment; ``hypothetical``: computed with conflicting red lines set aside."""
    if result.feasible is None:
        console.print(UNDECIDED)
        return
    if not result.feasible:
        say(
            console,
            f"No amendment of {explain.draft_title(problem, result.draft)} is acceptable to "
            f"every veto party as of {explain.date_text(problem)}: no package is "
            "(see zopa blockers).",
        )
        return
    n, k = len(result.changes), len(result.filled)
    proven = "" if result.optimal else " (not proven minimal)"
    changes = f"{n} change{'s' if n != 1 else ''} to the points it settles"
    draft = explain.draft_title(problem, result.draft)
    if hypothetical:
        lead = f"With those red lines set aside, the smallest amendment of {draft} makes"
    else:
        lead = f"Smallest amendment of {draft}:"
    filled = f", and fills in the {k} point{'s' if k != 1 else ''} it leaves open" if k else ""
    say(console, f"{lead} {changes}{filled}{proven}.")
    for ch in result.changes:
        say(
            console,
            f"{explain.issue_title(problem, ch['issue'])}: "
            f"{explain.option_label(problem, ch['issue'], ch['from'])} → "
            f"{explain.option_label(problem, ch['issue'], ch['to'])}",
            indent="    ",
            first="  • ",
        )
    if k:
        say(console, "Filled in (the best Nash product among the smallest amendments):", "  ", "  ")
        for item in result.filled:
            issue, value = _filled(item)
            say(console, explain.choice(problem, issue, value), indent="    ", first="  + ")
    utilities = ", ".join(
        f"{explain.party_name(problem, p)} {_u(u)}" for p, u in result.utilities.items()
    )
    say(console, f"Utilities: {utilities}", indent="    ", first="  ")
    render_objections(console, problem, {"the amendment": result.objections})


def _filled(item: dict[str, Any]) -> tuple[str, Any]:
    return item["issue"], item.get("to", item.get("option"))


# --------------------------------------------------------------------------- fair division


def render_fair(
    console: Console,
    division: Division,
    parties: dict[str, str] | None = None,
    issues: dict[str, str] | None = None,
) -> None:
    """Adjusted Winner: the table of points and shares (within the console's width,
    see :func:`show`), then the steps, parties and issues by their display names."""
    heads, rows = division.table(parties, issues)
    console.print(division.HEADING)
    console.print()
    table = _table(*heads, right=heads[1:])
    for row in rows:
        table.add_row(*row)
    show(console, table)
    console.print(division.NOTE)
    console.print()
    for line in division.steps(parties, issues):
        console.print(line)


# --------------------------------------------------------------------------- timeline


def render_timeline(console: Console, scenario: Scenario, entries: list[Entry]) -> None:
    """One paragraph per draft: its date and title, the points it addresses and those every
    veto party agreed, and whether a deal is possible, else the issues blocking it by their
    titles (a table of them would wrap each title over many lines at 80 columns); then the
    stances."""
    titles = explain.issue_titles(scenario)
    if entries:
        say(
            console,
            "Each draft: the points it addresses and those every veto party agreed; "
            "whether a deal is possible, else the points that block it.",
        )
    for e in entries:
        when = e.date.isoformat() if e.date else "undated"
        lead = f"{when:<10}  "
        say(console, e.title or e.draft, indent=" " * len(lead), first=lead)
        verdict = (
            "a deal is possible"
            if e.feasible
            else "no deal, blocked on " + "; ".join(titles.get(i, i) for i in e.blocking_issues)
        )
        points = f"{e.points} point{'s' if e.points != 1 else ''}, {e.agreed} agreed"
        say(console, f"{points}; {verdict}", indent=" " * (len(lead) + 2), first=" " * len(lead))
    render_timeline_stances(console, entries, explain.party_names(scenario))


DRAFT_COLUMN = 20  # the stance table's draft titles wrap at this width at least


def render_timeline_stances(
    console: Console, entries: list[Entry], names: dict[str, str] | None = None
) -> None:
    """Per draft and party: points agreed / rejected / open, and not reported; drafts by
    their titles, parties by their display names (``names``; ids without it)."""
    names = names or {}
    if not entries or not entries[0].parties:
        return
    when = entries[0].stances_as_of
    say(
        console,
        "Stances reported on each draft"
        + (f" by {when.isoformat()}" if when else "")
        + ": agreed/rejected/open, then points not reported (— nothing reported)",
    )
    rows = []
    for e in entries:
        cells = []
        for p in e.parties:
            reported = len(p.agreed) + len(p.rejected) + len(p.open)
            cells.append(
                f"{len(p.agreed)}/{len(p.rejected)}/{len(p.open)} +{len(p.not_reported)}"
                if reported
                else "—"
            )
        rows.append((e.title or e.draft, *cells))
    parties = entries[0].parties
    # each party's column: its figures on one line, its name wrapped into what the
    # draft titles leave (a long name takes a few lines, never one word a line)
    share = (console.width - 3 * len(parties) - DRAFT_COLUMN) // len(parties)
    heads, widths = [], []
    for k, p in enumerate(parties, start=1):
        name = names.get(p.party, p.party) + ("" if p.veto else "*")
        figures = max(len(row[k]) for row in rows)
        head = _wrap_name(name, max(figures, share))
        heads.append(head)
        widths.append(max(figures, *(len(line) for line in head.split("\n"))))
    table = _table("Draft", *heads)
    for column, width in zip(table.columns[1:], widths, strict=True):
        column.min_width = width
    for row in rows:
        table.add_row(*row)
    show(console, table)
    if not all(p.veto for p in parties):
        console.print("* no veto")


def _wrap_name(name: str, width: int) -> str:
    """``name`` in lines of at most ``width`` (a longer word on a line of its own); a word
    of punctuation only (the ``/`` of ``E3 / coalition``) stays with the word before."""
    words: list[str] = []
    for word in name.split():
        if words and not any(ch.isalnum() for ch in word):
            words[-1] += " " + word
        else:
            words.append(word)
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


# --------------------------------------------------------------------------- forecasts


def render_forecasts(console: Console, problem: Problem, forecasts: list[Any]) -> None:
    """Per numeric issue, each spatial model's forecast in the issue's unit, and the range
    its sensitivity runs gave, so that no model reads as one certain number."""
    heading(console, "Forecasts", " for numeric points (spatial models; see zopa forecast):")
    models = (
        ("compromise", "compromise"),
        ("median", "weighted median"),
        ("bdm", "expected utility"),
    )
    for f in forecasts:
        title = explain.issue_title(problem, f.issue) if f.issue in problem.issue_index else f.issue
        if f.left_out:
            say(console, f"{title}: left out ({f.left_out}).", indent="    ", first="  ")
            continue
        say(console, f"{title}:", indent="    ", first="  ")
        for name, label in models:
            forecast = f.forecasts.get(name)
            if forecast is None:
                continue
            line = f"{label} {explain.quantity(forecast.value, f.unit)}"
            runs = getattr(forecast, "sensitivity", None)
            if runs is not None:
                lo, hi = explain.quantity(runs.low), explain.quantity(runs.high)
                unit = f" {f.unit}" if f.unit else ""
                line += (
                    f" (sensitivity runs: all {lo}{unit})"
                    if lo == hi
                    else f" (sensitivity runs: {lo} to {hi}{unit})"
                )
            say(console, line, indent="      ", first="    ")


# --------------------------------------------------------------------------- analyze


def render_analysis(console: Console, a: Analysis) -> None:
    """The summary screen, then the detail."""
    problem = a.problem
    s = problem.scenario
    render_summary(console, a)
    render_board(console, problem, a.board)
    if not a.blockers.feasible:
        heading(console, "Why no deal", ": the conflicts between red lines")
    else:
        heading(console, "Is a deal possible?")
    render_blockers(console, problem, a.blockers)
    if a.blockers.feasible:
        render_solutions(console, problem, a.solutions, "Bargaining solutions")
        if a.amendment:
            console.print()
            render_amendment(console, problem, a.amendment)
    for h in a.hypotheticals:
        heading(console, "If every red line in a conflict were set aside")
        say(
            console,
            f"({', '.join(h.concession)}): a hypothetical that shows where the parties' "
            "interests would meet, not a recommendation; zopa solve and zopa amend give "
            "full packages.",
        )
        render_utilities(console, problem, h.solutions, a.blockers.blocking_issues)
        if h.amendment:
            render_amendment(console, problem.without(h.concession), h.amendment, hypothetical=True)
    if a.forecasts:
        render_forecasts(console, problem, a.forecasts)
        say(console, explain.FORECAST_ASSUMED, indent="  ", first="  ")
    if a.timeline:
        heading(console, "Timeline", " (each draft as of its own date, up to this analysis)")
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
        console.print()
        say(console, note)


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
            console, f"{points}. Utilities: {utilities}.", f"  {NAME[concept]}{proven}: ", "    "
        )
