"""The zopa-gmcr/1 format: states, preferences, statements and every kind of error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa.gmcr.format import load_model, parse_model
from zopa.gmcr.preferences import scores
from zopa.load import ScenarioError, read_text

DATA = Path(__file__).parent / "data" / "gmcr"
BAD = Path(__file__).parent / "bad_gmcr"
CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".yaml", ".json"))


def test_states_are_numbered_with_the_first_option_as_the_lowest_digit() -> None:
    model = load_model(DATA / "prisoners-dilemma.yaml")
    assert [model.text(s) for s in range(model.n)] == ["NN", "YN", "NY", "YY"]
    assert model.status_quo == 0
    # ranking best first: YN, NN, YY, NY for a
    assert [int(model.ranks[0, model.index(t)]) for t in ("YN", "NN", "YY", "NY")] == [3, 2, 1, 0]


def test_yaml_and_json_give_the_same_model() -> None:
    text = read_text(DATA / "prisoners-dilemma.yaml")
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(text)
    as_json = parse_model(json.dumps(data), "pd.json")
    as_yaml = parse_model(text, "pd.yaml")
    assert np.array_equal(as_json.ranks, as_yaml.ranks)
    assert np.array_equal(as_json.codes, as_yaml.codes)


def test_infeasible_states_irreversibility_and_ties() -> None:
    model = parse_model(
        """
format: zopa-gmcr/1
id: m
decision_makers:
  - {id: syria, options: [release, escalate]}
  - {id: iraq, options: [attack]}
infeasible: ["release and escalate"]
irreversible: {attack: fwd}
preferences:
  syria: {ranking: [NNN, [NYN, NNY], YNN, NYY, YNY]}
  iraq: {priorities: ["not attack", "attack if escalate"]}
status_quo: NNN
"""
    )
    assert model.n == 6 and model.index("YYN") is None
    syria = model.ranks[0]
    assert syria[model.index("NYN")] == syria[model.index("NNY")]  # a tie
    iraq_moves = model.moves(model.dm_mask(1))
    assert [model.text(int(t)) for t in iraq_moves.targets(model.index("NNN"))] == ["NNY"]
    assert len(iraq_moves.targets(model.index("NNY"))) == 0  # attack cannot be undone


def test_every_broken_file_reports_each_problem_with_its_position() -> None:
    assert len(CASES) >= 7
    for case in CASES:
        want = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
        with pytest.raises(ScenarioError) as err:
            load_model(case)
        got = [str(d).replace(str(case), case.name) for d in err.value.diagnostics]
        assert got == want, case.name


# ------------------------------------------------------------------- option prioritisation

ATOMS = ["a", "b", "c", "d"]


@st.composite
def statements(draw: Any, depth: int = 2) -> tuple[str, Any]:
    """A statement over options and the same statement as a Python function."""
    if depth == 0 or draw(st.booleans()):
        atom = draw(st.sampled_from(ATOMS))
        if draw(st.booleans()):
            return f"not {atom}", lambda s, x=atom: not s[x]
        return atom, lambda s, x=atom: s[x]
    (lt, lf), (rt, rf) = draw(statements(depth - 1)), draw(statements(depth - 1))
    op = draw(st.sampled_from(["and", "or"]))
    if op == "and":
        return f"({lt}) and ({rt})", lambda s: lf(s) and rf(s)
    return f"({lt}) or ({rt})", lambda s: lf(s) or rf(s)


@st.composite
def prioritised(draw: Any) -> tuple[str, Any]:
    head, hf = draw(statements())
    kind = draw(st.sampled_from(["", "if", "iff"]))
    if not kind:
        return head, hf
    cond, cf = draw(statements())
    if kind == "if":
        return f"{head} if {cond}", lambda s: hf(s) or not cf(s)
    return f"{head} iff {cond}", lambda s: hf(s) == cf(s)


@settings(max_examples=60, deadline=None)
@given(st.lists(prioritised(), min_size=1, max_size=5))
def test_priorities_order_states_by_the_weighted_sum_of_statements(items: list) -> None:
    lines = "\n".join(f"    - {json.dumps(text)}" for text, _ in items)
    model = parse_model(
        f"""
format: zopa-gmcr/1
id: p
decision_makers:
  - {{id: one, options: [a, b]}}
  - {{id: two, options: [c, d]}}
preferences:
  one:
   priorities:
{lines}
  two: {{priorities: [c]}}
"""
    )
    top = len(items)
    want = []
    for s in range(model.n):
        chosen = {o: bool(int(model.codes[s]) >> k & 1) for k, o in enumerate(ATOMS)}
        want.append(sum(2 ** (top - 1 - k) for k, (_, f) in enumerate(items) if f(chosen)))
    r = model.ranks[0]
    for x in range(model.n):
        for y in range(model.n):
            assert (r[x] > r[y]) == (want[x] > want[y])
    states = ((model.codes[:, None] >> np.arange(4)) & 1).astype(np.int8)
    from zopa import rules

    bound = [
        rules.bind(rules.parse(t, options=True), [rules.option_domain(o) for o in ATOMS], [])
        for t, _ in items
    ]
    assert scores(bound, states) == want
