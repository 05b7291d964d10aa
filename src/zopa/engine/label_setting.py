"""The exact Pareto frontier by label setting over blocks of issues.

A multi-objective dynamic programme (Villarreal & Karwan, "Multicriteria
integer programming: a (hybrid) dynamic programming recursive approach",
*Math. Programming* 21, 1981; Ehrgott, *Multicriteria Optimization*, 2nd ed.,
Springer 2005, ch. 8–9).  The agreement set is a product of blocks cut by
utility bounds (:mod:`zopa.engine.blocks`), and utilities add up over blocks,
so a package is built block by block and a partial package is summarised by
its *label*: the vector of the utilities that matter for the rest of the
search —

* the utility of every frontier party (maximised);
* the utility of every other party with a lower bound (its reservation, or a
  ``utility(p) >= t`` red line), also "more is better": a label that is at
  least as high keeps at least as many completions acceptable;
* minus the utility of every party with an upper bound (less is better);
* both signs for a party named in a utility formula, so that two labels are
  compared only when that party's utility is equal.

After each block the candidate labels (each label plus each joint option of
the block) are pruned to those that no other candidate weakly dominates in
every coordinate (the maxima of a set of vectors, Kung, Luccio & Preparata,
*J. ACM* 22(4), 1975, by :func:`zopa.engine.skyline.skyline`), and to those
whose best completion can still meet every bound.  Weak dominance over all
coordinates is exactly what makes the pruning safe: whatever completes the
dominated label also completes the dominating one, acceptably and at least as
well for every frontier party.  The labels left after the last block are
filtered by the bounds and formulas, projected onto the frontier parties and
filtered once more.  Every vector of the result is non-dominated and every
non-dominated vector is there, each with one witness package traced back
through the stored choices.

Cost grows with the number of labels, not of packages: the built-in scenario
with every conflicting red line set aside (28 issues, 4·10¹⁶ packages) has at
most about 41,000 labels after any block.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from zopa.engine.blocks import Structure
from zopa.engine.skyline import skyline

MAX_LABELS = 1_000_000  # labels kept after one block; beyond it the search gives up
CHUNK = 500_000  # candidate labels filtered at once (memory: CHUNK × coordinates × 8 bytes)


@dataclass(frozen=True)
class LabelFrontier:
    vectors: np.ndarray  # (points, frontier parties) non-dominated utility vectors
    choices: np.ndarray  # (points, blocks) joint option of each block, one witness each
    labels: int  # the most labels kept after any block


class TooManyLabels(Exception):
    """The label sets outgrew :data:`MAX_LABELS` or the time limit ran out."""


def coordinates(structure: Structure, parties: list[int]) -> list[tuple[int, int]]:
    """The label's coordinates as (party, sign): maximised ones first, frontier parties first."""
    up = list(parties)
    for p in sorted(structure.lower) + sorted(structure.formula_parties()):
        if p not in up:
            up.append(p)
    down = [p for p in sorted(set(structure.upper) | structure.formula_parties())]
    return [(p, 1) for p in up] + [(p, -1) for p in down]


def label_frontier(
    structure: Structure,
    parties: list[int],
    deadline: float | None = None,
    max_labels: int = MAX_LABELS,
) -> LabelFrontier:
    """Every non-dominated utility vector of ``parties`` with one witness choice each.

    Raises :class:`TooManyLabels` when a label set outgrows ``max_labels`` or
    ``deadline`` (a ``time.monotonic()`` value) passes.
    """
    coords = coordinates(structure, parties)
    signs = np.array([s for _, s in coords], dtype=np.int64)
    who = [p for p, _ in coords]
    steps = [_reduced(b.utilities[who].T * signs) for b in structure.blocks]
    floor = _floors(structure, coords)
    order = sorted(range(len(steps)), key=lambda k: (len(steps[k][0]), k))
    labels = np.zeros((1, len(coords)), dtype=np.int64)
    trail: list[tuple[np.ndarray, np.ndarray]] = []  # per step: parent label, option row
    most = 1
    # the most the blocks still to come can add to each coordinate
    rest = sum((v.max(axis=0) for _, v in steps), np.zeros(len(coords), dtype=np.int64))
    for k in order:
        if deadline is not None and time.monotonic() > deadline:
            raise TooManyLabels("time limit")
        rows, vecs = steps[k]
        rest -= vecs.max(axis=0)
        labels, parent, option = _extend(labels, vecs, rest, floor)
        trail.append((parent, rows[option]))
        most = max(most, len(labels))
        if len(labels) > max_labels:
            raise TooManyLabels(f"{len(labels):,} labels")
    ok = (labels >= floor).all(axis=1)
    utilities = _utilities(labels, coords, structure)
    ok &= structure.holds(utilities)
    kept = np.nonzero(ok)[0]
    projected = labels[kept, : len(parties)]
    front = kept[skyline(projected)] if len(kept) else kept
    choices = np.zeros((len(front), len(steps)), dtype=np.int64)
    cursor = front.copy()
    for k, (parent, option) in zip(reversed(order), reversed(trail), strict=True):
        choices[:, k] = option[cursor]
        cursor = parent[cursor]
    return LabelFrontier(labels[front, : len(parties)], choices, most)


def _reduced(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A block's joint options that no other option weakly dominates (first of equals)."""
    keep = np.sort(skyline(vectors))
    return keep, vectors[keep]


def _floors(structure: Structure, coords: list[tuple[int, int]]) -> np.ndarray:
    """Least final value of each coordinate that can still be acceptable."""
    low = np.iinfo(np.int64).min // 4
    out = np.full(len(coords), low, dtype=np.int64)
    for j, (p, sign) in enumerate(coords):
        if sign > 0 and p in structure.lower:
            out[j] = structure.lower[p]
        if sign < 0 and p in structure.upper:
            out[j] = -structure.upper[p]
    return out


def _extend(
    labels: np.ndarray, vecs: np.ndarray, rest: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels × options, pruned by the bounds and to the non-dominated ones."""
    if len(labels) == 0:
        return labels, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(vecs) == 1:  # one option left: every label shifts by the same vector
        keep = np.nonzero((labels + vecs[0] + rest >= floor).all(axis=1))[0]
        return labels[keep] + vecs[0], keep, np.zeros(len(keep), dtype=np.int64)
    per = max(1, CHUNK // len(vecs))
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for start in range(0, len(labels), per):
        block = labels[start : start + per]
        cand = (block[:, None, :] + vecs[None, :, :]).reshape(-1, labels.shape[1])
        index = np.arange(start * len(vecs), start * len(vecs) + len(cand), dtype=np.int64)
        alive = (cand + rest >= floor).all(axis=1)
        cand, index = cand[alive], index[alive]
        keep = skyline(cand)
        parts.append((cand[keep], index[keep]))
    cand = np.concatenate([c for c, _ in parts])
    index = np.concatenate([i for _, i in parts])
    if len(parts) > 1:  # the union of filtered chunks: filter once more
        keep = skyline(cand)
        cand, index = cand[keep], index[keep]
    order = np.argsort(index, kind="stable")  # a fixed order: the same labels every run
    cand, index = cand[order], index[order]
    return cand, index // len(vecs), index % len(vecs)


def _utilities(
    labels: np.ndarray, coords: list[tuple[int, int]], structure: Structure
) -> np.ndarray:
    """A full (labels, parties) utility matrix with the coordinates' parties filled in."""
    out = np.zeros((len(labels), structure.n_parties), dtype=np.int64)
    for j, (p, sign) in enumerate(coords):
        if sign > 0 or not any(q == p and s > 0 for q, s in coords):
            out[:, p] = sign * labels[:, j]
    return out
