"""Acceptance conditions (Baarslag, Hindriks & Jonker, "Effective acceptance
conditions in multilateral negotiation", *Decision Support Systems* 60, 2014).

A condition is only consulted for a package that already satisfies the party's
red lines and reservation (:meth:`zopa.simulate.core.Protocol.respond`).
Written ``accept=NAME[:VALUE]`` in a strategy spec:

* ``ac_next[:α]`` (default α = 1) — accept when ``α · u(x)`` is at least what
  the party would itself demand at its next proposal, discounted to now:
  ``α · u(x) ≥ δ^k · aspiration(t_next)`` with ``k`` the rounds until then.
  (Baarslag et al. compare with the utility of the next bid; every bid is worth
  at least the aspiration, so this is the same test against its lower bound.)
* ``ac_const:c`` — accept when ``u(x) ≥ c``.
* ``ac_time:T`` — accept anything acceptable once normalised time ``t ≥ T``.
* ``ac_random:p`` — accept with probability ``p`` (the random baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zopa.problem import SCALE

if TYPE_CHECKING:
    from zopa.simulate.core import Strategy, Turn

CONDITIONS: dict[str, tuple[float | None, float, float]] = {
    # name: (default value, lowest, highest); None = the value is required
    "ac_next": (1.0, 0.0, 10.0),
    "ac_const": (None, 0.0, 1.0),
    "ac_time": (None, 0.0, 1.0),
    "ac_random": (0.5, 0.0, 1.0),
}


@dataclass(frozen=True)
class Condition:
    name: str
    value: float

    def __call__(self, strategy: Strategy, utility: int, turn: Turn) -> bool:
        if self.name == "ac_const":
            return utility >= self.value * SCALE
        if self.name == "ac_time":
            return turn.time >= self.value
        if self.name == "ac_random":
            return strategy.rng.random() < self.value
        rounds_ahead = (turn.next_time - turn.time) * max(turn.rounds - 1, 1)
        demand = strategy.aspiration(turn.next_time) * turn.discount ** round(rounds_ahead)
        return self.value * utility >= demand

    def __str__(self) -> str:
        default = CONDITIONS[self.name][0]
        return self.name if self.value == default else f"{self.name}:{self.value:g}"


def parse_condition(text: str) -> Condition:
    """``NAME[:VALUE]`` as a :class:`Condition`; ValueError with a message otherwise."""
    name, _, raw = str(text).partition(":")
    if name not in CONDITIONS:
        known = ", ".join(CONDITIONS)
        raise ValueError(f"accept: unknown acceptance condition {name!r} (known: {known})")
    default, low, high = CONDITIONS[name]
    if not raw:
        if default is None:
            raise ValueError(f"accept: {name} needs a value, as in {name}:0.8")
        return Condition(name, default)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"accept: {name} takes a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"accept: the value of {name} must be between {low:g} and {high:g}")
    return Condition(name, value)
