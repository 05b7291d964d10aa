"""Write a report (``zopa report``) as self-contained HTML or as Markdown with PNG charts.

:func:`write_report` builds the report (:func:`zopa.report.build.gather`) and
hands it to the writer for the file's suffix: :mod:`zopa.report.html` or
:mod:`zopa.report.markdown`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zopa.model import Draft
from zopa.problem import Problem
from zopa.report.build import gather


def write_report(
    problem: Problem,
    draft: Draft | None,
    path: Path,
    time_limit: float | None = None,
    extra: Mapping[str, Any] | None = None,
) -> tuple[list[Path], bool]:
    """Write the report to ``path`` (.html or .md); return every file written, and whether
    every search finished (False: a limit stopped one, and the report says so).

    ``extra`` keys join the embedded JSON document (the CLI adds ``point_estimate``).
    """
    report = gather(problem, draft, time_limit)
    if extra:
        report = dataclasses.replace(report, document={**report.document, **extra})
    complete = report.complete
    if path.suffix.lower() == ".md":
        from zopa.report.markdown import write_markdown

        return write_markdown(report, path), complete
    from zopa.report.html import write_html

    return write_html(report, path), complete
