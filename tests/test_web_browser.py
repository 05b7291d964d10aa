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
    expect(page.locator("#whatif-departures")).to_contain_text(
        "Ceiling on armed forces at most 800,000 personnel"
    )
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
    assert "robust package (accepted in 100.0 % of 200 samples)" in names
    expect(page.locator("#space-robust")).to_contain_text("100.0 % of 200")
    # a date without any deal: the marker says that no sample accepted it
    body = {"kind": "montecarlo", "scenario": "example", "montecarlo": {"samples": 50}}
    job = page.request.post(f"{base}/api/jobs", data=body).json()["id"]
    for _ in range(600):
        if page.request.get(f"{base}/api/jobs/{job}").json()["state"] != "running":
            break
        page.wait_for_timeout(100)
    page.goto(f"{base}/s/example/space")
    expect(page.locator("#space-empty")).to_be_visible()
    names = page.evaluate("document.getElementById('chart').data.map(t => t.name)")
    assert "robust package (accepted in 0.0 % of 50 samples)" in names
    expect(page.locator("#space-robust")).to_contain_text("No sample accepted any package")


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


# --------------------------------------------------------------------------- every page, any width

#: each view of the built-in scenario, and the controls that must be usable on it
VIEW_CONTROLS = {
    "": ["h1"],  # the scenario list
    "board": ["#draft-picker", "#as-of-slider", "#board"],
    "why": ["h1"],
    "bridges": ["h1"],
    "whatif": ["#draft-picker", "input.rl", "#reset-whatif"],
    "space": ["#space-form select", "#chart"],
    "timeline": ["#timeline"],
    "forecast": ["h1"],
    "fair": ["#fair-a", "#fair-b"],
    "jobs": ["#start-job"],
    "edit": ["#editor", "#save"],
}


@pytest.mark.parametrize("device", ["page", "phone"])
@pytest.mark.parametrize("view", list(VIEW_CONTROLS))
def test_every_page_fits_the_window(
    view: str, device: str, base: str, request: pytest.FixtureRequest
) -> None:
    """At 1280 and at 390 px (a phone) no page scrolls sideways, and its controls are
    visible inside the window (the layout rule at the top of app.css)."""
    page = request.getfixturevalue(device)
    page.goto(f"{base}/s/ukraine-2025/{view}" if view else f"{base}/")
    assert_fits(page, *VIEW_CONTROLS[view])


def test_favicon(page: Page, base: str) -> None:
    answers: dict[str, int] = {}
    page.on("response", lambda r: answers.update({r.url: r.status}))
    page.goto(f"{base}/s/example/board")
    icons = page.locator("link[rel=icon]")
    expect(icons).to_have_count(2)
    for href in icons.evaluate_all("links => links.map(l => l.href)"):
        assert page.request.get(href).status == 200, href
    assert page.request.get(f"{base}/favicon.ico").headers["content-type"] == "image/x-icon"
    assert all(status < 400 for status in answers.values()), answers


# --------------------------------------------------------------------------- fair division


def test_fair_division_page(page: Page, base: str) -> None:
    page.goto(f"{base}/s/ukraine-2025/fair")
    # four parties and none chosen: the page asks (zopa fair would refuse)
    expect(page.locator("#fair-choose")).to_contain_text("Choose two of the 4 parties")
    expect(page.locator("#fair-explained")).to_contain_text("envy-free, equitable and efficient")
    page.select_option("#fair-a", "ukraine")
    page.wait_for_url(re.compile(r"a=ukraine"))
    page.select_option("#fair-b", "russia")
    page.wait_for_url(re.compile(r"b=russia"))
    expect(page.locator("#fair-table tbody tr")).to_have_count(28)
    expect(page.locator("#fair-chart.rendered")).to_be_visible()
    names = page.evaluate("document.getElementById('fair-chart').data.map(t => t.name)")
    assert names == ["Ukraine", "Russia"]
    assert page.locator("pre").count() == 0  # no terminal text on the page
    # the numbers are those of the API (and so of `zopa fair --json`)
    doc = page.request.post(
        f"{base}/api/fair", data={"scenario": "ukraine-2025", "parties": ["ukraine", "russia"]}
    ).json()
    total = doc["points_float"]["ukraine"]
    expect(page.locator("#fair-summary")).to_contain_text(f"ends with {total:.1f} of its own 100")
    if doc["split"]:
        split = page.locator(f"#fair-table tr.split[data-issue='{doc['split']}']")
        expect(split).to_have_count(1)
        share = doc["allocation_float"][doc["split"]]["ukraine"] * 100
        expect(page.locator("#fair-summary")).to_contain_text(f"{share:.1f} %")
    for issue, shares in doc["allocation_float"].items():
        if shares["ukraine"] in (0, 1):
            cell = page.locator(f"#fair-table tr[data-issue='{issue}'] td").nth(3)
            expect(cell).to_have_text(f"{shares['ukraine'] * 100:.0f} %")
    page.locator("#fair-steps summary").click()
    expect(page.locator("#fair-steps")).to_contain_text("goes to the party that weights it more")
    shot(page, "fair")


def test_fair_division_page_on_a_phone(phone: Page, base: str) -> None:
    phone.goto(f"{base}/s/ukraine-2025/fair?a=ukraine&b=russia")
    expect(phone.locator("#fair-chart.rendered")).to_be_visible()
    assert_fits(phone, "#fair-a", "#fair-b", "#fair-summary", "#fair-chart", "#fair-table")
    shot(phone, "fair-390")


# --------------------------------------------------------------------------- deal space


def test_deal_space_tooltip_is_short_and_a_click_shows_the_package(page: Page, base: str) -> None:
    """On the built-in scenario's hypothetical (every conflicting red line set aside) a
    tooltip gives each party's utility and a few changed points, never the 28 points;
    a click lists the whole package under the chart."""
    from zopa.report.charts import HOVER_CHANGES

    page.goto(f"{base}/s/ukraine-2025/space")
    page.locator("#drop-conflicting").click()
    expect(page.locator("#chart.rendered")).to_be_visible(timeout=120_000)
    texts = page.evaluate("document.getElementById('chart').data[0].text")
    assert len(texts) > 10
    limit = 4 + 1 + HOVER_CHANGES + 2  # utilities, a heading, the changes, "and N more", a hint
    for text in texts:
        lines = text.split("<br>")
        assert len(lines) <= limit, lines
        assert lines[0].startswith("Ukraine: ") and lines[3].startswith("European states")
    assert any("Changed from the point to the left:" in t for t in texts)
    chart = page.locator("#chart")
    chart.scroll_into_view_if_needed()
    point = chart.locator(".scatterlayer .trace").first.locator(".point").nth(3)
    box = point.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#space-package")).to_be_visible()
    expect(page.locator("#space-package tbody tr")).to_have_count(28)
    expect(page.locator("#space-package h2")).to_contain_text("a point of the frontier")
    expect(page.locator("#space-shared summary")).to_contain_text("the same in every package")
    shot(page, "deal-space-package")


# --------------------------------------------------------------------------- what-if


def test_whatif_shows_red_lines_by_their_words_and_the_rule_on_demand(
    page: Page, base: str
) -> None:
    page.goto(f"{base}/s/example/whatif")
    item = page.locator("li.red-line[data-id='a-army']")
    expect(item.locator(".red-line-text")).to_have_text(
        "Party A will not accept a ceiling below 800,000"
    )
    rule = item.locator("details.rule code").last
    expect(rule).to_be_hidden()  # the rule is there on demand
    item.locator("details.rule summary").click()
    expect(rule).to_be_visible()
    expect(rule).to_have_text("army_cap >= 800000")
