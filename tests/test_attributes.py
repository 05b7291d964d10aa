"""Issues described by attributes: the format extension, rules over ``ISSUE.ATTR`` and
additive part-worths, checked against direct computations on random scenarios."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import _attribute_leaf, attribute_scenarios
from zopa import rules
from zopa.load import parse_scenario
from zopa.model import exact
from zopa.problem import SCALE, Problem, value_vector
from zopa.whatif import Overrides, apply

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OPS = rules.OPERATORS


def _holds(leaf: Any, issue: Any, combo: tuple[int, ...]) -> bool:
    """A comparison of ``ISSUE.ATTR`` on one combination, computed from the attribute values."""
    name = leaf.issue.partition(".")[2]
    a = [n for n, _ in issue.attribute_list()].index(name)
    attr = issue.attributes[name]
    k = combo[a]

    def position(v: rules.Value) -> int:
        return attr.values.index(v.number if attr.numeric else v.text)

    if isinstance(leaf, rules.In):
        inside = any(position(v) == k for v in leaf.values)
        return inside != leaf.negated
    if attr.numeric:
        return bool(OPS[leaf.op](attr.values[k], leaf.value.number))
    return bool(OPS[leaf.op](k, position(leaf.value)))


def _spec(attr: Any) -> dict[str, Any]:
    """An attribute as the strategies write it (integer ranges, option ids)."""
    if attr.numeric:
        lo, hi = int(attr.values[0]), int(attr.values[-1])
        step = int(attr.values[1] - attr.values[0]) if len(attr.values) > 1 else 1
        return {"range": {"min": lo, "max": hi, "step": step}}
    return {"options": list(attr.values), "ordered": attr.ordered}


@SETTINGS
@given(attribute_scenarios(), st.data())
def test_attribute_comparisons_bind_to_the_options_that_take_those_values(scenario, data):
    expanded = Problem(scenario, expand=[i.id for i in scenario.issues if i.attributed])
    for i, issue in enumerate(expanded.issues):
        if not issue.attributed:
            continue
        spec = {n: _spec(a) for n, a in issue.attribute_list()}
        leaf = _attribute_leaf(data.draw, issue.id, spec)
        for problem in (Problem(scenario), expanded):
            domain = problem.issues[i].domain()
            bound = rules.bind(leaf, [domain], [])
            assert isinstance(bound, rules.Member)
            expected = {
                k for k, combo in enumerate(problem.issues[i].combos) if _holds(leaf, issue, combo)
            }
            assert bound.allowed == expected, rules.to_text(leaf)


@SETTINGS
@given(attribute_scenarios())
def test_utilities_are_additive_over_attributes(scenario):
    """u_p(x) = Σ_k w_k v_k(x) / Σ_k w_k over every weight key, issue or ``ISSUE.ATTR``."""
    problem = Problem(scenario, expand=[i.id for i in scenario.issues if i.attributed])
    packages = problem.all_packages()[:300]
    got = problem.utilities(packages)
    for p, party in enumerate(problem.parties):
        total = sum((exact(w) for w in party.weights.values()), Fraction(0))
        for row, u in zip(packages, got[:, p], strict=True):
            want = Fraction(0)
            for i, issue in enumerate(problem.issues):
                if issue.attributed:
                    for a, (name, attr) in enumerate(issue.attribute_list()):
                        key = f"{issue.id}.{name}"
                        w = exact(party.weights.get(key, 0))
                        if w:
                            v = value_vector(attr, party.values[key])[issue.combos[row[i]][a]]
                            want += w * v
                else:
                    w = exact(party.weights.get(issue.id, 0))
                    if w:
                        want += w * value_vector(issue, party.values[issue.id])[row[i]]
            want = want / total if total else Fraction(0)
            assert abs(Fraction(int(u), SCALE) - want) < Fraction(3 * len(problem.issues), SCALE)


@SETTINGS
@given(attribute_scenarios(whole=True))
def test_a_what_if_keeps_attribute_issues_as_written(scenario):
    """Overrides dump the scenario and load it again: attributes, options and exclude
    rules come back unchanged (so do weights and values named ``ISSUE.ATTR``)."""
    red = scenario.red_lines[0].id
    changed = apply(scenario, Overrides(drop=[red])).scenario
    assert changed.issues == scenario.issues
    for before, after in zip(scenario.parties, changed.parties, strict=True):
        assert before.weights == after.weights
        assert before.values == after.values
    assert (Problem(changed).tables == Problem(scenario).tables).all()


EXAMPLE = """
format: zopa/1
id: plant
issues:
  - id: plant
    title: Who runs the plant
    attributes:
      operator: {title: Operator, options: [{id: a, label: A's operator}, b, third]}
      share: {title: A's share of the power, range: {min: 0, max: 100, step: 25}, unit: "%"}
    options:
      - {id: a_runs, operator: a, share: 100}
      - {id: b_runs, operator: b, share: 0}
    exclude: ["plant.operator == b and plant.share > 50"]
parties:
  - id: a
    weights: {plant.operator: {uniform: [1, 3]}, plant.share: 1}
    values:
      plant.operator: {a: 1, b: 0, third: {uniform: [0.4, 0.8]}}
      plant.share: {0: 0, 100: 1}
  - id: b
    weights: {plant: 1}
    values: {plant: {a_runs: 0, b_runs: 1}}
red_lines:
  - {id: a-share, party: a, rule: "plant.share >= 50"}
  - {id: b-operator, party: b, rule: "plant.operator != a"}
"""


def test_listed_options_and_the_space_they_come_from():
    scenario = parse_scenario(EXAMPLE)
    plant = scenario.issue("plant")
    assert plant.values == ("a_runs", "b_runs")
    assert plant.combos == ((0, 4), (1, 0))
    assert plant.space_size() == 15
    assert len(plant.space()) == 13  # b operates with more than 50 % for A: ruled out
    expanded = plant.expanded()
    assert expanded.listed == 2 and len(expanded.values) == 13
    assert expanded.values[2:4] == ("a-0", "a-25")
    assert expanded.label(2) == "Operator: A's operator, A's share of the power: 0 %"
    assert scenario.model_dump(mode="json", exclude_none=True)["issues"][0]["options"][0] == {
        "id": "a_runs",
        "operator": "a",
        "share": 100,
    }


def test_monte_carlo_samples_part_worths():
    """Each sample's table values the options by that sample's weights and part-worths."""
    from zopa.model import Party
    from zopa.problem import _utility_tables
    from zopa.uncertainty.evaluate import Job, model_for
    from zopa.uncertainty.sampling import draw
    from zopa.uncertainty.tables import Tables

    scenario = parse_scenario(EXAMPLE)
    job = Job(scenario, None, None, 7, 20)
    m = model_for(job)
    x = draw(m.qs, 7, 0, 20)
    tables = Tables(m.base, m.qs, x)
    party = scenario.party("a")
    for s in range(20):
        numbers = {q.key: float(x[s, k]) for k, q in enumerate(m.qs) if q.owner == "a"}
        point = Party.model_validate(
            {
                "id": "a",
                "weights": {k: numbers.get((k,), w) for k, w in party.weights.items()},
                "values": {
                    k: {o: numbers.get((k, str(o)), v) for o, v in t.items()}
                    for k, t in party.values.items()
                },
            }
        )
        want, _ = _utility_tables(m.base.issues, [point])
        got = tables.sample(s)[0]
        assert abs(got - want[0]).max() <= 1  # floating point against exact rounding


def test_a_party_valuing_the_whole_issue_has_no_value_for_new_formulas():
    scenario = parse_scenario(EXAMPLE)
    listed = Problem(scenario)
    assert not listed.unvalued
    expanded = Problem(scenario, expand=["plant"])
    assert expanded.unvalued == {(0, 1)}
    assert math.isclose(expanded.tables[1, 0, 1] / SCALE, 1.0)


def test_a_new_formula_can_be_put_on_the_table_as_a_what_if():
    from zopa.whatif import WhatIfError

    scenario = parse_scenario(EXAMPLE.replace("weights: {plant: 1}", "weights: {plant: 0}"))
    tried = apply(scenario, Overrides(formulas={"plant": [{"operator": "third", "share": 50}]}))
    assert tried.scenario.issue("plant").values == ("a_runs", "b_runs", "third-50")
    assert [d.to_json() for d in tried.departures] == [
        {
            "kind": "formula",
            "target": "plant",
            "from": None,
            "to": {"operator": "third", "share": 50},
            "text": "a new formula for Who runs the plant is on the table: Operator: third, "
            "A's share of the power: 50 %",
        }
    ]
    assert not Problem(tried.scenario).unvalued
    problems = {
        "formulas: b values 'plant' for its listed options only and states no value for "
        "Operator: third, A's share of the power: 50 %": {"operator": "third", "share": 50},
        "formulas: Operator: b, A's share of the power: 75 % is ruled out by an exclude rule "
        "of 'plant'": {"operator": "b", "share": 75},
        "formulas: Operator: A's operator, A's share of the power: 100 % is already listed, "
        "as option 'a_runs'": {"operator": "a", "share": 100},
        "formulas: 60 is no value of plant.share": {"operator": "a", "share": 60},
    }
    whole = parse_scenario(EXAMPLE)
    for message, formula in problems.items():
        try:
            apply(whole, Overrides(formulas={"plant": [formula]}))
        except WhatIfError as err:
            assert err.problems == [message]
        else:
            raise AssertionError(f"accepted {formula}")


def test_schema_and_genius_export_know_attribute_issues(tmp_path):
    from zopa.interop.folder import load_folder
    from zopa.interop.genius import export_genius
    from zopa.schema import json_schema

    schema = json_schema()["$defs"]
    assert {"attributes", "exclude"} <= set(schema["Issue"]["properties"])
    assert schema["Option"]["additionalProperties"] != False  # noqa: E712 - attribute values
    assert "attributes" not in schema["Option"]["properties"]
    scenario = parse_scenario(EXAMPLE.replace("weights: {plant: 1}", "weights: {plant: 2}"))
    report = export_genius(scenario.point_estimate(), tmp_path / "out")
    assert any("described by attributes" in note for note in report.notes)
    again = Problem(load_folder(tmp_path / "out").scenario)
    before = Problem(scenario)
    packages = before.all_packages()
    u_before, u_after = before.utilities(packages), again.utilities(packages)
    for party in scenario.parties:
        i, j = before.party_index[party.id], again.party_index[party.id]
        # integer grid units: each side within 1.5 of the exact utility
        assert abs(u_before[:, i] - u_after[:, j]).max() <= 3
