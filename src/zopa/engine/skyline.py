"""Non-dominated filtering ("skyline") of integer utility vectors.

Maximisation; a point is dropped when another point is at least as good for
every party (weak dominance), which also collapses duplicates to one.

* two parties: sort by the first coordinate (descending, then the second
  descending) and keep each point whose second coordinate beats every point
  before it — O(k log k) (Kung, Luccio & Preparata, "On finding the maxima of
  a set of vectors", *J. ACM* 22(4), 1975);
* three parties: sort by the first coordinate and sweep, keeping the 2-D
  staircase of the other two coordinates in a sorted list; each point is one
  binary search — O(k log k) searches (the same paper's 3-D algorithm);
* more parties: sort by the sum (a dominating point has a strictly larger
  sum, so it comes first) and test blocks of candidates against the points
  kept so far with vectorised comparisons (block-nested-loops, Börzsönyi,
  Kossmann & Stocker, "The skyline operator", ICDE 2001).
"""

from __future__ import annotations

import bisect

import numpy as np

BLOCK = 512


def skyline(points: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``points`` (N × P integers)."""
    n, dims = points.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if dims == 1:
        return np.array([int(np.argmax(points[:, 0]))])
    if dims == 2:
        return _skyline2(points)
    if dims == 3:
        return _skyline3(points)
    return _skyline_n(points)


def _skyline2(points: np.ndarray) -> np.ndarray:
    order = np.lexsort((-points[:, 1], -points[:, 0]))
    second = points[order, 1]
    best_before = np.maximum.accumulate(second)
    keep = np.empty(len(order), dtype=bool)
    keep[0] = True
    keep[1:] = second[1:] > best_before[:-1]
    return order[keep]


def _skyline3(points: np.ndarray) -> np.ndarray:
    # lexicographic descending order: every weak dominator of a point comes before it
    order = np.lexsort((-points[:, 2], -points[:, 1], -points[:, 0]))
    ys: list[int] = []  # staircase of kept (y, z): y ascending, z strictly descending
    zs: list[int] = []
    keep: list[int] = []
    for k, (y, z) in zip(order.tolist(), points[order, 1:].tolist(), strict=True):
        at = bisect.bisect_left(ys, y)
        if at < len(ys) and zs[at] >= z:
            continue  # an earlier point is at least as good in every coordinate
        keep.append(k)
        # drop staircase steps that (y, z) now covers: y' <= y and z' <= z, just left of `at`
        end = at + 1 if at < len(ys) and ys[at] == y else at
        start = end
        while start > 0 and zs[start - 1] <= z:
            start -= 1
        ys[start:end] = [y]
        zs[start:end] = [z]
    return np.array(keep, dtype=np.int64)


def _skyline_n(points: np.ndarray) -> np.ndarray:
    sums = points.sum(axis=1)
    keys = [points[:, d] for d in reversed(range(points.shape[1]))]
    order = np.lexsort((*[-k for k in keys], -sums))
    pts = points[order]
    kept: list[np.ndarray] = []
    kept_idx: list[np.ndarray] = []
    for start in range(0, len(pts), BLOCK):
        block = pts[start : start + BLOCK]
        alive = np.ones(len(block), dtype=bool)
        for ref in kept:  # dominated by something already on the frontier?
            for s in range(0, len(ref), 4096):
                chunk = ref[s : s + 4096]
                dominated = (chunk[:, None, :] >= block[None, alive, :]).all(axis=2).any(axis=0)
                idx = np.nonzero(alive)[0]
                alive[idx[dominated]] = False
                if not alive.any():
                    break
        if alive.any():
            cand = block[alive]
            # within the block: dominated by any earlier candidate (transitivity makes
            # it safe to compare against dropped ones too)
            geq = (cand[:, None, :] >= cand[None, :, :]).all(axis=2)
            earlier = np.triu(geq, k=1)  # earlier[i, j]: i < j and cand[i] ≥ cand[j]
            survive = ~earlier.any(axis=0)
            idx = np.nonzero(alive)[0][survive]
            kept.append(block[idx])
            kept_idx.append(order[start + idx])
    return np.concatenate(kept_idx) if kept_idx else np.zeros(0, dtype=np.int64)
