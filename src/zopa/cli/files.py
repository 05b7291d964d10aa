"""The scenario files themselves: ``scenarios``, ``check``, ``audit``, ``schema``."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import EXIT_INVALID, JsonOpt


def scenarios(json_out: JsonOpt = False) -> None:
    """List the built-in scenarios."""
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


def audit(
    scenario: common.ScenarioArg = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when the report lists any problem.")
    ] = False,
    terms: Annotated[
        str | None,
        typer.Option(
            "--terms",
            metavar="FILE",
            help="Loaded terms, one per line ('*' ends a stem); default: the built-in list.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Provenance and balance: sources, as-of purity, assumptions, reposts, loaded terms.

    Prints the report and exits 0; with --strict, exits 1 when any problem is listed.
    """
    from zopa.audit import audit_file, read_terms, render

    try:
        chosen = read_terms(terms) if terms is not None else None
    except (OSError, UnicodeDecodeError) as err:
        raise common.UsageError(f"--terms: cannot read {terms}: {err}") from None
    report = audit_file(scenario, chosen)
    if json_out:
        common.print_json(report.to_json())
    else:
        typer.echo(render(report))
    if strict and not report.ok:
        raise typer.Exit(EXIT_INVALID)


def schema() -> None:
    """Print the JSON Schema of the zopa/1 format (for editor completion)."""
    from zopa.schema import json_schema

    common.print_json(json_schema())
