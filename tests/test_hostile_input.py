"""Inputs built to break zopa: deep nesting, endless files, numbers no solver can hold.

Each test runs the real ``zopa`` command and checks that it answers with a
clean ``FILE:LINE:COL`` error and exit code 1 (never a signal, a traceback or
"internal error"), that ``check`` and ``analyze`` agree, and that a refused
input of up to 1 MB stays small in memory (limits are checked before any
parser or solver sees the data; docs/reference/limits.md).  Speed is measured
in bench/robust_bench.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from zopa.limits import MAX_FILE_BYTES
from zopa.load import ScenarioError, parse_scenario

ZOPA = [sys.executable, "-m", "zopa.cli"]
BAD = Path(__file__).parent / "bad"
MB = 1024 * 1024

HEAD = """format: zopa/1
id: hostile
issues:
  - id: zone
    options: [north, south, east]
  - id: cap
    range: {min: 0, max: 100, step: 10}
parties:
  - id: a
    weights: {zone: 2, cap: 1}
    values:
      zone: {north: 1, south: 0.5, east: 0}
      cap: {0: 0, 100: 1}
  - id: b
    weights: {zone: 1, cap: 1}
    values:
      zone: {north: 0, south: 1, east: 0.5}
      cap: {0: 1, 100: 0}
"""


def run(args: list[str], stdin: str | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one ``zopa`` process."""
    done = subprocess.run(
        [*ZOPA, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120
    )
    return done.returncode, done.stdout, done.stderr


# Runs a command and reports its peak memory from a small parent, so that the figure is the
# command's own (a child forked from pytest would count pytest's memory before its exec).
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
output = proc.stdout.read()
_, status, usage = os.wait4(proc.pid, 0)
sys.stdout.buffer.write(output)
sys.stderr.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def measured(args: list[str], cwd: Path | None = None) -> tuple[int, str, int]:
    """Exit code, stdout+stderr and the peak memory (KB) of one ``zopa`` process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *ZOPA, *args],
        capture_output=True,
        cwd=cwd,
        timeout=300,
    )
    code, peak = done.stderr.decode().split()
    return int(code), done.stdout.decode(), int(peak)


def assert_clean(code: int, output: str) -> None:
    assert code == 1, output
    assert "Traceback" not in output and "internal error" not in output, output


NESTED = {
    "lists": "meta: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "mappings": "meta: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n",
    "compact-lists": "meta:\n" + "- " * 50_000 + "x\n",
    "block-mappings": "meta:\n" + "".join(" " * k + f"k{k}:\n" for k in range(1, 1_400)),
    # a graph model is told from a scenario by reading it: that read is bounded too
    "graph-model": "format: zopa-gmcr/1\nmeta: " + "[" * 50_000 + "]" * 50_000 + "\n",
}


@pytest.mark.parametrize("kind", sorted(NESTED))
@pytest.mark.parametrize("command", ["check", "analyze"])
def test_deep_nesting_is_refused_cheaply_never_a_crash(
    kind: str, command: str, tmp_path: Path
) -> None:
    """50,000 levels used to kill the C YAML loader (exit 139); now a message, in little memory."""
    path = tmp_path / f"{kind}.yaml"
    path.write_text(NESTED[kind])
    assert path.stat().st_size <= MB
    code, output, peak_kb = measured([command, str(path)])
    assert_clean(code, output)
    assert f"{path}:" in output and "nested more than 100 levels deep" in output
    assert peak_kb < 200 * 1024


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    """98 levels under meta (plus the top mapping and meta's own list) is within the limit."""
    text = HEAD + "meta: " + "[" * 99 + "]" * 99 + "\n"
    assert parse_scenario(text).meta is not None
    with pytest.raises(ScenarioError, match="nested more than 100"):
        parse_scenario(HEAD + "meta: " + "[" * 100 + "]" * 100 + "\n")


def test_a_device_without_end_is_read_only_up_to_the_limit() -> None:
    code, output, peak_kb = measured(["check", "/dev/zero"])
    assert_clean(code, output)
    assert f"/dev/zero:1:1: the file is more than {MAX_FILE_BYTES:,} bytes" in output
    assert peak_kb < 200 * 1024


def test_a_pipe_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with open(fifo, "wb") as out:
                chunk = b"# " + b"x" * 65_534 + b"\n"
                for _ in range(MAX_FILE_BYTES // len(chunk) + 10):
                    out.write(chunk)
        except BrokenPipeError:
            pass  # the reader stopped at the limit, as it should

    writer = threading.Thread(target=feed)
    writer.start()
    code, output, _ = measured(["check", str(fifo)])
    writer.join(timeout=60)
    assert_clean(code, output)
    assert "the file is more than 10,485,760 bytes; the limit is 10,485,760" in output


def test_standard_input_is_a_file_like_any_other() -> None:
    code, out, err = run(["check", "/dev/stdin"], stdin=HEAD)
    assert code == 0, err
    assert "/dev/stdin: OK: scenario 'hostile'" in out


def test_many_values_are_refused_early_with_the_right_reason(tmp_path: Path) -> None:
    """A 10 MB file of 480,000 keys: refused for its size in values, not blamed on aliases."""
    path = tmp_path / "keys.yaml"
    lines = [HEAD, "meta:\n"]
    lines += [f"  key{i:07d}: {i}\n" for i in range(480_000)]
    path.write_text("".join(lines))
    assert 9 * MB < path.stat().st_size <= MAX_FILE_BYTES
    code, output, peak_kb = measured(["check", str(path)])
    assert_clean(code, output)
    assert "the file has more than 500,000 values" in output
    assert "alias" not in output
    assert peak_kb < 400 * 1024


def test_an_error_at_the_end_of_a_big_file_is_found_in_one_pass(tmp_path: Path) -> None:
    """Errors no longer send a file through a second, position-keeping parse."""
    path = tmp_path / "big.yaml"
    rows = "".join(f"  k{i}: [{i}, {i + 1}, text {i}]\n" for i in range(90_000))
    path.write_text(HEAD + "meta:\n" + rows + "drafts:\n  - id: d\n    package: {cap: 55}\n")
    assert path.stat().st_size > 3 * MB
    code, output, _ = measured(["check", str(path)])
    assert_clean(code, output)
    line = HEAD.count("\n") + 1 + 90_000 + 3
    assert f"{path}:{line}:20: 55 is not an option of numeric issue 'cap'" in output


NUMBER_FILES = [
    "number-inf.yaml",
    "number-overflows-double.yaml",
    "number-too-many-digits.yaml",
    "weight-bool.yaml",
    "number-nan.yaml",
    "number-inexact.yaml",
    "number-too-large.yaml",
    "rule-number-too-many-digits.yaml",
]


def test_check_and_analyze_agree_on_numbers_no_solver_can_hold() -> None:
    """These used to pass `check` and crash `analyze` ("Invalid literal for Fraction").

    `check` runs on all of them; `analyze` (one process each) on the four of the report.
    """
    code, checked, _ = run(["check", *NUMBER_FILES], cwd=BAD)
    assert code == 1
    for name in NUMBER_FILES:
        expected = (BAD / name).with_suffix(".expected").read_text().splitlines()
        assert [line for line in checked.splitlines() if line.startswith(f"{name}:")] == expected
    for name in NUMBER_FILES[:4]:
        expected = (BAD / name).with_suffix(".expected").read_text().splitlines()
        assert [line for line in checked.splitlines() if line.startswith(f"{name}:")] == expected
        code, out, err = run(["analyze", name], cwd=BAD)
        assert_clean(code, out + err)
        assert err.splitlines() == expected, name


def utility_rule(threshold: str, op: str) -> str:
    return HEAD + f"red_lines:\n  - id: r\n    party: a\n    rule: utility(b) {op} {threshold}\n"


@pytest.mark.parametrize(
    ("huge", "small"),
    [
        ("12800000000", "2"),
        ("-12800000000", "-1"),
        ("9" * 100, "1.5"),
    ],
)
@pytest.mark.parametrize("op", ["<=", "<", ">=", ">", "==", "!="])
def test_utility_thresholds_beyond_64_bits_mean_what_they_say(
    huge: str, small: str, op: str
) -> None:
    """``utility(b) <= 12800000000`` overflowed the solver; now it is exactly 'always true'.

    Utilities lie in [0, 1], so a threshold beyond them decides each comparison
    as a nearby one outside [0, 1] does: the two scenarios give the same answers.
    """
    from zopa.engine.blockers import blockers
    from zopa.engine.solutions import solve
    from zopa.problem import Problem

    answers = []
    for threshold in (huge, small):
        problem = Problem(parse_scenario(utility_rule(threshold, op)))
        found = blockers(problem).to_json()
        solved = solve(problem)
        answers.append(
            (
                {k: found[k] for k in ("feasible", "conflicts", "concessions")},
                {c: s.value for c, s in solved.solutions.items()} if solved.feasible else None,
            )
        )
    assert answers[0] == answers[1]


def test_a_huge_utility_threshold_analyses_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(utility_rule("12800000000", "<="))
    code, out, err = run(["analyze", str(path), "--json"])
    assert code == 0, err
    assert json.loads(out)["scenario"] == "hostile"


def test_rules_nested_to_the_documented_limit_analyse(tmp_path: Path) -> None:
    rules = [
        "not " * 100 + "zone == north",
        "(" * 100 + "zone == north or cap >= 50" + ")" * 100,
        "not (" * 50 + "cap >= 50" + ")" * 50,
    ]
    lines = "".join(
        f"  - id: r{k}\n    party: a\n    rule: {json.dumps(rule)}\n"
        for k, rule in enumerate(rules)
    )
    path = tmp_path / "nested.yaml"
    path.write_text(HEAD + "red_lines:\n" + lines)
    code, out, err = run(["analyze", str(path), "--json"])
    assert code == 0, err
    assert json.loads(out)["scenario"] == "hostile"


def test_yaml_anchors_and_merge_keys_keep_working() -> None:
    text = """format: zopa/1
id: merged
issues:
  - id: zone
    options: [north, south]
parties:
  - &base
    id: a
    weights: {zone: 1}
    values: {zone: {north: 1, south: 0}}
  - <<: *base
    id: b
    values: {zone: {north: 0, south: 1}}
"""
    a, b = parse_scenario(text).parties
    assert (a.id, b.id) == ("a", "b")
    assert b.weights == a.weights and b.values["zone"] == {"north": 0, "south": 1}


def test_a_nul_byte_is_reported_where_it_is() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario("format: zopa/1\nid: x\ntitle: a\x00b\n", "f.yaml")
    assert str(err.value) == (
        "f.yaml:3:9: the file contains the control character U+0000 (NUL), "
        "which YAML does not allow; remove it"
    )


def test_the_limits_page_states_the_limits_the_code_checks() -> None:
    """docs/reference/limits.md is the one place: every limit of zopa.limits is on it."""
    from zopa import limits
    from zopa.simulate.run import MAX_ROUNDS

    page = (Path(__file__).parent.parent / "docs" / "reference" / "limits.md").read_text()
    stated = {
        "MAX_FILE_BYTES": f"{limits.MAX_FILE_BYTES:,}",
        "MAX_WEB_BYTES": f"{limits.MAX_WEB_BYTES:,}",
        "MAX_INTEROP_BYTES": f"{limits.MAX_INTEROP_BYTES // 2**20} MB",
        "MAX_DEPTH": f"{limits.MAX_DEPTH} levels",
        "MAX_VALUES": f"{limits.MAX_VALUES:,}",
        "MAX_INTEGER": f"{limits.MAX_INTEGER + 1:,}",
        "MAX_MAGNITUDE": "10^15",
        "EXACT_DIGITS": f"{limits.EXACT_DIGITS} significant digits",
        "MAX_OPTIONS": f"{limits.MAX_OPTIONS:,}",
        "MAX_RULE_DEPTH": f"{limits.MAX_RULE_DEPTH} levels",
        "MAX_RULE_DIGITS": f"at most {limits.MAX_RULE_DIGITS} digits",
        "MAX_SAMPLES": f"1 to {limits.MAX_SAMPLES:,} samples",
        "MAX_REPEATS": f"1 to {limits.MAX_REPEATS:,}",
        "MAX_TERMS": f"{limits.MAX_TERMS:,} terms",
        "MAX_ACTORS": f"{limits.MAX_ACTORS} actors",
        "MAX_BDM_CELLS": f"{limits.MAX_BDM_CELLS:,}",
    }
    assert limits.MAX_MAGNITUDE == 10**15
    assert set(stated) == {n for n in dir(limits) if n.isupper()}
    for name, text in stated.items():
        assert text in page, (name, text)
    assert f"1 to {MAX_ROUNDS:,} (about" in page


@pytest.mark.parametrize(
    ("command", "limit"),
    [
        (["audit", "--terms"], MAX_FILE_BYTES),
        (["forecast", "--actors"], MAX_FILE_BYTES),
        (["fair", "--points"], MAX_FILE_BYTES),
        (["simulate", "--config"], MAX_FILE_BYTES),
        (["analyze", "--whatif"], 1_000_000),
    ],
)
def test_every_file_an_option_names_is_read_under_a_limit(command: list[str], limit: int) -> None:
    """``audit --terms /dev/zero`` read until memory ran out; every option's file is bounded."""
    code, output, peak_kb = measured([*command, "/dev/zero"])
    assert_clean(code, output)
    assert f"/dev/zero:1:1: the file is more than {limit:,} bytes" in output
    assert peak_kb < 200 * 1024


def test_a_terms_file_is_an_input_like_any_other(tmp_path: Path) -> None:
    """It was read whole, any size; a bad one was a usage error without a position."""
    from zopa.limits import MAX_TERMS

    terms = tmp_path / "terms.txt"
    terms.write_text("# loaded words\n" + "".join(f"word{i}*\n" for i in range(MAX_TERMS + 1)))
    code, _, err = run(["audit", "--terms", str(terms)])
    assert code == 1, err
    line = MAX_TERMS + 2
    assert f"{terms}:{line}:1: more than {MAX_TERMS:,} terms; the limit is {MAX_TERMS:,}" in err
    terms.write_bytes(b"regime\n\xff\n")
    code, _, err = run(["audit", "--terms", str(terms)])
    assert code == 1 and f"{terms}:2:1: the file is not valid UTF-8" in err, err
    assert "Traceback" not in err


def _actors(path: Path, n: int) -> Path:
    rows = "".join(f"a{i},{1 + i % 7},{i % 11},{10 + i % 5}\n" for i in range(n))
    path.write_text("actor,capability,position,salience\n" + rows)
    return path


def test_forecast_work_is_bounded_before_it_starts(tmp_path: Path) -> None:
    """1,000 actors took 5.5 GB in bdm (a cube of votes); 100 ran for minutes."""
    from zopa.limits import MAX_ACTORS, MAX_BDM_CELLS
    from zopa.models import forecast as fc

    table = _actors(tmp_path / "many.csv", MAX_ACTORS + 1)
    code, out, err = run(["forecast", "--actors", str(table), "--model", "median"])
    assert code == 1, err
    line = MAX_ACTORS + 2  # the header, then the first actor beyond the limit
    assert f"{table}:{line}:1: more than {MAX_ACTORS} actors" in err
    n = 51
    most = MAX_BDM_CELLS // n**3
    table = _actors(tmp_path / "fifty-one.csv", n)
    code, out, err = run(["forecast", "--actors", str(table), "--model", "bdm"])
    assert code == 2, err
    assert f"bdm on {n} actors can take at most {most} samples" in err
    code, out, err = run(["forecast", "--actors", str(table), "--model", "bdm", "--no-sensitivity"])
    assert code == 0 and "Forecast for the actor table (expected-utility model)" in out, err
    actors = fc.read_actors(_actors(tmp_path / "all.csv", MAX_ACTORS))
    with pytest.raises(ValueError, match=f"the limit is {MAX_ACTORS}"):
        fc.run([*actors, fc.Actor("one-more", actors[0].capability, 1, 50)], "compromise")


def _many_parties(n: int) -> str:
    parties = "".join(
        f"  - {{id: p{k}, weights: {{cap: 1}}, values: {{cap: {{0: {k % 7 / 7:.3f}, 100: 1}}}}}}\n"
        for k in range(n)
    )
    issues = "issues:\n  - {id: cap, range: {min: 0, max: 100, step: 1}}\n"
    return "format: zopa/1\nid: many\n" + issues + "parties:\n" + parties


def test_the_overview_of_forecasts_stays_within_the_forecast_limits(tmp_path: Path) -> None:
    """analyze on 60 parties with a numeric issue said "internal error" (bdm's sensitivity
    limit, raised inside the overview) before the overview kept to the limits."""
    from zopa.limits import MAX_ACTORS, MAX_BDM_CELLS
    from zopa.models.bdm import VARIANTS
    from zopa.models.forecast import forecasts_for

    n = 60
    (overview,) = forecasts_for(parse_scenario(_many_parties(n)), rounds=1)
    document = overview.to_json()
    assert document["compromise"]["sensitivity"]["samples"] == 200
    drawn = document["bdm"]["sensitivity"]["samples"]
    assert drawn == (MAX_BDM_CELLS // n**3) * len(VARIANTS)  # every draw under every reading
    (beyond,) = forecasts_for(parse_scenario(_many_parties(MAX_ACTORS + 1)), rounds=1)
    assert beyond.forecasts == {} and str(MAX_ACTORS + 1) in (beyond.left_out or "")
    path = tmp_path / "many.yaml"
    path.write_text(_many_parties(n))
    code, out, err = run(["analyze", str(path), "--time-limit", "5", "--json"])
    assert code in (0, 3), err
    assert "internal error" not in err
    assert json.loads(out)["forecasts"][0]["issue"] == "cap"


def test_an_issue_beyond_the_forecast_limit_is_said_to_be_left_out(tmp_path: Path) -> None:
    """The overview left such an issue out without a word; it now says so, in text and JSON."""
    from zopa.limits import MAX_ACTORS

    path = tmp_path / "crowd.yaml"
    path.write_text(_many_parties(MAX_ACTORS + 1))
    code, out, err = run(["analyze", str(path), "--time-limit", "5"])
    assert code in (0, 3), err
    n = MAX_ACTORS + 1
    said = f"cap: left out ({n} actors; zopa forecast answers for at most {MAX_ACTORS})"
    assert said in " ".join(out.split())
    code, out, err = run(["analyze", str(path), "--time-limit", "5", "--json"])
    (entry,) = json.loads(out)["forecasts"]
    assert entry["issue"] == "cap" and "compromise" not in entry
    assert entry["left_out"].startswith(f"{MAX_ACTORS + 1} actors")


def test_the_forecast_page_says_which_issue_it_left_out(tmp_path: Path) -> None:
    from tests.webserver import running_server
    from zopa.limits import MAX_ACTORS

    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "crowd.yaml").write_text(_many_parties(MAX_ACTORS + 1))
    with running_server(tmp_path) as base:
        page = httpx.get(f"{base}/s/crowd/forecast", timeout=120)
    assert page.status_code == 200, page.text
    assert f"cap: left out ({MAX_ACTORS + 1} actors;" in page.text
    assert "No numeric point has positions" not in page.text
