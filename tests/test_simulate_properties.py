"""Property tests of the simulator on random scenarios, checked by brute force.

Every claim is checked independently of the simulator: red lines with
:meth:`Problem.accepts`, the agreement set by enumerating every package.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.brute import agreement
from tests.strategies import scenarios
from zopa.problem import Problem
from zopa.simulate import simulate
from zopa.simulate.core import strategy_names

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    # the tests below that hold for some scenarios only discard the others with assume()
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

specs = st.sampled_from(
    [
        "boulware",
        "linear",
        "conceder:k=0.1",
        "hardliner",
        "tit_for_tat:nice=0.05",
        "random",
        "linear:model=full,accept=ac_const:0.4",
        "boulware:accept=ac_time:0.5",
        "time:beta=3,accept=ac_next:1.1",
    ]
)


def in_agreement_set(problem: Problem, package: tuple[int, ...]) -> bool:
    packages, _ = agreement(problem)
    return any(tuple(int(k) for k in row) == package for row in packages)


def check_run(problem: Problem, run: Any) -> None:
    """Red-line safety of every proposal and acceptance, and a sound outcome."""
    veto = set(problem.veto_parties)
    for step in run.steps:
        assert problem.accepts(step.proposer, step.package), "a proposal breaks its own red lines"
        assert list(step.utilities) == problem.utility(step.package)
        for party, accepted in step.responses.items():
            if accepted:
                assert problem.accepts(party, step.package), "an acceptance breaks red lines"
    if run.outcome.agreement is not None:
        last = run.steps[-1]
        assert last.package == run.outcome.agreement
        assert all(last.responses.get(p, p == last.proposer) for p in veto)
        assert in_agreement_set(problem, run.outcome.agreement)
        assert run.outcome.round == last.round <= run.rounds
    else:
        # a breakdown: no proposal was accepted by every veto party
        for step in run.steps:
            assert not all(step.responses.get(p, p == step.proposer) for p in veto)


@SETTINGS
@given(scenarios(max_parties=3), st.data())
def test_alternating_offers_honour_red_lines(scenario: Any, data: Any) -> None:
    problem = Problem(scenario)
    chosen = {p.id: data.draw(specs) for p in problem.parties}
    rounds = data.draw(st.integers(1, 6))
    run = simulate(problem, "alternating", chosen, rounds=rounds, seed=data.draw(st.integers(0, 9)))
    check_run(problem, run)


@SETTINGS
@given(scenarios(max_parties=3), st.data())
def test_single_text_honours_red_lines(scenario: Any, data: Any) -> None:
    problem = Problem(scenario)
    chosen = {p.id: data.draw(specs) for p in problem.parties}
    mediator = data.draw(st.sampled_from([p.id for p in problem.parties]))
    start = data.draw(st.sampled_from(["draft", "fair"]))
    step = data.draw(st.sampled_from([0.0, 0.1, 0.5]))
    run = simulate(
        problem,
        "single-text",
        chosen,
        rounds=data.draw(st.integers(1, 6)),
        params={"mediator": mediator, "start": start, "step": step},
    )
    check_run(problem, run)
    for s in run.steps:  # the mediator drafts every text, and every rejection says why
        assert problem.parties[s.proposer].id == mediator
        assert set(s.objections) == {q for q, ok in s.responses.items() if not ok}


# The next three hold for some scenarios only: assume() discards the others, so that
# max_examples counts the examples the property is checked on (about a third of those drawn).


@settings(SETTINGS, max_examples=40)
@given(scenarios(max_parties=3), st.integers(1, 8))
def test_hardliners_break_down_without_a_deal(scenario: Any, rounds: int) -> None:
    problem = Problem(scenario)
    packages, _ = agreement(problem)
    assume(not len(packages))  # only infeasible scenarios
    for protocol, params in (("alternating", {}), ("single-text", {"mediator": "p0"})):
        run = simulate(problem, protocol, {"*": "hardliner"}, rounds=rounds, params=params)
        assert run.outcome.agreement is None
        assert run.outcome.reason
        check_run(problem, run)


@settings(SETTINGS, max_examples=50)
@given(scenarios(max_parties=2), st.integers(1, 12), st.sampled_from([1.0, 0.9]))
def test_two_linear_conceders_agree_before_the_deadline(
    scenario: Any, rounds: int, discount: float
) -> None:
    """With full information the last proposal of the first party is in the agreement set
    and worth the other's reservation, which AC_next accepts at the deadline."""
    problem = Problem(scenario)
    packages, _ = agreement(problem)
    assume(len(problem.parties) == 2 and len(packages))  # two parties, feasible
    run = simulate(
        problem, "alternating", {"*": "linear:model=full"}, rounds=rounds, discount=discount
    )
    assert run.outcome.agreement is not None, run.outcome.reason
    assert run.outcome.round <= rounds
    check_run(problem, run)


@settings(SETTINGS, max_examples=50)
@given(scenarios(max_parties=2), st.integers(1, 12), st.sampled_from([1.0, 0.9]))
def test_two_default_linear_conceders_agree_when_the_responder_has_no_reservation(
    scenario: Any, rounds: int, discount: float
) -> None:
    """The guarantee that holds under the default (frequency) model.

    Red lines are public, so in the last round the first party's offer (at its own
    reservation) breaks none of the second party's red lines whenever a deal exists;
    what the frequency model cannot see is the second party's reservation.  With that
    reservation 0 the second party accepts the offer (AC_next demands its
    reservation at the deadline), so the talks end in a deal by the deadline.
    Without it they may not: see the next test.
    """
    problem = Problem(scenario)
    packages, _ = agreement(problem)
    # two parties, feasible, the second without reservation
    assume(len(problem.parties) == 2 and len(packages) and problem.reservations[1] == 0)
    run = simulate(problem, "alternating", {"*": "linear"}, rounds=rounds, discount=discount)
    assert run.outcome.agreement is not None, run.outcome.reason
    assert run.outcome.round <= rounds
    check_run(problem, run)


def test_the_default_model_can_miss_a_deal_that_full_information_finds() -> None:
    """Why the property above needs the responder's reservation to be 0.

    One issue, opposed values, both reservations 0.3: only the middle option is a
    deal.  Each frequency model has seen the other offer only its own best option,
    so it scores the two others alike and each party keeps offering its own best
    (its own utility breaks the tie): no deal, at any deadline.
    """
    from zopa.load import parse_scenario

    scenario = parse_scenario(
        "format: zopa/1\nid: opposed\ntitle: One issue, opposed\n"
        "issues:\n  - {id: i, options: [o0, o1, o2]}\n"
        "parties:\n"
        "  - {id: a, reservation: 0.3, weights: {i: 1}, values: {i: {o0: 1, o1: 0.5, o2: 0}}}\n"
        "  - {id: b, reservation: 0.3, weights: {i: 1}, values: {i: {o0: 0, o1: 0.5, o2: 1}}}\n"
    )
    problem = Problem(scenario)
    assert len(agreement(problem)[0]) == 1
    for rounds in (1, 10):
        run = simulate(problem, "alternating", {"*": "linear"}, rounds=rounds)
        assert run.outcome.agreement is None
        full = simulate(problem, "alternating", {"*": "linear:model=full"}, rounds=rounds)
        assert full.outcome.agreement == (1,)


@settings(max_examples=15, deadline=None)
@given(scenarios(max_parties=3), st.integers(0, 2**32), st.sampled_from(strategy_names()))
def test_seeded_runs_are_reproducible(scenario: Any, seed: int, name: str) -> None:
    problem = Problem(scenario)
    chosen = {"*": name, "p0": "random"}
    first = simulate(problem, "alternating", chosen, rounds=5, seed=seed).to_json()
    again = simulate(Problem(scenario), "alternating", chosen, rounds=5, seed=seed).to_json()
    assert first == again
