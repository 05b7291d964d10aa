"""The block methods (label-setting frontier, Lagrangian bargaining) against brute force.

Scenarios here keep every red line to issues only or utilities only (any
nesting, utility upper bounds and ``!=`` included), so that the agreement set
decomposes into blocks and the new methods, not the CP-SAT fallbacks, answer.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import brute
from tests.strategies import scenarios
from zopa.engine import bargaining
from zopa.engine.blocks import decompose
from zopa.engine.frontier import frontier
from zopa.engine.lagrangian import Bounds, search
from zopa.engine.solutions import objective_value, solve
from zopa.problem import SCALE, Problem

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _block_packages(structure) -> np.ndarray:
    """Every package the block structure lists (before bounds and formulas)."""
    picks = itertools.product(*(range(len(b.options)) for b in structure.blocks))
    return structure.packages(
        np.array(list(picks), dtype=np.int64).reshape(-1, len(structure.blocks))
    )


@SETTINGS
@given(scenarios(separable=True))
def test_blocks_describe_the_agreement_set_exactly(scenario):
    problem = Problem(scenario)
    structure = decompose(problem)
    assert structure is not None  # separable red lines always decompose
    expected = {tuple(int(k) for k in x) for x in brute.agreement(problem)[0]}
    if not structure.feasible:
        assert not expected
        return
    X = _block_packages(structure)
    kept = X[structure.holds(problem.utilities(X))]
    got = [tuple(int(k) for k in x) for x in kept]
    assert len(got) == len(set(got))  # each package listed once
    assert set(got) == expected


@SETTINGS
@given(scenarios(separable=True, max_parties=4), st.data())
def test_label_setting_frontier_matches_brute_force(scenario, data):
    """Any set of parties, veto or not: the bounds of the others stay exact."""
    problem = Problem(scenario)
    n = len(problem.parties)
    chosen = data.draw(
        st.lists(st.integers(0, n - 1), min_size=1, max_size=min(n, 3), unique=True),
        label="parties",
    )
    result = frontier(problem, [problem.parties[p].id for p in chosen], method="decomposition")
    assert result.method == "decomposition"
    assert result.complete
    assert {tuple(int(x) for x in v) for v in result.vectors} == brute.frontier(problem, chosen)
    assert len(result.vectors) == len({tuple(v) for v in result.vectors.tolist()})
    if len(result.packages):
        assert problem.agreement_mask(result.packages).all()
        assert (problem.utilities(result.packages)[:, chosen] == result.vectors).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(separable=True, max_parties=3), st.integers(1, 3))
def test_a_frontier_cut_short_is_a_verified_subset(scenario, limit):
    problem = Problem(scenario)
    P = problem.veto_parties
    expected = brute.frontier(problem, P)
    result = frontier(problem, limit=limit)
    got = {tuple(int(x) for x in v) for v in result.vectors}
    assert got <= expected
    assert len(got) == min(limit, len(expected))
    assert result.complete == (len(expected) <= limit)
    if len(result.packages):
        assert problem.agreement_mask(result.packages).all()
        assert (problem.utilities(result.packages)[:, P] == result.vectors).all()


@SETTINGS
@given(scenarios(separable=True), st.data())
def test_block_solutions_match_brute_force(scenario, data):
    """Also with constraints set aside (a reservation too), as the hypotheticals do."""
    problem = Problem(scenario)
    ids = [c.id for c in problem.constraints]
    problem = problem.without(data.draw(st.lists(st.sampled_from(ids), unique=True), "dropped"))
    expected = brute.solution_values(problem)
    assert bargaining.prepare(problem) is not None or not problem.veto_parties
    result = solve(problem)
    assert result.feasible == bool(expected)
    if not expected:
        return
    V = problem.veto_parties
    ideals = {problem.party_index[p]: round(u * SCALE) for p, u in result.ideal.items()}
    _, U = brute.agreement(problem)
    assert ideals == {p: int(U[:, p].max()) for p in V}
    D = [int(problem.reservations[p]) for p in V]
    positive = [u for u in U if all(int(u[p]) > d for p, d in zip(V, D, strict=True))]
    for concept, value in expected.items():
        sol = result.solutions[concept]
        assert sol.optimal, concept
        assert problem.agreement_mask([sol.indices])[0]
        got = objective_value(problem, concept, sol.indices, V, ideals)
        if concept == "nash" and not positive:  # no positive product: the largest total gain
            total = sum(problem.utility(sol.indices)[p] for p in V)
            assert total == max(int(u[V].sum()) for u in U)
        elif concept == "nash":  # over the packages where every gain is positive
            best = max(
                math.prod(int(u[p]) - d for p, d in zip(V, D, strict=True)) for u in positive
            )
            assert got == Fraction(best, SCALE ** len(V))
        else:
            assert got == value, concept
        mine = np.array(problem.utility(sol.indices))[V]
        dominated = ((U[:, V] >= mine).all(axis=1) & (U[:, V] > mine).any(axis=1)).any()
        assert not dominated, concept  # ties go to a Pareto-optimal package


@SETTINGS
@given(scenarios(separable=True))
def test_block_nash_product_is_exact(scenario):
    problem = Problem(scenario)
    ctx = bargaining.prepare(problem)
    if ctx is None:
        return
    found, product = bargaining.nash(ctx)
    X, U = brute.agreement(problem)
    assert found.optimal
    if len(X) == 0:
        assert found.package is None
        return
    D = [int(problem.reservations[p]) for p in ctx.V]
    best = max(math.prod(int(u[p]) - d for p, d in zip(ctx.V, D, strict=True)) for u in U)
    utils = problem.utility(found.package)
    assert problem.agreement_mask([found.package])[0]
    if best > 0:
        assert product == best
        assert math.prod(utils[p] - d for p, d in zip(ctx.V, D, strict=True)) == best
    else:  # no positive product: the largest total gain
        assert product == 0
        assert sum(utils[p] for p in ctx.V) == max(int(u[ctx.V].sum()) for u in U)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(-20, 20), min_size=1, max_size=4), min_size=1, max_size=5),
    st.integers(0, 2**32 - 1),
    st.integers(-30, 60),
    st.booleans(),
)
def test_lagrangian_search_lists_exactly_the_region(scores, seed, threshold, floored):
    """Every package with score ≥ θ and utilities within the floors/ceilings, nothing else."""
    rng = np.random.default_rng(seed)
    tables = [rng.integers(0, 10, size=(2, len(s))) for s in scores]
    floors = {0: int(rng.integers(0, 20))} if floored else {}
    ceilings = {1: int(rng.integers(10, 40))} if floored else {}
    seen: list[tuple[int, ...]] = []
    done = search(
        scores,
        tables,
        Bounds(threshold, floors, ceilings),
        lambda c, u: seen.extend(tuple(row) for row in c.tolist()),
    )
    assert done.complete
    expected = set()
    for pick in itertools.product(*(range(len(s)) for s in scores)):
        total = sum(s[o] for s, o in zip(scores, pick, strict=True))
        u = [sum(int(t[p, o]) for t, o in zip(tables, pick, strict=True)) for p in range(2)]
        ok = all(u[p] >= f for p, f in floors.items())
        ok &= all(u[p] <= c for p, c in ceilings.items())
        if total >= threshold and ok:
            expected.add(pick)
    assert set(seen) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(-20, 20), min_size=1, max_size=4), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
    st.integers(-40, 60),
    st.integers(1, 60),
)
def test_a_search_cut_short_covered_every_package_above_its_mark(scores, seed, threshold, limit):
    """Stopped by the node limit, the search has listed every package of the region
    scoring at least ``covered`` (the rounds it finished)."""
    rng = np.random.default_rng(seed)
    tables = [rng.integers(0, 10, size=(2, len(s))) for s in scores]
    floors = {0: int(rng.integers(0, 20))}
    seen: set[tuple[int, ...]] = set()
    done = search(
        scores,
        tables,
        Bounds(threshold, floors, {}),
        lambda c, u: seen.update(tuple(row) for row in c.tolist()),
        max_nodes=limit,
    )
    region = set()
    for pick in itertools.product(*(range(len(s)) for s in scores)):
        total = sum(s[o] for s, o in zip(scores, pick, strict=True))
        u0 = sum(int(t[0, o]) for t, o in zip(tables, pick, strict=True))
        if total >= threshold and u0 >= floors[0]:
            region.add((pick, total))
    assert {pick for pick, _ in region} >= seen  # only packages of the region
    if done.complete:
        assert seen == {pick for pick, _ in region}
    elif done.covered is not None:
        assert {pick for pick, total in region if total >= done.covered} <= seen


def _ideals_exact(problem: Problem, result) -> bool:
    _, U = brute.agreement(problem)
    ideal = {problem.parties[p].id: int(U[:, p].max()) for p in problem.veto_parties}
    return {k: round(v * SCALE) for k, v in result.ideal.items()} == ideal


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(separable=True), st.integers(1, 400))
def test_a_search_cut_short_reports_what_it_proved(scenario, limit):
    """With little search allowed: verified packages, values below exact upper bounds
    (the bound of the linear relaxation, or of the rounds the search finished)."""
    import zopa.engine.lagrangian as lagrangian

    problem = Problem(scenario)
    expected = brute.solution_values(problem)
    saved = lagrangian.MAX_NODES
    lagrangian.MAX_NODES = limit
    try:
        result = solve(problem, ["egalitarian", "nash", "kalai_smorodinsky"])
    finally:
        lagrangian.MAX_NODES = saved
    if not expected:
        return
    for concept, sol in result.solutions.items():
        assert problem.agreement_mask([sol.indices])[0]
        if sol.optimal or expected[concept] is None:
            continue
        if concept == "kalai_smorodinsky" and not _ideals_exact(problem, result):
            continue  # its ratios are relative to the ideals found, which are not the optimum
        assert sol.value <= float(expected[concept]) + 1e-12
        if sol.bound is not None:
            assert sol.bound >= float(expected[concept]) - 1e-12, concept
        assert "bound" in sol.to_json()
    if not all(s.optimal for s in result.solutions.values()):
        assert not result.all_optimal


def _genius_style(parties: int, issues: int, options: int, seed: int, reservation: float):
    """A random additive scenario as the many-party benchmarks draw them (GENIUS style)."""
    from zopa.model import Scenario

    rng = np.random.default_rng(seed)
    evals = rng.random((parties, issues, options))
    evals = evals / evals.max(axis=2, keepdims=True)
    weights = rng.random((parties, issues)) + 0.01
    return Scenario.model_validate(
        {
            "format": "zopa/1",
            "id": f"genius-style-{seed}",
            "issues": [
                {"id": f"i{i}", "options": [f"o{o}" for o in range(options)]} for i in range(issues)
            ],
            "parties": [
                {
                    "id": f"p{p}",
                    "reservation": reservation,
                    "weights": {f"i{i}": round(float(weights[p, i]), 4) for i in range(issues)},
                    "values": {
                        f"i{i}": {f"o{o}": round(float(evals[p, i, o]), 4) for o in range(options)}
                        for i in range(issues)
                    },
                }
                for p in range(parties)
            ],
        }
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(3, 5),
    st.integers(5, 7),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 0.4]),
    st.integers(1, 3000),
)
def test_max_min_bounds_hold_on_many_party_scenarios(parties, issues, seed, reservation, limit):
    """Many parties, many issues: the search cut short at any point reports a package
    no better than the optimum and an exact bound no lower than it; let run, it proves
    the optimum."""
    import zopa.engine.lagrangian as lagrangian

    problem = Problem(_genius_style(parties, issues, 3, seed, reservation))
    expected = brute.solution_values(problem)
    concepts = ["egalitarian", "kalai_smorodinsky"]
    saved = lagrangian.MAX_NODES
    lagrangian.MAX_NODES = limit
    try:
        cut = solve(problem, concepts)
    finally:
        lagrangian.MAX_NODES = saved
    full = solve(problem, concepts)
    V = problem.veto_parties
    _, U = brute.agreement(problem)
    ideals = {p: int(U[:, p].max()) for p in V}
    for concept in concepts:
        best = expected[concept]
        assert full.solutions[concept].optimal
        got = objective_value(problem, concept, full.solutions[concept].indices, V, ideals)
        assert got == best
        if concept not in cut.solutions:  # stopped before any acceptable package was found
            assert not cut.complete
            continue
        sol = cut.solutions[concept]
        if concept == "kalai_smorodinsky" and not _ideals_exact(problem, cut):
            assert not sol.optimal  # relative to the ideals found, not proven
            continue
        assert problem.agreement_mask([sol.indices])[0]
        assert sol.value <= float(best) + 1e-12
        if not sol.optimal:  # a bound is known unless the ideals themselves are unproven
            assert sol.bound is not None or concept == "kalai_smorodinsky"
            if sol.bound is not None:
                assert sol.bound >= float(best) - 1e-12, concept
