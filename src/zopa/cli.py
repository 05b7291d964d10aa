"""The ``zopa`` command (DESIGN.md §4): parse arguments, call the core, print.

Exit codes: 0 success (including "no deal exists"), 1 invalid input, 2 usage
error, 3 an internal or time limit was hit.  Heavy modules (numpy, solvers)
are imported inside commands so that ``zopa --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
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

_state: dict[str, bool] = {"debug": False, "point_estimate": False}

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
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show Python tracebacks for errors.")
    ] = False,
) -> None:
    _state["debug"] = debug
    ctx.with_resource(_interop_warnings_on_stderr())


@contextlib.contextmanager
def _interop_warnings_on_stderr() -> Iterator[None]:
    """Warnings about imported files (a GENIUS folder as SCENARIO): `warning: ...` on stderr."""
    import warnings

    from zopa.interop import InteropWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", InteropWarning)
        shown = warnings.showwarning

        def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if issubclass(category, InteropWarning):
                typer.echo(f"warning: {message}", err=True)
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        yield


# --------------------------------------------------------------------------- helpers


def _parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


def _load(ref: str | None) -> Any:
    """The scenario; an uncertain one as its point estimate (means), noted in the output."""
    from zopa.load import load_scenario

    scenario = load_scenario(ref)
    if scenario.uncertain:
        _state["point_estimate"] = True
        return scenario.point_estimate()
    return scenario


def _problem(ref: str | None, draft: str | None, as_of: str | None) -> tuple[Any, Any]:
    from zopa.problem import Problem

    scenario = _load(ref)
    try:
        return Problem.for_draft(scenario, draft, _parse_date(as_of))
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None


def _print_json(document: Any) -> None:
    if _state["point_estimate"] and isinstance(document, dict):
        from zopa.model import POINT_ESTIMATE

        document = {**document, "point_estimate": POINT_ESTIMATE}
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=_json_default))
    sys.stdout.write("\n")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _console() -> Any:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False, markup=False)  # user text is never markup
    if _state["point_estimate"]:
        console.print(
            "Note: the scenario is uncertain; this is a point analysis (distribution means, "
            "red lines with firmness >= 0.5). See `zopa montecarlo` for probabilities."
        )
    return console


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
        list[str],
        typer.Argument(metavar="FILE...", help="Scenario files (or GENIUS folders) to validate."),
    ],
) -> None:
    """Validate scenario files: FILE:LINE:COL: message for every problem (exit 1).

    A GENIUS or GeniusWeb folder is checked by importing it, as every analysis command would.
    """
    from zopa.load import ScenarioError, load_scenario

    failed = False
    for ref in files:
        try:
            s = load_scenario(ref)
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


LimitOpt = Annotated[
    int, typer.Option("--limit", help="Stop enumerating after this many conflicts/concessions.")
]
TimeLimitOpt = Annotated[
    float | None,
    typer.Option("--time-limit", metavar="SECONDS", help="Stop searching after this long."),
]


PlotOpt = Annotated[
    str | None,
    typer.Option(
        "--plot",
        metavar="FILE",
        help="Also draw the chart: .html (interactive, offline), .png, .svg or .pdf.",
    ),
]


def _check_plot(path: str | None) -> None:
    """Reject an unknown chart format before any work is done."""
    from pathlib import Path

    formats = (".html", ".png", ".svg", ".pdf")
    if path is not None and Path(path).suffix.lower() not in formats:
        raise UsageError(f"--plot: {path} must end in {', '.join(formats)}")
    if path is not None and not _has_charts(static=Path(path).suffix.lower() != ".html"):
        raise UsageError("--plot needs the charts extra: pip install 'zopa[charts]'")


def _has_charts(static: bool) -> bool:
    """Whether plotly (and, for PNG/SVG/PDF, kaleido) can be imported."""
    from importlib.util import find_spec

    return find_spec("plotly") is not None and (not static or find_spec("kaleido") is not None)


def _plot(figure: Any, path: str) -> None:
    from zopa.report.charts import save_figure

    try:
        save_figure(figure, path)
    except RuntimeError as err:  # no browser for a static image
        raise UsageError(f"--plot: {err}") from None
    typer.echo(f"wrote {path}", err=True)


def _finish(complete: bool) -> None:
    """Exit 3 when a limit stopped a search (DESIGN §4); the output says what is proven."""
    if not complete:
        raise typer.Exit(EXIT_LIMIT)


@app.command()
def analyze(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The main job: board of the draft, blockers, concessions, solutions, amendment, timeline."""
    from zopa.engine.analyze import analyze as run

    problem, selected = _problem(scenario, draft, as_of)
    result = run(problem, selected, time_limit=time_limit)
    if json_out:
        _print_json(result.to_json())
    else:
        from zopa.report.terminal import render_analysis

        render_analysis(_console(), result)
    _finish(result.complete)


@app.command()
def blockers(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    limit: LimitOpt = 1000,
    time_limit: TimeLimitOpt = 60.0,
    json_out: JsonOpt = False,
) -> None:
    """Is a deal possible? Every conflict and every concession."""
    from zopa.engine.blockers import blockers as run

    problem, _ = _problem(scenario, draft, as_of)
    result = run(problem, limit=limit, time_limit=time_limit)
    if json_out:
        _print_json(result.to_json())
    else:
        from zopa.report.terminal import render_blockers

        render_blockers(_console(), problem, result)
    _finish(result.complete)


@app.command()
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
    """Bargaining solutions over the packages every veto party accepts."""
    from zopa.engine.solutions import CONCEPTS
    from zopa.engine.solutions import solve as run

    for name in concept or []:
        if name not in CONCEPTS:
            raise UsageError(f"--concept: unknown {name!r} (choose from {', '.join(CONCEPTS)})")
    problem, _ = _problem(scenario, draft, as_of)
    result = run(problem, concept, time_limit=time_limit)
    if json_out:
        _print_json(result.to_json())
    else:
        from zopa.report.terminal import render_solutions

        render_solutions(_console(), problem, result)
    _finish(result.all_optimal)


@app.command()
def frontier(
    scenario: ScenarioArg = None,
    parties: Annotated[
        str | None,
        typer.Option("--parties", metavar="A,B", help="Parties (default: the veto parties)."),
    ] = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many points.")] = 100_000,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """The Pareto frontier of the agreement set, each point with a witness package."""
    from zopa.engine.frontier import frontier as run

    _check_plot(plot)
    problem, _ = _problem(scenario, draft, as_of)
    chosen = _party_list(problem, parties)
    result = run(problem, chosen, limit=limit, time_limit=time_limit)
    if plot:
        from zopa.report.charts import frontier_figure

        if len(result.parties) < 2:
            raise UsageError("--plot: a frontier chart needs two parties")
        x, y, *rest = result.parties
        _plot(frontier_figure(problem, result, x, y, rest[0] if rest else None), plot)
    if json_out:
        _print_json(result.to_json(problem))
    else:
        from zopa.report.terminal import render_frontier

        render_frontier(_console(), problem, result)
    _finish(result.complete)


def _party_list(problem: Any, text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [n for n in names if n not in problem.party_index]
    if unknown or not names:
        known = ", ".join(problem.party_index)
        raise UsageError(
            f"--parties: unknown party {unknown[0]!r} (parties: {known})"
            if unknown
            else "--parties: empty"
        )
    if len(set(names)) != len(names):
        raise UsageError("--parties: a party is listed twice")
    return names


@app.command()
def amend(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The smallest change to a draft that every veto party accepts."""
    from zopa.engine.amend import amend as run

    problem, selected = _problem(scenario, draft, as_of)
    if selected is None:
        raise UsageError("the scenario has no drafts to amend")
    result = run(problem, selected, time_limit=time_limit)
    if json_out:
        _print_json(result.to_json())
    else:
        from zopa.report.terminal import render_amendment

        render_amendment(_console(), problem, result)
    _finish(result.optimal)


@app.command()
def timeline(
    scenario: ScenarioArg = None,
    time_limit: TimeLimitOpt = None,
    json_out: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """Every draft as of its own date: points agreed, feasibility, blocking issues."""
    from zopa.engine.timeline import timeline as run

    _check_plot(plot)
    loaded = _load(scenario)
    entries = run(loaded, time_limit=time_limit)
    if plot:
        from zopa.report.charts import timeline_figure

        _plot(timeline_figure(entries), plot)
    if json_out:
        _print_json({"scenario": loaded.id, "timeline": [e.to_json() for e in entries]})
    else:
        from zopa.report.terminal import render_timeline

        render_timeline(_console(), loaded, entries)
    _finish(all(e.complete for e in entries))


# --------------------------------------------------------------------------- fair division


@app.command()
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
    """Adjusted Winner (Brams & Taylor): divide the issues between two parties, exactly."""
    from zopa import fair as aw

    if points is not None:
        if scenario is not None or parties is not None:
            raise UsageError(
                "--points takes the parties from the table: give no SCENARIO or --parties"
            )
        names, table = aw.read_points(points)
        source: dict[str, Any] = {"points_file": points}
    else:
        s = _load(scenario)
        names = _two_parties(s, parties)
        table = aw.points_from_scenario(s, names)
        source = {"scenario": s.id}
    try:
        division = aw.adjusted_winner(names, table)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if json_out:
        _print_json({**source, **division.to_json()})
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


# --------------------------------------------------------------------------- forecasting


@app.command()
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
    json_out: JsonOpt = False,
) -> None:
    """Forecast one numeric issue: compromise (weighted mean), median, or expected utility."""
    from zopa import bdm
    from zopa import forecast as fc

    if model not in fc.MODELS:
        raise UsageError(f"--model: {model!r} is not one of {', '.join(fc.MODELS)}")
    if model != "bdm" and (rounds is not None or q is not None):
        raise UsageError("--rounds and --q apply to --model bdm only")
    rounds = 10 if rounds is None else rounds
    q = 1.0 if q is None else q
    if not 1 <= rounds <= bdm.MAX_ROUNDS:
        raise UsageError(f"--rounds: must be between 1 and {bdm.MAX_ROUNDS}")
    if not 0 <= q <= 1:
        raise UsageError("--q: Q is a probability, between 0 and 1")
    unit = None
    if actors is not None:
        if scenario is not None or issue is not None:
            raise UsageError("--actors is a standalone table: give no SCENARIO or --issue")
        cast = fc.read_actors(actors)
    else:
        s = _load(scenario)
        issue = _numeric_issue(s, issue)
        unit = s.issue(issue).unit
        cast = fc.actors_from_scenario(s, issue)
        if not cast:
            raise UsageError(f"no party has a position or values on issue {issue!r}")
    try:
        result = fc.run(cast, model, rounds, q, issue, unit)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if json_out:
        _print_json(result.to_json())
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


# --------------------------------------------------------------------------- web app and reports


@app.command()
def serve(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SCENARIO...]",
            help="Scenario files to open (read-only; saves go to the workspace).",
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to bind; keep 127.0.0.1 unless you mean to share."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            metavar="DIR",
            help="Folder for your scenarios (default: workspace/ in your data folder).",
        ),
    ] = None,
) -> None:
    """The web app: board, why no deal, what-if, deal space, editing, in your browser."""
    from pathlib import Path

    try:
        from zopa.web.app import Settings
        from zopa.web.app import serve as run
        from zopa.web.workspace import default_workspace
    except ImportError as err:
        raise UsageError(f"the web app needs its extra: pip install 'zopa[web]' ({err})") from None
    opened = []
    for ref in scenarios or []:
        path = Path(ref)
        if not path.is_file():
            raise UsageError(f"{ref}: no such scenario file")
        _load(ref)  # a broken file is reported now, with its line and column
        opened.append(path)
    if not 0 < port < 65536:
        raise UsageError("--port: give a number from 1 to 65535")
    folder = Path(workspace) if workspace else default_workspace()
    settings = Settings(workspace=folder, opened=opened, host=host)
    typer.echo(f"zopa: serving on http://{_url_host(host)}:{port}/ (workspace: {folder})", err=True)
    run(settings, port=port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@app.command()
def report(
    scenario: ScenarioArg = None,
    draft: DraftOpt = None,
    as_of: AsOfOpt = None,
    output: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="report.html (self-contained) or report.md (charts as PNG beside it).",
        ),
    ] = "report.html",
    time_limit: TimeLimitOpt = None,
) -> None:
    """A report to share: summary, board, conflicts, concessions, solutions, charts, sources."""
    from pathlib import Path

    path = Path(output)
    if path.suffix.lower() not in (".html", ".htm", ".md"):
        raise UsageError(f"-o: {output} must end in .html or .md")
    try:
        from zopa.report.build import write_report
    except ImportError as err:
        raise UsageError(f"reports need an extra: pip install 'zopa[report]' ({err})") from None
    problem, selected = _problem(scenario, draft, as_of)
    extra = {}
    if _state["point_estimate"]:
        from zopa.model import POINT_ESTIMATE

        extra["point_estimate"] = POINT_ESTIMATE  # as `zopa analyze --json` prints it
    written = write_report(problem, selected, path, time_limit=time_limit, extra=extra)
    for item in written:
        typer.echo(f"wrote {item}", err=True)


# --------------------------------------------------------------------------- GENIUS and GeniusWeb

import_app = typer.Typer(
    help="Import GENIUS / GeniusWeb domains as zopa/1 scenarios.", no_args_is_help=True
)
export_app = typer.Typer(help="Export a scenario to another tool's format.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

OutputOpt = Annotated[
    str | None,
    typer.Option("-o", "--output", metavar="FILE", help="Write here (default: print it)."),
]


def _emit_import(imported: Any, output: str | None) -> None:
    """Warnings on stderr; the YAML on stdout, or written atomically to ``output``."""
    from pathlib import Path

    from zopa.interop.build import write_atomic

    for warning in imported.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if output is None:
        sys.stdout.write(imported.text)
        return
    write_atomic(Path(output), imported.text)
    s = imported.scenario
    typer.echo(f"wrote {output}: {len(s.issues)} issues, {len(s.parties)} parties", err=True)


@import_app.command("genius")
def import_genius_cmd(
    domain: Annotated[str, typer.Argument(metavar="DOMAIN.xml", help="The GENIUS domain.")],
    profiles: Annotated[
        list[str], typer.Argument(metavar="PROFILE.xml...", help="One profile per party.")
    ],
    output: OutputOpt = None,
    semantics: Annotated[
        str,
        typer.Option(
            "--semantics", help="genius (GENIUS 10.4, default) or negmas (NegMAS 0.16's reading)."
        ),
    ] = "genius",
    real_steps: Annotated[
        int, typer.Option("--real-steps", help="Grid points per real issue (GENIUS uses 21).")
    ] = 21,
) -> None:
    """A GENIUS domain XML and its profiles as one zopa/1 scenario (a party per profile)."""
    from pathlib import Path

    from zopa.interop.genius import import_genius
    from zopa.interop.semantics import SEMANTICS

    if semantics not in SEMANTICS:
        raise UsageError(f"--semantics: {semantics!r} is not one of {', '.join(SEMANTICS)}")
    if not 2 <= real_steps <= 10_000:
        raise UsageError("--real-steps: give a number of grid points from 2 to 10000")
    chosen = next(s for s in SEMANTICS if s == semantics)  # the Literal type, checked
    imported = import_genius(Path(domain), [Path(p) for p in profiles], chosen, real_steps)
    _emit_import(imported, output)


@import_app.command("geniusweb")
def import_geniusweb_cmd(
    domain: Annotated[str, typer.Argument(metavar="DOMAIN.json", help="The GeniusWeb domain.")],
    profiles: Annotated[
        list[str], typer.Argument(metavar="PROFILE.json...", help="One profile per party.")
    ],
    output: OutputOpt = None,
) -> None:
    """A GeniusWeb domain JSON and its profiles as one zopa/1 scenario (a party per profile)."""
    from pathlib import Path

    from zopa.interop.geniusweb import import_geniusweb

    _emit_import(import_geniusweb(Path(domain), [Path(p) for p in profiles]), output)


@export_app.command("genius")
def export_genius_cmd(
    scenario: ScenarioArg = None,
    output: Annotated[
        str, typer.Option("-o", "--output", metavar="FOLDER", help="The folder to write into.")
    ] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Replace the GENIUS files already in FOLDER.")
    ] = False,
) -> None:
    """A scenario as a GENIUS domain and one profile per party (red lines are listed, not kept).

    FOLDER must be new or empty, unless --force replaces the GENIUS files in it.
    """
    from pathlib import Path

    from zopa.interop.genius import ExportError, export_genius

    if not output:
        raise UsageError("export genius: give the output folder with -o FOLDER")
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o: {output} exists and is not a folder")
    try:
        report = export_genius(_load(scenario), folder, force)
    except ExportError as err:
        typer.echo(f"zopa: error: {err}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    for path in report.files:
        typer.echo(f"wrote {path}")
    if report.red_lines:
        typer.echo(
            f"warning: GENIUS cannot express red lines; {len(report.red_lines)} not exported:",
            err=True,
        )
        for line in report.red_lines:
            typer.echo(f"  {line}", err=True)
    for note in report.notes:
        typer.echo(f"warning: {note}", err=True)


# --------------------------------------------------------------------------- uncertainty


def _executor(
    workers: int | None, scheduler: str | None, processes: int | None, jobs: int, **kw: Any
) -> Any:
    from zopa.uncertainty import executors

    try:
        return executors.choose(workers, scheduler, processes, jobs, **kw)
    except (ValueError, executors.DaskMissing) as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(f"--scheduler: cannot reach {scheduler}: {err}") from None


WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", metavar="K", help="Start a local Dask cluster of K workers."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", metavar="ADDRESS", help="Run on a Dask cluster (tcp://HOST:PORT)."),
]
ProcessesOpt = Annotated[
    int | None,
    typer.Option(
        "--processes",
        metavar="N",
        help="Without Dask: local processes (default: one per CPU; 1 = this process).",
    ),
]


@app.command()
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
    """How likely is a deal? Sample the scenario's distributions and analyse every sample."""
    from zopa import uncertainty as mc

    if samples < 1:
        raise UsageError("-n/--samples: give at least 1 sample")
    if seed < 0:
        raise UsageError("--seed: give a number 0 or more")
    from zopa.load import load_scenario

    loaded = load_scenario(scenario)
    try:
        loaded.select(draft, _parse_date(as_of))
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None
    executor = _executor(workers, scheduler, processes, samples, serial_below=501)
    try:
        with _progress(2 * samples) as advance:
            result = mc.montecarlo(
                loaded,
                samples,
                seed,
                as_of=_parse_date(as_of),
                draft=draft,
                nash=nash,
                executor=executor,
                progress=advance,
            )
    finally:
        executor.close()
    if json_out:
        _print_json(result.to_json())
    else:
        from zopa.report.montecarlo import render_montecarlo

        render_montecarlo(_console(), result.to_json())
    _finish(result.total.incomplete == 0)


def _progress(total: int, label: str = "sampling") -> Any:
    """A rich progress bar on stderr when it is a terminal; otherwise nothing is drawn."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import Progress

    @contextlib.contextmanager
    def bar() -> Any:
        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task(label, total=total)
            yield lambda k: progress.advance(task, k)

    return bar()


# --------------------------------------------------------------------------- simulation

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


@app.command()
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
    """How might the talks unfold? Simulate a negotiation protocol with strategies per party."""
    from zopa.simulate.run import prepare, with_metrics
    from zopa.simulate.run import simulate as run
    from zopa.simulate.spec import parse_assignment

    _check_plot(plot)
    cfg, settings = _simulation_settings(config, protocol, rounds, seed, discount, mediator)
    if cfg and cfg.entrants:
        raise UsageError(f"{config}: a list of strategies is for zopa tournament; map PARTY: NAME")
    problem, selected = _problem(scenario, draft, as_of)
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
    result = run(
        problem,
        settings["protocol"],
        chosen,
        rounds=settings["rounds"],
        seed=settings["seed"],
        discount=settings["discount"],
        params=settings["params"],
        draft=problem.package_indices(selected.package) if selected else None,
    )
    measured = with_metrics(problem, result)
    ref, doc = measured.reference, measured.document
    if plot:
        from zopa.engine.frontier import frontier
        from zopa.report.charts import simulation_figure

        pair = [problem.parties[p].id for p in problem.veto_parties[:2]]
        plane = frontier(problem, pair) if ref.feasible and len(pair) == 2 else None
        _plot(simulation_figure(problem, doc, plane), plot)
    if json_out:
        _print_json(doc)
    else:
        from zopa.report.simulation import render_simulation

        render_simulation(_console(), doc)
    _finish(ref.complete)


@app.command()
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
    """Rank strategies: every assignment of them to the parties, run in parallel."""

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
    loaded = [_load(ref) for ref in scenarios or [None]]
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
    executor = _executor(workers, scheduler, processes, total)
    try:
        with _progress(total, "simulating") as advance:
            result = tm.tournament(job, executor, progress=advance)
    finally:
        executor.close()
    doc = result.to_json()
    if json_out:
        _print_json(doc)
    else:
        from zopa.report.simulation import render_tournament

        render_tournament(_console(), doc)


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
