"""Functions the background jobs run (:mod:`zopa.web.jobs`), one per job kind.

Each takes plain JSON parameters — the scenario *text*, so a worker process
needs no access to the workspace — and a ``progress(fraction, message)``
callback, and returns the same JSON document the CLI prints with ``--json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from zopa.load import parse_scenario
from zopa.problem import Problem
from zopa.whatif import Overrides, apply

Progress = Callable[[float, str], None]

#: job kind -> "module:function"; further kinds join as their core features land
KINDS: dict[str, str] = {
    "analyze": "zopa.web.tasks:analyze",
}


def _problem(params: dict[str, Any]) -> tuple[Any, Any, list[dict[str, Any]]]:
    scenario = parse_scenario(params["text"], params.get("filename", "<scenario>"))
    changed = apply(scenario, Overrides.model_validate(params.get("overrides") or {}))
    as_of = dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    problem, draft = Problem.for_draft(changed.scenario, params.get("draft"), as_of)
    return problem, draft, [d.to_json() for d in changed.departures]


def analyze(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``zopa analyze --json`` (the engine reports no finer progress than start and end)."""
    from zopa.engine.analyze import analyze as run

    progress(0.05, "loading the scenario")
    problem, draft, departures = _problem(params)
    progress(0.1, "analysing: conflicts, concessions, solutions, amendment, timeline")
    result = run(problem, draft, params.get("time_limit"))
    progress(1.0, "done")
    return {**result.to_json(), "departures": departures}
