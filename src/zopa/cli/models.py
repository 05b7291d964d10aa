"""The classic models: ``fair`` (Adjusted Winner) and ``forecast`` (one numeric issue).

Both call :mod:`zopa.models`; each takes its inputs from a scenario or from a
standalone CSV table.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from zopa.cli import common
from zopa.cli.common import JsonOpt, ScenarioArg, UsageError


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
    from zopa.models import fair as aw

    if points is not None:
        if scenario is not None or parties is not None:
            raise UsageError(
                "--points takes the parties from the table: give no SCENARIO or --parties"
            )
        names, table = aw.read_points(points)
        source: dict[str, Any] = {"points_file": points}
    else:
        s = common.load(scenario)
        names = _two_parties(s, parties)
        table = aw.points_from_scenario(s, names)
        source = {"scenario": s.id}
    try:
        division = aw.adjusted_winner(names, table)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if json_out:
        common.print_json({**source, **division.to_json()})
        return
    typer.echo(division.to_text())


def _two_parties(scenario: Any, text: str | None) -> tuple[str, str]:
    """The ``--parties A,B`` of a scenario (optional when it has exactly two parties)."""
    known = [p.id for p in scenario.parties]
    if text is None:
        if len(known) == 2:
            return known[0], known[1]
        raise UsageError(
            f"--parties A,B is required: scenario {scenario.id!r} has {len(known)} parties "
            f"({', '.join(known)})"
        )
    names = [t.strip() for t in text.split(",")]
    if len(names) != 2:
        raise UsageError(
            f"--parties: Adjusted Winner divides issues between exactly two parties, "
            f"but {len(names)} {'was' if len(names) == 1 else 'were'} given ({', '.join(names)})"
        )
    for name in names:
        if name not in known:
            raise UsageError(
                f"--parties: no party {name!r} in scenario (parties: {', '.join(known)})"
            )
    return names[0], names[1]


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
    ] = "compromise",
    rounds: Annotated[
        int | None,
        typer.Option("--rounds", metavar="N", help="bdm: the most rounds to run (default 10)."),
    ] = None,
    q: Annotated[
        float | None,
        typer.Option("--q", metavar="Q", help="bdm: P(status quo persists), 0 to 1 (default 1)."),
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
    ] = 200,
    seed: Annotated[
        int, typer.Option("--seed", metavar="S", help="Sensitivity analysis: random seed.")
    ] = 0,
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
    from zopa.models import bdm
    from zopa.models import forecast as fc
    from zopa.models import sensitivity as sens

    if model not in fc.MODELS:
        raise UsageError(f"--model: {model!r} is not one of {', '.join(fc.MODELS)}")
    if model != "bdm" and (rounds is not None or q is not None or variant is not None):
        raise UsageError("--rounds, --q and --variant apply to --model bdm only")
    rounds = 10 if rounds is None else rounds
    q = 1.0 if q is None else q
    if not 1 <= rounds <= bdm.MAX_ROUNDS:
        raise UsageError(f"--rounds: must be between 1 and {bdm.MAX_ROUNDS}")
    if not 0 <= q <= 1:
        raise UsageError("--q: Q is a probability, between 0 and 1")
    if variant is not None and variant not in bdm.VARIANTS:
        raise UsageError(f"--variant: {variant!r} is not one of {', '.join(bdm.VARIANTS)}")
    if not 1 <= samples <= sens.MAX_SAMPLES:
        raise UsageError(f"--samples: give a number from 1 to {sens.MAX_SAMPLES:,}")
    if seed < 0:
        raise UsageError("--seed: give a number 0 or more")
    unit = None
    if actors is not None:
        if scenario is not None or issue is not None:
            raise UsageError("--actors is a standalone table: give no SCENARIO or --issue")
        cast = fc.read_actors(actors)
    else:
        s = common.load(scenario)
        issue = _numeric_issue(s, issue)
        unit = s.issue(issue).unit
        cast = fc.actors_from_scenario(s, issue)
        if not cast:
            raise UsageError(f"no party has a position or values on issue {issue!r}")
    try:
        result = fc.run(
            cast,
            model,
            rounds,
            q,
            issue,
            unit,
            variant=variant,
            sensitivity=not no_sensitivity,
            samples=samples,
            seed=seed,
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    if json_out:
        common.print_json(result.to_json())
        return
    typer.echo(result.to_text())
    if actors is None:
        from zopa.report.terminal import assumptions_note

        note = assumptions_note(s)
        if note:
            typer.echo(f"\n{note}")


def _numeric_issue(scenario: Any, issue: str | None) -> str:
    """``--issue``, checked to be a numeric issue (optional when there is only one)."""
    numeric = [i.id for i in scenario.issues if i.numeric]
    if issue is None:
        if len(numeric) == 1:
            return numeric[0]
        raise UsageError(
            f"--issue ID is required; numeric issues of {scenario.id!r}: "
            + (", ".join(numeric) or "none")
        )
    if issue not in {i.id for i in scenario.issues}:
        raise UsageError(f"--issue: no issue {issue!r} (numeric issues: {', '.join(numeric)})")
    if issue not in numeric:
        raise UsageError(
            f"--issue: {issue!r} is categorical; forecasting needs a numeric issue "
            f"({', '.join(numeric) or 'none in this scenario'})"
        )
    return issue
