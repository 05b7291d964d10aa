"""A Markdown report with its charts as PNG files in a folder beside it.

``report.md`` gets ``report_files/frontier.png`` and ``timeline.png``
(kaleido with the system Chromium, through :func:`zopa.report.charts.save_figure`);
links are relative, so the folder and the file travel together.  The image
folder is written whole and swapped in (:func:`zopa.fileio.replace_folder`), then
the Markdown file atomically (:func:`zopa.fileio.write_atomic`).
"""

from __future__ import annotations

from pathlib import Path

from zopa.report.build import Report
from zopa.report.templating import context, environment

IMAGE_FORMAT = ".png"


def write_markdown(report: Report, path: Path) -> list[Path]:
    from zopa.fileio import replace_folder, write_atomic
    from zopa.report.charts import export_session, figure_bytes

    folder = path.with_name(f"{path.stem}_files")
    images: dict[str, str | None] = {"frontier_image": None, "timeline_image": None}
    figures = [
        (key, fig, stem)
        for key, fig, stem in (
            ("frontier_image", report.frontier_figure, "frontier"),
            ("timeline_image", report.timeline_figure, "timeline"),
        )
        if fig is not None
    ]
    files: dict[str, bytes] = {}
    with export_session():
        for key, fig, stem in figures:
            name = f"{stem}{IMAGE_FORMAT}"
            files[name] = figure_bytes(fig, IMAGE_FORMAT)
            images[key] = f"{folder.name}/{name}"
    if files:
        replace_folder(folder, files)
    text = environment(html=False).get_template("report.md.j2").render(**context(report), **images)
    write_atomic(path, text)
    return [path, *(folder / name for name in files)]
