"""``zopa fair`` on a scenario: Adjusted Winner between two of its parties."""

from __future__ import annotations

from collections.abc import Sequence

from zopa.commands.errors import OptionError
from zopa.commands.parties import two_parties
from zopa.model import Scenario
from zopa.models.fair import Division, adjusted_winner, points_from_scenario

WHAT = "Adjusted Winner"


def fair(scenario: Scenario, parties: Sequence[str] | None = None) -> Division:
    """Divide the scenario's issues between two parties, their weights as points
    (Brams & Taylor's Adjusted Winner, :func:`zopa.models.fair.adjusted_winner`).

    ``parties`` may be left out only when the scenario has exactly two.
    """
    a, b = two_parties(scenario, parties, WHAT)
    try:
        return adjusted_winner((a, b), points_from_scenario(scenario, (a, b)))
    except ValueError as err:  # e.g. a party that gives no points to any issue
        raise OptionError("parties", str(err)) from None
