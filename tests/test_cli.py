"""End-to-end: the real ``zopa`` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
EXAMPLE = "data/example.yaml"  # relative to TESTS, so messages name it exactly so


def zopa(*args: str, cwd: Path = TESTS) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [sys.executable, "-m", "zopa.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert "Traceback" not in run.stderr + run.stdout
    return run


def test_scenarios_lists_the_built_in_files() -> None:
    from zopa.load import builtin_ids

    run = zopa("scenarios")
    assert run.returncode == 0, run.stderr
    listed = [line for line in run.stdout.splitlines() if not line.startswith(" ")]
    assert listed == builtin_ids()
    run = zopa("scenarios", "--json")
    assert run.returncode == 0
    assert [s["id"] for s in json.loads(run.stdout)["scenarios"]] == builtin_ids()


def unwrapped(text: str) -> list[str]:
    """``zopa check``'s lines with their indented continuations joined back on."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("  ") and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return lines


def test_check_ok_prints_one_summary_line() -> None:
    run = zopa("check", EXAMPLE, "data/example.json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert all(len(line) <= 80 for line in run.stdout.splitlines())
    assert unwrapped(run.stdout) == [
        f"{name}: OK: scenario 'example', 3 issues, 3 parties, 3 red lines, 1 draft, 1 source"
        for name in (EXAMPLE, "data/example.json")
    ]
    assert run.stderr == ""


def test_check_reports_every_bad_file_and_exits_1() -> None:
    bad = ["bad/empty.yaml", "bad/many-problems.yaml", "bad/json-unknown-key.json"]
    run = zopa("check", bad[0], EXAMPLE, bad[1], bad[2])
    assert run.returncode == 1
    lines = unwrapped(run.stdout)
    expected = []
    for name in bad:
        stem = Path(name).stem
        for line in (TESTS / "bad" / f"{stem}.expected").read_text().splitlines():
            expected.append("bad/" + line)
    assert [line for line in lines if ": OK: " not in line] == expected
    assert [line for line in lines if ": OK: " in line] == [
        f"{EXAMPLE}: OK: scenario 'example', 3 issues, 3 parties, 3 red lines, 1 draft, 1 source"
    ]


def test_check_missing_file() -> None:
    run = zopa("check", "no/such/file.yaml")
    assert run.returncode == 1
    assert run.stdout.startswith("no/such/file.yaml:1:1: no such file or built-in scenario")


def test_check_a_folder_without_a_domain() -> None:
    run = zopa("check", "data")
    assert run.returncode == 1
    assert run.stdout.startswith("data:1:1: is a folder without a GENIUS domain XML")


def test_check_a_genius_folder_imports_it() -> None:
    run = zopa("check", "data/genius/three")
    assert run.returncode == 0, run.stdout
    assert run.stdout.startswith("data/genius/three: OK: scenario ")
    assert "3 parties" in run.stdout


def test_check_needs_a_file() -> None:
    run = zopa("check")
    assert run.returncode == 2


def test_schema_is_json_schema_of_the_format() -> None:
    run = zopa("schema")
    assert run.returncode == 0
    schema = json.loads(run.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    top = {"format", "id", "title", "description", "sources", "issues", "parties"}
    top |= {"red_lines", "drafts", "meta"}
    assert top <= set(schema["properties"])
    assert set(schema["required"]) == {"id", "issues", "parties"}
    assert schema["additionalProperties"] is False
    party = schema["$defs"]["Party"]
    assert {"weights", "values", "reservation", "veto"} <= set(party["properties"])


def test_analyze_json_board() -> None:
    run = zopa("analyze", EXAMPLE, "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["scenario"] == "example"
    board = result["board"]
    assert board["draft"] == "first-draft"
    assert board["as_of"] == "2025-11-20"  # the draft's date
    assert [row["issue"] for row in board["rows"]] == ["territory", "army_cap", "alliance"]
    rows = {row["issue"]: row for row in board["rows"]}
    assert rows["army_cap"]["option"] == 600_000
    assert rows["army_cap"]["red_lines_violated"] == ["a-army"]
    assert rows["territory"]["red_lines_violated"] == []
    assert rows["territory"]["positions"]["a"] == "rejected"
    status = {r["id"]: r["status"] for r in board["red_lines"]}
    assert status == {"a-army": "violated", "b-army": "holds", "b-alliance": "holds"}


def test_analyze_text_on_the_built_in_scenario() -> None:
    """The plain-language picture: why no deal, the threshold gaps, forecasts, timeline."""
    run = zopa("analyze", "--as-of", "2025-11-26", "--draft", "us-28-point")
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())  # undo the terminal's line wrapping
    assert "No deal is possible as of 2025-11-26" in text
    assert (
        "(the nearest step below 700,000 personnel; Russia; assumed: the mean, 700,000, of an "
        "assumed uniform range 600,000–800,000): "
        "a gap of 105,000 personnel, derived from an assumed threshold"
    ) in text  # a number derived from an assumption says so
    assert "Forecasts for numeric points" in text
    assert "Ceiling on Ukraine's armed forces:" in text and "compromise" in text
    assert "These forecasts are derived from assumptions" in text
    assert "Timeline" in text
    assert "illustrative assumptions" in text


def test_analyze_as_of_before_a_red_line_is_in_force() -> None:
    run = zopa("analyze", EXAMPLE, "--json", "--as-of", "2025-11-19")
    assert run.returncode == 0, run.stderr
    board = json.loads(run.stdout)["board"]
    assert board["as_of"] == "2025-11-19"
    assert [r["id"] for r in board["red_lines"]] == ["b-army", "b-alliance"]  # a-army: since 11-20


@pytest.mark.parametrize("date", ["2025-13-01", "yesterday", "2025/11/20"])
def test_bad_as_of_is_a_usage_error(date: str) -> None:
    run = zopa("analyze", EXAMPLE, "--as-of", date)
    assert run.returncode == 2
    assert run.stderr == f"zopa: error: --as-of: {date!r} is not a date (YYYY-MM-DD)\n"
    assert run.stdout == ""


def test_unknown_draft_is_a_usage_error() -> None:
    run = zopa("analyze", EXAMPLE, "--draft", "nope", "--json")
    assert run.returncode == 2
    assert "no draft 'nope'" in run.stderr
    assert "first-draft" in run.stderr
    assert run.stdout == ""


def test_unknown_scenario_is_invalid_input() -> None:
    run = zopa("analyze", "no-such-scenario.yaml")
    assert run.returncode == 1
    assert run.stderr.startswith("no-such-scenario.yaml:1:1: no such file or built-in scenario")
    assert run.stdout == ""


@pytest.mark.parametrize("name", ["many-problems.yaml", "not-utf8.yaml", "billion-laughs.yaml"])
def test_analyze_bad_file_prints_diagnostics(name: str) -> None:
    run = zopa("analyze", name, "--json", cwd=TESTS / "bad")
    assert run.returncode == 1
    assert run.stdout == ""
    assert (
        run.stderr.splitlines()
        == (TESTS / "bad" / name).with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    )


def test_unknown_option_is_a_usage_error() -> None:
    run = zopa("check", "--frobnicate", EXAMPLE)
    assert run.returncode == 2


def test_timeline_counts_points_agreed_by_every_veto_party(tmp_path: Path) -> None:
    """'agreed' counts the draft's points that every veto party reported as agreed;
    a non-veto party's stance and points off the draft do not count."""
    text = (TESTS / "data" / "example.yaml").read_text(encoding="utf-8")
    text += (
        "  - id: second-draft\n"
        "    date: 2025-11-25\n"
        "    package: {territory: freeze_line, army_cap: 800000, alliance: renounce}\n"
        "    positions:\n"
        "      a: {territory: agreed, army_cap: agreed, alliance: open}\n"
        "      b: {territory: agreed, army_cap: rejected, alliance: agreed}\n"
        "      m: {territory: rejected, army_cap: agreed}\n"
    )
    path = tmp_path / "two-drafts.yaml"
    path.write_text(text, encoding="utf-8")
    run = zopa("timeline", str(path), "--json")
    assert run.returncode == 0, run.stderr
    entries = {e["draft"]: e for e in json.loads(run.stdout)["timeline"]}
    assert entries["first-draft"]["agreed"] == 0
    assert entries["second-draft"]["agreed"] == 1  # territory: a and b agree; m has no veto
    assert entries["second-draft"]["points"] == 3


def test_listing_the_scenarios_analyses_nothing() -> None:
    doc = json.loads(zopa("scenarios", "--json").stdout)
    assert "point_estimate" not in doc  # no scenario was analysed, at its means or otherwise


def test_the_entry_point_keeps_nothing_between_calls() -> None:
    """main() may run many times in one process (the test suite does): an uncertain
    scenario analysed at its means must not mark the next command's output."""
    from tests.cli import zopa as in_process

    uncertain = in_process("blockers", "--as-of", "2025-11-26", "--json")
    assert "point_estimate" in json.loads(uncertain.stdout)  # the built-in has distributions
    after = in_process("blockers", EXAMPLE, "--json", cwd=TESTS)
    assert "point_estimate" not in json.loads(after.stdout)
    assert after.stdout == zopa("blockers", EXAMPLE, "--json").stdout  # as a new process prints
    text = in_process("blockers", EXAMPLE, cwd=TESTS).stdout
    assert "point analysis" not in text
    # nor must a what-if: a command without the what-if options prints what it always prints
    whatif = in_process("blockers", EXAMPLE, "--drop", "a-army", "--json", cwd=TESTS)
    assert json.loads(whatif.stdout)["departures"]
    listed = in_process("scenarios", "--json")
    assert listed.stdout == zopa("scenarios", "--json").stdout
