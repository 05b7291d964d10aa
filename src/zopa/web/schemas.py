"""The shapes of the API's responses, for its OpenAPI document.

Each analysis answers with the document ``zopa … --json`` prints, plus the
what-if ``departures``; the models below name the keys every such document
has (the documents may carry more, and keys are only ever added).  Every
error, whatever its status, is ``{"error": CODE, "message": TEXT, …}``.  The
schemathesis test (tests/test_web_schemathesis.py) checks the live responses
against these shapes and against the status codes listed here.

They document; the endpoints return the engine's own JSON documents as they
are (``response_model=None``), so a document is never rebuilt on the way out.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    """A JSON object with at least these keys (more may follow)."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(Open):
    """Every error: a code to test against and a sentence to show."""

    error: str = Field(examples=["unknown_party"])
    message: str


class Departure(BaseModel):
    """One what-if change from the sourced scenario."""

    model_config = ConfigDict(populate_by_name=True)

    kind: str
    target: str
    from_: Any = Field(alias="from")
    to: Any
    text: str


class WithDepartures(Open):
    """A CLI document plus the what-if departures (empty without overrides); an uncertain
    scenario, analysed at its means, adds the CLI's ``point_estimate`` note."""

    departures: list[Departure]
    point_estimate: str | None = None


class Document(WithDepartures):
    scenario: str


class Dated(Document):
    as_of: str | None


class Board(WithDepartures):
    draft: str | None
    as_of: str | None
    rows: list[dict[str, Any]]
    red_lines: list[dict[str, Any]]


class Blockers(Dated):
    feasible: bool
    conflicts: list[list[str]]
    concessions: list[list[str]]
    blocking_issues: list[str]
    complete: bool


class Solutions(Dated):
    feasible: bool
    solutions: dict[str, Any]


class Frontier(Dated):
    parties: list[str]
    points: list[dict[str, Any]]
    complete: bool


class Amendment(Dated):
    draft: str
    feasible: bool
    changes: list[Any]
    optimal: bool


class Bridges(Dated):
    issues: list[Any]
    conflicts: list[Any]
    feasible_listed: bool
    feasible_with_new_formulas: bool
    complete: bool


class Stability(WithDepartures):
    feasible: bool
    complete: bool


class Timeline(Document):
    timeline: list[dict[str, Any]]


class Analysis(Dated):
    feasible: bool
    board: dict[str, Any]
    blockers: dict[str, Any]
    timeline: list[dict[str, Any]]
    complete: bool


class Forecast(WithDepartures):
    model: str
    issue: str | None
    forecast: float
    actors: list[dict[str, Any]]


class Forecasts(Document):
    forecasts: list[dict[str, Any]]


class Fair(Document):
    parties: list[str]
    allocation: dict[str, Any]
    points: dict[str, Any]


class WhatIf(WithDepartures):
    scenario: dict[str, Any]


class ScenarioEntry(BaseModel):
    name: str
    kind: str
    editable: bool
    valid: bool


class Scenarios(BaseModel):
    scenarios: list[ScenarioEntry]


class Diagnostic(BaseModel):
    file: str
    line: int
    column: int
    message: str


class ScenarioText(BaseModel):
    name: str
    kind: str
    text: str
    valid: bool
    diagnostics: list[Diagnostic]
    versions: list[str]
    newer_invalid_draft: Any
    revision: str | None  # what a save edited from this text names as its base_revision


class Saved(BaseModel):
    name: str
    valid: bool
    saved: str
    version: str | None
    diagnostics: list[Diagnostic]
    revision: str | None


class VersionText(BaseModel):
    name: str
    version: str
    text: str


class Controls(BaseModel):
    scenario: str
    red_lines: list[dict[str, Any]]
    thresholds: list[dict[str, Any]]
    parties: list[dict[str, Any]]


class Validation(Open):
    valid: bool
    diagnostics: list[Diagnostic]


class Job(BaseModel):
    id: str
    kind: str
    state: str
    progress: float = Field(ge=0, le=1)
    message: str
    elapsed: float
    time_limit: float | None
    error: str | None
    has_result: bool


class Jobs(BaseModel):
    jobs: list[Job]


class Health(BaseModel):
    ok: bool
    version: str


def ok(model: type[BaseModel], status: int = 200) -> dict[str, Any]:
    """The route arguments that document ``model`` as the answer, returned as it is."""
    return {"response_model": None, "responses": {status: {"model": model}}}


#: Every endpoint: refused host or origin, unknown name, body too large, invalid request,
#: busy or out of time.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": what}
    for status, what in [
        (400, "Not a loopback host name"),
        (403, "A cross-site request"),
        (404, "No such scenario, version or job"),
        (413, "The request or the scenario is too large"),
        (422, "The request is not valid, or the command refuses an option"),
        (503, "Busy with other analyses, or out of time"),
    ]
}
CONFLICT = {409: {"model": ErrorBody, "description": "The job has not finished"}}
STALE = {
    409: {
        "model": ErrorBody,
        "description": "The scenario changed since base_revision: the text sent is kept as the "
        "version `kept`; the current `text` and `revision` are in the answer",
    }
}
TOO_MANY = {429: {"model": ErrorBody, "description": "Too many jobs at once"}}
