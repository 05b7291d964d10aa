"""Functions the background jobs run (:mod:`zopa.web.jobs`), one per job kind.

Each takes plain JSON parameters — the scenario *text*, so a worker process
needs no access to the workspace — and a ``progress(fraction, message)``
callback, and returns the same JSON document the CLI prints with ``--json``
(with the CLI's ``point_estimate`` key where the CLI adds it).
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
    "simulate": "zopa.web.tasks:simulate",
    "montecarlo": "zopa.web.tasks:montecarlo",
    "tournament": "zopa.web.tasks:tournament",
}


def _problem(params: dict[str, Any]) -> tuple[Any, Any, list[dict[str, Any]]]:
    scenario = parse_scenario(params["text"], params.get("filename", "<scenario>"))
    changed = apply(scenario, Overrides.model_validate(params.get("overrides") or {}))
    as_of = dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    problem, draft = Problem.for_draft(changed.scenario, params.get("draft"), as_of)
    return problem, draft, [d.to_json() for d in changed.departures]


def _point_estimate(scenario: Any, on: dt.date | None = None) -> dict[str, str]:
    """The CLI's notes: ``point_estimate``, and ``record_note`` for a date off the record."""
    from zopa.web.service import point_estimate

    return {**point_estimate(scenario), **_record_note(scenario, on)}


def _record_note(scenario: Any, on: dt.date | None) -> dict[str, str]:
    from zopa.web.service import record_note

    return record_note(scenario, on)


def analyze(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``zopa analyze --json`` (the engine reports no finer progress than start and end)."""
    from zopa.analysis import analyze as run

    progress(0.05, "loading the scenario")
    problem, draft, departures = _problem(params)
    progress(0.1, "analysing: conflicts, concessions, solutions, amendment, timeline")
    result = run(problem, draft, params.get("time_limit"))
    progress(1.0, "done")
    notes = _point_estimate(problem.scenario, problem.as_of)
    return {**result.to_json(), **notes, "departures": departures}


def _settings(given: dict[str, Any], code: str) -> tuple[Any, dict[str, Any] | None]:
    """A request's simulation settings, read as the command reads its options (its defaults
    where none are given; OptionError with ``code``), and the strategies per party."""
    from zopa.commands import OptionError
    from zopa.commands.simulation import settings

    try:
        chosen = settings(
            protocol=given.get("protocol"),
            params=given.get("params") or {},
            rounds=given.get("rounds"),
            seed=given.get("seed"),
            discount=given.get("discount"),
        )
    except OptionError as err:
        err.code = code
        raise
    return chosen, given.get("strategies") or None


def check_simulate(problem: Problem, settings: dict[str, Any]) -> None:
    """Raise OptionError (422 ``invalid_simulation``) when the settings do not fit."""
    from zopa.commands.simulation import check

    chosen, strategies = _settings(settings, "invalid_simulation")
    check(problem, strategies, chosen)


def simulate(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``zopa simulate --json`` for the web app, plus the figure of ``zopa simulate --plot``."""
    import json

    from zopa.commands.simulation import simulate as run
    from zopa.engine.frontier import frontier
    from zopa.report.charts import figure_json, simulation_figure

    progress(0.05, "loading the scenario")
    problem, draft, departures = _problem(params)
    chosen, strategies = _settings(params.get("simulation") or {}, "invalid_simulation")
    progress(0.15, "simulating the talks and measuring against the exact frontier")
    measured = run(problem, draft, strategies, chosen)
    ref, doc = measured.reference, measured.document
    progress(0.85, "drawing")
    pair = [problem.parties[p].id for p in problem.veto_parties[:2]]
    plane = frontier(problem, pair) if ref.feasible and len(pair) == 2 else None
    figure = json.loads(figure_json(simulation_figure(problem, doc, plane)))
    progress(1.0, "done")
    return {
        **doc,
        **_point_estimate(problem.scenario, problem.as_of),
        "departures": departures,
        "figure": figure,
    }


def montecarlo(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``zopa montecarlo --json`` in this worker process, with progress per batch of samples."""
    from zopa import uncertainty

    progress(0.02, "loading the scenario")
    scenario = parse_scenario(params["text"], params.get("filename", "<scenario>"))
    changed = apply(scenario, Overrides.model_validate(params.get("overrides") or {}))
    settings = params.get("montecarlo") or {}
    samples = int(settings.get("samples", 1000))
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n  # two passes over the samples: analysis, then the robust package
        progress(0.05 + 0.9 * min(1.0, done / (2 * samples)), f"{done // 2:,} of {samples:,}")

    as_of = dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    result = uncertainty.montecarlo(
        changed.scenario,
        samples,
        int(settings.get("seed", 0)),
        as_of=as_of,
        draft=params.get("draft"),
        nash=bool(settings.get("nash", True)),
        executor=uncertainty.Serial(),
        progress=advance,
    )
    doc = result.to_json()
    from zopa.report.charts import figure_json, montecarlo_figure

    figure = json_figure(figure_json(montecarlo_figure(doc)))
    progress(1.0, "done")
    _, date = changed.scenario.select(params.get("draft"), as_of)
    return {
        **doc,
        **_record_note(changed.scenario, date),
        "departures": [d.to_json() for d in changed.departures],
        "figure": figure,
    }


def json_figure(text: str) -> dict[str, Any]:
    import json

    return json.loads(text)


MAX_TOURNAMENT_RUNS = 5_000


def tournament_job(scenario: Any, params: dict[str, Any]) -> Any:
    """The ``zopa tournament`` job of one scenario (:func:`zopa.commands.simulation.tournament_job`;
    OptionError, 422 ``invalid_tournament``, on bad settings or too many runs)."""
    from zopa.commands import OptionError
    from zopa.commands.defaults import TOURNAMENT_REPEATS
    from zopa.commands.simulation import tournament_job as build

    t = params.get("tournament") or {}
    chosen, _ = _settings(t, "invalid_tournament")
    as_of = dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    entry = (scenario, as_of, params.get("draft"))
    job = build([entry], t.get("strategies") or "", chosen, t.get("repeats", TOURNAMENT_REPEATS))
    total = len(job.runs())
    if total > MAX_TOURNAMENT_RUNS:
        raise OptionError(
            None,
            f"{total:,} runs (strategies ** parties × repeats); the web app runs at most "
            f"{MAX_TOURNAMENT_RUNS:,}: use `zopa tournament` with Dask for more",
            "invalid_tournament",
        )
    return job


class OneRunAtATime:
    """A serial executor handed one run per task, so that progress moves after every run.

    :func:`zopa.simulate.tournament.tasks` cuts the runs into about four
    batches per worker; claiming as many workers as there are runs makes
    every batch a single run.  The result does not depend on the batching.
    """

    def __init__(self, runs: int) -> None:
        self.workers = max(1, runs)

    def map(self, fn: Callable[..., Any], job: Any, items: Any) -> Any:
        for item in items:
            yield fn(job, *item)

    def close(self) -> None:
        pass


def tournament(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """``zopa tournament --json`` for one scenario, in this worker process, with progress
    after every run (a run of a large scenario can take seconds)."""
    from zopa.commands.simulation import tournament as play

    progress(0.02, "loading the scenario")
    scenario = parse_scenario(params["text"], params.get("filename", "<scenario>"))
    changed = apply(scenario, Overrides.model_validate(params.get("overrides") or {}))
    job = tournament_job(changed.scenario, params)
    total, done = len(job.runs()), 0
    progress(0.04, f"0 of {total:,} runs (computing the Nash reference first)")

    def advance(n: int) -> None:
        nonlocal done
        done += n
        progress(0.05 + 0.9 * done / total, f"{done:,} of {total:,} runs")

    result = play(job, OneRunAtATime(total), progress=advance)
    progress(1.0, "done")
    return {
        **result.to_json(),
        **_point_estimate(changed.scenario),
        "departures": [d.to_json() for d in changed.departures],
    }
