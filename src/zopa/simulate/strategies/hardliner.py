"""The hardliner: always demands the most it can get within its own red lines.

It proposes a package of the highest utility it can reach (among those, the one
best for the others) and, with the default AC_next, accepts only as much.
"""

from __future__ import annotations

from zopa.simulate.core import Strategy


class Hardliner(Strategy):
    """Never concedes."""

    name = "hardliner"

    def aspiration(self, time: float) -> int:
        return self.ceiling
