"""The exact analyses: ``analyze``, ``blockers``, ``solve``, ``frontier``, ``amend``, ``timeline``.

Each command calls one function of :mod:`zopa.engine` (``analyze``:
:mod:`zopa.analysis`) and prints its result as text (:mod:`zopa.report.terminal`)
or as JSON.
"""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import (
    AsOfOpt,
    DraftOpt,
    ForceOpt,
    JsonOpt,
    LimitOpt,
    PlotOpt,
    ScenarioArg,
    TimeLimitOpt,
    UsageError,
)


def analyze(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The whole picture of one draft: the main job.

    A summary first (verdict, blocking issues and who is on each side, the
    smallest concessions, where to look next), then the board of the draft,
    the conflicts, the concessions, the bargaining solutions, the smallest
    amendment, forecasts and the timeline.

    \b
    Example:
      zopa analyze --draft us-ukraine-20-point
    """
    from zopa.analysis import analyze as run

    problem, selected = common.problem(scenario, draft, as_of)
    result = run(problem, selected, time_limit=time_limit)
    if json_out:
        common.print_json(result.to_json())
    else:
        from zopa.report.terminal import render_analysis

        render_analysis(common.console(point_note=False), result)  # the summary says it
    common.finish(result.complete)


def blockers(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    limit: LimitOpt = 1000,
    time_limit: TimeLimitOpt = 60.0,
    json_out: JsonOpt = False,
) -> None:
    """Is a deal possible? Every conflict and concession.

    Each conflict is a minimal set of red lines that cannot hold together,
    shown in the parties' reported words; each concession a minimal set of
    red lines whose removal opens a deal, smallest first.

    \b
    Example:
      zopa blockers --as-of 2025-11-26
    """
    from zopa.engine.blockers import blockers as run

    problem, _ = common.problem(scenario, draft, as_of)
    result = run(problem, limit=limit, time_limit=time_limit)
    if json_out:
        common.print_json(result.to_json())
    else:
        from zopa.report.terminal import render_blockers

        render_blockers(common.console(), problem, result)
    common.finish(result.complete)


def solve(
    scenario: ScenarioArg = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            metavar="NAME",
            help="utilitarian, egalitarian, nash or kalai_smorodinsky (repeatable; default: all).",
        ),
    ] = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The bargaining solutions, each proven optimal.

    Utilitarian, egalitarian, Nash and Kalai–Smorodinsky, over the packages
    every veto party accepts, with each party's utility and what each
    solution maximises.

    \b
    Example:
      zopa solve --concept nash
    """
    from zopa.engine.solutions import CONCEPTS
    from zopa.engine.solutions import solve as run

    for name in concept or []:
        if name not in CONCEPTS:
            raise UsageError(f"--concept: unknown {name!r} (choose from {', '.join(CONCEPTS)})")
    problem, _ = common.problem(scenario, draft, as_of)
    result = run(problem, concept, time_limit=time_limit)
    if json_out:
        common.print_json(result.to_json(), problem.scenario)
    else:
        from zopa.report.terminal import render_solutions

        out = common.console()
        render_solutions(out, problem, result)
        common.assumed(out, problem.scenario)
    common.finish(result.all_optimal)


def frontier(
    scenario: ScenarioArg = None,
    parties: Annotated[
        str | None,
        typer.Option("--parties", metavar="A,B", help="Parties (default: the veto parties)."),
    ] = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many points.", callback=common.count)
    ] = 100_000,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
    plot: PlotOpt = None,
    force: ForceOpt = False,
) -> None:
    """The exact Pareto frontier, with a package per point.

    Every combination of utilities that no acceptable package improves on for
    one party without making another worse off, each with one package that
    reaches it.

    \b
    Example:
      zopa frontier --parties ukraine,russia
    """
    from zopa.commands.parties import party_list
    from zopa.engine.frontier import frontier as run

    common.check_plot(plot, force, [scenario])
    problem, _ = common.problem(scenario, draft, as_of)
    chosen = party_list(problem.scenario, common.split_list(parties))
    result = run(problem, chosen, limit=limit, time_limit=time_limit)
    if plot:
        from zopa.report.charts import frontier_figure

        if len(result.parties) < 2:
            raise UsageError("--plot: a frontier chart needs two parties")
        x, y, *rest = result.parties
        common.plot(frontier_figure(problem, result, x, y, rest[0] if rest else None), plot)
    if json_out:
        common.print_json(result.to_json(problem), problem.scenario)
    else:
        from zopa.report.terminal import render_frontier

        out = common.console()
        render_frontier(out, problem, result)
        common.assumed(out, problem.scenario)
    common.finish(result.complete)


def amend(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The smallest acceptable amendment of a draft.

    The fewest changes to the points the draft settles that make it
    acceptable to every veto party; the points it leaves open are filled in.

    \b
    Example:
      zopa amend --draft us-28-point
    """
    from zopa.engine.amend import amend as run
    from zopa.engine.amend import no_draft

    problem, selected = common.problem(scenario, draft, as_of)
    if selected is None:
        raise UsageError(no_draft(problem))
    result = run(problem, selected, time_limit=time_limit)
    if json_out:
        common.print_json(result.to_json(), problem.scenario)
    else:
        from zopa.report.terminal import render_amendment

        out = common.console()
        render_amendment(out, problem, result)
        common.assumed(out, problem.scenario)
    common.finish(result.optimal)


def timeline(
    scenario: ScenarioArg = None,
    as_of: AsOfOpt = None,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
    plot: PlotOpt = None,
    force: ForceOpt = False,
) -> None:
    """Every draft as of its own date.

    For each draft: feasibility, the blocking issues and each party's stances.
    With --as-of, only the drafts tabled by then, and stances as reported by
    then.

    \b
    Example:
      zopa timeline --plot timeline.html
    """
    from zopa.engine.timeline import timeline as run

    common.check_plot(plot, force, [scenario])
    loaded = common.load(scenario)
    entries = run(loaded, time_limit=time_limit, as_of=common.parse_date(as_of))
    if plot:
        from zopa.report.charts import timeline_figure

        common.plot(timeline_figure(entries), plot)
    if json_out:
        common.print_json({"scenario": loaded.id, "timeline": [e.to_json() for e in entries]})
    else:
        from zopa.report.terminal import render_timeline

        render_timeline(common.console(), loaded, entries)
    common.finish(all(e.complete for e in entries))
