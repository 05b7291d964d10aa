"""A self-contained HTML report: plotly.js, chart data and the analysis JSON inlined.

The file opens offline and loads nothing from anywhere.  The analysis
document (``zopa analyze --json``) is embedded as
``<script type="application/json" id="zopa-analysis">`` so that readers and
tools can check every number against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zopa.report.build import Report
from zopa.report.templating import context, environment


def _figure_html(fig: Any, div_id: str) -> str:
    import plotly.io as pio

    return pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def render_html(report: Report) -> str:
    from zopa.report.charts import plotly_js

    env = environment(html=True)
    embedded = json.dumps(report.document, ensure_ascii=False, default=str)
    return env.get_template("report.html.j2").render(
        **context(report),
        plotly_js=plotly_js().read_text(encoding="utf-8"),
        frontier_html=_figure_html(report.frontier_figure, "frontier-chart")
        if report.frontier_figure is not None
        else None,
        timeline_html=_figure_html(report.timeline_figure, "timeline-chart")
        if report.timeline_figure is not None
        else None,
        analysis_json=embedded.replace("</", "<\\/"),  # never closes the script element
    )


def write_html(report: Report, path: Path) -> list[Path]:
    from zopa.fileio import write_atomic

    write_atomic(path, render_html(report))
    return [path]
