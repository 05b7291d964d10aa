"""``zopa montecarlo``: how likely is a deal? (:mod:`zopa.uncertainty`)."""

from __future__ import annotations

from typing import Annotated

import typer

from zopa.cli import common
from zopa.cli.common import (
    AsOfOpt,
    DraftOpt,
    JsonOpt,
    ProcessesOpt,
    ScenarioArg,
    SchedulerOpt,
    UsageError,
    WorkersOpt,
)


def montecarlo(
    scenario: ScenarioArg = None,
    samples: Annotated[
        int, typer.Option("-n", "--samples", metavar="N", help="How many samples to draw.")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed (>= 0).")] = 0,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    processes: ProcessesOpt = None,
    nash: Annotated[
        bool, typer.Option("--nash/--no-nash", help="Compute the Nash package of each deal.")
    ] = True,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """How likely is a deal? Monte Carlo over the inputs.

    Samples the scenario's distributions and firmness, analyses every sample
    exactly and reports probabilities; the same seed gives the same numbers
    on any number of workers. A progress bar shows on a terminal.

    \b
    Example:
      zopa montecarlo -n 2000 --seed 1
    """
    from zopa import uncertainty as mc
    from zopa.limits import MAX_SAMPLES

    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"-n/--samples: give a number of samples from 1 to {MAX_SAMPLES:,}")
    if seed < 0:
        raise UsageError("--seed: give a number 0 or more")
    loaded = common.whatif_scenario(scenario)
    try:
        loaded.select(draft, common.parse_date(as_of))
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None
    executor = common.executor(workers, scheduler, processes, samples, serial_below=501)
    try:
        with common.progress(2 * samples, "sampling", enabled=not json_out) as advance:
            result = mc.montecarlo(
                loaded,
                samples,
                seed,
                as_of=common.parse_date(as_of),
                draft=draft,
                nash=nash,
                executor=executor,
                progress=advance,
            )
    finally:
        executor.close()
    if json_out:
        common.print_json(result.to_json(), loaded)
    else:
        from zopa.report.montecarlo import render_montecarlo

        out = common.console()
        render_montecarlo(out, result.to_json(), loaded)
        common.assumed(out, loaded)
    common.finish(result.total.incomplete == 0)
