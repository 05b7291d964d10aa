"""Export to GENIUS, import again: the same utilities for every package.

The XML carries each number exactly when its decimal terminates (and to 17
significant digits otherwise), so the exact utilities agree to ~1e-15.  The
integer utilities may still differ by a few units of the grid: GENIUS needs the
weights normalised and each discrete issue's evaluations divided by their
maximum, so the re-imported file has other (equivalent) weights, which
:func:`zopa.problem.apportion` rounds to the integer grid separately.  Each side
is within 1.5 units per issue of the exact utility, hence the bound 3·issues.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli import zopa
from zopa.interop.folder import load_folder
from zopa.interop.genius import export_genius
from zopa.load import load_scenario
from zopa.model import Scenario, exact
from zopa.problem import Problem, value_vector

DATA = Path(__file__).parent / "data"
VALUES = [0, 0.05, 0.1, 0.25, 1 / 3, 0.4, 0.5, 0.6, 0.75, 0.9, 1]


@st.composite
def issue_docs(draw: Any, k: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["categorical", "integer", "stepped", "decimal"]))
    count = draw(st.integers(1, 4))
    if kind == "categorical":
        return {"id": f"i{k}", "options": [f"o{j}" for j in range(count)]}
    start = draw(st.sampled_from([0, 3, 100]))
    step = {"integer": 1, "stepped": 5, "decimal": 0.25}[kind]
    return {"id": f"i{k}", "range": {"min": start, "max": start + step * (count - 1), "step": step}}


def _options(doc: dict[str, Any]) -> list[Any]:
    if "options" in doc:
        return doc["options"]
    r = doc["range"]
    count = round((r["max"] - r["min"]) / r["step"]) + 1
    return [r["min"] + j * r["step"] for j in range(count)]


@st.composite
def scenarios(draw: Any) -> Scenario:
    issues = [draw(issue_docs(k)) for k in range(draw(st.integers(1, 4)))]
    parties = []
    for p in range(draw(st.integers(1, 3))):
        weights = {i["id"]: draw(st.sampled_from([0, 0.15, 1, 2, 3])) for i in issues}
        values = {}
        for doc in issues:
            options = _options(doc)
            if "range" in doc and draw(st.booleans()):  # piecewise linear through a few points
                points = draw(
                    st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True)
                )
                values[doc["id"]] = {x: draw(st.sampled_from(VALUES)) for x in points}
            else:
                values[doc["id"]] = {o: draw(st.sampled_from(VALUES)) for o in options}
        parties.append(
            {
                "id": f"p{p}",
                "veto": draw(st.booleans()),
                "reservation": draw(st.sampled_from([0, 0.1, 1 / 3, 0.5])),
                "weights": weights,
                "values": values,
            }
        )
    return Scenario.model_validate({"id": "rt", "issues": issues, "parties": parties})


def exact_utilities(scenario: Scenario, party_id: str, packages) -> list[Fraction]:
    party = scenario.party(party_id)
    raw = [exact(party.weights.get(i.id, 0)) for i in scenario.issues]
    total = sum(raw, Fraction(0))
    rows = [value_vector(i, party.values.get(i.id, {})) for i in scenario.issues]
    return [
        sum(
            (w / total * rows[i][k] for i, (w, k) in enumerate(zip(raw, x, strict=True))),
            Fraction(0),
        )
        if total
        else Fraction(0)
        for x in packages
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_export_then_import_keeps_every_utility(tmp_path_factory, scenario):
    folder = tmp_path_factory.mktemp("genius")
    report = export_genius(scenario, folder)
    assert len(report.files) == 1 + len(scenario.parties)
    again = load_folder(folder).scenario
    assert [len(i.values) for i in again.issues] == [len(i.values) for i in scenario.issues]
    assert sorted(p.id for p in again.parties) == sorted(p.id for p in scenario.parties)
    before, after = Problem(scenario), Problem(again)
    packages = before.all_packages()
    u_before, u_after = before.utilities(packages), after.utilities(packages)
    bound = 3 * len(scenario.issues)
    for party in scenario.parties:
        i, j = before.party_index[party.id], after.party_index[party.id]
        assert abs(u_before[:, i] - u_after[:, j]).max() <= bound
        exact_before = exact_utilities(scenario, party.id, packages)
        exact_after = exact_utilities(again, party.id, packages)
        assert max(abs(a - b) for a, b in zip(exact_before, exact_after, strict=True)) < 1e-12
        if any(r.party == party.id for r in again.red_lines):  # "accepts nothing"
            # only when no package was above the reservation to begin with: a tie written
            # with 17-digit decimals can come back a hair below it
            assert max(exact_before) <= exact(party.reservation) + Fraction(1, 10**12)
        else:
            assert abs(again.party(party.id).reservation - party.reservation) < 1e-15


def test_a_reservation_tied_with_the_best_utility_may_come_back_as_no_deal(tmp_path):
    """Weights 1 and 2 travel as 17-digit decimals, so a tie can land a hair below the
    reservation; the import then says "no deal", as GENIUS's doubles would."""
    scenario = Scenario.model_validate(
        {
            "id": "tie",
            "issues": [{"id": f"i{k}", "range": {"min": 0, "max": 0, "step": 1}} for k in range(2)],
            "parties": [
                {
                    "id": "p",
                    "reservation": 0.1,
                    "weights": {"i0": 1, "i1": 2},
                    "values": {"i0": {0: 0.1}, "i1": {0: 0.1}},
                }
            ],
        }
    )
    assert Problem(scenario).utility([0, 0])[0] == Problem(scenario).reservations[0]  # a tie
    export_genius(scenario, tmp_path / "out")
    loaded = load_folder(tmp_path / "out")
    assert [r.party for r in loaded.scenario.red_lines] == ["p"]
    assert any("exceeds every utility: no deal" in w for w in loaded.warnings)


def test_linear_step_one_issue_becomes_a_genius_integer_issue(tmp_path):
    scenario = Scenario.model_validate(
        {
            "id": "lin",
            "issues": [{"id": "n", "range": {"min": 3, "max": 7, "step": 1}}],
            "parties": [
                {"id": "a", "weights": {"n": 1}, "values": {"n": {3: 0.2, 7: 1}}},
                {"id": "b", "weights": {"n": 1}, "values": {"n": {5: 1}}},
            ],
        }
    )
    export_genius(scenario, tmp_path)
    issue = ET.parse(tmp_path / "lin_domain.xml").getroot().find(".//issue")
    assert issue is not None and issue.get("type") == "integer"
    assert (issue.get("lowerbound"), issue.get("upperbound")) == ("3", "7")
    evaluator = ET.parse(tmp_path / "a.xml").getroot().find(".//evaluator")
    assert evaluator is not None
    assert (evaluator.get("offset"), evaluator.get("slope")) == ("0.2", "0.2")
    again = load_folder(tmp_path).scenario
    assert again.issues[0].range is not None
    assert again.party("a").values["n"] == {3: 0.2, 7: 1}


def test_genius_metadata_survives_a_round_trip(tmp_path):
    from zopa.interop.genius import import_genius

    basic = DATA / "genius" / "basic"
    first = import_genius(
        basic / "basic_domain.xml", [basic / "buyer.xml", basic / "seller.xml"]
    ).scenario
    export_genius(first, tmp_path)
    again = load_folder(tmp_path).scenario
    assert again.party("buyer").meta["genius"]["discount_factor"] == 0.9
    assert again.party("buyer").reservation == 0.3
    packages = Problem(first).all_packages()
    diff = Problem(first).utilities(packages) - Problem(again).utilities(packages)
    assert abs(diff).max() <= 3 * len(first.issues)


def test_cli_export_lists_red_lines_and_the_folder_loads(tmp_path):
    out = zopa("export", "genius", str(DATA / "example.yaml"), "-o", str(tmp_path / "g"))
    assert out.returncode == 0, out.stderr
    assert (
        "cannot express red lines" in out.stderr and "a-army (a): army_cap >= 800000" in out.stderr
    )
    assert "veto: false" in out.stderr
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == [
        "a.xml",
        "b.xml",
        "example_domain.xml",
        "m.xml",
    ]
    scenario = load_scenario(str(tmp_path / "g"))
    assert [i.title for i in scenario.issues] == ["territory", "army_cap", "alliance"]
    original = load_scenario(str(DATA / "example.yaml"))
    assert scenario.party("a").reservation == original.party("a").reservation
    missing = zopa("export", "genius", str(DATA / "example.yaml"))
    assert missing.returncode == 2 and "-o FOLDER" in missing.stderr
