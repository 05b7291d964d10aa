"""The calls the web app makes into the core, with what-if applied and results cached.

Nothing here computes an answer: a request names a scenario, a draft, a date
and optional what-if overrides; :func:`context` turns them into a
:class:`zopa.problem.Problem` through :func:`zopa.whatif.apply`, and each
``*_of`` function calls one engine function.  Results are the engine's own
objects (their ``to_json`` is what the CLI prints with ``--json``) and are
kept in a small LRU cache, so moving a slider back is instant.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zopa.commands.forecast import ForecastOptions
from zopa.model import Draft, Scenario
from zopa.problem import Problem
from zopa.web.workspace import Catalogue
from zopa.whatif import Departure, Overrides, apply

CACHE_SIZE = 128


class UnknownDraft(LookupError):
    pass


@dataclass(frozen=True)
class Context:
    """One scenario, as of one date, for one draft, with what-if overrides applied."""

    name: str
    source_key: str  # the file and its modification time: a changed file is a new key
    sourced: Scenario
    scenario: Scenario
    problem: Problem
    draft: Draft | None
    overrides: Overrides
    departures: list[Departure]

    @property
    def key(self) -> str:
        return json.dumps(
            [
                self.name,
                self.source_key,
                self.draft.id if self.draft else None,
                self.problem.as_of.isoformat() if self.problem.as_of else None,
                self.overrides.model_dump(mode="json"),
            ]
        )


class _Cache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = compute()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_cache = _Cache(CACHE_SIZE)


def context(
    catalogue: Catalogue,
    name: str,
    draft: str | None = None,
    as_of: dt.date | None = None,
    overrides: Overrides | None = None,
) -> Context:
    """Load ``name``, apply ``overrides`` and select the draft and date (``Scenario.select``)."""
    sourced = catalogue.load(name)
    source_key = catalogue.key(name)
    overrides = overrides or Overrides()
    changed = apply(sourced, overrides)
    try:
        problem, selected = Problem.for_draft(changed.scenario, draft, as_of)
    except KeyError as err:
        raise UnknownDraft(str(err.args[0])) from None
    return Context(
        name,
        source_key,
        sourced,
        changed.scenario,
        problem,
        selected,
        overrides,
        changed.departures,
    )


def _cached(ctx: Context, what: str, params: Any, compute: Callable[[], Any]) -> Any:
    return _cache.get(f"{what}|{ctx.key}|{json.dumps(params, default=str)}", compute)


# --------------------------------------------------------------------------- analyses


def board_of(ctx: Context) -> Any:
    from zopa.engine.board import board

    return _cached(ctx, "board", None, lambda: board(ctx.problem, ctx.draft))


def blockers_of(ctx: Context, limit: int = 1000, time_limit: float | None = None) -> Any:
    from zopa.engine.blockers import blockers

    return _cached(
        ctx,
        "blockers",
        [limit, time_limit],
        lambda: blockers(ctx.problem, limit=limit, time_limit=time_limit),
    )


def solutions_of(
    ctx: Context, concepts: list[str] | None = None, time_limit: float | None = None
) -> Any:
    from zopa.engine.solutions import solve

    return _cached(
        ctx,
        "solve",
        [concepts, time_limit],
        lambda: solve(ctx.problem, concepts, time_limit=time_limit),
    )


def frontier_of(
    ctx: Context,
    parties: list[str] | None = None,
    limit: int = 2000,
    time_limit: float | None = None,
) -> Any:
    from zopa.engine.frontier import frontier

    return _cached(
        ctx,
        "frontier",
        [parties, limit, time_limit],
        lambda: frontier(ctx.problem, parties, limit=limit, time_limit=time_limit),
    )


def amendment_of(ctx: Context, time_limit: float | None = None) -> Any:
    from zopa.engine.amend import amend

    if ctx.draft is None:
        return None
    return _cached(
        ctx, "amend", [time_limit], lambda: amend(ctx.problem, ctx.draft, time_limit=time_limit)
    )


def bridges_of(
    ctx: Context, issues: list[str] | None = None, time_limit: float | None = None
) -> Any:
    """``zopa bridge``: new formulas that dissolve each conflict (ValueError for an issue
    that is unknown or not described by attributes)."""
    from zopa.engine.bridge import bridge, opened_issues

    opened_issues(ctx.problem, issues)
    return _cached(
        ctx,
        "bridge",
        [issues, time_limit],
        lambda: bridge(ctx.problem, issues, time_limit=time_limit),
    )


def timeline_of(ctx: Context, time_limit: float | None = None) -> Any:
    from zopa.engine.timeline import timeline

    return _cached(ctx, "timeline", [time_limit], lambda: timeline(ctx.scenario, time_limit))


def analysis_of(ctx: Context, time_limit: float | None = None) -> Any:
    from zopa.analysis import analyze

    return _cached(
        ctx, "analyze", [time_limit], lambda: analyze(ctx.problem, ctx.draft, time_limit)
    )


def forecasts_of(ctx: Context, options: ForecastOptions | None = None) -> list[Any]:
    """``zopa forecast`` for every model on every numeric issue with positions."""
    from zopa.models.forecast import forecasts_for

    o = options or ForecastOptions()
    return _cached(
        ctx, "forecasts", o.key(), lambda: forecasts_for(ctx.scenario, o.rounds, o.q, **o.kwargs())
    )


def forecast_of(
    ctx: Context, issue: str, model: str, options: ForecastOptions | None = None
) -> Any:
    """``zopa forecast --issue ISSUE --model MODEL``."""
    from zopa.models import forecast as fc

    o = options or ForecastOptions()

    def run() -> Any:
        from zopa.commands.forecast import actors

        cast = actors(ctx.scenario, issue)  # OptionError (no_actors) when no party speaks to it
        unit = ctx.scenario.issue(issue).unit
        return fc.run(cast, model, o.rounds, o.q, issue, unit, **o.kwargs())

    return _cached(ctx, "forecast", [issue, model, *o.key()], run)


def fair_of(ctx: Context, parties: list[str] | None) -> Any:
    """``zopa fair --parties A,B`` (:func:`zopa.commands.fair.fair`; OptionError as it raises)."""
    from zopa.commands.fair import fair

    return _cached(ctx, "fair", parties, lambda: fair(ctx.scenario, parties))


def stability_of(
    ctx: Context,
    outcome: str = "nash",
    coalitions: list[list[str]] | None = None,
    start: str | None = None,
    time_limit: float | None = None,
) -> Any:
    """``zopa stability``: the standoff of the scenario as of the context's date."""
    from zopa.gmcr.run import run_problem

    return _cached(
        ctx,
        "stability",
        [outcome, coalitions, start, time_limit],
        lambda: run_problem(ctx.problem, outcome, coalitions, start, time_limit),
    )


# --------------------------------------------------------------------------- JSON


def with_departures(document: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """A CLI-shaped document plus the what-if departures (keys are only ever added)."""
    return {**document, "departures": [d.to_json() for d in ctx.departures]}


def point_estimate(scenario: Scenario) -> dict[str, str]:
    """The CLI's ``point_estimate`` key for an uncertain scenario (analysed at its means)."""
    from zopa.model import POINT_ESTIMATE

    return {"point_estimate": POINT_ESTIMATE} if scenario.uncertain else {}


def record_note(scenario: Scenario, on: dt.date | None) -> dict[str, str]:
    """The CLI's ``record_note`` key when the analysis date lies outside the record."""
    note = scenario.record_note(on)
    return {"record_note": note} if note else {}


def as_cli(document: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The document ``zopa … --json`` prints for this context, plus the departures."""
    notes = {**point_estimate(ctx.scenario), **record_note(ctx.scenario, ctx.problem.as_of)}
    return with_departures({**document, **notes}, ctx)


def dates_of(scenario: Scenario) -> list[dt.date]:
    """The dates on which the analysis can change: drafts and red-line start/end dates."""
    dates: set[dt.date] = {d.date for d in scenario.drafts if d.date}
    for red in scenario.red_lines:
        if red.since:
            dates.add(red.since)
        if red.until:
            dates.add(red.until + dt.timedelta(days=1))
    return sorted(dates)
