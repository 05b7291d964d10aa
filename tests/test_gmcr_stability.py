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


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_concepts_nest_as_the_definitions_imply(data: st.DataObject) -> None:
    """Nash ⊆ every concept; SMR ⊆ GMR; SEQ ⊆ GMR; SEQ and SIM ⊆ SEQ+SIM (for every mover)."""
    model = data.draw(graph_models())
    result = analyse(model, data.draw(coalitions(len(model.dms))))
    for unit in result.per_unit:
        s = unit.stable
        for concept in CONCEPTS:
            assert not (s["nash"] & ~s[concept]).any()
        for small, large in [
            ("smr", "gmr"),
            ("seq", "gmr"),
            ("seq", "seq_sim"),
            ("sim", "seq_sim"),
        ]:
            assert not (s[small] & ~s[large]).any(), (small, large)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_sim_in_small_blocks_matches_its_definition(data: st.DataObject) -> None:
    """Large models search SIM block by block; blocks of two improvements must change nothing."""
    from zopa.gmcr import stability

    model = data.draw(graph_models(min_dms=3))
    units = [(i,) for i in range(len(model.dms))]
    saved, stability.SIM_CHUNK = stability.SIM_CHUNK, 2
    try:
        result = analyse(model)
    finally:
        stability.SIM_CHUNK = saved
    for k, unit in enumerate(result.per_unit):
        want = [brute.stable(model, units, k, s, "sim") for s in range(model.n)]
        assert unit.stable["sim"].tolist() == want
