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
    """A report to share, as HTML or Markdown.

    The summary, the board, the conflicts, concessions and solutions, charts
    and the sources, in one self-contained HTML file or Markdown with PNG
    charts beside it.

    \b
    Example:
      zopa report --draft us-ukraine-20-point -o report.html
    """
    from pathlib import Path

    path = Path(output)
    if path.suffix.lower() not in (".html", ".htm", ".md"):
        raise UsageError(f"-o: {output} must end in .html or .md")
    common.need_extra("report", "zopa report")
    if path.suffix.lower() == ".md":
        common.need_extra("static charts", "zopa report -o FILE.md (its charts are PNG files)")
    from zopa.report.write import write_report

    problem, selected = common.problem(scenario, draft, as_of)
    extra = {}
    if common.noted().get("point_estimate"):
        from zopa.model import POINT_ESTIMATE

        extra["point_estimate"] = POINT_ESTIMATE  # as `zopa analyze --json` prints it
    written = write_report(problem, selected, path, time_limit=time_limit, extra=extra)
    for item in written:
        typer.echo(f"wrote {item}", err=True)
