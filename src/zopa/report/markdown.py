"""A Markdown report with its charts as PNG files in a folder beside it.

``report.md`` gets ``report_files/frontier.png`` and ``timeline.png``
(kaleido with the system Chromium, through :func:`zopa.report.charts.save_figure`);
links are relative, so the folder and the file travel together.  Every file is
written atomically.
"""

from __future__ import annotations

from pathlib import Path

from zopa.report.build import Report
from zopa.report.templating import context, environment

IMAGE_FORMAT = ".png"


def write_markdown(report: Report, path: Path) -> list[Path]:
    from zopa.report.charts import export_session, save_figure, write_atomic

    folder = path.with_name(f"{path.stem}_files")
    written: list[Path] = []
    images: dict[str, str | None] = {"frontier_image": None, "timeline_image": None}
    figures = [
        (key, fig, stem)
        for key, fig, stem in (
            ("frontier_image", report.frontier_figure, "frontier"),
            ("timeline_image", report.timeline_figure, "timeline"),
        )
        if fig is not None
    ]
    with export_session():
        for key, fig, stem in figures:
            image = save_figure(fig, folder / f"{stem}{IMAGE_FORMAT}")
            written.append(image)
            images[key] = f"{folder.name}/{image.name}"
    text = environment(html=False).get_template("report.md.j2").render(**context(report), **images)
    write_atomic(path, text.encode("utf-8"))
    return [path, *written]
