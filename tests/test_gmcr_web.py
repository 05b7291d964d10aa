"""``zopa stability`` in the web app over real HTTP: the API equals the CLI, the page shows it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.webserver import DATA, running_server

ZOPA = [sys.executable, "-m", "zopa.cli"]


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with (
        running_server(tmp_path_factory.mktemp("gmcr-web")) as base,
        httpx.Client(base_url=base, timeout=180) as client,
    ):
        yield client


def cli(*args: str) -> dict:
    done = subprocess.run(
        [*ZOPA, "stability", *args, "--json"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_api_returns_what_the_cli_prints(http: httpx.Client) -> None:
    body = {"scenario": "example", "outcome": "egalitarian", "coalitions": [["a", "b"]]}
    got = http.post("/api/stability", json=body)
    assert got.status_code == 200, got.text
    doc = got.json()
    assert doc.pop("departures") == []
    want = cli(str(DATA / "example.yaml"), "--outcome", "egalitarian", "--coalition", "a,b")
    assert doc == want
    assert doc["movers"] == ["a+b"] and doc["outcome_rule"] == "egalitarian"


def test_api_applies_the_what_if(http: httpx.Client) -> None:
    body = {"scenario": "example", "overrides": {"drop": ["a-army"]}}
    doc = http.post("/api/stability", json=body).json()
    assert doc["feasible"] is True and doc["states"] == []
    assert [d["target"] for d in doc["departures"]] == ["a-army"]


def test_the_cli_applies_the_what_if_as_the_api_does(http: httpx.Client) -> None:
    """zopa stability took the what-if options and ignored them (exit 0 on --drop nosuch)."""
    body = {"scenario": "example", "overrides": {"drop": ["a-army"]}}
    api = http.post("/api/stability", json=body).json()
    assert cli(str(DATA / "example.yaml"), "--drop", "a-army") == api
    bad = subprocess.run(
        [*ZOPA, "stability", str(DATA / "example.yaml"), "--drop", "nosuch"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1 and "'nosuch'" in bad.stderr and "Traceback" not in bad.stderr
    model = DATA / "gmcr" / "prisoners-dilemma.yaml"  # takes no what-if: said, not ignored
    refused = subprocess.run(
        [*ZOPA, "stability", str(model), "--drop", "x"], capture_output=True, text=True
    )
    assert refused.returncode == 2 and "graph models" in refused.stderr


@pytest.mark.parametrize(
    "body",
    [
        {"scenario": "example", "coalitions": [["a", "x"]]},
        {"scenario": "example", "start": "NNN"},
        {"scenario": "example", "start": "NQ"},
        {"scenario": "example", "outcome": "best"},
    ],
)
def test_api_refuses_what_the_cli_refuses(http: httpx.Client, body: dict) -> None:
    assert http.post("/api/stability", json=body).status_code == 422


def test_page_shows_the_words_and_the_graph(http: httpx.Client) -> None:
    doc = cli(str(DATA / "example.yaml"))
    page = http.get("/s/example/stability")
    assert page.status_code == 200
    html = page.text
    assert "Holding firm" in html and f"{doc['engine_calls']} engine calls" in html
    drawn = re.findall(r'<g class="node[^"]*" id="node-\d+" data-state="([YN]+)"', html)
    assert drawn[0] == "NN"  # the standoff first, then where it leads
    assert set(drawn) <= {s["state"] for s in doc["states"]}
    nash = re.findall(r'<g class="node[^"]* nash" id="node-\d+" data-state="([YN]+)"', html)
    assert set(nash) == set(doc["equilibria"]["nash"]) & set(drawn)
    moves = re.findall(r'<path class="move"', html)
    assert len(moves) == len(doc["status_quo"]["edges"])
    other = http.get("/s/example/stability?outcome=utilitarian").text
    assert "utilitarian package" in other and 'value="utilitarian" selected' in other


def test_page_when_a_deal_exists(http: httpx.Client) -> None:
    w = json.dumps({"drop": ["a-army"]})
    html = http.get("/s/example/stability", params={"w": w}).text
    assert "there is no standoff" in html and "stability-graph" not in html.split("</form>")[1]
