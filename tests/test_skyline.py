"""The skyline (non-dominated filter) against a quadratic brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa.engine.skyline import skyline


def brute(points: np.ndarray) -> set[tuple[int, ...]]:
    vecs = {tuple(int(x) for x in p) for p in points}
    return {
        v
        for v in vecs
        if not any(all(a >= b for a, b in zip(w, v, strict=True)) and w != v for w in vecs)
    }


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5),
    st.integers(1, 400),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0, -(2**31), 2**60]),  # 2**60: beyond doubles, the integer fallback
)
def test_skyline_matches_brute_force(dims, n, spread, seed, offset):
    points = np.random.default_rng(seed).integers(0, spread, size=(n, dims)) + offset
    kept = skyline(points)
    got = [tuple(int(x) for x in points[k]) for k in kept]
    assert len(got) == len(set(got))  # one representative per distinct vector
    assert set(got) == brute(points)
