"""Inverse GMCR counts against every strict ranking of the varied decision maker."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests import gmcr_brute as brute
from tests.gmcr_strategies import graph_models
from zopa.gmcr.inverse import CONCEPTS, inverse
from zopa.gmcr.model import GraphModel


def brute_counts(model: GraphModel, state: int, vary: int) -> dict[str, int]:
    units = [(i,) for i in range(len(model.dms))]
    counts = dict.fromkeys(CONCEPTS, 0)
    for order in itertools.permutations(range(model.n)):
        ranks = model.ranks.copy()
        ranks[vary, list(order)] = np.arange(model.n)
        trial = GraphModel(
            "t", None, model.dms, model.options, model.codes, ranks, model.fwd, model.back
        )
        for concept in CONCEPTS:
            counts[concept] += all(
                brute.stable(trial, units, k, state, concept) for k in range(len(units))
            )
    return counts


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_counts_match_every_ranking(data: st.DataObject) -> None:
    model = data.draw(graph_models(max_options=3, max_dms=3))
    assume(model.n <= 6)
    state = data.draw(st.integers(0, model.n - 1))
    vary = data.draw(st.integers(0, len(model.dms) - 1))
    result = inverse(model, state, vary)
    want = brute_counts(model, state, vary)
    assert result.rankings == sum(1 for _ in itertools.permutations(range(model.n)))
    for concept in CONCEPTS:
        if concept not in result.missing:
            assert result.counts[concept] == want[concept], (concept, result.methods)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_counts_with_three_decision_makers_and_strict_preferences(data: st.DataObject) -> None:
    """Here the others' SEQ stability often chains through the varied DM's improvements."""
    model = data.draw(graph_models(max_options=3, max_dms=3, min_dms=3, strict=True))
    assume(model.n <= 6)
    state = data.draw(st.integers(0, model.n - 1))
    vary = data.draw(st.integers(0, len(model.dms) - 1))
    result = inverse(model, state, vary)
    want = brute_counts(model, state, vary)
    assert not result.missing
    assert {c: result.counts[c] for c in CONCEPTS} == want, result.methods
