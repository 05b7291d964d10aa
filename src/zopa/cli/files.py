"""The scenario files themselves: ``scenarios``, ``check``, ``audit``, ``schema``."""

from __future__ import annotations

import textwrap
from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import EXIT_INVALID, EXIT_LIMIT, JsonOpt


def scenarios(json_out: JsonOpt = False) -> None:
    """List the built-in scenarios.

    \b
    Example:
      zopa scenarios
    """
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
    for item in items:  # the id on its own line (what commands take), then the title
        about = f"{item['title'] or 'untitled'}; {item['issues']} issues, {item['parties']} parties"
        typer.echo(
            item["id"]
            + "\n"
            + textwrap.fill(about, 80, initial_indent="  ", subsequent_indent="  ")
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
    command would; a graph model (format zopa-gmcr/1, for zopa stability) is
    checked as such.

    \b
    Example:
      zopa check ukraine-2025
    """
    from pathlib import Path

    from zopa.gmcr.model import ModelLimit
    from zopa.load import ScenarioError, load_scenario

    failed, limited = False, False
    for ref in files:
        try:
            if _graph_model(Path(ref)):
                typer.echo(_check_model(ref))
                continue
            s = load_scenario(ref)
        except ScenarioError as err:
            failed = True
            for d in err.diagnostics:
                typer.echo(str(d))
            continue
        except ModelLimit as err:  # a valid graph model too large to build
            limited = True
            typer.echo(f"{ref}: not checked: {err}")
            continue
        counts = [
            _count(len(s.issues), "issue"),
            _count(len(s.parties), "party", "parties"),
            _count(len(s.red_lines), "red line"),
            _count(len(s.drafts), "draft"),
            _count(len(s.sources), "source"),
        ]
        typer.echo(_fill(f"{ref}: OK: scenario {s.id!r}, {', '.join(counts)}"))
    if failed:
        raise typer.Exit(EXIT_INVALID)
    if limited:
        raise typer.Exit(EXIT_LIMIT)


def _graph_model(path: object) -> bool:
    from zopa.gmcr.run import declares_model

    return declares_model(path)  # type: ignore[arg-type]


def _count(n: int, one: str, many: str | None = None) -> str:
    """``1 draft``, ``2 drafts``."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _check_model(ref: str) -> str:
    """A graph model (format zopa-gmcr/1) checked; raises ScenarioError on problems."""
    from zopa.gmcr.format import load_model

    m = load_model(ref)
    return _fill(
        f"{ref}: OK: graph model {m.id!r}, {_count(len(m.dms), 'decision maker')}, "
        f"{_count(m.m, 'option')}, {_count(m.n, 'feasible state')}"
    )


def _fill(line: str) -> str:
    """A file's line at 80 columns: wrapped at spaces, the continuation indented (so a
    line that starts in column 1 is always a new file or problem)."""
    return textwrap.fill(
        line, 80, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    )


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
    """Check a scenario's sources, dates and balance between parties.

    Provenance and balance: every source cited and described, as-of purity
    (an analysis as of a date cites only what was published by then),
    assumptions with rationales, reposts, loaded terms, and per party the red
    lines, reasons and sources.  Prints the report and exits 0; with --strict,
    exits 1 when any problem is listed.

    \b
    Example:
      zopa audit --strict
    """
    from zopa.audit import audit_file, read_terms, render

    chosen = read_terms(terms) if terms is not None else None  # FILE:LINE:COL, exit 1
    report = audit_file(scenario, chosen)
    if json_out:
        common.print_json(report.to_json())
    else:
        typer.echo(render(report))
    if strict and not report.ok:
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
