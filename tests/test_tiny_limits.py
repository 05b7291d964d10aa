"""Every command under tiny limits prints only what it proved, and says what is missing.

Each command runs for real (``zopa ... --json``) with ``--limit 1`` or
``--time-limit 0.001`` on two small scenarios, one with a deal and one without,
and everything it prints is checked against brute-force enumeration: a
conflict is a true conflict, a concession a true concession, a package is in
the agreement set with the utilities printed, "optimal" and "complete" are
true claims.  When something is missing the output says so and the exit code
is 3; when nothing is, it is 0.  (With a tiny time limit either can happen.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from tests import brute
from tests.test_right_or_silent import opposed
from zopa.engine.solutions import objective_value
from zopa.load import load_scenario
from zopa.problem import SCALE, Problem

ZOPA = [sys.executable, "-m", "zopa.cli"]

DEAL = opposed(4, 3).replace(
    "red_lines:",
    "drafts:\n  - {id: d, package: {i0: o0, i1: o2, i2: o0, i3: o1}}\nred_lines:\n"
    "  - {id: u, party: b, rule: 'utility(a) <= 0.8'}",
)
NO_DEAL = """format: zopa/1
id: stuck
issues:
  - {id: zone, options: [north, south, east]}
  - {id: cap, range: {min: 0, max: 40, step: 10}}
  - {id: level, ordered: true, options: [low, mid, high]}
parties:
  - {id: a, weights: {zone: 1, cap: 1}, values: {zone: {north: 1, south: 0, east: 0.5},
     cap: {0: 0, 40: 1}}, reservation: 0.3}
  - {id: b, weights: {zone: 1, level: 1}, values: {zone: {north: 0, south: 1, east: 0.5},
     level: {low: 0, mid: 0.5, high: 1}}, reservation: 0.3}
red_lines:
  - {id: a1, party: a, rule: zone == north}
  - {id: a2, party: a, rule: cap >= 30}
  - {id: a3, party: a, rule: level <= mid}
  - {id: b1, party: b, rule: zone != north}
  - {id: b2, party: b, rule: cap <= 20}
  - {id: b3, party: b, rule: level >= high or zone == south}
drafts:
  - {id: d, package: {zone: east, cap: 20, level: mid}}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    out = {}
    for name, text in (("deal", DEAL), ("stuck", NO_DEAL)):
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(text)
    return out


def run(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run([*ZOPA, *args, "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 3), done.stderr
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)


def problem_of(path: Path) -> Problem:
    problem, _ = Problem.for_draft(load_scenario(path))
    return problem


def check_blockers(problem: Problem, doc: dict[str, Any]) -> bool:
    """Everything printed is true; returns whether the document claims completeness."""
    muses, mcses = brute.muses_and_mcses(problem)
    X, _ = brute.agreement(problem)
    assert doc["feasible"] == (len(X) > 0)
    assert all(c in muses for c in doc["conflicts"])
    assert all(c in mcses for c in doc["concessions"])
    size = doc.get("concessions_complete_up_to_size")
    if size is not None:  # every concession up to that size is listed
        assert [c for c in mcses if len(c) <= size] == [
            c for c in doc["concessions"] if len(c) <= size
        ]
    if doc["conflicts_complete"]:
        assert doc["conflicts"] == muses
    if doc["concessions_complete"]:
        assert doc["concessions"] == mcses
    if doc["conflicts"]:
        named = {i for c in doc["conflicts"] for k in c for i in constraint_issues(problem, k)}
        assert set(doc["blocking_issues"]) <= {problem.issues[i].id for i in named}
    return bool(doc["complete"])


def constraint_issues(problem: Problem, cid: str) -> frozenset[int]:
    return next(c.issues for c in problem.constraints if c.id == cid)


def check_package(problem: Problem, package: dict[str, Any], utilities: dict[str, float]) -> list:
    indices = problem.package_indices(package)
    assert None not in indices
    assert problem.agreement_mask([indices])[0], f"{package} is not acceptable to every party"
    utils = problem.utility(indices)
    assert utilities == {p.id: utils[k] / SCALE for k, p in enumerate(problem.parties)}
    return indices


def check_solutions(problem: Problem, doc: dict[str, Any]) -> bool:
    truth = brute.solution_values(problem)
    if doc["feasible"] is None:  # undecided: nothing may be claimed
        assert doc["solutions"] == {}
        return False
    assert doc["feasible"] == bool(truth)
    V = problem.veto_parties
    ideals = {problem.party_index[p]: round(u * SCALE) for p, u in doc["ideal"].items()}
    _, U = brute.agreement(problem)
    for p, u in ideals.items():  # a printed ideal is the true best utility of its party
        assert u == int(U[:, p].max())
    complete = True
    for concept, sol in doc["solutions"].items():
        indices = check_package(problem, sol["package"], sol["utilities"])
        if sol["optimal"]:
            full = {p: int(U[:, p].max()) for p in V}
            value = objective_value(problem, concept, indices, V, full)
            assert value == truth[concept], concept
        complete &= sol["optimal"]
    return complete and set(doc["solutions"]) == set(truth)


def check_amendment(problem: Problem, doc: dict[str, Any]) -> bool:
    draft = problem.scenario.draft(doc["draft"])
    start = problem.package_indices(draft.package)
    best = brute.amendment(problem, start)
    if doc["feasible"] is None:
        assert doc["package"] is None and not doc["optimal"]
        return False
    assert doc["feasible"] == (best is not None)
    if doc["package"] is None:
        return bool(doc["optimal"])
    indices = check_package(problem, doc["package"], doc["utilities"])
    changed = [ch["issue"] for ch in doc["changes"]]
    assert changed == [
        i.id for i, k0, k in zip(problem.issues, start, indices, strict=True) if k0 not in (None, k)
    ]
    if doc["optimal"]:
        assert best is not None
        fewest, product = best
        assert len(changed) == fewest
        V = problem.veto_parties
        got = Fraction(1)
        for p in V:
            got *= Fraction(problem.utility(indices)[p] - int(problem.reservations[p]), SCALE)
        assert got == product
    return bool(doc["optimal"])


def check_frontier(problem: Problem, doc: dict[str, Any]) -> bool:
    P = [problem.party_index[p] for p in doc["parties"]]
    truth = brute.frontier(problem, P)
    got = set()
    for point in doc["points"]:
        indices = problem.package_indices(point["package"])
        assert problem.agreement_mask([indices])[0]
        utils = problem.utility(indices)
        vector = tuple(utils[p] for p in P)
        assert [point["utilities"][problem.parties[p].id] for p in P] == [u / SCALE for u in vector]
        got.add(vector)
    assert got <= truth
    if doc["complete"]:
        assert got == truth
    return bool(doc["complete"])


def check_timeline(path: Path, doc: dict[str, Any]) -> bool:
    scenario = load_scenario(path)
    complete = True
    for entry in doc["timeline"]:
        problem, _ = Problem.for_draft(scenario, entry["draft"])
        muses, _ = brute.muses_and_mcses(problem)
        X, _ = brute.agreement(problem)
        assert entry["feasible"] == (len(X) > 0)
        assert all(c in muses for c in entry["conflicts"])
        if entry["complete"]:
            assert entry["conflicts"] == muses
        complete &= entry["complete"]
    return complete


@pytest.mark.parametrize("name", ["deal", "stuck"])
@pytest.mark.parametrize("limit", [["--limit", "1"], ["--time-limit", "0.001"]])
def test_blockers(files: dict[str, Path], name: str, limit: list[str]) -> None:
    code, doc = run("blockers", str(files[name]), *limit)
    complete = check_blockers(problem_of(files[name]), doc)
    assert code == (0 if complete else 3)


@pytest.mark.parametrize("name", ["deal", "stuck"])
def test_solve(files: dict[str, Path], name: str) -> None:
    code, doc = run("solve", str(files[name]), "--time-limit", "0.001")
    complete = check_solutions(problem_of(files[name]), doc)
    assert code == (0 if complete or doc["feasible"] is False else 3)


@pytest.mark.parametrize("limit", [["--limit", "1"], ["--time-limit", "0.001"]])
def test_frontier(files: dict[str, Path], limit: list[str]) -> None:
    code, doc = run("frontier", str(files["deal"]), *limit)
    complete = check_frontier(problem_of(files["deal"]), doc)
    assert code == (0 if complete else 3)


@pytest.mark.parametrize("name", ["deal", "stuck"])
def test_amend(files: dict[str, Path], name: str) -> None:
    code, doc = run("amend", str(files[name]), "--time-limit", "0.001")
    complete = check_amendment(problem_of(files[name]), doc)
    assert code == (0 if complete else 3)


@pytest.mark.parametrize("name", ["deal", "stuck"])
def test_timeline(files: dict[str, Path], name: str) -> None:
    code, doc = run("timeline", str(files[name]), "--time-limit", "0.001")
    assert code == (0 if check_timeline(files[name], doc) else 3)


@pytest.mark.parametrize("name", ["deal", "stuck"])
def test_analyze(files: dict[str, Path], name: str) -> None:
    code, doc = run("analyze", str(files[name]), "--time-limit", "0.001")
    problem = problem_of(files[name])
    complete = check_blockers(problem, doc["blockers"])
    solutions = {"feasible": doc["feasible"], "solutions": doc["solutions"], "ideal": {}}
    if doc["feasible"]:
        complete &= check_solutions(problem, solutions)
    if doc["amendment"] is not None:
        complete &= check_amendment(problem, doc["amendment"])
    assert code == (0 if doc["complete"] else 3)
    if doc["complete"]:
        assert complete


def test_report_exits_3_and_says_so(files: dict[str, Path], tmp_path: Path) -> None:
    """It said that searches stopped at a limit but exited 0."""
    out = tmp_path / "r.html"
    done = subprocess.run(
        [*ZOPA, "report", str(files["stuck"]), "-o", str(out), "--time-limit", "0.001"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = out.read_text()
    stopped = "Some searches stopped at a limit" in text
    assert done.returncode == (3 if stopped else 0), done.stderr


def test_blockers_text_never_names_zero_conflicts() -> None:
    """It printed "because of 0 conflicts (at least) between red lines, on: ." """
    done = subprocess.run(
        [*ZOPA, "blockers", "--time-limit", "0.001"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 3
    assert "0 conflicts" not in done.stdout and "on: ." not in done.stdout
    assert "No deal is possible" in done.stdout
