"""Relative tit-for-tat: concede as much, in proportion, as the others did.

After Faratin, Sierra & Jennings (1998), "relative tit-for-tat": an agent
reproduces in percentage terms the concession its opponent made ``δ`` offers
earlier.  Here concessions are measured in the party's own utility, so it
needs no model of the others: its *level* ``a ∈ [0, 1]`` (aspiration
``d + a · (u_max − d)``) starts at 1, and each time another party ``q``
proposes, ``a`` is multiplied by

    ρ_q = gap(q's latest offer) / gap(q's offer δ proposals earlier)

(``gap`` = how far an offer is from the party's best, as a share of
``u_max − d``) raised to ``1/m``, with ``m`` the number of other parties seen
proposing: each round it moves by the geometric mean of the others' relative
concessions.  An opponent who hardens (ρ > 1) is answered in kind.  ``nice``
adds a fixed concession per observed offer, so that two tit-for-tat parties
can start moving.
"""

from __future__ import annotations

from typing import Any, ClassVar

from zopa.simulate.core import Parameter, Step, Strategy


class TitForTat(Strategy):
    """Mirrors the others' relative concessions (Faratin et al. 1998)."""

    name = "tit_for_tat"
    parameters: ClassVar[dict[str, Parameter]] = {
        "delta": Parameter(
            1, "compare offers this many proposals apart", kind=int, low=1, high=1000
        ),
        "nice": Parameter(
            0.0, "extra concession per offer seen, share of the range", low=0, high=1
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level = 1.0
        self.gaps: dict[int, list[float]] = {}  # proposer -> gaps of its offers, in order

    def aspiration(self, time: float) -> int:
        return self.floor + round(self.level * (self.ceiling - self.floor))

    def observe(self, step: Step) -> None:
        super().observe(step)
        gaps = self.gaps.setdefault(step.proposer, [])
        gaps.append(self._gap(step.utilities[self.me]))
        delta = int(self.params["delta"])
        level = self.level
        if len(gaps) > delta:
            old, new = gaps[-1 - delta], gaps[-1]
            ratio = 1.0 if old == 0 else new / old
            level *= ratio ** (1 / len(self.gaps))
        self.level = min(1.0, max(0.0, level - self.params["nice"]))

    def _gap(self, utility: int) -> float:
        span = self.ceiling - self.floor
        if span <= 0:
            return 0.0
        return min(1.0, max(0.0, (self.ceiling - utility) / span))
