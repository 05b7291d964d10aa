"""``zopa bridge``, run as a user runs it, on the how-to's worked example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VALLEY = "docs/how-to/find-bridging-formulas.yaml"  # relative to ROOT


def zopa(*args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [sys.executable, "-m", "zopa.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert "Traceback" not in run.stderr + run.stdout
    return run


@pytest.fixture(scope="module")
def autumn() -> dict:
    run = zopa("bridge", VALLEY, "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_json_follows_the_contract(autumn: dict) -> None:
    for key in (
        "scenario",
        "as_of",
        "feasible_listed",
        "conflicts",
        "unbridgeable",
        "feasible_with_new_formulas",
        "solutions",
        "complete",
    ):
        assert key in autumn
    assert autumn["scenario"] == "valley" and autumn["as_of"] == "2025-09-01"
    assert autumn["feasible_listed"] is False and autumn["complete"] is True
    assert [c["constraints"] for c in autumn["conflicts"]] == [
        ["north-admin", "south-forces"],
        ["north-operator", "south-water"],
    ]
    valley, dam = autumn["conflicts"]
    # by attribute order, then value order; each the mapping of its attribute values
    assert [(b["issue"], b["attributes"]) for b in valley["bridged_by"]] == [
        ("valley", {"forces": "south", "admin": "joint"}),
        ("valley", {"forces": "none", "admin": "north"}),
        ("valley", {"forces": "none", "admin": "joint"}),
    ]
    assert [b["attributes"] for b in dam["bridged_by"]] == [
        {"operator": "north", "water": 50},
        {"operator": "north", "water": 100},
        {"operator": "agency", "water": 50},
        {"operator": "agency", "water": 100},
    ]
    assert autumn["unbridgeable"] == []
    assert autumn["feasible_with_new_formulas"] is True
    assert autumn["fewest_new_formulas"]["count"] == 2
    nash = autumn["solutions"]["nash"]
    assert nash["new"] == ["valley", "dam"]
    assert isinstance(nash["package"]["valley"], dict)
    assert nash["package"]["recognition"] in ("none", "de_facto")
    # the mediator values the valley for its listed options only: no value is guessed
    assert nash["utilities"]["mediator"] is None
    assert autumn["unvalued"] == [
        {"issue": "valley", "parties": ["mediator"], "searched": True, "solved": True}
    ]


def test_a_conflict_no_new_formula_dissolves_is_unbridgeable() -> None:
    run = zopa("bridge", VALLEY, "--as-of", "2025-05-01", "--json")
    assert run.returncode == 0, run.stderr
    spring = json.loads(run.stdout)
    assert spring["unbridgeable"] == [["north-recognition", "south-recognition"]]
    assert spring["feasible_with_new_formulas"] is False
    assert spring["solutions"] == {} and spring["fewest_new_formulas"] is None


def test_issue_restricts_the_search() -> None:
    run = zopa("bridge", VALLEY, "--issue", "dam", "--json")
    assert run.returncode == 0, run.stderr
    only_dam = json.loads(run.stdout)
    assert only_dam["issues"] == ["dam"]
    assert only_dam["unbridgeable"] == [["north-admin", "south-forces"]]
    assert only_dam["feasible_with_new_formulas"] is False


@pytest.mark.parametrize(
    ("issue", "message"),
    [
        ("recognition", "issue 'recognition' is not described by attributes"),
        ("river", "no issue 'river'"),
    ],
)
def test_issue_that_cannot_be_bridged_is_a_usage_error(issue: str, message: str) -> None:
    run = zopa("bridge", VALLEY, "--issue", issue)
    assert run.returncode == 2
    assert message in run.stderr


def test_text_reads_at_80_columns() -> None:
    run = zopa("bridge", VALLEY)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    text = run.stdout
    assert "No deal on the listed options as of 2025-09-01: 2 conflicts." in text
    assert "Dissolved by 3 new formulas:" in text
    assert "Administration: a joint commission, as North's red" in text
    assert "it needs a new formula on\n2 issues at least (The valley and The dam)" in text
    spring = zopa("bridge", VALLEY, "--as-of", "2025-05-01").stdout
    assert "No new formula of a single issue dissolves it." in spring


def test_without_attribute_issues_there_is_nothing_to_bridge(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        "format: zopa/1\nid: plain\nissues: [{id: x, options: [a, b]}]\nparties: [{id: p}]\n"
    )
    run = zopa("bridge", str(plain))
    assert run.returncode == 0
    assert "No issue of this scenario is described by attributes" in run.stdout
    document = json.loads(zopa("bridge", str(plain), "--json").stdout)
    assert document["issues"] == [] and document["feasible_with_new_formulas"] is True


def test_invalid_file_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (ROOT / VALLEY).read_text().replace("valley.forces != north", "valley.forse != north")
    )
    run = zopa("bridge", str(bad))
    assert run.returncode == 1
    assert "bad.yaml:" in run.stderr and "has no attribute 'forse'" in run.stderr
