"""``zopa report``: a report to share, as HTML or Markdown (:mod:`zopa.report`)."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import AsOfOpt, DraftOpt, ScenarioArg, TimeLimitOpt, UsageError


def report(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    output: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="report.html (self-contained) or report.md (charts as PNG beside it).",
        ),
    ] = "report.html",
    time_limit: TimeLimitOpt = None,
) -> None:
    """A report to share: summary, board, conflicts, concessions, solutions, charts, sources."""
    from pathlib import Path

    path = Path(output)
    if path.suffix.lower() not in (".html", ".htm", ".md"):
        raise UsageError(f"-o: {output} must end in .html or .md")
    try:
        from zopa.report.write import write_report
    except ImportError as err:
        raise UsageError(f"reports need an extra: pip install 'zopa[report]' ({err})") from None
    problem, selected = common.problem(scenario, draft, as_of)
    extra = {}
    if common.noted().get("point_estimate"):
        from zopa.model import POINT_ESTIMATE

        extra["point_estimate"] = POINT_ESTIMATE  # as `zopa analyze --json` prints it
    written = write_report(problem, selected, path, time_limit=time_limit, extra=extra)
    for item in written:
        typer.echo(f"wrote {item}", err=True)
