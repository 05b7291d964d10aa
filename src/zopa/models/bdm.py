"""Bueno de Mesquita's expected-utility model of group decisions on one numeric issue.

The model is Bueno de Mesquita's ("Political forecasting: an expected utility
method", in *European Community Decision Making*, 1994) as reconstructed by
Scholz, Calbert and Smith ("Unravelling Bueno de Mesquita's group decision
model", ICAART 2011, pp. 18–30; *Journal of Theoretical Politics* 23(4),
2011).  Equation and step numbers below are theirs (ICAART version).  Each
round (their Appendix, steps 2–11):

1. ``r_i = 1`` for every actor; ``μ`` is the weighted median of the positions
   (step 3: the position that wins every pairwise vote).
2. Basic utilities of *i* challenging *j* (eqs. 15, 16, 22–24), with
   ``d = |x_i − x_j| / span``, ``m = |x_i − μ| / span``:
   ``U_s = 2 − 4(½ − ½d)^r``, ``U_f = 2 − 4(½ + ½d)^r``,
   ``U_b = 2 − 4(½ − ¼(m + d))^r``, ``U_w = 2 − 4(½ + ¼(m + d))^r``,
   ``U_sq = 2 − 4(½)^r``.
3. Probability that *i* prevails over *j* (eqs. 30–31): actor *k* casts
   ``v_k = c_k s_k (|x_k − x_j| − |x_k − x_i|) / span`` votes;
   ``P_ij = Σ_{v_k > 0} v_k / N``.
4. Expected utility of *i* challenging *j*, whom *j* resists with probability
   ``s_j`` (eqs. 5–7):
   ``E_ij = s_j (P_ij U_s + (1 − P_ij) U_f) + (1 − s_j) U_s − Q U_sq``
   ``− (1 − Q)(T U_b + (1 − T) U_w)``,
   ``T = 1`` when ``|x_i − μ| < |x_i − x_j|`` (their cases 1 and 3A).
5. Risk (eqs. 33–34): with every ``r = 1``, *i*'s exposure is
   ``S_i = Σ_{j≠i} E_ji``; ``R_i = (2 S_i − max S − min S)/(max S − min S)``
   and ``r_i = (1 − R_i/3)/(1 + R_i/3)`` ∈ [½, 2]; steps 2–4 are repeated with
   these exponents (step 10).
6. Offers (their Figure 6, from the viewpoint of the actor *i* that may move;
   ``a`` is *i*'s expected utility of challenging *j*, ``b`` that of *j*
   challenging *i*; *j* makes an offer when ``b > 0``):
   *conflict* (``a > 0``): *i* moves to ``x_j`` if ``b > a``;
   *compromise* (``a ≤ 0`` and ``b > |a|``): *i* moves the fraction
   ``|a| / b`` of the way to ``x_j`` (eq. 36);
   *compel* (``a ≤ 0`` and ``b ≤ |a|``): *i* moves to ``x_j``.
7. Each actor accepts one offer (their §6.2): a lost conflict before a
   compromise before being compelled, and within a kind the offer that moves
   it least; all actors move at once (step 11).

Rounds repeat up to the round limit, stopping once nobody moves (a fixed
point).  The forecast is the weighted median after the last round.

Where the paper is silent or inconsistent, a :class:`Variant` names the
reading; ``scholz`` (the default) is the one that reproduces the paper's
published results on its own example, the EC car-emission case:

- ``N`` in step 3.  Eq. (31) as printed divides by the votes of the one
  contest, ``Σ_k |v_k|``; with it the first-round median stays at 7 years,
  not the published 8.4, and the expected utilities disagree with the
  published Figures 7 and 8.  Dividing by the votes of *every* contest,
  ``Σ_{a,b,k} |v_k^{ab}|``, reproduces both (first-round median 8.43, the
  figures' points to the plotted precision).  ``scholz`` divides by every
  contest's votes; ``scholz-eq31`` follows the equation as printed.
- Whose risk exponent.  Figure 6 classifies a pair "according to *i*'s
  viewpoint" and eq. (34) sums *i*'s estimates ``E^i(U_ji)``: *i* judges the
  challenger's expected utility with its own exponent.  ``scholz`` does so
  (the published figures agree); ``own-view`` gives each side its own
  exponent, as the text of §6.1 and step 11 can also be read.
- The scale ``span`` is the range of the *initial* positions, fixed for the
  run (``x_max − x_min``; positions never leave that range).
- Identical positions: no challenge (``E = 0``), as in the paper's figures.
- An offer that would not move the actor is no offer; ties between equally
  good offers go to the challenger with the larger expected utility, then to
  the lower position, so that the order of the actors never matters.
- Expected utilities within ``1e-9`` of 0 count as 0 (floating-point noise).

The variants ``table2`` (the rule that reproduces the published Table 2
beyond the first round) and ``zopa-v1`` (this project's earlier reading) are
described on :data:`VARIANTS`.

Arithmetic is in floats, vectorised over a batch of input sets (the
sensitivity analysis runs thousands at once).  Each run works on its actors
sorted by (position, capability, salience), so every sum adds the same floats
in the same order and no result depends on the order the actors were given in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from zopa.models.spatial import Actor

EPS = 1e-9  # expected utilities this close to 0 are taken as 0
MAX_ROUNDS = 1000
_CELLS = 2_000_000  # batch rows × n³ per chunk: bounds the memory of the vote tensor


@dataclass(frozen=True)
class Variant:
    """One reading of the model where the literature is silent or ambiguous."""

    name: str
    normalise: Literal["all-contests", "contest"]  # N in step 3
    votes: Literal["linear", "risk"]  # votes in step 3: linear, or with the voter's exponent
    view: Literal["mover", "each"]  # whose exponent judges the challenger's utility
    conflict: Literal["utility", "probability"]  # who wins when both expect to gain
    concession: Literal["loss-over-gain", "gain-over-loss"]  # compromise fraction
    choice: Literal["kind", "least", "lowest-average"]  # which offer an actor accepts
    summary: str


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            "scholz",
            "all-contests",
            "linear",
            "mover",
            "utility",
            "loss-over-gain",
            "kind",
            "Scholz, Calbert & Smith (2011) as published: the reading that reproduces "
            "their first-round median and Figures 7-8 on the emission case.",
        ),
        Variant(
            "scholz-eq31",
            "contest",
            "linear",
            "mover",
            "utility",
            "loss-over-gain",
            "kind",
            "As scholz, but the probability of prevailing divides by the votes of "
            "the one contest, as their eq. (31) is printed.",
        ),
        Variant(
            "own-view",
            "all-contests",
            "linear",
            "each",
            "utility",
            "loss-over-gain",
            "kind",
            "As scholz, but each side's expected utility uses its own risk exponent "
            "(their section 6.1 read literally).",
        ),
        Variant(
            "table2",
            "all-contests",
            "risk",
            "mover",
            "utility",
            "loss-over-gain",
            "lowest-average",
            "As scholz, with the two rules that reproduce their Table 2 after "
            "round 1: votes weighted by the voter's risk exponent, and among "
            "compromises the one with the lowest weighted average position.",
        ),
        Variant(
            "zopa-v1",
            "contest",
            "linear",
            "each",
            "probability",
            "gain-over-loss",
            "least",
            "zopa's reading until December 2026: probabilities that sum to 1, "
            "conflicts won by the likelier winner, the smallest move of all.",
        ),
    )
}
DEFAULT_VARIANT = "scholz"


# --------------------------------------------------------------------------- one round, batched


@dataclass
class _Batch:
    """Inputs of ``B`` runs of ``n`` actors (rows are runs)."""

    c: np.ndarray  # (B, n) capabilities
    s: np.ndarray  # (B, n) saliences as probabilities (0-1)
    q: np.ndarray  # (B,) probability Q that the status quo persists
    span: np.ndarray  # (B,) range of the initial positions (1 where they all agree)

    @property
    def w(self) -> np.ndarray:
        return self.c * self.s


@dataclass
class _Step:
    """What one round decided, per run and actor."""

    x: np.ndarray  # (B, n) positions after the round
    moved: np.ndarray  # (B, n) bool
    challenger: np.ndarray  # (B, n) index of the accepted challenger (-1: none)
    kind: np.ndarray  # (B, n) 0 conflict, 1 compromise, 2 compel (-1: none)
    risk: np.ndarray  # (B, n) risk exponents of the round


def canonical_order(
    x: np.ndarray, c: np.ndarray, s: np.ndarray, names: Sequence[str] | None = None
) -> np.ndarray:
    """Row-wise permutation sorting actors by (position, capability, salience, name).

    Runs compute on actors in this order, so every sum adds the same floats in
    the same order whatever order the actors were given in (actors that tie on
    the three numbers contribute identical terms; their names only decide which
    of them is reported as the challenger in a tie).
    """
    if names is None:
        return np.lexsort((s, c, x), axis=-1)
    rank = np.argsort(np.argsort(np.asarray(names, dtype=object)))
    return np.lexsort((np.broadcast_to(rank, x.shape), s, c, x), axis=-1)


def weighted_medians(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Row-wise weighted median (linear loss); the midpoint when weight splits exactly in half.

    Rows are sorted by (position, weight) before the cumulative sum, so the
    result does not depend on the order of the actors.
    """
    order = np.lexsort((w, x), axis=-1)
    xs = np.take_along_axis(x, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    half = cum[:, -1:] / 2
    reach = np.argmax(cum >= half, axis=-1)[:, None]
    past = np.argmax(cum > half, axis=-1)[:, None]
    exact = np.take_along_axis(cum, reach, axis=-1) == half
    lo = np.take_along_axis(xs, reach, axis=-1)
    hi = np.take_along_axis(xs, past, axis=-1)
    return np.where(exact, (lo + hi) / 2, hi)[:, 0]


def _probabilities(x: np.ndarray, b: _Batch, r: np.ndarray, v: Variant) -> np.ndarray:
    """``P[:, i, j]``: the probability that *i* prevails over *j* (step 3)."""
    dist = np.abs(x[:, :, None] - x[:, None, :]) / b.span[:, None, None]  # [k, j] = |x_k − x_j|
    if v.votes == "risk":
        dist = dist ** r[:, :, None]  # voter k judges distances with its own exponent
    far = np.swapaxes(dist, 1, 2)  # far[:, j, k] = distance of voter k from x_j
    # votes[:, i, j, k] = w_k (|x_k − x_j| − |x_k − x_i|): k's votes for i against j
    votes = b.w[:, None, None, :] * (far[:, None, :, :] - far[:, :, None, :])
    pro = np.where(votes > 0, votes, 0.0).sum(axis=-1)
    total = np.abs(votes).sum(axis=-1)
    if v.normalise == "all-contests":
        total = total.sum(axis=(1, 2))[:, None, None]
        return pro / np.where(total > 0, total, 1.0)
    return np.where(total > 0, pro / np.where(total > 0, total, 1.0), 0.5)


def _expected_utilities(
    x: np.ndarray, b: _Batch, mu: np.ndarray, p: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """``E[:, i, j]``: *i*'s expected utility of challenging *j*, with exponent ``r[:, i, j]``."""
    d = np.abs(x[:, :, None] - x[:, None, :]) / b.span[:, None, None]
    to_mu = np.abs(x - mu[:, None])[:, :, None]
    m = to_mu / b.span[:, None, None]
    win = 2 - 4 * (0.5 - 0.5 * d) ** r
    lose = 2 - 4 * (0.5 + 0.5 * d) ** r
    status_quo = 2 - 4 * 0.5**r
    better = 2 - 4 * np.maximum(0.0, 0.5 - 0.25 * (m + d)) ** r
    worse = 2 - 4 * (0.5 + 0.25 * (m + d)) ** r
    t = (to_mu < np.abs(x[:, :, None] - x[:, None, :])).astype(float)
    resist = b.s[:, None, :]  # the target's salience: the probability that it resists
    q = b.q[:, None, None]
    e = (
        resist * (p * win + (1 - p) * lose)
        + (1 - resist) * win
        - q * status_quo
        - (1 - q) * (t * better + (1 - t) * worse)
    )
    return np.where(x[:, :, None] == x[:, None, :], 0.0, e)


def _risk_exponents(e1: np.ndarray) -> np.ndarray:
    """Exponents from each actor's exposure ``Σ_j E_ji`` relative to the others' (eqs. 33–34)."""
    exposure = e1.sum(axis=1)  # column sums: what the others expect from challenging i
    high = exposure.max(axis=1, keepdims=True)
    low = exposure.min(axis=1, keepdims=True)
    spread = high - low
    big_r = (2 * exposure - high - low) / np.where(spread > EPS, spread, 1.0)
    return np.where(spread > EPS, (1 - big_r / 3) / (1 + big_r / 3), 1.0)


def _round(x: np.ndarray, b: _Batch, v: Variant) -> _Step:
    """One round for every run of the batch (computed from the positions at its start)."""
    own, seen, p, r = _utilities(x, b, v)
    return _offers(x, own, np.swapaxes(seen, 1, 2), p, r, v)


def _utilities(
    x: np.ndarray, b: _Batch, v: Variant
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Second-pass utilities: ``own[:, i, j]`` (i challenging j, i's exponent), ``seen[:, j, i]``
    (j challenging i as i judges it), the probabilities and the risk exponents."""
    mu = weighted_medians(x, b.w)
    ones = np.ones_like(x)
    p = _probabilities(x, b, ones, v)
    e1 = _expected_utilities(x, b, mu, p, np.ones_like(p))
    r = _risk_exponents(e1)
    if v.votes == "risk":
        p = _probabilities(x, b, r, v)
    own = _expected_utilities(x, b, mu, p, np.broadcast_to(r[:, :, None], p.shape))
    if v.view == "mover":
        # seen[:, j, i]: j's expected utility of challenging i, as i (exponent r_i) sees it
        seen = _expected_utilities(x, b, mu, p, np.broadcast_to(r[:, None, :], p.shape))
    else:
        seen = own
    return own, seen, p, r


def first_round(
    ids: Sequence[str],
    positions: Sequence[float],
    capabilities: Sequence[float],
    saliences: Sequence[float],
    q: float = 1.0,
    variant: str = DEFAULT_VARIANT,
) -> dict[tuple[str, str], tuple[float, float]]:
    """The pairs of expected utilities the first round classifies (their Figure 6).

    ``out[(i, j)] = (a, b)``: ``a`` is *i*'s expected utility of challenging
    *j*, ``b`` that of *j* challenging *i* as *i* judges it (with *i*'s risk
    exponent under ``scholz``; with *j*'s own under ``own-view`` and
    ``zopa-v1``).  Salience on the 0–100 scale.
    """
    v = VARIANTS[variant]
    x = np.array([positions], dtype=float)
    c = np.array([capabilities], dtype=float)
    s = np.array([saliences], dtype=float) / 100
    span = float(x.max() - x.min())
    b = _Batch(c, s, np.array([q]), np.array([span if span > 0 else 1.0]))
    own, seen, _, _ = _utilities(x, b, v)
    return {
        (a, o): (float(own[0, i, j]), float(seen[0, j, i]))
        for i, a in enumerate(ids)
        for j, o in enumerate(ids)
        if i != j
    }


def _offers(
    x: np.ndarray, a: np.ndarray, g: np.ndarray, p: np.ndarray, r: np.ndarray, v: Variant
) -> _Step:
    """Each actor's accepted offer: ``a[:, i, j]`` is i's utility of challenging j,
    ``g[:, i, j]`` j's utility of challenging i (as i sees it)."""
    xi, xj = x[:, :, None], x[:, None, :]
    made = (xi != xj) & (g > EPS)
    conflict = made & (a > EPS)
    if v.conflict == "utility":
        lost = conflict & (g > a)
    else:
        lost = conflict & (np.swapaxes(p, 1, 2) > 0.5)  # P[:, j, i]: j prevails over i
    calm = made & ~conflict
    loss = np.where(np.abs(a) > EPS, np.abs(a), 0.0)
    if v.concession == "loss-over-gain":
        partial = calm & (g > loss)
        fraction = np.where(partial, loss / np.where(partial, g, 1.0), 1.0)
    else:
        partial = calm & (loss > EPS) & (g < loss)
        fraction = np.where(partial, g / np.where(partial, loss, 1.0), 1.0)
    kind = np.where(conflict, 0, np.where(partial, 1, 2))
    dest = np.where(partial, xi + (xj - xi) * fraction, np.broadcast_to(xj, a.shape))
    move = np.abs(dest - xi)
    offer = (lost | calm) & (move > 0)
    keys: list[np.ndarray] = [dest, -g, move]
    if v.choice == "lowest-average":
        average = (loss * xi + g * xj) / np.where(loss + g > 0, loss + g, 1.0)
        keys.append(np.where(kind == 1, average, move))
    if v.choice != "least":
        keys.append(kind)
    keys.append(~offer)
    order = np.lexsort(tuple(keys), axis=-1)[:, :, :1]  # the last key is the primary one
    has = offer.any(axis=-1)
    pick = order[:, :, 0]
    new = np.where(has, np.take_along_axis(dest, order, axis=-1)[:, :, 0], x)
    return _Step(
        new,
        has,
        np.where(has, pick, -1),
        np.where(has, np.take_along_axis(kind, order, axis=-1)[:, :, 0], -1),
        r,
    )


def run_batch(
    x0: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    q: np.ndarray,
    rounds: int,
    variant: str = DEFAULT_VARIANT,
) -> tuple[np.ndarray, np.ndarray]:
    """Final positions ``(B, n)`` and whether each run converged, for ``B`` runs at once.

    ``s`` is salience on the 0–100 scale; ``q`` one Q per run.  Runs are
    processed in chunks that bound the memory of the vote tensor.  A run whose
    positions repeat an earlier round's has entered a cycle (a fixed point is
    a cycle of length 1): the rounds are deterministic, so its position after
    the last round is read off the cycle and the run stops there.
    """
    v = VARIANTS[variant]
    x0, c, s = (np.asarray(a, dtype=float) for a in (x0, c, s))
    q = np.asarray(q, dtype=float)
    order = canonical_order(x0, c, s)
    x0, c, s = (np.take_along_axis(a, order, axis=-1) for a in (x0, c, s))
    n = x0.shape[1]
    chunk = max(1, _CELLS // max(1, n**3))
    outs, conv = [], []
    for lo in range(0, len(x0), chunk):
        hi = lo + chunk
        span = x0[lo:hi].max(axis=1) - x0[lo:hi].min(axis=1)
        b = _Batch(c[lo:hi], s[lo:hi] / 100, q[lo:hi], np.where(span > 0, span, 1.0))
        x, still = _run_chunk(x0[lo:hi].copy(), b, v, rounds)
        outs.append(x)
        conv.append(still)
    final = np.empty_like(x0)
    np.put_along_axis(final, order, np.concatenate(outs), axis=-1)
    return final, np.concatenate(conv)


def _run_chunk(x: np.ndarray, b: _Batch, v: Variant, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``rounds`` rounds for every row of ``x``; rows leave once they cycle."""
    final = x.copy()
    converged = np.zeros(len(x), dtype=bool)
    active = np.arange(len(x))
    states = [[x[r].tobytes()] for r in range(len(x))]  # row r's positions after each round
    seen = [{key[0]: 0} for key in states]
    for k in range(1, rounds + 1):
        if not len(active):
            break
        x = _round(x, b, v).x
        keep = []
        for pos, r in enumerate(active):
            key = x[pos].tobytes()
            first = seen[r].get(key)
            if first is None:
                seen[r][key] = k
                states[r].append(key)
                keep.append(pos)
                continue
            cycle = k - first  # the state after `rounds` rounds lies on the cycle
            final[r] = np.frombuffer(states[r][first + (rounds - first) % cycle])
            converged[r] = cycle == 1
        if len(keep) < len(active):
            kept = np.asarray(keep, dtype=int)
            active, x = active[kept], x[kept]
            b = _Batch(b.c[kept], b.s[kept], b.q[kept], b.span[kept])
    final[active] = x  # never repeated: the last round moved someone
    return final, converged


# --------------------------------------------------------------------------- one run, reported


@dataclass(frozen=True)
class Move:
    """Actor ``actor`` accepted ``challenger``'s offer of kind ``kind`` and moved."""

    actor: str
    challenger: str
    kind: str  # conflict | compromise | compel
    before: float
    after: float


@dataclass(frozen=True)
class Round:
    round: int
    median: float
    mean: float
    positions: dict[str, float]
    moves: list[Move] = field(default_factory=list)
    risk: dict[str, float] | None = None  # the exponents used in this round

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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
        if self.risk is not None:
            out["risk"] = dict(self.risk)
        return out


@dataclass(frozen=True)
class Simulation:
    q: float
    variant: str
    initial: Round
    rounds: list[Round]
    converged: bool
    cycle: int | None  # length of the cycle the positions entered, if they did

    @property
    def forecast(self) -> float:
        return self.rounds[-1].median if self.rounds else self.initial.median

    def to_json(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "variant": self.variant,
            "converged": self.converged,
            "cycle": self.cycle,
            "initial": self.initial.to_json(),
            "rounds": [r.to_json() for r in self.rounds],
        }


_KINDS = ("conflict", "compromise", "compel")


def simulate(
    actors: Sequence[Actor], rounds: int = 10, q: float = 1.0, variant: str = DEFAULT_VARIANT
) -> Simulation:
    """Run up to ``rounds`` rounds (stopping early once nobody moves), reporting each one.

    Raises ValueError for a round count outside 1–1000, a Q outside [0, 1],
    an unknown variant, or actors none of whom has weight.
    """
    return simulate_arrays(
        [a.id for a in actors],
        [float(a.position) for a in actors],
        [float(a.capability) for a in actors],
        [float(a.salience) for a in actors],
        rounds,
        q,
        variant,
    )


def simulate_arrays(
    ids: Sequence[str],
    positions: Sequence[float],
    capabilities: Sequence[float],
    saliences: Sequence[float],
    rounds: int = 10,
    q: float = 1.0,
    variant: str = DEFAULT_VARIANT,
) -> Simulation:
    """:func:`simulate` on plain columns (saliences on the 0–100 scale)."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ValueError(f"the number of rounds must be between 1 and {MAX_ROUNDS}")
    if not 0 <= q <= 1:
        raise ValueError("Q is a probability and must be between 0 and 1")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (variants: {', '.join(VARIANTS)})")
    v = VARIANTS[variant]
    x = np.array([positions], dtype=float)
    c = np.array([capabilities], dtype=float)
    s = np.array([saliences], dtype=float) / 100
    if not (c * s).sum() > 0:
        raise ValueError(
            "no actor has both a capability and a salience above 0, so nothing can be forecast"
        )
    perm = canonical_order(x, c, s, ids)[0]  # internal index p is actor perm[p]
    back = np.argsort(perm)  # actor i is internal index back[i]
    x, c, s = x[:, perm], c[:, perm], s[:, perm]
    w = (c * s)[0]  # in the canonical order, like x
    span = float(x.max() - x.min())
    b = _Batch(c, s, np.array([q]), np.array([span if span > 0 else 1.0]))
    initial = _report(0, ids, x[0], w, back, [], None)
    done: list[Round] = []
    seen: dict[tuple[float, ...], int] = {tuple(x[0]): 0}
    for k in range(1, rounds + 1):
        step = _round(x, b, v)
        moves = [
            Move(
                ids[i],
                ids[perm[step.challenger[0, back[i]]]],
                _KINDS[step.kind[0, back[i]]],
                float(x[0, back[i]]),
                float(step.x[0, back[i]]),
            )
            for i in range(len(ids))
            if step.moved[0, back[i]]
        ]
        x = step.x
        risk = {a: float(step.risk[0, back[i]]) for i, a in enumerate(ids)}
        done.append(_report(k, ids, x[0], w, back, moves, risk))
        if not moves:
            return Simulation(q, variant, initial, done, True, None)
        key = tuple(x[0])
        if key in seen:  # a cycle: every later round repeats one of its rounds
            first, cycle = seen[key], k - seen[key]
            for later in range(k + 1, rounds + 1):
                done.append(replace(done[first + (later - first - 1) % cycle], round=later))
            return Simulation(q, variant, initial, done, False, cycle)
        seen[key] = k
    return Simulation(q, variant, initial, done, False, None)


def _report(
    k: int,
    ids: Sequence[str],
    x: np.ndarray,
    w: np.ndarray,
    back: np.ndarray,
    moves: list[Move],
    risk: dict[str, float] | None,
) -> Round:
    """Round ``k``'s summary; ``x`` and ``w`` in the canonical order, actor i at ``back[i]``."""
    median = float(weighted_medians(x[None, :], w[None, :])[0])
    mean = float((w * x).sum() / w.sum())
    positions = {a: float(x[back[i]]) for i, a in enumerate(ids)}
    return Round(k, median, mean, positions, moves, risk)
