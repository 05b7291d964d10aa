"""A small YAML block of simulation settings (``--config FILE.yaml``).

::

    protocol: single-text        # or alternating
    rounds: 60
    seed: 7
    discount: 1.0                # per-round discount factor of agreements
    mediator: united_states      # protocol parameters sit at the top level
    strategies:                  # per party, or "*" for every party not named
      "*": linear
      ukraine: boulware:beta=0.2,accept=ac_next
      russia: {name: hardliner, accept: "ac_const:0.8"}

For ``zopa tournament``, ``strategies`` is a list of entrants instead
(``[boulware, linear, "tit_for_tat:nice=0.01"]``).  Options given on the
command line win over the file.  Protocol parameters are checked against the
protocol the file names (else the one used); when ``--protocol`` replaces the
file's protocol, the file's parameters that the protocol used does not take
are set aside with a note (:attr:`Config.notes`), not reported as errors: the
file stays valid for its own protocol.  Every problem is reported as
``FILE:LINE:COL: message`` (read with the scenario loader's position-keeping
YAML reader); nothing in the file is evaluated.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zopa.parse import Diagnostic, ScenarioError, _locate, _plain, _read_tree, read_text
from zopa.problem import Problem
from zopa.simulate.core import parse_parameters, protocol_class, protocol_names
from zopa.simulate.run import MAX_ROUNDS
from zopa.simulate.spec import EVERYONE, StrategySpec, parse_spec

SETTINGS = ("protocol", "rounds", "seed", "discount", "strategies")


@dataclass
class Config:
    """Settings read from a file; None where the file says nothing."""

    path: str
    protocol: str | None = None
    rounds: int | None = None
    seed: int | None = None
    discount: float | None = None
    params: dict[str, Any] = field(default_factory=dict)  # protocol parameters, checked
    assignments: dict[str, StrategySpec] = field(default_factory=dict)  # party -> spec
    entrants: list[StrategySpec] = field(default_factory=list)  # tournament strategies
    where: dict[str, tuple[int, int]] = field(default_factory=dict)  # party -> (line, col)
    notes: list[str] = field(default_factory=list)  # settings set aside, FILE:LINE:COL: note

    def check_parties(self, problem: Problem) -> None:
        """Every party named under ``strategies`` exists in ``problem`` (else FILE:LINE:COL)."""
        known = ", ".join(problem.party_index)
        bad = [
            Diagnostic(self.path, *self.where[party], f"no party {party!r} (parties: {known})")
            for party in self.assignments
            if party != EVERYONE and party not in problem.party_index
        ]
        if bad:
            raise ScenarioError(bad)


def load_config(path: str, protocol: str | None = None) -> Config:
    """Read and check a settings file; ``protocol`` (from the command line) wins over its own."""
    name = str(path)
    tree = _read_tree(read_text(Path(path)), name)
    problems: list[Diagnostic] = []

    def error(where: tuple[str | int, ...], message: str, on_key: bool = False) -> None:
        line, col, _ = _locate(tree, where, on_key)
        problems.append(Diagnostic(name, line, col, message))

    config = Config(name)
    if not isinstance(tree, dict):
        raise ScenarioError([Diagnostic(name, 1, 1, "settings must be a mapping (key: value)")])
    config.protocol = _protocol(tree, error)
    chosen = protocol or config.protocol or "alternating"
    declared = protocol_class(chosen).parameters if chosen in protocol_names() else {}
    # the file's own protocol, when the command line replaced it: its parameters are
    # checked (the file stays valid on its own) but set aside
    own = config.protocol if config.protocol not in (None, chosen) else None
    aside = (
        {k: v for k, v in protocol_class(own).parameters.items() if k not in declared}
        if own
        else {}
    )
    allowed = [*SETTINGS, *declared, *aside]
    for key in tree:
        if key not in allowed:
            match = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {match[0]!r}?" if match else f" (allowed: {', '.join(allowed)})"
            error((key,), f"unknown key {key!r}{hint}", on_key=True)
    for key in (k for k in tree if k in aside):
        try:
            parse_parameters(aside, {key: _plain(tree[key])}, str(own))
        except ValueError as err:
            error((key,), str(err))
        line, col, _ = _locate(tree, (key,), True)
        config.notes.append(
            f"{name}:{line}:{col}: note: {key!r} is a setting of {own}, "
            f"ignored under --protocol {chosen}"
        )
    config.rounds = _number(tree, "rounds", int, 1, MAX_ROUNDS, error)
    config.seed = _number(tree, "seed", int, 0, 2**63 - 1, error)
    config.discount = _number(tree, "discount", float, 0.0, 1.0, error)
    if config.discount == 0:
        error(("discount",), "discount: give a factor in (0, 1]")
    for key in (k for k in declared if k in tree):
        try:
            config.params[key] = parse_parameters(declared, {key: _plain(tree[key])}, chosen)[key]
        except ValueError as err:
            error((key,), str(err))
    _strategies(tree, config, error)
    if problems:
        raise ScenarioError(sorted(set(problems)))
    return config


def _protocol(tree: dict[str, Any], error: Any) -> str | None:
    if "protocol" not in tree:
        return None
    value = _plain(tree["protocol"])
    if value not in protocol_names():
        error(("protocol",), f"unknown protocol {value!r} (known: {', '.join(protocol_names())})")
        return None
    return str(value)


def _number(tree: dict[str, Any], key: str, kind: type, low: float, high: float, error: Any) -> Any:
    if key not in tree:
        return None
    value = _plain(tree[key])
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and kind is int and not float(value).is_integer():
        ok = False
    if not ok or not low <= value <= high:
        what = "a whole number" if kind is int else "a number"
        error((key,), f"{key}: give {what} from {low:g} to {high:g}, got {value!r}")
        return None
    return kind(value)


def _strategies(tree: dict[str, Any], config: Config, error: Any) -> None:
    if "strategies" not in tree:
        return
    node = tree["strategies"]
    if isinstance(node, list):
        for k, item in enumerate(node):
            spec = _spec(_plain(item), ("strategies", k), error)
            if spec is not None:
                config.entrants.append(spec)
        return
    if not isinstance(node, dict):
        error(("strategies",), "strategies: a mapping PARTY: STRATEGY, or a list of strategies")
        return
    for party, item in node.items():
        line, col, _ = _locate(tree, ("strategies", party), True)
        config.where[str(party)] = (line, col)
        spec = _spec(_plain(item), ("strategies", party), error)
        if spec is not None:
            config.assignments[str(party)] = spec


def _spec(value: Any, where: tuple[str | int, ...], error: Any) -> StrategySpec | None:
    """A strategy written ``NAME[:K=V,…]`` or as a mapping ``{name: NAME, K: V}``."""
    try:
        if isinstance(value, str):
            return parse_spec(value)
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            given = {k: v for k, v in value.items() if k != "name"}
            return StrategySpec.make(value["name"], given)
        error(where, "a strategy is NAME[:KEY=VALUE,...] or a mapping with a 'name'")
    except ValueError as err:
        error(where, str(err))
    return None
