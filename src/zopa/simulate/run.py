"""Run one simulated negotiation: build the strategies, run the protocol, report.

The seed fixes every random choice: each party draws from its own generator,
seeded by ``"<seed>:<party>"``, so a run is reproducible and adding a party
does not change the draws of the others.  The solver runs single-threaded and
without time limits, so it returns the same offers on every run.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zopa.problem import SCALE, Problem
from zopa.simulate.core import (
    Outcome,
    Protocol,
    Step,
    Strategy,
    parse_parameters,
    protocol_class,
    strategy_class,
)
from zopa.simulate.offers import OfferMaker
from zopa.simulate.spec import EVERYONE, StrategySpec, parse_spec

DEFAULT_STRATEGY = "linear"
DEFAULT_ROUNDS = 100
MAX_ROUNDS = 1_000  # 6-60 ms a round: bounded work (docs/reference/limits.md)


@dataclass
class Run:
    """The trace and outcome of one simulated negotiation."""

    problem: Problem
    protocol: str
    params: dict[str, Any]
    strategies: dict[str, str]  # party id -> strategy label
    rounds: int
    seed: int
    discount: float
    steps: list[Step]
    outcome: Outcome

    def outcome_utilities(self) -> list[int]:
        """Integer utilities of the outcome: the agreement's, or every reservation."""
        if self.outcome.agreement is None:
            return [int(d) for d in self.problem.reservations]
        return self.problem.utility(self.outcome.agreement)

    def to_json(self) -> dict[str, Any]:
        problem = self.problem
        ids = [p.id for p in problem.parties]
        agreement = self.outcome.agreement
        return {
            "scenario": problem.scenario.id,
            "as_of": problem.as_of.isoformat() if problem.as_of else None,
            "protocol": self.protocol,
            "parameters": {
                **self.params,
                "rounds": self.rounds,
                "discount": self.discount,
                "seed": self.seed,
            },
            "strategies": self.strategies,
            "outcome": self.outcome.kind,
            "round": self.outcome.round,
            "agreement": None if agreement is None else problem.package_json(list(agreement)),
            "reason": self.outcome.reason,
            "utilities": {p: u / SCALE for p, u in zip(ids, self.outcome_utilities(), strict=True)},
            "trace": [step_json(problem, s) for s in self.steps],
        }


def step_json(problem: Problem, step: Step) -> dict[str, Any]:
    ids = [p.id for p in problem.parties]
    out: dict[str, Any] = {
        "round": step.round,
        "proposer": ids[step.proposer],
        "package": problem.package_json(list(step.package)),
        "utilities": {p: u / SCALE for p, u in zip(ids, step.utilities, strict=True)},
        "responses": {ids[q]: "accept" if ok else "reject" for q, ok in step.responses.items()},
    }
    if step.objections is not None:
        out["objections"] = {ids[q]: o.to_json() for q, o in step.objections.items()}
    return out


def assign(
    problem: Problem, chosen: Mapping[str, StrategySpec | str] | None
) -> dict[int, StrategySpec]:
    """Each party's strategy: its own entry, else the ``*`` entry, else linear."""
    specs = {k: parse_spec(v) if isinstance(v, str) else v for k, v in (chosen or {}).items()}
    for party in specs:
        if party != EVERYONE and party not in problem.party_index:
            known = ", ".join(problem.party_index)
            raise ValueError(f"strategy for unknown party {party!r} (parties: {known})")
    fallback = specs.get(EVERYONE, StrategySpec(DEFAULT_STRATEGY))
    return {k: specs.get(p.id, fallback) for k, p in enumerate(problem.parties)}


def simulate(
    problem: Problem,
    protocol: str = "alternating",
    strategies: Mapping[str, StrategySpec | str] | None = None,
    *,
    rounds: int = DEFAULT_ROUNDS,
    seed: int = 0,
    discount: float = 1.0,
    params: Mapping[str, Any] | None = None,
    draft: Sequence[int | None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Simulate talks on ``problem`` under ``protocol`` (ValueError on bad settings).

    ``progress`` is called with 1 after every round played (a progress bar).
    """
    cls, settings, specs = prepare(problem, protocol, strategies, rounds, discount, params)
    players = {k: build(problem, k, spec, seed) for k, spec in specs.items()}
    engine = cls(
        problem, players, rounds, discount, settings, random.Random(f"{seed}:protocol"), draft
    )
    engine.progress = progress
    steps, outcome = engine.run()
    return Run(
        problem,
        protocol,
        engine.params,
        {problem.parties[k].id: spec.label for k, spec in specs.items()},
        rounds,
        seed,
        discount,
        steps,
        outcome,
    )


@dataclass(frozen=True)
class Report:
    """A simulation with its metrics: the ``zopa simulate --json`` document.

    ``reference`` holds the exact frontier and Nash point the metrics compare
    against (:func:`zopa.simulate.metrics.reference`), for charts.
    """

    run: Run
    document: dict[str, Any]
    reference: Any


def with_metrics(problem: Problem, run: Run) -> Report:
    """Measure a run against the exact frontier and Nash point (the one recipe the
    command line and the web app share)."""
    from zopa.simulate.metrics import dynamics, measure, reference

    ref = reference(problem)
    document = run.to_json()
    factor = run.discount ** (run.outcome.round - 1) if run.outcome.agreement else 1.0
    document["metrics"] = {
        **measure(problem, ref, run.outcome_utilities(), factor),
        **dynamics(problem, run.steps),
    }
    return Report(run, document, ref)


def prepare(
    problem: Problem,
    protocol: str,
    strategies: Mapping[str, StrategySpec | str] | None,
    rounds: int,
    discount: float,
    params: Mapping[str, Any] | None,
) -> tuple[type[Protocol], dict[str, Any], dict[int, StrategySpec]]:
    """Check the settings of a run (ValueError with a readable message) before any work."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ValueError(f"rounds: give a number from 1 to {MAX_ROUNDS}")
    if not 0 < discount <= 1:
        raise ValueError("discount: give a factor in (0, 1]")
    cls = protocol_class(protocol)
    settings = parse_parameters(cls.parameters, dict(params or {}), protocol)
    cls.validate(problem, settings)
    return cls, settings, assign(problem, strategies)


def build(problem: Problem, party: int, spec: StrategySpec, seed: int) -> Strategy:
    """The strategy object of one party, with its offer maker and acceptance condition."""
    params = spec.parameters()
    rng = random.Random(f"{seed}:{problem.parties[party].id}")
    offers = OfferMaker(problem, party, params["model"])
    return strategy_class(spec.name)(problem, party, params, rng, offers, params["accept"])
