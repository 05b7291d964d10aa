"""Actors on one numeric issue and the exact spatial models of their outcome.

Each actor *i* has a position ``x_i`` on the issue, a salience ``s_i`` in
0–100 (how much the issue matters to it) and a capability ``c_i`` ≥ 0 (its
power on the issue); its *weight* is ``w_i = c_i · s_i``.  This module holds
the :class:`Actor` type and the models that are exact in rationals
(:class:`fractions.Fraction`): the compromise model (weighted mean), the
weighted median, linear loss and pairwise votes, and the Condorcet winner.
See :mod:`zopa.models.forecast` for their sources and for running a model,
and :mod:`zopa.models.bdm` for the expected-utility model built on them.

Both of those modules import this one; it imports neither, so that the
forecasting models form no import cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Actor:
    """One actor on one issue.  ``assumed`` names inputs filled in by defaults."""

    id: str
    capability: Fraction
    position: Fraction
    salience: Fraction
    assumed: tuple[str, ...] = ()

    @property
    def weight(self) -> Fraction:
        return self.capability * self.salience

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "actor": self.id,
            "capability": json_number(self.capability),
            "position": json_number(self.position),
            "salience": json_number(self.salience),
        }
        if self.assumed:
            out["assumed"] = list(self.assumed)
        return out


# --------------------------------------------------------------------------- exact models


def compromise(actors: Sequence[Actor]) -> Fraction:
    """The compromise model ``Σ c s x / Σ c s``; ValueError if every weight is 0."""
    total = _total_weight(actors)
    return sum((a.weight * a.position for a in actors), Fraction(0)) / total


def weighted_median(actors: Sequence[Actor]) -> Fraction:
    """The point minimising ``Σ w_i |x − x_i|``; the midpoint when the minimisers form an interval.

    Walk the positions in order, accumulating weight: the median is the first
    position where the weight so far reaches half the total.  If it reaches
    *exactly* half, every point up to the next weighted position minimises the
    loss too, and the midpoint of that interval is returned.
    """
    total = _total_weight(actors)
    weights: dict[Fraction, Fraction] = {}
    for a in actors:
        if a.weight > 0:
            weights[a.position] = weights.get(a.position, Fraction(0)) + a.weight
    points = sorted(weights)
    so_far = Fraction(0)
    for k, x in enumerate(points):
        so_far += weights[x]
        if 2 * so_far > total:
            return x
        if 2 * so_far == total:
            return (x + points[k + 1]) / 2
    raise AssertionError("unreachable: the weights sum to the total")


def linear_loss(actors: Sequence[Actor], y: Fraction) -> Fraction:
    """``F(y) = Σ w_i |x_i − y|``: the weighted distance of the actors from ``y``."""
    return sum((a.weight * abs(a.position - y) for a in actors), Fraction(0))


def votes(actors: Sequence[Actor], y: Fraction, z: Fraction) -> Fraction:
    """Net votes for ``y`` against ``z`` under linear loss: ``Σ w_i (|x_i − z| − |x_i − y|)``."""
    return sum(
        (a.weight * (abs(a.position - z) - abs(a.position - y)) for a in actors), Fraction(0)
    )


def undefeated(actors: Sequence[Actor]) -> list[Fraction]:
    """The actors' positions that no other actor's position beats, in increasing order.

    ``y`` beats ``z`` when ``votes(y, z) > 0``, i.e. ``F(y) < F(z)``, so the
    undefeated positions are those of least linear loss.
    """
    _total_weight(actors)
    candidates = sorted({a.position for a in actors})
    loss = {y: linear_loss(actors, y) for y in candidates}
    best = min(loss.values())
    return [y for y in candidates if loss[y] == best]


def condorcet(actors: Sequence[Actor]) -> Fraction | None:
    """The position that beats every other actor's position, or None if two tie."""
    winners = undefeated(actors)
    return winners[0] if len(winners) == 1 else None


def _total_weight(actors: Sequence[Actor]) -> Fraction:
    total = sum((a.weight for a in actors), Fraction(0))
    if total <= 0:
        raise ValueError(
            "no actor has both a capability and a salience above 0, so nothing can be forecast"
        )
    return total


def json_number(x: Fraction | float | None) -> int | float | None:
    """A number for JSON: an integer when it is whole, else a float (None stays None)."""
    if x is None:
        return None
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else float(x)
    return int(x) if float(x).is_integer() else float(x)
