"""Exact search of the packages whose Lagrangian score reaches a threshold.

Every exact optimisation over blocks (:mod:`zopa.engine.bargaining`) ends in
the same question: *list every package ``x`` with ``Σ_b l_b(x_b) ≥ θ`` that is
in the agreement set*, where ``l_b`` is an integer score per joint option of
block ``b``.  The score is a Lagrangian relaxation of the question actually
asked (Fisher, "The Lagrangian relaxation method for solving integer
programming problems", *Management Science* 27(1), 1981): every package that
could beat the incumbent satisfies ``score ≥ θ``, whatever non-negative
multipliers were used, so listing that region settles the question exactly.
Good multipliers (from a linear relaxation) only make the region small.

The region is listed by depth-first branch and bound over the blocks (Land &
Doig, *Econometrica* 28(3), 1960): options in order of decreasing score, a
branch cut as soon as the best completion of its score falls below ``θ`` or
the best completion of some party's utility falls below its floor (or above
its ceiling).  Each complete package is handed to a callback, which may raise
the threshold and the floors (a better incumbent shrinks the region).  All
arithmetic is in Python integers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

MAX_NODES = 3_000_000  # branch-and-bound nodes before the search gives up


@dataclass
class Bounds:
    """What a package must reach to matter; the callback may tighten it."""

    threshold: int  # least total score
    floors: dict[int, int] = field(default_factory=dict)  # party → least utility
    ceilings: dict[int, int] = field(default_factory=dict)  # party → greatest utility
    # non-negative weight vectors over floored parties: Σ w_p·U_p ≥ Σ w_p·floor_p must be
    # reachable, a joint check (one option per block for all parties) tighter than the floors
    combos: list[dict[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Searched:
    complete: bool  # False: the node limit or the deadline stopped the search
    nodes: int


def search(
    scores: Sequence[Sequence[int]],
    utilities: Sequence[np.ndarray],
    bounds: Bounds,
    leaf: Callable[[list[int], list[int]], None],
    deadline: float | None = None,
    max_nodes: int = MAX_NODES,
) -> Searched:
    """Call ``leaf(choices, utilities)`` on every package of the region.

    ``scores[b][o]`` is the score of option ``o`` of block ``b``;
    ``utilities[b]`` is the (parties, options) integer utility table of block
    ``b``.  ``choices`` gives the option of each block; ``utilities`` the
    package's utility for every party.

    The region is searched in widening rounds: first only the packages within
    a small loss of the best score, then 64 times more, and so on, until a
    round covers the whole region.  A good incumbent found early (the
    packages of highest score usually include the optimum) raises the
    threshold before the wide rounds start, so they stay small.
    """
    if not scores:
        return Searched(True, 0)
    tables = [u.T.tolist() for u in utilities]  # per block: option → utility per party
    top = sum(max(s) for s in scores)
    # the first round: the best score and the cheapest single deviation from it
    losses = [max(s) - v for s in scores for v in s if v < max(s)]
    width = max(1, min(losses, default=1))
    nodes = 0
    while True:
        cap = top - width
        covered = cap <= bounds.threshold
        done, used = _round(scores, tables, bounds, leaf, cap, deadline, max_nodes - nodes)
        nodes += used
        if not done:
            return Searched(False, nodes)
        if covered or top - width <= bounds.threshold:
            return Searched(True, nodes)
        width *= 64


def _round(
    scores: Sequence[Sequence[int]],
    tables: list[list[list[int]]],
    bounds: Bounds,
    leaf: Callable[[list[int], list[int]], None],
    cap: int,
    deadline: float | None,
    max_nodes: int,
) -> tuple[bool, int]:
    """One depth-first pass over the packages scoring at least ``max(threshold, cap)``."""
    n_blocks = len(scores)
    parties = len(tables[0][0])
    best = [max(s) for s in scores]
    budget = sum(best) - max(bounds.threshold, cap)
    if budget < 0:
        return True, 0
    # options within the budget, best score first; blocks left with one are fixed
    ranked = [
        sorted((o for o, v in enumerate(s) if best[b] - v <= budget), key=lambda o, s=s: -s[o])
        for b, s in enumerate(scores)
    ]
    fixed = [b for b in range(n_blocks) if len(ranked[b]) == 1]
    free = [b for b in range(n_blocks) if len(ranked[b]) > 1]
    # decisive blocks (a large loss for the second option) first: a narrow top of the tree
    free.sort(key=lambda b: (-(best[b] - scores[b][ranked[b][1]]), b))
    base_u = [0] * parties
    base_s = 0
    choices = [0] * n_blocks
    for b in fixed:
        o = ranked[b][0]
        choices[b] = o
        base_s += scores[b][o]
        base_u = [x + y for x, y in zip(base_u, tables[b][o], strict=True)]
    # the most each party (and the score) can still gain or lose from free blocks k, k+1, …
    tail_s = [0] * (len(free) + 1)
    tail_hi = [[0] * parties for _ in range(len(free) + 1)]
    tail_lo = [[0] * parties for _ in range(len(free) + 1)]
    combos = [c for c in bounds.combos if c and all(p in bounds.floors for p in c)]
    tail_c = [[0] * len(combos) for _ in range(len(free) + 1)]
    for k in reversed(range(len(free))):
        b = free[k]
        rows = [tables[b][o] for o in ranked[b]]
        tail_s[k] = tail_s[k + 1] + best[b]
        columns = list(zip(*rows, strict=True))  # per party: its utility under each option
        tail_hi[k] = [t + max(col) for t, col in zip(tail_hi[k + 1], columns, strict=True)]
        tail_lo[k] = [t + min(col) for t, col in zip(tail_lo[k + 1], columns, strict=True)]
        tail_c[k] = [
            t + max(sum(w * row[p] for p, w in combo.items()) for row in rows)
            for t, combo in zip(tail_c[k + 1], combos, strict=True)
        ]
    nodes = 0

    def viable(k: int, s: int, u: list[int]) -> bool:
        if s + tail_s[k] < max(bounds.threshold, cap):
            return False
        hi, lo = tail_hi[k], tail_lo[k]
        floors = bounds.floors
        for p, t in floors.items():
            if u[p] + hi[p] < t:
                return False
        for combo, reach in zip(combos, tail_c[k], strict=True):
            if sum(w * (u[p] - floors[p]) for p, w in combo.items()) + reach < 0:
                return False
        return all(u[p] + lo[p] <= t for p, t in bounds.ceilings.items())

    def descend(k: int, s: int, u: list[int]) -> bool:
        nonlocal nodes
        if k == len(free):
            leaf(list(choices), u)
            return True
        b = free[k]
        table = tables[b]
        for o in ranked[b]:
            nodes += 1
            if nodes > max_nodes or (
                deadline is not None and nodes % 4096 == 0 and time.monotonic() > deadline
            ):
                return False
            s2 = s + scores[b][o]
            if s2 + tail_s[k + 1] < max(bounds.threshold, cap):
                break  # the options after this one score even less
            u2 = [x + y for x, y in zip(u, table[o], strict=True)]
            if not viable(k + 1, s2, u2):
                continue
            choices[b] = o
            if not descend(k + 1, s2, u2):
                return False
        return True

    complete = True
    if viable(0, base_s, base_u):
        complete = descend(0, base_s, base_u)
    return complete, nodes
