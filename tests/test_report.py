"""zopa report (HTML, Markdown) and --plot, run as commands: parsed, checked against --json."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.cli import zopa as run_zopa

DATA = Path(__file__).parent / "data"
EXAMPLE = str(DATA / "example.yaml")
PNG = b"\x89PNG\r\n\x1a\n"


def zopa(*args: str) -> subprocess.CompletedProcess[str]:
    done = run_zopa(*args)
    assert done.returncode in (0, 3), done.stderr
    return done


class Page(HTMLParser):
    """Every element's attributes, the text of each element with an id, and script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str | None] = []
        self.text: dict[str, str] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self.cells: list[tuple[dict[str, str | None], str]] = []
        self._cell: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "script":
            self._script = a
            self.scripts.append((a, ""))
        if tag == "td":
            self._cell = a
            self.cells.append((a, ""))
        self.stack.append(a.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()
        if tag == "script":
            self._script = None
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        for ident in self.stack:
            if ident:
                self.text[ident] = self.text.get(ident, "") + data
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        if self._cell is not None:
            attrs, body = self.cells[-1]
            self.cells[-1] = (attrs, body + data)


@pytest.fixture(scope="module")
def analysis() -> dict:
    return json.loads(zopa("analyze", EXAMPLE, "--json").stdout)


@pytest.fixture(scope="module")
def html_report(tmp_path_factory: pytest.TempPathFactory) -> Page:
    path = tmp_path_factory.mktemp("report") / "report.html"
    zopa("report", EXAMPLE, "-o", str(path))
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert not list(path.parent.glob("*.tmp"))
    return page


def test_html_has_every_section_and_is_self_contained(html_report: Page) -> None:
    ids = {a.get("id") for _, a in html_report.elements}
    assert {"summary", "board", "conflicts", "solutions", "frontier", "timeline", "sources"} <= ids
    assert {"frontier-chart", "timeline-chart"} <= ids  # both charts embedded
    for tag, a in html_report.elements:
        for attr in ("src", "href"):
            value = a.get(attr) or ""
            if tag != "a":  # links to sources may point out; nothing is loaded from anywhere
                assert not value.startswith(("http:", "https:", "//")), (tag, value)
    bodies = [body for _, body in html_report.scripts]
    assert any("Plotly.newPlot" in b and "frontier-chart" in b for b in bodies)
    assert max(len(b) for b in bodies) > 1_000_000  # plotly.js itself, inlined


def test_html_numbers_match_analyze_json(html_report: Page, analysis: dict) -> None:
    embedded = next(b for a, b in html_report.scripts if a.get("id") == "zopa-analysis")
    assert json.loads(embedded) == analysis
    assert html_report.text["verdict"].startswith(
        "No deal" if not analysis["feasible"] else "A deal"
    )
    solutions = (
        analysis["solutions"]
        if analysis["feasible"]
        else analysis["if_conflicting_red_lines_set_aside"][0]["solutions"]
    )
    shown = {}
    for a, text in html_report.cells:
        if a.get("data-concept"):
            shown.setdefault(a["data-concept"], []).append(text)
    assert set(shown) == set(solutions)
    for concept, cells in shown.items():
        expected = [f"{u:.3f}" for u in solutions[concept]["utilities"].values()]
        assert cells == expected
    concessions = html_report.text["concessions"]
    for concession in analysis["blockers"]["concessions"]:
        for ident in concession:
            assert ident in concessions
    links = [a.get("href") for tag, a in html_report.elements if tag == "a"]
    assert "https://example.org/report" in links  # the source, linked


def test_feasible_report_shows_the_real_solutions(tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    zopa("report", EXAMPLE, "--as-of", "2025-11-19", "-o", str(path))
    expected = json.loads(zopa("analyze", EXAMPLE, "--as-of", "2025-11-19", "--json").stdout)
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    assert expected["feasible"] is True
    assert page.text["verdict"].startswith("A deal is possible")
    assert "hypothetical" not in page.text["solutions"]
    nash = [t for a, t in page.cells if a.get("data-concept") == "nash"]
    assert nash == [f"{u:.3f}" for u in expected["solutions"]["nash"]["utilities"].values()]


def test_uncertain_scenario_report_embeds_the_point_estimate_key(tmp_path: Path) -> None:
    """Like `zopa analyze --json`, the embedded document says the numbers are means."""
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    scenario = tmp_path / "uncertain.yaml"
    scenario.write_text(
        text.replace("weights: {territory: 3,", "weights: {territory: {uniform: [2, 4]},", 1),
        encoding="utf-8",
    )
    path = tmp_path / "r.html"
    assert zopa("report", str(scenario), "-o", str(path)).returncode == 0
    expected = json.loads(zopa("analyze", str(scenario), "--json").stdout)
    assert expected["point_estimate"] == "means; firmness >= 0.5"
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    embedded = next(b for a, b in page.scripts if a.get("id") == "zopa-analysis")
    assert json.loads(embedded) == expected


def test_markdown_with_png_charts_beside_it(tmp_path: Path, analysis: dict) -> None:
    path = tmp_path / "out" / "report.md"
    zopa("report", EXAMPLE, "-o", str(path))
    text = path.read_text(encoding="utf-8")
    for name in ("frontier", "timeline"):
        image = path.parent / "report_files" / f"{name}.png"
        assert image.read_bytes().startswith(PNG) and image.stat().st_size > 5_000
        assert f"](report_files/{name}.png)" in text
    for heading in ("## Summary", "## Board", "## Conflicts", "## Bargaining", "## Sources"):
        assert heading in text
    solutions = analysis["if_conflicting_red_lines_set_aside"][0]["solutions"]
    row = next(line for line in text.splitlines() if line.startswith("| utility of Party A |"))
    assert row.split("|")[2:-1] == [f" {s['utilities']['a']:.3f} " for s in solutions.values()]


def test_report_rejects_unknown_format(tmp_path: Path) -> None:
    done = run_zopa("report", EXAMPLE, "-o", str(tmp_path / "r.pdf"))
    assert done.returncode == 2 and ".html or .md" in done.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_plot_options_use_the_same_charts(tmp_path: Path) -> None:
    frontier = tmp_path / "frontier.html"
    done = zopa("frontier", EXAMPLE, "--as-of", "2025-11-19", "--json", "--plot", str(frontier))
    points = json.loads(done.stdout)["points"]
    html = frontier.read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    assert "Pareto frontier" in html and len(points) > 0
    assert not [a for tag, a in page.elements if tag == "script" and a.get("src")]  # inlined
    timeline = tmp_path / "timeline.svg"
    zopa("timeline", EXAMPLE, "--plot", str(timeline))
    assert timeline.read_text(encoding="utf-8").lstrip().startswith(("<svg", "<?xml"))


def test_static_export_tries_again_when_kaleido_calls_its_page_too_early() -> None:
    """Under load kaleido may call into its page before the page's scripts have loaded;
    that race is tried again (twice), any other failure is reported at once."""
    from zopa.report.charts import static_image

    class Racy:
        def __init__(self, failures: int, message: str) -> None:
            self.failures, self.message, self.calls = failures, message, 0

        def to_image(self, **_: object) -> bytes:
            self.calls += 1
            if self.calls <= self.failures:
                raise RuntimeError(self.message)
            return PNG

    race = "JavascriptError: ReferenceError: kaleido_scopes is not defined"
    fig = Racy(2, race)
    assert static_image(fig, "png") == PNG and fig.calls == 3  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="kaleido_scopes"):
        static_image(Racy(3, race), "png")  # type: ignore[arg-type]
    other = Racy(1, "no browser found")
    with pytest.raises(RuntimeError, match="needs Chromium"):
        static_image(other, "png")  # type: ignore[arg-type]
    assert other.calls == 1


def test_static_export_keeps_the_browser_drivers_logs_off_stderr(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """kaleido's browser driver logs a message it could not decode, with its traceback
    (seen once under load while the chart was written all the same): never on stderr."""
    import logging

    from zopa.report.charts import static_image

    class Noisy:
        def to_image(self, **_: object) -> bytes:
            try:
                raise ValueError("Extra data: line 1 column 5")
            except ValueError:
                logging.getLogger("choreographer.channels.pipe").exception(
                    "JSONError decoding message. Ignoring"
                )
            return PNG

    with caplog.at_level(logging.DEBUG):  # what any handler (stderr's too) would be given
        assert static_image(Noisy(), "png") == PNG  # type: ignore[arg-type]
    assert not [r for r in caplog.records if r.name.startswith("choreographer")]


def test_quieting_the_browser_driver_keeps_its_own_logger_class() -> None:
    """The driver's loggers call `debug2`, a method of the logger class it installs on
    import: quieting its logger before that import made a plain one, and a chart export
    then failed with "'Logger' object has no attribute 'debug2'" (seen in CI)."""
    code = (
        "import logging\n"
        "from zopa.report.charts import _use_system_chromium\n"
        "_use_system_chromium()\n"
        "assert hasattr(logging.getLogger('choreographer'), 'debug2')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
