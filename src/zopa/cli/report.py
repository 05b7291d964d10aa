"""``zopa report``: a report to share, as HTML or Markdown (:mod:`zopa.report`)."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import AsOfOpt, DraftOpt, ForceOpt, ScenarioArg, TimeLimitOpt, UsageError


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
    force: ForceOpt = False,
) -> None:
    """A report to share, as HTML or Markdown.

    The summary, the board, the conflicts, concessions and solutions, charts
    and the sources, in one self-contained HTML file or Markdown with PNG
    charts beside it.  An existing report is replaced only with --force.
    Exit 3 when a search of the analysis stopped at a limit (the report says
    what is proven); the deal-space chart shows at most 500 frontier points
    found within 20 s (or --time-limit) and says when it stopped.

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

    common.check_output("-o", path, force, [scenario])
    if path.suffix.lower() == ".md":  # the charts go into a folder beside it
        images = path.with_name(f"{path.stem}_files")
        if images.exists() and not force:
            raise UsageError(f"-o: {images} exists; give --force to replace it")
        if images.exists() and not images.is_dir():
            raise UsageError(f"-o: {images} is not a folder")
        if common.inside(images, scenario):
            raise UsageError(f"-o: {images} holds an input of this command; write elsewhere")
    problem, selected = common.problem(scenario, draft, as_of)
    extra = {}
    if common.noted().get("point_estimate"):
        from zopa.model import POINT_ESTIMATE

        extra["point_estimate"] = POINT_ESTIMATE  # as `zopa analyze --json` prints it
    if common.noted().get("record_note"):  # a date outside the record: said before writing
        extra["record_note"] = common.noted()["record_note"]
        typer.echo(common.wrap(f"Note: {extra['record_note']}", 80), err=True)
    try:
        written, complete = write_report(problem, selected, path, time_limit, extra=extra)
    except RuntimeError as err:  # no browser for a Markdown report's PNG charts
        raise UsageError(f"-o: {err}") from None
    for item in written:
        typer.echo(f"wrote {item}", err=True)
    common.finish(complete)
