"""The web app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

`make test` installs Chromium when it is missing (`make system-deps`); these
tests are never skipped.  Screenshots go to artifacts/screenshots/.  The
``browser``, ``page`` (desktop) and ``phone`` (390 px) fixtures are in
``tests/conftest.py``, the helpers in ``tests/browser.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import DESKTOP, PHONE, assert_fits, checked_page, shot
from tests.webserver import DATA, running_server

pytestmark = pytest.mark.xdist_group("browser")  # one process runs them: one browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


def test_board_with_draft_picker_and_date_slider(page: Page, base: str) -> None:
    page.goto(f"{base}/s/ukraine-2025/board")
    expect(page.locator("#verdict")).to_contain_text("No deal is possible")
    expect(page.locator("#board tbody tr")).to_have_count(28)
    expect(page.locator(".badge.blocking").first).to_be_visible()
    shot(page, "board")
    page.select_option("#draft-picker", "us-28-point")
    page.wait_for_url(re.compile(r"draft=us-28-point"))
    expect(page.locator("#verdict")).to_contain_text("as of 2025-11-20")
    slider = page.locator("#as-of-slider")
    slider.focus()
    slider.press("End")  # the last date: input and change events, as a person would
    page.wait_for_url(re.compile(r"as_of=2026-"))
    expect(page.locator("#as-of-label")).to_contain_text("2026-")


def test_threshold_slider_changes_the_conflicts(page: Page, base: str) -> None:
    page.goto(f"{base}/s/example/whatif")
    expect(page.locator("#whatif-verdict")).to_contain_text("No deal is possible")
    expect(page.locator(".conflict-item")).to_have_count(1)
    slider = page.locator("#th-b-army")
    slider.focus()
    for _ in range(4):  # 600,000 -> 800,000 in steps of 50,000
        slider.press("ArrowRight")
    expect(page.locator("#whatif-verdict")).to_contain_text("A deal is possible")
    expect(page.locator(".conflict-item")).to_have_count(0)
    expect(page.locator("#whatif-departures")).to_contain_text("army_cap <= 800000")
    expect(page.locator("#solutions")).to_be_visible()
    assert "b-army" in page.url  # the what-if is in the address: shareable
    shot(page, "whatif-threshold")
    # dropping a red line with one click, from the "why no deal" page
    page.goto(f"{base}/s/example/why")
    page.locator("a.whatif-drop").first.click()
    expect(page.locator("#whatif-verdict")).to_contain_text("A deal is possible")
    expect(page.locator("#whatif-departures")).to_contain_text("drops red line a-army")


def test_frontier_chart(page: Page, base: str) -> None:
    page.goto(f"{base}/s/example/space")
    expect(page.locator("#space-empty")).to_be_visible()  # no deal: the space is empty
    page.locator("#drop-conflicting").click()
    chart = page.locator("#chart.rendered")
    expect(chart).to_be_visible()
    points = page.evaluate("document.getElementById('chart').data[0].x.length")
    assert points > 0
    names = page.evaluate("document.getElementById('chart').data.map(t => t.name)")
    assert {"draft", "utilitarian", "egalitarian", "nash", "kalai_smorodinsky"} <= set(names)
    expect(page.locator(".departures")).to_contain_text("drops red line")
    shot(page, "deal-space")


def test_edit_error_inline_then_save_and_reload(page: Page, base: str) -> None:
    page.goto(f"{base}/s/example/edit")
    expect(page.locator("#valid")).to_be_visible()
    good = (DATA / "example.yaml").read_text()
    bad = good.replace('rule: "army_cap <= 600000"', 'rule: "army_cap <= lots"')
    line = next(k for k, t in enumerate(bad.splitlines(), 1) if "army_cap <= lots" in t)
    page.fill("#editor", bad)
    error = page.locator(f"li.diagnostic[data-line='{line}']")
    expect(error).to_contain_text("expected a number")
    expect(page.locator(f"#gutter span.diag[data-line='{line}']")).to_have_count(1)
    shot(page, "edit-inline-error")
    page.click("#save")
    expect(page.locator("#save-status")).to_contain_text("your text is kept as draft")
    page.reload()
    expect(page.locator("#newer-draft")).to_be_visible()  # the invalid text is not lost
    fixed = good.replace("Two parties, three issues", "Edited in the browser")
    page.fill("#editor", fixed)
    expect(page.locator("#valid")).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved.")
    page.reload()
    assert page.input_value("#editor") == fixed
    page.goto(f"{base}/s/example/board")
    expect(page.locator("h1")).to_have_text("Edited in the browser")


def test_background_job_with_progress(page: Page, base: str) -> None:
    page.goto(f"{base}/s/example/jobs")
    page.click("#start-job")
    expect(page.locator("#job-message")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#job-result")).to_contain_text('"scenario": "example"')
    shot(page, "job-done")


def test_simulation_job_draws_its_chart(page: Page, base: str) -> None:
    page.goto(f"{base}/s/example/jobs?kind=simulate&as_of=2025-11-19")
    page.fill("input.strategy[data-party='a']", "boulware")
    page.fill("input[name=rounds]", "40")
    page.click("#start-job")
    expect(page.locator("#job-message")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#job-summary")).to_contain_text("Outcome:")
    expect(page.locator("#job-chart.rendered")).to_be_visible()
    shot(page, "simulation")


def test_montecarlo_job_marks_the_robust_package(page: Page, base: str) -> None:
    page.goto(f"{base}/s/example/jobs?kind=montecarlo&as_of=2025-11-19")
    page.fill("input[name=samples]", "200")
    page.click("#start-job")
    expect(page.locator("#job-message")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#job-summary")).to_contain_text("P(deal) = 1.000")
    expect(page.locator("#job-chart.rendered")).to_be_visible()
    shot(page, "montecarlo")
    page.goto(f"{base}/s/example/space?as_of=2025-11-19")
    expect(page.locator("#chart.rendered")).to_be_visible()
    names = page.evaluate("document.getElementById('chart').data.map(t => t.name)")
    assert "robust package" in names


def test_stability_graph_of_the_standoff(page: Page, base: str, phone: Page) -> None:
    page.goto(f"{base}/s/ukraine-2025/stability", timeout=180_000)
    expect(page.locator("#stability-words")).to_contain_text("Holding firm")
    nodes = page.locator("#stability-graph .node")
    assert nodes.count() >= 3
    expect(page.locator("#stability-graph .node.start")).to_have_count(1)
    assert page.locator("#stability-graph .node.nash").count() >= 1  # equilibria are marked
    assert page.locator("#stability-graph path.move").count() >= 1  # a way out of the standoff
    assert page.locator("#stability-states li").count() == nodes.count()
    shot(page, "stability")
    phone.goto(f"{base}/s/ukraine-2025/stability", timeout=180_000)
    expect(phone.locator("#stability-graph")).to_be_visible()
    assert_fits(phone)  # no sideways page at 390 px
    box = phone.locator("#stability-graph-box")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # the graph scrolls in its box
    shot(phone, "stability-390")
    page.goto(f"{base}/s/example/stability")  # another outcome rule, on a small scenario
    page.select_option("#outcome-picker", "utilitarian")
    page.locator("#stability-form button").click()
    page.wait_for_url(re.compile(r"outcome=utilitarian"))
    expect(page.locator("#stability-words")).to_contain_text("utilitarian package")


def test_bridges_view_and_trying_a_formula(page: Page, base: str) -> None:
    page.goto(f"{base}/s/valley/bridges")
    expect(page.locator("#bridges-listed")).to_contain_text("No deal on the listed options")
    expect(page.locator("article.conflict")).to_have_count(2)
    expect(page.locator("li.bridge")).to_have_count(7)
    expect(page.locator("#bridges-combined")).to_contain_text("a deal is possible")
    expect(page.locator("#bridge-solutions td.new-formula").first).to_be_visible()
    shot(page, "bridges")
    # the spring talks: recognition cannot be bridged
    slider = page.locator("#as-of-slider")
    slider.focus()
    slider.press("Home")
    page.wait_for_url(re.compile(r"as_of=2025-05-01"))
    expect(page.locator("p.unbridgeable")).to_have_count(1)
    expect(page.locator("#bridges-combined")).to_contain_text("no deal is possible")
    # try a new formula for the dam: put on the table, the dam's conflict is gone
    page.goto(f"{base}/s/valley/bridges")
    page.locator("li.bridge[data-issue='dam'] a.try-formula").first.click()
    expect(page.locator("#whatif-departures")).to_contain_text("a new formula for The dam")
    expect(page.locator(".conflict-item")).to_have_count(1)
    assert "formulas" in page.url
    # the formula stays on the table while other controls change ...
    page.locator("input.rl[data-id='north-admin']").uncheck()
    expect(page.locator("#whatif-verdict")).to_contain_text("A deal is possible")
    expect(page.locator("#whatif-departures")).to_contain_text("a new formula for The dam")
    # ... and goes with the reset
    page.click("#reset-whatif")
    expect(page.locator("#whatif-departures")).to_contain_text("The sourced scenario")


def test_bridges_view_at_390_px(phone: Page, base: str) -> None:
    phone.goto(f"{base}/s/valley/bridges")
    expect(phone.locator("li.bridge").first).to_be_visible()
    assert_fits(phone, "li.bridge")  # nothing but the solutions table (which scrolls) is wider
    shot(phone, "bridges-390")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_forecast_page_tables_charts_and_ranges(
    browser: Browser, base: str, viewport: dict[str, int]
) -> None:
    width = viewport["width"]
    with checked_page(browser, viewport) as page:  # offline, no script error
        page.goto(f"{base}/s/ukraine-2025/forecast")
        section = page.locator("#forecast-army_cap")
        rows = section.locator("table.forecast-models tbody tr")
        expect(rows).to_have_count(3)
        for model in ("compromise", "median", "bdm"):
            expect(section.locator(f"tr[data-model={model}] td").first).not_to_be_empty()
        # the expected-utility range is a range, not one number
        expect(section.locator("tr[data-model=bdm] td.range")).to_contain_text(" to ")
        expect(section.locator(".model-notes dd")).to_have_count(3)
        expect(section.locator("table.forecast-actors tbody tr")).to_have_count(4)
        expect(section.locator("table.forecast-readings tbody tr")).to_have_count(5)
        for chart in (".rounds-chart", ".spread-chart"):
            expect(section.locator(f"{chart}.rendered")).to_be_visible()
        names = page.evaluate(
            "document.querySelector('#forecast-army_cap .rounds-chart').data.map(t => t.name)"
        )
        assert {"ukraine", "russia", "weighted median (the forecast)"} <= set(names)
        bars = page.evaluate(
            "document.querySelector('#forecast-army_cap .spread-chart').data.map(t => t.name)"
        )
        assert bars == ["Compromise", "Weighted median", "Expected utility"]
        # usable at this width: nothing makes the page itself scroll sideways
        parts = ("#forecast-army_cap .rounds-chart", "#forecast-army_cap table.forecast-models")
        assert_fits(page, *parts)
        shot(page, f"forecast-{width}")
