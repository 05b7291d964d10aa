"""The ``zopa`` command (DESIGN.md §4): parse arguments, call the core, print.

Exit codes: 0 success (including "no deal exists"), 1 invalid input, 2 usage
error, 3 an internal or time limit was hit.  Heavy modules (numpy, solvers)
are imported inside commands so that ``zopa --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated, Any, NoReturn

import typer

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_LIMIT = 3

app = typer.Typer(
    name="zopa",
    help="Is there a deal every side can accept? If not, exactly what blocks it?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state: dict[str, bool] = {"debug": False}

ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[SCENARIO]",
        help="A scenario file (YAML or JSON) or a built-in id; default: ukraine-2025.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
DraftOpt = Annotated[
    str | None,
    typer.Option("--draft", metavar="ID", help="The draft to analyse (default: the latest)."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help="Analyse as of this date (YYYY-MM-DD)."),
]


class UsageError(Exception):
    """A command-line argument that does not make sense (exit 2)."""


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show Python tracebacks for errors.")
    ] = False,
) -> None:
    _state["debug"] = debug


# --------------------------------------------------------------------------- helpers


def _parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


def _load(ref: str | None) -> Any:
    from zopa.load import load_scenario

    return load_scenario(ref)


def _problem(ref: str | None, draft: str | None, as_of: str | None) -> tuple[Any, Any]:
    from zopa.problem import Problem

    scenario = _load(ref)
    try:
        return Problem.for_draft(scenario, draft, _parse_date(as_of))
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None


def _print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=_json_default))
    sys.stdout.write("\n")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


# --------------------------------------------------------------------------- commands


@app.command()
def scenarios(json_out: JsonOpt = False) -> None:
    """List the built-in scenarios."""
    from zopa.load import builtin_ids

    items = []
    for sid in builtin_ids():
        s = _load(sid)
        items.append(
            {"id": s.id, "title": s.title, "issues": len(s.issues), "parties": len(s.parties)}
        )
    if json_out:
        _print_json({"scenarios": items})
        return
    for item in items:
        typer.echo(
            f"{item['id']}\t{item['title']} ({item['issues']} issues, {item['parties']} parties)"
        )


@app.command()
def check(
    files: Annotated[
        list[str], typer.Argument(metavar="FILE...", help="Scenario files to validate.")
    ],
) -> None:
    """Validate scenario files: FILE:LINE:COL: message for every problem (exit 1)."""
    from zopa.load import ScenarioError, display_name, parse_scenario, read_text, resolve

    failed = False
    for ref in files:
        try:
            path = resolve(ref)
            s = parse_scenario(read_text(path), display_name(path))
        except ScenarioError as err:
            failed = True
            for d in err.diagnostics:
                typer.echo(str(d))
            continue
        typer.echo(
            f"{ref}: OK: scenario {s.id!r}, {len(s.issues)} issues, {len(s.parties)} parties, "
            f"{len(s.red_lines)} red lines, {len(s.drafts)} drafts, {len(s.sources)} sources"
        )
    if failed:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the zopa/1 format (for editor completion)."""
    from zopa.schema import json_schema

    _print_json(json_schema())


@app.command()
def analyze(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The main job: the status board of the latest (or given) draft."""
    from zopa.engine.board import board

    problem, selected = _problem(scenario, draft, as_of)
    result = board(problem, selected)
    if json_out:
        _print_json(
            {"scenario": problem.scenario.id, "as_of": problem.as_of, "board": result.to_json()}
        )
        return
    from zopa.report.terminal import render_board

    render_board(_console(), problem, result)


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line, turning known errors into messages and exit codes."""
    from zopa.load import ScenarioError

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        app(args=argv)  # standalone: usage errors print and exit 2 by themselves
    except ScenarioError as err:
        if debug:
            raise
        for d in err.diagnostics:
            typer.echo(str(d), err=True)
        sys.exit(EXIT_INVALID)
    except UsageError as err:
        if debug:
            raise
        typer.echo(f"zopa: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as err:
        if debug:
            raise
        typer.echo(
            f"zopa: internal error: {type(err).__name__}: {err}\n"
            "This is a bug in zopa; run again with --debug for details.",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    sys.exit(0)


if __name__ == "__main__":
    main()
