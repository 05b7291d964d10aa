"""Forecasts of one numeric issue: hand-computed cases, brute force, invariants, end to end."""

from __future__ import annotations

import json
import math
import textwrap
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli import zopa
from zopa.load import ScenarioError, load_scenario, parse_scenario
from zopa.models import bdm
from zopa.models.forecast import (
    Actor,
    actors_from_scenario,
    compromise,
    condorcet,
    forecasts_for,
    linear_loss,
    read_actors,
    run,
    undefeated,
    weighted_median,
)

DATA = Path(__file__).parent / "data"
EMISSIONS = DATA / "emissions-1994.csv"


def actor(name: str, c: float, x: float, s: float) -> Actor:
    return Actor(name, F(str(c)), F(str(x)), F(str(s)))


# --------------------------------------------------------------------------- hand-computed


def test_emission_standards_case_by_hand():
    # Bueno de Mesquita (1994) via Scholz et al. (2011): years until emission standards.
    # Weights c*s: at 4: NL 6.4 + LU 0.6 + DE 12.8 + DK 5 = 24.8
    #              at 7: BE 3.2 + IE 0.5 + GR 5.6       =  9.3
    #             at 10: FR 9.6 + IT 9.6 + UK 14.4      = 33.6      total 67.7
    # compromise = (4*24.8 + 7*9.3 + 10*33.6) / 67.7 = 500.3 / 67.7 = 5003/677 (7.39)
    # median: cumulative 24.8 < 33.85 (half), then 34.1 >= 33.85 -> 7
    actors = read_actors(EMISSIONS)
    assert compromise(actors) == F(5003, 677)
    assert weighted_median(actors) == 7
    assert condorcet(actors) == 7


def test_exact_half_split_gives_the_midpoint_and_no_condorcet_winner():
    actors = [actor("a", 1, 2, 50), actor("b", 2, 8, 25), actor("c", 0, 5, 100)]
    # weights 50 and 50 (c has capability 0): every point of [2, 8] minimises the loss
    assert weighted_median(actors) == 5
    assert undefeated(actors) == [2, 5, 8]  # c's position is a candidate with the same loss
    assert condorcet(actors) is None
    doc = run(actors, "median").to_json()
    assert doc["forecast"] == 5 and doc["condorcet"] is None and doc["undefeated"] == [2, 5, 8]


def test_compromise_weights_capability_times_salience():
    # (2*10*0 + 1*30*10) / (2*10 + 1*30) = 300/50 = 6
    assert compromise([actor("a", 2, 0, 10), actor("b", 1, 10, 30)]) == 6


def test_no_weight_at_all_is_an_error():
    with pytest.raises(ValueError, match="capability and a salience above 0"):
        compromise([actor("a", 0, 1, 50), actor("b", 3, 2, 0)])


def test_bdm_two_actors_by_hand_zopa_v1():
    # A: c 1, s 1.0, x 0.   B: c 1, s 0.5, x 1.   span 1, median 0 (weight 1 vs 0.5).
    # Votes for A over B: A casts 1*(1-0) = 1, B casts 0.5*(0-1) = -0.5, so P_AB = 1/1.5 = 2/3.
    # With r = 1: U^s = 2, U^f = -2, U^sq = 0.
    #   E_AB = 0.5*(2/3*2 - 1/3*2) + 0.5*2 - 0 = 4/3;   E_BA = 1*(1/3*2 - 2/3*2) = -2/3.
    # Exposures S_A = E_BA = -2/3, S_B = E_AB = 4/3: R_A = -1, R_B = 1, so r_A = 2, r_B = 1/2.
    # With these: A: U^sq = 2 - 4/4 = 1, so E_AB = 1/3 + 1 - 1 = 1/3;
    #             B: U^sq = 2 - 4*sqrt(1/2), so E_BA = -2/3 - (2 - 2*sqrt 2) = 2*sqrt(2) - 8/3.
    # Both are positive: a conflict, won by the likelier winner A (P_AB = 2/3): B moves to 0.
    a, b = actor("A", 1, 0, 100), actor("B", 1, 1, 50)
    pairs = bdm.first_round(["A", "B"], [0, 1], [1, 1], [100, 50], variant="zopa-v1")
    assert pairs[("A", "B")] == pytest.approx((1 / 3, 2 * math.sqrt(2) - 8 / 3))
    sim = bdm.simulate([a, b], rounds=5, variant="zopa-v1")
    assert sim.rounds[0].positions == {"A": 0.0, "B": 0.0}
    assert [m.kind for m in sim.rounds[0].moves] == ["conflict"]
    assert sim.converged and len(sim.rounds) == 2 and sim.forecast == 0


def test_bdm_two_actors_by_hand_scholz():
    # As above, but the votes are divided by those of every contest: each of the two
    # contests (A over B, B over A) has 1.5 votes in all, so P_AB = 1/3 and P_BA = 0.5/3.
    # With r = 1: E_AB = 0.5*(2/3 - 4/3) + 1 = 2/3;  E_BA = 1*(1/3 - 5/3) = -4/3,
    # so again r_A = 2 and r_B = 1/2.  B judges both utilities with r_B = 1/2
    # (U^s = 2, U^f = -2, U^sq = 2 - 2 sqrt 2):
    #   a = E_BA = -4/3 - (2 - 2 sqrt 2) = 2 sqrt 2 - 10/3 < 0,
    #   g = E_AB = -1/3 + 1 - (2 - 2 sqrt 2) = 2 sqrt 2 - 4/3 > |a|:
    # a compromise, B moves |a| / g of the way to A (eq. 36).  A, judging with r_A = 2,
    # sees B's challenge at -4/3 - 1 < 0: no offer, A stays.
    pairs = bdm.first_round(["A", "B"], [0, 1], [1, 1], [100, 50])
    a_, g = 2 * math.sqrt(2) - 10 / 3, 2 * math.sqrt(2) - 4 / 3
    assert pairs[("B", "A")] == pytest.approx((a_, g))
    assert pairs[("A", "B")] == pytest.approx((0.5 * (2 / 3 - 4 / 3) + 1 - 1, -4 / 3 - 1))
    sim = bdm.simulate([actor("A", 1, 0, 100), actor("B", 1, 1, 50)], rounds=1)
    assert sim.rounds[0].positions == pytest.approx({"A": 0.0, "B": 1 - abs(a_) / g})
    assert [(m.actor, m.kind) for m in sim.rounds[0].moves] == [("B", "compromise")]


def test_bdm_stops_when_everyone_agrees():
    sim = bdm.simulate([actor("a", 1, 3, 50), actor("b", 2, 3, 80)], rounds=7)
    assert sim.converged and len(sim.rounds) == 1 and sim.forecast == 3


@pytest.mark.parametrize(("rounds", "q"), [(0, 1.0), (bdm.MAX_ROUNDS + 1, 1.0), (3, 1.5)])
def test_bdm_parameters_are_checked(rounds, q):
    with pytest.raises(ValueError):
        bdm.simulate([actor("a", 1, 0, 50), actor("b", 1, 1, 50)], rounds=rounds, q=q)


# --------------------------------------------------------------------------- brute force


def _actor_lists(min_size: int = 1) -> st.SearchStrategy[list[Actor]]:
    one = st.tuples(st.integers(0, 5), st.integers(-6, 6), st.sampled_from([0, 10, 25, 50, 100]))
    return (
        st.lists(one, min_size=min_size, max_size=7)
        .filter(lambda rows: any(c * s for c, _, s in rows))
        .map(lambda rows: [Actor(f"a{k}", F(c), F(x), F(s)) for k, (c, x, s) in enumerate(rows)])
    )


@settings(max_examples=300, deadline=None)
@given(_actor_lists())
def test_condorcet_matches_literal_pairwise_votes(actors):
    positions = sorted({a.position for a in actors})

    def margin(y: F, z: F) -> F:  # votes for y minus votes for z, actor by actor
        total = F(0)
        for a in actors:
            total += a.capability * a.salience * (abs(a.position - z) - abs(a.position - y))
        return total

    unbeaten = [y for y in positions if all(margin(z, y) <= 0 for z in positions)]
    assert undefeated(actors) == unbeaten
    winners = [y for y in positions if all(margin(y, z) > 0 for z in positions if z != y)]
    assert condorcet(actors) == (winners[0] if winners else None)


@settings(max_examples=300, deadline=None)
@given(_actor_lists())
def test_weighted_median_minimises_the_linear_loss(actors):
    m = weighted_median(actors)
    weighted = sorted({a.position for a in actors if a.weight > 0})
    grid = {x + F(k, 4) for x in weighted for k in range(-8, 9)}
    best = min(linear_loss(actors, y) for y in grid)
    assert linear_loss(actors, m) == best
    # the midpoint of the set of minimisers, which is an interval between weighted positions
    minimisers = [y for y in grid if linear_loss(actors, y) == best]
    assert m == (min(minimisers) + max(minimisers)) / 2


# --------------------------------------------------------------------------- invariants


@settings(max_examples=100, deadline=None)
@given(_actor_lists(), st.sampled_from([1.0, 0.5, 0.0]))
def test_forecasts_lie_within_the_positions(actors, q):
    low = min(a.position for a in actors)
    high = max(a.position for a in actors)
    for model in ("compromise", "median", "bdm"):
        value = run(actors, model, rounds=6, q=q, sensitivity=False).value
        assert low <= value <= high, model
    sim = bdm.simulate(actors, rounds=6, q=q)
    for r in sim.rounds:
        assert all(float(low) <= x <= float(high) for x in r.positions.values())


@settings(max_examples=100, deadline=None)
@given(_actor_lists(), st.integers(-5, 5))
def test_when_all_agree_every_model_forecasts_that_position(actors, x):
    same = [Actor(a.id, a.capability, F(x), a.salience) for a in actors]
    assert compromise(same) == x
    assert weighted_median(same) == x and condorcet(same) == x
    assert run(same, "bdm", rounds=3, sensitivity=False).value == x


@settings(max_examples=100, deadline=None)
@given(_actor_lists(min_size=2), st.randoms(use_true_random=False))
def test_permuting_the_actors_changes_nothing(actors, rnd):
    shuffled = list(actors)
    rnd.shuffle(shuffled)
    for model in ("compromise", "median", "bdm"):
        a = run(actors, model, rounds=8, sensitivity=False).to_json()
        b = run(shuffled, model, rounds=8, sensitivity=False).to_json()
        a.pop("actors"), b.pop("actors")
        for r in [*a.get("rounds", []), *b.get("rounds", [])]:
            r["moves"].sort(key=lambda m: m["actor"])  # listed in input order
        assert a == b, model


# --------------------------------------------------------------------------- scenarios


def test_scenario_defaults_position_salience_capability():
    s = load_scenario(DATA / "example.yaml")
    actors = {a.id: a for a in actors_from_scenario(s, "army_cap")}
    assert set(actors) == {"a", "b"}  # m has no values and no position on army_cap
    # a: values {400000: 0, 800000: 1}, flat above: best options 800,000 ... 1,000,000;
    # the one nearest the centre of the range (700,000) is 800,000.
    assert actors["a"].position == 800_000
    assert actors["b"].position == 400_000
    # salience = 100 * weight / largest weight: a 100*2/3, b 100*2/3
    assert actors["a"].salience == F(200, 3)
    assert actors["a"].capability == 1
    assert actors["a"].assumed == ("position", "salience", "capability")


SCENARIO = """\
format: zopa/1
id: forecast-test
issues:
  - id: cap
    range: {min: 0, max: 100, step: 10}
  - id: zone
    options: [north, south]
parties:
  - id: a
    weights: {cap: 1, zone: 3}
    values:
      cap: {20: 1, 60: 1, 100: 0}
      zone: {north: 1, south: 0}
  - id: b
    capability: 3
    positions: {cap: 85, zone: south}
    salience: {cap: 40}
  - id: c
    veto: false
    capability: 2
    positions: {cap: 7.5}
"""


def test_scenario_inputs_and_the_tie_rule_for_best_position():
    s = parse_scenario(SCENARIO)
    actors = {a.id: a for a in actors_from_scenario(s, "cap")}
    # a: best options 20..60 (value 1); the centre of the range is 50: nearest is 50
    assert actors["a"].position == 50 and actors["a"].salience == F(100, 3)
    assert actors["b"] == Actor("b", F(3), F(85), F(40))  # off the grid is fine
    assert actors["c"].salience == 0 and actors["c"].assumed == ("salience",)
    # (1 * 100/3 * 50 + 3 * 40 * 85) / (100/3 + 120) = (5000/3 + 10200) / (460/3) = 35600/460
    assert compromise(list(actors.values())) == F(35600, 460)
    with pytest.raises(ValueError, match="not numeric"):
        actors_from_scenario(s, "zone")


@pytest.mark.parametrize(
    ("change", "line", "column", "message"),
    [
        ("positions: {cap: 85, zone: west}", 16, 32, "'west' is not an option of issue 'zone'"),
        ("positions: {cap: 120, zone: south}", 16, 22, "must be a number from 0 to 100"),
        ("positions: {cap: lots, zone: south}", 16, 22, "must be a number from 0 to 100"),
        ("positions: {cup: 85, zone: south}", 16, 17, "unknown issue 'cup'"),
    ],
)
def test_position_and_salience_checks_point_at_the_file(change, line, column, message):
    text = SCENARIO.replace("positions: {cap: 85, zone: south}", change)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "f.yaml")
    found = [(d.line, d.column) for d in err.value.diagnostics if message in d.message]
    assert found == [(line, column)], err.value.diagnostics


def test_salience_outside_0_100_is_rejected():
    text = SCENARIO.replace("salience: {cap: 40}", "salience: {cap: 140}")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "f.yaml")
    d = err.value.diagnostics[0]
    assert (d.line, d.column) == (17, 21) and "at most 100" in d.message


def test_forecasts_for_a_scenario():
    s = parse_scenario(SCENARIO)
    # cap: a and b are veto parties with positions (a by default), c joins as an actor
    (only,) = forecasts_for(s)
    assert only.issue == "cap"
    assert [a.id for a in only.actors] == ["a", "b", "c"]
    doc = only.to_json()
    assert doc["compromise"]["forecast_exact"] == "1780/23"
    assert doc["median"]["forecast"] == 85
    assert doc["bdm"]["model"] == "bdm" and doc["bdm"]["rounds"]
    assert "cap" in only.to_text()
    # a scenario with one veto party on the issue has nothing to forecast
    alone = parse_scenario(SCENARIO.replace("  - id: b\n", "  - id: b\n    veto: false\n"))
    assert forecasts_for(alone) == []


def test_builtin_scenario_forecasts_the_force_ceiling():
    s = load_scenario("ukraine-2025")
    (cap,) = [f for f in forecasts_for(s) if f.issue == "army_cap"]
    for a in cap.actors:
        assert a.assumed == (), a  # every party's inputs are written in the file
    values = [a.position for a in cap.actors]
    for name in ("compromise", "median", "bdm"):
        assert min(values) <= cap.forecasts[name].value <= max(values)


# --------------------------------------------------------------------------- tables and CLI


def test_actor_table_errors_point_at_the_cell(tmp_path):
    head = "actor,capability,position,salience\n"
    cases = {
        head + "a,1,x,50\n": (2, 5, "position of 'a': expected a number"),
        head + "a,1,1e999999,50\n": (2, 5, "expected a number, got '1e999999'"),
        head + "a,1,2,150\n": (2, 7, "above 100"),
        head + "a,-1,2,50\n": (2, 3, "below 0"),
        head + "a,1,2,50\na,1,3,50\n": (3, 1, "duplicate actor 'a'"),
        "actor,capability,position,salience,power\na,1,2,3,4\n": (1, 36, "unknown column"),
        "actor,capability,position\na,1,2\n": (1, 1, "missing column salience"),
        head + "a,0,2,50\nb,1,3,0\n": (1, 1, "capability and a salience above 0"),
        head: (1, 1, "no actors"),
    }
    for text, (line, col, message) in cases.items():
        path = tmp_path / "t.csv"
        path.write_text(text)
        with pytest.raises(ScenarioError) as err:
            read_actors(path)
        d = err.value.diagnostics[0]
        assert (d.line, d.column) == (line, col), text
        assert message in d.message, text


def test_actor_table_columns_in_any_order_and_case(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Salience,Position,Actor,Capability\n50,0.5,a,2\n")
    assert read_actors(path) == [Actor("a", F(2), F(1, 2), F(50))]


def test_cli_actor_table_all_models():
    doc = json.loads(zopa("forecast", "--actors", str(EMISSIONS), "--json").stdout)
    assert doc["model"] == "compromise"
    assert doc["forecast"] == pytest.approx(5003 / 677) and doc["forecast_exact"] == "5003/677"
    doc = json.loads(
        zopa("forecast", "--actors", str(EMISSIONS), "--model", "median", "--json").stdout
    )
    assert (doc["forecast"], doc["weighted_median"], doc["condorcet"]) == (7, 7, 7)
    run_ = zopa("forecast", "--actors", str(EMISSIONS), "--model", "bdm", "--rounds", "4", "--json")
    assert run_.returncode == 0, run_.stderr
    doc = json.loads(run_.stdout)
    assert doc["model"] == "bdm"
    assert 1 <= len(doc["rounds"]) <= 4
    assert [r["round"] for r in doc["rounds"]] == list(range(1, len(doc["rounds"]) + 1))
    last = doc["rounds"][-1]
    assert doc["forecast"] == last["median"]
    assert set(last["positions"]) == {a.id for a in read_actors(EMISSIONS)}
    assert all(4 <= x <= 10 for x in last["positions"].values())
    text = zopa("forecast", "--actors", str(EMISSIONS), "--model", "bdm")
    assert text.returncode == 0 and "round" in text.stdout


def test_cli_scenario_issue():
    run_ = zopa("forecast", "--issue", "army_cap", "--model", "median", "--json")
    assert run_.returncode == 0, run_.stderr
    doc = json.loads(run_.stdout)
    assert doc["issue"] == "army_cap" and doc["model"] == "median"
    only = zopa("forecast", str(DATA / "example.yaml"), "--json")  # its only numeric issue
    assert only.returncode == 0 and json.loads(only.stdout)["issue"] == "army_cap"
    text = zopa("forecast", "--issue", "army_cap")  # the built-in's inputs are assumptions
    assert text.returncode == 0 and "are illustrative assumptions" in text.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--model", "oracle", "--actors", str(EMISSIONS)],
        ["--model", "bdm", "--rounds", "0", "--actors", str(EMISSIONS)],
        ["--model", "bdm", "--q", "1.5", "--actors", str(EMISSIONS)],
        ["--rounds", "3", "--actors", str(EMISSIONS)],  # bdm's options with another model
        ["--model", "median", "--q", "0.5", "--actors", str(EMISSIONS)],
        [str(DATA / "example.yaml"), "--issue", "territory"],
        [str(DATA / "example.yaml"), "--issue", "nope"],
        [str(DATA / "example.yaml"), "--actors", str(EMISSIONS)],
        ["ukraine-2025"],  # several numeric issues? then --issue is required
    ],
)
def test_cli_usage_errors(args):
    result = zopa("forecast", *args)
    numeric = [i for i in load_scenario("ukraine-2025").issues if i.numeric]
    if args == ["ukraine-2025"] and len(numeric) == 1:
        assert result.returncode == 0
        return
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("zopa: error: ")


def test_cli_bad_actor_table(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        textwrap.dedent("""\
        actor,capability,position,salience
        a,1,2,50
        b,1,two,50
    """)
    )
    result = zopa("forecast", "--actors", str(path))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{path}:3:5: position of 'b': expected a number, got 'two'"
