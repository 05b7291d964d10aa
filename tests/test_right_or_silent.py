"""Right or silent: a search cut short by a limit prints only what it has proven.

Every point, conflict, concession or package printed under a tiny ``--limit``
or ``--time-limit`` must be checked against brute-force enumeration, and the
output must say that something is missing (``complete: false``, exit 3).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import brute
from tests.strategies import scenarios
from zopa.engine.frontier import frontier
from zopa.load import load_scenario
from zopa.problem import SCALE, Problem

ZOPA = [sys.executable, "-m", "zopa.cli"]


def opposed(issues: int = 4, options: int = 3) -> str:
    """Two parties pulling every issue opposite ways, and a red line on one issue."""
    names = [f"o{k}" for k in range(options)]
    lines = ["format: zopa/1", "id: opposed", "issues:"]
    lines += [f"  - {{id: i{i}, options: [{', '.join(names)}]}}" for i in range(issues)]
    lines.append("parties:")
    for party, sign in (("a", 1), ("b", -1)):
        lines.append(f"  - id: {party}")
        weights = ", ".join(f"i{i}: {i + 1}" for i in range(issues))
        lines.append(f"    weights: {{{weights}}}")
        lines.append("    values:")
        for i in range(issues):
            table = ", ".join(
                f"{n}: {(k if sign > 0 else options - 1 - k) / (options - 1)}"
                for k, n in enumerate(names)
            )
            lines.append(f"      i{i}: {{{table}}}")
    lines += ["red_lines:", "  - {id: r, party: a, rule: i3 != o0}"]
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_parties=3), st.integers(1, 4), st.sampled_from(["auto", "dominance-cuts"]))
def test_a_frontier_cut_short_is_a_verified_subset(scenario, limit, method) -> None:
    problem = Problem(scenario)
    P = problem.veto_parties
    truth = brute.frontier(problem, P)
    result = frontier(problem, limit=limit, method=method)
    got = [tuple(int(x) for x in v) for v in result.vectors]
    assert len(got) <= limit
    assert set(got) <= truth
    if len(result.packages):
        assert problem.agreement_mask(result.packages).all()
        assert (problem.utilities(result.packages)[:, P] == result.vectors).all()
    if result.complete:  # "complete" is a claim too: it must be true
        assert set(got) == truth


def test_frontier_limit_on_the_command_line_prints_only_true_points(tmp_path: Path) -> None:
    """``zopa frontier FILE --limit 2 --json`` once printed partial sums with option 0 filled in."""
    path = tmp_path / "opposed.yaml"
    path.write_text(opposed())
    done = subprocess.run(
        [*ZOPA, "frontier", str(path), "--limit", "2", "--json"], capture_output=True, text=True
    )
    assert done.returncode == 3, done.stderr
    document = json.loads(done.stdout)
    assert document["complete"] is False
    problem = Problem(load_scenario(path))
    P = [problem.party_index[p] for p in document["parties"]]
    truth = brute.frontier(problem, P)
    assert 0 < len(document["points"]) <= 2 < len(truth)
    for point in document["points"]:
        package = problem.package_indices(point["package"])
        assert problem.agreement_mask([package])[0], "the witness breaks a red line"
        utilities = problem.utility(package)
        vector = tuple(utilities[p] for p in P)
        assert vector in truth
        assert [point["utilities"][problem.parties[p].id] for p in P] == [u / SCALE for u in vector]
