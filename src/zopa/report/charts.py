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

import itertools
import logging
import os
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


def varying_issues(problem: Problem, packages: Sequence[Mapping[str, Any]]) -> list[str]:
    """The issues on which the packages differ (in the scenario's order)."""
    return [
        i.id for i in problem.issues if len({repr(p.get(i.id)) for p in packages if i.id in p}) > 1
    ]


def shared_options(
    problem: Problem, packages: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """(issue title, option) of every issue on which all the packages agree."""
    if not packages:
        return []
    varying = set(varying_issues(problem, packages))
    shared = []
    for issue in problem.issues:
        if issue.id in varying or issue.id not in packages[0]:
            continue
        value = packages[0][issue.id]
        k = issue.index_of(value)
        shared.append((issue.title or issue.id, issue.label(k) if k is not None else str(value)))
    return shared


HOVER_CHANGES = 4  # a tooltip lists at most this many changed points


def _option_indices(problem: Problem, package: Mapping[str, Any]) -> list[int]:
    """The package as one option index per issue (-1: the package leaves the issue open)."""
    out = []
    for issue in problem.issues:
        k = issue.index_of(package[issue.id]) if issue.id in package else None
        out.append(-1 if k is None else int(k))
    return out


def _utilities_hover(problem: Problem, utilities: Mapping[str, float]) -> list[str]:
    return [f"{_label(problem, p)}: {u:.3f}" for p, u in utilities.items()]


def _changes_hover(
    problem: Problem, package: Sequence[int], before: Sequence[int], pair: Sequence[int]
) -> list[str]:
    """The points on which ``package`` differs from ``before``, those that move the two
    charted parties' utilities most first, at most :data:`HOVER_CHANGES` of them."""
    tables = problem.tables
    changed = [i for i, (k, j) in enumerate(zip(package, before, strict=True)) if k != j]

    def weight(i: int) -> int:
        k, j = package[i], before[i]
        if k < 0 or j < 0:
            return 0
        return sum(abs(int(tables[p, i, k]) - int(tables[p, i, j])) for p in pair)

    changed.sort(key=lambda i: (-weight(i), i))
    lines = ["Changed from the point to the left:"]
    for i in changed[:HOVER_CHANGES]:
        issue = problem.issues[i]
        option = issue.label(package[i]) if package[i] >= 0 else "open"
        lines.append(f"  {issue.title or issue.id}: {option}")
    if len(changed) > HOVER_CHANGES:
        lines.append(f"  and {len(changed) - HOVER_CHANGES} more")
    return lines if changed else []


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
    Hovering a point shows every party's utility and the points that change from
    the point to its left (those that move the two parties' utilities most);
    each point carries its whole package (option indices, ``customdata``) and
    ``layout.meta.issues`` the issues' titles and option labels, for a page to
    show on a click.
    """
    index = {p: k for k, p in enumerate(problem.party_index)}
    points = result.points(problem)
    xs = [int(u[index[x]]) / SCALE for u in result.all_utilities]
    ys = [int(u[index[y]]) / SCALE for u in result.all_utilities]
    order = sorted(range(len(xs)), key=lambda k: (xs[k], -ys[k]))
    chosen = [_option_indices(problem, points[k]["package"]) for k in order]
    hover = []
    for n, k in enumerate(order):
        lines = _utilities_hover(
            problem, {q: int(result.all_utilities[k][j]) / SCALE for q, j in index.items()}
        )
        if n:
            lines += _changes_hover(problem, chosen[n], chosen[n - 1], (index[x], index[y]))
        hover.append("<br>".join([*lines, "<i>Click for the whole package.</i>"]))
    marker: dict[str, Any] = {"size": 9, "color": "#1f77b4"}
    if colour is not None and len(points):
        marker = {
            "size": 9,
            "color": [int(u[index[colour]]) / SCALE for u in result.all_utilities],
            "colorscale": "Viridis",
            "showscale": True,
            "colorbar": {"title": {"text": _label(problem, colour)}},
        }
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[xs[k] for k in order],
            y=[ys[k] for k in order],
            mode="lines+markers",
            name="Pareto frontier" + ("" if result.complete else " (incomplete)"),
            marker=marker,
            line={"color": "#9ab", "width": 1},
            text=hover,
            customdata=chosen,  # the whole package, shown on a click (see app.js)
            hovertemplate="%{text}<extra></extra>",
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
                text=[
                    "<br>".join(
                        [*_utilities_hover(problem, utilities), "<i>Click for its package.</i>"]
                    )
                ],
                customdata=[_option_indices(problem, mark.get("package", {}))],
                hovertemplate=f"<b>{name}</b><br>%{{text}}<extra></extra>",
            )
        )
    fig.update_layout(
        meta={
            "issues": [
                [i.title or i.id, [i.label(k) for k in range(len(i.values))]]
                for i in problem.issues
            ]
        },
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


def forecast_rounds_figure(
    doc: Mapping[str, Any], unit: str | None = None, title: str | None = None
) -> go.Figure:
    """The rounds of the expected-utility model, from a ``zopa forecast --model bdm --json`` doc.

    Each actor's position after every round (thin lines, round 0 is the
    start), the weighted median, which is the forecast (bold), and the mean.
    """
    from plotly.colors import qualitative

    rounds = [doc["initial"], *doc["rounds"]]
    xs = [r["round"] for r in rounds]
    fig = go.Figure()
    for k, actor in enumerate(doc["initial"]["positions"]):
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[r["positions"][actor] for r in rounds],
                mode="lines",
                name=actor,
                line={"width": 1, "color": qualitative.Plotly[k % len(qualitative.Plotly)]},
                opacity=0.6,
                hovertemplate=f"{actor}: %{{y:.4g}}<extra>round %{{x}}</extra>",
            )
        )
    for key, name, style in (
        ("median", "weighted median (the forecast)", {"width": 4, "color": "#111"}),
        ("mean", "mean (compromise model)", {"width": 2, "color": "#111", "dash": "dot"}),
    ):
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[r[key] for r in rounds],
                mode="lines+markers",
                name=name,
                line=style,
                hovertemplate=f"{key}: %{{y:.4g}}<extra>round %{{x}}</extra>",
            )
        )
    fig.update_layout(
        title=title or "Expected-utility model: positions by round",
        xaxis={"title": {"text": "round"}, "dtick": 1},
        yaxis={"title": {"text": unit or "position"}},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50, "b": 80},
        template="plotly_white",
    )
    return fig


def sensitivity_figure(
    docs: Mapping[str, Mapping[str, Any]], unit: str | None = None, title: str | None = None
) -> go.Figure:
    """Histograms of sensitivity analyses (``sensitivity`` JSON objects), one per label.

    Several models of one issue share the horizontal axis (the issue's scale),
    so their spreads can be compared at a glance.
    """
    from plotly.colors import qualitative

    fig = go.Figure()
    for k, (label, doc) in enumerate(docs.items()):
        edges, counts = doc["histogram"]["edges"], doc["histogram"]["counts"]
        total = sum(counts) or 1
        pairs = list(itertools.pairwise(edges))
        span = max(edges) - min(edges)
        fig.add_trace(
            go.Bar(
                x=[(a + b) / 2 for a, b in pairs],
                y=[100 * n / total for n in counts],
                width=[(b - a) if b > a else max(span, abs(a), 1) / 50 for a, b in pairs],
                customdata=[
                    [f"{a:,.4g} to {b:,.4g}", n] for (a, b), n in zip(pairs, counts, strict=True)
                ],
                name=label,
                marker_color=qualitative.Plotly[k % len(qualitative.Plotly)],
                opacity=0.65,
                hovertemplate=f"{label}: %{{customdata[0]}}, %{{customdata[1]}} runs"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        title=title or "How much each forecast moves",
        barmode="overlay",
        xaxis={"title": {"text": unit or "forecast"}},
        yaxis={"title": {"text": "% of runs"}},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50, "b": 80},
        template="plotly_white",
        bargap=0.05,
    )
    return fig


def simulation_figure(
    problem: Problem,
    doc: Mapping[str, Any],
    frontier: Frontier | None = None,
    title: str | None = None,
) -> go.Figure:
    """A simulated negotiation, from the ``zopa simulate --json`` document ``doc``.

    Left, over the rounds: with one proposer (a single negotiating text), every
    party's utility of the text; with several, every party's utility of its own
    proposals (solid: its demand) and of the best proposal others made it so
    far (dashed: what is on the table for it).  Reservations are dotted; the
    Nash point's utilities are diamonds at the right; the agreement is starred.
    Right, when ``frontier`` is given (two parties): the proposals in the plane
    of those parties, coloured by proposer, with the exact Pareto frontier, the
    Nash point and the reservations.
    """
    from plotly.colors import qualitative
    from plotly.subplots import make_subplots

    parties = list(doc["strategies"])
    colours = {p: qualitative.Plotly[k % len(qualitative.Plotly)] for k, p in enumerate(parties)}
    trace = doc["trace"]
    metrics = doc.get("metrics") or {}
    xs = _trace_positions(trace)
    pair = frontier.parties if frontier is not None else []
    fig = make_subplots(
        rows=1,
        cols=2 if pair else 1,
        column_widths=[0.6, 0.4] if pair else None,
        subplot_titles=[
            "utilities over the rounds",
            *([f"proposals: {pair[0]} and {pair[1]}"] if pair else []),
        ],
    )
    single = len({s["proposer"] for s in trace}) == 1
    for p in parties:
        style = {"color": colours[p], "width": 1.5}
        if single:
            _line(fig, xs, [s["utilities"][p] for s in trace], p, p, style)
        else:
            own = [
                (x, s["utilities"][p]) for x, s in zip(xs, trace, strict=True) if s["proposer"] == p
            ]
            _line(fig, [x for x, _ in own], [u for _, u in own], f"{p} proposes", p, style)
            best, offered = None, []
            for x, s in zip(xs, trace, strict=True):
                if s["proposer"] != p:
                    best = max(best or 0.0, s["utilities"][p])
                    offered.append((x, best))
            _line(
                fig,
                [x for x, _ in offered],
                [u for _, u in offered],
                f"best offer to {p}",
                p,
                {**style, "dash": "dash", "width": 1},
                markers=False,
            )
        reservation = metrics.get("reservations", {}).get(p)
        if reservation is not None:
            fig.add_hline(
                reservation, line={"color": colours[p], "dash": "dot", "width": 1}, row=1, col=1
            )
    end = (xs[-1] if xs else 0) + 0.5
    nash = (metrics.get("nash") or {}).get("utilities", {})
    if nash:
        _marks(fig, end, nash, colours, "utilities at the Nash point", "diamond")
    if doc.get("outcome") == "agreement" and trace:
        _marks(
            fig,
            xs[-1],
            trace[-1]["utilities"],
            colours,
            f"agreement (round {doc['round']})",
            "star",
        )
    if pair and frontier is not None:
        _simulation_plane(problem, fig, doc, frontier, colours)
    fig.update_xaxes(title_text="round", row=1, col=1)
    fig.update_yaxes(title_text="utility", range=[-0.02, 1.02], row=1, col=1)
    fig.update_layout(
        title=title or f"Simulation: {doc['protocol']} protocol, {doc['outcome']}",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 70, "b": 60},
        template="plotly_white",
    )
    return fig


def _trace_positions(trace: Sequence[Mapping[str, Any]]) -> list[float]:
    """An x position per proposal: those of round r spread evenly over (r − 1, r]."""
    per_round: dict[int, int] = {}
    for step in trace:
        per_round[step["round"]] = per_round.get(step["round"], 0) + 1
    xs, seen = [], dict.fromkeys(per_round, 0)
    for step in trace:
        seen[step["round"]] += 1
        xs.append(step["round"] - 1 + seen[step["round"]] / per_round[step["round"]])
    return xs


def _line(
    fig: go.Figure,
    xs: Sequence[float],
    ys: Sequence[float],
    name: str,
    group: str,
    style: Mapping[str, Any],
    markers: bool = True,
) -> None:
    fig.add_trace(
        go.Scatter(
            x=list(xs),
            y=list(ys),
            mode="lines+markers" if markers else "lines",
            name=name,
            legendgroup=group,
            line=dict(style),
            marker={"size": 4},
            hovertemplate=f"{name}: %{{y:.3f}}<extra></extra>",
        ),
        row=1,
        col=1,
    )


def _marks(
    fig: go.Figure,
    x: float,
    utilities: Mapping[str, float],
    colours: Mapping[str, str],
    name: str,
    symbol: str,
) -> None:
    shown = [p for p in colours if p in utilities]
    fig.add_trace(
        go.Scatter(
            x=[x] * len(shown),
            y=[utilities[p] for p in shown],
            mode="markers",
            name=name,
            text=shown,
            marker={"symbol": symbol, "size": 12, "color": [colours[p] for p in shown]},
            hovertemplate=f"{name}: %{{text}} %{{y:.3f}}<extra></extra>",
        ),
        row=1,
        col=1,
    )


def _simulation_plane(
    problem: Problem,
    fig: go.Figure,
    doc: Mapping[str, Any],
    frontier: Frontier,
    colours: Mapping[str, str],
) -> None:
    """The right panel of :func:`simulation_figure`."""
    a, b = frontier.parties
    index = {p: k for k, p in enumerate(problem.party_index)}
    points = sorted(
        (int(u[index[a]]) / SCALE, int(u[index[b]]) / SCALE) for u in frontier.all_utilities
    )
    fig.add_trace(
        go.Scatter(
            x=[x for x, _ in points],
            y=[y for _, y in points],
            mode="lines+markers",
            name="Pareto frontier" + ("" if frontier.complete else " (incomplete)"),
            line={"color": "#9ab", "width": 1},
            marker={"size": 5, "color": "#9ab"},
        ),
        row=1,
        col=2,
    )
    for p, colour in colours.items():
        mine = [s for s in doc["trace"] if s["proposer"] == p]
        if mine:
            fig.add_trace(
                go.Scatter(
                    x=[s["utilities"][a] for s in mine],
                    y=[s["utilities"][b] for s in mine],
                    mode="markers",
                    name=f"{p}'s proposals",
                    legendgroup=p,
                    showlegend=False,
                    marker={"size": 6, "color": colour, "opacity": 0.7},
                    hovertemplate=f"{p}: %{{x:.3f}}, %{{y:.3f}}<extra></extra>",
                ),
                row=1,
                col=2,
            )
    metrics = doc.get("metrics") or {}
    marks = {"reservations": metrics.get("reservations", {})}
    if metrics.get("nash"):
        marks["Nash point"] = metrics["nash"]["utilities"]
    if doc.get("outcome") == "agreement":
        marks["agreement"] = metrics.get("utilities", {})
    for k, (name, utilities) in enumerate(marks.items()):
        if a in utilities and b in utilities:
            fig.add_trace(
                go.Scatter(
                    x=[utilities[a]],
                    y=[utilities[b]],
                    mode="markers",
                    name=name,
                    marker={"size": 13, "symbol": MARK_SYMBOLS[k % len(MARK_SYMBOLS)]},
                ),
                row=1,
                col=2,
            )
    fig.update_xaxes(
        title_text=f"utility of {_label(problem, a)}", range=[-0.02, 1.02], row=1, col=2
    )
    fig.update_yaxes(
        title_text=f"utility of {_label(problem, b)}", range=[-0.02, 1.02], row=1, col=2
    )


def fair_figure(
    division: Any, titles: Mapping[str, str], labels: Mapping[str, str], title: str | None = None
) -> go.Figure:
    """The Adjusted Winner split: one bar per issue, the share each party receives.

    Issues run from those the first party receives in full, through the split
    one, to those the second receives; hovering a bar gives the issue's full
    title and both parties' points for it.  ``titles`` maps issue ids to
    titles, ``labels`` party ids to names.
    """
    a, b = division.parties
    order = sorted(division.issues, key=lambda i: (-division.share[i], division.issues.index(i)))
    names = [_short(titles.get(i, i), 26) for i in order]
    hover = [
        f"{titles.get(i, i)}<br>points: {labels.get(a, a)} {float(division.points[i][0]):.1f}, "
        f"{labels.get(b, b)} {float(division.points[i][1]):.1f}"
        for i in order
    ]
    fig = go.Figure()
    for k, party in enumerate((a, b)):
        shares = [float(division.fractions(i)[k]) * 100 for i in order]
        fig.add_trace(
            go.Bar(
                y=names,
                x=shares,
                orientation="h",
                name=labels.get(party, party),
                marker={"color": ("#4c78a8", "#f2a65a")[k]},  # the same two colours for any pair
                text=[f"{v:.0f} %" if 0 < v < 100 else "" for v in shares],
                customdata=hover,
                hovertemplate=f"{labels.get(party, party)}: %{{x:.1f}} %<br>%{{customdata}}"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        title=title,  # a page has its own heading
        barmode="stack",
        xaxis={"title": {"text": "share of the issue (%)"}, "range": [0, 100]},
        yaxis={"autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
        height=max(240, 24 * len(order) + 110),
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 50},
        template="plotly_white",
    )
    return fig


def _short(text: str, width: int = 32) -> str:
    """An axis label at most ``width`` characters (the hover shows the whole title)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def montecarlo_figure(doc: Mapping[str, Any], title: str | None = None) -> go.Figure:
    """From a ``zopa montecarlo --json`` document: how often each red line is in a conflict
    and each issue blocks, with P(deal) and its 95 % interval in the title."""
    from plotly.subplots import make_subplots

    p = doc["p_deal"]
    lo, hi = p["ci95"]
    lines = sorted(doc["p_red_line_in_conflict"].items(), key=lambda kv: kv[1])
    issues = sorted(
        ((k, v) for k, v in doc["p_blocking_issue"].items() if v > 0), key=lambda kv: kv[1]
    )
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("P(red line in a conflict)", "P(issue blocks a deal)"),
        horizontal_spacing=0.25,
    )
    fig.add_trace(
        go.Bar(x=[v for _, v in lines], y=[k for k, _ in lines], orientation="h", name="red lines"),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(x=[v for _, v in issues], y=[k for k, _ in issues], orientation="h", name="issues"),
        row=1,
        col=2,
    )
    fig.update_xaxes(range=[0, 1])
    fig.update_layout(
        title=title
        or (
            f"P(deal) = {p['estimate']:.3f} (95 % interval {lo:.3f}–{hi:.3f}), "
            f"{doc['samples']:,} samples"
        ),
        showlegend=False,
        height=max(360, 22 * max(len(lines), len(issues)) + 140),
        margin={"l": 40, "r": 20, "t": 70, "b": 40},
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
    from zopa.fileio import write_atomic

    path = Path(path)
    write_atomic(path, figure_bytes(fig, path.suffix))
    return path


def figure_bytes(fig: go.Figure, suffix: str) -> bytes:
    """The file content of ``fig`` in the format named by ``suffix`` (``.html``, ``.png``…)."""
    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unknown chart format {suffix!r} (use {', '.join(FORMATS)})")
    if suffix == ".html":
        return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
    return static_image(fig, suffix[1:])


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
    # kaleido's driver installs its own logger class when imported (its loggers call
    # `debug2`); a "choreographer" logger made before that import would be a plain one
    import kaleido  # noqa: F401

    if "BROWSER_PATH" not in os.environ and Path(CHROMIUM).exists():
        os.environ["BROWSER_PATH"] = CHROMIUM
    # kaleido's browser driver logs the messages it ignores with their tracebacks (a
    # "JSONError decoding message" under load, the chart written all the same); a failed
    # export raises below with its own message, so those logs only alarm the user
    logging.getLogger("choreographer").setLevel(logging.CRITICAL)


def static_image(fig: go.Figure, fmt: str, width: int = 900, height: int = 560) -> bytes:
    """PNG/SVG/PDF bytes through kaleido and the system Chromium."""
    _use_system_chromium()
    for attempt in range(3):
        try:
            with warnings.catch_warnings():  # plotly warns that a running server ignores options
                warnings.simplefilter("ignore", UserWarning)
                return fig.to_image(format=fmt, width=width, height=height)
        except Exception as err:  # kaleido reports a missing browser in several ways
            # On a loaded machine kaleido can call into its page before the page's scripts
            # have loaded ("kaleido_scopes is not defined", seen in the test suite at load
            # 10+): a race, not a missing browser, so it is tried again.
            if "kaleido_scopes is not defined" in str(err) and attempt < 2:
                continue
            raise RuntimeError(
                f"static chart export needs Chromium ({CHROMIUM}; `make system-deps` "
                f"installs it): {type(err).__name__}: {err}"
            ) from err
    raise AssertionError("unreachable: the last attempt returns or raises")
