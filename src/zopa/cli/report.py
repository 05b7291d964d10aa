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
    """A report to share: summary, board, conflicts, concessions, solutions, charts, sources.

    An existing report is replaced only with --force. Exit 3 when a search of the analysis
    stopped at a limit (the report says what is proven); the deal-space chart shows at most
    500 frontier points found within 20 s (or --time-limit) and says when it stopped.
    """
    from pathlib import Path

    path = Path(output)
    if path.suffix.lower() not in (".html", ".htm", ".md"):
        raise UsageError(f"-o: {output} must end in .html or .md")
    try:  # every module a report needs, charts included, before any work is done
        import jinja2  # noqa: F401

        from zopa.report import charts  # noqa: F401
        from zopa.report.write import write_report
    except ImportError as err:
        raise UsageError(f"reports need an extra: pip install 'zopa[report]' ({err})") from None
    if not common.has_charts(static=path.suffix.lower() == ".md"):  # PNG charts: kaleido
        raise UsageError("Markdown reports need the charts extra: pip install 'zopa[charts]'")
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
    try:
        written, complete = write_report(problem, selected, path, time_limit, extra=extra)
    except RuntimeError as err:  # no browser for a Markdown report's PNG charts
        raise UsageError(f"-o: {err}") from None
    for item in written:
        typer.echo(f"wrote {item}", err=True)
    common.finish(complete)
