"""Schemathesis against the live OpenAPI document: every answer to a generated request is
one the document promises — no 5xx, a status code it lists, the content type it names, and a
body that validates against the response's schema (zopa.web.schemas: the keys of each
CLI document, the error body of every 4xx).

The cheap endpoints (board, fair, forecast, what-if: milliseconds even on the
built-in scenario) run on whatever scenario the case names, by default the
built-in ukraine-2025 with its distributions.  The solver endpoints and jobs
send requests that name no scenario (or the built-in one) to the small
example scenario, so that each generated case costs milliseconds to seconds
rather than a full analysis of ukraine-2025; every other generated value is
left as generated.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.webserver import running_server
from zopa.web.app import Settings, create_app


def _openapi() -> dict:
    """The app's OpenAPI document (the same one the live server serves, checked below)."""
    with tempfile.TemporaryDirectory() as folder:
        return create_app(Settings(workspace=Path(folder))).openapi()


schema = schemathesis.openapi.from_dict(_openapi())

#: what each answer is checked for; not positive_data_acceptance (a request the schema
#: allows may still name a scenario that does not exist: a 404 is the right answer)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

#: endpoints cheap enough to exercise on the built-in scenario itself
ON_THE_BUILTIN = {"/api/board", "/api/fair", "/api/forecast", "/api/forecasts", "/api/whatif"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("schemathesis")) as url:
        yield url


def test_the_live_server_serves_this_document(base: str) -> None:
    assert httpx.get(f"{base}/api/openapi.json").json() == _openapi()


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_answers_are_what_the_document_promises(case: schemathesis.Case, base: str) -> None:
    body = case.body
    builtin = isinstance(body, dict) and body.get("scenario", "ukraine-2025") == "ukraine-2025"
    if builtin and case.path not in ON_THE_BUILTIN:
        body["scenario"] = "example"
    case.call_and_validate(base_url=base, timeout=120, checks=CHECKS)
