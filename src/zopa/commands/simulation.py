"""``zopa simulate`` and ``zopa tournament``: their settings and defaults, the checks
before any work, and the runs — one recipe for the command line and the web app.

Settings come from three places, the first given winning: the options (the
command line's, or a request's), a settings file (``--config``, read by
:func:`zopa.simulate.config.load_config`), and the defaults here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zopa.commands.defaults import (
    SIMULATION_DISCOUNT,
    SIMULATION_PROTOCOL,
    SIMULATION_ROUNDS,
    SIMULATION_SEED,
    TOURNAMENT_REPEATS,
)
from zopa.commands.errors import OptionError
from zopa.limits import MAX_REPEATS

if TYPE_CHECKING:
    from zopa.model import Draft, Scenario
    from zopa.problem import Problem
    from zopa.simulate.run import Report
    from zopa.simulate.spec import StrategySpec


@dataclass(frozen=True)
class Settings:
    """How a simulation runs: the protocol and its parameters, the deadline, the seed and
    the per-round discount factor of agreements."""

    protocol: str = SIMULATION_PROTOCOL
    rounds: int = SIMULATION_ROUNDS
    seed: int = SIMULATION_SEED
    discount: float = SIMULATION_DISCOUNT
    params: Mapping[str, Any] = field(default_factory=dict)


def settings(
    config: Any = None,
    protocol: str | None = None,
    params: Mapping[str, Any] | None = None,
    rounds: int | None = None,
    seed: int | None = None,
    discount: float | None = None,
    mediator: str | None = None,
) -> Settings:
    """The settings: each option given, else the settings file's (``config``, a
    :class:`zopa.simulate.config.Config` or None), else the default.

    ``params`` are protocol parameters given as options; they are added to the
    file's.  The values are checked here only as far as they stand alone
    (the protocol's name, the seed, the mediator's protocol); :func:`check`
    checks them against a scenario.
    """
    from zopa.simulate.core import protocol_names

    if protocol is not None and protocol not in protocol_names():
        known = ", ".join(protocol_names())
        raise OptionError("protocol", f"{protocol[:40]!r} is not one of {known}")
    if seed is not None and seed < 0:
        raise OptionError("seed", "give a number 0 or more")
    chosen = protocol or (config.protocol if config else None) or SIMULATION_PROTOCOL
    merged = {**(config.params if config else {}), **(params or {})}
    if mediator is not None:
        if chosen != "single-text":
            raise OptionError("mediator", "applies to the single-text protocol only")
        merged["mediator"] = mediator
    return Settings(
        chosen,
        _first(rounds, config and config.rounds, SIMULATION_ROUNDS),
        _first(seed, config and config.seed, SIMULATION_SEED),
        _first(discount, config and config.discount, SIMULATION_DISCOUNT),
        merged,
    )


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


def check(
    problem: Problem,
    strategies: Mapping[str, StrategySpec | str] | None,
    chosen: Settings,
    code: str = "invalid_simulation",
) -> None:
    """Check that the settings fit the scenario, before any work
    (:func:`zopa.simulate.run.prepare`)."""
    from zopa.simulate.run import prepare

    try:
        prepare(problem, chosen.protocol, strategies, chosen.rounds, chosen.discount, chosen.params)
    except ValueError as err:
        raise OptionError(None, str(err), code) from None


def simulate(
    problem: Problem,
    draft: Draft | None,
    strategies: Mapping[str, StrategySpec | str] | None,
    chosen: Settings,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """``zopa simulate``: one run from ``draft`` (when given), measured against the exact
    frontier and Nash point (:func:`zopa.simulate.run.with_metrics`).

    ``progress`` is called with 1 after every round played (a progress bar)."""
    from zopa.simulate.run import simulate as run
    from zopa.simulate.run import with_metrics

    check(problem, strategies, chosen)
    result = run(
        problem,
        chosen.protocol,
        strategies,
        rounds=chosen.rounds,
        seed=chosen.seed,
        discount=chosen.discount,
        params=chosen.params,
        draft=problem.package_indices(draft.package) if draft else None,
        progress=progress,
    )
    return with_metrics(problem, result)


def tournament_job(
    scenarios: Sequence[Scenario | tuple[Scenario, Any, str | None]],
    strategies: str | Sequence[StrategySpec],
    chosen: Settings,
    repeats: int = TOURNAMENT_REPEATS,
) -> Any:
    """The :class:`zopa.simulate.tournament.Job` of ``zopa tournament``, checked.

    ``scenarios`` are scenarios, or (scenario, as_of, draft) triples;
    ``strategies`` a list of specs or their comma-separated text
    (``boulware,linear:accept=ac_next,hardliner``).
    """
    from zopa.problem import Problem
    from zopa.simulate import tournament as tm
    from zopa.simulate.spec import split_specs

    if not 1 <= repeats <= MAX_REPEATS:
        message = f"give a number of runs from 1 to {MAX_REPEATS:,}"
        raise OptionError("repeats", message, "invalid_tournament")
    try:
        if isinstance(strategies, str):
            entrants = split_specs(strategies) if strategies.strip() else []
        else:
            entrants = list(strategies)
    except ValueError as err:
        raise OptionError("strategies", str(err), "invalid_tournament") from None
    if not entrants:
        message = "give the strategies to compare, e.g. boulware,linear,hardliner"
        raise OptionError("strategies", message, "invalid_tournament")
    entries = tuple(
        tm.Entry(*s) if isinstance(s, tuple) else tm.Entry(s, None, None) for s in scenarios
    )
    job = tm.Job(
        entries,
        tuple(entrants),
        chosen.protocol,
        chosen.rounds,
        repeats,
        chosen.seed,
        chosen.discount,
        tuple(chosen.params.items()),
    )
    for entry in entries:
        try:
            problem = Problem.for_draft(entry.scenario, entry.draft, entry.as_of)[0]
        except KeyError as err:
            raise OptionError("draft", str(err.args[0]), "invalid_tournament") from None
        check(problem, None, chosen, "invalid_tournament")
    return job


def tournament(job: Any, executor: Any, progress: Callable[[int], None] | None = None) -> Any:
    """``zopa tournament``: every run of ``job`` on ``executor``, ranked."""
    from zopa.simulate.tournament import tournament as play

    return play(job, executor, progress=progress)
