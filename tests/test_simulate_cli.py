"""End-to-end: ``zopa simulate`` and ``zopa tournament`` as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.cli import zopa as run_zopa
from tests.cli import zopa_process
from zopa.load import load_scenario
from zopa.problem import SCALE, Problem
from zopa.report.explain import party_name

TESTS = Path(__file__).parent


def zopa(*args: str, cwd: Path = TESTS, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """Run the command; with a ``prelude`` (Python run first, to hide a module, say) in a
    new process."""
    if not prelude:
        return run_zopa(*args, cwd=cwd)
    run = zopa_process(*args, cwd=cwd, prelude=prelude)
    assert "Traceback" not in run.stderr + run.stdout
    return run


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example scenario without party b's army red line: a deal exists."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((TESTS / "data" / "example.yaml").read_text())
    data["red_lines"] = [r for r in data["red_lines"] if r["id"] != "b-army"]
    path = tmp_path_factory.mktemp("sim") / "small.json"
    path.write_text(json.dumps(data, default=str))
    return path


def check_document(doc: dict[str, Any], problem: Problem) -> None:
    """The JSON contract of ``zopa simulate --json``, and its internal consistency."""
    ids = [p.id for p in problem.parties]
    assert doc["outcome"] in ("agreement", "breakdown")
    assert set(doc) >= {"protocol", "outcome", "round", "agreement", "reason", "trace", "metrics"}
    for step in doc["trace"]:
        assert set(step) >= {"round", "proposer", "package", "utilities", "responses"}
        package = problem.package_indices(step["package"])
        assert None not in package
        assert problem.accepts(problem.party_index[step["proposer"]], package)
        assert step["utilities"] == {
            p: u / SCALE for p, u in zip(ids, problem.utility(package), strict=True)
        }
        for party, answer in step["responses"].items():
            assert answer in ("accept", "reject")
            if answer == "accept":
                assert problem.accepts(problem.party_index[party], package)
    if doc["outcome"] == "agreement":
        assert doc["agreement"] == doc["trace"][-1]["package"]
        assert problem.agreement_mask([problem.package_indices(doc["agreement"])])[0]
    else:
        assert doc["agreement"] is None
    assert doc["metrics"]["utilities"] == doc["utilities"]


# --------------------------------------------------------------------------- the built-in scenario


def _seats(doc: dict, strategy: str) -> list[tuple[dict, str]]:
    """Every (run, party) of a tournament document where ``strategy`` held the seat."""
    return [(r, p) for r in doc["results"] for p, s in r["assignment"].items() if s == strategy]


@pytest.mark.parametrize("protocol", ["alternating", "single-text"])
def test_the_built_in_scenario_runs_under_both_protocols(protocol: str) -> None:
    run = zopa("simulate", "--protocol", protocol, "--rounds", "12", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    problem, _ = Problem.for_draft(load_scenario(None))
    check_document(doc, problem)
    assert doc["protocol"] == protocol
    blockers = json.loads(zopa("blockers", "--json").stdout)
    assert doc["metrics"]["feasible"] == blockers["feasible"]
    if not blockers["feasible"]:
        assert doc["outcome"] == "breakdown" and doc["round"] == 12
    if protocol == "single-text":
        mediator = next(p.id for p in problem.parties if not p.veto)
        assert doc["parameters"]["mediator"] == mediator
        assert {s["proposer"] for s in doc["trace"]} == {mediator}
        for step in doc["trace"]:
            rejecting = {q for q, a in step["responses"].items() if a == "reject"}
            assert set(step["objections"]) == rejecting
    else:
        order = [p.id for p in problem.parties]
        assert [s["proposer"] for s in doc["trace"][: len(order)]] == order


def test_seeded_runs_print_the_same_document(small: Path) -> None:
    args = ["simulate", str(small), "--strategy", "*=random", "--rounds", "8", "--json"]
    first, again = zopa(*args, "--seed", "7"), zopa(*args, "--seed", "7")
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout


def test_text_report_and_strategies_per_party(small: Path) -> None:
    run = zopa(
        "simulate",
        str(small),
        "--strategy",
        "a=boulware:beta=0.3",
        "--strategy",
        "*=conceder",
        "--rounds",
        "10",
    )
    assert run.returncode == 0, run.stderr
    names = [party_name(Problem(load_scenario(small)), p) for p in ("a", "b", "m")]
    # parties by their names (the JSON below keeps the ids)
    assert f"{names[0]} boulware:beta=0.3; {names[1]} conceder; {names[2]} conceder" in " ".join(
        run.stdout.split()
    )
    assert "Agreement in round" in run.stdout or "Breakdown after round" in run.stdout
    doc = json.loads(
        zopa("simulate", str(small), "--strategy", "a=boulware:beta=0.3", "--json").stdout
    )
    assert doc["strategies"] == {"a": "boulware:beta=0.3", "b": "linear", "m": "linear"}
    check_document(doc, Problem(load_scenario(small)))


def test_a_settings_file_and_options_that_win_over_it(small: Path, tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text(
        "protocol: single-text\nrounds: 9\nseed: 3\nstep: 0.3\n"
        "strategies:\n  a: hardliner\n  '*': conceder\n"
    )
    doc = json.loads(
        zopa("simulate", str(small), "--config", str(config), "--rounds", "5", "--json").stdout
    )
    assert doc["protocol"] == "single-text"
    assert doc["parameters"]["rounds"] == 5 and doc["parameters"]["seed"] == 3
    assert doc["parameters"]["step"] == 0.3 and doc["parameters"]["mediator"] == "m"
    args = ["--protocol", "single-text:step=0.5,start=fair", "--json"]
    doc = json.loads(zopa("simulate", str(small), "--config", str(config), *args).stdout)
    assert (doc["parameters"]["step"], doc["parameters"]["start"]) == (0.5, "fair")
    assert doc["strategies"] == {"a": "hardliner", "b": "conceder", "m": "conceder"}


def test_protocol_on_the_command_line_wins_over_the_settings_file(
    small: Path, tmp_path: Path
) -> None:
    """The file's own protocol's parameters are set aside with a note; others still fail."""
    config = tmp_path / "settings.yaml"
    config.write_text("protocol: single-text\nrounds: 7\nstep: 0.2\nmediator: m\n")
    run = zopa(
        "simulate", str(small), "--config", str(config), "--protocol", "alternating", "--json"
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["protocol"] == "alternating" and doc["parameters"]["rounds"] == 7
    assert "step" not in doc["parameters"] and "mediator" not in doc["parameters"]
    assert run.stderr.splitlines() == [
        f"{config}:3:1: note: 'step' is a setting of single-text, ignored under "
        "--protocol alternating",
        f"{config}:4:1: note: 'mediator' is a setting of single-text, ignored under "
        "--protocol alternating",
    ]
    # the set-aside settings are still checked, and typos are still errors
    config.write_text("protocol: single-text\nstep: 2\nstpe: 0.1\n")
    run = zopa("simulate", str(small), "--config", str(config), "--protocol", "alternating")
    assert run.returncode == 1
    assert f"{config}:2:7: step: 2 is above the maximum 1" in run.stderr
    assert f"{config}:3:1: unknown key 'stpe'; did you mean 'step'?" in run.stderr
    # a file that names no protocol is checked against the protocol used
    config.write_text("step: 0.2\n")
    run = zopa("simulate", str(small), "--config", str(config), "--protocol", "alternating")
    assert run.returncode == 1 and f"{config}:1:1: unknown key 'step'" in run.stderr
    run = zopa("simulate", str(small), "--config", str(config), "--protocol", "single-text")
    assert run.returncode == 0, run.stderr


def test_the_text_trace_shows_each_package_compactly(small: Path) -> None:
    from zopa.load import load_scenario
    from zopa.problem import Problem
    from zopa.report.explain import choice

    problem = Problem(load_scenario(str(small)))
    who = {p.id: party_name(problem, p.id) for p in problem.parties}
    proposer = "|".join(re.escape(n) for n in who.values())
    run = zopa("simulate", str(small), "--rounds", "8")  # 24 proposals: none left out
    assert run.returncode == 0, run.stderr
    doc = json.loads(zopa("simulate", str(small), "--rounds", "8", "--json").stdout)
    lines = run.stdout.splitlines()
    start = lines.index(next(x for x in lines if x.startswith("Packages: ")))
    shown: list[str] = []  # one entry per proposal, wrapped lines joined back
    for line in lines[start + 2 :]:
        if not line.startswith("  "):
            break
        if re.match(rf"  \s*\d+(–\d+)? ({proposer}): ", line):
            shown.append(line.strip())
        else:
            shown[-1] += " " + line.strip()

    def listed(package: dict[str, object]) -> str:
        return "; ".join(choice(problem, i, o) for i, o in package.items())

    first, seen, checked = doc["trace"][0], {}, 0
    assert f"1 {who[first['proposer']]}: {listed(first['package'])}" in shown
    for step in doc["trace"]:  # every change of a proposer's package is listed
        before = seen.get(step["proposer"])
        seen[step["proposer"]] = step["package"]
        if before is None or before == step["package"]:
            continue
        changed = {i: o for i, o in step["package"].items() if before[i] != o}
        assert f"{step['round']} {who[step['proposer']]}: {listed(changed)}" in shown
        checked += 1
    assert checked
    assert not re.search(r"\w=\d", run.stdout)  # never army_cap=800000: 800,000 personnel


# --------------------------------------------------------------------------- plots


def test_plots_are_real_files(small: Path, tmp_path: Path) -> None:
    png, svg, html = tmp_path / "s.png", tmp_path / "s.svg", tmp_path / "s.html"
    for path in (png, svg, html):
        run = zopa("simulate", str(small), "--rounds", "10", "--plot", str(path))
        assert run.returncode == 0, run.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    text = html.read_text()
    assert "Plotly.newPlot" in text
    assert '<script src="http' not in text  # plotly.js is inlined: opens offline
    assert not list(tmp_path.glob(".*.tmp"))


def test_plot_without_the_charts_extra_is_a_usage_error(small: Path, tmp_path: Path) -> None:
    hide = "import sys; sys.modules['plotly'] = None"
    run = zopa("simulate", str(small), "--plot", str(tmp_path / "x.png"), prelude=hide)
    assert run.returncode == 2
    assert "pip install 'zopa[charts]'" in run.stderr
    assert not (tmp_path / "x.png").exists()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "zz=linear"], "unknown party 'zz'"),
        (["--strategy", "a=bolware"], "did you mean 'boulware'"),
        (["--strategy", "a=linear:beta=-1"], "below the minimum"),
        (["--protocol", "shouting"], "--protocol: 'shouting' is not one of"),
        (["--protocol", "single-text:stp=1"], "did you mean 'step'"),
        (["--protocol", "single-text:step"], "write parameters as KEY=VALUE"),
        (["--mediator", "m"], "--mediator: applies to the single-text protocol only"),
        (["--protocol", "single-text", "--mediator", "zz"], "no party 'zz'"),
        (["--rounds", "0"], "rounds: give a number from 1"),
        (["--discount", "1.5"], "discount: give a factor in (0, 1]"),
        (["--seed", "-1"], "--seed: give a number 0 or more"),
        (["--plot", "x.txt"], "--plot: x.txt must end in"),
        (["--strategy", "a=linear", "--strategy", "a=hardliner"], "party 'a' is given twice"),
    ],
)
def test_usage_errors_exit_2(small: Path, args: list[str], message: str) -> None:
    run = zopa("simulate", str(small), *args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr


def test_every_party_with_a_veto_needs_a_named_mediator(tmp_path: Path) -> None:
    run = zopa("simulate", "data/example.yaml", "--protocol", "single-text", "--mediator", "a")
    assert run.returncode == 0, run.stderr
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((TESTS / "data" / "example.yaml").read_text())
    data["parties"] = [p for p in data["parties"] if p["id"] != "m"]
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data, default=str))
    run = zopa("simulate", str(path), "--protocol", "single-text")
    assert run.returncode == 2
    assert "every party has a veto; name the mediator" in run.stderr


def test_a_bad_settings_file_is_reported_by_line(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("rounds: many\nstrategies:\n  a: linear:bta=1\n")
    run = zopa("simulate", "data/example.yaml", "--config", str(config))
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"{config}:1:9: rounds: give a whole number from 1 to 1000, got 'many'",
        f"{config}:3:6: linear has no parameter 'bta'; did you mean 'beta'? "
        "(parameters: accept, model, beta, k)",
    ]
    config.write_text("strategies:\n  zz: linear\n")
    run = zopa("simulate", "data/example.yaml", "--config", str(config))
    assert run.returncode == 1
    assert run.stderr.strip() == f"{config}:2:3: no party 'zz' (parties: a, b, m)"


# --------------------------------------------------------------------------- tournament


def tournament(small: Path, *extra: str) -> dict[str, Any]:
    run = zopa(
        "tournament",
        str(small),
        "--strategies",
        "linear,hardliner:accept=ac_next",
        "--rounds",
        "6",
        "--json",
        *extra,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_tournament_plays_every_assignment_and_ranks_consistently(small: Path) -> None:
    doc = tournament(small, "--processes", "1")
    labels = ["linear", "hardliner:accept=ac_next"]
    assert doc["strategies"] == labels
    assert doc["runs"] == 2**3 == len(doc["results"])
    assignments = {tuple(r["assignment"].values()) for r in doc["results"]}
    assert len(assignments) == 8 and {x for a in assignments for x in a} == set(labels)
    problem = Problem(load_scenario(small))
    for result in doc["results"]:
        if result["outcome"] == "agreement":  # every veto party got its reservation or more
            for k in problem.veto_parties:
                party = problem.parties[k]
                assert result["utilities"][party.id] >= party.reservation
    for row in doc["ranking"]:  # recompute each row from the results
        seats = _seats(doc, row["strategy"])
        assert row["seats"] == len(seats) == 12
        assert row["mean_utility"] == pytest.approx(
            sum(r["utilities"][p] for r, p in seats) / len(seats)
        )
        deals = [r["outcome"] == "agreement" for r, _ in seats]
        assert row["agreement_rate"] == pytest.approx(sum(deals) / len(deals))
    assert [row["rank"] for row in doc["ranking"]] == [1, 2]
    utilities = [row["mean_utility"] for row in doc["ranking"]]
    assert utilities == sorted(utilities, reverse=True)


def test_tournament_results_do_not_depend_on_the_executor(small: Path) -> None:
    serial = tournament(small, "--processes", "1")
    assert tournament(small, "--processes", "2") == serial
    assert tournament(small, "--workers", "1") == serial  # a local Dask cluster


def test_a_tournament_run_replays_with_simulate(small: Path) -> None:
    doc = tournament(small, "--processes", "1")
    result = doc["results"][5]
    args = ["simulate", str(small), "--rounds", "6", "--seed", str(result["seed"]), "--json"]
    for party, label in result["assignment"].items():
        args += ["--strategy", f"{party}={label}"]
    replay = json.loads(zopa(*args).stdout)
    assert replay["outcome"] == result["outcome"]
    assert replay["round"] == result["round"]
    assert replay["utilities"] == result["utilities"]


def test_tournament_usage_errors(small: Path) -> None:
    run = zopa("tournament", str(small))
    assert run.returncode == 2 and "--strategies: give the strategies to compare" in run.stderr
    run = zopa(
        "tournament", str(small), "--strategies", "linear", "--workers", "1", "--scheduler", "x"
    )
    assert run.returncode == 2 and "not both" in run.stderr
    run = zopa("tournament", str(small), "--strategies", "linear,bolware")
    assert run.returncode == 2 and "did you mean 'boulware'" in run.stderr


def test_a_discounted_tournament_ranks_on_the_discounted_utilities(small: Path) -> None:
    """With --discount, each run's utilities are those `zopa simulate` reports as
    discounted_utilities on replay; the undiscounted ones are kept beside them."""
    doc = tournament(small, "--processes", "1", "--discount", "0.9")
    assert doc["parameters"]["discount"] == 0.9
    late = [r for r in doc["results"] if r["outcome"] == "agreement" and r["round"] > 1]
    assert late, "the test needs an agreement after round 1"
    for result in doc["results"]:
        args = ["simulate", str(small), "--rounds", "6", "--discount", "0.9"]
        args += ["--seed", str(result["seed"]), "--json"]
        for party, label in result["assignment"].items():
            args += ["--strategy", f"{party}={label}"]
        replay = json.loads(zopa(*args).stdout)
        assert (replay["outcome"], replay["round"]) == (result["outcome"], result["round"])
        assert result["utilities"] == replay["metrics"]["discounted_utilities"]
        assert result["undiscounted_utilities"] == replay["utilities"]
    for r in late:  # a late deal is worth less
        assert all(
            r["utilities"][p] < r["undiscounted_utilities"][p]
            for p in r["utilities"]
            if r["undiscounted_utilities"][p] > 0
        )
    for row in doc["ranking"]:  # the ranking averages the discounted utilities
        seats = _seats(doc, row["strategy"])
        assert row["mean_utility"] == pytest.approx(
            sum(r["utilities"][p] for r, p in seats) / len(seats)
        )
        assert row["mean_undiscounted_utility"] == pytest.approx(
            sum(r["undiscounted_utilities"][p] for r, p in seats) / len(seats)
        )
    utilities = [row["mean_utility"] for row in doc["ranking"]]
    assert utilities == sorted(utilities, reverse=True)
    undiscounted = tournament(small, "--processes", "1")
    for result in undiscounted["results"]:
        assert result["utilities"] == result["undiscounted_utilities"]


def test_a_tournament_says_as_of_which_date(small: Path) -> None:
    doc = tournament(small, "--processes", "1")
    simulated = json.loads(zopa("simulate", str(small), "--rounds", "2", "--json").stdout)
    assert doc["as_of"] == simulated["as_of"] == "2025-11-20"
    assert doc["as_of_by_scenario"] == {"example": "2025-11-20"}
    run = zopa("tournament", str(small), "--strategies", "linear", "--rounds", "2")
    assert run.returncode == 0, run.stderr
    said = " ".join(run.stdout.split())
    # the scenario by its title (the JSON keeps its id)
    assert "Tournament on Two parties, three issues as of 2025-11-20: 1 runs" in said
    assert "example" not in said


def test_a_tournament_takes_its_entrants_from_a_settings_file(small: Path, tmp_path: Path) -> None:
    config = tmp_path / "entrants.yaml"
    config.write_text("rounds: 4\nstrategies: [linear, 'hardliner:accept=ac_next']\n")
    run = zopa("tournament", str(small), "--config", str(config), "--processes", "1", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["strategies"] == ["linear", "hardliner:accept=ac_next"]
    assert doc["parameters"]["rounds"] == 4 and doc["runs"] == 8
    run = zopa("simulate", str(small), "--config", str(config))
    assert run.returncode == 2 and "a list of strategies is for zopa tournament" in run.stderr
