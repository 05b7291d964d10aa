"""The JSON API through real HTTP: same numbers as the CLI, what-if, saving, limits, jobs."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path

import httpx
import pytest

from tests.cli import zopa
from tests.webserver import DATA, running_server
from zopa.model import POINT_ESTIMATE

EXAMPLE = DATA / "example.yaml"


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def base(tmp_module: Path) -> Iterator[str]:
    with running_server(tmp_module) as url:
        yield url


@pytest.fixture(scope="module")
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as client:
        yield client


def cli_json(*args: str) -> dict:
    done = zopa(*args, "--json")
    assert done.returncode in (0, 3), done.stderr
    return json.loads(done.stdout)


def without_departures(doc: dict) -> dict:
    assert "departures" in doc
    return {k: v for k, v in doc.items() if k != "departures"}


# --------------------------------------------------------------------------- same as the CLI


@pytest.mark.parametrize(
    ("endpoint", "command"),
    [
        ("blockers", ["blockers"]),
        ("solve", ["solve"]),
        ("frontier", ["frontier"]),
        ("amend", ["amend"]),
        ("timeline", ["timeline"]),
        ("analyze", ["analyze"]),
    ],
)
def test_endpoints_return_what_the_cli_prints(
    http: httpx.Client, endpoint: str, command: list
) -> None:
    r = http.post(f"/api/{endpoint}", json={"scenario": "example"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["departures"] == []
    assert without_departures(doc) == cli_json(*command, str(EXAMPLE))


def test_board_and_draft_and_date(http: httpx.Client) -> None:
    r = http.post(
        "/api/board", json={"scenario": "example", "draft": "first-draft", "as_of": "2025-11-19"}
    )
    assert r.status_code == 200
    doc = r.json()
    assert doc["draft"] == "first-draft" and doc["as_of"] == "2025-11-19"
    # a-army has `since: 2025-11-20`: not in force the day before
    assert "a-army" not in {x["id"] for x in doc["red_lines"]}
    later = http.post("/api/board", json={"scenario": "example", "as_of": "2025-11-20"}).json()
    assert "a-army" in {x["id"] for x in later["red_lines"]}


def test_scenarios_lists_opened_and_builtin(http: httpx.Client) -> None:
    names = {s["name"]: s["kind"] for s in http.get("/api/scenarios").json()["scenarios"]}
    assert names["example"] == "opened" and names["ukraine-2025"] == "builtin"


# --------------------------------------------------------------------------- the built-in scenario
# ukraine-2025 has distributions (weights such as `uniform: [14, 22]`): the CLI analyses it at
# its means and says so with a `point_estimate` key; the web app must do both the same way.


def test_fair_on_the_builtin_equals_the_cli(http: httpx.Client) -> None:
    body = {"scenario": "ukraine-2025", "parties": ["ukraine", "russia"]}
    r = http.post("/api/fair", json=body)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["point_estimate"] == POINT_ESTIMATE
    expected = cli_json("fair", "ukraine-2025", "--parties", "ukraine,russia")
    assert without_departures(doc) == expected
    # four parties and none named: both shells refuse, with the same words
    default = http.post("/api/fair", json={"scenario": "ukraine-2025"})
    assert default.status_code == 422 and default.json()["error"] == "invalid_request"
    cli = zopa("fair", "ukraine-2025")
    assert cli.returncode == 2
    assert cli.stderr == f"zopa: error: --{default.json()['message']}\n"
    assert "between two parties" in cli.stderr


def test_fair_and_forecast_pages_on_the_builtin(http: httpx.Client) -> None:
    fair = http.get("/s/ukraine-2025/fair", params={"a": "ukraine", "b": "europe"})
    assert fair.status_code == 200, fair.text
    assert 'id="fair-table"' in fair.text and 'id="point-estimate"' in fair.text
    forecast = http.get("/s/ukraine-2025/forecast")
    assert forecast.status_code == 200 and 'id="forecasts"' in forecast.text
    assert escape(POINT_ESTIMATE) in forecast.text  # the note quotes the CLI's key
    plain = http.get("/s/example/fair")  # a scenario without distributions: no note
    assert plain.status_code == 200 and 'id="point-estimate"' not in plain.text


def test_the_fair_page_names_parties_and_points_not_ids(http: httpx.Client) -> None:
    """The summary, the table and the steps say display names and titles; the ids stay
    in the form's values and in the command line shown for the CLI."""
    from zopa.load import load_scenario

    scenario = load_scenario()
    page = http.get("/s/ukraine-2025/fair", params={"a": "ukraine", "b": "europe"}).text
    parts = [
        re.search(r'<p [^>]*id="fair-summary".*?</p>', page, re.S),
        re.search(r'<table [^>]*id="fair-table".*?</table>', page, re.S),
        re.search(r'<details id="fair-steps".*?</details>', page, re.S),
    ]
    assert all(parts)
    words = " ".join(re.sub(r"<[^>]+>", " ", m.group(0)) for m in parts if m)
    said = " ".join(words.replace("&#39;", "'").split())
    for party in ("ukraine", "europe"):
        assert scenario.party(party).label in said, party
        assert not re.search(rf"(?<![\w-]){party}(?![\w-])", said), party
    for issue in scenario.issues:
        assert " ".join((issue.title or issue.id).split()) in said, issue.id
        assert "_" not in issue.id or issue.id not in said, issue.id


@pytest.mark.parametrize(
    "args",
    [
        {},  # army_cap is the only numeric issue, so it may be left out
        {"issue": "army_cap", "model": "median"},
        {"issue": "army_cap", "model": "bdm", "rounds": 3, "q": 0.75},
        {"model": "bdm", "variant": "zopa-v1", "samples": 30, "seed": 7},
        {"model": "median", "sensitivity": False},
    ],
)
def test_forecast_on_the_builtin_equals_the_cli(http: httpx.Client, args: dict) -> None:
    r = http.post("/api/forecast", json={"scenario": "ukraine-2025", **args})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["point_estimate"] == POINT_ESTIMATE
    assert ("sensitivity" in doc) == args.get("sensitivity", True)
    options = ["--no-sensitivity" if k == "sensitivity" else f"--{k}={v}" for k, v in args.items()]
    assert without_departures(doc) == cli_json("forecast", "ukraine-2025", *options)


def test_forecast_checks_its_options_like_the_cli(http: httpx.Client) -> None:
    example = {"scenario": "example", "issue": "army_cap", "model": "bdm"}
    assert without_departures(http.post("/api/forecast", json=example).json()) == cli_json(
        "forecast", str(EXAMPLE), "--issue", "army_cap", "--model", "bdm"
    )
    for body, code in [
        ({"scenario": "ukraine-2025", "issue": "territory"}, "unknown_issue"),  # categorical
        ({"scenario": "ukraine-2025", "issue": "nope"}, "unknown_issue"),
        ({"scenario": "ukraine-2025", "issue": "army_cap", "model": "nope"}, "invalid_request"),
        ({"scenario": "ukraine-2025", "issue": "army_cap", "q": 2}, "invalid_request"),
        ({"scenario": "ukraine-2025", "issue": "army_cap", "rounds": 0}, "invalid_request"),
        ({"scenario": "ukraine-2025", "model": "bdm", "variant": "nope"}, "invalid_request"),
        ({"scenario": "ukraine-2025", "variant": "scholz"}, "invalid_request"),  # not bdm
        ({"scenario": "ukraine-2025", "samples": 0}, "invalid_request"),
        ({"scenario": "ukraine-2025", "seed": -1}, "invalid_request"),
    ]:
        r = http.post("/api/forecast", json=body)
        assert r.status_code == 422 and r.json()["error"] == code, (body, r.text)


def test_all_forecasts_in_one_document(http: httpx.Client) -> None:
    doc = http.post("/api/forecasts", json={"scenario": "ukraine-2025", "rounds": 4}).json()
    assert doc["scenario"] == "ukraine-2025" and doc["point_estimate"] == POINT_ESTIMATE
    army = next(f for f in doc["forecasts"] if f["issue"] == "army_cap")
    one = http.post(
        "/api/forecast",
        json={"scenario": "ukraine-2025", "issue": "army_cap", "model": "bdm", "rounds": 4},
    ).json()
    assert army["bdm"]["forecast"] == one["forecast"] and army["bdm"]["rounds"] == one["rounds"]
    assert army["derived_from_assumptions"] is True and one["derived_from_assumptions"] is True


@pytest.mark.parametrize("endpoint", ["blockers", "solve", "amend", "analyze"])
def test_point_estimate_key_as_in_the_cli(http: httpx.Client, endpoint: str) -> None:
    doc = http.post(f"/api/{endpoint}", json={"scenario": "ukraine-2025"}).json()
    assert doc["point_estimate"] == POINT_ESTIMATE
    assert without_departures(doc) == cli_json(endpoint, "ukraine-2025")
    plain = http.post(f"/api/{endpoint}", json={"scenario": "example"}).json()
    assert "point_estimate" not in plain  # nor does the CLI print it for a certain scenario


def test_point_estimate_key_on_the_board_and_jobs(http: httpx.Client) -> None:
    board = http.post("/api/board", json={"scenario": "ukraine-2025"}).json()
    assert board["point_estimate"] == POINT_ESTIMATE
    assert "point_estimate" not in http.post("/api/board", json={"scenario": "example"}).json()
    job = http.post("/api/jobs", json={"kind": "analyze", "scenario": "ukraine-2025"}).json()
    assert _wait(http, job["id"])["state"] == "done"
    result = http.get(f"/api/jobs/{job['id']}/result").json()
    assert without_departures(result) == cli_json("analyze", "ukraine-2025")


def test_pages_say_they_use_means(http: httpx.Client) -> None:
    for view in ("board", "why", "whatif", "space", "timeline", "jobs"):
        r = http.get(f"/s/ukraine-2025/{view}")
        assert r.status_code == 200, view
        assert 'id="point-estimate"' in r.text and escape(POINT_ESTIMATE) in r.text, view
    assert 'id="point-estimate"' not in http.get("/s/example/board").text


def test_the_board_groups_the_undecided_red_lines_by_party(http: httpx.Client) -> None:
    """As the terminal does: the ids (what --drop takes) under each party's name."""
    doc = cli_json("analyze")
    undecided = [r for r in doc["board"]["red_lines"] if r["status"] == "undetermined"]
    page = " ".join(unescape(http.get("/s/ukraine-2025/board").text).split())
    said = page[page.index("depend on points the draft leaves open: ") :]
    for party in ("ukraine", "russia"):
        ids = ", ".join(sorted(r["id"] for r in undecided if r["party"] == party))
        assert f"{party.capitalize()}: {ids}" in said, party


def test_whatif_has_sliders_for_distributed_weights(http: httpx.Client) -> None:
    page = http.get("/s/ukraine-2025/whatif").text
    for party, issue, mean, shown in [
        ("ukraine", "territory.withdrawal", "10", "uniform 6–14"),  # a part-worth's weight
        ("ukraine", "guarantees", "10", "uniform 6–14"),
        ("russia", "territory.withdrawal", "8", "uniform 4–12"),
        ("russia", "army_cap", "10", "uniform 6–14"),
    ]:
        tag = re.search(rf'<input type="range" class="wt" id="wt-{party}-{issue}"[^>]*>', page)
        assert tag, (party, issue)
        assert f'data-default="{mean}"' in tag.group() and f'value="{mean}"' in tag.group()
        label = re.search(rf'<label for="wt-{party}-{issue}">.*?</label>', page, re.S)
        assert label and f"mean of {shown}" in label.group()
    # the slider's override reaches the analysis and is marked as a departure
    w = json.dumps({"weights": {"ukraine": {"territory.withdrawal": 12}}})
    moved = http.get("/s/ukraine-2025/whatif", params={"w": w}).text
    tag = re.search(
        r'<input type="range" class="wt" id="wt-ukraine-territory.withdrawal"[^>]*>', moved
    )
    assert tag and 'value="12"' in tag.group() and 'data-default="10"' in tag.group()
    weights = {"ukraine": {"territory.withdrawal": 12}}
    body = {"scenario": "ukraine-2025", "overrides": {"weights": weights}}
    doc = http.post("/api/board", json=body).json()
    assert [d["kind"] for d in doc["departures"]] == ["weight"]


# --------------------------------------------------------------------------- what-if


def _edited_file(tmp: Path, old: str, new: str) -> str:
    text = EXAMPLE.read_text()
    assert old in text
    path = tmp / "edited.yaml"
    path.write_text(text.replace(old, new))
    return str(path)


def test_dropping_a_red_line_matches_the_edited_file(http: httpx.Client, tmp_path: Path) -> None:
    r = http.post(
        "/api/blockers", json={"scenario": "example", "overrides": {"drop": ["a-army"]}}
    ).json()
    assert r["feasible"] is True
    assert [d["target"] for d in r["departures"]] == ["a-army"]
    edited = _edited_file(
        tmp_path,
        '  - id: a-army\n    party: a\n    rule: "army_cap >= 800000"\n'
        "    text: Party A will not accept a ceiling below 800,000\n    source: s1\n"
        "    since: 2025-11-20              # optional; until: likewise\n",
        "",
    )
    assert without_departures(r) == cli_json("blockers", edited)


def test_moving_a_threshold_matches_the_edited_file(http: httpx.Client, tmp_path: Path) -> None:
    body = {"scenario": "example", "overrides": {"thresholds": {"b-army": 800000}}}
    r = http.post("/api/solve", json=body).json()
    edited = _edited_file(tmp_path, '"army_cap <= 600000"', '"army_cap <= 800000"')
    assert without_departures(r) == cli_json("solve", edited)
    assert r["departures"][0]["to"] == "army_cap <= 800000"


def test_whatif_returns_the_changed_scenario(http: httpx.Client) -> None:
    body = {"scenario": "example", "overrides": {"reservations": {"a": 0.5}}}
    doc = http.post("/api/whatif", json=body).json()
    assert doc["scenario"]["parties"][0]["reservation"] == 0.5
    assert doc["departures"][0]["kind"] == "reservation"


# --------------------------------------------------------------------------- errors and limits


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"scenario": "nope"}, 404, "not_found"),
        ({"scenario": "Bad Name!"}, 422, "bad_name"),
        ({"scenario": "example", "draft": "nope"}, 422, "unknown_draft"),
        ({"scenario": "example", "overrides": {"drop": ["nope"]}}, 422, "invalid_overrides"),
        ({"scenario": "example", "overrides": {"dorp": []}}, 422, "invalid_request"),
        ({"scenario": "example", "time_limit": 10_000}, 422, "invalid_request"),
        ({"scenario": "example", "as_of": "2025-13-40"}, 422, "invalid_request"),
        ({"scenario": "example", "colour": "red"}, 422, "invalid_request"),
    ],
)
def test_clear_4xx_errors(http: httpx.Client, body: dict, status: int, code: str) -> None:
    r = http.post("/api/blockers", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code and r.json()["message"]


def test_request_body_limit(http: httpx.Client) -> None:
    r = http.post("/api/validate", content=b"x" * (3 * 1024 * 1024))
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"x" * 100_000

    r = http.post("/api/validate", content=chunks())
    assert r.status_code == 413


def test_scenario_size_limit(http: httpx.Client, tmp_module: Path) -> None:
    # between the scenario limit (1 MB) and the body limit (2 MiB): 413, not a schema 422
    for text in ("#" * 1_500_000, "é" * 600_000):  # 1.5 MB; 1.2 MB in UTF-8 (600,000 chars)
        for method, path in (("PUT", "/api/scenarios/huge"), ("POST", "/api/validate")):
            r = http.request(method, path, json={"text": text})
            assert r.status_code == 413, (method, r.text[:200])
            assert r.json()["error"] == "too_large" and "1,000,000" in r.json()["message"]
    assert not (tmp_module / "workspace" / "huge.yaml").exists()
    assert http.get("/api/scenarios/huge").status_code == 404


def test_text_that_is_not_unicode_is_a_4xx(http: httpx.Client) -> None:
    body = b'{"text": "a: \\ud800"}'  # a lone surrogate: valid JSON, not encodable as UTF-8
    headers = {"Content-Type": "application/json"}
    for method, path in (("PUT", "/api/scenarios/lone"), ("POST", "/api/validate")):
        r = http.request(method, path, content=body, headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", r.text


def test_foreign_hosts_and_origins_are_refused(http: httpx.Client) -> None:
    r = http.get("/api/scenarios", headers={"Host": "attacker.example"})
    assert r.status_code == 400 and r.json()["error"] == "bad_host"
    r = http.put(
        "/api/scenarios/x1",
        json={"text": "a: 1"},
        headers={"Origin": "http://attacker.example"},
    )
    assert r.status_code == 403


def test_security_headers_and_no_cdn(http: httpx.Client) -> None:
    r = http.get("/s/example/space")
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    for attr in ("src=", "href="):
        for part in r.text.split(attr)[1:]:
            target = part[1:].split(part[0], 1)[0]
            assert not target.startswith(("http://", "https://", "//")), target


# --------------------------------------------------------------------------- workspace


def test_save_is_versioned_and_never_loses_text(
    http: httpx.Client, tmp_module: Path, tmp_path: Path
) -> None:
    workspace = tmp_module / "workspace"
    text = EXAMPLE.read_text().replace("id: example", "id: mine")
    r = http.put("/api/scenarios/mine", json={"text": text}).json()
    assert r["valid"] and r["saved"] == "scenario" and r["version"] is None
    assert (workspace / "mine.yaml").read_text() == text

    second = text.replace("Two parties, three issues", "Second version")
    r = http.put("/api/scenarios/mine", json={"text": second}).json()
    assert r["valid"] and r["version"].endswith(".yaml")
    kept = http.get(f"/api/scenarios/mine/versions/{r['version']}").json()["text"]
    assert kept == text  # the previous content, kept

    broken = second.replace("range: {min: 400000", "range: {min: 'lots'")
    r = http.put("/api/scenarios/mine", json={"text": broken}).json()
    assert not r["valid"] and r["saved"] == "invalid-draft"
    assert r["diagnostics"] and all(d["line"] >= 1 for d in r["diagnostics"])
    assert (workspace / "mine.yaml").read_text() == second  # the valid file stays
    assert http.get(f"/api/scenarios/mine/versions/{r['version']}").json()["text"] == broken
    info = http.get("/api/scenarios/mine").json()
    assert info["kind"] == "workspace" and info["newer_invalid_draft"] == r["version"]
    assert not list(workspace.rglob("*tmp*"))


def test_a_first_save_that_is_invalid_is_listed_and_opens_in_the_editor(
    http: httpx.Client, tmp_module: Path
) -> None:
    r = http.put("/api/scenarios/new1", json={"text": "garbage: ["})
    assert r.status_code == 200 and r.json()["saved"] == "invalid-draft"
    listed = {s["name"]: s for s in http.get("/api/scenarios").json()["scenarios"]}
    assert listed["new1"]["valid"] is False and listed["new1"]["kind"] == "workspace"
    assert listed["example"]["valid"] is True

    info = http.get("/api/scenarios/new1")
    assert info.status_code == 200
    doc = info.json()
    assert doc["text"] == "garbage: [" and doc["valid"] is False
    assert doc["diagnostics"][0]["line"] == 1 and doc["newer_invalid_draft"] == r.json()["version"]

    page = http.get("/s/new1/edit")
    assert page.status_code == 200
    assert ">garbage: [</textarea>" in page.text and 'class="diagnostic" data-line="1"' in page.text
    index = http.get("/").text
    assert 'class="invalid" data-name="new1"' in index and 'href="/s/new1/edit"' in index

    analysis = http.post("/api/board", json={"scenario": "new1"})  # answers with the problems
    assert analysis.status_code == 422 and analysis.json()["error"] == "invalid_scenario"
    assert http.get("/s/new1/board").status_code == 422

    text = EXAMPLE.read_text().replace("id: example", "id: new1")
    fixed = http.put("/api/scenarios/new1", json={"text": text}).json()
    assert fixed["valid"] and (tmp_module / "workspace" / "new1.yaml").read_text() == text
    doc = http.get("/api/scenarios/new1").json()
    assert doc["valid"] and doc["diagnostics"] == [] and doc["newer_invalid_draft"] is None
    listed = {s["name"]: s for s in http.get("/api/scenarios").json()["scenarios"]}
    assert listed["new1"]["valid"] is True


def test_saving_a_builtin_writes_a_copy_into_the_workspace(
    http: httpx.Client, tmp_module: Path
) -> None:
    text = http.get("/api/scenarios/example").json()["text"]
    r = http.put("/api/scenarios/example", json={"text": text})
    assert r.json()["valid"]
    assert (tmp_module / "workspace" / "example.yaml").read_text() == text
    assert (tmp_module / "opened" / "example.yaml").read_text() == EXAMPLE.read_text()


@pytest.mark.parametrize(
    "name", ["..", "..%2F..%2Fetc", "%2e%2e", ".versions", "a.b", "UPPER", "x" * 65, "-x"]
)
def test_no_name_reaches_outside_the_workspace(
    http: httpx.Client, tmp_module: Path, name: str
) -> None:
    before = sorted(str(p) for p in tmp_module.rglob("*"))
    r = http.put(f"/api/scenarios/{name}", json={"text": "format: zopa/1"})
    assert r.status_code in (404, 405, 422), r.text
    r = http.get(f"/api/scenarios/{name}/versions/..%2F..%2Fexample.yaml")
    assert r.status_code in (404, 422)
    after = sorted(str(p) for p in tmp_module.rglob("*"))
    assert before == after


def test_validate_reports_lines(http: httpx.Client) -> None:
    text = EXAMPLE.read_text().replace('rule: "army_cap <= 600000"', 'rule: "army_cap <= lots"')
    doc = http.post("/api/validate", json={"text": text}).json()
    line = next(k for k, t in enumerate(text.splitlines(), 1) if "army_cap <= lots" in t)
    assert doc["valid"] is False and [d["line"] for d in doc["diagnostics"]] == [line]


# --------------------------------------------------------------------------- jobs


def _wait(http: httpx.Client, job: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = http.get(f"/api/jobs/{job}").json()
        if status["state"] != "running":
            return status
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


def test_job_result_equals_the_cli(http: httpx.Client) -> None:
    r = http.post("/api/jobs", json={"kind": "analyze", "scenario": "example"})
    assert r.status_code == 202
    job = r.json()["id"]
    early = http.get(f"/api/jobs/{job}/result")
    assert early.status_code in (200, 409)
    status = _wait(http, job)
    assert status["state"] == "done" and status["progress"] == 1
    result = http.get(f"/api/jobs/{job}/result").json()
    assert without_departures(result) == cli_json("analyze", str(EXAMPLE))


def test_job_cancel(http: httpx.Client) -> None:
    job = http.post("/api/jobs", json={"kind": "analyze", "scenario": "ukraine-2025"}).json()
    r = http.delete(f"/api/jobs/{job['id']}")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert http.get(f"/api/jobs/{job['id']}/result").status_code == 409
    assert http.get("/api/jobs/nope").status_code == 404
    assert http.post("/api/jobs", json={"kind": "nope"}).json()["error"] == "unknown_kind"


def test_job_time_limit() -> None:
    from zopa.load import builtin_path
    from zopa.web.jobs import Jobs
    from zopa.web.tasks import KINDS

    jobs = Jobs(KINDS, time_limit=0.5)
    job = jobs.start("analyze", {"text": builtin_path("ukraine-2025").read_text()})
    deadline = time.monotonic() + 30
    while job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.state == "timed_out" and job.result is None
    assert not job.process.is_alive()


def test_jobs_wait_in_a_queue() -> None:
    from zopa.load import builtin_path
    from zopa.web.jobs import Jobs
    from zopa.web.tasks import KINDS

    jobs = Jobs(KINDS, max_running=1)
    text = {"text": builtin_path("ukraine-2025").read_text()}
    first, second = jobs.start("analyze", text), jobs.start("analyze", text)
    assert (first.state, second.state) == ("running", "queued")
    assert jobs.cancel(second.id).state == "cancelled" and second.process is None
    jobs.cancel(first.id)
    assert first.state == "cancelled" and not first.process.is_alive()


def test_simulation_job_equals_the_cli(http: httpx.Client) -> None:
    settings = {"protocol": "alternating", "rounds": 30, "seed": 3, "strategies": {"a": "boulware"}}
    r = http.post(
        "/api/jobs",
        json={
            "kind": "simulate",
            "scenario": "example",
            "as_of": "2025-11-19",
            "simulation": settings,
        },
    )
    assert r.status_code == 202, r.text
    assert _wait(http, r.json()["id"])["state"] == "done"
    result = http.get(f"/api/jobs/{r.json()['id']}/result").json()
    assert result.pop("figure")["data"]  # the chart of `zopa simulate --plot`
    expected = cli_json(
        "simulate",
        str(EXAMPLE),
        "--as-of",
        "2025-11-19",
        "--rounds",
        "30",
        "--seed",
        "3",
        "--strategy",
        "a=boulware",
    )
    assert without_departures(result) == expected


def test_simulation_settings_are_checked_before_starting(http: httpx.Client) -> None:
    for settings in ({"protocol": "nope"}, {"strategies": {"zz": "linear"}}):
        r = http.post(
            "/api/jobs", json={"kind": "simulate", "scenario": "example", "simulation": settings}
        )
        assert r.status_code == 422 and r.json()["error"] == "invalid_simulation", r.text


def test_montecarlo_job_equals_the_cli(http: httpx.Client) -> None:
    body = {"kind": "montecarlo", "scenario": "ukraine-2025", "montecarlo": {"samples": 60}}
    r = http.post("/api/jobs", json=body)
    assert r.status_code == 202, r.text
    assert _wait(http, r.json()["id"])["state"] == "done"
    result = http.get(f"/api/jobs/{r.json()['id']}/result").json()
    assert result.pop("figure")["data"]
    expected = cli_json("montecarlo", "ukraine-2025", "-n", "60", "--processes", "1")
    assert without_departures(result) == expected


def test_tournament_job_equals_the_cli(http: httpx.Client) -> None:
    settings = {"strategies": "boulware,linear", "rounds": 20}
    r = http.post(
        "/api/jobs", json={"kind": "tournament", "scenario": "example", "tournament": settings}
    )
    assert r.status_code == 202, r.text
    assert _wait(http, r.json()["id"])["state"] == "done"
    result = http.get(f"/api/jobs/{r.json()['id']}/result").json()
    expected = cli_json(
        "tournament",
        str(EXAMPLE),
        "--strategies",
        "boulware,linear",
        "--rounds",
        "20",
        "--processes",
        "1",
    )
    assert without_departures(result) == expected
    assert "point_estimate" not in result  # as the CLI, for a scenario without distributions
    too_many = {"strategies": "boulware,linear,hardliner,conceder", "repeats": 100}
    r = http.post(
        "/api/jobs", json={"kind": "tournament", "scenario": "example", "tournament": too_many}
    )
    assert r.status_code == 422 and r.json()["error"] == "invalid_tournament"


def test_tournament_progress_moves_after_each_run(http: httpx.Client) -> None:
    """On the built-in scenario a run takes about a second: progress must pass the loading step."""
    settings = {"strategies": "boulware,hardliner", "rounds": 4}  # 2**4 = 16 runs
    body = {"kind": "tournament", "scenario": "ukraine-2025", "tournament": settings}
    job = http.post("/api/jobs", json=body).json()["id"]
    seen: list[tuple[float, str]] = []
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            status = http.get(f"/api/jobs/{job}").json()
            seen.append((status["progress"], status["message"]))
            if status["state"] != "running" or re.fullmatch(r"[2-9] of 16 runs", status["message"]):
                break
            time.sleep(0.1)
    finally:
        http.delete(f"/api/jobs/{job}")
    runs = [m for p, m in seen if p > 0.05 and re.fullmatch(r"\d+ of 16 runs", m)]
    assert runs or status["state"] == "done", seen[-5:]


def test_tournament_progress_is_reported_per_run() -> None:
    from zopa.web.tasks import tournament

    calls: list[tuple[float, str]] = []
    params = {
        "text": EXAMPLE.read_text(),
        "tournament": {"strategies": "boulware,linear", "rounds": 10},
    }
    doc = tournament(params, lambda f, m: calls.append((f, m)))
    runs = [m for _, m in calls if m.endswith(" runs") and not m.startswith("0 of")]
    assert doc["runs"] == 8 and runs == [f"{k} of 8 runs" for k in range(1, 9)]
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_jobs_page_tournament_defaults_are_small(http: httpx.Client) -> None:
    page = http.get("/s/ukraine-2025/jobs").text
    entrants = re.search(r'name="entrants" value="([^"]*)"', page)
    rounds = re.search(r'name="t_rounds" type="number" min="1" max="1000" value="(\d+)"', page)
    assert entrants and rounds
    assert len(entrants.group(1).split(",")) ** 4 <= 16 and int(rounds.group(1)) <= 20


def test_the_builtin_deal_space_with_conflicts_set_aside_is_complete(http: httpx.Client) -> None:
    """Every conflicting red line set aside: the exact Ukraine–Russia frontier, every time."""
    blockers = cli_json("blockers")
    ids = sorted({c for conflict in blockers["conflicts"] for c in conflict})
    w = json.dumps({"drop": ids}, separators=(",", ":"))
    expected = cli_json("frontier", "--drop-conflicting", "--parties", "ukraine,russia")
    counts = []
    for _ in range(2):
        r = http.get(
            "/s/ukraine-2025/space", params={"w": w, "x": "ukraine", "y": "russia"}, timeout=120
        )
        assert r.status_code == 200
        assert "may be incomplete" not in r.text
        found = re.search(r"(\d[\d,]*) Pareto-optimal point", r.text)
        assert found is not None
        counts.append(int(found.group(1).replace(",", "")))
    assert counts == [len(expected["points"])] * 2
    assert expected["complete"] and len(expected["points"]) > 500


# --------------------------------------------------------------------------- bridging formulas


def test_bridge_endpoint_and_page_agree_with_the_cli(http: httpx.Client) -> None:
    from tests.webserver import VALLEY

    for body, args in (({}, []), ({"as_of": "2025-05-01"}, ["--as-of", "2025-05-01"])):
        r = http.post("/api/bridge", json={"scenario": "valley", **body})
        assert r.status_code == 200, r.text
        assert without_departures(r.json()) == cli_json("bridge", str(VALLEY), *args)
    only = http.post("/api/bridge", json={"scenario": "valley", "issues": ["dam"]}).json()
    assert only["issues"] == ["dam"]
    bad = http.post("/api/bridge", json={"scenario": "valley", "issues": ["recognition"]})
    assert bad.status_code == 422 and "not described by attributes" in bad.json()["message"]
    page = http.get("/s/valley/bridges")
    assert page.status_code == 200
    assert page.text.count('class="bridge"') == 3 + 4
    assert page.text.count('class="button try-formula"') == 4  # the dam's (see below)
    assert page.text.count('class="muted no-try"') == 3  # the mediator values the valley whole
    none = http.get("/s/example/bridges")
    assert none.status_code == 200 and 'id="bridges-none"' in none.text


def test_trying_a_formula_puts_it_on_the_table(http: httpx.Client) -> None:
    """The what-if of a bridge: the dam's conflict is gone, the valley's is left."""
    formula = {"dam": [{"operator": "agency", "water": 50}]}
    r = http.post("/api/blockers", json={"scenario": "valley", "overrides": {"formulas": formula}})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["conflicts"] == [["north-admin", "south-forces"]]
    assert [d["kind"] for d in doc["departures"]] == ["formula"]
    page = http.get("/s/valley/whatif", params={"w": json.dumps({"formulas": formula})})
    assert page.status_code == 200 and 'class="fm"' in page.text
    wrong = {"valley": [{"forces": "north", "admin": "south"}]}  # ruled out by an exclude rule
    r = http.post("/api/blockers", json={"scenario": "valley", "overrides": {"formulas": wrong}})
    assert r.status_code == 422 and "exclude rule" in r.text
    # the mediator values the valley for its listed options only: no value is guessed ...
    valley = {"valley": [{"forces": "none", "admin": "joint"}]}
    r = http.post("/api/blockers", json={"scenario": "valley", "overrides": {"formulas": valley}})
    assert r.status_code == 422 and "states no value" in r.text
    # ... unless the what-if also sets its weight on the valley to 0
    weights = {"mediator": {"valley": 0}}
    overrides = {"formulas": valley, "weights": weights}
    r = http.post("/api/blockers", json={"scenario": "valley", "overrides": overrides})
    assert r.status_code == 200 and r.json()["conflicts"] == [["north-operator", "south-water"]]


# --------------------------------------------------------------------------- --whatif FILE


@pytest.mark.parametrize(
    "overrides",
    [
        {"bogus": 1},
        {"thresholds": 5},
        {"drop": 3},
        {"drop": "a-army"},
        {"drop": [5]},
        {"reservations": {"a": 2}},
        {"weights": {"a": {"territory": 2e7}}},
        [1],
        {"drop": ["nope"]},
        {"drop": ["a-army"]},
        {"thresholds": {"b-army": "800000"}},
        {"reservations": {"a": 0.5}, "weights": {"b": {"territory": 3}}},
        None,
    ],
)
def test_the_cli_and_the_api_accept_the_same_overrides(
    http: httpx.Client, tmp_path: Path, overrides: object
) -> None:
    """One overrides model for both shells: a file refused by the command (exit 1) is refused
    by the API (422), and one accepted gives the API's document."""
    path = tmp_path / "w.json"
    path.write_text(json.dumps(overrides), encoding="utf-8")
    done = zopa("blockers", str(EXAMPLE), "--whatif", str(path), "--json")
    r = http.post("/api/blockers", json={"scenario": "example", "overrides": overrides})
    assert (done.returncode, r.status_code) in ((0, 200), (1, 422)), (done.stderr, r.text)
    if done.returncode == 0:  # the command adds no departures key when nothing departs
        document = json.loads(done.stdout)
        assert document.get("departures", []) == r.json()["departures"]
        assert {**document, "departures": []} == {**r.json(), "departures": []}
    else:
        assert "internal error" not in done.stderr and done.stdout == ""


# --------------------------------------------------------------------------- dates off the record


@pytest.mark.parametrize(
    ("as_of", "noted"), [("2020-01-01", True), ("2025-11-25", False), ("2030-01-01", False)]
)
def test_the_api_notes_a_date_outside_the_record_as_the_cli(
    http: httpx.Client, as_of: str, noted: bool
) -> None:
    """The example has no ``reviewed`` date: only a date before its first event is noted."""
    r = http.post("/api/blockers", json={"scenario": "example", "as_of": as_of})
    assert r.status_code == 200, r.text
    cli = cli_json("blockers", str(EXAMPLE), "--as-of", as_of)
    assert ("record_note" in r.json()) is noted
    assert r.json().get("record_note") == cli.get("record_note")
    assert without_departures(r.json()) == cli


# --------------------------------------------------------------------------- reasons on the pages


def test_why_and_whatif_pages_show_the_reason_given_on_the_date(http: httpx.Client) -> None:
    """Each red line's reason, as worded on the analysis date, beside its text; the same
    reason the JSON of `zopa blockers` gives, and none for a line without one."""
    doc = cli_json("blockers", "ukraine-2025", "--as-of", "2025-11-26")
    reds = {r["id"]: r for c in doc["explanations"] for r in c["red_lines"]}
    with_reason = reds["russia-territory-donbas"]["reason"]
    assert with_reason and reds["europe-army-800k"]["reason"] is None
    for view in ("why", "whatif"):
        page = unescape(http.get(f"/s/ukraine-2025/{view}", params={"as_of": "2025-11-26"}).text)
        items = (
            {
                m.group(1): " ".join(m.group(0).split())
                for m in re.finditer(r'<li[^>]*data-id="([\w-]+)".*?</li>', page, re.S)
            }
            if view == "whatif"
            else {
                m.group(2): " ".join(m.group(1).split())
                for m in re.finditer(r"<li>(.*?)<code>([\w-]+)</code>", page, re.S)
            }
        )
        assert f"Reason given: {' '.join(with_reason.split())}" in items["russia-territory-donbas"]
        assert "Reason given" not in items["europe-army-800k"]


# --------------------------------------------------------------------------- names, not ids


def _builtin_names() -> dict[str, str]:
    from zopa.load import load_scenario

    return {p.id: p.label for p in load_scenario("ukraine-2025").parties}


def test_deal_space_pickers_show_party_names_and_send_ids(http: httpx.Client) -> None:
    names = _builtin_names()
    page = http.get("/s/ukraine-2025/space").text
    form = page[page.index('id="space-form"') : page.index("</form>")]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', form)
    # horizontal and vertical list every party; colour "none" and the parties not on an axis
    assert [v for v, _ in options].count("ukraine") >= 2
    for value, text in options:
        if value:
            assert unescape(text) == names[value]
    assert not any(f">{pid}<" in form for pid in names)


def test_board_columns_are_headed_by_party_names(http: httpx.Client) -> None:
    names = _builtin_names()
    page = http.get("/s/ukraine-2025/board").text
    head = page[page.index('id="board"') :]
    head = unescape(head[: head.index("</thead>")])
    for pid, name in names.items():
        assert f'<th title="{pid}">{name}' in head
        assert f">{pid}" not in head  # the id is only the title attribute


def test_forecast_actors_are_named(http: httpx.Client) -> None:
    names = _builtin_names()
    page = unescape(http.get("/s/ukraine-2025/forecast").text)
    tables = [t.split("</table>")[0] for t in page.split('class="grid forecast-actors"')[1:]]
    assert tables  # one actors table per numeric point
    actors = [a for t in tables for a in re.findall(r'<th scope="row">([^<]*)</th>', t)]
    assert actors and set(actors) <= set(names.values())
    assert not set(actors) & set(names)


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("solve", {}),
        ("frontier", {}),
        ("amend", {}),
        ("stability", {"as_of": "2025-11-26"}),
        ("fair", {"parties": ["ukraine", "russia"]}),
    ],
)
def test_numbers_from_assumed_weights_are_labelled(
    http: httpx.Client, endpoint: str, body: dict
) -> None:
    from zopa.analysis import assumptions_note
    from zopa.load import load_scenario

    r = http.post(f"/api/{endpoint}", json={"scenario": "ukraine-2025", **body})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["derived_from_assumptions"] is True
    assert doc["assumption"] == assumptions_note(load_scenario("ukraine-2025"))
    example = http.post(f"/api/{endpoint}", json={"scenario": "example", **body})
    if example.status_code == 200:  # the example declares no assumptions: no label
        assert "derived_from_assumptions" not in example.json()


def test_page_titles_are_plain_text(http: httpx.Client) -> None:
    """A page's <title> holds words only (the board's once held a copy of its stances)."""
    for view in ("board", "why", "whatif", "timeline"):
        page = http.get(f"/s/ukraine-2025/{view}")
        assert page.status_code == 200, view
        (title,) = re.findall(r"<title>(.*?)</title>", page.text, re.S)
        assert "<" not in title and len(title) < 200, (view, title[:200])
