"""``zopa bridge``: new formulas, nobody's proposal yet, that every side could accept.

Calls :func:`zopa.engine.bridge.bridge` and prints its result as text
(:func:`zopa.report.terminal.render_bridges`) or as JSON.
"""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import (
    AsOfOpt,
    DraftOpt,
    JsonOpt,
    LimitOpt,
    ScenarioArg,
    TimeLimitOpt,
    UsageError,
)


def bridge(
    scenario: ScenarioArg = None,
    issue: Annotated[
        list[str] | None,
        typer.Option(
            "--issue",
            metavar="ID",
            help="Search this issue's new formulas (repeatable; default: every issue "
            "described by attributes).",
        ),
    ] = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    limit: LimitOpt = 1000,
    time_limit: TimeLimitOpt = 60.0,
    json_out: JsonOpt = False,
) -> None:
    """New formulas that would dissolve the conflicts.

    For issues described by attributes: the combinations of attribute values
    nobody has proposed that dissolve each conflict, and the deal once they
    are allowed.

    \b
    Example:
      zopa bridge dam.yaml
    """
    from zopa.engine.bridge import bridge as run
    from zopa.engine.bridge import opened_issues

    problem, _ = common.problem(scenario, draft, as_of)
    try:
        opened_issues(problem, issue)
    except ValueError as err:
        raise UsageError(f"--issue: {err}") from None
    result = run(problem, issue, limit=limit, time_limit=time_limit)
    if json_out:
        common.print_json(result.to_json(), problem.scenario)
    else:
        from zopa.report.terminal import render_bridges

        out = common.console()
        render_bridges(out, problem, result)
        common.assumed(out, problem.scenario)
    common.finish(result.complete)
