"""The JSON API through real HTTP: same numbers as the CLI, what-if, saving, limits, jobs."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.webserver import DATA, running_server

ZOPA = [sys.executable, "-m", "zopa.cli"]
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
    done = subprocess.run([*ZOPA, *args, "--json"], capture_output=True, text=True, timeout=300)
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


def test_scenario_size_limit(http: httpx.Client) -> None:
    r = http.put("/api/scenarios/huge", json={"text": "#" * 1_500_000})
    assert r.status_code == 422  # over the schema's max_length for scenario text
    # under the character limit but over the byte limit (2 bytes per character in UTF-8)
    r = http.put("/api/scenarios/huge", json={"text": "é" * 600_000})
    assert r.status_code == 413 and r.json()["error"] == "too_large"


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
    assert not list(workspace.glob(".*.tmp")) and not list(workspace.glob("*.tmp"))


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
    too_many = {"strategies": "boulware,linear,hardliner,conceder", "repeats": 100}
    r = http.post(
        "/api/jobs", json={"kind": "tournament", "scenario": "example", "tournament": too_many}
    )
    assert r.status_code == 422 and r.json()["error"] == "invalid_tournament"
