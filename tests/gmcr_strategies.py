"""Hypothesis strategies: random small graph models (any moves, ties, irreversibility)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from zopa.gmcr.model import DecisionMaker, GraphModel, Option


@st.composite
def graph_models(
    draw: Any, max_options: int = 5, max_dms: int = 4, min_dms: int = 2, strict: bool = False
) -> GraphModel:
    n_dms = draw(st.integers(min_dms, max_dms))
    per = [draw(st.integers(1, 2)) for _ in range(n_dms)]
    while sum(per) > max_options:
        per[per.index(max(per))] -= 1
    options: list[Option] = []
    dms = []
    for i, k in enumerate(per):
        first = len(options)
        options += [Option(f"o{len(options)}", f"o{len(options)}", i) for _ in range(k)]
        dms.append(DecisionMaker(f"d{i}", f"DM {i}", tuple(range(first, len(options)))))
    m = len(options)
    keep = draw(st.lists(st.booleans(), min_size=1 << m, max_size=1 << m))
    codes = np.array([c for c in range(1 << m) if keep[c] or c == 0], dtype=np.int64)
    ways = draw(st.lists(st.sampled_from(["both", "both", "fwd", "back"]), min_size=m, max_size=m))
    fwd = sum(1 << k for k, w in enumerate(ways) if w == "fwd")
    back = sum(1 << k for k, w in enumerate(ways) if w == "back")
    n = len(codes)
    if strict:
        ranks = np.array([draw(st.permutations(list(range(n)))) for _ in dms], dtype=np.int64)
    else:
        top = draw(st.integers(1, n))  # few distinct ranks: many ties
        ranks = np.array(
            [draw(st.lists(st.integers(0, top), min_size=n, max_size=n)) for _ in dms],
            dtype=np.int64,
        )
    return GraphModel("random", None, tuple(dms), tuple(options), codes, ranks, fwd, back)


@st.composite
def coalitions(draw: Any, n_dms: int) -> list[tuple[int, ...]]:
    """Zero or more disjoint coalitions of two or more decision makers."""
    order = draw(st.permutations(list(range(n_dms))))
    out: list[tuple[int, ...]] = []
    k = 0
    while k < n_dms - 1 and draw(st.booleans()):
        size = draw(st.integers(2, n_dms - k))
        out.append(tuple(sorted(order[k : k + size])))
        k += size
    return out
