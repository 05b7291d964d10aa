"""Stability concepts against direct transcriptions of their definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import gmcr_brute as brute
from tests.gmcr_strategies import coalitions, graph_models
from zopa.gmcr.stability import CONCEPTS, analyse


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_concept_matches_its_definition(data: st.DataObject) -> None:
    model = data.draw(graph_models())
    groups = data.draw(coalitions(len(model.dms)))
    result = analyse(model, groups)
    units = [u.members for u in result.units]
    assert not result.missing
    for k, unit in enumerate(result.per_unit):
        for concept in CONCEPTS:
            want = [brute.stable(model, units, k, s, concept) for s in range(model.n)]
            assert unit.stable[concept].tolist() == want, (concept, unit.unit.id)
