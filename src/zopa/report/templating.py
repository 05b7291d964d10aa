"""Jinja2 set-up and the shared context of the HTML and Markdown reports.

The context only arranges what the analysis computed and what
:mod:`zopa.report.explain` says about it, so both formats say the same thing.
"""

from __future__ import annotations

from typing import Any

from zopa.engine.solutions import CONCEPTS
from zopa.report import explain
from zopa.report.build import Report

CONCEPT_NAMES = {
    "utilitarian": "Utilitarian",
    "egalitarian": "Egalitarian",
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai–Smorodinsky",
}


def environment(html: bool) -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("zopa.report", "templates"),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["u"] = lambda x: "—" if x is None else f"{x:.3f}"
    env.filters["cell"] = lambda x: str(x).replace("|", "\\|").replace("\n", " ")
    return env


def _label(problem: Any, issue_id: str, value: Any) -> str:
    issue = problem.issues[problem.issue_index[issue_id]]
    k = issue.index_of(value)
    return issue.label(k) if k is not None else str(value)


def context(report: Report) -> dict[str, Any]:
    a = report.analysis
    problem = a.problem
    scenario = problem.scenario
    doc = report.document
    if a.blockers.feasible:
        solutions, solutions_note = doc["solutions"], ""
    elif doc["if_conflicting_red_lines_set_aside"]:
        hypothetical = doc["if_conflicting_red_lines_set_aside"][0]
        solutions = hypothetical["solutions"]
        solutions_note = (
            "No deal is possible, so these are the solutions of a hypothetical, not a "
            "recommendation: every red line in a conflict set aside ("
            + ", ".join(hypothetical["concession"])
            + ")."
        )
    else:
        solutions, solutions_note = {}, ""
    concepts = [c for c in CONCEPTS if c in solutions]
    conflicts = [
        {
            "number": k,
            "issues": ", ".join(explain.issue_title(problem, i) for i in c.issues),
            "lines": [
                explain.constraint_line(problem, x)
                for x in sorted(c.constraints, key=lambda x: x.id)
            ],
            "gaps": explain.gap_sentences(problem, c),
        }
        for k, c in enumerate(a.blockers.conflicts, 1)
    ]
    meta = scenario.meta if isinstance(scenario.meta, dict) else {}
    return {
        "title": scenario.title or scenario.id,
        "scenario": scenario,
        "problem": problem,
        "doc": doc,
        "verdict": explain.no_deal_sentence(problem, a.blockers),
        "as_of": explain.date_text(problem),
        "draft": a.draft,
        "board": a.board,
        "conflicts": conflicts,
        "conflicts_complete": a.blockers.conflicts_complete,
        "concessions": [explain.concession_line(problem, c) for c in a.blockers.concessions],
        "concessions_complete": a.blockers.concessions_complete,
        "solutions": solutions,
        "solutions_note": solutions_note,
        "concepts": concepts,
        "concept_names": CONCEPT_NAMES,
        "label": lambda issue_id, value: _label(problem, issue_id, value),
        "issue_title": lambda issue_id: explain.issue_title(problem, issue_id),
        "party_name": lambda party_id: explain.party_name(problem, party_id),
        "amendment": doc["amendment"],
        "timeline": doc["timeline"],
        "forecasts": [f.to_text() for f in a.forecasts],
        "forecast_note": explain.FORECAST_ASSUMED,
        "stance_lines": explain.stance_lines(problem, a.board.parties),
        "frontier_note": report.frontier_note,
        "sources": problem.sources_shown(),
        "assumptions": meta.get("assumptions"),
        "complete": a.complete,
    }
