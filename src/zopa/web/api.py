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

from zopa.models import bdm
from zopa.models import sensitivity as sens
from zopa.models.forecast import MODELS
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

    rounds: Annotated[int, Field(ge=1, le=bdm.MAX_ROUNDS)] = 10
    q: Annotated[float, Field(ge=0, le=1)] = 1.0
    variant: Literal[tuple(bdm.VARIANTS)] | None = None  # type: ignore[valid-type]
    sensitivity: bool = True
    samples: Annotated[int, Field(ge=1, le=sens.MAX_SAMPLES)] = sens.SAMPLES
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0


class ForecastQuery(ForecastsQuery):
    """The options of ``zopa forecast``, with ``--issue`` and ``--model``."""

    issue: Annotated[str | None, Field(max_length=200)] = None
    model: Literal[MODELS] = "compromise"  # type: ignore[valid-type]


class FairQuery(Query):
    parties: Annotated[list[Annotated[str, Field(max_length=200)]] | None, Field(max_length=2)] = (
        None
    )


Short = Annotated[str, Field(max_length=200)]


class SimulationSettings(BaseModel):
    """The settings of ``zopa simulate``: protocol, a strategy per party, rounds, seed."""

    model_config = ConfigDict(extra="forbid")

    protocol: Annotated[str, Field(max_length=40)] = "alternating"
    strategies: Annotated[dict[Short, Short], Field(max_length=50)] = Field(default_factory=dict)
    rounds: Annotated[int, Field(ge=1, le=10_000)] = 100
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    discount: Annotated[float, Field(gt=0, le=1)] = 1.0
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
    repeats: Annotated[int, Field(ge=1, le=100)] = 1
    protocol: Annotated[str, Field(max_length=40)] = "alternating"
    rounds: Annotated[int, Field(ge=1, le=10_000)] = 100
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    discount: Annotated[float, Field(gt=0, le=1)] = 1.0
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


router = APIRouter(prefix="/api")


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


# --------------------------------------------------------------------------- analyses


@router.post("/board", summary="Status board of a draft")
async def board(request: Request, q: Query) -> dict[str, Any]:
    return await _analysis(request, q, lambda c: service.board_of(c).to_json())


@router.post("/blockers", summary="Feasibility, conflicts and concessions (zopa blockers)")
async def blockers(request: Request, q: BlockersQuery) -> dict[str, Any]:
    return await _analysis(
        request, q, lambda c: service.blockers_of(c, q.limit, _seconds(q)).to_json()
    )


@router.post("/solve", summary="Bargaining solutions (zopa solve)")
async def solve(request: Request, q: SolveQuery) -> dict[str, Any]:
    concepts = list(q.concepts) if q.concepts else None
    return await _analysis(
        request, q, lambda c: service.solutions_of(c, concepts, _seconds(q)).to_json()
    )


@router.post("/frontier", summary="Pareto frontier (zopa frontier)")
async def frontier(request: Request, q: FrontierQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        parties = _check_parties(c, q.parties)
        result = service.frontier_of(c, parties, q.limit, _seconds(q))
        return result.to_json(c.problem)

    return await _analysis(request, q, compute)


@router.post("/amend", summary="Smallest acceptable amendment of a draft (zopa amend)")
async def amend(request: Request, q: Query) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        if c.draft is None:
            raise ApiError(422, "no_draft", "the scenario has no drafts to amend")
        return service.amendment_of(c, _seconds(q)).to_json()

    return await _analysis(request, q, compute)


@router.post("/timeline", summary="Every draft as of its own date (zopa timeline)")
async def timeline(request: Request, q: Query) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        entries = service.timeline_of(c, _seconds(q))
        return {"scenario": c.scenario.id, "timeline": [e.to_json() for e in entries]}

    return await _analysis(request, q, compute)


@router.post("/bridge", summary="New formulas that dissolve each conflict (zopa bridge)")
async def bridge(request: Request, q: BridgeQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        try:
            return service.bridges_of(c, q.issues, _seconds(q)).to_json()
        except ValueError as err:
            raise ApiError(422, "invalid_request", f"issues: {err}") from None

    return await _analysis(request, q, compute)


@router.post("/analyze", summary="The whole analysis (zopa analyze)")
async def analyze(request: Request, q: Query) -> dict[str, Any]:
    return await _analysis(request, q, lambda c: service.analysis_of(c, _seconds(q)).to_json())


@router.post("/forecast", summary="Forecast one numeric issue with one model (zopa forecast)")
async def forecast(request: Request, q: ForecastQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        issue = numeric_issue(c, q.issue)
        try:
            result = service.forecast_of(c, issue, q.model, _forecast_options(q))
        except ValueError as err:
            raise ApiError(422, "invalid_request", str(err)) from None
        if result is None:
            message = f"no party has a position or values on issue {issue!r}"
            raise ApiError(422, "no_actors", message)
        return result.to_json()

    # no solver runs here, so the solver's time_limit does not bound it (see _FORECAST_SECONDS)
    return await _analysis(request, q, compute, _FORECAST_SECONDS)


@router.post("/forecasts", summary="Every model on every numeric issue with positions")
async def forecasts(request: Request, q: ForecastsQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        return {
            "scenario": c.scenario.id,
            "forecasts": [f.to_json() for f in service.forecasts_of(c, _forecast_options(q))],
        }

    return await _analysis(request, q, compute, _FORECAST_SECONDS)


#: The wall-clock guard of the forecast endpoints is that of the default solver time limit:
#: a forecast calls no solver, and its sensitivity analysis with many rounds can take seconds.
_FORECAST_SECONDS = DEFAULT_SOLVER_SECONDS


def _forecast_options(q: ForecastsQuery) -> service.ForecastOptions:
    if q.variant is not None and getattr(q, "model", "bdm") != "bdm":
        raise ApiError(422, "invalid_request", "variant applies to model bdm only")
    return service.ForecastOptions(q.rounds, q.q, q.variant, q.sensitivity, q.samples, q.seed)


def numeric_issue(ctx: service.Context, issue: str | None) -> str:
    """The issue to forecast, checked as ``zopa forecast --issue`` checks it."""
    numeric = [i.id for i in ctx.scenario.issues if i.numeric]
    if issue is None:
        if len(numeric) == 1:
            return numeric[0]
        message = f"issue is required; numeric issues of {ctx.scenario.id!r}: " + (
            ", ".join(numeric) or "none"
        )
        raise ApiError(422, "unknown_issue", message)
    if issue not in numeric:
        known = {i.id for i in ctx.scenario.issues}
        what = "is categorical; forecasting needs a numeric issue" if issue in known else "no such"
        message = f"issue {issue[:80]!r}: {what} (numeric issues: {', '.join(numeric) or 'none'})"
        raise ApiError(422, "unknown_issue", message)
    return issue


@router.post("/fair", summary="Adjusted Winner between two parties (zopa fair)")
async def fair(request: Request, q: FairQuery) -> dict[str, Any]:
    def compute(c: service.Context) -> dict[str, Any]:
        a, b = two_parties(c, q.parties)
        try:
            division = service.fair_of(c, (a, b))
        except ValueError as err:
            raise ApiError(422, "invalid_request", str(err)) from None
        return {"scenario": c.scenario.id, **division.to_json()}

    return await _analysis(request, q, compute)


@router.post("/whatif", summary="Apply overrides: the departures and the changed scenario")
async def whatif(request: Request, q: Query) -> dict[str, Any]:
    ctx = await run_in_threadpool(_context, request, q)
    return service.with_departures(
        {"scenario": ctx.scenario.model_dump(mode="json", exclude_none=True)}, ctx
    )


def _check_parties(ctx: service.Context, parties: list[str] | None) -> list[str] | None:
    if parties is None:
        return None
    known = ctx.problem.party_index
    for p in parties:
        if p not in known:
            message = f"no party {p[:80]!r} (parties: {', '.join(known)})"
            raise ApiError(422, "unknown_party", message)
    if not parties or len(set(parties)) != len(parties):
        raise ApiError(422, "invalid_request", "parties: give distinct party ids")
    return parties


def two_parties(ctx: service.Context, parties: list[str] | None) -> tuple[str, str]:
    known = [p.id for p in ctx.scenario.parties]
    chosen = _check_parties(ctx, parties) or known[:2]
    if len(chosen) != 2:
        raise ApiError(422, "invalid_request", "Adjusted Winner needs exactly two parties")
    return chosen[0], chosen[1]


# --------------------------------------------------------------------------- scenarios


@router.get("/scenarios", summary="Scenarios the app can open")
async def scenarios(request: Request) -> dict[str, Any]:
    catalogue = request.app.state.catalogue
    return {"scenarios": [e.to_json() for e in catalogue.entries()]}


@router.get("/scenarios/{name}", summary="A scenario's text, versions and kind")
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
    }


@router.put("/scenarios/{name}", summary="Save a scenario into the workspace (versioned)")
async def save(request: Request, name: Name, body: Text) -> dict[str, Any]:
    saved = await run_in_threadpool(request.app.state.catalogue.save, name, body.checked())
    return saved.to_json()


@router.get("/scenarios/{name}/versions/{version}", summary="The text of a kept version")
async def version(request: Request, name: Name, version: JobId) -> dict[str, Any]:
    text = request.app.state.catalogue.version_text(name, version)
    return {"name": name, "version": version, "text": text}


@router.get("/scenarios/{name}/controls", summary="What a what-if can change in a scenario")
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


@router.post("/validate", summary="Validate scenario text; every problem with its line")
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


@router.post("/jobs", status_code=202, summary="Start a long analysis in the background")
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

        try:
            await run_in_threadpool(check_simulate, ctx.problem, simulation)
        except ValueError as err:
            raise ApiError(422, "invalid_simulation", str(err)) from None
    tournament = (q.tournament or TournamentSettings()).model_dump()
    if q.kind == "tournament":
        from zopa.web.tasks import tournament_job

        try:
            await run_in_threadpool(tournament_job, ctx.scenario, {"tournament": tournament})
        except ValueError as err:
            raise ApiError(422, "invalid_tournament", str(err)) from None
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


@router.get("/jobs", summary="Jobs of this server, newest first")
async def list_jobs(request: Request) -> dict[str, Any]:
    return {"jobs": [j.to_json() for j in request.app.state.jobs.list()]}


@router.get("/jobs/{job_id}", summary="A job's state and progress")
async def job_status(request: Request, job_id: JobId) -> dict[str, Any]:
    return request.app.state.jobs.get(job_id).to_json()


@router.delete("/jobs/{job_id}", summary="Cancel a job")
async def cancel_job(request: Request, job_id: JobId) -> dict[str, Any]:
    job = await run_in_threadpool(request.app.state.jobs.cancel, job_id)
    return job.to_json()


@router.get("/jobs/{job_id}/result", summary="A finished job's result")
async def job_result(request: Request, job_id: JobId) -> dict[str, Any]:
    job = request.app.state.jobs.get(job_id)
    if job.result is None:
        raise ApiError(409, "not_finished", f"job {job.id} is {job.state}", job=job.to_json())
    return job.result
