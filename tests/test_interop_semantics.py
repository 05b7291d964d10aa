"""The evaluation rules and the utility forms, checked against direct computation."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from zopa.interop import semantics as sem
from zopa.interop.build import affine_form, exact_form, unique_ids
from zopa.interop.genius import _dec
from zopa.interop.xmlfile import parse_xml
from zopa.problem import interpolate

fractions = st.fractions(min_value=-5, max_value=5, max_denominator=40)
unit = st.fractions(min_value=0, max_value=1, max_denominator=40)


@given(st.lists(fractions, min_size=1, max_size=12), st.integers(0, 4))
def test_breakpoints_reproduce_every_value(ys, start):
    xs = [Fraction(start + 3 * k, 2) for k in range(len(ys))]
    points = sem.breakpoints(xs, ys)
    assert points[0] == (xs[0], ys[0]) and points[-1] == (xs[-1], ys[-1])
    table = dict(points)
    assert [interpolate(table, x) for x in xs] == ys
    # no kept interior point is on the line through its neighbours
    for (x0, y0), (x1, y1), (x2, y2) in zip(points, points[1:], points[2:], strict=False):
        assert (y1 - y0) * (x2 - x0) != (y2 - y0) * (x1 - x0)


def test_linear_and_clamped_evaluators():
    xs = [Fraction(x) for x in range(10, 15)]
    linear = [
        sem.integer_value(x, Fraction(10), Fraction("0.1"), Fraction("0.2"), "genius") for x in xs
    ]
    assert sem.breakpoints(xs, linear) == [(10, Fraction("0.1")), (14, Fraction("0.9"))]
    clamped = [
        sem.integer_value(x, Fraction(10), Fraction(1), Fraction("-0.3"), "genius") for x in xs
    ]
    assert clamped == [1, Fraction("0.7"), Fraction("0.4"), Fraction("0.1"), 0]
    negmas = [
        sem.integer_value(x, Fraction(10), Fraction(1), Fraction("-0.3"), "negmas") for x in xs
    ]
    assert negmas == [1 - Fraction("0.3") * x for x in xs]


@given(
    st.lists(st.fractions(min_value=0, max_value=100, max_denominator=8), min_size=1, max_size=6)
)
def test_discrete_values_divide_by_the_maximum(evaluations):
    values = sem.discrete_values(evaluations, "genius")
    top = max(evaluations)
    if top < Fraction(1, 100_000):
        assert values == [0] * len(evaluations)
    else:
        assert max(values) == 1 and values == [e / top for e in evaluations]
    assert sem.discrete_values(evaluations, "negmas") == evaluations


def test_real_evaluators_follow_evalfunctype():
    low, high, top = Fraction(0), Fraction(100), Fraction(50)
    assert [sem.triangular(Fraction(x), low, high, top) for x in (-1, 0, 25, 50, 75, 100)] == [
        0,
        0,
        Fraction(1, 2),
        1,
        Fraction(1, 2),
        0,
    ]
    params = [Fraction(2), Fraction("-0.01")]
    assert sem.real_value("linear", params, Fraction(50), "genius") == 1  # 1.5, clamped
    assert sem.real_value("linear", params, Fraction(50), "negmas") == Fraction(3, 2)
    assert sem.real_value("constant", [Fraction("0.4")], Fraction(7), "genius") == Fraction("0.4")
    assert sem.real_grid(Fraction(0), Fraction(1), 21)[1] == Fraction(1, 20)


@given(st.lists(st.lists(fractions, min_size=1, max_size=4), min_size=1, max_size=4), fractions)
def test_affine_form_is_exact(contributions, bias):
    weights, values, offset, scale = affine_form(contributions, bias)
    assert all(w >= 0 for w in weights) and all(0 <= v <= 1 for row in values for v in row)
    for package in itertools.product(*(range(len(row)) for row in contributions)):
        raw = bias + sum(row[k] for row, k in zip(contributions, package, strict=True))
        u = sum(w * row[k] for w, row, k in zip(weights, values, package, strict=True))
        zopa = u / scale if scale else Fraction(0)
        assert raw == offset + scale * zopa


@given(st.lists(st.tuples(unit, st.lists(unit, min_size=1, max_size=4)), min_size=1, max_size=4))
def test_exact_form_keeps_utilities_when_weights_sum_at_most_one(pairs):
    weights = [w / len(pairs) for w, _ in pairs]  # sum ≤ 1
    rows = [row for _, row in pairs]
    zopa_weights, values, total = exact_form(weights, rows)
    assert total == sum(weights)
    for package in itertools.product(*(range(len(row)) for row in rows)):
        genius = sum(w * row[k] for w, row, k in zip(weights, rows, package, strict=True))
        norm = sum(zopa_weights)
        zopa = (
            sum(w * row[k] for w, row, k in zip(zopa_weights, values, package, strict=True)) / norm
            if norm
            else Fraction(0)
        )
        assert zopa == genius


@given(st.integers(-(10**12), 10**12), st.integers(0, 12), st.integers(0, 12))
def test_decimal_text_is_exact_when_the_decimal_terminates(numerator, twos, fives):
    x = Fraction(numerator, 2**twos * 5**fives)
    assert Fraction(_dec(x)) == x


def test_decimal_text_otherwise_round_trips_the_double():
    third = Fraction(1, 3)
    assert float(_dec(third)) == float(third)


def test_unique_ids_slugify_and_avoid_clashes():
    assert unique_ids(["Price ($)", "price", "", "and"], "issue", reserved={"and"}) == [
        "price",
        "price_2",
        "issue",
        "and_2",
    ]


def test_xml_positions_and_refusals():
    doc = parse_xml(b'<a>\n  <b x="1"/>\n</a>\n', "t.xml")
    b = doc.root.find("b")
    assert doc.at(b) == (2, 3)
