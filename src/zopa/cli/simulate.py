"""Simulated negotiations: ``simulate`` and ``tournament`` (:mod:`zopa.simulate`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from zopa.cli import common
from zopa.cli.common import (
    AsOfOpt,
    DraftOpt,
    ForceOpt,
    JsonOpt,
    PlotOpt,
    ProcessesOpt,
    ScenarioArg,
    SchedulerOpt,
    UsageError,
    WorkersOpt,
)
from zopa.commands.defaults import (
    SIMULATION_DISCOUNT,
    SIMULATION_PROTOCOL,
    SIMULATION_ROUNDS,
    SIMULATION_SEED,
    TOURNAMENT_REPEATS,
)

ProtocolOpt = Annotated[
    str | None,
    typer.Option(
        "--protocol",
        metavar="NAME[:K=V,...]",
        help=f"{SIMULATION_PROTOCOL} (default) or single-text, "
        "e.g. single-text:step=0.2,start=fair.",
    ),
]
RoundsOpt = Annotated[
    int | None,
    typer.Option(
        "--rounds", metavar="N", help=f"Deadline in rounds (default {SIMULATION_ROUNDS})."
    ),
]
SeedOpt = Annotated[
    int | None,
    typer.Option("--seed", metavar="S", help=f"Random seed (default {SIMULATION_SEED})."),
]
DiscountOpt = Annotated[
    float | None,
    typer.Option(
        "--discount",
        metavar="D",
        help=f"Per-round discount factor in (0, 1] (default {SIMULATION_DISCOUNT:g}).",
    ),
]
MediatorOpt = Annotated[
    str | None,
    typer.Option(
        "--mediator", metavar="PARTY", help="single-text: the drafting party (default: non-veto)."
    ),
]
ConfigOpt = Annotated[
    str | None,
    typer.Option("--config", metavar="FILE.yaml", help="Strategies and protocol settings."),
]


def _settings(
    config: str | None,
    protocol: str | None,
    rounds: int | None,
    seed: int | None,
    discount: float | None,
    mediator: str | None,
) -> tuple[Any, Any]:
    """The settings file (or None) and the settings (:func:`zopa.commands.simulation.settings`):
    options first, then the file, then the defaults."""
    from zopa.commands.simulation import settings
    from zopa.simulate.config import load_config
    from zopa.simulate.spec import parse_named

    name, given = None, None
    if protocol is not None:
        try:
            name, given = parse_named(protocol, "protocol")
        except ValueError as err:
            raise UsageError(f"--protocol: {err}") from None
    settings(protocol=name, seed=seed)  # a wrong name or seed is reported before the file is read
    cfg = load_config(config, name) if config else None
    for note in cfg.notes if cfg else []:
        typer.echo(note, err=True)
    return cfg, settings(cfg, name, given, rounds, seed, discount, mediator)


def simulate(
    scenario: ScenarioArg = None,
    protocol: ProtocolOpt = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            metavar="PARTY=NAME[:K=V,...]",
            help="A party's strategy, e.g. ukraine=boulware:beta=0.2 (repeatable; "
            "PARTY '*' for every other party; default linear).",
        ),
    ] = None,
    rounds: RoundsOpt = None,
    seed: SeedOpt = None,
    discount: DiscountOpt = None,
    mediator: MediatorOpt = None,
    config: ConfigOpt = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
    plot: PlotOpt = None,
    force: ForceOpt = False,
) -> None:
    """How might the talks unfold? Play them out.

    A negotiation protocol (alternating offers or a mediator's single text)
    with a strategy per party, round by round; no party ever proposes or
    accepts a package that breaks its own red lines. A progress bar shows on
    a terminal.

    \b
    Example:
      zopa simulate --protocol single-text --rounds 20
    """
    from zopa.commands.simulation import simulate as run
    from zopa.simulate.spec import parse_assignment

    common.check_plot(plot, force, [scenario, config])
    cfg, chosen = _settings(config, protocol, rounds, seed, discount, mediator)
    if cfg and cfg.entrants:
        raise UsageError(f"{config}: a list of strategies is for zopa tournament; map PARTY: NAME")
    problem, selected = common.problem(scenario, draft, as_of)
    strategies = dict(cfg.assignments) if cfg else {}
    if cfg:
        cfg.check_parties(problem)
    named: dict[str, str] = {}
    for text in strategy or []:
        try:
            party, spec = parse_assignment(text)
        except ValueError as err:
            raise UsageError(str(err)) from None
        if party in named:
            raise UsageError(
                f"--strategy: party {party!r} is given twice ({named[party]}, {text}); "
                "give one strategy per party"
            )
        named[party] = text
        strategies[party] = spec
    with common.progress(chosen.rounds, "rounds", enabled=not json_out) as advance:
        measured = run(problem, selected, strategies, chosen, progress=advance)
    ref, doc = measured.reference, measured.document
    if plot:
        from zopa.engine.frontier import frontier
        from zopa.report.charts import simulation_figure

        pair = [problem.parties[p].id for p in problem.veto_parties[:2]]
        plane = frontier(problem, pair) if ref.feasible and len(pair) == 2 else None
        common.plot(simulation_figure(problem, doc, plane), plot)
    if json_out:
        common.print_json(doc, problem.scenario)
    else:
        from zopa.report.simulation import render_simulation

        out = common.console()
        render_simulation(out, doc, problem)
        common.assumed(out, problem.scenario)
    common.finish(ref.complete)


def tournament(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SCENARIO...]", help="Scenarios (default: ukraine-2025).", show_default=False
        ),
    ] = None,
    strategies: Annotated[
        str | None,
        typer.Option(
            "--strategies",
            metavar="A,B,C",
            help="The strategies to compare, e.g. boulware,linear:accept=ac_time:0.9,hardliner.",
        ),
    ] = None,
    repeats: Annotated[
        int, typer.Option("--repeats", metavar="R", help="Runs of each assignment.")
    ] = TOURNAMENT_REPEATS,
    protocol: ProtocolOpt = None,
    rounds: RoundsOpt = None,
    seed: SeedOpt = None,
    discount: DiscountOpt = None,
    mediator: MediatorOpt = None,
    config: ConfigOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    processes: ProcessesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Rank strategies against each other.

    Every assignment of the strategies to the parties is run, in parallel,
    and the strategies are ranked by agreement rate, mean utility and distance
    to the Nash point. On the built-in scenario each run takes seconds: a
    progress bar with an estimate of the time left shows on a terminal.

    \b
    Example:
      zopa tournament --strategies linear,hardliner --rounds 10
    """
    from zopa.commands import simulation as core

    cfg, chosen = _settings(config, protocol, rounds, seed, discount, mediator)
    if cfg and cfg.assignments:
        raise UsageError(f"{config}: a tournament takes a list of strategies, not one per party")
    entrants = strategies if strategies else list(cfg.entrants if cfg else [])
    loaded = [common.load(ref) for ref in scenarios or [None]]
    job = core.tournament_job(loaded, entrants, chosen, repeats)
    total = len(job.runs())
    executor = common.executor(workers, scheduler, processes, total)
    try:
        with common.progress(total, "runs", enabled=not json_out) as advance:
            result = core.tournament(job, executor, progress=advance)
    finally:
        executor.close()
    doc = result.to_json()
    if json_out:
        common.print_json(doc, *loaded)
    else:
        from zopa.report.simulation import render_tournament

        out = common.console()
        render_tournament(out, doc, {s.id: s.title or s.id for s in loaded})
        common.assumed(out, *loaded)
