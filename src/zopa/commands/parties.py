"""Which parties a command is about: ``--parties`` of ``frontier`` and ``fair``."""

from __future__ import annotations

from collections.abc import Sequence

from zopa.commands.errors import OptionError
from zopa.model import Scenario


def known_parties(scenario: Scenario) -> list[str]:
    return [p.id for p in scenario.parties]


def party_list(scenario: Scenario, names: Sequence[str] | None) -> list[str] | None:
    """Known, distinct party ids in the order given; None (the command's default) for None."""
    if names is None:
        return None
    known = known_parties(scenario)
    if not names:
        raise OptionError("parties", "give one or more party ids")
    for name in names:
        if name not in known:
            message = f"no party {name[:80]!r} (parties: {', '.join(known)})"
            raise OptionError("parties", message, "unknown_party")
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise OptionError("parties", f"party {twice!r} is listed twice")
    return list(names)


def two_parties(scenario: Scenario, names: Sequence[str] | None, what: str) -> tuple[str, str]:
    """Exactly two parties; ``names`` may be left out only when the scenario has two.

    ``what`` names the procedure in the message (``Adjusted Winner``).
    """
    known = known_parties(scenario)
    if names is None:
        if len(known) == 2:
            return known[0], known[1]
        raise OptionError(
            "parties",
            f"{what} is between two parties: name them (scenario {scenario.id!r} has "
            f"{len(known)}: {', '.join(known)})",
        )
    chosen = party_list(scenario, names) or []
    if len(chosen) != 2:
        raise OptionError(
            "parties",
            f"{what} is between exactly two parties, but {len(chosen)} "
            f"{'was' if len(chosen) == 1 else 'were'} given ({', '.join(chosen)})",
        )
    return chosen[0], chosen[1]
