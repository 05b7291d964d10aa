"""The integer grid of :mod:`zopa.problem` is exact for the numbers people write.

The brute-force oracle of the engine tests works on the same integer tables as
the engine, so these tests check the tables themselves against rational
arithmetic computed here from the file's numbers: with whole weights summing to
at most 16 and values of up to three decimals, every package's integer utility
is exactly ``SCALE · u_p(x)``, and ties with a reservation are kept.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli import zopa
from zopa.load import parse_scenario
from zopa.problem import SCALE, Problem

DECIMALS = st.integers(0, 10**3).map(lambda k: Fraction(k, 10**3))


@st.composite
def _scenarios(draw: st.DrawFn) -> tuple[dict, list[list[int]], list[list[Fraction]]]:
    n = draw(st.integers(1, 4))
    sizes = [draw(st.integers(2, 3)) for _ in range(n)]
    weights = [draw(st.integers(1, 4)) for _ in range(n)]
    values = [[draw(DECIMALS) for _ in range(k)] for k in sizes]
    doc = {
        "format": "zopa/1",
        "id": "grid",
        "title": "grid",
        "issues": [
            {"id": f"i{i}", "options": [f"o{o}" for o in range(k)]} for i, k in enumerate(sizes)
        ],
        "parties": [
            {
                "id": "p",
                "weights": {f"i{i}": w for i, w in enumerate(weights)},
                "values": {
                    f"i{i}": {f"o{o}": _decimal(v) for o, v in enumerate(vs)}
                    for i, vs in enumerate(values)
                },
            }
        ],
    }
    return doc, [weights], [values]  # type: ignore[list-item]


def _decimal(v: Fraction) -> float:
    return float(f"{float(v):.3f}")  # exact: v has at most three decimals, JSON prints them


@settings(max_examples=150, deadline=None)
@given(_scenarios())
def test_integer_utilities_are_exact_for_decimal_inputs(case):
    doc, (weights,), (values,) = case
    problem = Problem(parse_scenario(json.dumps(doc)))
    total = sum(weights)
    for package in itertools.product(*(range(len(v)) for v in values)):
        exact = sum(
            (Fraction(w, total) * vs[o] for w, vs, o in zip(weights, values, package, strict=True)),
            Fraction(0),
        )
        assert problem.utility(list(package))[0] == exact * SCALE


def test_a_utility_equal_to_the_reservation_is_accepted(tmp_path):
    # three equal weights at value 0.5 give exactly 0.5: on a power-of-ten grid
    # the thirds are rounded and the tie could be lost
    issues = "\n".join(f"  - {{id: i{k}, options: [a, b]}}" for k in range(3))
    values = ", ".join(f"i{k}: {{a: 0.5, b: 0}}" for k in range(3))
    path = tmp_path / "tie.yaml"
    path.write_text(
        "format: zopa/1\nid: tie\ntitle: tie\nissues:\n"
        f"{issues}\n"
        "parties:\n"
        "  - id: p\n    reservation: 0.5\n    weights: {i0: 1, i1: 1, i2: 1}\n"
        f"    values: {{{values}}}\n"
        "red_lines:\n"
        "  - {id: p-half, party: p, rule: 'utility(p) >= 0.5'}\n",
        encoding="utf-8",
    )
    run = zopa("blockers", str(path), "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["feasible"] is True and doc["conflicts"] == []
