"""What every command of ``zopa`` shares: exit codes, usage errors, options, helpers.

Exit codes: 0 success (including "no deal exists"), 1 invalid input, 2 usage
error, 3 an internal or time limit was hit.  Heavy modules (numpy, solvers,
rich) are imported inside the helpers, so that ``zopa --help`` stays fast.

Nothing is kept between calls of :func:`zopa.cli.main`: what a command
learns while it runs (that it analyses an uncertain scenario at its means,
the what-if options it was given and the departures they make) is noted for
that invocation only (:func:`noted`; the root callback starts each
invocation with nothing noted).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_LIMIT = 3

# What the running invocation has noted: by load() (an uncertain scenario analysed at its
# means) and by the what-if options (the request, and the departures once applied).  A fresh
# dict per invocation (see root()).
_noted: ContextVar[dict[str, Any] | None] = ContextVar("zopa_cli_noted", default=None)


def noted() -> dict[str, Any]:
    """What this invocation has noted (``point_estimate``, ``whatif``, ``departures``)."""
    found = _noted.get()
    if found is None:  # a command function called directly, without the root callback
        found = {}
        _noted.set(found)
    return found


class UsageError(Exception):
    """A command-line argument that does not make sense (exit 2)."""


class InvalidInput(Exception):
    """Input that is well-formed but wrong for the scenario, e.g. an unknown red line (exit 1)."""


# --------------------------------------------------------------------------- options

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


def seconds(value: float | None) -> float | None:
    """A time limit: a finite number of seconds greater than 0 (nan, inf, 0 are usage errors)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"give a number of seconds greater than 0, not {value:g}")
    return value


def count(value: int) -> int:
    """A limit on a count: 1 or more."""
    if value < 1:
        raise typer.BadParameter(f"give a count of 1 or more, not {value}")
    return value


TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        metavar="SECONDS",
        help="Stop searching after this long (seconds, greater than 0).",
        callback=seconds,
    ),
]
LimitOpt = Annotated[
    int,
    typer.Option(
        "--limit", help="Stop enumerating after this many conflicts/concessions.", callback=count
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]
PlotOpt = Annotated[
    str | None,
    typer.Option(
        "--plot",
        metavar="FILE",
        help="Also draw the chart: .html (interactive, offline), .png, .svg or .pdf.",
    ),
]
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


# --------------------------------------------------------------------------- what-if

DropOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--drop",
        metavar="ID",
        help="What if: set a red line aside, or PARTY:reservation (repeatable).",
    ),
]
ThresholdOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--threshold", metavar="ID=NUMBER", help="What if: move a red line's number (repeatable)."
    ),
]
WeightOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--weight", metavar="PARTY.ISSUE=NUMBER", help="What if: change a weight (repeatable)."
    ),
]
ReservationOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--reservation",
        metavar="PARTY=NUMBER",
        help="What if: change a reservation utility (repeatable).",
    ),
]
DropConflictingOpt = Annotated[
    bool,
    typer.Option(
        "--drop-conflicting",
        help="What if: set aside every red line in a conflict as of the analysis date.",
    ),
]
WhatIfFileOpt = Annotated[
    str | None,
    typer.Option(
        "--whatif", metavar="FILE.json", help="What if: an overrides object, as the web app's."
    ),
]

_WHATIF_OPTIONS = {
    "drop": DropOpt,
    "threshold": ThresholdOpt,
    "weight": WeightOpt,
    "reservation": ReservationOpt,
    "drop_conflicting": DropConflictingOpt,
    "whatif_file": WhatIfFileOpt,
}


@dataclass(frozen=True)
class WhatIfRequest:
    """The what-if options of one command line, before they meet the scenario."""

    overrides: dict[str, Any] = field(default_factory=dict)  # the web's overrides object
    drop_conflicting: bool = False
    draft: str | None = None
    as_of: str | None = None

    @property
    def empty(self) -> bool:
        return not self.drop_conflicting and not any(self.overrides.values())


def with_whatif(command: Callable[..., None]) -> Callable[..., None]:
    """Add the shared what-if options to a command (the scenario it loads is changed)."""
    import typing

    hints = typing.get_type_hints(command, include_extras=True)  # the Annotated options
    signature = inspect.signature(command)
    own = [
        p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        given = {name: kwargs.pop(name, None) for name in _WHATIF_OPTIONS}
        noted()["whatif"] = whatif_request(given, kwargs.get("draft"), kwargs.get("as_of"))
        noted()["whatif_file"] = given.get("whatif_file")  # an input: never written over
        noted()["departures"] = None
        return command(*args, **kwargs)

    extra = [
        inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=False if name == "drop_conflicting" else None,
            annotation=annotation,
        )
        for name, annotation in _WHATIF_OPTIONS.items()
    ]
    wrapper.__signature__ = signature.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**hints, **_WHATIF_OPTIONS}
    return wrapper


def whatif_request(given: dict[str, Any], draft: str | None, as_of: str | None) -> WhatIfRequest:
    """The overrides object from ``--whatif FILE`` and the other what-if flags (flags last)."""
    data: dict[str, Any] = {}
    if given.get("whatif_file"):
        data = _overrides_file(given["whatif_file"])
    data = {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in data.items()}
    if given.get("drop"):
        data["drop"] = [*data.get("drop", []), *given["drop"]]
    for text in given.get("threshold") or []:
        ident, number = _pair(text, "--threshold", "ID=NUMBER")
        data.setdefault("thresholds", {})[ident] = number
    for text in given.get("weight") or []:
        key, number = _pair(text, "--weight", "PARTY.ISSUE=NUMBER")
        party, dot, issue = key.partition(".")
        if not dot or not party or not issue:
            raise UsageError(f"--weight: {text!r} is not PARTY.ISSUE=NUMBER")
        data.setdefault("weights", {}).setdefault(party, {})[issue] = number
    for text in given.get("reservation") or []:
        party, number = _pair(text, "--reservation", "PARTY=NUMBER")
        data.setdefault("reservations", {})[party] = number
    return WhatIfRequest(data, bool(given.get("drop_conflicting")), draft, as_of)


def _pair(text: str, option: str, form: str) -> tuple[str, float]:
    key, eq, value = text.rpartition("=")
    if not eq or not key:
        raise UsageError(f"{option}: {text!r} is not {form}")
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a number ({form})") from None
    return key, number


def _overrides_file(path: str) -> dict[str, Any]:
    """``--whatif FILE.json``: the web API's overrides object (:func:`zopa.whatif.read_overrides`,
    the same model); a bad file is FILE:LINE:COL: message for each problem (exit 1)."""
    from zopa.fileio import TooLarge, read_bounded
    from zopa.limits import MAX_WEB_BYTES
    from zopa.load import ScenarioError
    from zopa.whatif import read_overrides

    try:
        text = read_bounded(path, MAX_WEB_BYTES).decode("utf-8-sig")
    except TooLarge as err:
        raise InvalidInput(f"{path}:1:1: {err.strerror}") from None
    except OSError as err:
        raise InvalidInput(f"{path}:1:1: cannot read the file: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}:1:1: the file is not valid UTF-8") from None
    try:
        overrides = read_overrides(text, path)
    except ScenarioError as err:
        raise InvalidInput("\nzopa: error: ".join(str(d) for d in err.diagnostics)) from None
    return overrides.model_dump()


def apply_whatif(scenario: Any) -> Any:
    """The scenario with the command line's what-if applied (and its departures recorded)."""
    request: WhatIfRequest | None = noted().get("whatif")
    if request is None or request.empty:
        return scenario
    from pydantic import ValidationError

    from zopa.whatif import WhatIfError, apply, overrides_problems, parse_overrides

    data = dict(request.overrides)
    try:
        changed = apply(scenario, parse_overrides(data))
        if request.drop_conflicting:
            extra = _conflicting(changed.scenario, request)
            data["drop"] = [
                *data.get("drop", []),
                *(i for i in extra if i not in data.get("drop", [])),
            ]
            changed = apply(scenario, parse_overrides(data))
    except WhatIfError as err:
        raise InvalidInput("what-if: " + "; ".join(err.problems)) from None
    except ValidationError as err:
        problems = [p.message for p in overrides_problems(err, data)]
        raise InvalidInput("what-if: " + "; ".join(problems)) from None
    noted()["departures"] = changed.departures
    return changed.scenario


def _conflicting(scenario: Any, request: WhatIfRequest) -> list[str]:
    """Every constraint in a conflict as of the analysis date (red lines, reservations)."""
    from zopa.engine.blockers import blockers
    from zopa.problem import Problem

    try:
        problem, _ = Problem.for_draft(scenario, request.draft, parse_date(request.as_of))
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None
    found = blockers(problem)
    if not found.complete:
        raise InvalidInput("--drop-conflicting: the conflicts could not all be found")
    return sorted({c.id for conflict in found.conflicts for c in conflict.constraints})


# --------------------------------------------------------------------------- the root


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"zopa {version('zopa')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("zopa (version unknown: not installed)")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show Python tracebacks for errors.")
    ] = False,  # main() reads it from the arguments, before any parsing
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print zopa's version and exit.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    _noted.set({})  # main() may run many times in one process: nothing carries over
    ctx.with_resource(interop_warnings_on_stderr())


@contextlib.contextmanager
def interop_warnings_on_stderr() -> Iterator[None]:
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


# --------------------------------------------------------------------------- scenarios


def split_list(text: str | None) -> list[str] | None:
    """``A,B,...`` as a list of names (blanks dropped); None for None."""
    if text is None:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def parse_date(text: str | None) -> dt.date | None:
    """``--as-of``: a date written YYYY-MM-DD, and only so (not 20251120, not 2025-W47-4)."""
    if text is None:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


def whatif_scenario(ref: str | None) -> Any:
    """The scenario as written, with the command line's what-if applied."""
    from zopa.load import load_scenario

    scenario = apply_whatif(load_scenario(ref))
    request: WhatIfRequest | None = noted().get("whatif")
    if request is not None:
        note_record(scenario, request.draft, parse_date(request.as_of))
    return scenario


def note_record(scenario: Any, draft: str | None, as_of: dt.date | None) -> None:
    """Note whether the analysis date lies outside the scenario's record
    (:meth:`zopa.model.Scenario.record_note`): printed first, ``record_note`` in JSON."""
    try:
        _, date = scenario.select(draft, as_of)
    except KeyError:  # an unknown draft: the command says so itself
        return
    noted()["record_note"] = scenario.record_note(date)


def load(ref: str | None) -> Any:
    """The scenario; an uncertain one as its point estimate (means), noted in the output."""
    scenario = whatif_scenario(ref)
    if scenario.uncertain:
        noted()["point_estimate"] = True
        return scenario.point_estimate()
    return scenario


def problem(ref: str | None, draft: str | None, as_of: str | None) -> tuple[Any, Any]:
    from zopa.problem import Problem

    scenario = load(ref)
    try:
        return Problem.for_draft(scenario, draft, parse_date(as_of))
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None


# --------------------------------------------------------------------------- output


def print_json(document: Any) -> None:
    if noted().get("point_estimate") and isinstance(document, dict):
        from zopa.model import POINT_ESTIMATE

        document = {**document, "point_estimate": POINT_ESTIMATE}
    if noted().get("record_note") and isinstance(document, dict):
        document = {**document, "record_note": noted()["record_note"]}
    departures = noted().get("departures")
    if departures is not None and isinstance(document, dict):
        document = {**document, "departures": [d.to_json() for d in departures]}
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=_json_default))
    sys.stdout.write("\n")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def console(point_note: bool = True) -> Any:
    """The terminal output; notes what-if departures and, unless ``point_note`` is False
    (a caller that says it in its own words), the point analysis of an uncertain scenario."""
    from rich.console import Console

    out = Console(highlight=False, soft_wrap=False, markup=False)  # user text is never markup
    if noted().get("record_note"):
        out.print(wrap(f"Note: {noted()['record_note']}", out.width))
    if noted().get("departures"):
        out.print("What if — this analysis departs from the sourced scenario:")
        for d in noted()["departures"]:
            # a dropped red line: who and which (its full wording is in --json)
            text = d.text.split(": ", 1)[0] if d.kind == "drop" else d.text
            out.print(wrap(text, out.width, "  • ", "    "))
    if point_note and noted().get("point_estimate"):
        out.print(
            wrap(
                "Note: the scenario is uncertain; this is a point analysis (distribution "
                "means, red lines with firmness >= 0.5). See `zopa montecarlo` for "
                "probabilities.",
                out.width,
            )
        )
    return out


def wrap(text: str, width: int, first: str = "", rest: str = "") -> str:
    """A paragraph wrapped at spaces (ids and rules stay whole), continuations indented."""
    import textwrap

    return textwrap.fill(
        text,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def finish(complete: bool) -> None:
    """Exit 3 when a limit stopped a search; the output says what is proven."""
    if not complete:
        raise typer.Exit(EXIT_LIMIT)


def progress(total: int, label: str, enabled: bool = True) -> Any:
    """A progress bar with the time elapsed and an estimate of the time left, on stderr.

    Drawn only when ``enabled`` (not with ``--json``) and stderr is a terminal,
    so that piped or captured output never holds one.  The context yields a
    function to call with the number of steps done, or None when nothing is drawn.
    """
    if not enabled or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    @contextlib.contextmanager
    def bar() -> Any:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("elapsed, about"),
            TimeRemainingColumn(),
            TextColumn("left"),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as shown:
            task = shown.add_task(label, total=total)
            yield lambda k: shown.advance(task, k)

    return bar()


# --------------------------------------------------------------------------- optional extras

# The modules each optional extra of pyproject.toml brings, as they are imported.
EXTRAS = {
    "charts": ("plotly",),
    "static charts": ("plotly", "kaleido"),
    "report": ("jinja2", "plotly"),
    "web": ("fastapi", "uvicorn", "jinja2", "platformdirs", "plotly"),
    "dask": ("distributed",),
}


def need_extra(extra: str, what: str) -> None:
    """Stop with a usage error naming the extra to install when one of its modules is missing.

    Checked before any work, so that a missing package is never an internal
    error halfway through.
    """
    from importlib.util import find_spec

    missing = [m for m in EXTRAS[extra] if find_spec(m) is None]
    if missing:
        name = extra.split()[-1]
        raise UsageError(
            f"{what} needs the optional {name!r} extra (missing: {', '.join(missing)}): "
            f"pip install 'zopa[{name}]', or from a checkout of zopa: pip install '.[{name}]'"
        )


# --------------------------------------------------------------------------- outputs


def check_output(
    option: str, path: str | Path, force: bool, inputs: Sequence[str | Path | None] = ()
) -> Path:
    """Where a command will write, checked before it computes anything (usage errors, exit 2).

    An existing file is replaced only with ``--force``, never when it is one of
    the command's ``inputs``; a folder, a path under a file, or a folder that
    cannot take a new file (read-only, no permission) is refused at once.
    """
    from zopa.fileio import check_writable

    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option}: {target} is a folder; give a file name")
    if target.exists():
        for given in [*inputs, noted().get("whatif_file")]:
            if given is not None and _same_file(target, Path(given)):
                raise UsageError(
                    f"{option}: {target} is an input of this command; write the output elsewhere"
                )
        if not force:
            raise UsageError(f"{option}: {target} exists; give --force to replace it")
    try:
        check_writable(target)
    except OSError as err:
        raise UsageError(f"{option}: cannot write {target}: {unwritable(err)}") from None
    return target


def unwritable(err: OSError) -> str:
    """Why a path cannot be written, from :func:`zopa.fileio.check_writable`'s error."""
    import errno

    if err.errno == errno.ENOTDIR:
        return f"{err.filename} is a file, not a folder"
    if err.errno == errno.EISDIR:
        return "it is a folder"
    return f"cannot create files in {err.filename}: {err.strerror}"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def inside(folder: Path, path: str | Path | None) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved)."""
    if path is None:
        return False
    try:
        return Path(path).resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


# --------------------------------------------------------------------------- charts


def check_plot(
    path: str | None, force: bool = False, inputs: Sequence[str | Path | None] = ()
) -> None:
    """Reject an unknown chart format or an unwritable path before any work is done."""
    formats = (".html", ".png", ".svg", ".pdf")
    if path is not None and Path(path).suffix.lower() not in formats:
        raise UsageError(f"--plot: {path} must end in {', '.join(formats)}")
    if path is not None:
        static = Path(path).suffix.lower() != ".html"
        need_extra("static charts" if static else "charts", "--plot")
        check_output("--plot", path, force, inputs)


def plot(figure: Any, path: str) -> None:
    from zopa.report.charts import save_figure

    try:
        save_figure(figure, path)
    except RuntimeError as err:  # no browser for a static image
        raise UsageError(f"--plot: {err}") from None
    typer.echo(f"wrote {path}", err=True)


# --------------------------------------------------------------------------- parallel work


def executor(
    workers: int | None, scheduler: str | None, processes: int | None, jobs: int, **kw: Any
) -> Any:
    """Where montecarlo and tournament run: Dask, local processes or this process."""
    from zopa.uncertainty import executors

    try:
        return executors.choose(workers, scheduler, processes, jobs, **kw)
    except (ValueError, executors.DaskMissing) as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(f"--scheduler: cannot reach {scheduler}: {err}") from None
