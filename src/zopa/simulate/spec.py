"""Strategy specifications: ``NAME[:KEY=VALUE[,KEY=VALUE]…]``.

On the command line a party's strategy is ``--strategy PARTY=SPEC``, with
``*`` for every party not named, e.g.::

    --strategy ukraine=boulware:beta=0.1,accept=ac_time:0.9 --strategy '*=linear'

Every strategy takes ``accept`` (an acceptance condition ``NAME[:VALUE]``,
:mod:`zopa.simulate.acceptance`) and ``model`` (``frequency`` or ``full``,
:mod:`zopa.simulate.opponent`) besides its own parameters.  Values are
numbers or names; nothing is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zopa.simulate.acceptance import parse_condition
from zopa.simulate.core import Parameter, parse_parameters, strategy_class
from zopa.simulate.opponent import MODELS

EVERYONE = "*"

COMMON = {
    "accept": Parameter("", "acceptance condition NAME[:VALUE] (default: the strategy's)", str),
    "model": Parameter(
        "frequency", "opponent model: frequency (learnt from offers) or full", str, choices=MODELS
    ),
}


@dataclass(frozen=True)
class StrategySpec:
    """A strategy name with the parameters given for it (checked when made)."""

    name: str
    given: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, name: str, given: Mapping[str, Any]) -> StrategySpec:
        """A checked spec; ValueError with a readable message otherwise."""
        spec = cls(name, tuple(given.items()))
        spec.parameters()
        return spec

    def parameters(self) -> dict[str, Any]:
        """Every parameter of the strategy, defaults filled in and values checked."""
        strategy = strategy_class(self.name)
        params = parse_parameters({**COMMON, **strategy.parameters}, dict(self.given), self.name)
        params["accept"] = parse_condition(params["accept"] or strategy.acceptance)
        return params

    @property
    def label(self) -> str:
        if not self.given:
            return self.name
        return f"{self.name}:" + ",".join(f"{k}={_show(v)}" for k, v in self.given)

    def __str__(self) -> str:
        return self.label


def parse_spec(text: str) -> StrategySpec:
    """``NAME[:KEY=VALUE,…]`` as a checked :class:`StrategySpec`."""
    name, given = parse_named(text, "strategy")
    return StrategySpec.make(name, given)


def parse_named(text: str, kind: str) -> tuple[str, dict[str, str]]:
    """``NAME[:KEY=VALUE,…]`` as the name and the (unchecked) parameters."""
    name, _, rest = text.strip().partition(":")
    given: dict[str, str] = {}
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise ValueError(f"{text!r}: write parameters as KEY=VALUE, got {item!r}")
        if key.strip() in given:
            raise ValueError(f"{text!r}: parameter {key.strip()!r} is given twice")
        given[key.strip()] = value.strip()
    if not name:
        raise ValueError(f"{text!r}: the {kind} name is missing")
    return name, given


def parse_assignment(text: str) -> tuple[str, StrategySpec]:
    """``PARTY=SPEC`` (``PARTY`` may be ``*``)."""
    party, eq, spec = text.partition("=")
    if not eq or not party.strip() or not spec.strip():
        raise ValueError(f"{text!r}: write PARTY=STRATEGY, e.g. ukraine=boulware:beta=0.2")
    return party.strip(), parse_spec(spec)


def split_specs(text: str) -> list[StrategySpec]:
    """A comma-separated list of specs; ``KEY=VALUE`` items belong to the spec before them.

    ``boulware:beta=0.1,accept=ac_next,linear,hardliner`` is three strategies.
    """
    groups: list[list[str]] = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        if "=" in item and ":" not in item.split("=", 1)[0] and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
    if not groups:
        raise ValueError("no strategies given")
    return [parse_spec(",".join(g)) for g in groups]


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
