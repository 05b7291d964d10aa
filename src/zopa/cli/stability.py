"""``zopa stability``: the Graph Model for Conflict Resolution (:mod:`zopa.gmcr`)."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import EXIT_LIMIT, AsOfOpt, DraftOpt, JsonOpt, UsageError


def stability(
    source: Annotated[
        str | None,
        typer.Argument(
            metavar="[MODEL|SCENARIO]",
            help="A graph model (format zopa-gmcr/1), or a scenario (file or built-in id) "
            "whose standoff to analyse; default: ukraine-2025.",
            show_default=False,
        ),
    ] = None,
    coalition: Annotated[
        list[str] | None,
        typer.Option(
            "--coalition",
            metavar="A,B",
            help="Decision makers who move as one (repeatable); the equilibria are then "
            "those with the coalitions.",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="STATE",
            help="Status-quo analysis from this state (default: the model's status_quo).",
        ),
    ] = None,
    inverse: Annotated[
        str | None,
        typer.Option(
            "--inverse",
            metavar="STATE",
            help="Count the rankings of --vary's states that make STATE an equilibrium.",
        ),
    ] = None,
    vary: Annotated[
        str | None,
        typer.Option("--vary", metavar="DM", help="The decision maker whose ranking varies."),
    ] = None,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            metavar="RULE",
            help="Scenarios: the outcome of a state with a deal (nash, utilitarian, "
            "egalitarian, kalai_smorodinsky).",
        ),
    ] = "nash",
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Who can move from a standoff: strategic stability (GMCR).

    The equilibria of a graph model under the Nash, GMR, SMR, SEQ, SIM and
    SEQ+SIM definitions. With a scenario, each veto party's options are to set
    aside its red lines that take part in a conflict, and it ranks states by
    its utility in their outcome.

    \b
    Example:
      zopa stability
    """
    import sys

    from zopa.gmcr.model import ModelLimit

    # inverse counts are exact integers of up to n! (thousands of digits): print them whole
    sys.set_int_max_str_digits(0)
    from zopa.gmcr.run import StabilityUsage, run
    from zopa.gmcr.standoff import RULES

    if outcome not in RULES:
        raise UsageError(f"--outcome: {outcome!r} is not one of {', '.join(RULES)}")
    groups = [
        [name.strip() for name in text.split(",") if name.strip()] for text in coalition or []
    ]
    try:
        result = run(
            source,
            groups,
            start,
            inverse,
            vary,
            common.parse_date(as_of),
            draft,
            outcome,
            scenario=_whatif_scenario(source),
        )
    except StabilityUsage as err:
        raise UsageError(str(err)) from None
    except ModelLimit as err:
        typer.echo(f"zopa: limit: {err}", err=True)
        raise typer.Exit(EXIT_LIMIT) from None
    common.noted()["point_estimate"] = result.point_estimate  # noted in the output
    common.noted()["record_note"] = result.record_note
    # a scenario's standoff: states ranked by utilities from the assumed weights
    assumed = [result.standoff.scenario] if result.standoff is not None else []
    if json_out:
        common.print_json(result.to_json(), *assumed)
    else:
        from zopa.report.stability import render

        out = common.console()
        render(out, result)
        common.assumed(out, *assumed)
    common.finish(result.complete)


def _whatif_scenario(source: str | None) -> object | None:
    """The scenario with the command line's what-if applied, when there is one to apply
    (None: ``run`` loads ``source`` itself); a graph model takes no what-if."""
    from zopa.gmcr.run import names_model

    request = common.noted().get("whatif")
    if request is None or request.empty:
        return None
    if names_model(source):
        raise UsageError("the what-if options apply to scenarios, not to graph models")
    return common.whatif_scenario(source)
