"""Non-dominated filtering ("skyline") of integer utility vectors.

Maximisation; a point is dropped when another point is at least as good for
every party (weak dominance), which also collapses duplicates to one (the
first).  The work is done by moocore's ``is_nondominated`` (López-Ibáñez et
al.), which implements the dimension-sweep algorithms of Kung, Luccio &
Preparata, "On finding the maxima of a set of vectors", *J. ACM* 22(4), 1975:
O(k log k) for two and three coordinates, O(k log^(d−2) k) beyond.  moocore
compares in double precision, which is exact for integers below 2⁵³; utilities
on zopa's grid are below 2³¹, and larger inputs (never produced by the engine)
take a block-nested-loops filter in integers (Börzsönyi, Kossmann & Stocker,
"The skyline operator", ICDE 2001).
"""

from __future__ import annotations

import numpy as np

BLOCK = 512
EXACT_IN_DOUBLE = 2**53


def skyline(points: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the non-dominated rows of ``points`` (N × P integers)."""
    n, dims = points.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if dims == 1:
        return np.array([int(np.argmax(points[:, 0]))])
    if int(np.abs(points).max()) >= EXACT_IN_DOUBLE:
        return np.sort(_skyline_n(points))
    import moocore

    return np.nonzero(moocore.is_nondominated(points, maximise=True))[0]


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
