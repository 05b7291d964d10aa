"""Bridging formulas (zopa.engine.bridge) against brute-force enumeration of the attribute
space, on random small scenarios with issues described by attributes."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import HealthCheck, given, settings

from tests import brute
from tests.strategies import attribute_scenarios
from zopa.engine.bridge import bridge
from zopa.problem import Problem

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _expanded(scenario):
    ids = [i.id for i in scenario.issues if i.attributed]
    return Problem(scenario, expand=ids), ids


def _new(problem, row, i):
    return int(row[i]) >= problem.issues[i].listed


def _index(problem, package):
    """Option indices of a bridge package (a new formula as its attribute mapping)."""
    out = []
    for issue in problem.issues:
        value = package[issue.id]
        if isinstance(value, dict):
            combo = tuple(attr.index_of(value[name]) for name, attr in issue.attribute_list())
            out.append(issue.combos.index(combo))
        else:
            out.append(issue.index_of(value))
    return out


def _bridges_by_brute_force(expanded, X, held, conflict, attributed):
    """For a conflict (constraint indices): per attribute issue, the new formulas with which
    every constraint of the conflict holds, the other attribute issues on listed options."""
    found = set()
    ok = held[:, conflict].all(axis=1)
    for i in attributed:
        listed_elsewhere = np.ones(len(X), dtype=bool)
        for j in attributed:
            if j != i:
                listed_elsewhere &= X[:, j] < expanded.issues[j].listed
        rows = X[ok & listed_elsewhere & (X[:, i] >= expanded.issues[i].listed)]
        found |= {(i, int(k)) for k in np.unique(rows[:, i])}
    return found


@SETTINGS
@given(attribute_scenarios())
def test_bridges_match_brute_force(scenario):
    listed = Problem(scenario)
    expanded, ids = _expanded(scenario)
    assert not expanded.unvalued  # every party values the attribute issues by attribute
    attributed = [expanded.issue_index[i] for i in ids]
    result = bridge(listed)
    assert result.complete
    muses, _ = brute.muses_and_mcses(listed)
    got = result.to_json()
    assert [c["constraints"] for c in got["conflicts"]] == muses
    X = brute.packages(expanded)
    held = expanded.satisfied(X)
    slot = {c.id: k for k, c in enumerate(expanded.constraints)}
    listed_only = np.all([X[:, i] < expanded.issues[i].listed for i in attributed], axis=0)
    assert got["feasible_listed"] == bool(held[listed_only].all(axis=1).any())
    unbridgeable = []
    for conflict, reported in zip(result.conflicts, got["conflicts"], strict=True):
        indices = [slot[c] for c in reported["constraints"]]
        expected = _bridges_by_brute_force(expanded, X, held, indices, attributed)
        keys = [
            (f.issue_index, expanded.issues[f.issue_index].combos.index(f.combo))
            for f in conflict.bridged_by
        ]
        assert set(keys) == expected
        assert len(keys) == len(expected)
        # sorted by issue, then attribute order, then value order
        assert [(f.issue_index, f.combo) for f in conflict.bridged_by] == sorted(
            (f.issue_index, f.combo) for f in conflict.bridged_by
        )
        assert not conflict.undetermined
        for formula in reported["bridged_by"]:
            package = _index(expanded, formula["package"])
            issue = expanded.issue_index[formula["issue"]]
            assert package[issue] >= expanded.issues[issue].listed
            assert all(held[_row(X, package)][indices])
        if not expected:
            unbridgeable.append(reported["constraints"])
    assert got["unbridgeable"] == unbridgeable
    agree = held.all(axis=1)
    assert got["feasible_with_new_formulas"] == bool(agree.any())
    if not agree.any():
        assert got["solutions"] == {} and got["fewest_new_formulas"] is None
        return
    counts = [sum(_new(expanded, row, i) for i in attributed) for row in X[agree]]
    fewest = min(counts)
    sets = {
        tuple(expanded.issues[i].id for i in attributed if _new(expanded, row, i))
        for row, n in zip(X[agree], counts, strict=True)
        if n == fewest
    }
    assert got["fewest_new_formulas"]["count"] == fewest
    reported_sets = [tuple(s["issues"]) for s in got["fewest_new_formulas"]["sets"]]
    assert sorted(reported_sets) == sorted(sets) and len(reported_sets) == len(sets)
    for s in got["fewest_new_formulas"]["sets"]:
        package = _index(expanded, s["package"])
        assert expanded.agreement_mask([package])[0]
        assert tuple(new for new in s["issues"]) == tuple(
            expanded.issues[i].id for i in attributed if package[i] >= expanded.issues[i].listed
        )
    expected_values = brute.solution_values(expanded)
    for concept, value in expected_values.items():
        sol = result.solutions[concept]
        assert sol.optimal
        assert expanded.agreement_mask([sol.indices])[0]
        assert sol.new == [
            expanded.issues[i].id for i in attributed if _new(expanded, sol.indices, i)
        ]
        if value is None:
            assert sol.value is None
        else:
            assert abs(sol.value - float(value)) <= 1e-9 * max(1, abs(float(value)))


def _row(X, package):
    return int(np.flatnonzero((np.asarray(package) == X).all(axis=1))[0])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attribute_scenarios(whole=True))
def test_unstated_values_are_never_guessed(scenario):
    """A party that values an attribute issue as a whole states no value for its new formulas.

    Whatever that value is (checked at both ends, 0 and 1), every reported bridge dissolves
    its conflict and every formula reported neither as a bridge nor as undetermined does not;
    feasibility is reported only when it holds at both ends."""
    listed = Problem(scenario)
    lo, ids = _expanded(scenario)
    attributed = [lo.issue_index[i] for i in ids]
    hi = copy.copy(lo)
    hi.tables = lo.tables.copy()
    for i, p in lo.unvalued:
        weight = hi.tables[p, i, : lo.issues[i].listed]
        full = _full_weight(lo, p, i)
        hi.tables[p, i, lo.issues[i].listed : len(lo.issues[i].values)] = full
        assert (weight <= full).all()
    result = bridge(listed)
    X = brute.packages(lo)
    held = {"lo": lo.satisfied(X), "hi": hi.satisfied(X)}
    slot = {c.id: k for k, c in enumerate(lo.constraints)}
    for conflict in result.conflicts:
        indices = [slot[c.id] for c in conflict.constraints]
        ends = {
            end: _bridges_by_brute_force(lo, X, h, indices, attributed) for end, h in held.items()
        }
        bridges = {
            (f.issue_index, lo.issues[f.issue_index].combos.index(f.combo))
            for f in conflict.bridged_by
        }
        unsure = {
            (u.issue_index, lo.issues[u.issue_index].combos.index(u.combo))
            for u in conflict.undetermined
        }
        assert not bridges & unsure
        assert bridges <= ends["lo"] & ends["hi"]
        assert (ends["lo"] | ends["hi"]) <= bridges | unsure
    if result.feasible_with_new_formulas:
        assert held["lo"].all(axis=1).any() and held["hi"].all(axis=1).any()
    elif result.feasible_with_new_formulas is False:
        assert not held["lo"].all(axis=1).any() and not held["hi"].all(axis=1).any()


def _full_weight(problem, party, issue):
    """The integer weight of ``party`` on ``issue``: the table entry of a value of 1."""
    from zopa.problem import apportion

    weights = apportion([problem.parties[party].issue_weight(i.id) for i in problem.issues])
    return weights[issue]


ZONE = """
format: zopa/1
id: zone
issues:
  - id: zone
    title: The contested zone
    attributes:
      troops: {title: Forces present, options: [a, b, none]}
      admin: {title: Administration, options: [a, b, intl]}
    options:
      - {id: a_holds, troops: a, admin: a}
      - {id: b_takes, troops: b, admin: b}
    exclude: ["zone.troops == b and zone.admin == a"]
  - id: cap
    range: {min: 500, max: 900, step: 100}
parties:
  - id: a
    name: Party A
    reservation: 0.2
    weights: {zone.troops: 2, zone.admin: 1, cap: 1}
    values:
      zone.troops: {a: 1, b: 0, none: 0.5}
      zone.admin: {a: 1, b: 0, intl: 0.6}
      cap: {500: 0, 900: 1}
  - id: b
    name: Party B
    weights: {zone.troops: 1, zone.admin: 1, cap: 1}
    values:
      zone.troops: {a: 0, b: 1, none: 0.7}
      zone.admin: {a: 0, b: 1, intl: 0.5}
      cap: {500: 1, 900: 0}
red_lines:
  - {id: a-zone, party: a, rule: "zone.admin != b"}
  - {id: b-zone, party: b, rule: "zone.troops != a"}
"""


def test_listed_analyses_see_listed_options_only():
    """Every other analysis works on the listed options; the bridge opens the rest."""
    from zopa.engine.blockers import blockers
    from zopa.engine.solutions import solve
    from zopa.load import parse_scenario

    scenario = parse_scenario(ZONE)
    listed = Problem(scenario)
    assert listed.issues[0].values == ("a_holds", "b_takes")
    assert not solve(listed).feasible
    assert blockers(listed).to_json()["conflicts"] == [["a-zone", "b-zone"]]
    result = bridge(listed).to_json()
    assert result["space"] == [
        {"issue": "zone", "combinations": 9, "excluded": 1, "listed": 2, "new": 6}
    ]
    bridges = [b["attributes"] for b in result["conflicts"][0]["bridged_by"]]
    # not listed, not excluded, troops not a (b's red line), admin not b (a's red line)
    assert bridges == [
        {"troops": "b", "admin": "intl"},
        {"troops": "none", "admin": "a"},
        {"troops": "none", "admin": "intl"},
    ]
    text = result["conflicts"][0]["bridged_by"][1]["text"]
    assert text == (
        "The contested zone: Forces present: none, as Party B's red line b-zone requires; "
        "Administration: a, as Party A's red line a-zone requires."
    )
    assert result["feasible_with_new_formulas"] is True
    assert result["fewest_new_formulas"]["count"] == 1
    assert result["solutions"]["nash"]["new"] == ["zone"]
    assert isinstance(result["solutions"]["nash"]["package"]["zone"], dict)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attribute_scenarios())
def test_trying_a_bridge_as_a_what_if_dissolves_its_conflict(scenario):
    """Put a reported bridge on the table (a what-if): its conflict's constraints then hold
    together on the listed options, in the ordinary analysis."""
    from zopa.engine.sat import SatModel
    from zopa.whatif import Overrides, apply

    result = bridge(Problem(scenario))
    for conflict in result.conflicts[:2]:
        for formula in conflict.bridged_by[:2]:
            tried = apply(scenario, Overrides(formulas={formula.issue: [formula.attributes]}))
            assert [d.kind for d in tried.departures] == ["formula"]
            problem = Problem(tried.scenario)
            assert len(problem.issues[formula.issue_index].values) == (
                scenario.issues[formula.issue_index].listed + 1
            )
            slot = {c.id: k for k, c in enumerate(problem.constraints)}
            with SatModel(problem).solver() as solver:
                assert solver.check([slot[c.id] for c in conflict.constraints])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attribute_scenarios())
def test_a_time_limit_keeps_only_what_is_proven(scenario):
    """Stopped at once, the search says it is incomplete and reports nothing false."""
    listed = Problem(scenario)
    expanded, ids = _expanded(scenario)
    attributed = [expanded.issue_index[i] for i in ids]
    X = brute.packages(expanded)
    held = expanded.satisfied(X)
    slot = {c.id: k for k, c in enumerate(expanded.constraints)}
    result = bridge(listed, time_limit=1e-9)
    muses, _ = brute.muses_and_mcses(listed)
    if muses:
        assert not result.complete
    for conflict in result.conflicts:
        assert conflict.ids in muses
        indices = [slot[c] for c in conflict.ids]
        expected = _bridges_by_brute_force(expanded, X, held, indices, attributed)
        keys = {
            (f.issue_index, expanded.issues[f.issue_index].combos.index(f.combo))
            for f in conflict.bridged_by
        }
        assert keys <= expected
    for ids_ in result.unbridgeable:
        indices = [slot[c] for c in ids_]
        assert not _bridges_by_brute_force(expanded, X, held, indices, attributed)


def test_a_conflict_cut_short_is_never_called_unbridgeable(monkeypatch):
    """When the time limit passes during the search for bridges, the conflict says it is
    incomplete, and it is not listed as unbridgeable (nothing was proven about it)."""
    import time
    import types

    from zopa.engine import bridge as module
    from zopa.load import parse_scenario

    problem = Problem(parse_scenario(ZONE))
    calls = {"n": 0}

    def clock() -> float:  # bridge.py's clock only: start and deadline, then far later
        calls["n"] += 1
        return time.monotonic() + (1000 if calls["n"] > 2 else 0)

    full = bridge(problem)
    monkeypatch.setattr(module, "time", types.SimpleNamespace(monotonic=clock))
    cut = bridge(problem, time_limit=60)
    assert [c.ids for c in cut.conflicts] == [c.ids for c in full.conflicts]
    assert not cut.complete
    first = cut.to_json()["conflicts"][0]
    assert first["complete"] is False
    assert len(first["bridged_by"]) < len(full.conflicts[0].bridged_by)
    assert cut.unbridgeable == []
