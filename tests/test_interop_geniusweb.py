"""GeniusWeb JSON import: hand-derived utilities and reservations, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import zopa
from zopa.interop.folder import load_folder
from zopa.interop.geniusweb import import_geniusweb
from zopa.load import ScenarioError
from zopa.problem import SCALE, Problem

DATA = Path(__file__).parent / "data" / "geniusweb" / "basic"
DOMAIN, ALICE, BOB = DATA / "basicweb.json", DATA / "alice.json", DATA / "bob.json"


def utility(scenario, party: str, colour: str, amount: int) -> float:
    problem = Problem(scenario)
    package = [scenario.issues[0].index_of(colour), scenario.issues[1].index_of(amount)]
    return problem.utility(package)[problem.party_index[party]] / SCALE


def test_hand_derived_utilities_and_reservation():
    s = import_geniusweb(DOMAIN, [ALICE, BOB]).scenario
    assert s.id == "basicweb"
    assert s.issues[1].range is not None and list(s.issues[1].values) == [10, 11, 12, 13, 14]
    # alice: 0.6·colour + 0.4·(x − 10)/4
    assert utility(s, "alice", "blue", 13) == pytest.approx(0.6 + 0.4 * 0.75, abs=3e-9)
    # the reservation is the utility of the reservation bid (green, 11)
    assert s.party("alice").reservation == pytest.approx(0.6 * 0.5 + 0.4 * 0.25)
    # bob: the number utility is rounded to 8 decimals, half up, as GeniusWeb does
    assert utility(s, "bob", "red", 11) == pytest.approx(0.5 + 0.5 * 0.83333333, abs=3e-9)
    assert utility(s, "bob", "red", 12) == pytest.approx(0.5 + 0.5 * 0.66666667, abs=3e-9)
    assert s.party("bob").reservation == 0


def test_geniusweb_folder_is_a_scenario():
    imported = load_folder(DATA)
    assert [p.id for p in imported.scenario.parties] == ["alice", "bob"]
    out = zopa("frontier", str(DATA), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["parties"] == ["alice", "bob"]


def test_cli_import_geniusweb(tmp_path):
    target = tmp_path / "web.yaml"
    out = zopa("import", "geniusweb", str(DOMAIN), str(ALICE), str(BOB), "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert "format: zopa/1" in target.read_text()


def _edit(path: Path, change) -> str:
    data = json.loads(path.read_text())
    change(data["LinearAdditiveUtilitySpace"])
    return json.dumps(data, indent=1)


def _weights(space):
    space["issueWeights"]["colour"] = 0.7


def _other_domain(space):
    del space["issueUtilities"]["colour"]["discreteutils"]["valueUtilities"]["blue"]


def _out_of_range(space):
    space["issueUtilities"]["colour"]["discreteutils"]["valueUtilities"]["red"] = 1.5


def _bad_bid(space):
    space["reservationBid"]["issuevalues"]["colour"] = "purple"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_other_domain, "is this a profile for another domain?"),
        (_out_of_range, "utilities must lie in [0, 1]"),
        (_bad_bid, "'purple' is not a value of issue 'colour'"),
    ],
)
def test_errors_point_at_the_key(tmp_path, change, message):
    bad = tmp_path / "bad.json"
    bad.write_text(_edit(ALICE, change))
    with pytest.raises(ScenarioError) as err:
        import_geniusweb(DOMAIN, [bad])
    [diagnostic] = err.value.diagnostics
    assert message in diagnostic.message and diagnostic.file == str(bad)
    assert diagnostic.line > 1


def test_malformed_json_and_unsupported_profiles(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"LinearAdditiveUtilitySpace": {\n  "issueWeights": [1, }\n}')
    with pytest.raises(ScenarioError) as err:
        import_geniusweb(DOMAIN, [broken])
    assert err.value.diagnostics[0].line == 2
    assert "malformed JSON" in err.value.diagnostics[0].message
    groups = tmp_path / "groups.json"
    groups.write_text('{"SumOfGroupsUtilitySpace": {}}')
    with pytest.raises(ScenarioError, match="zopa/1 is additive"):
        import_geniusweb(DOMAIN, [groups])
    out = zopa("import", "geniusweb", str(DOMAIN), str(groups))
    assert out.returncode == 1 and out.stderr.startswith(f"{groups}:1:1:")


def test_weights_not_summing_to_one_warn(tmp_path):
    odd = tmp_path / "odd.json"
    odd.write_text(_edit(ALICE, _weights))
    imported = import_geniusweb(DOMAIN, [odd])
    assert any("GeniusWeb requires exactly 1" in w for w in imported.warnings)
    # zopa keeps the utility as GeniusWeb would compute it, divided by the weight sum 1.1
    assert utility(imported.scenario, "odd", "blue", 14) == pytest.approx(1.1 / 1.1, abs=3e-9)
    assert utility(imported.scenario, "odd", "red", 10) == pytest.approx(0.7 * 0.2 / 1.1, abs=3e-9)


def test_a_profile_naming_another_domain_warns_when_its_issues_fit(tmp_path):
    renamed = tmp_path / "alice.json"
    renamed.write_text(ALICE.read_text().replace('"name": "basicweb"', '"name": "basicweb2"'))
    line = next(
        k for k, row in enumerate(renamed.read_text().splitlines(), 1) if "basicweb2" in row
    )
    imported = import_geniusweb(DOMAIN, [renamed, BOB])
    assert imported.warnings == [
        f"{renamed}:{line}: the profile names domain 'basicweb2', not 'basicweb'; "
        "its issues fit, so it is read (renamed copies of domains are common)"
    ]
    assert import_geniusweb(DOMAIN, [ALICE, BOB]).warnings == []
    for name in ("basicweb.json", "bob.json"):
        (tmp_path / name).write_text((DATA / name).read_text())
    out = zopa("frontier", str(tmp_path), "--json")
    assert out.returncode == 0 and f"warning: {imported.warnings[0]}" in out.stderr
    json.loads(out.stdout)
