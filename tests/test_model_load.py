"""The zopa/1 model and loader, and the integer utilities of :mod:`zopa.problem`."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa.load import ScenarioError, load_scenario, parse_scenario
from zopa.model import RedLine, Scenario
from zopa.problem import SCALE, Problem, apportion, interpolate, value_vector

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "example.yaml"


@pytest.fixture(scope="module")
def example() -> Scenario:
    return load_scenario(EXAMPLE)


# --------------------------------------------------------------------------- loading


def test_example_loads(example: Scenario) -> None:
    assert example.id == "example"
    assert [i.id for i in example.issues] == ["territory", "army_cap", "alliance"]
    assert [p.id for p in example.parties] == ["a", "b", "m"]
    assert [r.id for r in example.red_lines] == ["a-army", "b-army", "b-alliance"]
    assert [d.id for d in example.drafts] == ["first-draft"]
    assert example.sources[0].date == dt.date(2025, 11, 18)
    cap = example.issue("army_cap")
    assert cap.numeric
    assert cap.values == tuple(Fraction(400_000 + 50_000 * k) for k in range(13))
    assert cap.label(4) == "600,000 personnel"
    assert example.issue("alliance").ordered
    assert not example.party("m").veto
    assert example.party("a").reservation == 0.2
    assert example.red_lines[0].since == dt.date(2025, 11, 20)


def test_yaml_and_json_load_to_equal_models(example: Scenario) -> None:
    from_json = load_scenario(DATA / "example.json")
    assert '"400000": 0' in (DATA / "example.json").read_text()  # numeric keys as text
    assert from_json == example
    assert from_json.party("a").values["army_cap"] == {400_000: 0, 800_000: 1}


def test_json_indented_with_tabs_loads(example: Scenario) -> None:
    document = json.loads((DATA / "example.json").read_text())
    assert parse_scenario(json.dumps(document, indent="\t"), "x.json") == example
    assert parse_scenario(json.dumps(document), "x.json") == example


def test_value_keys_and_draft_options_are_canonical() -> None:
    text = EXAMPLE.read_text()
    text = text.replace("army_cap: {400000: 0, 800000: 1}", "army_cap: {'400000': 0, 8e5: 1}")
    text = text.replace("army_cap: 600000, alliance", "army_cap: '600_000', alliance")
    s = parse_scenario(text)
    assert s.party("a").values["army_cap"] == {400_000: 0, 800_000: 1}
    assert s.drafts[0].package["army_cap"] == 600_000


def test_options_as_mappings_and_meta_everywhere() -> None:
    text = """
format: zopa/1
id: meta
meta: {anything: [1, {deep: true}]}
sources: [{id: s, title: T, meta: 5}]
issues:
  - id: zone
    meta: {point: 7}
    options:
      - {id: north, label: The north, description: Up there, meta: x}
      - 2022
      - true
  - id: cap
    range: {min: 0, max: 1, step: 0.1}
parties:
  - id: a
    meta: {notes: [a, b]}
    weights: {zone: 1}
    values: {zone: {north: 1, 2022: 0.5, true: 0}}
red_lines: [{id: r, party: a, rule: "zone != 2022 and cap >= 0.3", meta: null}]
drafts: [{id: d, package: {zone: 'true', cap: 0.7}, meta: {}}]
"""
    s = parse_scenario(text)
    zone = s.issue("zone")
    assert zone.values == ("north", "2022", "true")
    assert zone.label(0) == "The north"
    assert zone.label(1) == "2022"
    assert s.issue("cap").values == tuple(Fraction(k, 10) for k in range(11))
    assert s.drafts[0].package == {"zone": "true", "cap": 0.7}
    assert s.meta == {"anything": [1, {"deep": True}]}
    assert Problem(s).red_lines[0][0].id == "r"


def test_every_problem_is_reported_sorted() -> None:
    text = EXAMPLE.read_text().replace("step: 50000", "step: 0").replace("veto: false", "veto: 3")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "f.yaml")
    diags = err.value.diagnostics
    assert [d.message for d in diags] == [
        "step 0 must be greater than 0",
        "expected true or false, got 3",
    ]
    assert diags == sorted(diags)
    assert str(err.value) == "\n".join(str(d) for d in diags)


def test_missing_file_and_folder_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file or built-in scenario"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="is a folder"):
        load_scenario(tmp_path)


MUTATIONS = ["", "-1", "1.5", "[]", "{}", "~", "x", "'", ":", "- ", "*a", "&a y", "2025-02-30"]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_mangled_files_give_diagnostics_never_crashes(data: st.DataObject) -> None:
    lines = EXAMPLE.read_text().splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        k = data.draw(st.integers(0, len(lines) - 1))
        cut = data.draw(st.integers(0, len(lines[k])))
        lines[k] = lines[k][:cut] + data.draw(st.sampled_from(MUTATIONS)) + lines[k][cut:]
    text = "\n".join(lines) + "\n"
    try:
        s = parse_scenario(text, "f.yaml")
    except ScenarioError as err:
        assert err.diagnostics
        for d in err.diagnostics:
            assert d.file == "f.yaml"
            assert 1 <= d.line <= len(lines) + 1
            assert d.column >= 1
            assert d.message
    else:
        Problem(s, s.select()[1])  # whatever loads can be analysed


# --------------------------------------------------------------------------- utilities


def test_weights_are_normalised_and_apportioned(example: Scenario) -> None:
    problem = Problem(example)
    # SCALE is divisible by 6, so the halves, thirds and sixths are exact
    assert apportion([3, 2, 1]) == [SCALE // 2, SCALE // 3, SCALE // 6]
    best = problem.tables[0].max(axis=1)  # party a, best option of each issue
    assert best.tolist() == [SCALE // 2, SCALE // 3, SCALE // 6]
    # 17 does not divide SCALE: the leftover units go to the largest remainders
    shares = apportion([1] * 17)
    assert sum(shares) == SCALE and max(shares) - min(shares) == 1
    # party m weights only territory: the whole scale goes there
    assert problem.tables[2].max(axis=1).tolist() == [SCALE, 0, 0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(0, 1000), st.floats(0, 1e6, allow_nan=False, allow_infinity=False)),
        min_size=1,
        max_size=12,
    )
)
def test_apportion_sums_to_scale_exactly(weights: list[float]) -> None:
    shares = apportion(weights)
    exact = [Fraction(repr(w)) if isinstance(w, float) else Fraction(w) for w in weights]
    total = sum(exact)
    if total == 0:
        assert shares == [0] * len(weights)
        return
    assert sum(shares) == SCALE
    for share, w in zip(shares, exact, strict=True):
        assert abs(share - w * SCALE / total) < 1
        if w == 0:
            assert share == 0


def test_interpolation_is_piecewise_linear_and_flat_outside() -> None:
    points = {Fraction(0): Fraction(0), Fraction(10): Fraction(1), Fraction(20): Fraction(1, 2)}
    expected = {-5: 0, 0: 0, 2: Fraction(1, 5), 5: Fraction(1, 2), 10: 1, 15: Fraction(3, 4)}
    expected |= {20: Fraction(1, 2), 100: Fraction(1, 2)}
    for x, v in expected.items():
        assert interpolate(points, Fraction(x)) == v
    assert interpolate({Fraction(3): Fraction(2, 5)}, Fraction(-9)) == Fraction(2, 5)


def test_numeric_values_interpolate_over_the_options(example: Scenario) -> None:
    cap = example.issue("army_cap")
    a = value_vector(cap, example.party("a").values["army_cap"])
    b = value_vector(cap, example.party("b").values["army_cap"])
    # a: 0 at 400,000 rising to 1 at 800,000, then flat; b: 1 at 400,000 falling to 0 at 1,000,000
    assert a == [Fraction(min(k, 8), 8) for k in range(13)]
    assert b == [1 - Fraction(k, 12) for k in range(13)]
    problem = Problem(example)
    weight = SCALE // 3  # party a's integer weight on army_cap (see above)
    table = problem.tables[0, 1, :13].tolist()
    assert table[0] == 0
    assert table[1] == weight // 8  # exact: SCALE is divisible by 24
    assert table[4] == weight // 2
    assert table[8:] == [weight] * 5


def test_best_package_reaches_exactly_scale(example: Scenario) -> None:
    problem = Problem(example)
    best_for_a = problem.package_indices(
        {"territory": "freeze_line", "army_cap": 900_000, "alliance": "open_door"}
    )
    assert problem.utility(best_for_a)[0] == SCALE  # type: ignore[arg-type]
    worst_for_a = problem.package_indices(
        {"territory": "full_withdrawal", "army_cap": 400_000, "alliance": "renounce"}
    )
    assert problem.utility(worst_for_a)[0] == 0  # type: ignore[arg-type]


UNIT_VALUES = st.sampled_from(["0", "0.1", "0.25", "1/3", "0.5", "0.7", "0.99", "1"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=4),
    st.lists(st.floats(0, 10, allow_nan=False), min_size=4, max_size=4),
    st.data(),
)
def test_integer_utilities_match_exact_utilities(
    sizes: list[int], weights: list[float], data: st.DataObject
) -> None:
    """U/SCALE is within 1.5·n/SCALE of Σ w v, and a party with a 1 on every issue reaches SCALE."""
    issues = [{"id": f"i{k}", "options": [f"o{j}" for j in range(n)]} for k, n in enumerate(sizes)]
    values = {
        f"i{k}": {f"o{j}": data.draw(UNIT_VALUES) for j in range(n)} for k, n in enumerate(sizes)
    }
    for table in values.values():  # every issue has a best option worth exactly 1
        table[data.draw(st.sampled_from(sorted(table)))] = "1"
    weights = weights[: len(sizes)]
    if not any(weights):
        weights[0] = 1.0
    party = {
        "id": "a",
        "weights": {f"i{k}": w for k, w in enumerate(weights)},
        "values": {i: {o: float(Fraction(v)) for o, v in t.items()} for i, t in values.items()},
    }
    s = Scenario.model_validate({"id": "t", "issues": issues, "parties": [party]})
    problem = Problem(s)
    w = [Fraction(repr(x)) / sum(Fraction(repr(x)) for x in weights) for x in weights]
    v = {
        i: {o: Fraction(repr(float(Fraction(x)))) for o, x in t.items()} for i, t in values.items()
    }
    all_packages = problem.all_packages()
    utilities = problem.utilities(all_packages)[:, 0]
    for package, u in zip(all_packages.tolist(), utilities.tolist(), strict=True):
        exact = sum(w[k] * v[f"i{k}"][f"o{j}"] for k, j in enumerate(package))
        assert abs(Fraction(u, SCALE) - exact) < Fraction(3, 2) * len(sizes) / SCALE
    assert utilities.max() == SCALE


def test_utilities_vectorised_equal_one_at_a_time(example: Scenario) -> None:
    problem = Problem(example)
    packages = problem.all_packages()
    many = problem.utilities(packages)
    for package, row in zip(packages.tolist(), many.tolist(), strict=True):
        assert problem.utility(package) == row
    assert many.dtype == np.int64


# --------------------------------------------------------------------------- time

TIMED = """
format: zopa/1
id: timed
issues:
  - {id: cap, range: {min: 0, max: 100, step: 10}}
parties:
  - {id: a, weights: {cap: 1}, values: {cap: {0: 0, 100: 1}}}
  - {id: m, veto: false}
red_lines:
  - {id: always, party: a, rule: "cap >= 10"}
  - {id: from-nov, party: a, rule: "cap >= 20", since: 2025-11-20}
  - {id: until-nov, party: a, rule: "cap >= 30", until: 2025-11-25}
  - {id: window, party: a, rule: "cap >= 40", since: 2025-11-21, until: 2025-11-22}
  - {id: mediator, party: m, rule: "cap <= 50"}
drafts:
  - {id: first, date: 2025-11-20, package: {cap: 10}}
  - {id: undated, package: {cap: 20}}
  - {id: last, date: 2025-11-30, package: {cap: 30}}
"""


@pytest.fixture(scope="module")
def timed() -> Scenario:
    return parse_scenario(TIMED)


def test_select_latest_draft_by_default(timed: Scenario) -> None:
    draft, date = timed.select()
    assert draft is not None and draft.id == "last"
    assert date == dt.date(2025, 11, 30)


def test_select_given_draft_and_as_of(timed: Scenario) -> None:
    draft, date = timed.select("first")
    assert draft is not None and draft.id == "first"
    assert date == dt.date(2025, 11, 20)
    draft, date = timed.select("undated")
    assert draft is not None and draft.id == "undated"
    assert date is None
    draft, date = timed.select("first", dt.date(2025, 12, 24))
    assert draft is not None and draft.id == "first"
    assert date == dt.date(2025, 12, 24)
    # without --draft, the latest draft on the table as of the date (undated ones always are)
    draft, date = timed.select(as_of=dt.date(2025, 1, 1))
    assert draft is not None and draft.id == "undated"
    assert date == dt.date(2025, 1, 1)
    draft, _ = timed.select(as_of=dt.date(2025, 11, 29))
    assert draft is not None and draft.id == "undated"
    draft, _ = timed.select(as_of=dt.date(2025, 11, 30))
    assert draft is not None and draft.id == "last"


def test_select_unknown_draft_names_the_drafts(timed: Scenario) -> None:
    with pytest.raises(KeyError, match=r"no draft 'nope'.*first, undated, last"):
        timed.select("nope")


def test_select_without_drafts() -> None:
    s = parse_scenario(TIMED.split("drafts:")[0])
    assert s.select() == (None, None)
    assert s.select(as_of=dt.date(2025, 1, 1)) == (None, dt.date(2025, 1, 1))
    assert len(Problem(s, None).red_lines) == 5  # no date: every red line is in force


@pytest.mark.parametrize(
    ("since", "until", "day", "in_force"),
    [
        (None, None, 1, True),
        (20, None, 19, False),
        (20, None, 20, True),
        (None, 25, 25, True),
        (None, 25, 26, False),
        (21, 22, 20, False),
        (21, 22, 21, True),
        (21, 22, 22, True),
        (21, 22, 23, False),
        (21, 21, 21, True),
    ],
)
def test_red_line_in_force_bounds_are_inclusive(
    since: int | None, until: int | None, day: int, in_force: bool
) -> None:
    def nov(d: int | None) -> dt.date | None:
        return None if d is None else dt.date(2025, 11, d)

    red = RedLine(id="r", party="a", rule="x == y", since=nov(since), until=nov(until))
    assert red.in_force(nov(day)) is in_force
    assert red.in_force(None)


def test_problem_as_of_drops_red_lines_not_in_force(timed: Scenario) -> None:
    def ids(on: dt.date | None) -> list[str]:
        return [r.id for r, _ in Problem(timed, on).red_lines]

    assert ids(dt.date(2025, 11, 19)) == ["always", "until-nov", "mediator"]
    assert ids(dt.date(2025, 11, 21)) == ["always", "from-nov", "until-nov", "window", "mediator"]
    assert ids(dt.date(2025, 11, 30)) == ["always", "from-nov", "mediator"]
    problem, draft = Problem.for_draft(timed, "first")
    assert draft is not None and problem.as_of == dt.date(2025, 11, 20)
    assert [r.id for r, _ in problem.red_lines] == ["always", "from-nov", "until-nov", "mediator"]


def test_red_lines_of_parties_without_veto_are_not_constraints(timed: Scenario) -> None:
    problem = Problem(timed, dt.date(2025, 11, 30))
    ids = [c.id for c in problem.constraints]
    assert ids == ["always", "from-nov", "a:reservation"]
    assert [r.id for r, _ in problem.objections] == ["mediator"]
    # cap = 100 breaks the mediator's red line, yet every veto party accepts it
    assert problem.agreement_mask(np.array([[10], [1], [2]])).tolist() == [True, False, True]


def test_reservation_constraints_name_the_weighted_issues(example: Scenario) -> None:
    problem = Problem(example)
    by_id = {c.id: c for c in problem.constraints}
    assert set(by_id) == {"a-army", "b-army", "b-alliance", "a:reservation", "b:reservation"}
    assert by_id["a:reservation"].issues == frozenset({0, 1, 2})
    assert by_id["a-army"].issues == frozenset({1})
    assert by_id["a:reservation"].bound.threshold == SCALE // 5  # type: ignore[union-attr]


def test_agreement_mask_matches_acceptance_one_at_a_time(example: Scenario) -> None:
    problem = Problem(example)
    packages = problem.all_packages()
    mask = problem.agreement_mask(packages)
    for package, ok in zip(packages.tolist(), mask.tolist(), strict=True):
        assert ok == all(problem.accepts(p, package) for p in problem.veto_parties)
    assert not mask.any()  # a-army (army_cap >= 800,000) and b-army (<= 600,000) conflict
