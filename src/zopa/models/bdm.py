"""Bueno de Mesquita's expected-utility model of group decisions on one numeric issue.

The model is Bueno de Mesquita's ("Political forecasting: an expected utility
method", in *European Community Decision Making*, 1994), in the form
reconstructed by Scholz, Calbert & Smith ("Unravelling Bueno de Mesquita's
group decision model", ICAART 2011; *J. Theoretical Politics* 23(4), 2011).
Each round:

1. **Median.** ``μ`` is the weighted median of the current positions (the
   position that wins every pairwise vote, :func:`zopa.models.spatial.weighted_median`).
2. **Utilities** for actor *i* challenging *j*, with ``d = |x_i − x_j| / span``,
   ``m = |x_i − μ| / span`` and risk exponent ``r_i``:
   success ``U^s = 2 − 4(½ − ½d)^r``, failure ``U^f = 2 − 4(½ + ½d)^r``,
   status quo ``U^sq = 2 − 4(½)^r``, status quo improving
   ``U^b = 2 − 4(½ − ¼(m + d))^r`` and worsening ``U^w = 2 − 4(½ + ¼(m + d))^r``.
3. **Probability** that *i* prevails over *j*: every actor *k* casts
   ``v_k = c_k s_k (|x_k − x_j| − |x_k − x_i|) / span`` votes (positive for
   *i*); ``P = Σ_{v_k>0} v_k / Σ_k |v_k|``.
4. **Expected utility** of *i* challenging *j* (salience ``s_j`` ∈ [0, 1] is the
   probability that *j* resists):
   ``E_ij = s_j (P U^s + (1−P) U^f) + (1−s_j) U^s − Q U^sq − (1−Q)(T U^b + (1−T) U^w)``.
5. **Risk.** With every ``r = 1``, actor *i*'s exposure is
   ``S_i = Σ_{j≠i} E_ji``; ``R_i = (2 S_i − max S − min S)/(max S − min S)`` and
   ``r_i = (1 − R_i/3)/(1 + R_i/3)`` ∈ [½, 2]; step 4 is then repeated with these
   exponents.
6. **Offers.** Challenger *j* makes an offer to *i* when ``E_ji > 0``:
   *conflict* if also ``E_ij > 0`` (the likelier winner prevails: *i* moves to
   ``x_j`` if ``P_ji > ½``); otherwise *compel* if
   ``E_ji ≥ |E_ij|`` (*i* moves to ``x_j``) or *compromise* (*i* moves the
   fraction ``E_ji / |E_ij|`` of the way to ``x_j``).  Both negative is a
   stalemate: no offer.
7. **Moves.** Each actor accepts the offer that moves it least; all actors
   move at once.  The median and mean (compromise model) are reported.

Rounds repeat until the round limit or until nobody moves (the positions are
then a fixed point, and further rounds would repeat them).  The forecast is the
median after the last round.

Ambiguities resolved here (the literature leaves them open; open
re-implementations choose differently), each for the reason given:

- ``span`` is the range of the *initial* positions, fixed for the run, so that
  utilities do not blow up as positions converge.
- Identical positions: no challenge is possible (``E = 0``); a pair with no
  weight at all has ``P = ½``.
- Voters include *i* and *j* themselves, and the denominator is ``Σ|v_k|``, so
  ``P_ij + P_ji = 1``.
- ``T = 1`` when ``|x_i − μ| < |x_i − x_j|``: left alone, positions drift
  toward the median, which brings a *j* farther from *i* than the median
  closer to *i*.  With the default ``Q = 1`` (the status quo persists absent a
  challenge) ``T`` has no effect.
- Risk exponents are reset to 1 at the start of every round and computed once
  per round from exposures compared *across actors*, as Scholz et al. do; if
  every exposure is equal, ``r = 1``.
- Each actor's expected utilities use its own risk exponent (full
  information), not an observer's estimate of another's.
- A conflict (both expect to gain from challenging) is won by the actor with
  the larger probability of prevailing, the model's own measure of the
  balance of support.  Comparing the two expected utilities instead, as some
  re-implementations do, compares utilities of actors with different risk
  exponents, and lets a small risk-acceptant actor defeat a large coalition.
- Compel versus compromise: the target concedes ``min(1, E_ji / |E_ij|)`` of
  the distance, so a challenger that gains more relative to what the target
  stands to lose never extracts less, and the move reaches 1 exactly at the
  compel boundary; some re-implementations use the reciprocal.
- Ties between equally small moves go to the offer from the challenger with
  the larger expected utility, then to the lower position, so that the order
  of the actors never matters.
- Expected utilities within ``1e-9`` of 0 count as 0 (floating-point noise).

Arithmetic is in floats (powers with real exponents).  Sums over actors are
either :func:`math.fsum` (exactly rounded) or taken over sorted values, so
that no result depends on the order of the actors; medians and means are
computed exactly from the floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from zopa.models.spatial import Actor, compromise, weighted_median

EPS = 1e-9  # expected utilities this close to 0 are taken as 0
MAX_ROUNDS = 1000


@dataclass(frozen=True)
class Move:
    """Actor ``actor`` accepted ``challenger``'s offer of kind ``kind`` and moved."""

    actor: str
    challenger: str
    kind: str  # conflict | compel | compromise
    before: float
    after: float


@dataclass(frozen=True)
class Round:
    round: int
    median: float
    mean: float
    positions: dict[str, float]
    moves: list[Move] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "median": self.median,
            "mean": self.mean,
            "positions": dict(self.positions),
            "moves": [
                {
                    "actor": m.actor,
                    "challenger": m.challenger,
                    "kind": m.kind,
                    "from": m.before,
                    "to": m.after,
                }
                for m in self.moves
            ],
        }


@dataclass(frozen=True)
class Simulation:
    q: float
    initial: Round
    rounds: list[Round]
    converged: bool

    @property
    def forecast(self) -> float:
        return self.rounds[-1].median if self.rounds else self.initial.median

    def to_json(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "converged": self.converged,
            "initial": self.initial.to_json(),
            "rounds": [r.to_json() for r in self.rounds],
        }


def simulate(actors: Sequence[Actor], rounds: int = 10, q: float = 1.0) -> Simulation:
    """Run up to ``rounds`` rounds of the model (stopping early once nobody moves)."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ValueError(f"the number of rounds must be between 1 and {MAX_ROUNDS}")
    if not 0 <= q <= 1:
        raise ValueError("Q is a probability and must be between 0 and 1")
    ids = [a.id for a in actors]
    x = [float(a.position) for a in actors]
    c = [float(a.capability) for a in actors]
    s = [float(a.salience) / 100 for a in actors]
    compromise(actors)  # raises if no actor has weight
    span = max(x) - min(x)
    initial = _report(0, actors, x, [])
    done: list[Round] = []
    for k in range(1, rounds + 1):
        moves = _round(ids, x, c, s, span, q, actors) if span > 0 else []
        for m in moves:
            x[ids.index(m.actor)] = m.after
        done.append(_report(k, actors, x, moves))
        if not moves:
            return Simulation(q, initial, done, True)
    return Simulation(q, initial, done, False)


def _report(k: int, actors: Sequence[Actor], x: list[float], moves: list[Move]) -> Round:
    now = [
        Actor(a.id, a.capability, Fraction(xi), a.salience) for a, xi in zip(actors, x, strict=True)
    ]
    return Round(
        k,
        float(weighted_median(now)),
        float(compromise(now)),
        {a.id: xi for a, xi in zip(actors, x, strict=True)},
        moves,
    )


def _round(
    ids: list[str],
    x: list[float],
    c: list[float],
    s: list[float],
    span: float,
    q: float,
    actors: Sequence[Actor],
) -> list[Move]:
    """One round: the moves every actor makes (computed from the positions at its start)."""
    now = [
        Actor(a.id, a.capability, Fraction(xi), a.salience) for a, xi in zip(actors, x, strict=True)
    ]
    mu = float(weighted_median(now))
    w = [ci * si for ci, si in zip(c, s, strict=True)]
    prob = _probabilities(x, w, span)
    eu = _expected_utilities(x, s, span, mu, [1.0] * len(x), prob, q)
    risk = _risk_exponents(eu)
    eu = _expected_utilities(x, s, span, mu, risk, prob, q)
    moves = []
    for i in range(len(x)):
        move = _best_offer(i, ids, x, eu, prob)
        if move is not None:
            moves.append(move)
    return moves


def _probabilities(x: list[float], w: list[float], span: float) -> list[list[float]]:
    """``P[i][j]``: the probability that *i* prevails over *j*, from everyone's votes.

    Vectorised over all pairs; each pair's votes are sorted before summing, so
    the sums, like :func:`math.fsum`, do not depend on the order of the actors.
    """
    import numpy as np

    xs, ws = np.asarray(x), np.asarray(w)
    dist = np.abs(xs[:, None] - xs[None, :])  # dist[k, j] = |x_k - x_j|
    # votes[i, j, k] = w_k (|x_k - x_j| - |x_k - x_i|) / span
    votes = ws[None, None, :] * (dist.T[None, :, :] - dist.T[:, None, :]) / span
    pro = np.sort(np.where(votes > 0, votes, 0.0), axis=2).sum(axis=2)
    total = np.sort(np.abs(votes), axis=2).sum(axis=2)
    contested = (total > 0) & (xs[:, None] != xs[None, :])
    p = np.where(contested, pro / np.where(total > 0, total, 1.0), 0.5)
    return p.tolist()


def _expected_utilities(
    x: list[float],
    s: list[float],
    span: float,
    mu: float,
    r: list[float],
    p: list[list[float]],
    q: float,
) -> list[list[float]]:
    """``E[i][j]``: actor *i*'s expected utility of challenging *j* (0 when they agree)."""
    n = len(x)
    e = [[0.0] * n for _ in range(n)]
    for i in range(n):
        status_quo = 2 - 4 * 0.5 ** r[i]
        for j in range(n):
            if i == j or x[i] == x[j]:
                continue
            d = abs(x[i] - x[j]) / span
            m = abs(x[i] - mu) / span
            win = 2 - 4 * (0.5 - 0.5 * d) ** r[i]
            lose = 2 - 4 * (0.5 + 0.5 * d) ** r[i]
            better = 2 - 4 * max(0.0, 0.5 - 0.25 * (m + d)) ** r[i]
            worse = 2 - 4 * (0.5 + 0.25 * (m + d)) ** r[i]
            t = 1.0 if abs(x[i] - mu) < abs(x[i] - x[j]) else 0.0
            e[i][j] = math.fsum(
                [
                    s[j] * (p[i][j] * win + (1 - p[i][j]) * lose),
                    (1 - s[j]) * win,
                    -q * status_quo,
                    -(1 - q) * (t * better + (1 - t) * worse),
                ]
            )
    return e


def _risk_exponents(e: list[list[float]]) -> list[float]:
    """Risk exponents from each actor's exposure ``Σ_j E[j][i]`` relative to the others'."""
    n = len(e)
    exposure = [math.fsum(e[j][i] for j in range(n) if j != i) for i in range(n)]
    high, low = max(exposure), min(exposure)
    if high - low <= EPS:
        return [1.0] * n
    out = []
    for si in exposure:
        big_r = (2 * si - high - low) / (high - low)
        out.append((1 - big_r / 3) / (1 + big_r / 3))
    return out


def _best_offer(
    i: int, ids: list[str], x: list[float], e: list[list[float]], p: list[list[float]]
) -> Move | None:
    """The offer to actor *i* that moves it least (None if it receives none)."""
    offers: list[tuple[float, float, float, str, str]] = []  # (distance, -E_ji, to, kind, by)
    for j in range(len(x)):
        gain = e[j][i]  # j's expected utility of challenging i
        if j == i or x[j] == x[i] or gain <= EPS:
            continue
        own = e[i][j]
        if own > EPS:
            if p[j][i] <= 0.5:
                continue  # j is not the likelier winner of the conflict: no move for i
            to, kind = x[j], "conflict"
        elif abs(own) <= EPS or gain >= abs(own):
            to, kind = x[j], "compel"
        else:
            to, kind = x[i] + (x[j] - x[i]) * gain / abs(own), "compromise"
        offers.append((abs(to - x[i]), -gain, to, kind, ids[j]))
    if not offers:
        return None
    _, _, to, kind, by = min(offers)
    return Move(ids[i], by, kind, x[i], to)
