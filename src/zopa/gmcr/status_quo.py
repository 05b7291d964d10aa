"""Status-quo analysis: where the conflict can go from a state by unilateral improvements.

Li, Kilgour & Hipel ("Status quo analysis in the graph model for conflict
resolution", *J. Oper. Res. Soc.* 56(6), 2005) and Xu, Kilgour, Hipel & Kemkes
(*EJOR* 207(1), 2010) follow the conflict from the status quo along *legal
sequences of unilateral improvements* — each move an improvement for the mover
(a coalition: for every member), no mover twice in a row — to see which
equilibria can be reached and how.  Xu et al. do it with the powers of the
improvement matrices; here a breadth-first search over (state, last mover)
gives the same reachable sets and, for each state, one shortest sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zopa.gmcr.model import Moves


@dataclass(frozen=True)
class Step:
    mover: int  # index into the units
    src: int
    dst: int


@dataclass
class Evolution:
    """States reachable from ``start``: fewest moves and the move that first reached each."""

    start: int
    steps: np.ndarray  # (n,) fewest moves; −1 when unreachable
    via: np.ndarray  # (n, 2) [previous state, mover] of a shortest sequence; −1 at the start

    def reachable(self) -> list[int]:
        return [int(k) for k in np.nonzero(self.steps >= 0)[0]]

    def path(self, state: int) -> list[Step]:
        """One shortest legal sequence from the start to ``state`` (empty at the start)."""
        out: list[Step] = []
        while state != self.start:
            prev, mover = (int(x) for x in self.via[state])
            out.append(Step(mover, prev, state))
            state = prev
        return out[::-1]


def evolve(n: int, improvements: list[Moves], start: int) -> Evolution:
    """Breadth-first search over (state, last mover) along the units' improvements."""
    units = len(improvements)
    seen = np.zeros((n, units + 1), dtype=bool)  # column `units`: nobody has moved yet
    seen[start, units] = True
    steps = np.full(n, -1, dtype=np.int64)
    steps[start] = 0
    via = np.full((n, 2), -1, dtype=np.int64)
    states, lasts = np.array([start]), np.array([units])
    depth = 0
    while len(states):
        depth += 1
        found_s, found_l = [], []
        for j, mv in enumerate(improvements):
            take = lasts != j
            src = states[take]
            counts = np.diff(mv.indptr)[src]
            origin = np.repeat(src, counts)
            offsets = np.arange(len(origin)) - np.repeat(np.cumsum(counts) - counts, counts)
            dst = mv.dst[np.repeat(mv.indptr[src], counts) + offsets]
            fresh = ~seen[dst, j]
            dst, origin = dst[fresh], origin[fresh]
            dst, first = np.unique(dst, return_index=True)
            origin = origin[first]
            seen[dst, j] = True
            new = steps[dst] < 0
            steps[dst[new]] = depth
            via[dst[new]] = np.stack([origin[new], np.full(int(new.sum()), j)], axis=1)
            found_s.append(dst)
            found_l.append(np.full(len(dst), j, dtype=np.int64))
        states = np.concatenate(found_s) if found_s else np.array([], dtype=np.int64)
        lasts = np.concatenate(found_l) if found_l else np.array([], dtype=np.int64)
    return Evolution(start, steps, via)
