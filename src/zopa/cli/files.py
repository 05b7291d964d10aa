"""The scenario files themselves: ``scenarios``, ``check``, ``schema``."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import EXIT_INVALID, JsonOpt


def scenarios(json_out: JsonOpt = False) -> None:
    """List the built-in scenarios."""
    from zopa.load import builtin_ids, load_scenario

    items = []
    for sid in builtin_ids():
        s = load_scenario(sid)  # a listing analyses nothing: no point-estimate note
        items.append(
            {"id": s.id, "title": s.title, "issues": len(s.issues), "parties": len(s.parties)}
        )
    if json_out:
        common.print_json({"scenarios": items})
        return
    for item in items:
        typer.echo(
            f"{item['id']}\t{item['title']} ({item['issues']} issues, {item['parties']} parties)"
        )


def check(
    files: Annotated[
        list[str],
        typer.Argument(metavar="FILE...", help="Scenario files (or GENIUS folders) to validate."),
    ],
) -> None:
    """Validate scenario files: FILE:LINE:COL: message for every problem (exit 1).

    A GENIUS or GeniusWeb folder is checked by importing it, as every analysis command would.
    """
    from zopa.load import ScenarioError, load_scenario

    failed = False
    for ref in files:
        try:
            s = load_scenario(ref)
        except ScenarioError as err:
            failed = True
            for d in err.diagnostics:
                typer.echo(str(d))
            continue
        typer.echo(
            f"{ref}: OK: scenario {s.id!r}, {len(s.issues)} issues, {len(s.parties)} parties, "
            f"{len(s.red_lines)} red lines, {len(s.drafts)} drafts, {len(s.sources)} sources"
        )
    if failed:
        raise typer.Exit(EXIT_INVALID)


def schema() -> None:
    """Print the JSON Schema of the zopa/1 format (for editor completion)."""
    from zopa.schema import json_schema

    common.print_json(json_schema())
