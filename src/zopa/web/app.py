"""The zopa web application: ``create_app(settings)`` and ``serve(...)``.

A FastAPI app with server-rendered pages (:mod:`zopa.web.pages`), a JSON API
(:mod:`zopa.web.api`) and static assets served from the package — plotly.js
from the plotly package itself — so the app works offline and loads nothing
from other hosts.

Safety, in one place:
* the server binds to 127.0.0.1 unless told otherwise, and then answers only
  requests addressed to a loopback host name (no DNS rebinding);
* requests that change state must come from the app's own pages when a
  browser sends an ``Origin`` (no cross-site requests);
* request bodies are capped (413), scenarios are capped (413), and solver
  calls have a time limit and a concurrency gate (503 with ``Retry-After``);
* no user text is evaluated as code: rules go through :mod:`zopa.rules`, and
  pages escape every string (Jinja2 autoescape, and a strict CSP).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from zopa.commands import OptionError
from zopa.load import ScenarioError
from zopa.web import api, pages, schemas, service
from zopa.web.jobs import Jobs, UnknownJob
from zopa.web.tasks import KINDS
from zopa.web.workspace import (
    BadName,
    Catalogue,
    Conflict,
    NotFound,
    ScenarioTooLarge,
    diagnostics_json,
)
from zopa.whatif import WhatIfError

HERE = Path(__file__).parent
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_BODY_BYTES = 2 * 1024 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@dataclass
class Settings:
    workspace: Path
    opened: list[Path] = field(default_factory=list)
    host: str = "127.0.0.1"
    max_body_bytes: int = MAX_BODY_BYTES
    concurrent_analyses: int = 2
    job_time_limit: float = 300.0
    max_jobs: int = 2


class BodyLimit:
    """Pure ASGI middleware: refuse request bodies over ``limit`` bytes with 413.

    A declared ``Content-Length`` is checked at once; a streamed body (no
    length) is read here first, up to the limit, and then replayed to the app.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                await _too_large(self.limit)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > self.limit:
                await _too_large(self.limit)(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"error": "too_large", "message": f"the request body exceeds {limit:,} bytes"},
        status_code=413,
    )


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.shutdown()  # no worker process outlives the server

    app = FastAPI(
        lifespan=lifespan,
        title="zopa",
        summary="Is there a deal every side can accept? If not, exactly what blocks it?",
        version=_version(),
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs page loads its JavaScript from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalogue = Catalogue(settings.workspace, settings.opened)
    app.state.gate = asyncio.Semaphore(settings.concurrent_analyses)
    app.state.jobs = Jobs(KINDS, settings.max_jobs, settings.job_time_limit)
    app.include_router(api.router)
    app.include_router(pages.router)
    _errors(app)
    _guards(app, settings)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    async def plotly_js() -> FileResponse:
        from zopa.report.charts import plotly_js

        return FileResponse(plotly_js(), media_type="text/javascript")

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:  # browsers ask for it whatever the page says
        return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon")

    @app.get("/static/{asset}", include_in_schema=False)
    async def static(asset: str) -> Response:
        files = {
            "app.js": "text/javascript",
            "app.css": "text/css",
            "favicon.svg": "image/svg+xml",
            "favicon.ico": "image/x-icon",
        }
        if asset not in files:
            return JSONResponse({"error": "not_found", "message": "no such asset"}, 404)
        return FileResponse(HERE / "static" / asset, media_type=files[asset])

    @app.get("/api/health", summary="The server is up", **schemas.ok(schemas.Health))
    async def health() -> dict[str, Any]:
        return {"ok": True, "version": _version()}

    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zopa")
    except PackageNotFoundError:
        return "0"


def _errors(app: FastAPI) -> None:
    def json_error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
        return api.ApiError(status, code, message, **extra).response()

    @app.exception_handler(api.ApiError)
    async def _api(request: Request, err: api.ApiError) -> Response:
        return err.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException) -> Response:
        # FastAPI's own refusals (a body that is not JSON, an unknown path): the API's shape
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}
        response = json_error(err.status_code, code.get(err.status_code, "http_error"), err.detail)
        response.headers.update(err.headers or {})
        return response

    @app.exception_handler(OptionError)
    async def _option(request: Request, err: OptionError) -> Response:
        return json_error(422, err.code, err.for_api())  # what the CLI says after --OPTION

    @app.exception_handler(ScenarioError)
    async def _scenario(request: Request, err: ScenarioError) -> Response:
        return json_error(
            422,
            "invalid_scenario",
            "the scenario is not valid",
            diagnostics=diagnostics_json(err),
        )

    @app.exception_handler(WhatIfError)
    async def _whatif(request: Request, err: WhatIfError) -> Response:
        return json_error(422, "invalid_overrides", str(err), problems=err.problems)

    @app.exception_handler(service.UnknownDraft)
    async def _draft(request: Request, err: service.UnknownDraft) -> Response:
        return json_error(422, "unknown_draft", str(err))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, err: NotFound) -> Response:
        return json_error(404, "not_found", str(err))

    @app.exception_handler(UnknownJob)
    async def _no_job(request: Request, err: UnknownJob) -> Response:
        return json_error(404, "not_found", str(err))

    @app.exception_handler(BadName)
    async def _bad_name(request: Request, err: BadName) -> Response:
        return json_error(422, "bad_name", str(err))

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, err: Conflict) -> Response:
        return json_error(
            409,
            "conflict",
            str(err),
            kept=err.kept,
            revision=err.current,
            text=err.text,
        )

    @app.exception_handler(ScenarioTooLarge)
    async def _too_big(request: Request, err: ScenarioTooLarge) -> Response:
        return json_error(413, "too_large", str(err))

    @app.exception_handler(ValidationError)
    async def _validation(request: Request, err: ValidationError) -> Response:
        return json_error(422, "invalid_request", str(err))

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, err: RequestValidationError) -> Response:
        details = [
            {"loc": [str(x) for x in e.get("loc", ())], "message": e.get("msg", "")}
            for e in err.errors()[:20]
        ]
        return json_error(422, "invalid_request", "the request is not valid", details=details)


def _guards(app: FastAPI, settings: Settings) -> None:
    loopback_only = settings.host in LOOPBACK

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        host = (request.headers.get("host") or "").rsplit(":", 1)[0]
        if host.startswith("[") and "]" not in host:  # "[::1]:8000" split inside the brackets
            host = request.headers.get("host", "").rpartition("]")[0] + "]"
        if loopback_only and host not in LOOPBACK:
            return JSONResponse(
                {"error": "bad_host", "message": "this server answers only on loopback"}, 400
            )
        origin = request.headers.get("origin")
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        own = f"{request.url.scheme}://{request.headers.get('host')}"
        if unsafe and origin and origin != own:  # scheme, host and port must all match
            return JSONResponse(
                {"error": "cross_origin", "message": "cross-site requests are refused"}, 403
            )
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)


def serve(settings: Settings, port: int = 8000, log_level: str = "warning") -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(settings), host=settings.host, port=port, log_level=log_level)
