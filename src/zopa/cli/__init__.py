"""The ``zopa`` command: parse arguments, call the core, print.

One module per command group, each command a thin function that calls one
core function and presents its result; what they share (exit codes, options,
helpers) is in :mod:`zopa.cli.common`.  This module is the table of
contents: it registers every command, in the order ``zopa --help`` lists them.

* :mod:`zopa.cli.files` — ``scenarios``, ``check``, ``audit``, ``schema``;
* :mod:`zopa.cli.analysis` — ``analyze``, ``blockers``, ``solve``, ``frontier``,
  ``amend``, ``timeline`` (the exact engine);
* :mod:`zopa.cli.bridge` — ``bridge`` (new formulas on issues described by attributes);
* :mod:`zopa.cli.models` — ``fair``, ``forecast`` (the classic models);
* :mod:`zopa.cli.stability` — ``stability`` (the graph model for conflict resolution);
* :mod:`zopa.cli.web` — ``serve``; :mod:`zopa.cli.report` — ``report``;
* :mod:`zopa.cli.interop` — ``import genius``, ``import geniusweb``, ``export genius``;
* :mod:`zopa.cli.uncertainty` — ``montecarlo``;
* :mod:`zopa.cli.simulate` — ``simulate``, ``tournament``.

Exit codes: 0 success (including "no deal exists"), 1 invalid input, 2 usage
error, 3 an internal or time limit was hit.  Heavy modules (numpy, solvers)
are imported inside commands so that ``zopa --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from zopa.cli import (
    analysis,
    bridge,
    files,
    interop,
    models,
    report,
    simulate,
    stability,
    uncertainty,
    web,
)
from zopa.cli.common import EXIT_INVALID, EXIT_USAGE, InvalidInput, UsageError, root, with_whatif

__all__ = ["app", "main"]

app = typer.Typer(
    name="zopa",
    help="Is there a deal every side can accept? If not, exactly what blocks it?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.callback()(root)

for command in (
    files.scenarios,
    files.check,
    files.audit,
    files.schema,
    analysis.analyze,
    analysis.blockers,
    analysis.solve,
    analysis.frontier,
    analysis.amend,
    analysis.timeline,
    bridge.bridge,
    models.fair,
    models.forecast,
    stability.stability,
    web.serve,
    report.report,
):
    # every analysis takes the shared what-if options (zopa.cli.common.with_whatif)
    plain = command in (files.scenarios, files.check, files.schema, web.serve)
    app.command()(command if plain else with_whatif(command))

import_app = typer.Typer(
    help="Import GENIUS / GeniusWeb domains as zopa/1 scenarios.", no_args_is_help=True
)
import_app.command("genius")(interop.import_genius_cmd)
import_app.command("geniusweb")(interop.import_geniusweb_cmd)
export_app = typer.Typer(help="Export a scenario to another tool's format.", no_args_is_help=True)
export_app.command("genius")(interop.export_genius_cmd)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

for command in (uncertainty.montecarlo, simulate.simulate, simulate.tournament):
    app.command()(with_whatif(command))


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line, turning known errors into messages and exit codes.

    SIGINT and SIGTERM stop the command and every process it started, with one
    line on stderr and exit code 130 or 143 (:mod:`zopa.signals`).
    """
    from zopa import signals

    signals.install()
    try:
        _run(argv)
    except signals.Stopped as err:
        signals.unwinding()
        signals.stop_children()
        signals.finished()
        signals.leave(err)
    finally:
        signals.finished()


def _run(argv: list[str] | None) -> NoReturn:
    from zopa import signals
    from zopa.commands import OptionError
    from zopa.load import ScenarioError

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        app(args=argv, prog_name="zopa")  # standalone: usage errors print and exit 2 by themselves
    except ScenarioError as err:
        if debug:
            raise
        for d in err.diagnostics:
            typer.echo(str(d), err=True)
        sys.exit(EXIT_INVALID)
    except (UsageError, OptionError) as err:
        if debug:
            raise
        message = err.for_cli() if isinstance(err, OptionError) else str(err)
        typer.echo(f"zopa: error: {message}", err=True)
        sys.exit(EXIT_USAGE)
    except InvalidInput as err:
        if debug:
            raise
        typer.echo(f"zopa: error: {err}", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as err:
        if signals.stopping() or signals.interrupted(err):  # a consequence of the stop
            raise signals.Stopped(signals.signal_number()) from None
        if debug:
            raise
        typer.echo(
            f"zopa: internal error: {type(err).__name__}: {err}\n"
            "This is a bug in zopa; run again with --debug for details.",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    sys.exit(0)
