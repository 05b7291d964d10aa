"""GENIUS XML import: hand-derived utilities under GENIUS 10.4 and NegMAS 0.16 rules."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from tests.cli import zopa
from zopa.interop import InteropWarning
from zopa.interop.folder import load_folder
from zopa.interop.genius import import_genius
from zopa.load import ScenarioError, load_scenario, parse_scenario
from zopa.model import Scenario
from zopa.problem import SCALE, Problem

DATA = Path(__file__).parent / "data" / "genius"
BASIC = DATA / "basic"
DOMAIN, BUYER, SELLER = BASIC / "basic_domain.xml", BASIC / "buyer.xml", BASIC / "seller.xml"


def utility(scenario: Scenario, party: str, **labels: object) -> float:
    """A party's utility of the package given by issue titles and option labels/numbers."""
    problem = Problem(scenario)
    package = []
    for issue in scenario.issues:
        wanted = labels[issue.title.lower()]  # type: ignore[union-attr]
        if issue.numeric:
            k = issue.index_of(wanted)
        else:
            k = [issue.label(j) for j in range(len(issue.values))].index(wanted)
        assert k is not None
        package.append(k)
    return problem.utility(package)[problem.party_index[party]] / SCALE


def near(a: float, b: float) -> bool:
    return abs(a - b) <= 4 / SCALE  # the integer grid: under 1.5e-9 per issue


# --------------------------------------------------------------------------- GENIUS rules


def test_genius_semantics_hand_derived():
    s = import_genius(DOMAIN, [BUYER, SELLER]).scenario
    # buyer: colour 2/5/10 divided by 10; amount 0.2 + 0.25·(x − 10), capped at 1;
    # price 1 − x/100 on 21 grid points.
    assert near(utility(s, "buyer", colour="blue", amount=12, price=50), 0.5 + 0.3 * 0.7 + 0.1)
    assert near(utility(s, "buyer", colour="red", amount=14, price=0), 0.1 + 0.3 + 0.2)
    assert near(utility(s, "buyer", colour="green", amount=10, price=95), 0.25 + 0.06 + 0.01)
    # seller: weights sum to 0.9 and are used as written; colour 0.8/0.4/0 over 0.8;
    # amount 0.3·(x − 10) capped at 1; triangular price peaking at 50.
    assert near(utility(s, "seller", colour="blue", amount=12, price=50), 0.25 * 0.6 + 0.4)
    assert near(utility(s, "seller", colour="red", amount=14, price=25), 0.25 + 0.25 + 0.2)
    assert near(utility(s, "seller", colour="red", amount=14, price=50), 0.9)
    assert near(utility(s, "seller", colour="green", amount=11, price=100), 0.125 + 0.075)


def test_reservation_discount_and_metadata():
    s = import_genius(DOMAIN, [BUYER, SELLER]).scenario
    buyer, seller = s.party("buyer"), s.party("seller")
    assert buyer.reservation == 0.3 and seller.reservation == 0
    assert buyer.meta["genius"]["discount_factor"] == 0.9
    assert "discount_factor" not in seller.meta["genius"]
    assert seller.meta["genius"]["weights_sum"] == 0.9
    price = s.issues[2]
    assert price.meta["genius"] == {"index": 3, "type": "real", "bounds": [0, 100]}
    assert len(price.values) == 21 and price.values[1] == 5
    colour = s.issues[0]
    assert [o.id for o in colour.options] == ["red", "green", "blue"]
    assert colour.title == "Colour"


def test_integer_issue_is_exact_piecewise_linear():
    s = import_genius(DOMAIN, [BUYER]).scenario
    amount = s.party("buyer").values["amount"]
    # 0.2 + 0.25·(x − 10) reaches 1 at 13.2: a kink between the options 13 and 14
    assert amount == {10: 0.2, 13: 0.95, 14: 1}


def test_real_steps_sets_the_grid():
    s = import_genius(DOMAIN, [BUYER], real_steps=5).scenario
    price = s.issues[2]
    assert [float(v) for v in price.values] == [0, 25, 50, 75, 100]
    odd = import_genius(DOMAIN, [BUYER], real_steps=4).scenario.issues[2]  # 100/3: not a range
    assert odd.options is not None and odd.ordered and len(odd.options) == 4
    assert near(
        utility(
            import_genius(DOMAIN, [BUYER], real_steps=4).scenario,
            "buyer",
            colour="red",
            amount=10,
            price="33.33333333",
        ),
        0.1 + 0.06 + 0.2 * (1 - Fraction(100, 3) / 100),
    )


def test_negmas_semantics_hand_derived():
    imported = import_genius(DOMAIN, [BUYER, SELLER], semantics="negmas")
    s = imported.scenario
    buyer = s.party("buyer").meta["genius"]["negmas_utility"]
    # NegMAS: raw evaluations, offset + slope·x without the lower bound or a cap.
    # Least buyer utility: red (0.5·2) + amount 10 (0.3·2.7) + price 100 (0.2·0) = 1.81.
    assert buyer["offset"] == pytest.approx(1.81)
    raw = 0.5 * 10 + 0.3 * (0.2 + 0.25 * 12) + 0.2 * 0.5
    got = buyer["offset"] + buyer["scale"] * utility(s, "buyer", colour="blue", amount=12, price=50)
    assert got == pytest.approx(raw, abs=1e-8)
    # The reserved value 0.3 is below every utility: NegMAS's disagreement point is the minimum.
    assert s.party("buyer").reservation == 0
    seller = s.party("seller").meta["genius"]["negmas_utility"]
    raw = 0.25 * 0 + 0.25 * 0.3 * 12 + 0.4 * 1
    got = seller["offset"] + seller["scale"] * utility(
        s, "seller", colour="blue", amount=12, price=50
    )
    assert got == pytest.approx(raw, abs=1e-8)


def test_imported_text_is_the_validated_scenario(tmp_path):
    imported = import_genius(DOMAIN, [BUYER, SELLER])
    again = parse_scenario(imported.text, "again.yaml")
    assert again == imported.scenario
    packages = Problem(again).all_packages()
    assert (
        Problem(again).utilities(packages) == Problem(imported.scenario).utilities(packages)
    ).all()


# --------------------------------------------------------------------------- folders


def test_three_party_folder_loads_every_profile_in_natural_order():
    imported = load_folder(DATA / "three")
    s = imported.scenario
    assert [p.id for p in s.parties] == ["p1", "p2", "p10"]
    assert s.id == "three"
    assert any("preference-uncertainty" in w for w in imported.warnings)
    assert near(utility(s, "p1", day="Friday", place="Café & bar"), 0.4 + 0.6 * 0.5)
    assert near(utility(s, "p2", day="Monday", place="Park"), 0.5 + 0.5 * 0.25)
    # p10: every Day evaluation is 0, below GENIUS's 0.00001 threshold, so Day counts 0
    assert near(utility(s, "p10", day="Friday", place="Park"), 0.7)
    assert near(utility(s, "p10", day="Monday", place="Café & bar"), 0.7 * 0.25)


def test_folder_is_a_scenario_for_every_command():
    with pytest.warns(InteropWarning, match="preference-uncertainty profile"):
        assert load_scenario(str(DATA / "three")).parties[2].id == "p10"
    out = zopa("solve", str(DATA / "three"), "--json")
    assert out.returncode == 0, out.stderr
    assert '"nash"' in out.stdout
    assert "warning: " in out.stderr and "p10.xml: preference-uncertainty profile" in out.stderr


# --------------------------------------------------------------------------- command line


def test_cli_import_prints_or_writes_atomically(tmp_path):
    printed = zopa("import", "genius", str(DOMAIN), str(BUYER), str(SELLER))
    assert printed.returncode == 0, printed.stderr
    target = tmp_path / "basic.yaml"
    written = zopa("import", "genius", str(DOMAIN), str(BUYER), str(SELLER), "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert target.read_text() == printed.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["basic.yaml"]  # no temporary file left
    check = zopa("check", str(target))
    assert check.returncode == 0, check.stdout


def test_cli_negmas_semantics_and_usage_errors():
    ok = zopa("import", "genius", str(DOMAIN), str(BUYER), "--semantics", "negmas")
    assert ok.returncode == 0 and "negmas_utility" in ok.stdout
    bad = zopa("import", "genius", str(DOMAIN), str(BUYER), "--semantics", "nash")
    assert bad.returncode == 2 and "--semantics" in bad.stderr
    steps = zopa("import", "genius", str(DOMAIN), str(BUYER), "--real-steps", "1")
    assert steps.returncode == 2 and "--real-steps" in steps.stderr


# --------------------------------------------------------------------------- errors


BUYER_TEXT = BUYER.read_text()

# Each case: the file's text, a string on the line the error must point at, the message.
ERRORS = {
    "malformed": (
        "<utility_space>\n  <objective>\n</utility_space>\n",
        "</utility_space>",
        "malformed XML",
    ),
    "entities": (
        '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<utility_space/>\n',
        "DOCTYPE",
        "entity declarations are not allowed",
    ),
    "other domain": (
        BUYER_TEXT.replace('value="blue"', 'value="yellow"'),
        'name="Colour"',
        "no evaluation for 'blue'; is this a profile for another domain?",
    ),
    "unknown evaluator": (
        BUYER_TEXT.replace(
            'parameter0="1" parameter1="-0.01"', 'parameter0="1" parameter1="0.1"'
        ).replace('ftype="linear" parameter0', 'ftype="faratin" parameter0'),
        "faratin",
        "unknown evaluator function 'faratin'",
    ),
    "integer ftype": (
        BUYER_TEXT.replace('ftype="linear" offset="0.2"', 'ftype="exponential" offset="0.2"'),
        "exponential",
        "unknown evaluator function 'exponential' for integer issue 'Amount'",
    ),
    "nonlinear": (
        BUYER_TEXT.replace("<utility_space>", '<utility_space type="nonlinear">'),
        "nonlinear",
        "is not additive",
    ),
    "a domain": (DOMAIN.read_text(), "<negotiation_template>", "not a GENIUS profile"),
    "bad number": (
        BUYER_TEXT.replace('evaluation="10"', 'evaluation="lots"'),
        "lots",
        "attribute 'evaluation' of <item>: 'lots' is not a number",
    ),
    "no weight": (
        BUYER_TEXT.replace('<weight index="2" value="0.3"/>', ""),
        'name="Amount"',
        "'Amount' (index 2) has no weight",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_name_file_line_and_element(tmp_path, case):
    text, marker, message = ERRORS[case]
    line = next(k for k, row in enumerate(text.splitlines(), 1) if marker in row)
    bad = tmp_path / "bad.xml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as err:
        import_genius(DOMAIN, [BUYER, bad])
    [diagnostic] = err.value.diagnostics
    assert diagnostic.file == str(bad)
    assert diagnostic.line == line
    assert message in diagnostic.message
    out = zopa("import", "genius", str(DOMAIN), str(bad))
    assert out.returncode == 1
    assert out.stderr.startswith(f"{bad}:{line}:")
    assert "Traceback" not in out.stderr


def test_missing_file():
    with pytest.raises(ScenarioError, match="cannot read the file"):
        import_genius(DOMAIN, [BASIC / "nowhere.xml"])


def test_lenient_repairs_of_real_anac_slips(tmp_path):
    # Seen in ANAC files: a declaration after a comment, a bare "&", glued
    # attributes, Windows-1252 text without a declaration.
    domain = tmp_path / "d.xml"
    domain.write_bytes(
        b"<!-- slips -->\n<?xml version='1.0' encoding='utf-8'?>\n"
        b'<negotiation_template><utility_space><objective index="0">\n'
        b'<issue index="1" name="Carrier" type="discrete"vtype="discrete">'
        b'<item index="1" value="AT & T"/><item index="2" value="\xa310,000"/></issue>\n'
        b"</objective></utility_space></negotiation_template>\n"
    )
    profile = tmp_path / "p.xml"
    profile.write_bytes(
        b'<utility_space><objective index="0">'
        b'<issue index="1" name="Carrier" type="discrete">'
        b'<item value="AT &amp; T" evaluation="1"/><item value="\xa310,000" evaluation="4"/>'
        b'</issue><weight index="1" value="1"/></objective></utility_space>'
    )
    s = import_genius(domain, [profile]).scenario
    labels = [o.label or o.id for o in s.issues[0].options]
    assert labels == ["AT & T", "£10,000"]
    assert near(utility(s, "p", carrier="AT & T"), 0.25)


def test_weights_above_one_are_divided_out_with_a_warning(tmp_path):
    heavy = tmp_path / "heavy.xml"
    heavy.write_text(BUYER.read_text().replace('value="0.5"/>', 'value="1.0"/>'))
    imported = import_genius(DOMAIN, [heavy])
    assert any("weights sum to 1.5 > 1" in w for w in imported.warnings)
    party = imported.scenario.party("heavy")
    assert party.reservation == pytest.approx(0.3 / 1.5)
    assert near(
        utility(imported.scenario, "heavy", colour="blue", amount=12, price=50),
        (1 + 0.21 + 0.1) / 1.5,
    )


def test_reservation_above_every_utility_means_no_deal(tmp_path):
    picky = tmp_path / "picky.xml"  # the seller's best utility is 0.9 (weights sum to 0.9)
    picky.write_text(
        SELLER.read_text().replace("</objective>", '</objective>\n<reservation value="0.95"/>')
    )
    imported = import_genius(DOMAIN, [BUYER, picky])
    assert any("exceeds every utility" in w for w in imported.warnings)
    problem = Problem(imported.scenario)
    assert not problem.agreement_mask(problem.all_packages()).any()
    fine = tmp_path / "fine.xml"
    fine.write_text(
        SELLER.read_text().replace("</objective>", '</objective>\n<reservation value="0.9"/>')
    )
    problem = Problem(import_genius(DOMAIN, [BUYER, fine]).scenario)
    assert problem.agreement_mask(problem.all_packages()).sum() == 1  # red, 14, 50


def test_too_many_integer_values_points_at_the_issue(tmp_path):
    domain = tmp_path / "wide.xml"
    domain.write_text(DOMAIN.read_text().replace('upperbound="14"', 'upperbound="20000"'))
    with pytest.raises(ScenarioError) as err:
        import_genius(domain, [BUYER])
    [diagnostic] = err.value.diagnostics
    assert diagnostic.line == 11 and "19,991 values; zopa's limit is 10,000" in diagnostic.message


def test_integer_evaluator_without_ftype_is_linear_and_a_missing_one_warns(tmp_path):
    bare = tmp_path / "bare.xml"
    bare.write_text(BUYER_TEXT.replace('ftype="linear" offset="0.2"', 'offset="0.2"'))
    imported = import_genius(DOMAIN, [bare])
    assert imported.scenario.party("bare").values["amount"] == {10: 0.2, 13: 0.95, 14: 1}
    assert imported.warnings == []
    none = tmp_path / "none.xml"
    none.write_text(BUYER_TEXT.replace('<evaluator ftype="linear" offset="0.2" slope="0.25"/>', ""))
    line = next(k for k, row in enumerate(none.read_text().splitlines(), 1) if "Amount" in row)
    imported = import_genius(DOMAIN, [none])
    assert imported.warnings == [
        f"{none}:{line}: integer issue 'Amount' has no <evaluator>; every value is 0, "
        "as in GENIUS (slope and offset default to 0)"
    ]
    assert set(imported.scenario.party("none").values["amount"].values()) == {0}


def test_a_profile_naming_another_domain_warns_when_its_issues_fit(tmp_path):
    folder = tmp_path / "renamed"
    folder.mkdir()
    (folder / "basic_domain.xml").write_text(DOMAIN.read_text())
    (folder / "seller.xml").write_text(SELLER.read_text())
    other = folder / "buyer.xml"
    other.write_text(BUYER_TEXT.replace('name="basic"', 'name="basic-copy"'))
    line = next(k for k, row in enumerate(BUYER_TEXT.splitlines(), 1) if 'name="basic"' in row)
    message = (
        f"{other}:{line}: the profile names domain 'basic-copy', not 'basic'; "
        "its issues fit, so it is read (renamed copies of domains are common)"
    )
    assert load_folder(folder).warnings == [message]
    out = zopa("solve", str(folder), "--json")
    assert out.returncode == 0 and f"warning: {message}" in out.stderr
    # GENIUS's domain editor names every domain "root": nothing to compare
    (folder / "basic_domain.xml").write_text(DOMAIN.read_text().replace('"basic"', '"root"'))
    assert load_folder(folder).warnings == []
