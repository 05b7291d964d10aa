"""Simulated negotiations: ``simulate`` and ``tournament`` (:mod:`zopa.simulate`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from zopa.cli import common
from zopa.cli.common import (
    AsOfOpt,
    DraftOpt,
    JsonOpt,
    PlotOpt,
    ProcessesOpt,
    ScenarioArg,
    SchedulerOpt,
    UsageError,
    WorkersOpt,
)

ProtocolOpt = Annotated[
    str | None,
    typer.Option(
        "--protocol",
        metavar="NAME[:K=V,...]",
        help="alternating (default) or single-text, e.g. single-text:step=0.2,start=fair.",
    ),
]
RoundsOpt = Annotated[
    int | None, typer.Option("--rounds", metavar="N", help="Deadline in rounds (default 100).")
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", metavar="S", help="Random seed (default 0).")
]
DiscountOpt = Annotated[
    float | None,
    typer.Option(
        "--discount", metavar="D", help="Per-round discount factor in (0, 1] (default 1)."
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


def _simulation_settings(
    config: str | None,
    protocol: str | None,
    rounds: int | None,
    seed: int | None,
    discount: float | None,
    mediator: str | None,
) -> tuple[Any, dict[str, Any]]:
    """The settings file (or None) and the settings, command-line options first."""
    from zopa.simulate.config import load_config
    from zopa.simulate.core import protocol_names
    from zopa.simulate.spec import parse_named

    given: dict[str, Any] = {}
    if protocol is not None:
        try:
            protocol, given = parse_named(protocol, "protocol")
        except ValueError as err:
            raise UsageError(f"--protocol: {err}") from None
        if protocol not in protocol_names():
            known = ", ".join(protocol_names())
            raise UsageError(f"--protocol: {protocol!r} is not one of {known}")
    if seed is not None and seed < 0:
        raise UsageError("--seed: give a number 0 or more")
    cfg = load_config(config, protocol) if config else None
    for note in cfg.notes if cfg else []:
        typer.echo(note, err=True)
    chosen = protocol or (cfg.protocol if cfg else None) or "alternating"
    params = {**(cfg.params if cfg else {}), **given}
    if mediator is not None:
        if chosen != "single-text":
            raise UsageError("--mediator is a setting of --protocol single-text")
        params["mediator"] = mediator
    settings = {
        "protocol": chosen,
        "rounds": _pick(rounds, cfg and cfg.rounds, 100),
        "seed": _pick(seed, cfg and cfg.seed, 0),
        "discount": _pick(discount, cfg and cfg.discount, 1.0),
        "params": params,
    }
    return cfg, settings


def _pick(*values: Any) -> Any:
    return next(v for v in values if v is not None)


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
    from zopa.simulate.run import prepare, with_metrics
    from zopa.simulate.run import simulate as run
    from zopa.simulate.spec import parse_assignment

    common.check_plot(plot)
    cfg, settings = _simulation_settings(config, protocol, rounds, seed, discount, mediator)
    if cfg and cfg.entrants:
        raise UsageError(f"{config}: a list of strategies is for zopa tournament; map PARTY: NAME")
    problem, selected = common.problem(scenario, draft, as_of)
    chosen = dict(cfg.assignments) if cfg else {}
    if cfg:
        cfg.check_parties(problem)
    try:
        named: dict[str, str] = {}
        for text in strategy or []:
            party, spec = parse_assignment(text)
            if party in named:
                raise ValueError(
                    f"--strategy: party {party!r} is given twice ({named[party]}, {text}); "
                    "give one strategy per party"
                )
            named[party] = text
            chosen[party] = spec
        prepare(
            problem,
            settings["protocol"],
            chosen,
            settings["rounds"],
            settings["discount"],
            settings["params"],
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    with common.progress(settings["rounds"], "rounds", enabled=not json_out) as advance:
        result = run(
            problem,
            settings["protocol"],
            chosen,
            rounds=settings["rounds"],
            seed=settings["seed"],
            discount=settings["discount"],
            params=settings["params"],
            draft=problem.package_indices(selected.package) if selected else None,
            progress=advance,
        )
    measured = with_metrics(problem, result)
    ref, doc = measured.reference, measured.document
    if plot:
        from zopa.engine.frontier import frontier
        from zopa.report.charts import simulation_figure

        pair = [problem.parties[p].id for p in problem.veto_parties[:2]]
        plane = frontier(problem, pair) if ref.feasible and len(pair) == 2 else None
        common.plot(simulation_figure(problem, doc, plane), plot)
    if json_out:
        common.print_json(doc)
    else:
        from zopa.report.simulation import render_simulation

        render_simulation(common.console(), doc, problem)
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
    ] = 1,
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

    from zopa.problem import Problem
    from zopa.simulate import tournament as tm
    from zopa.simulate.run import prepare
    from zopa.simulate.spec import split_specs

    if repeats < 1:
        raise UsageError("--repeats: give at least 1")
    cfg, settings = _simulation_settings(config, protocol, rounds, seed, discount, mediator)
    if cfg and cfg.assignments:
        raise UsageError(f"{config}: a tournament takes a list of strategies, not one per party")
    try:
        entrants = split_specs(strategies) if strategies else list(cfg.entrants if cfg else [])
    except ValueError as err:
        raise UsageError(f"--strategies: {err}") from None
    if not entrants:
        raise UsageError("give the strategies to compare: --strategies A,B,C")
    loaded = [common.load(ref) for ref in scenarios or [None]]
    job = tm.Job(
        tuple(tm.Entry(s, None, None) for s in loaded),
        tuple(entrants),
        settings["protocol"],
        settings["rounds"],
        repeats,
        settings["seed"],
        settings["discount"],
        tuple(settings["params"].items()),
    )
    total = len(job.runs())
    try:
        for s in loaded:
            prepare(Problem(s), job.protocol, None, job.rounds, job.discount, dict(job.params))
    except ValueError as err:
        raise UsageError(str(err)) from None
    executor = common.executor(workers, scheduler, processes, total)
    try:
        with common.progress(total, "runs", enabled=not json_out) as advance:
            result = tm.tournament(job, executor, progress=advance)
    finally:
        executor.close()
    doc = result.to_json()
    if json_out:
        common.print_json(doc)
    else:
        from zopa.report.simulation import render_tournament

        render_tournament(common.console(), doc)
