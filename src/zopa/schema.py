"""The JSON Schema of the ``zopa/1`` format, generated from :mod:`zopa.model`."""

from __future__ import annotations

from typing import Any

from zopa.model import Scenario


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) that editors can use for completion and checks."""
    schema = Scenario.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://zopa.dev/schema/zopa-1.json",
        "title": "zopa/1 negotiation scenario",
        **{k: v for k, v in schema.items() if k != "title"},
    }
