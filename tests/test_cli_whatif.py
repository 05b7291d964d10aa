"""The what-if options of the command line: the web's overrides, through ``zopa``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zopa.engine.frontier import frontier
from zopa.engine.solutions import solve
from zopa.load import load_scenario
from zopa.problem import SCALE, Problem
from zopa.whatif import Overrides, apply

EXAMPLE = str(Path(__file__).parent / "data" / "example.yaml")
ZOPA = [sys.executable, "-m", "zopa.cli"]


def zopa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ZOPA, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "command",
    [
        "analyze",
        "blockers",
        "solve",
        "frontier",
        "amend",
        "timeline",
        "montecarlo",
        "simulate",
        "fair",
        "forecast",
        "report",
    ],
)
def test_every_analysis_command_names_an_unknown_override(command: str) -> None:
    done = zopa(command, "--drop", "no-such-line", "--reservation", "nobody=0.5")
    assert done.returncode == 1, done.stderr
    assert "no red line or reservation 'no-such-line'" in done.stderr
    assert "no party 'nobody'" in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


def test_tournament_takes_the_overrides_too() -> None:
    done = zopa("tournament", "--strategies", "boulware,conceder", "--drop", "no-such-line")
    assert done.returncode == 1, done.stderr
    assert "no-such-line" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--weight", "a=0.5"],
        ["--threshold", "a-army"],
        ["--reservation", "a=high"],
    ],
)
def test_malformed_overrides_are_usage_errors(args: list[str]) -> None:
    done = zopa("solve", EXAMPLE, *args)
    assert done.returncode == 2
    assert "zopa: error:" in done.stderr


def test_flags_match_the_python_api_and_carry_departures(tmp_path: Path) -> None:
    flags = ["--reservation", "a=0.1", "--weight", "b.territory=3", "--drop", "b-alliance"]
    done = zopa("solve", EXAMPLE, *flags, "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    overrides = Overrides(
        drop=["b-alliance"], weights={"b": {"territory": 3.0}}, reservations={"a": 0.1}
    )
    changed = apply(load_scenario(EXAMPLE), overrides)
    assert document["departures"] == changed.to_json()
    expected = solve(Problem.for_draft(changed.scenario)[0])
    assert document["solutions"] == expected.to_json()["solutions"]
    # the same overrides as a file, as the web app sends them
    path = tmp_path / "whatif.json"
    path.write_text(json.dumps(overrides.model_dump()), encoding="utf-8")
    from_file = zopa("solve", EXAMPLE, "--whatif", str(path), "--json")
    assert json.loads(from_file.stdout) == document


def test_a_broken_whatif_file_points_at_the_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"drop": [\n  "a-army",\n}', encoding="utf-8")
    done = zopa("solve", EXAMPLE, "--whatif", str(path))
    assert done.returncode == 1
    assert done.stderr.startswith(f"zopa: error: {path}:3:1: ")
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"drop": "a-army"}', encoding="utf-8")
    done = zopa("solve", EXAMPLE, "--whatif", str(wrong))
    assert done.returncode == 1 and "drop" in done.stderr


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('{"bogus": 1}', "1:2", "unknown key 'bogus' (allowed: drop, thresholds"),
        ('{"thresholds": 5}', "1:16", "'thresholds' must be an object of red-line id: number"),
        ('{"drop": 3}', "1:10", "'drop' must be a list of red-line ids"),
        ('{"drop": "a-army"}', "1:10", "'drop' must be a list of red-line ids"),
        ('{\n  "dorp": ["a-army"]\n}', "2:3", "unknown key 'dorp'; did you mean 'drop'?"),
        ('{"weights": {"a": 3}}', "1:19", "weights.a: expected a mapping"),
        ('{"reservations": {"a": 2}}', "1:24", "reservations.a: value 2 must be at most 1"),
        ('{"weights": {"a": {"territory": 2e7}}}', "1:33", "at most 1000000"),
        ('{"thresholds": {"a-army": "high"}}', "1:27", "thresholds.a-army: expected a number"),
        ('{"drop": [5]}', "1:11", "drop[0]: expected text, got the number 5"),
        ("[1]", "1:1", "a what-if file holds one JSON object (the overrides)"),
        ('{"drop": [\n', "2:1", "not valid JSON: expected a value here"),
        ('{"drop": []\n "weights": {}}', "2:2", "not valid JSON: expected ',' between"),
        ("{'drop': []}", "1:2", "not valid JSON: expected a key in double quotes"),
    ],
)
def test_a_whatif_file_of_the_wrong_shape_is_refused_at_its_key(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    """The web API's overrides model, through the command: FILE:LINE:COL, plain words, exit 1."""
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    done = zopa("blockers", EXAMPLE, "--whatif", str(path))
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(f"zopa: error: {path}:{where}: "), done.stderr
    assert words in done.stderr
    for raw in ("internal error", "Traceback", "Input should be", "Expecting"):
        assert raw not in done.stderr


def test_a_whatif_file_reports_every_problem_on_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"drop": "a-army",\n "thresholds": [1]}', encoding="utf-8")
    done = zopa("blockers", EXAMPLE, "--whatif", str(path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"zopa: error: {path}:1:10: 'drop' must be a list of red-line ids (or PARTY:reservation)",
        f"zopa: error: {path}:2:16: 'thresholds' must be an object of red-line id: number",
    ]


def test_a_flag_of_the_wrong_range_is_said_in_plain_words() -> None:
    done = zopa("blockers", EXAMPLE, "--reservation", "a=2")
    assert done.returncode == 1
    assert "reservations.a: value 2.0 must be at most 1" in done.stderr
    assert "Input should be" not in done.stderr


def test_drop_conflicting_is_every_conflict_of_the_analysis_date() -> None:
    """The built-in at its latest draft: the same as dropping each conflicting id by hand."""
    blockers = json.loads(zopa("blockers", "--json").stdout)
    ids = sorted({c for conflict in blockers["conflicts"] for c in conflict})
    assert ids  # the built-in has no deal as written
    by_hand = zopa("solve", *[a for i in ids for a in ("--drop", i)], "--json")
    conflicting = zopa("solve", "--drop-conflicting", "--json")
    assert conflicting.returncode == 0, conflicting.stderr
    assert json.loads(conflicting.stdout) == json.loads(by_hand.stdout)
    assert {d["target"] for d in json.loads(conflicting.stdout)["departures"]} == set(ids)


def test_the_hypothetical_frontier_is_complete_and_verified() -> None:
    """All three veto parties, every conflicting red line set aside: each point checked."""
    done = zopa("frontier", "--drop-conflicting", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["complete"] and document["method"] == "decomposition"
    blockers = json.loads(zopa("blockers", "--json").stdout)
    ids = sorted({c for conflict in blockers["conflicts"] for c in conflict})
    changed = apply(load_scenario(), Overrides(drop=ids)).scenario
    problem, _ = Problem.for_draft(changed)
    expected = frontier(problem)
    assert len(document["points"]) == len(expected.vectors) > 10_000
    packages = [problem.package_indices(p["package"]) for p in document["points"]]
    assert problem.agreement_mask(packages).all()
    utilities = problem.utilities(packages)
    for point, row in zip(document["points"], utilities, strict=True):
        for party, u in point["utilities"].items():
            assert u == int(row[problem.party_index[party]]) / SCALE


def test_a_named_uncertain_threshold_can_be_moved_and_is_said_in_words() -> None:
    """russia-army-ceiling reads ``army_cap < russia_ceiling``, an assumed range with a
    rationale: moving it replaces the range (and its rationale) by the number given."""
    scenario = load_scenario()
    red = next(r for r in scenario.red_lines if r.id == "russia-army-ceiling")
    assert red.thresholds and red.assumptions and red.assumptions.thresholds
    done = zopa("blockers", "--threshold", "russia-army-ceiling=850000", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["departures"][0]["to"] == "army_cap < 850000"
    before = json.loads(zopa("blockers", "--json").stdout)
    assert ["europe-army-800k", "russia-army-ceiling"] in before["conflicts"]
    assert not any("russia-army-ceiling" in c for c in document["conflicts"])
    text = zopa("blockers", "--threshold", "russia-army-ceiling=850000")
    assert text.returncode == 0, text.stderr
    said = " ".join(text.stdout.split())
    assert "Russia's red line russia-army-ceiling moves from Point 6" in said
    assert "below 700,000 personnel (the mean of the assumed range russia_ceiling)" in said
    assert "to Point 6: Ceiling on Ukraine's armed forces below 850,000 personnel" in said
    assert "army_cap <" not in text.stdout
