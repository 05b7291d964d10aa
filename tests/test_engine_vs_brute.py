"""The exact engine against brute-force enumeration on random small scenarios."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import brute
from tests.strategies import scenarios
from zopa.engine.blockers import blockers
from zopa.engine.frontier import frontier
from zopa.engine.solutions import objective_value, solve
from zopa.problem import SCALE, Problem

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
    ideals = {problem.party_index[p]: round(u * SCALE) for p, u in result.ideal.items()}
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


@SETTINGS
@given(scenarios())
def test_nash_outer_approximation_matches_brute_force(scenario):
    """Force outer approximation: explicit constraints skip the frontier scan."""
    from zopa.engine.nash import nash

    problem = Problem(scenario)
    expected = brute.solution_values(problem)
    V = problem.veto_parties
    result = nash(problem, V, constraints=problem.constraints)
    if not expected:
        assert result.package is None
        return
    assert result.optimal
    assert problem.agreement_mask([result.package])[0]
    got = objective_value(problem, "nash", result.package, V, {})
    assert got == expected["nash"]


@SETTINGS
@given(scenarios())
def test_concessions_by_maxsat_match_brute_force(scenario):
    """The MaxSAT enumeration used when conflicts are incomplete, on its own."""
    from zopa.engine.concessions import enumerate_mcses
    from zopa.engine.sat import SatModel

    problem = Problem(scenario)
    _, mcses = brute.muses_and_mcses(problem)
    result = enumerate_mcses(SatModel(problem))
    assert result.complete
    ids = [c.id for c in problem.constraints]
    got = sorted((sorted(ids[k] for k in m) for m in result.mcses), key=lambda s: (len(s), s))
    assert got == mcses
    sizes = [len(m) for m in result.mcses]
    assert sizes == sorted(sizes)  # smallest first


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_limits_keep_what_is_proven(scenario):
    """With a limit of one, the result says it is incomplete and holds no wrong answer."""
    problem = Problem(scenario)
    muses, mcses = brute.muses_and_mcses(problem)
    result = blockers(problem, limit=1).to_json()
    assert set(map(tuple, result["conflicts"])) <= set(map(tuple, muses))
    assert set(map(tuple, result["concessions"])) <= set(map(tuple, mcses))
    if len(muses) > 1:
        assert not result["complete"]
    if result["concessions"]:
        smallest = min(len(m) for m in mcses)
        assert len(result["concessions"][0]) == smallest


@SETTINGS
@given(scenarios())
def test_solutions_are_pareto_optimal(scenario):
    """Ties are broken towards efficiency: no acceptable package dominates a solution."""
    problem = Problem(scenario)
    result = solve(problem)
    if not result.feasible:
        return
    _, U = brute.agreement(problem)
    V = problem.veto_parties
    for sol in result.solutions.values():
        mine = np.array(problem.utility(sol.indices))[V]
        others = U[:, V]
        dominated = ((others >= mine).all(axis=1) & (others > mine).any(axis=1)).any()
        assert not dominated, sol.concept


@SETTINGS
@given(scenarios(), st.data())
def test_amendment_matches_brute_force(scenario, data):
    """Fewest changed points of a random (partial) draft, ties by the Nash product."""
    from zopa.engine.amend import amend
    from zopa.model import Draft

    problem = Problem(scenario)
    start = [
        data.draw(st.one_of(st.none(), st.integers(0, int(n) - 1)), label=issue.id)
        for issue, n in zip(problem.issues, problem.sizes, strict=True)
    ]
    draft = Draft(
        id="draft",
        package={
            issue.id: issue.option_json(k)
            for issue, k in zip(problem.issues, start, strict=True)
            if k is not None
        },
    )
    expected = brute.amendment(problem, start)
    result = amend(problem, draft)
    assert result.optimal
    assert result.feasible == (expected is not None)
    if expected is None:
        return
    fewest, product = expected
    package = problem.package_indices(result.package)
    assert problem.agreement_mask([package])[0]
    assert len(result.changes) == fewest
    assert sum(k is not None and package[i] != k for i, k in enumerate(start)) == fewest
    V = problem.veto_parties
    utils = problem.utility(package)
    got = math.prod(Fraction(utils[p] - int(problem.reservations[p]), SCALE) for p in V)
    assert got == product
