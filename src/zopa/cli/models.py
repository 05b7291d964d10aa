"""The classic models: ``fair`` (Adjusted Winner) and ``forecast`` (one numeric issue).

Both take their inputs from a scenario (through :mod:`zopa.commands`, as the
web app does) or from a standalone CSV table (:mod:`zopa.models`).
"""

from __future__ import annotations

import textwrap
from typing import Annotated, Any

import typer

from zopa.cli import common
from zopa.cli.common import JsonOpt, ScenarioArg, UsageError
from zopa.commands import defaults


def fair(
    scenario: ScenarioArg = None,
    parties: Annotated[
        str | None,
        typer.Option("--parties", metavar="A,B", help="The two parties; their weights are points."),
    ] = None,
    points: Annotated[
        str | None,
        typer.Option(
            "--points", metavar="FILE.csv", help="A points table: issue,<party A>,<party B>."
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Divide the issues between two parties (Adjusted Winner).

    Brams and Taylor's procedure in exact fractions, from two parties' weights
    or from a points table.

    \b
    Example:
      zopa fair --parties ukraine,russia
    """
    from zopa.commands.fair import fair as divide
    from zopa.models import fair as aw

    if points is not None:
        if scenario is not None or parties is not None:
            raise UsageError(
                "--points takes the parties from the table: give no SCENARIO or --parties"
            )
        names, table = aw.read_points(points)
        source: dict[str, Any] = {"points_file": points}
        try:
            division = aw.adjusted_winner(names, table)
        except ValueError as err:
            raise UsageError(f"--points: {err}") from None
    else:
        s = common.load(scenario)
        division = divide(s, common.split_list(parties))
        source = {"scenario": s.id}
    if json_out:
        # a scenario's weights are assumed; a points table is the user's own
        common.print_json({**source, **division.to_json()}, *([s] if points is None else []))
        return
    from zopa.report.terminal import render_fair

    if points is None:
        from zopa.report.explain import issue_titles, party_names

        out = common.console()
        render_fair(out, division, party_names(s), issue_titles(s))
        common.assumed(out, s)
    else:
        render_fair(common.console(), division)


def forecast(
    scenario: ScenarioArg = None,
    issue: Annotated[
        str | None,
        typer.Option("--issue", metavar="ID", help="The numeric issue to forecast."),
    ] = None,
    actors: Annotated[
        str | None,
        typer.Option(
            "--actors",
            metavar="FILE.csv",
            help="An actor table: actor,capability,position,salience.",
        ),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", metavar="MODEL", help="compromise, median or bdm.")
    ] = defaults.FORECAST_MODEL,
    rounds: Annotated[
        int | None,
        typer.Option(
            "--rounds",
            metavar="N",
            help=f"bdm: the most rounds to run (default {defaults.FORECAST_ROUNDS}).",
        ),
    ] = None,
    q: Annotated[
        float | None,
        typer.Option(
            "--q",
            metavar="Q",
            help=f"bdm: P(status quo persists), 0 to 1 (default {defaults.FORECAST_Q:g}).",
        ),
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant",
            metavar="NAME",
            help="bdm: the reading of the model: scholz (default), scholz-eq31, own-view,"
            " table2 or zopa-v1.",
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option("--samples", metavar="N", help="Sensitivity analysis: how many draws."),
    ] = defaults.FORECAST_SAMPLES,
    seed: Annotated[
        int, typer.Option("--seed", metavar="S", help="Sensitivity analysis: random seed.")
    ] = defaults.FORECAST_SEED,
    no_sensitivity: Annotated[
        bool,
        typer.Option("--no-sensitivity", help="Skip the sensitivity analysis (a bare forecast)."),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Forecast one numeric issue with a spatial model.

    compromise (the capability- and salience-weighted mean, the default),
    median (the weighted median and the Condorcet winner) or bdm (Bueno de
    Mesquita's expected-utility model, round by round). Every forecast comes
    with its sensitivity analysis: how far it moves when capabilities and
    saliences move by up to ±10 % (and, for bdm, under Q from 0.5 to 1 and
    every reading of the model).

    \b
    Example:
      zopa forecast --issue army_cap --model bdm
    """
    from zopa.commands.forecast import options as checked
    from zopa.models import forecast as fc

    chosen = checked(model, rounds, q, variant, not no_sensitivity, samples, seed)
    unit = None
    if actors is not None:
        if scenario is not None or issue is not None:
            raise UsageError("--actors is a standalone table: give no SCENARIO or --issue")
        cast = fc.read_actors(actors)
    else:
        from zopa.commands import forecast as core

        s = common.load(scenario)
        issue = core.numeric_issue(s, issue)
        unit = s.issue(issue).unit
        cast = core.actors(s, issue)
    try:
        result = fc.run(cast, model, chosen.rounds, chosen.q, issue, unit, **chosen.kwargs())
    except ValueError as err:
        raise UsageError(str(err)) from None
    if json_out:
        document = result.to_json()
        if actors is None:  # capabilities, saliences and positions of a scenario are assumed
            from zopa.analysis import labelled_forecast

            document = labelled_forecast(document)
        common.print_json(document)
        return
    if actors is None:
        from zopa.report.explain import party_names

        typer.echo(result.to_text(party_names(s), s.issue(issue).title))
    else:
        typer.echo(result.to_text())
    if actors is None:
        from zopa.report.explain import FORECAST_ASSUMED

        typer.echo("\n" + textwrap.fill(FORECAST_ASSUMED, 80))
        from rich.console import Console

        common.assumed(Console(highlight=False, soft_wrap=False, markup=False), s)
