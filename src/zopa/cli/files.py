"""The scenario files themselves: ``scenarios``, ``check``, ``schema``."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import EXIT_INVALID, JsonOpt


def scenarios(json_out: JsonOpt = False) -> None:
    """List the built-in scenarios.

    \b
    Example:
      zopa scenarios
    """
    from zopa.load import builtin_ids

    items = []
    for sid in builtin_ids():
        s = common.load(sid)
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
    """Validate scenario files, listing every problem.

    Each problem is printed as FILE:LINE:COL: message, and the exit code is 1.
    A GENIUS or GeniusWeb folder is checked by importing it, as every analysis
    command would.

    \b
    Example:
      zopa check ukraine-2025
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
    """Print the JSON Schema of the zopa/1 format.

    Editors use it to complete and check scenario files as you type.

    \b
    Example:
      zopa schema > zopa.schema.json
    """
    from zopa.schema import json_schema

    common.print_json(json_schema())
