"""The random baseline: random acceptable offers, acceptance by coin flip.

Each proposal maximises random scores per option (drawn from the seeded
generator) over the packages the party accepts, so it never breaks the
party's red lines or reservation; by default it accepts an acceptable package
with probability 0.5 (``ac_random``).
"""

from __future__ import annotations

from zopa.simulate.core import Strategy, Turn


class RandomOffers(Strategy):
    """Random acceptable offers; accepts with probability p (ac_random:p)."""

    name = "random"
    acceptance = "ac_random"

    def aspiration(self, time: float) -> int:
        return self.floor

    def propose(self, turn: Turn) -> list[int] | None:
        return self.offers.random(self.rng)
