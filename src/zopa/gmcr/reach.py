"""Reachability by legal sequences of moves, reduced to what stability needs.

In the graph model, the states a group ``H`` of movers can reach from ``x`` are
those at the end of a *legal sequence*: one or more moves by members of ``H``,
no member moving twice in a row (Fang, Hipel & Kilgour 1993, ch. 3).  Xu, Kilgour,
Hipel & Kemkes (*EJOR* 207(1), 2010) and Xu, Hipel, Kilgour & Fang (Springer 2018,
ch. 3–4) compute the reachability matrix ``M_H`` by iterating, one matrix per last
mover, ``M_j ← sign(J_j + Σ_{k≠j} M_k · J_j)`` until nothing changes, and then test
stability with products such as ``M_H · (P_i^{−,=})ᵀ``.

Those products only ask, for a state ``x`` reached by the focal DM's move, *how
bad* the states the others can reach from ``x`` get: for a DM whose preference
is a complete preorder, ``P_i^{−,=}(s, y) = [r_i(y) ≤ r_i(s)]`` is a threshold
matrix, so ``sign(M_H · P_i^{−,=}ᵀ)(x, s) = [min_{y ∈ R_H(x)} r_i(y) ≤ r_i(s)]``.
:func:`worst_reachable` computes that minimum for every ``x`` at once by the same
fixed-point iteration over (state, last mover), with the Boolean semiring
replaced by (min, ·) and the matrices held sparse: memory and time grow with the
number of moves, not with the square of the number of states, and the result
is the same matrix entry by entry.
"""

from __future__ import annotations

import numpy as np

from zopa.gmcr.model import Moves

NONE = np.iinfo(np.int64).max  # "no state reachable"


def worst_reachable(n: int, movers: list[Moves], value: np.ndarray) -> np.ndarray:
    """For every state ``x``: the least ``value[y]`` over the states ``y`` that ``movers`` can
    reach from ``x`` by a non-empty legal sequence (no mover twice in a row).

    ``value`` is ``(n,)`` or ``(n, k)`` (one column per criterion, minimised
    separately); the answer has the same shape, :data:`NONE` where nothing is
    reachable.  Each mover's ``Moves`` may be all its moves (GMR, SMR) or only
    its improvements (SEQ).
    """
    value = np.asarray(value, dtype=np.int64)
    flat = value.ndim == 1
    if flat:
        value = value[:, None]
    # best[j][x]: the least value reachable from x once the last move was j's (x itself included)
    best = [value.copy() for _ in movers]
    while True:
        after = [_row_min(mv, b) for mv, b in zip(movers, best, strict=True)]
        changed = False
        for j in range(len(movers)):
            others = [after[k] for k in range(len(movers)) if k != j]
            new = np.minimum(value, np.minimum.reduce(others)) if others else value
            if not np.array_equal(new, best[j]):
                best[j], changed = new, True
        if not changed:
            break
    out = np.minimum.reduce(after) if after else np.full_like(value, NONE)
    return out[:, 0] if flat else out


def _row_min(moves: Moves, value: np.ndarray) -> np.ndarray:
    """``out[x] = min over the moves x → y of value[y]`` (NONE where x has no move)."""
    n = len(moves.indptr) - 1
    out = np.full((n, value.shape[1]), NONE, dtype=np.int64)
    if moves.count == 0:
        return out
    rows = np.nonzero(np.diff(moves.indptr) > 0)[0]
    out[rows] = np.minimum.reduceat(value[moves.dst], moves.indptr[rows], axis=0)
    return out


def row_max(moves: Moves, value: np.ndarray) -> np.ndarray:
    """``out[x] = max over the moves x → y of value[y]`` (the least int64 where x has none)."""
    n = len(moves.indptr) - 1
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    if moves.count == 0:
        return out
    rows = np.nonzero(np.diff(moves.indptr) > 0)[0]
    out[rows] = np.maximum.reduceat(value[moves.dst], moves.indptr[rows])
    return out


def row_any(moves: Moves, flags: np.ndarray) -> np.ndarray:
    """``out[x]`` is true when some move x → y has ``flags[y]``."""
    n = len(moves.indptr) - 1
    hit = np.zeros(n, dtype=np.int64)
    np.add.at(hit, moves.src, flags[moves.dst].astype(np.int64))
    return hit > 0


def reachable_set(n: int, movers: list[Moves], start: int) -> set[int]:
    """The states ``movers`` can reach from ``start`` by a non-empty legal sequence
    (a direct search; used for explanations and by the inverse analysis)."""
    seen: set[tuple[int, int]] = set()
    frontier = [(int(y), j) for j, mv in enumerate(movers) for y in mv.targets(start)]
    seen.update(frontier)
    while frontier:
        nxt = []
        for x, last in frontier:
            for j, mv in enumerate(movers):
                if j == last:
                    continue
                for y in mv.targets(x):
                    node = (int(y), j)
                    if node not in seen:
                        seen.add(node)
                        nxt.append(node)
        frontier = nxt
    return {x for x, _ in seen}
