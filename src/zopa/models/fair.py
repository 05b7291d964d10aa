"""Adjusted Winner: a fair division of the issues between two parties, in exact arithmetic.

The procedure is Brams and Taylor's (*Fair Division*, 1996, ch. 4–5; *The
Win-Win Solution*, 1999).  Each party spreads 100 points over the issues.

1. **Initial winners.** Each issue goes to the party that gave it more points.
   Ties (equal points, including issues that both value at 0) are settled
   after that, in issue order, each going to the party with fewer points so
   far (the first party when both have the same).
2. **Transfers.** If the totals differ, the leader hands issues to the other
   party in increasing order of the ratio *leader's points ÷ other's points*
   (ties in issue order; issues the other party values at 0 come last, and
   issues both value at 0 are never moved because they change no total),
   until the next whole transfer would make the other party the leader.
3. **Split.** That issue is divided: the fraction ``f`` with
   ``L − f·l = O + f·o`` (``L``, ``O`` the totals, ``l``, ``o`` the issue's
   points) goes across, so the totals become equal.

The result is *equitable* (both end with the same number of their own
points), *envy-free* (each values its own share at least as much as the
other's, hence at least 50) and *efficient* (no other division is better for
one and no worse for the other); at most one issue is split.  All arithmetic is
in :class:`fractions.Fraction`, so "equal" means equal, not within rounding.

Reading a negotiation this way treats each issue as divisible and values a
share ``f`` of an issue at ``f`` times its points: a half share of an issue
means a settlement its holder values half as much as winning the issue
outright.  That is the procedure's assumption, not a property of the issues.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

Number = Fraction | int | float | str
HUNDRED = Fraction(100)


@dataclass(frozen=True)
class Assignment:
    """Where an issue went in step 1, and why: ``more points``, ``tie``, ``valued by neither``."""

    issue: str
    winner: str
    rule: str


@dataclass(frozen=True)
class Transfer:
    """One step of step 2: a share of an issue handed from the leader to the other party.

    ``ratio`` is the leader's points ÷ the other's points, None when the other
    party gives the issue no points (an infinite ratio).
    """

    issue: str
    ratio: Fraction | None
    fraction: Fraction


@dataclass(frozen=True)
class Division:
    """The outcome of Adjusted Winner for two parties."""

    parties: tuple[str, str]
    points: dict[str, tuple[Fraction, Fraction]]  # normalised: each party's sum is 100
    share: dict[str, Fraction]  # fraction of each issue the first party receives
    initial: list[Assignment]
    initial_totals: tuple[Fraction, Fraction]
    leader: str | None
    transfers: list[Transfer] = field(default_factory=list)
    split: str | None = None
    ratio_order: list[tuple[str, Fraction | None]] = field(default_factory=list)
    """The leader's issues by increasing ratio (None: the other party values it at 0)."""

    @property
    def issues(self) -> list[str]:
        return list(self.points)

    def fractions(self, issue: str) -> tuple[Fraction, Fraction]:
        """The shares of ``issue`` that the two parties receive."""
        f = self.share[issue]
        return f, 1 - f

    def totals(self) -> tuple[Fraction, Fraction]:
        """Each party's points from its own bundle (equal by construction)."""
        a = sum((self.share[i] * p[0] for i, p in self.points.items()), Fraction(0))
        b = sum(((1 - self.share[i]) * p[1] for i, p in self.points.items()), Fraction(0))
        return a, b

    def to_json(self) -> dict[str, Any]:
        a, b = self.parties
        totals = self.totals()
        allocation = {
            i: dict(zip(self.parties, self.fractions(i), strict=True)) for i in self.issues
        }
        return {
            "parties": [a, b],
            "allocation": {i: {p: _text(f) for p, f in s.items()} for i, s in allocation.items()},
            "allocation_float": {
                i: {p: float(f) for p, f in s.items()} for i, s in allocation.items()
            },
            "points": {a: _text(totals[0]), b: _text(totals[1])},
            "points_float": {a: float(totals[0]), b: float(totals[1])},
            "split": self.split,
            "steps": {
                "normalised_points": {
                    i: {a: _text(p[0]), b: _text(p[1])} for i, p in self.points.items()
                },
                "initial": [
                    {"issue": s.issue, "winner": s.winner, "rule": s.rule} for s in self.initial
                ],
                "initial_points": {
                    a: _text(self.initial_totals[0]),
                    b: _text(self.initial_totals[1]),
                },
                "leader": self.leader,
                "ratio_order": [
                    {
                        "issue": issue,
                        "ratio": None if ratio is None else _text(ratio),
                        "ratio_float": None if ratio is None else float(ratio),
                    }
                    for issue, ratio in self.ratio_order
                ],
                "transfers": [
                    {
                        "issue": t.issue,
                        "ratio": None if t.ratio is None else _text(t.ratio),
                        "ratio_float": None if t.ratio is None else float(t.ratio),
                        "fraction": _text(t.fraction),
                    }
                    for t in self.transfers
                ],
            },
        }

    HEADING = "Adjusted Winner (Brams & Taylor), exact arithmetic"
    NOTE = "(numbers to 4 significant digits; exact fractions below and in --json)"

    def table(
        self, parties: Mapping[str, str] | None = None, issues: Mapping[str, str] | None = None
    ) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        """The table's header and rows: each issue, both parties' points and shares, to
        four significant digits.  ``parties`` and ``issues`` give display names (ids
        without them)."""
        a, b = (_name(parties, p) for p in self.parties)
        heads = ("issue", a + " pts", b + " pts", a + " gets", b + " gets")
        rows = [
            (
                _name(issues, issue),
                *(_decimal(v) for v in (*self.points[issue], *self.fractions(issue))),
            )
            for issue in self.issues
        ]
        return heads, rows

    def steps(
        self, parties: Mapping[str, str] | None = None, issues: Mapping[str, str] | None = None
    ) -> list[str]:
        """The lines under the table: the points, the split issue and the procedure's steps
        in exact fractions, parties and issues by their display names."""
        a, b = (_name(parties, p) for p in self.parties)

        def issue(i: str) -> str:
            return _name(issues, i)

        def party(p: str) -> str:
            return _name(parties, p)

        total = self.totals()[0]
        lines = [
            f"Each party ends with {_show(total)} of its own 100 points.",
            (
                f"Split issue: {issue(self.split)} ({a} {_show(self.fractions(self.split)[0])}, "
                f"{b} {_show(self.fractions(self.split)[1])})."
                if self.split
                else "No issue is split."
            ),
            "",
            "Initial winners:",
            *(f"  {issue(s.issue)} -> {party(s.winner)} ({s.rule})" for s in self.initial),
            f"Initial points: {a} {_show(self.initial_totals[0])}, "
            f"{b} {_show(self.initial_totals[1])}.",
        ]
        if self.leader is None:
            lines.append("The totals are already equal: nothing is transferred.")
        else:
            leader = party(self.leader)
            other = b if self.leader == self.parties[0] else a
            order = ", ".join(
                f"{issue(i)} {'infinite' if r is None else _show(r)}" for i, r in self.ratio_order
            )
            lines.append(f"{leader}'s issues by increasing ratio: {order}.")
            lines.append(f"Transfers from {leader} to {other}, in that order:")
            for t in self.transfers:
                ratio = "infinite" if t.ratio is None else _show(t.ratio)
                lines.append(f"  {issue(t.issue)}: ratio {ratio}, share moved {_show(t.fraction)}")
        return [_fit(line) for line in lines]

    def to_text(
        self, parties: Mapping[str, str] | None = None, issues: Mapping[str, str] | None = None
    ) -> str:
        """A plain-text report: the table of shares, the points, and the steps, parties
        and issues by the display names ``parties`` and ``issues`` give (ids without them;
        ``Division.to_text(explain.party_names(s), explain.issue_titles(s))`` for a
        scenario ``s``).

        The table shows each number to four significant digits; the lines below it
        and ``--json`` give the exact fractions.  (``zopa fair`` prints the same
        through :func:`zopa.report.terminal.render_fair`, wrapped to the terminal.)
        """
        heads, rows = self.table(parties, issues)
        # a number column is as wide as its numbers or a short header (a long party name
        # wraps); the issue column wraps its titles in what is left of 80 columns
        widths = [
            max(
                *(len(row[k]) for row in rows),
                *(len(word) for word in heads[k].split()),
                min(len(heads[k]), 12),
            )
            for k in range(len(heads))
        ]
        widths[0] = max(min(widths[0], 80 - sum(w + 2 for w in widths[1:])), 12)

        def line(row: tuple[str, ...], bottom: bool = False) -> str:
            return _row(row, widths, bottom)

        table = [line(heads, True), *(line(row) for row in rows)]  # each within 80 columns
        return "\n".join(
            [_fit(self.HEADING), "", *table, _fit(self.NOTE), "", *self.steps(parties, issues)]
        )


# --------------------------------------------------------------------------- the procedure


def normalise(
    points: Mapping[str, tuple[Number, Number]], parties: Sequence[str] = ("first", "second")
) -> dict[str, tuple[Fraction, Fraction]]:
    """Scale each party's points to sum to exactly 100; raise ValueError if one cannot be."""
    exact = {i: (_exact(p[0]), _exact(p[1])) for i, p in points.items()}
    sums = [sum((p[k] for p in exact.values()), Fraction(0)) for k in (0, 1)]
    for k in (0, 1):
        if any(p[k] < 0 for p in exact.values()):
            raise ValueError(f"party {parties[k]!r} has negative points")
        if sums[k] == 0:
            raise ValueError(f"party {parties[k]!r} gives no points to any issue")
    return {i: (p[0] * HUNDRED / sums[0], p[1] * HUNDRED / sums[1]) for i, p in exact.items()}


def adjusted_winner(
    parties: Sequence[str], points: Mapping[str, tuple[Number, Number]]
) -> Division:
    """Run Adjusted Winner on a points table (issue → (first party's, second party's) points).

    Points need not sum to 100: each party's are normalised first.  Raises
    ValueError for more or fewer than two parties, an empty table, negative
    points, or a party that gives no points at all.
    """
    if len(parties) != 2:
        raise ValueError(
            f"Adjusted Winner divides issues between exactly two parties, not {len(parties)}"
        )
    if parties[0] == parties[1]:
        raise ValueError(f"the two parties must differ (both are {parties[0]!r})")
    if not points:
        raise ValueError("there are no issues to divide")
    pts = normalise(points, parties)
    names = (parties[0], parties[1])
    share, initial = _initial(names, pts)
    start = _totals(pts, share)
    if start[0] == start[1]:
        return Division(names, pts, share, initial, start, None)
    lead = 0 if start[0] > start[1] else 1
    order = _ratio_order(pts, share, lead)
    transfers, split = _transfer(pts, share, lead, start, [i for i, _ in order])
    return Division(names, pts, share, initial, start, names[lead], transfers, split, order)


def _initial(
    parties: tuple[str, str], pts: dict[str, tuple[Fraction, Fraction]]
) -> tuple[dict[str, Fraction], list[Assignment]]:
    """Step 1: shares of the first party after the initial assignment."""
    share: dict[str, Fraction] = {}
    steps: dict[str, Assignment] = {}
    ties = []
    for issue, (a, b) in pts.items():
        if a == b:
            ties.append(issue)
            continue
        share[issue] = Fraction(1 if a > b else 0)
        steps[issue] = Assignment(issue, parties[0] if a > b else parties[1], "more points")
    for issue in ties:  # in issue order, each to the party with fewer points so far
        so_far = _totals(pts, share)
        first = so_far[0] <= so_far[1]
        share[issue] = Fraction(1 if first else 0)
        rule = "valued by neither" if pts[issue][0] == 0 else "tie"
        steps[issue] = Assignment(issue, parties[0] if first else parties[1], rule)
    order = list(pts)
    return {i: share[i] for i in order}, [steps[i] for i in order]


def _ratio_order(
    pts: dict[str, tuple[Fraction, Fraction]], share: dict[str, Fraction], lead: int
) -> list[tuple[str, Fraction | None]]:
    """Step 2: the leader's issues by increasing ratio of its points to the other's."""
    held = [i for i in pts if (share[i] == 1) == (lead == 0) and pts[i] != (0, 0)]
    order = sorted(held, key=lambda i: _ratio_key(pts[i], lead, list(pts).index(i)))
    return [(i, pts[i][lead] / pts[i][1 - lead] if pts[i][1 - lead] else None) for i in order]


def _transfer(
    pts: dict[str, tuple[Fraction, Fraction]],
    share: dict[str, Fraction],
    lead: int,
    start: tuple[Fraction, Fraction],
    order: list[str],
) -> tuple[list[Transfer], str | None]:
    """Step 3: move the leader's issues across, in ratio order, until the totals meet."""
    other = 1 - lead
    total_lead, total_other = start[lead], start[other]
    transfers: list[Transfer] = []
    for issue in order:
        mine, theirs = pts[issue][lead], pts[issue][other]
        ratio = mine / theirs if theirs else None
        if total_lead - mine >= total_other + theirs:  # a whole transfer keeps the lead (or ties)
            total_lead, total_other = total_lead - mine, total_other + theirs
            _give(share, issue, other, Fraction(1))
            transfers.append(Transfer(issue, ratio, Fraction(1)))
            if total_lead == total_other:
                return transfers, None
            continue
        f = (total_lead - total_other) / (mine + theirs)
        _give(share, issue, other, f)
        transfers.append(Transfer(issue, ratio, f))
        return transfers, issue
    raise AssertionError("the totals always meet: the leader's points fall to 0 at worst")


def _ratio_key(p: tuple[Fraction, Fraction], lead: int, index: int) -> tuple[int, Fraction, int]:
    mine, theirs = p[lead], p[1 - lead]
    return (0, mine / theirs, index) if theirs else (1, Fraction(0), index)


def _give(share: dict[str, Fraction], issue: str, to: int, f: Fraction) -> None:
    """Move a share ``f`` of ``issue`` to party ``to`` (0 or 1)."""
    share[issue] = share[issue] + f if to == 0 else share[issue] - f


def _totals(
    pts: dict[str, tuple[Fraction, Fraction]], share: Mapping[str, Fraction]
) -> tuple[Fraction, Fraction]:
    a = sum((f * pts[i][0] for i, f in share.items()), Fraction(0))
    b = sum(((1 - f) * pts[i][1] for i, f in share.items()), Fraction(0))
    return a, b


# --------------------------------------------------------------------------- inputs


def points_from_scenario(
    scenario: Any, parties: Sequence[str]
) -> dict[str, tuple[Fraction, Fraction]]:
    """Each party's issue weights as its points (every issue of the scenario, in order).

    A scenario with distributions is read at its point estimate (the means).
    """
    from zopa.model import exact

    scenario = scenario.point_estimate()  # itself when no party has a distribution
    chosen = [scenario.party(p) for p in parties]
    # an issue described by attributes counts the sum of its attribute weights
    return {
        issue.id: (exact(chosen[0].issue_weight(issue.id)), exact(chosen[1].issue_weight(issue.id)))
        for issue in scenario.issues
    }


def read_points(path: str | Path) -> tuple[tuple[str, str], dict[str, tuple[Fraction, Fraction]]]:
    """A points table: header ``issue,<party A>,<party B>``, one row of points per issue.

    Every problem is a :class:`zopa.load.ScenarioError` naming the file, line
    and column of the offending cell.
    """
    from zopa.models.tables import read_table

    table = read_table(path)
    head = table.header
    if head[0].text.lower() != "issue":
        raise table.error(head[0], f"the first column must be 'issue', not {head[0].text!r}")
    if len(head) != 3:
        where = head[3] if len(head) > 3 else head[-1]
        raise table.error(
            where,
            "Adjusted Winner divides issues between exactly two parties: the header must be "
            f"'issue,<party A>,<party B>' but has {len(head) - 1} party column"
            + ("s" if len(head) != 2 else ""),
        )
    for cell in head[1:]:
        if not cell.text:
            raise table.error(cell, "a party column needs a name")
    if head[1].text == head[2].text:
        raise table.error(head[2], f"the two parties must differ (both are {head[1].text!r})")
    if not table.rows:
        raise table.error(head[0], "the table has no issues")
    points: dict[str, tuple[Fraction, Fraction]] = {}
    for row in table.rows:
        name = row[0].text
        if not name:
            raise table.error(row[0], "an issue needs a name")
        if name in points:
            raise table.error(row[0], f"duplicate issue {name!r}")
        zero = Fraction(0)
        points[name] = (
            table.number(row[1], f"points of {head[1].text!r} for {name!r}", zero),
            table.number(row[2], f"points of {head[2].text!r} for {name!r}", zero),
        )
    for k in (1, 2):
        if all(p[k - 1] == 0 for p in points.values()):
            raise table.error(head[k], f"party {head[k].text!r} gives no points to any issue")
    return (head[1].text, head[2].text), points


# --------------------------------------------------------------------------- helpers


def _exact(x: Number) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def _text(x: Fraction) -> str:
    """An exact fraction as text: ``66``, ``2/15``."""
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _row(cells: Sequence[str], widths: Sequence[int], bottom: bool = False) -> str:
    """One table row in fixed-width text: each cell wrapped to its column (the first
    left-aligned, the others right-aligned); ``bottom``: cells end on the same line
    (a header over its column), else they start on the same line."""
    wrapped = [
        textwrap.wrap(cell, w, break_long_words=False) or [""]
        for cell, w in zip(cells, widths, strict=True)
    ]
    height = max(len(c) for c in wrapped)
    padded = [
        ([""] * (height - len(c)) + c) if bottom else (c + [""] * (height - len(c)))
        for c in wrapped
    ]
    lines = []
    for k in range(height):
        parts = [padded[0][k].ljust(widths[0])]
        parts += [c[k].rjust(w) for c, w in zip(padded[1:], widths[1:], strict=True)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _fit(line: str, width: int = 80) -> str:
    """A long line wrapped at spaces, continuation lines indented (ids stay whole)."""
    if len(line) <= width:
        return line
    lead = " " * (len(line) - len(line.lstrip()) + 2)
    return "\n".join(
        textwrap.wrap(
            line, width, subsequent_indent=lead, break_long_words=False, break_on_hyphens=False
        )
    )


def _name(names: Mapping[str, str] | None, ident: str) -> str:
    return names.get(ident, ident) if names else ident


def _decimal(x: Fraction) -> str:
    """For a table: an integer, or four significant digits (``0.1333``)."""
    return str(x.numerator) if x.denominator == 1 else f"{float(x):.4g}"


def _show(x: Fraction) -> str:
    """For people: an integer, or a fraction with its decimal (``2/15 (0.1333)``)."""
    if x.denominator == 1:
        return str(x.numerator)
    return f"{_text(x)} ({float(x):.4g})"
