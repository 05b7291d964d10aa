"""Plotly figures for every chart zopa draws, and one way to save them.

One code path serves the web app (figures sent as JSON to the locally served
plotly.js), the reports (HTML with plotly.js inlined, or PNG/SVG beside a
Markdown file) and the ``--plot FILE`` options of the CLI.  Builders take
results the engine already computed and only lay them out.

Static export (PNG, SVG, PDF) goes through kaleido, which drives the system
Chromium (``/usr/bin/chromium``; ``BROWSER_PATH`` overrides).  Interactive
HTML needs no browser and works offline: plotly.js is written into the file.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from zopa.engine.frontier import Frontier
from zopa.engine.timeline import Entry
from zopa.problem import SCALE, Problem

STATIC_FORMATS = (".png", ".svg", ".pdf")
FORMATS = (".html", *STATIC_FORMATS)
CHROMIUM = "/usr/bin/chromium"
MARK_SYMBOLS = ("diamond", "star", "square", "triangle-up", "cross", "x", "hexagon")


def _label(problem: Problem, party_id: str) -> str:
    return problem.parties[problem.party_index[party_id]].label


def _package_hover(problem: Problem, package: Mapping[str, Any]) -> str:
    lines = []
    for issue_id, value in package.items():
        issue = problem.issues[problem.issue_index[issue_id]]
        k = issue.index_of(value)
        lines.append(f"{issue.title or issue.id}: {issue.label(k) if k is not None else value}")
    return "<br>".join(lines)


def frontier_figure(
    problem: Problem,
    result: Frontier,
    x: str,
    y: str,
    colour: str | None = None,
    marks: Mapping[str, Mapping[str, Any]] | None = None,
    title: str | None = None,
) -> go.Figure:
    """The Pareto frontier of parties ``x`` and ``y`` (the points of ``result``).

    ``colour`` shades each point by a third party's utility; ``marks`` names
    packages to show on top (the draft, the bargaining solutions, a robust
    package...), each ``{"utilities": {party: u}, "package": {...}}``.
    Hovering a point shows its package.
    """
    index = {p: k for k, p in enumerate(problem.party_index)}
    points = result.points(problem)
    xs = [int(u[index[x]]) / SCALE for u in result.all_utilities]
    ys = [int(u[index[y]]) / SCALE for u in result.all_utilities]
    hover = [_package_hover(problem, p["package"]) for p in points]
    marker: dict[str, Any] = {"size": 9, "color": "#1f77b4"}
    if colour is not None and len(points):
        marker = {
            "size": 9,
            "color": [int(u[index[colour]]) / SCALE for u in result.all_utilities],
            "colorscale": "Viridis",
            "showscale": True,
            "colorbar": {"title": {"text": _label(problem, colour)}},
        }
    order = sorted(range(len(xs)), key=lambda k: (xs[k], -ys[k]))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[xs[k] for k in order],
            y=[ys[k] for k in order],
            mode="lines+markers",
            name="Pareto frontier" + ("" if result.complete else " (incomplete)"),
            marker=marker,
            line={"color": "#9ab", "width": 1},
            text=[hover[k] for k in order],
            hovertemplate="%{x:.3f}, %{y:.3f}<br>%{text}<extra></extra>",
        )
    )
    for k, (name, mark) in enumerate((marks or {}).items()):
        utilities = mark["utilities"]
        fig.add_trace(
            go.Scatter(
                x=[utilities[x]],
                y=[utilities[y]],
                mode="markers",
                name=name,
                marker={"size": 14, "symbol": MARK_SYMBOLS[k % len(MARK_SYMBOLS)]},
                text=[_package_hover(problem, mark.get("package", {}))],
                hovertemplate=f"{name}: %{{x:.3f}}, %{{y:.3f}}<br>%{{text}}<extra></extra>",
            )
        )
    fig.update_layout(
        title=title or f"Deal space: {_label(problem, x)} and {_label(problem, y)}",
        xaxis={"title": {"text": f"utility of {_label(problem, x)}"}, "range": [-0.02, 1.02]},
        yaxis={"title": {"text": f"utility of {_label(problem, y)}"}, "range": [-0.02, 1.02]},
        showlegend=True,
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        template="plotly_white",
    )
    return fig


def timeline_figure(entries: Sequence[Entry], title: str | None = None) -> go.Figure:
    """Each draft by date: points it addresses, points agreed, and whether a deal is possible."""
    # one category per draft: two drafts can share a date
    dates = [f"{e.date.isoformat() if e.date else ''}<br>{e.draft}" for e in entries]
    names = [e.title or e.draft for e in entries]
    blocking = [", ".join(e.blocking_issues) or "none" for e in entries]
    custom = list(zip(names, blocking, strict=True))
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=dates,
            y=[e.points for e in entries],
            name="points addressed",
            marker_color="#c6d4e1",
            customdata=custom,
            hovertemplate="%{customdata[0]}<br>%{y} points<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=dates,
            y=[e.agreed for e in entries],
            name="agreed by every veto party",
            marker_color="#2ca02c",
            customdata=custom,
            hovertemplate="%{customdata[0]}<br>%{y} agreed<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=[max(e.points, 1) + 0.5 for e in entries],
            mode="markers",
            name="deal possible (● yes, ✕ no)",
            marker={
                "size": 13,
                "symbol": ["circle" if e.feasible else "x" for e in entries],
                "color": ["#2ca02c" if e.feasible else "#d62728" for e in entries],
            },
            customdata=custom,
            hovertemplate="%{customdata[0]}<br>blocking: %{customdata[1]}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or "Timeline: each draft as of its own date",
        barmode="overlay",
        xaxis={"title": {"text": "date"}, "type": "category"},
        yaxis={"title": {"text": "points"}},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50, "b": 80},
        template="plotly_white",
    )
    return fig


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON for ``Plotly.newPlot`` in a page that serves plotly.js itself."""
    return fig.to_json()


def plotly_js() -> Path:
    """The plotly.js bundle shipped inside the plotly package (served locally, never a CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def save_figure(fig: go.Figure, path: str | Path) -> Path:
    """Write ``fig`` by the suffix of ``path``: offline HTML, PNG, SVG or PDF; atomically.

    HTML inlines plotly.js (opens offline).  Static formats need Chromium
    (kaleido finds ``/usr/bin/chromium``); a missing browser raises
    :class:`RuntimeError` with what to install.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: unknown chart format {suffix!r} (use {', '.join(FORMATS)})")
    if suffix == ".html":
        data = fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
    else:
        data = static_image(fig, suffix[1:])
    write_atomic(path, data)
    return path


@contextmanager
def export_session() -> Iterator[None]:
    """Keep one Chromium running for several static exports (about 0.2 s each instead of 2–3 s)."""
    import kaleido

    _use_system_chromium()
    kaleido.start_sync_server(silence_warnings=True)
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def _use_system_chromium() -> None:
    if "BROWSER_PATH" not in os.environ and Path(CHROMIUM).exists():
        os.environ["BROWSER_PATH"] = CHROMIUM


def static_image(fig: go.Figure, fmt: str, width: int = 900, height: int = 560) -> bytes:
    """PNG/SVG/PDF bytes through kaleido and the system Chromium."""
    _use_system_chromium()
    try:
        with warnings.catch_warnings():  # plotly warns that a running server ignores options
            warnings.simplefilter("ignore", UserWarning)
            return fig.to_image(format=fmt, width=width, height=height)
    except Exception as err:  # kaleido reports a missing browser in several ways
        raise RuntimeError(
            f"static chart export needs Chromium ({CHROMIUM}; `make system-deps` "
            f"installs it): {type(err).__name__}: {err}"
        ) from err


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
