"""zopa.whatif.apply: overrides give a valid scenario whose analyses match the definitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.strategies import scenarios
from zopa import rules
from zopa.load import load_scenario
from zopa.problem import SCALE, Problem
from zopa.whatif import Overrides, WhatIfError, apply, thresholds

EXAMPLE = Path(__file__).parent / "data" / "example.yaml"


def test_no_overrides_is_the_sourced_scenario() -> None:
    s = load_scenario()
    result = apply(s, Overrides())
    assert result.scenario is s and result.departures == []


def test_apply_round_trips_the_builtin_scenario() -> None:
    """A harmless override (a reservation set to its own value) changes nothing else."""
    s = load_scenario()
    party = s.parties[0]
    result = apply(s, Overrides(reservations={party.id: float(party.reservation)}))
    assert result.scenario == s
    assert [d.kind for d in result.departures] == ["reservation"]


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.data())
def test_dropping_red_lines_is_problem_without(scenario, data) -> None:  # type: ignore[no-untyped-def]
    """The agreement set of the what-if equals that of Problem.without(dropped), by enumeration."""
    ids = [r.id for r in scenario.red_lines]
    drop = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    changed = apply(scenario, Overrides(drop=drop)).scenario
    base = Problem(scenario)
    packages = base.all_packages()
    # red lines of parties without veto are no constraints; dropping them changes nothing
    expected = base.without(drop).agreement_mask(packages)
    assert np.array_equal(Problem(changed).agreement_mask(packages), expected)
    assert {r.id for r in changed.red_lines} == set(ids) - set(drop)


# about two scenarios in three have no threshold to move and are discarded by assume()
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(scenarios(), st.data())
def test_moved_threshold_allows_exactly_the_options_on_the_right_side(scenario, data) -> None:  # type: ignore[no-untyped-def]
    movable = thresholds(scenario)
    assume(movable)  # a red line with a threshold to move
    t = data.draw(st.sampled_from(movable))
    utility = t.subject.startswith("utility(")
    number = (
        data.draw(st.sampled_from([0, 0.15, 0.5, 1]))
        if utility
        else data.draw(st.integers(int(t.minimum) - 1, int(t.maximum) + 1))
    )
    changed = apply(scenario, Overrides(thresholds={t.red_line: number})).scenario
    red = next(r for r in changed.red_lines if r.id == t.red_line)
    bound = rules.bind(rules.parse(red.rule), changed.domains(), [p.id for p in changed.parties])
    if utility:
        assert isinstance(bound, rules.UtilityAtom)
        assert (bound.op, bound.threshold) == (t.op, rules.Fraction(str(number)))
        return
    issue = changed.issue(t.subject)
    assert isinstance(bound, rules.Member)
    expected = {k for k, v in enumerate(issue.values) if rules.compare(v, t.op, number)}
    assert set(bound.allowed) == expected


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.data())
def test_weights_and_reservations_change_utilities_as_defined(scenario, data) -> None:  # type: ignore[no-untyped-def]
    party = data.draw(st.sampled_from(scenario.parties))
    issue = data.draw(st.sampled_from(scenario.issues))
    weight = data.draw(st.sampled_from([0, 0.5, 1, 4]))
    reservation = data.draw(st.sampled_from([0, 0.25, 0.7]))
    overrides = Overrides(
        weights={party.id: {issue.id: weight}}, reservations={party.id: reservation}
    )
    try:
        changed = apply(scenario, overrides).scenario
    except WhatIfError as err:  # a positive weight on an issue the party gave no values
        assert weight > 0 and issue.id not in party.values, err.problems
        return
    new = changed.party(party.id)
    assert new.weights[issue.id] == weight and new.reservation == reservation
    problem = Problem(changed)
    p = problem.party_index[party.id]
    assert problem.reservations[p] == round(reservation * SCALE)
    # utility: normalised weights times values, within the grid's rounding
    x = problem.all_packages()[:50]
    total = sum(new.weights.values())
    for package, u in zip(x, problem.utilities(x)[:, p], strict=True):
        want = 0.0
        for i, k in enumerate(package):
            w = new.weights.get(problem.issues[i].id, 0)
            if w:
                from zopa.problem import value_vector

                table = new.values.get(problem.issues[i].id, {})
                want += w / total * float(value_vector(problem.issues[i], table)[k])
        assert abs(u / SCALE - want) < 1e-6


def test_departures_name_every_change() -> None:
    s = load_scenario(EXAMPLE)
    result = apply(
        s,
        Overrides(
            drop=["a-army", "b:reservation"],
            thresholds={"b-army": 850_000},
            weights={"a": {"army_cap": 5}},
            reservations={"a": 0.1},
        ),
    )
    kinds = [(d.kind, d.target) for d in result.departures]
    assert kinds == [
        ("drop", "a-army"),
        ("drop", "b:reservation"),
        ("threshold", "b-army"),
        ("weight", "a.army_cap"),
        ("reservation", "a"),
    ]
    assert result.scenario.party("b").reservation == 0
    assert next(r for r in result.scenario.red_lines if r.id == "b-army").rule == (
        "army_cap <= 850000"
    )
    # the sourced scenario is untouched
    assert {r.id for r in s.red_lines} == {"a-army", "b-army", "b-alliance"}


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"drop": ["nope"]}, "no red line or reservation 'nope'"),
        ({"thresholds": {"b-alliance": 1}}, "not a single order comparison"),
        ({"thresholds": {"nope": 1}}, "no red line 'nope'"),
        ({"weights": {"zz": {"army_cap": 1}}}, "no party 'zz'"),
        ({"weights": {"a": {"zz": 1}}}, "no issue 'zz'"),
        ({"reservations": {"zz": 0.5}}, "no party 'zz'"),
        ({"weights": {"m": {"army_cap": 1}}}, "positive weight but no values"),
    ],
)
def test_bad_overrides_are_reported(overrides: dict, fragment: str) -> None:
    with pytest.raises(WhatIfError) as err:
        apply(load_scenario(EXAMPLE), Overrides.model_validate(overrides))
    assert any(fragment in p for p in err.value.problems), err.value.problems


def test_overrides_reject_unknown_keys_and_bad_numbers() -> None:
    from pydantic import ValidationError

    for bad in ({"dorp": []}, {"reservations": {"a": 2}}, {"weights": {"a": {"x": -1}}}):
        with pytest.raises(ValidationError):
            Overrides.model_validate(bad)
