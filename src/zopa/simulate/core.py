"""The interfaces of the simulator: strategies, protocols, and what they exchange.

A **strategy** is the behaviour of one party: what it proposes and what it
accepts.  A **protocol** is the rule of the talks: who speaks when, what counts
as an agreement, when talks end.  Both are small classes registered by name;
adding one is one module in :mod:`zopa.simulate.strategies` or
:mod:`zopa.simulate.protocols` (every module there is imported on first use).

Writing a strategy::

    class Stubborn(Strategy):
        name = "stubborn"                      # the name used on the command line
        parameters = {"level": Parameter(0.9, "the utility it demands")}

        def aspiration(self, time: float) -> int:
            return max(self.floor, scale(self.params["level"]))

:meth:`Strategy.aspiration` gives the utility a party demands at normalised
time ``t ∈ [0, 1]`` (0 at the first round, 1 at the last); the default
:meth:`Strategy.propose` asks the engine for the package best for the other
parties among those worth at least that much to the proposer
(:mod:`zopa.simulate.offers`).  Override :meth:`Strategy.propose` for other
offers and :meth:`Strategy.observe` to learn from the offers of others.

**Red-line safety.**  Whatever a strategy does, the protocol checks each
proposal against the proposer's red lines and reservation and raises
:class:`RedLineViolation` if one fails (a strategy that proposes such a package
has a bug); and a response counts as acceptance only if the responder's red
lines and reservation hold *and* its acceptance condition says yes.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from zopa.problem import Problem

if TYPE_CHECKING:
    from zopa.simulate.offers import OfferMaker


class RedLineViolation(AssertionError):
    """A strategy proposed a package that breaks its own red lines or reservation (a bug)."""


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Parameter:
    """A documented parameter of a strategy or protocol (given as ``KEY=VALUE``)."""

    default: Any
    help: str
    kind: type = float
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def parse(self, key: str, value: Any) -> Any:
        """``value`` checked and converted; ValueError with a message naming ``key``."""
        if self.kind is str:
            text = str(value)
            if self.choices and text not in self.choices:
                raise ValueError(f"{key}: {text!r} is not one of {', '.join(self.choices)}")
            return text
        try:
            number = self.kind(float(value)) if self.kind is int else float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{key}: expected a number, got {value!r}") from None
        if isinstance(value, bool) or not math.isfinite(number):
            raise ValueError(f"{key}: expected a number, got {value!r}")
        if self.kind is int and float(value) != number:
            raise ValueError(f"{key}: expected a whole number, got {value!r}")
        if self.low is not None and number < self.low:
            raise ValueError(f"{key}: {value} is below the minimum {self.low:g}")
        if self.high is not None and number > self.high:
            raise ValueError(f"{key}: {value} is above the maximum {self.high:g}")
        return number


def parse_parameters(
    declared: Mapping[str, Parameter], given: Mapping[str, Any], owner: str
) -> dict[str, Any]:
    """Defaults overridden by ``given``; unknown keys are an error with a suggestion."""
    import difflib

    out = {k: p.default for k, p in declared.items()}
    for key, value in given.items():
        if key not in declared:
            match = difflib.get_close_matches(key, list(declared), n=1)
            hint = f"; did you mean {match[0]!r}?" if match else ""
            known = ", ".join(declared) or "none"
            raise ValueError(f"{owner} has no parameter {key!r}{hint} (parameters: {known})")
        out[key] = declared[key].parse(key, value)
    return out


# --------------------------------------------------------------------------- exchanges


@dataclass(frozen=True)
class Objection:
    """Why a party rejects a single negotiating text (Raiffa): what it asks to change."""

    red_lines: tuple[str, ...]  # ids of its red lines (and ``<party>:reservation``) violated
    wants: tuple[str, ...]  # the issues whose change would raise its utility most

    def to_json(self) -> dict[str, Any]:
        return {"red_lines": list(self.red_lines), "wants": list(self.wants)}


@dataclass(frozen=True)
class Step:
    """One proposal and the answers to it: an entry of the trace."""

    round: int
    proposer: int
    package: tuple[int, ...]
    utilities: tuple[int, ...]  # integer utilities of every party (see zopa.problem)
    responses: Mapping[int, bool]  # responder -> accepted
    objections: Mapping[int, Objection] | None = None


@dataclass(frozen=True)
class Outcome:
    agreement: tuple[int, ...] | None
    round: int  # the round of the agreement, or the last round played
    reason: str

    @property
    def kind(self) -> str:
        return "agreement" if self.agreement is not None else "breakdown"


@dataclass(frozen=True)
class Turn:
    """What a strategy is told when it proposes or answers."""

    round: int
    rounds: int
    time: float  # normalised time of this turn: 0 at the first round, 1 at the last
    next_time: float  # time of this party's next proposal (for AC_next)
    discount: float  # per-round discount factor of agreements (1: none)

    @staticmethod
    def clock(round_: int, rounds: int) -> float:
        """Normalised time of a round: ``(round − 1) / (rounds − 1)``, 1 when there is one."""
        return 1.0 if rounds <= 1 else min(1.0, (round_ - 1) / (rounds - 1))


# --------------------------------------------------------------------------- strategies


class Strategy:
    """A party's behaviour.  Subclasses set ``name`` and implement :meth:`aspiration`."""

    name: ClassVar[str] = ""
    parameters: ClassVar[dict[str, Parameter]] = {}
    acceptance: ClassVar[str] = "ac_next"  # default acceptance condition

    def __init__(
        self,
        problem: Problem,
        party: int,
        params: Mapping[str, Any],
        rng: random.Random,
        offers: OfferMaker,
        # a zopa.simulate.acceptance.Condition, typed by its call: that module builds on this one
        condition: Callable[[Strategy, int, Turn], bool],
    ) -> None:
        self.problem = problem
        self.me = party
        self.params = dict(params)
        self.rng = rng
        self.offers = offers
        self.condition = condition
        self.floor = int(problem.reservations[party])  # never demand less than no deal

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            STRATEGIES[cls.name] = cls

    @property
    def ceiling(self) -> int:
        """The most this party can get without breaking its own red lines."""
        best = self.offers.best_utility
        return self.floor if best is None else best

    def aspiration(self, time: float) -> int:
        """The integer utility this party demands at normalised time ``time``."""
        raise NotImplementedError

    def propose(self, turn: Turn) -> list[int] | None:
        """A package worth at least the aspiration, best for the others (None: none exists)."""
        return self.offers.propose(self.aspiration(turn.time))

    def accepts(self, package: Sequence[int], utility: int, turn: Turn) -> bool:
        """The acceptance condition (red lines and reservation are checked by the protocol)."""
        return self.condition(self, utility, turn)

    def observe(self, step: Step) -> None:
        """See a proposal made by another party (default: update the opponent model)."""
        self.offers.observe(step.proposer, step.package)


STRATEGIES: dict[str, type[Strategy]] = {}


# --------------------------------------------------------------------------- protocols


class Protocol:
    """The rules of the talks.  Subclasses set ``name`` and implement :meth:`run`."""

    name: ClassVar[str] = ""
    parameters: ClassVar[dict[str, Parameter]] = {}
    # Called with 1 after every round (a progress bar); set by zopa.simulate.run.simulate.
    progress: Callable[[int], None] | None = None

    def __init__(
        self,
        problem: Problem,
        strategies: Mapping[int, Strategy],
        rounds: int,
        discount: float,
        params: Mapping[str, Any],
        rng: random.Random,
        draft: Sequence[int | None] | None = None,
    ) -> None:
        self.problem = problem
        self.strategies = strategies
        self.rounds = rounds
        self.discount = discount
        self.params = dict(params)
        self.rng = rng
        self.draft = draft  # the (partial) package of the selected draft, if any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            PROTOCOLS[cls.name] = cls

    @classmethod
    def validate(cls, problem: Problem, params: Mapping[str, Any]) -> None:
        """Raise ValueError if ``params`` do not fit ``problem`` (checked before any run)."""

    def run(self) -> tuple[list[Step], Outcome]:
        raise NotImplementedError

    def round_done(self) -> None:
        """Report one more round played (for a progress bar)."""
        if self.progress is not None:
            self.progress(1)

    # Helpers every protocol uses, so that red-line safety cannot be forgotten.

    def hopeless(self) -> Outcome | None:
        """A breakdown before the first round if some veto party accepts no package at all."""
        for p in self.problem.veto_parties:
            if self.strategies[p].offers.best_utility is None:
                who = self.problem.parties[p].id
                return Outcome(
                    None,
                    0,
                    f"{who} accepts no package: its own red lines and reservation exclude them all",
                )
        return None

    def checked(self, party: int, package: Sequence[int] | None) -> tuple[int, ...] | None:
        """A proposal, verified against the proposer's own red lines and reservation."""
        if package is None:
            return None
        if not self.problem.accepts(party, package):
            who = self.problem.parties[party].id
            shown = self.problem.package_json(list(package))
            raise RedLineViolation(f"{who} proposed {shown}, which breaks its own red lines")
        return tuple(int(k) for k in package)

    def respond(self, party: int, package: Sequence[int], utility: int, turn: Turn) -> bool:
        """Acceptance: own red lines and reservation hold AND the acceptance condition agrees."""
        if not self.problem.accepts(party, package):
            return False
        return bool(self.strategies[party].accepts(package, utility, turn))

    def agreed(self, proposer: int, responses: Mapping[int, bool]) -> bool:
        """Every veto party accepts (a proposer accepts its own proposal)."""
        return all(responses.get(p, p == proposer) for p in self.problem.veto_parties)


PROTOCOLS: dict[str, type[Protocol]] = {}


# --------------------------------------------------------------------------- registry


def _discover(package: str) -> None:
    """Import every module of a package so that its classes register themselves."""
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{package}.{info.name}")


def strategy_class(name: str) -> type[Strategy]:
    _discover("zopa.simulate.strategies")
    if name not in STRATEGIES:
        raise ValueError(_unknown("strategy", name, STRATEGIES))
    return STRATEGIES[name]


def protocol_class(name: str) -> type[Protocol]:
    _discover("zopa.simulate.protocols")
    if name not in PROTOCOLS:
        raise ValueError(_unknown("protocol", name, PROTOCOLS))
    return PROTOCOLS[name]


def strategy_names() -> list[str]:
    _discover("zopa.simulate.strategies")
    return sorted(STRATEGIES)


def protocol_names() -> list[str]:
    _discover("zopa.simulate.protocols")
    return sorted(PROTOCOLS)


def _unknown(kind: str, name: str, known: Mapping[str, Any]) -> str:
    import difflib

    match = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {match[0]!r}?" if match else ""
    return f"unknown {kind} {name!r}{hint} (known: {', '.join(sorted(known))})"
