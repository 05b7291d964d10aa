"""The standoff of a scenario: states, outcomes (against brute force) and preferences."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests import brute
from tests.strategies import scenarios
from zopa import whatif
from zopa.engine.nash import nash
from zopa.gmcr.standoff import standoff
from zopa.load import load_scenario
from zopa.problem import SCALE, Problem


def nash_product(problem: Problem, utilities: list[int]) -> Fraction:
    return math.prod(
        Fraction(utilities[p] - int(problem.reservations[p]), SCALE) for p in problem.veto_parties
    )


@pytest.fixture(scope="module")
def builtin():
    return standoff(load_scenario("ukraine-2025"))


def test_builtin_options_are_the_red_lines_in_conflicts(builtin) -> None:
    model = builtin.model
    in_conflict = sorted({c for conflict in builtin.conflicts for c in conflict})
    assert sorted(o.id for o in model.options) == in_conflict
    for o in model.options:  # each party controls its own red lines
        red = next(r for r in builtin.scenario.red_lines if r.id == o.id)
        assert model.dms[o.dm].id == red.party
    assert model.n == 2 ** len(in_conflict) and model.status_quo == 0
    assert not builtin.outcomes[0].deal  # holding firm: no deal
    assert 0 < builtin.engine_calls <= builtin.deals


def test_builtin_outcomes_match_a_direct_engine_call_on_the_what_if(builtin) -> None:
    """Reused optima are optima: compare the Nash product with a fresh call on the scenario
    with the same red lines dropped through zopa.whatif (the web's what-if)."""
    model, problem = builtin.model, builtin.problem
    rng = np.random.default_rng(7)
    deals = [s for s in range(model.n) if builtin.outcomes[s].deal]
    for s in [*rng.choice(deals, 8, replace=False), 1, model.n - 1]:
        s = int(s)
        aside = [o.id for k, o in enumerate(model.options) if int(model.codes[s]) >> k & 1]
        dropped = whatif.apply(builtin.scenario, whatif.Overrides(drop=aside)).scenario
        fresh = Problem(dropped, builtin.as_of)
        result = nash(fresh)
        got = builtin.outcomes[s]
        assert got.deal == (result.package is not None)
        if got.deal:
            want = nash_product(fresh, fresh.utility(result.package))
            assert nash_product(problem, got.utilities) == want
            assert fresh.agreement_mask(np.array([got.package]))[0]


def test_builtin_preferences_follow_utilities(builtin) -> None:
    model, problem = builtin.model, builtin.problem
    for i, dm in enumerate(model.dms):
        u = np.array([o.utilities[problem.party_index[dm.id]] for o in builtin.outcomes])
        r = model.ranks[i]
        assert np.array_equal(np.sign(r[:, None] - r[None, :]), np.sign(u[:, None] - u[None, :]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios(max_red_lines=5, max_parties=3),
    st.sampled_from(["nash", "utilitarian", "egalitarian"]),
)
def test_every_state_against_brute_force(scenario, rule) -> None:
    problem = Problem(scenario)
    assume(problem.space_size() <= 2000)
    result = standoff(scenario, rule=rule)
    if result.feasible:
        assert result.model is None
        return
    model = result.model
    if model is None:  # every conflict is between reservations: no red line to set aside
        assert all(c.endswith(":reservation") for ids in result.conflicts for c in ids)
        return
    for s in range(model.n):
        aside = [o.id for k, o in enumerate(model.options) if int(model.codes[s]) >> k & 1]
        relaxed = problem.without(aside)
        best = brute.solution_values(relaxed)
        got = result.outcomes[s]
        assert got.deal == bool(best)
        if not got.deal:
            assert got.utilities == [int(d) for d in problem.reservations]
            continue
        assert relaxed.agreement_mask(np.array([got.package]))[0]
        V = problem.veto_parties
        gains = [Fraction(got.utilities[p] - int(problem.reservations[p]), SCALE) for p in V]
        value = {
            "nash": math.prod(gains),
            "utilitarian": Fraction(sum(got.utilities[p] for p in V), SCALE),
            "egalitarian": min(gains),
        }[rule]
        assert value == best[rule]
    assert all(len(model.dms[o.dm].options) for o in model.options)
