"""``zopa report``: gather one analysis into a :class:`Report` (the document and its charts).

Every number in a report comes from :func:`zopa.analysis.analyze` —
the same result ``zopa analyze --json`` prints, which the report also embeds
— and every sentence from :mod:`zopa.report.explain`.  Charts come from
:mod:`zopa.report.charts`.  When no deal is possible, the deal-space chart
shows the analysis' own labelled hypothetical (every conflicting red line set
aside), as ``zopa analyze`` does.  :mod:`zopa.report.write` writes the
report as HTML (:mod:`zopa.report.html`) or Markdown (:mod:`zopa.report.markdown`),
which both read the :class:`Report` built here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zopa.analysis import Analysis, analyze
from zopa.model import Draft
from zopa.problem import SCALE, Problem

FRONTIER_POINTS = 500
FRONTIER_SECONDS = 20.0


@dataclass(frozen=True)
class Report:
    analysis: Analysis
    document: dict[str, Any]  # analysis.to_json(): what `zopa analyze --json` prints
    frontier_figure: Any | None  # plotly Figure, or None with fewer than two parties
    frontier_note: str
    timeline_figure: Any | None
    complete: bool = True  # every search of the analysis finished (`zopa report` exits 3 if not)

    @property
    def problem(self) -> Problem:
        return self.analysis.problem


def gather(problem: Problem, draft: Draft | None, time_limit: float | None = None) -> Report:
    """Run the analysis and build the charts of a report."""
    from zopa.engine.frontier import frontier
    from zopa.report import charts

    result = analyze(problem, draft, time_limit)
    shown, solutions, note = problem, result.solutions, ""
    if not result.blockers.feasible and result.hypotheticals:
        hypothetical = result.hypotheticals[0]
        shown, solutions = problem.without(hypothetical.concession), hypothetical.solutions
        note = (
            "No deal is possible, so this chart shows a hypothetical, not a recommendation: "
            "every red line in a conflict set aside (" + ", ".join(hypothetical.concession) + ")."
        )
    parties = [problem.parties[p].id for p in problem.veto_parties] or [
        p.id for p in problem.parties
    ]
    figure = None
    complete = result.complete
    if len(parties) >= 2:
        x, y = parties[0], parties[1]
        others = [p.id for p in problem.parties if p.id not in (x, y)]
        seconds = min(FRONTIER_SECONDS, time_limit) if time_limit else FRONTIER_SECONDS
        points = frontier(shown, [x, y], limit=FRONTIER_POINTS, time_limit=seconds)
        marks = {k: s.to_json() for k, s in solutions.solutions.items()}
        mark = draft_mark(shown, draft)
        if mark:
            marks = {"draft": mark, **marks}
        figure = charts.frontier_figure(shown, points, x, y, others[0] if others else None, marks)
        if not points.complete:
            note += " The frontier search stopped at a limit; the chart may miss points."
    timeline = charts.timeline_figure(result.timeline) if result.timeline else None
    return Report(result, result.to_json(), figure, note.strip(), timeline, complete)


def draft_mark(problem: Problem, draft: Draft | None) -> dict[str, Any] | None:
    """The draft's utilities when it settles every point (a partial draft has none)."""
    if draft is None:
        return None
    package = problem.package_indices(draft.package)
    if any(k is None for k in package):
        return None
    utils = problem.utility(package)  # type: ignore[arg-type]
    return {
        "utilities": {p.id: utils[k] / SCALE for k, p in enumerate(problem.parties)},
        "package": dict(draft.package),
    }
