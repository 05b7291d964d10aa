"""The exact engine against brute-force enumeration on random small scenarios."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests import brute
from tests.strategies import scenarios
from zopa.engine.blockers import blockers
from zopa.engine.frontier import frontier
from zopa.engine.solutions import objective_value, solve
from zopa.problem import Problem

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_blockers_match_brute_force(scenario):
    problem = Problem(scenario)
    result = blockers(problem)
    muses, mcses = brute.muses_and_mcses(problem)
    X, _ = brute.agreement(problem)
    assert result.feasible == (len(X) > 0)
    assert result.complete
    got = result.to_json()
    assert got["conflicts"] == muses
    assert got["concessions"] == mcses
    named = {
        problem.issues[i].id
        for c in problem.constraints
        if any(c.id in m for m in muses)
        for i in c.issues
    }
    assert got["blocking_issues"] == sorted(named)
    if result.feasible:
        package = problem.package_indices(got["example_package"])
        assert problem.agreement_mask([package])[0]


@SETTINGS
@given(scenarios())
def test_solutions_match_brute_force(scenario):
    problem = Problem(scenario)
    expected = brute.solution_values(problem)
    result = solve(problem)
    assert result.feasible == bool(expected)
    if not expected:
        return
    V = problem.veto_parties
    ideals = {problem.party_index[p]: round(u * 10**9) for p, u in result.ideal.items()}
    for concept, value in expected.items():
        sol = result.solutions[concept]
        assert sol.optimal
        package = sol.indices
        assert problem.agreement_mask([package])[0]
        exact = objective_value(problem, concept, package, V, ideals)
        assert exact == value, concept
        if value is not None:
            assert abs(sol.value - float(value)) <= 1e-12 * max(1, abs(float(value)))


@SETTINGS
@given(scenarios(max_parties=3))
def test_frontier_matches_brute_force(scenario):
    problem = Problem(scenario)
    P = problem.veto_parties
    expected = brute.frontier(problem, P)
    for method in ("auto", "dominance-cuts"):
        result = frontier(problem, method=method)
        got = {tuple(int(x) for x in v) for v in result.vectors}
        assert result.complete
        assert got == expected, method
        assert len(result.vectors) == len(expected)
        # every witness is in the agreement set and has the reported utilities
        if len(result.packages):
            assert problem.agreement_mask(result.packages).all()
            utils = problem.utilities(result.packages)[:, P]
            assert (utils == result.vectors).all()
