"""Textbook cases, worked by hand from the definitions, and status-quo analysis."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import gmcr_brute as brute
from tests.gmcr_strategies import graph_models
from zopa.gmcr.format import load_model
from zopa.gmcr.stability import analyse
from zopa.gmcr.status_quo import evolve

DATA = Path(__file__).parent / "data" / "gmcr"


def equilibria(name: str) -> dict[str, list[str]]:
    model = load_model(DATA / f"{name}.yaml")
    result = analyse(model)
    return {c: [model.text(s) for s in result.equilibria(c)] for c in result.concepts}


def test_prisoners_dilemma() -> None:
    """Nash stable only at mutual defection; mutual cooperation is also GMR, SMR and SEQ
    stable (Fang, Hipel & Kilgour 1993): each could defect, but the other's defection in
    reply leaves the defector worse off than mutual cooperation."""
    eq = equilibria("prisoners-dilemma")
    assert eq["nash"] == ["YY"]
    for concept in ("gmr", "smr", "seq"):
        assert eq[concept] == ["NN", "YY"]


def test_chicken() -> None:
    """Nash at the two outcomes where one driver swerves; both swerving is GMR and SMR
    stable (a crash would answer a dare) but not SEQ stable: from 'only I stand firm', a
    crash is no improvement for the other driver, so the sanction is not credible."""
    eq = equilibria("chicken")
    assert eq["nash"] == ["YN", "NY"]
    assert eq["gmr"] == ["NN", "YN", "NY"]
    assert eq["smr"] == ["NN", "YN", "NY"]
    assert eq["seq"] == ["YN", "NY"]


def test_status_quo_of_the_prisoners_dilemma_reaches_mutual_defection_in_two_moves() -> None:
    model = load_model(DATA / "prisoners-dilemma.yaml")
    result = analyse(model)
    evo = evolve(model.n, [u.improvements for u in result.per_unit], model.status_quo)
    yy = model.index("YY")
    assert int(evo.steps[yy]) == 2
    path = evo.path(yy)
    assert [model.text(p.src) for p in path] == ["NN", model.text(path[1].src)]
    assert {p.mover for p in path} == {0, 1}


def brute_steps(model, units, start):
    """Fewest moves to each state along legal sequences of improvements, by definition."""
    best = {start: 0}
    layer = {(start, -1)}
    seen = set(layer)
    depth = 0
    while layer:
        depth += 1
        nxt = set()
        for x, last in layer:
            for j, u in enumerate(units):
                if j == last:
                    continue
                for t in brute.improvements(model, u, x):
                    if (t, j) not in seen:
                        seen.add((t, j))
                        nxt.add((t, j))
                        best.setdefault(t, depth)
        layer = nxt
    return best


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_reachable_states_and_path_lengths_match_a_direct_search(data: st.DataObject) -> None:
    model = data.draw(graph_models())
    start = data.draw(st.integers(0, model.n - 1))
    result = analyse(model)
    units = [u.members for u in result.units]
    evo = evolve(model.n, [u.improvements for u in result.per_unit], start)
    want = brute_steps(model, units, start)
    assert {s: int(evo.steps[s]) for s in evo.reachable()} == want
    for s in evo.reachable():
        path = evo.path(s)
        assert len(path) == want[s]
        for a, b in itertools.pairwise(path):
            assert a.dst == b.src and a.mover != b.mover
        for step in path:
            assert step.dst in brute.improvements(model, units[step.mover], step.src)
