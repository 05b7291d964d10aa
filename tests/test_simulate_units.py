"""The parts of the simulator: specs, concession curves, acceptance, opponent
models, red-line enforcement by the protocol, metrics against brute force,
and the settings file."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import brute
from tests.strategies import scenarios
from zopa.load import ScenarioError, load_scenario
from zopa.problem import SCALE, Problem
from zopa.simulate import RedLineViolation, Strategy, simulate
from zopa.simulate.acceptance import Condition, parse_condition
from zopa.simulate.config import load_config
from zopa.simulate.core import STRATEGIES, Step, Turn
from zopa.simulate.metrics import dynamics, measure, reference
from zopa.simulate.opponent import FrequencyModel
from zopa.simulate.protocols.alternating import AlternatingOffers
from zopa.simulate.run import build
from zopa.simulate.spec import StrategySpec, parse_assignment, parse_spec, split_specs
from zopa.simulate.strategies.tit_for_tat import TitForTat

EXAMPLE = Path(__file__).parent / "data" / "example.yaml"


def example() -> Problem:
    return Problem(load_scenario(EXAMPLE))


# --------------------------------------------------------------------------- specs


def test_a_spec_with_parameters_and_an_acceptance_condition() -> None:
    spec = parse_spec("boulware:beta=0.1,accept=ac_time:0.9")
    params = spec.parameters()
    assert params["beta"] == 0.1 and params["k"] == 0.0
    assert params["accept"] == Condition("ac_time", 0.9)
    assert params["model"] == "frequency"
    assert spec.label == "boulware:beta=0.1,accept=ac_time:0.9"
    assert parse_spec("random").parameters()["accept"] == Condition("ac_random", 0.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bolware", "did you mean 'boulware'"),
        ("boulware:bta=0.1", "did you mean 'beta'"),
        ("boulware:beta=fast", "expected a number"),
        ("boulware:beta=0", "below the minimum"),
        ("linear:accept=ac_const", "needs a value"),
        ("linear:accept=ac_sometimes", "unknown acceptance condition"),
        ("linear:accept=ac_const:2", "between 0 and 1"),
        ("linear:model=psychic", "not one of frequency, full"),
        ("tit_for_tat:delta=1.5", "whole number"),
        ("linear:beta", "KEY=VALUE"),
        ("linear:k=0.1,k=0.2", "given twice"),
        (":beta=1", "name is missing"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_spec(text)


def test_assignments_and_lists_of_specs() -> None:
    party, spec = parse_assignment("ukraine=conceder:k=0.2")
    assert party == "ukraine" and spec == StrategySpec("conceder", (("k", "0.2"),))
    with pytest.raises(ValueError, match="PARTY=STRATEGY"):
        parse_assignment("conceder")
    specs = split_specs("boulware:beta=0.1,accept=ac_const:0.6,linear, hardliner")
    assert [s.label for s in specs] == [
        "boulware:beta=0.1,accept=ac_const:0.6",
        "linear",
        "hardliner",
    ]


def test_a_strategy_for_an_unknown_party_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown party 'zz'"):
        simulate(example(), strategies={"zz": "linear"}, rounds=1)


# --------------------------------------------------------------------------- concession


def test_time_dependent_aspiration_follows_faratin() -> None:
    problem = example()
    made = {s: build(problem, 0, parse_spec(s), 0) for s in ("boulware", "linear", "conceder")}
    top, floor = made["linear"].ceiling, int(problem.reservations[0])
    assert top == problem.max_utility(0)  # party a's red line leaves its best package
    for t in np.linspace(0, 1, 11):
        expected = {
            name: floor + round((1 - t ** (1 / beta)) * (top - floor))
            for name, beta in (("boulware", 0.2), ("linear", 1.0), ("conceder", 2.0))
        }
        got = {name: s.aspiration(float(t)) for name, s in made.items()}
        assert got == expected
        assert got["boulware"] >= got["linear"] >= got["conceder"]
    assert made["conceder"].aspiration(0.0) == top
    assert made["boulware"].aspiration(1.0) == floor
    k = build(problem, 0, parse_spec("linear:k=0.5"), 0)
    assert k.aspiration(0.0) == floor + round(0.5 * (top - floor))


def test_hardliner_always_demands_its_best() -> None:
    problem = example()
    hard = build(problem, 0, parse_spec("hardliner"), 0)
    assert {hard.aspiration(t) for t in (0.0, 0.5, 1.0)} == {problem.max_utility(0)}


def test_tit_for_tat_mirrors_relative_concessions() -> None:
    problem = example()
    tft = build(problem, 0, parse_spec("tit_for_tat"), 0)
    assert isinstance(tft, TitForTat)
    top, floor = tft.ceiling, tft.floor

    def offer(gap: float) -> Step:  # an offer from party b leaving a at this gap
        u = round(top - gap * (top - floor))
        return Step(1, 1, (0, 0, 0), (u, 0, 0), {})

    tft.observe(offer(0.8))
    assert tft.level == 1.0  # nothing to compare yet
    tft.observe(offer(0.4))  # b halved the gap: a halves its demand over the reservation
    assert tft.level == pytest.approx(0.5, abs=1e-9)
    tft.observe(offer(0.6))  # b hardened by half: a answers in kind (and never above 1)
    assert tft.level == pytest.approx(0.75, abs=1e-9)


# --------------------------------------------------------------------------- acceptance


@dataclass
class Stub:
    demand: int
    rng: random.Random

    def aspiration(self, time: float) -> int:
        return self.demand


def test_acceptance_conditions() -> None:
    stub: Any = Stub(600_000_000, random.Random(1))
    turn = Turn(round=3, rounds=11, time=0.2, next_time=0.3, discount=1.0)
    assert parse_condition("ac_next")(stub, 600_000_000, turn)
    assert not parse_condition("ac_next")(stub, 599_999_999, turn)
    assert parse_condition("ac_next:1.2")(stub, 500_000_000, turn)
    # discounting: the next proposal is one round away and worth 0.9 of itself now
    discounted = Turn(round=3, rounds=11, time=0.2, next_time=0.3, discount=0.9)
    assert parse_condition("ac_next")(stub, 540_000_000, discounted)
    assert not parse_condition("ac_next")(stub, 539_999_999, discounted)
    assert parse_condition("ac_const:0.5")(stub, SCALE // 2, turn)
    assert not parse_condition("ac_const:0.5")(stub, SCALE // 2 - 1, turn)
    assert not parse_condition("ac_time:0.5")(stub, 0, turn)
    assert parse_condition("ac_time:0.2")(stub, 0, turn)
    draws = [parse_condition("ac_random:0.3")(stub, 0, turn) for _ in range(2000)]
    assert 0.25 < sum(draws) / len(draws) < 0.35


# --------------------------------------------------------------------------- opponent model


def test_frequency_model_learns_weights_and_values() -> None:
    problem = example()
    model = FrequencyModel(problem)
    assert len({int(x) for x in model.scores()[:, :3].ravel()}) == 1  # no offer: all alike
    for army in (8, 9, 12):  # the territory stays; the army cap moves
        model.observe([0, army, 2])
    assert model.weights[0] > model.weights[1]
    scores = model.scores()
    assert scores[0, 0] == scores[0].max() > scores[0, 1]
    assert scores[1, : int(problem.sizes[1])].min() >= 0
    assert (scores[:, int(problem.sizes.max()) :] == 0).all()


# --------------------------------------------------------------------------- red-line safety


class Reckless(Strategy):
    """Proposes a fixed package, red lines or not (a buggy strategy)."""

    def __init__(self, package: list[int], *args: Any) -> None:
        super().__init__(*args)
        self.package = package

    def aspiration(self, time: float) -> int:
        return 0

    def propose(self, turn: Turn) -> list[int] | None:
        return self.package

    def accepts(self, package: Any, utility: int, turn: Turn) -> bool:
        return True  # says yes to everything


def _players(problem: Problem, reckless: dict[int, list[int]]) -> dict[int, Strategy]:
    players = {k: build(problem, k, parse_spec("linear"), 0) for k in range(len(problem.parties))}
    for k, package in reckless.items():
        p = players[k]
        players[k] = Reckless(package, problem, k, p.params, p.rng, p.offers, p.condition)
    return players


def test_the_protocol_refuses_a_proposal_that_breaks_the_proposers_red_lines() -> None:
    problem = example()
    low_army = problem.package_indices({"territory": "freeze_line", "army_cap": 400000})
    package = [k or 0 for k in low_army]
    assert not problem.accepts(0, package)  # party a's red line: army_cap >= 800000
    protocol = AlternatingOffers(
        problem, _players(problem, {0: package}), 3, 1.0, {}, random.Random()
    )
    with pytest.raises(RedLineViolation, match="a proposed"):
        protocol.run()


def test_a_yes_sayer_still_rejects_what_breaks_its_red_lines() -> None:
    problem = example()  # a's red lines and b's contradict: b must reject all of a's offers
    players = _players(problem, {})
    players[1].accepts = lambda *args: True  # type: ignore[method-assign]
    steps, outcome = AlternatingOffers(problem, players, 4, 1.0, {}, random.Random()).run()
    assert outcome.agreement is None
    offers = [s for s in steps if s.proposer == 0]
    assert offers
    for step in offers:
        assert not problem.accepts(1, step.package)
        assert step.responses[1] is False


# --------------------------------------------------------------------------- metrics


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_parties=3), st.data())
def test_metrics_match_brute_force(scenario: Any, data: Any) -> None:
    problem = Problem(scenario)
    packages, utilities = brute.agreement(problem)
    ref = reference(problem)
    assert ref.feasible == (len(packages) > 0)
    if not len(packages):
        assert measure(problem, ref, problem.utility([0] * problem.n_issues))["nash"] is None
        return
    V = problem.veto_parties
    front = np.array(sorted(brute.frontier(problem, V)), dtype=np.int64)
    row = data.draw(st.integers(0, len(packages) - 1))
    u = utilities[row]
    got = measure(problem, ref, [int(x) for x in u])
    outcome = np.array([int(u[p]) for p in V])
    gap = max(0, int((front - outcome).min(axis=1).max()))
    assert got["pareto"]["gap"] == gap / SCALE
    nearest = min(math.dist(f, outcome) for f in front) / SCALE
    assert got["pareto"]["distance"] == pytest.approx(nearest, rel=1e-9, abs=1e-12)
    best = brute.solution_values(problem)["nash"]
    gains = [Fraction(int(u[p]) - int(problem.reservations[p]), SCALE) for p in V]
    if best:
        assert got["nash"]["product_ratio"] == pytest.approx(float(math.prod(gains) / best))
    d = [int(x) for x in problem.reservations]
    assert got["gains"] == {p.id: (int(u[k]) - d[k]) / SCALE for k, p in enumerate(problem.parties)}


# --------------------------------------------------------------------------- settings file


def test_a_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "sim.yaml"
    path.write_text(
        "protocol: single-text\nrounds: 30\nseed: 4\nmediator: m\nstep: 0.2\n"
        'strategies:\n  "*": linear\n  a: boulware:beta=0.3\n'
        "  b: {name: hardliner, accept: 'ac_const:0.8'}\n"
    )
    cfg = load_config(str(path))
    assert (cfg.protocol, cfg.rounds, cfg.seed, cfg.discount) == ("single-text", 30, 4, None)
    assert cfg.params == {"mediator": "m", "step": 0.2}
    assert cfg.assignments["a"].label == "boulware:beta=0.3"
    assert cfg.assignments["b"].parameters()["accept"] == Condition("ac_const", 0.8)
    cfg.check_parties(example())


def test_settings_file_errors_point_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "protocol: alternating\nround: 30\ndiscount: 2\nstrategies:\n"
        "  a: bolware\n  zz: linear\n  b: {beta: 1}\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_config(str(path))
    lines = [str(d) for d in err.value.diagnostics]
    assert lines == [
        f"{path}:2:1: unknown key 'round'; did you mean 'rounds'?",
        f"{path}:3:11: discount: give a number from 0 to 1, got 2",
        f"{path}:5:6: unknown strategy 'bolware'; did you mean 'boulware'? "
        "(known: boulware, conceder, hardliner, linear, random, time, tit_for_tat)",
        f"{path}:7:6: a strategy is NAME[:KEY=VALUE,...] or a mapping with a 'name'",
    ]
    path.write_text("strategies:\n  zz: linear\n")
    with pytest.raises(ScenarioError) as err:
        load_config(str(path)).check_parties(example())
    assert [str(d) for d in err.value.diagnostics] == [
        f"{path}:2:3: no party 'zz' (parties: a, b, m)"
    ]


# --------------------------------------------------------------------------- dynamics


def test_dynamics_names_who_conceded_and_the_closest_proposal() -> None:
    problem = example()  # veto parties a and b; m has none
    s = SCALE // 10

    def step(r: int, proposer: int, utils: tuple[int, int, int], yes: set[int]) -> Step:
        others = {q: q in yes for q in range(3) if q != proposer}
        return Step(r, proposer, (0, 0, 0), utils, others)

    steps = [
        step(1, 0, (9 * s, 1 * s, 5 * s), set()),
        step(1, 1, (1 * s, 9 * s, 5 * s), {2}),
        step(2, 0, (9 * s, 2 * s, 5 * s), set()),
        step(2, 1, (3 * s, 8 * s, 5 * s), {0}),
        step(3, 0, (7 * s, 4 * s, 5 * s), {1}),
    ]
    got = dynamics(problem, steps)
    assert got["concessions"] == {
        "a": {"first": 0.9, "last": 0.7, "first_concession_round": 3},
        "b": {"first": 0.9, "last": 0.8, "first_concession_round": 2},
    }
    # two proposals were accepted by both; in round 3 the worse-off party gains 0.2, in round 2 0.1
    assert got["closest"] == {
        "round": 3,
        "proposer": "a",
        "accepted_by": ["a", "b"],
        "rejected_by": [],
    }
    first_two = dynamics(problem, steps[:2])["closest"]  # a tie on both counts: the earliest
    assert (first_two["round"], first_two["proposer"]) == (1, "a")
    assert first_two["rejected_by"] == ["b"]
    assert dynamics(problem, [])["closest"] is None


def test_the_extending_example_of_the_reference_runs(tmp_path: Path) -> None:
    """The strategy written in docs/reference/simulation.md registers and plays."""
    doc = (Path(__file__).parents[1] / "docs" / "reference" / "simulation.md").read_text()
    code = doc.split("## Extending", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "simulation.md", "exec"), namespace)  # our own documentation
    try:
        run = simulate(example(), strategies={"*": "stubborn:level=0.5"}, rounds=3)
        for step in run.steps:
            assert step.utilities[step.proposer] >= SCALE // 2
    finally:
        STRATEGIES.pop("stubborn", None)


def test_trace_packages_show_what_each_proposer_changed() -> None:
    from zopa.report.simulation import OPENING, package_changes

    def step(proposer: str, **package: object) -> dict[str, object]:
        return {"proposer": proposer, "package": package}

    trace = [
        step("a", x="o1", y=10),
        step("b", x="o2", y=20),
        step("a", x="o1", y=15),
        step("b", x="o2", y=20),
        step("a", x="o3", y=20),
    ]
    assert package_changes(trace) == [
        "x: o1; y: 10",
        "x: o2; y: 20",
        "y: 15",
        "no change",
        "x: o3; y: 20",
    ]
    big = {f"i{k}": "o0" for k in range(OPENING + 1)}
    moved = {**big, "i3": "o1"}
    trace = [{"proposer": "a", "package": big}, {"proposer": "a", "package": moved}]
    assert package_changes(trace) == [
        f"first proposal, {OPENING + 1} issues (--json lists them)",
        "i3: o1",
    ]
