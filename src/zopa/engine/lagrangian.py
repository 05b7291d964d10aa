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

The region is listed by branch and bound over the blocks (Land & Doig,
*Econometrica* 28(3), 1960), one block per level: a partial package is cut as
soon as the best completion of its score falls below ``θ`` or the best
completion of some party's utility falls below its floor (or above its
ceiling).  Partial packages are processed in numpy batches (a stack of
batches, best scores first, so memory stays bounded and good incumbents come
early); complete packages are handed to a callback in batches, which may raise
the threshold and the floors.  All arithmetic is exact: int64 scores whose
sums are checked to stay far below 2⁶³.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

MAX_NODES = 20_000_000  # partial packages examined before the search gives up
BATCH_BYTES = 1 << 20  # size of one batch of partial packages (the stack holds many)
GROWTH = 8  # each round of the search covers this many times the previous width of scores
SAFE = 1 << 62  # every score sum and utility stays below this in absolute value

# leaf(choices (m, blocks), utilities (m, parties)) for a batch of complete packages
Leaf = Callable[[np.ndarray, np.ndarray], None]


@dataclass
class Bounds:
    """What a package must reach to matter; the callback may tighten it."""

    threshold: int  # least total score
    floors: dict[int, int] = field(default_factory=dict)  # party → least utility
    ceilings: dict[int, int] = field(default_factory=dict)  # party → greatest utility


@dataclass(frozen=True)
class Searched:
    complete: bool  # False: the node limit or the deadline stopped the search
    nodes: int
    # not complete: every package of the region (as the callback left it) that scores at
    # least ``covered`` went to the callback, in the rounds that finished before the
    # limit; None when none finished
    covered: int | None = None


def search(
    scores: Sequence[Sequence[int]],
    utilities: Sequence[np.ndarray],
    bounds: Bounds,
    leaf: Leaf,
    deadline: float | None = None,
    max_nodes: int = MAX_NODES,
) -> Searched:
    """Call ``leaf`` on every package of the region (some possibly more than once).

    ``scores[b][o]`` is the integer score of option ``o`` of block ``b``;
    ``utilities[b]`` is the (parties, options) integer utility table of block
    ``b``.

    The region is searched in widening rounds: first only the packages within
    a small loss of the best score, then :data:`GROWTH` times more, and so on, until a
    round covers the whole region.  A good incumbent found early (the
    packages of highest score usually include the optimum) raises the
    threshold before the wide rounds start, so they stay small.
    """
    if not scores:
        return Searched(True, 0)
    table = [np.asarray(s, dtype=object) for s in scores]
    if sum(max(abs(int(v)) for v in s) for s in table) >= SAFE:
        raise OverflowError("scores too large for exact int64 sums")
    score = [np.asarray(s, dtype=np.int64) for s in scores]
    tables = [np.ascontiguousarray(u.T, dtype=np.int64) for u in utilities]  # (options, parties)
    top = sum(int(s.max()) for s in score)
    # the first round: the best score and the cheapest single deviation from it
    losses = [int(s.max() - v) for s in score for v in s.tolist() if v < s.max()]
    width = max(1, min(losses, default=1))
    nodes = 0
    covered: int | None = None
    while True:
        whole = top - width <= bounds.threshold
        done, used = _round(score, tables, bounds, leaf, top - width, deadline, max_nodes - nodes)
        nodes += used
        if not done:
            return Searched(False, nodes, covered)
        if whole or top - width <= bounds.threshold:
            return Searched(True, nodes, bounds.threshold)
        covered = top - width
        width *= GROWTH


def _round(
    score: list[np.ndarray],
    tables: list[np.ndarray],
    bounds: Bounds,
    leaf: Leaf,
    cap: int,
    deadline: float | None,
    max_nodes: int,
) -> tuple[bool, int]:
    """One pass over the packages scoring at least ``max(threshold, cap)``."""
    n_blocks = len(score)
    parties = tables[0].shape[1]
    best = [int(s.max()) for s in score]
    budget = sum(best) - max(bounds.threshold, cap)
    if budget < 0:
        return True, 0
    # options within the budget, best score first; blocks left with one are fixed
    ranked = [np.argsort(-s, kind="stable") for s in score]
    ranked = [r[best[b] - score[b][r] <= budget] for b, r in enumerate(ranked)]
    fixed = [b for b in range(n_blocks) if len(ranked[b]) == 1]
    free = [b for b in range(n_blocks) if len(ranked[b]) > 1]
    # decisive blocks (a large loss for the second option) first: narrow early levels
    free.sort(key=lambda b: (-(best[b] - int(score[b][ranked[b][1]])), b))
    base = np.zeros(n_blocks, dtype=np.int64)
    base_u = np.zeros(parties, dtype=np.int64)
    base_s = 0
    for b in fixed:
        o = int(ranked[b][0])
        base[b] = o
        base_s += best[b]
        base_u += tables[b][o]
    # the most the free blocks k, k+1, … can still add to the score and each utility
    F = len(free)
    tail_s = np.zeros(F + 1, dtype=np.int64)
    tail_hi = np.zeros((F + 1, parties), dtype=np.int64)
    tail_lo = np.zeros((F + 1, parties), dtype=np.int64)
    for k in reversed(range(F)):
        b = free[k]
        rows = tables[b][ranked[b]]
        tail_s[k] = tail_s[k + 1] + best[b]
        tail_hi[k] = tail_hi[k + 1] + rows.max(axis=0)
        tail_lo[k] = tail_lo[k + 1] + rows.min(axis=0)

    def keep(k: int, s: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Which partial packages (free blocks before ``k`` chosen) can still matter."""
        ok = s + tail_s[k] >= max(bounds.threshold, cap)
        for p, t in bounds.floors.items():
            ok &= u[:, p] + tail_hi[k, p] >= t
        for p, t in bounds.ceilings.items():
            ok &= u[:, p] + tail_lo[k, p] <= t
        return ok

    start_s = np.array([base_s], dtype=np.int64)
    start_u = base_u[None, :]
    if not keep(0, start_s, start_u)[0]:
        return True, 0
    if F == 0:
        leaf(base[None, :].copy(), start_u.copy())
        return True, 0
    # the stack: (level, scores, utilities, options of the free blocks chosen so far)
    small = max(len(ranked[b]) for b in free) < 2**15
    batch = max(256, BATCH_BYTES // (F * (2 if small else 4) + 8 * (parties + 1)))
    stack = [(0, start_s, start_u, np.zeros((1, F), dtype=np.int16 if small else np.int32))]
    nodes = 0
    while stack:
        k, s, u, picks = stack.pop()
        b = free[k]
        opts = ranked[b]
        s2 = (s[:, None] + score[b][opts][None, :]).ravel()
        u2 = (u[:, None, :] + tables[b][opts][None, :, :]).reshape(-1, parties)
        nodes += len(s2)
        if nodes > max_nodes or (deadline is not None and time.monotonic() > deadline):
            return False, nodes
        alive = np.nonzero(keep(k + 1, s2, u2))[0]
        if len(alive) == 0:
            continue
        order = alive[np.argsort(-s2[alive], kind="stable")]  # best scores first
        parent, option = order // len(opts), order % len(opts)
        picks2 = picks[parent]
        picks2[:, k] = option
        s2, u2 = s2[order], u2[order]
        if k + 1 == F:
            choices = np.repeat(base[None, :], len(order), axis=0)
            for j, fb in enumerate(free):
                choices[:, fb] = ranked[fb][picks2[:, j]]
            leaf(choices, u2)
            continue
        for start in reversed(range(0, len(order), batch)):  # the best batch on top
            end = start + batch
            stack.append((k + 1, s2[start:end], u2[start:end], picks2[start:end]))
    return True, nodes
