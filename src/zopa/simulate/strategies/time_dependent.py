"""Time-dependent concession (Faratin, Sierra & Jennings, "Negotiation decision
functions for autonomous agents", *Robotics and Autonomous Systems* 24, 1998).

The aspiration at normalised time ``t`` is

    u(t) = d + (1 − F(t)) · (u_max − d),    F(t) = k + (1 − k) · t^(1/β)

with ``d`` the party's reservation and ``u_max`` the most it can get within
its own red lines.  ``β < 1`` concedes late (Boulware), ``β = 1`` linearly,
``β > 1`` early (Conceder); ``k`` is the share conceded at once.
"""

from __future__ import annotations

from typing import ClassVar

from zopa.simulate.core import Parameter, Strategy

BETA = Parameter(1.0, "concession exponent β (below 1 late, above 1 early)", low=0.001, high=1000)
K = Parameter(0.0, "share of the range conceded at the start", low=0.0, high=1.0)


class TimeDependent(Strategy):
    """Time-dependent concession with exponent beta (Faratin et al. 1998)."""

    name = "time"
    parameters: ClassVar[dict[str, Parameter]] = {"beta": BETA, "k": K}

    def aspiration(self, time: float) -> int:
        beta, k = self.params["beta"], self.params["k"]
        conceded = k + (1 - k) * time ** (1 / beta)
        return self.floor + round((1 - conceded) * (self.ceiling - self.floor))


class Boulware(TimeDependent):
    """Concedes late (beta = 0.2)."""

    name = "boulware"
    parameters: ClassVar[dict[str, Parameter]] = {
        "beta": Parameter(0.2, BETA.help, low=0.001, high=1000),
        "k": K,
    }


class Linear(TimeDependent):
    """Concedes at a constant rate (beta = 1)."""

    name = "linear"


class Conceder(TimeDependent):
    """Concedes early (beta = 2)."""

    name = "conceder"
    parameters: ClassVar[dict[str, Parameter]] = {
        "beta": Parameter(2.0, BETA.help, low=0.001, high=1000),
        "k": K,
    }
