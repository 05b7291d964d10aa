"""The JSON API: one endpoint per analysis, in the shapes the CLI prints with ``--json``.

Every analysis endpoint takes the same request body (:class:`Query`): the
scenario's name, the draft, the date, the what-if ``overrides`` of
:mod:`zopa.whatif`, and a solver time limit.  Responses are the engine's
``to_json()`` documents with one key added, ``departures``: the what-if
changes from the sourced scenario (empty when there are none).  As in the
CLI, a scenario with distributions (or red lines of uncertain firmness) is
analysed at its point estimate, and the document then carries the CLI's
``point_estimate`` key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from zopa.commands import OptionError, defaults
from zopa.models import bdm
from zopa.models import sensitivity as sens
from zopa.models.forecast import MODELS
from zopa.simulate.run import MAX_ROUNDS as SIMULATION_ROUNDS
from zopa.web import schemas as S
from zopa.web import service
from zopa.web.workspace import MAX_SCENARIO_BYTES, ScenarioTooLarge
from zopa.whatif import Overrides, thresholds

MAX_SOLVER_SECONDS = 60.0
DEFAULT_SOLVER_SECONDS = 20.0
Name = Annotated[str, Field(min_length=1, max_length=64, examples=["ukraine-2025"])]
JobId = Annotated[str, Field(max_length=80)]
Concept = Literal["utilitarian", "egalitarian", "nash", "kalai_smorodinsky"]


class ApiError(Exception):
    """An error with an HTTP status and a JSON body ``{"error": code, "message": ...}``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> JSONResponse:
        headers = {"Retry-After": "5"} if self.status == 503 else None
        body = {"error": self.code, "message": self.message, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=headers)


class Query(BaseModel):
    """Which scenario, draft and date to analyse, with optional what-if overrides."""

    model_config = ConfigDict(extra="forbid")

    scenario: Name = "ukraine-2025"
    draft: Annotated[str | None, Field(max_length=200)] = None
    as_of: dt.date | None = None
    overrides: Overrides | None = None
    time_limit: Annotated[float | None, Field(gt=0, le=MAX_SOLVER_SECONDS)] = None


class BlockersQuery(Query):
    limit: Annotated[int, Field(ge=1, le=100_000)] = 1000


class SolveQuery(Query):
    concepts: Annotated[list[Concept] | None, Field(max_length=4)] = None


class FrontierQuery(Query):
    parties: Annotated[list[Annotated[str, Field(max_length=200)]] | None, Field(max_length=20)] = (
        None
    )
    limit: Annotated[int, Field(ge=1, le=100_000)] = 2000


class BridgeQuery(Query):
    """The options of ``zopa bridge``: ``--issue`` (repeatable)."""

    issues: Annotated[list[Annotated[str, Field(max_length=200)]] | None, Field(max_length=100)] = (
        None
    )


class ForecastsQuery(Query):
    """The options of ``zopa forecast``: ``--rounds``, ``--q``, ``--variant``, ``--samples``,
    ``--seed``; ``sensitivity: false`` is ``--no-sensitivity``."""

    rounds: Annotated[
        int | None,
        Field(ge=1, le=bdm.MAX_ROUNDS, description=f"default {defaults.FORECAST_ROUNDS}"),
    ] = None
    q: Annotated[
        float | None, Field(ge=0, le=1, description=f"default {defaults.FORECAST_Q:g}")
    ] = None
    variant: Literal[tuple(bdm.VARIANTS)] | None = None  # type: ignore[valid-type]
    sensitivity: bool = True
    samples: Annotated[int, Field(ge=1, le=sens.MAX_SAMPLES)] = defaults.FORECAST_SAMPLES
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = defaults.FORECAST_SEED


class ForecastQuery(ForecastsQuery):
    """The options of ``zopa forecast``, with ``--issue`` and ``--model``."""

    issue: Annotated[str | None, Field(max_length=200)] = None
    model: Literal[MODELS] = defaults.FORECAST_MODEL  # type: ignore[valid-type]


class FairQuery(Query):
    parties: Annotated[list[Annotated[str, Field(max_length=200)]] | None, Field(max_length=2)] = (
        None
    )


Short = Annotated[str, Field(max_length=200)]


class StabilityQuery(Query):
    """The options of ``zopa stability`` on a scenario: the outcome rule, coalitions of
    decision makers moving as one, and the state the status-quo analysis starts from."""

    outcome: Concept = "nash"
    coalitions: Annotated[
        list[Annotated[list[Short], Field(min_length=2, max_length=20)]] | None,
        Field(max_length=10),
    ] = None
    start: Annotated[str | None, Field(max_length=64, pattern="^[YN]+$")] = None


class SimulationSettings(BaseModel):
    """The settings of ``zopa simulate``: protocol, a strategy per party, rounds, seed
    (the defaults are the command's, :mod:`zopa.commands.defaults`)."""

    model_config = ConfigDict(extra="forbid")

    protocol: Annotated[str, Field(max_length=40)] = defaults.SIMULATION_PROTOCOL
    strategies: Annotated[dict[Short, Short], Field(max_length=50)] = Field(default_factory=dict)
    rounds: Annotated[int, Field(ge=1, le=SIMULATION_ROUNDS)] = defaults.SIMULATION_ROUNDS
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = defaults.SIMULATION_SEED
    discount: Annotated[float, Field(gt=0, le=1)] = defaults.SIMULATION_DISCOUNT
    params: Annotated[dict[Short, Short | float | bool], Field(max_length=20)] = Field(
        default_factory=dict
    )


class MonteCarloSettings(BaseModel):
    """The settings of ``zopa montecarlo``: samples, seed, Nash packages."""

    model_config = ConfigDict(extra="forbid")

    samples: Annotated[int, Field(ge=1, le=100_000)] = 1000
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    nash: bool = True


class TournamentSettings(BaseModel):
    """The settings of ``zopa tournament`` on one scenario."""

    model_config = ConfigDict(extra="forbid")

    strategies: Annotated[str, Field(max_length=500, examples=["boulware,linear,hardliner"])] = (
        "boulware,linear,hardliner"
    )
    repeats: Annotated[int, Field(ge=1, le=100)] = defaults.TOURNAMENT_REPEATS
    protocol: Annotated[str, Field(max_length=40)] = defaults.SIMULATION_PROTOCOL
    rounds: Annotated[int, Field(ge=1, le=SIMULATION_ROUNDS)] = defaults.SIMULATION_ROUNDS
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = defaults.SIMULATION_SEED
    discount: Annotated[float, Field(gt=0, le=1)] = defaults.SIMULATION_DISCOUNT
    params: Annotated[dict[Short, Short | float | bool], Field(max_length=20)] = Field(
        default_factory=dict
    )


class JobQuery(Query):
    kind: Annotated[str, Field(max_length=40, examples=["analyze"])]
    simulation: SimulationSettings | None = None
    montecarlo: MonteCarloSettings | None = None
    tournament: TournamentSettings | None = None


class Text(BaseModel):
    """Scenario text; over MAX_SCENARIO_BYTES in UTF-8 it is refused with 413 (``too_large``)."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        str,
        Field(description=f"At most {MAX_SCENARIO_BYTES:,} bytes in UTF-8 (413 beyond)."),
    ]

    def checked(self) -> str:
        """The text, or 413 when it is too large, or 422 when it is not valid Unicode."""
        try:
            size = len(self.text.encode("utf-8"))
        except UnicodeEncodeError as err:  # JSON can carry lone surrogates ("\ud800")
            message = f"the text is not valid Unicode at character {err.start:,}"
            raise ApiError(422, "invalid_request", message) from None
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioTooLarge(size)
        return self.text


class SaveBody(Text):
    """Scenario text to save, and the revision it was edited from (optimistic concurrency)."""

    base_revision: Annotated[
        str | None,
        Field(
            max_length=64,
            description="The `revision` the text was edited from (from GET /api/scenarios/NAME); "
            '"" when the name was free. A stale one gets 409 and the text is kept as a version. '
            "Without it the save always applies.",
        ),
    ] = None


router = APIRouter(prefix="/api", responses=S.ERRORS)


# --------------------------------------------------------------------------- running


async def run_limited(request: Request, fn: Callable[[], Any], seconds: float) -> Any:
    """Run a solver call in a thread: at most a few at once, and never past a wall-clock limit.

    The engines stop themselves at ``seconds``; the wall-clock guard (twice
    that, plus a margin) answers 503 if one does not.
    """
    gate: asyncio.Semaphore = request.app.state.gate
    try:
        await asyncio.wait_for(gate.acquire(), timeout=10)
    except TimeoutError:
        raise ApiError(503, "busy", "the server is busy with other analyses; retry") from None
    try:
        return await asyncio.wait_for(run_in_threadpool(fn), timeout=2 * seconds + 5)
    except TimeoutError:
        raise ApiError(
            503, "time_limit", f"the analysis did not finish within {2 * seconds + 5:g} s"
        ) from None
    finally:
        gate.release()


def _seconds(q: Query) -> float:
    return q.time_limit or DEFAULT_SOLVER_SECONDS


def _context(request: Request, q: Query) -> service.Context:
    return service.context(request.app.state.catalogue, q.scenario, q.draft, q.as_of, q.overrides)


async def _analysis(
    request: Request,
    q: Query,
    compute: Callable[[service.Context], Any],
    seconds: float | None = None,
) -> Any:
    """``compute`` on the request's scenario, under the wall-clock guard of ``seconds``
    (default: the request's solver time limit)."""
    ctx = await run_in_threadpool(_context, request, q)
    document = await run_limited(request, lambda: compute(ctx), seconds or _seconds(q))
    return service.as_cli(document, ctx)


def _assumed(c: service.Context, document: dict[str, Any]) -> dict[str, Any]:
    """A document derived from the scenario's assumed weights, values and reservations,
    labelled as the CLI labels it (:func:`zopa.analysis.assumption_label`)."""
    from zopa.analysis import assumption_label

    return {**document, **assumption_label(c.scenario)}


# --------------------------------------------------------------------------- analyses


@router.post("/board", summary="Status board of a draft", **S.ok(S.Board))
async def board(request: Request, q: Query) -> dict[str, Any]:
    return await _analysis(request, q, lambda c: service.board_of(c).to_json())


@router.post(
    "/blockers",
    summary="Feasibility, conflicts and concessions (zopa blockers)",
    **S.ok(S.Blockers),
)
async def blockers(request: Request, q: BlockersQuery) -> dict[str, Any]:
    return await _analysis(
        request, q, lambda c: service.blockers_of(c, q.limit, _seconds(q)).to_json()
    )


@router.post("/solve", summary="Bargaining solutions (zopa solve)", **S.ok(S.Solutions))
async def solve(request: Request, q: SolveQuery) -> dict[str, Any]:
    concepts = list(q.concepts) if q.concepts else None
    return await _analysis(
        request,
        q,
        lambda c: _assumed(c, service.solutions_of(c, concepts, _seconds(q)).to_json()),
    )


@router.post("/frontier", summary="Pareto frontier (zopa frontier)", **S.ok(S.Frontier))
async def frontier(request: Request, q: FrontierQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        from zopa.commands.parties import party_list

        parties = party_list(c.scenario, q.parties)
        result = service.frontier_of(c, parties, q.limit, _seconds(q))
        return _assumed(c, result.to_json(c.problem))

    return await _analysis(request, q, compute)


@router.post(
    "/amend", summary="Smallest acceptable amendment of a draft (zopa amend)", **S.ok(S.Amendment)
)
async def amend(request: Request, q: Query) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        if c.draft is None:
            from zopa.engine.amend import no_draft

            raise ApiError(422, "no_draft", no_draft(c.problem))
        return _assumed(c, service.amendment_of(c, _seconds(q)).to_json())

    return await _analysis(request, q, compute)


@router.post(
    "/timeline", summary="Every draft as of its own date (zopa timeline)", **S.ok(S.Timeline)
)
async def timeline(request: Request, q: Query) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        entries = service.timeline_of(c, _seconds(q))
        return {"scenario": c.scenario.id, "timeline": [e.to_json() for e in entries]}

    return await _analysis(request, q, compute)


@router.post(
    "/bridge", summary="New formulas that dissolve each conflict (zopa bridge)", **S.ok(S.Bridges)
)
async def bridge(request: Request, q: BridgeQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        try:
            return _assumed(c, service.bridges_of(c, q.issues, _seconds(q)).to_json())
        except ValueError as err:
            raise ApiError(422, "invalid_request", f"issues: {err}") from None

    return await _analysis(request, q, compute)


@router.post("/analyze", summary="The whole analysis (zopa analyze)", **S.ok(S.Analysis))
async def analyze(request: Request, q: Query) -> dict[str, Any]:
    return await _analysis(request, q, lambda c: service.analysis_of(c, _seconds(q)).to_json())


@router.post(
    "/forecast",
    summary="Forecast one numeric issue with one model (zopa forecast)",
    **S.ok(S.Forecast),
)
async def forecast(request: Request, q: ForecastQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        from zopa.commands.forecast import numeric_issue

        issue = numeric_issue(c.scenario, q.issue)
        try:
            result = service.forecast_of(c, issue, q.model, _forecast_options(q))
        except OptionError:
            raise
        except ValueError as err:
            raise ApiError(422, "invalid_request", str(err)) from None
        if result is None:
            message = f"no party has a position or values on issue {issue!r}"
            raise ApiError(422, "no_actors", message)
        from zopa.analysis import labelled_forecast

        return labelled_forecast(result.to_json())

    # no solver runs here, so the solver's time_limit does not bound it (see _FORECAST_SECONDS)
    return await _analysis(request, q, compute, _FORECAST_SECONDS)


@router.post(
    "/forecasts", summary="Every model on every numeric issue with positions", **S.ok(S.Forecasts)
)
async def forecasts(request: Request, q: ForecastsQuery) -> dict[str, Any]:
    from zopa.analysis import labelled_forecast

    def compute(c: service.Context) -> dict[str, Any]:
        return {
            "scenario": c.scenario.id,
            "forecasts": [
                labelled_forecast(f.to_json())
                for f in service.forecasts_of(c, _forecast_options(q))
            ],
        }

    return await _analysis(request, q, compute, _FORECAST_SECONDS)


#: The wall-clock guard of the forecast endpoints is that of the default solver time limit:
#: a forecast calls no solver, and its sensitivity analysis with many rounds can take seconds.
_FORECAST_SECONDS = DEFAULT_SOLVER_SECONDS


def _forecast_options(q: ForecastsQuery) -> Any:
    """The options as ``zopa forecast`` checks them (OptionError, 422, as it refuses them)."""
    from zopa.commands.forecast import options

    model = getattr(q, "model", None)  # /api/forecasts: every model
    return options(model, q.rounds, q.q, q.variant, q.sensitivity, q.samples, q.seed)


@router.post(
    "/stability",
    summary="The standoff as a graph model: stability (zopa stability)",
    **S.ok(S.Stability),
)
async def stability(request: Request, q: StabilityQuery) -> dict[str, Any]:
    from zopa.gmcr.model import ModelLimit
    from zopa.gmcr.run import StabilityUsage

    def compute(c: service.Context) -> dict[str, Any]:
        try:
            result = service.stability_of(c, q.outcome, q.coalitions, q.start, _seconds(q))
        except StabilityUsage as err:
            raise ApiError(422, "invalid_request", str(err)) from None
        except ModelLimit as err:
            raise ApiError(422, "limit", str(err)) from None
        return _assumed(c, result.to_json()) if result.standoff is not None else result.to_json()

    return await _analysis(request, q, compute)


@router.post("/fair", summary="Adjusted Winner between two parties (zopa fair)", **S.ok(S.Fair))
async def fair(request: Request, q: FairQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        division = service.fair_of(c, q.parties)  # as `zopa fair --parties A,B`
        return _assumed(c, {"scenario": c.scenario.id, **division.to_json()})

    return await _analysis(request, q, compute)


@router.post(
    "/whatif", summary="Apply overrides: the departures and the changed scenario", **S.ok(S.WhatIf)
)
async def whatif(request: Request, q: Query) -> dict[str, Any]:
    ctx = await run_in_threadpool(_context, request, q)
    return service.with_departures(
        {"scenario": ctx.scenario.model_dump(mode="json", exclude_none=True)}, ctx
    )


# --------------------------------------------------------------------------- scenarios


@router.get("/scenarios", summary="Scenarios the app can open", **S.ok(S.Scenarios))
async def scenarios(request: Request) -> dict[str, Any]:
    catalogue = request.app.state.catalogue
    return {"scenarios": [e.to_json() for e in catalogue.entries()]}


@router.get(
    "/scenarios/{name}", summary="A scenario's text, versions and kind", **S.ok(S.ScenarioText)
)
async def scenario_text(request: Request, name: Name) -> dict[str, Any]:
    catalogue = request.app.state.catalogue
    entry = catalogue.entry(name)
    diagnostics = await run_in_threadpool(catalogue.diagnostics, name)
    return {
        "name": name,
        "kind": entry.kind,
        "text": catalogue.text(name),
        "valid": not diagnostics,
        "diagnostics": diagnostics,
        "versions": catalogue.versions(name),
        "newer_invalid_draft": catalogue.newer_invalid_draft(name),
        "revision": catalogue.revision(name),
    }


@router.put(
    "/scenarios/{name}",
    summary="Save a scenario into the workspace (versioned)",
    response_model=None,
    responses={200: {"model": S.Saved}, **S.STALE},
)
async def save(request: Request, name: Name, body: SaveBody) -> dict[str, Any]:
    catalogue = request.app.state.catalogue
    saved = await run_in_threadpool(catalogue.save, name, body.checked(), body.base_revision)
    return saved.to_json()


@router.get(
    "/scenarios/{name}/versions/{version}",
    summary="The text of a kept version",
    **S.ok(S.VersionText),
)
async def version(request: Request, name: Name, version: JobId) -> dict[str, Any]:
    text = request.app.state.catalogue.version_text(name, version)
    return {"name": name, "version": version, "text": text}


@router.get(
    "/scenarios/{name}/controls",
    summary="What a what-if can change in a scenario",
    **S.ok(S.Controls),
)
async def controls(request: Request, name: Name) -> dict[str, Any]:
    s = await run_in_threadpool(request.app.state.catalogue.load, name)
    return {
        "scenario": s.id,
        "red_lines": [{"id": r.id, "party": r.party, "rule": r.rule} for r in s.red_lines],
        "thresholds": [t.to_json() for t in thresholds(s)],
        "parties": [
            {
                "id": p.id,
                "veto": p.veto,
                "reservation": _number(p.reservation),
                "weights": {i: _number(w) for i, w in p.weights.items()},
            }
            for p in s.parties
        ],
    }


def _number(x: Any) -> Any:
    return x.to_json() if hasattr(x, "to_json") else x


@router.post(
    "/validate", summary="Validate scenario text; every problem with its line", **S.ok(S.Validation)
)
async def validate(body: Text) -> dict[str, Any]:
    from zopa.load import ScenarioError, parse_scenario
    from zopa.web.workspace import diagnostics_json

    try:
        s = await run_in_threadpool(parse_scenario, body.checked(), "scenario.yaml")
    except ScenarioError as err:
        return {"valid": False, "diagnostics": diagnostics_json(err)}
    return {
        "valid": True,
        "diagnostics": [],
        "summary": {
            "id": s.id,
            "issues": len(s.issues),
            "parties": len(s.parties),
            "red_lines": len(s.red_lines),
            "drafts": len(s.drafts),
        },
    }


# --------------------------------------------------------------------------- jobs


@router.post(
    "/jobs",
    status_code=202,
    summary="Start a long analysis in the background",
    response_model=None,
    responses={202: {"model": S.Job}, **S.TOO_MANY},
)
async def start_job(request: Request, q: JobQuery) -> dict[str, Any]:
    from zopa.web.jobs import Busy

    jobs = request.app.state.jobs
    if q.kind not in jobs.kinds:
        message = f"no job kind {q.kind[:40]!r} (kinds: {', '.join(jobs.kinds)})"
        raise ApiError(422, "unknown_kind", message)
    ctx = await run_in_threadpool(_context, request, q)  # checks the request before starting
    simulation = (q.simulation or SimulationSettings()).model_dump()
    if q.kind == "simulate":
        from zopa.web.tasks import check_simulate

        await run_in_threadpool(check_simulate, ctx.problem, simulation)
    tournament = (q.tournament or TournamentSettings()).model_dump()
    if q.kind == "tournament":
        from zopa.web.tasks import tournament_job

        when = q.as_of.isoformat() if q.as_of else None
        params = {"tournament": tournament, "draft": q.draft, "as_of": when}
        await run_in_threadpool(tournament_job, ctx.scenario, params)
    params = {
        "name": q.scenario,
        "tournament": tournament,
        "simulation": simulation,
        "montecarlo": (q.montecarlo or MonteCarloSettings()).model_dump(),
        "text": request.app.state.catalogue.text(q.scenario),
        "filename": f"{q.scenario}.yaml",
        "draft": ctx.draft.id if ctx.draft else None,
        "as_of": q.as_of.isoformat() if q.as_of else None,
        "overrides": q.overrides.model_dump(mode="json") if q.overrides else None,
        "time_limit": q.time_limit,
    }
    try:
        job = jobs.start(q.kind, params)
    except Busy as err:
        raise ApiError(429, "too_many_jobs", str(err)) from None
    return job.to_json()


@router.get("/jobs", summary="Jobs of this server, newest first", **S.ok(S.Jobs))
async def list_jobs(request: Request) -> dict[str, Any]:
    return {"jobs": [j.to_json() for j in request.app.state.jobs.list()]}


@router.get("/jobs/{job_id}", summary="A job's state and progress", **S.ok(S.Job))
async def job_status(request: Request, job_id: JobId) -> dict[str, Any]:
    return request.app.state.jobs.get(job_id).to_json()


@router.delete("/jobs/{job_id}", summary="Cancel a job", **S.ok(S.Job))
async def cancel_job(request: Request, job_id: JobId) -> dict[str, Any]:
    job = await run_in_threadpool(request.app.state.jobs.cancel, job_id)
    return job.to_json()


@router.get(
    "/jobs/{job_id}/result",
    summary="A finished job's result",
    response_model=None,
    responses={200: {"model": S.Open}, **S.CONFLICT},
)
async def job_result(request: Request, job_id: JobId) -> dict[str, Any]:
    job = request.app.state.jobs.get(job_id)
    if job.result is None:
        raise ApiError(409, "not_finished", f"job {job.id} is {job.state}", job=job.to_json())
    return job.result
