"""Stability of every state for every mover, and the equilibria, under six concepts.

A state ``s`` is *stable* for a mover ``i`` when every unilateral improvement
``s → s1`` of ``i`` is deterred; an *equilibrium* is stable for every mover.
The concepts differ in what deters (Fang, Hipel & Kilgour, *Interactive
Decision Making*, Wiley 1993, ch. 4; Kilgour & Hipel, *Group Decision and
Negotiation* 14, 2005), with ``R_H`` the states the other movers ``H`` reach
by legal sequences (:mod:`zopa.gmcr.reach`) and ``R_H^+`` by legal sequences of
their own unilateral improvements:

* **Nash** (R): ``i`` has no unilateral improvement from ``s``;
* **GMR** (general metarationality): every ``s1`` has a sanction
  ``s2 ∈ R_H(s1)`` with ``s ≿_i s2``;
* **SMR** (symmetric metarationality): a sanction ``s2 ∈ R_H(s1)`` with
  ``s ≿_i s2`` and ``s ≿_i s3`` for every ``s3`` that ``i`` can move to from ``s2``;
* **SEQ** (sequential stability): a *credible* sanction ``s2 ∈ R_H^+(s1)``
  with ``s ≿_i s2``;
* **SIM** (simultaneous sanctioning): some of the other movers, each taking a
  unilateral improvement from ``s`` *at the same time* as ``i``, produce a
  feasible state ``x`` with ``s ≿_i x`` (for two movers: Fang, Hipel & Kilgour
  1993's simultaneous moves; with more, any non-empty set of the others may move);
* **SEQ+SIM**: every improvement is deterred by a SEQ sanction or a SIM one.

A coalition moving as one (:class:`zopa.gmcr.model.Unit`) improves only when
every member gains strictly, and ``s ≿_H x`` means that ``x`` is not better than
``s`` for every member (some member would not endorse it).

The matrix formulation of these tests (Xu, Kilgour, Hipel & Kemkes, *EJOR* 207(1),
2010; Xu, Hipel, Kilgour & Fang, Springer 2018, ch. 4) reads, for GMR,
``M_i = J_i^+ · [E − sign(M_H · (P_i^{−,=})ᵀ)]`` and ``s`` is stable iff
``M_i(s, s) = 0``; here ``J_i^+`` is the sparse improvement list and the
product with ``P_i^{−,=}`` is the worst-reachable rank of :mod:`zopa.gmcr.reach`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zopa.gmcr.model import GraphModel, Moves, Unit
from zopa.gmcr.reach import NONE, row_any, row_max, worst_reachable

CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim")
NAMES = {
    "nash": "Nash",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "sim": "SIM",
    "seq_sim": "SEQ+SIM",
}
MAX_SIM_PAIRS = 200_000_000  # (improvement, simultaneous response) pairs examined for SIM
SIM_CHUNK = 50_000  # improvements whose simultaneous sanctions are searched together
MAX_COALITION_SMR_WORK = 400_000_000  # states × moves examined for a coalition's SMR


@dataclass
class UnitStability:
    """One mover's moves, improvements and stability (one flag per state per concept)."""

    unit: Unit
    moves: Moves
    improvements: Moves
    stable: dict[str, np.ndarray]
    deterred: dict[str, np.ndarray] = field(default_factory=dict)  # per improvement


@dataclass
class Stability:
    model: GraphModel
    units: list[Unit]
    per_unit: list[UnitStability]
    missing: dict[str, str] = field(default_factory=dict)  # concept -> why it was not computed
    _masks: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def stable(self, concept: str) -> np.ndarray:
        """States stable for every mover (the equilibria) as a Boolean mask (computed once)."""
        if concept not in self._masks:
            out = np.ones(self.model.n, dtype=bool)
            for u in self.per_unit:
                out &= u.stable[concept]
            self._masks[concept] = out
        return self._masks[concept]

    def equilibria(self, concept: str) -> list[int]:
        if concept in self.missing:
            return []
        return [int(k) for k in np.nonzero(self.stable(concept))[0]]

    @property
    def concepts(self) -> list[str]:
        return [c for c in CONCEPTS if c not in self.missing]


def analyse(model: GraphModel, coalitions: list[tuple[int, ...]] = ()) -> Stability:
    """Every concept for every mover (coalitions move as one) at every state."""
    units = model.units(list(coalitions))
    improvements = [model.improvements(u) for u in units]
    missing: dict[str, str] = {}
    out = []
    for k, unit in enumerate(units):
        others = [u for j, u in enumerate(units) if j != k]
        other_moves = [model.moves(u.mask) for u in others]
        other_imps = [improvements[j] for j in range(len(units)) if j != k]
        imp = improvements[k]
        ranks = model.ranks[list(unit.members)].T  # (n, members)
        deterred = {
            "gmr": _sanctioned(imp, worst_reachable(model.n, other_moves, ranks), ranks),
            "seq": _sanctioned(imp, worst_reachable(model.n, other_imps, ranks), ranks),
        }
        try:
            deterred["smr"] = _smr(model, unit, imp, other_moves, ranks)
        except _TooMuch as err:
            missing["smr"] = str(err)
        try:
            deterred["sim"] = _sim(model, unit, imp, others, other_imps)
            deterred["seq_sim"] = deterred["seq"] | deterred["sim"]
        except _TooMuch as err:
            missing["sim"] = missing["seq_sim"] = str(err)
        stable = {"nash": ~imp.any_from()}
        for concept, ok in deterred.items():
            stable[concept] = _stable_where(model.n, imp, ok)
        out.append(UnitStability(unit, model.moves(unit.mask), imp, stable, deterred))
    for u in out:  # a concept missing for one mover is missing for all
        for concept in missing:
            u.stable.pop(concept, None)
    return Stability(model, units, out, missing)


class _TooMuch(Exception):
    pass


def _stable_where(n: int, imp: Moves, deterred: np.ndarray) -> np.ndarray:
    stable = np.ones(n, dtype=bool)
    stable[imp.src[~deterred]] = False
    return stable


def _sanctioned(imp: Moves, worst: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Per improvement ``s → s1``: some member ranks a reachable state no higher than ``s``."""
    return np.any(worst[imp.dst] <= ranks[imp.src], axis=1)


def _smr(
    model: GraphModel, unit: Unit, imp: Moves, other_moves: list[Moves], ranks: np.ndarray
) -> np.ndarray:
    """SMR sanctions: the focal mover's best counter-move from the sanction must not help it."""
    own = model.moves(unit.mask)
    if ranks.shape[1] == 1:
        r = ranks[:, 0]
        # h(y): the best the mover can reach from y, staying or moving once
        h = np.maximum(r, row_max(own, r))
        return worst_reachable(model.n, other_moves, h)[imp.dst] <= r[imp.src]
    return _coalition_smr(model, own, imp, other_moves, ranks)


def _coalition_smr(
    model: GraphModel, own: Moves, imp: Moves, other_moves: list[Moves], ranks: np.ndarray
) -> np.ndarray:
    """SMR for a coalition, state by state (the coalition's "not better" is not a threshold).

    For a focal state ``s``, a sanction ``y`` qualifies when neither ``y`` nor any
    state the coalition can move to from ``y`` is better than ``s`` for every
    member; whether one is reachable from each ``s1`` is one reachability pass
    per batch of focal states.
    """
    focal = np.unique(imp.src)
    work = len(focal) * (model.n + sum(m.count for m in other_moves) + own.count)
    if work > MAX_COALITION_SMR_WORK:
        raise _TooMuch(
            f"SMR for a coalition examines {work:,} state-moves here; "
            f"the limit is {MAX_COALITION_SMR_WORK:,}"
        )
    ok = np.zeros(imp.count, dtype=bool)
    batch = 64
    for start in range(0, len(focal), batch):
        chunk = focal[start : start + batch]
        # better[y, c]: y is better than focal state chunk[c] for every member
        better = np.all(ranks[:, None, :] > ranks[chunk][None, :, :], axis=2)
        spoiled = better | np.stack([row_any(own, better[:, c]) for c in range(len(chunk))], 1)
        worst = worst_reachable(model.n, other_moves, spoiled.astype(np.int64))
        for c, s in enumerate(chunk):
            lo, hi = imp.indptr[s], imp.indptr[s + 1]
            ok[lo:hi] = worst[imp.dst[lo:hi], c] == 0
    return ok


def _sim(
    model: GraphModel, unit: Unit, imp: Moves, others: list[Unit], other_imps: list[Moves]
) -> np.ndarray:
    """SIM sanctions: other movers improving from ``s`` at the same moment as the focal one.

    The combinations are built one more mover at a time (in a fixed order of the
    movers, so each set of movers is formed once), and an improvement leaves the
    search as soon as one combination deters it: only the improvements that no
    smaller set of movers deters meet the larger sets.
    """
    ranks = model.ranks[list(unit.members)].T
    ok = np.zeros(imp.count, dtype=bool)
    examined = 0
    for first in range(0, imp.count, SIM_CHUNK):  # improvements in blocks: bounded memory
        chunk = np.arange(first, min(first + SIM_CHUNK, imp.count), dtype=np.int64)
        examined = _sim_block(model, unit, imp, others, other_imps, ranks, ok, chunk, examined)
    return ok


def _sim_block(
    model: GraphModel,
    unit: Unit,
    imp: Moves,
    others: list[Unit],
    other_imps: list[Moves],
    ranks: np.ndarray,
    ok: np.ndarray,
    edge: np.ndarray,
    examined: int,
) -> int:
    """SIM for one block of improvements; marks ``ok`` and returns the running count."""
    # partial combinations: (improvement, options so far, index of the last mover added)
    bits = model.codes[imp.dst[edge]]
    last = np.full(len(edge), -1, dtype=np.int8)  # movers are few: at most one per DM
    while len(edge) and others:
        grown: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for j, (other, mv) in enumerate(zip(others, other_imps, strict=True)):
            take = np.nonzero(last < j)[0]
            counts = np.diff(mv.indptr)[imp.src[edge[take]]]
            for p in range(int(counts.max(initial=0))):  # the p-th improvement of mover j
                keep = (counts > p) & ~ok[edge[take]]  # deterred ones need no more
                take, counts = take[keep], counts[keep]
                examined += len(take)
                if examined > MAX_SIM_PAIRS:
                    raise _TooMuch(
                        f"SIM examines more than {MAX_SIM_PAIRS:,} combinations of an "
                        "improvement and simultaneous improvements of the others here"
                    )
                e = edge[take]
                target = mv.dst[mv.indptr[imp.src[e]] + p]
                b = (bits[take] & ~other.mask) | (model.codes[target] & other.mask)
                x = model.lookup[b]
                good = x >= 0  # a combination that lands on an infeasible state cannot happen
                good[good] = np.any(ranks[x[good]] <= ranks[imp.src[e[good]]], axis=1)
                ok[e[good]] = True
                still = ~good  # combinations of improvements not yet deterred grow further
                grown.append((e[still], b[still], np.full(int(still.sum()), j, dtype=np.int8)))
            grown = _open(grown, ok)  # keeps memory near the undeterred combinations
        if not grown:
            break
        edge, bits, last = (np.concatenate(parts) for parts in zip(*grown, strict=True))
        still = ~ok[edge]
        edge, bits, last = edge[still], bits[still], last[still]
    return examined


def _open(
    grown: list[tuple[np.ndarray, np.ndarray, np.ndarray]], ok: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The partial combinations whose improvement no combination has deterred yet."""
    if not grown:
        return grown
    edge, bits, last = (np.concatenate(parts) for parts in zip(*grown, strict=True))
    still = ~ok[edge]
    return [(edge[still], bits[still], last[still])]


def _expand(
    items: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ragged expansion: each item repeated ``count`` times beside ``start, start+1, …``."""
    rep = np.repeat(items, counts)
    offsets = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rep, np.repeat(starts, counts) + offsets


__all__ = ["CONCEPTS", "NAMES", "NONE", "Stability", "UnitStability", "analyse"]
