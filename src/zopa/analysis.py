"""The whole picture for one draft (``zopa analyze``): board, blockers, solutions,
amendment, timeline and the spatial forecasts of numeric issues, as one result.

It joins the exact engine (:mod:`zopa.engine`) and the classic forecasting
models (:mod:`zopa.models.forecast`), so it sits above both, below the reports
and the two shells that present it.

When no deal is possible the bargaining solutions and the amendment are
empty by definition.  To still show where the parties' interests would meet,
they are also computed for one clearly labelled *hypothetical*: every red line
that takes part in a conflict set aside at once.  That choice treats all sides
alike — picking one concession would pick who gives way.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from zopa.engine.amend import Amendment, amend
from zopa.engine.blockers import Blockers, blockers, explained
from zopa.engine.board import Board, board
from zopa.engine.sat import SatModel
from zopa.engine.solutions import Solutions, solve
from zopa.engine.timeline import Entry, timeline
from zopa.model import Draft, Scenario
from zopa.problem import Problem


@dataclass(frozen=True)
class Hypothetical:
    concession: list[str]  # the constraints set aside
    solutions: Solutions
    amendment: Amendment | None

    def to_json(self) -> dict[str, Any]:
        return {
            "concession": self.concession,
            "solutions": self.solutions.to_json()["solutions"],
            "amendment": self.amendment.to_json() if self.amendment else None,
        }


@dataclass(frozen=True)
class Analysis:
    problem: Problem
    draft: Draft | None
    board: Board
    blockers: Blockers
    solutions: Solutions
    amendment: Amendment | None
    timeline: list[Entry]
    hypotheticals: list[Hypothetical] = field(default_factory=list)
    forecasts: list[Any] = field(default_factory=list)  # zopa.models.forecast.IssueForecast
    fuller_draft: Draft | None = None  # see :func:`fuller_draft`

    @property
    def complete(self) -> bool:
        optimal = self.solutions.all_optimal and (self.amendment is None or self.amendment.optimal)
        return self.blockers.complete and optimal and all(e.complete for e in self.timeline)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.problem.scenario.id,
            "as_of": self.problem.as_of.isoformat() if self.problem.as_of else None,
            "draft": self.draft.id if self.draft else None,
            "feasible": self.blockers.feasible,
            "board": self.board.to_json(),
            "blockers": self.blockers.to_json(),
            "solutions": self.solutions.to_json()["solutions"],
            "amendment": self.amendment.to_json() if self.amendment else None,
            "timeline": [e.to_json() for e in self.timeline],
            "if_conflicting_red_lines_set_aside": [h.to_json() for h in self.hypotheticals],
            "forecasts": [labelled_forecast(f.to_json()) for f in self.forecasts],
            "fuller_draft": self.fuller_draft.id if self.fuller_draft else None,
            "complete": self.complete,
            **assumption_label(self.problem.scenario),
        }


FORECAST_ASSUMPTION = (
    "derived from assumptions: capabilities, saliences and positions are modelling inputs "
    "(see each party's assumptions); a position restating a cited figure is still a model input"
)


def assumptions_note(scenario: Scenario) -> str | None:
    """The scenario's own statement of what is assumed (``assumptions.note``, else
    ``meta.assumptions``), if any: the note every output derived from the assumed
    weights, values and reservations carries (``zopa analyze`` first)."""
    if scenario.assumptions is not None and scenario.assumptions.note:
        return scenario.assumptions.note
    meta = scenario.meta if isinstance(scenario.meta, dict) else {}
    note = meta.get("assumptions_note") or meta.get("disclaimer") or meta.get("assumptions")
    return str(note) if note else None


def assumption_label(*scenarios: Scenario) -> dict[str, Any]:
    """The JSON keys that mark a document as derived from the scenarios' assumed
    weights, values and reservations (the keys of :func:`labelled_forecast`):
    ``derived_from_assumptions`` and ``assumption`` (the scenario's note), or no
    keys when no scenario declares assumptions.  With several scenarios (``zopa
    tournament``) their distinct notes are joined."""
    notes = list(dict.fromkeys(n for n in map(assumptions_note, scenarios) if n))
    if not notes:
        return {}
    return {"derived_from_assumptions": True, "assumption": " ".join(notes)}


def labelled_forecast(forecast: dict[str, Any]) -> dict[str, Any]:
    """A forecast document of a scenario, marked as numbers derived from assumed inputs.

    One function for every shell (``zopa analyze``, ``zopa forecast``, the web
    API), so that they label it alike.
    """
    return {**forecast, "derived_from_assumptions": True, "assumption": FORECAST_ASSUMPTION}


def analyze(problem: Problem, draft: Draft | None, time_limit: float | None = None) -> Analysis:
    """Everything ``zopa analyze`` reports, for ``draft`` as of the problem's date.

    The SAT work (conflicts on every draft date) and the CP-SAT work
    (solutions and amendments) run in two threads: CP-SAT releases the GIL
    while it searches.
    """
    from zopa.engine.cpsat import cp_model_module
    from zopa.models.forecast import forecasts_for

    cp_model_module()  # before any thread starts: lets it skip loading pandas
    deadline = Deadline(time_limit)  # one for the whole analysis: --time-limit bounds it all
    everything = problem.at(None)
    with SatModel(everything).solver() as oracle:
        result = blockers(problem, time_limit=deadline.left(), explain=False, oracle=oracle)
        with ThreadPoolExecutor(max_workers=1) as pool:
            optimised = pool.submit(_optimise, problem, draft, result, deadline)
            entries = timeline(
                problem.scenario,
                deadline.left(),
                base=problem,
                oracle=oracle,
                known=result.oracle_muses,
                as_of=problem.as_of,
            )
            result = explained(problem, result)
            solutions, amendment, hypotheticals = optimised.result()
    return Analysis(
        problem,
        draft,
        board(problem, draft),
        result,
        solutions,
        amendment,
        entries,
        hypotheticals,
        forecasts_for(problem.scenario),
        fuller_draft(problem, draft),
    )


def fuller_draft(problem: Problem, draft: Draft | None) -> Draft | None:
    """The latest draft on the table that addresses more than half of the points, when
    ``draft`` addresses at most half of them (else None).

    The latest text is often a short statement of conditions; this names the
    last comprehensive text, so that a reader of the one-point analysis knows
    which draft to look at instead.  "On the table" is as of the problem's date.
    """
    half = problem.n_issues / 2
    if draft is None or len(draft.package) > half:
        return None
    as_of = problem.as_of
    tabled = [
        d
        for d in problem.scenario.drafts
        if d is not draft and (as_of is None or d.date is None or d.date <= as_of)
    ]
    fuller = [d for d in tabled if len(d.package) > half]
    return fuller[-1] if fuller else None


class Deadline:
    """The time left of one time limit (None: no limit), for searches run one after another."""

    def __init__(self, seconds: float | None) -> None:
        self.end = None if seconds is None else time.monotonic() + seconds

    def left(self) -> float | None:
        return None if self.end is None else max(0.001, self.end - time.monotonic())


def _optimise(
    problem: Problem, draft: Draft | None, result: Blockers, deadline: Deadline
) -> tuple[Solutions, Amendment | None, list[Hypothetical]]:
    """Solutions and amendment, and when no deal exists the labelled hypothetical.

    Without a deal the hypothetical's solutions are the longest job (its Nash
    outer approximation above all), so they start first, in their own thread;
    the problem's own solutions are then quick (the agreement set is empty).
    """
    if result.feasible or not result.conflicts:
        solutions = solve(problem, time_limit=deadline.left())
        return solutions, amend(problem, draft, deadline.left()) if draft else None, []
    ids = sorted({c.id for conflict in result.conflicts for c in conflict.constraints})
    relaxed = problem.without(ids)
    with ThreadPoolExecutor(max_workers=1) as pool:
        relaxed_solutions = pool.submit(solve, relaxed, time_limit=deadline.left())
        solutions = solve(problem, time_limit=deadline.left())
        amendment = amend(problem, draft, deadline.left()) if draft else None
        amended = amend(relaxed, draft, deadline.left()) if draft else None
        hypothetical = Hypothetical(ids, relaxed_solutions.result(), amended)
    return solutions, amendment, [hypothetical]
