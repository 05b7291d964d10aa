"""How GENIUS 10.4 (and, on request, NegMAS 0.16) turn a profile into utilities.

Every rule is computed in exact rationals from the decimal text of the file.
Each function names the GENIUS class whose behaviour it follows; the reference
page ``docs/reference/genius.md`` lists the rules and where NegMAS departs.

GENIUS 10.4 (``genius.core.utility``):

* ``EvaluatorDiscrete.normalize``: a discrete evaluation is divided by the
  issue's largest evaluation (all 0 when that maximum is below 0.00001).
* ``EvaluatorInteger.getEvaluation``: ``offset + slope·(x − lowerbound)``,
  clamped to [0, 1].
* ``EvaluatorReal.getEvaluation``: ``linear`` is ``parameter0 + parameter1·x``
  clamped to [0, 1]; ``constant`` is ``parameter0``; ``triangular`` rises from
  ``parameter0`` to a top of 1 at ``parameter2`` and falls to ``parameter1``.
* ``AdditiveUtilitySpace.getUtility``: ``Σ weight·evaluation`` with the weights
  as written (a profile read from a file is not renormalised), capped at 1.

NegMAS 0.16 (``UtilityFunction.from_xml_str``, ``make_fun_from_xml``) keeps
discrete evaluations raw, evaluates linear functions as ``offset + slope·x``
without the lower bound and without clamping, and does not cap the sum.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

Semantics = Literal["genius", "negmas"]
SEMANTICS: tuple[Semantics, ...] = ("genius", "negmas")

ZERO, ONE = Fraction(0), Fraction(1)
DISCRETE_MAX_EPSILON = Fraction("0.00001")  # EvaluatorDiscrete.normalize


def number(text: str | None) -> Fraction:
    """The exact rational of a decimal number as written (Java ``Double.valueOf`` syntax)."""
    if text is None:
        raise ValueError("missing number")
    cleaned = text.strip().rstrip("dDfF")
    try:
        value = Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a number") from None
    return value


def clamp(x: Fraction) -> Fraction:
    return min(ONE, max(ZERO, x))


def discrete_values(evaluations: Sequence[Fraction], semantics: Semantics) -> list[Fraction]:
    """Values of a discrete issue's options (GENIUS: ``EvaluatorDiscrete.normalize``)."""
    if semantics == "negmas":
        return list(evaluations)
    top = max(evaluations, default=ZERO)
    if top < DISCRETE_MAX_EPSILON:
        return [ZERO] * len(evaluations)
    return [e / top for e in evaluations]


def integer_value(
    x: Fraction, lower: Fraction, offset: Fraction, slope: Fraction, semantics: Semantics
) -> Fraction:
    """One value of a linear integer evaluator (GENIUS: ``EvaluatorInteger.getEvaluation``)."""
    if semantics == "negmas":
        return offset + slope * x
    return clamp(offset + slope * (x - lower))


def real_value(
    ftype: str, params: Sequence[Fraction], x: Fraction, semantics: Semantics
) -> Fraction:
    """One value of a real-issue evaluator (GENIUS: ``EvaluatorReal.getEvaluation``)."""
    if ftype == "linear":
        value = params[0] + params[1] * x
        return value if semantics == "negmas" else clamp(value)
    if ftype == "constant":
        return params[0]
    if ftype == "triangular":
        return triangular(x, params[0], params[1], params[2])
    raise ValueError(f"unknown evaluator function {ftype!r}")


def triangular(x: Fraction, low: Fraction, high: Fraction, top: Fraction) -> Fraction:
    """``EVALFUNCTYPE.evalTriangular``: 0 outside (low, high), 1 at ``top``, linear between."""
    if x < low:
        return ZERO
    if x < top:
        return (x - low) / (top - low)
    if x < high:
        return 1 - (x - top) / (high - top)
    return ZERO


def real_grid(low: Fraction, high: Fraction, points: int) -> list[Fraction]:
    """``points`` equally spaced values from ``low`` to ``high`` (GENIUS ``BidIterator``)."""
    if points < 2 or high == low:
        return [low]
    step = (high - low) / (points - 1)
    return [low + k * step for k in range(points)]


def breakpoints(xs: Sequence[Fraction], ys: Sequence[Fraction]) -> list[tuple[Fraction, Fraction]]:
    """The fewest points whose piecewise-linear interpolation gives ``ys`` at every ``xs``.

    Interior points on the straight line through their neighbours are dropped,
    so a linear evaluator becomes exactly two points and a clamped one gains a
    point on each side of every kink.
    """
    kept = [(xs[0], ys[0])]
    for (x1, y1), (x2, y2) in itertools.pairwise(zip(xs[1:], ys[1:], strict=True)):
        x0, y0 = kept[-1]
        if (y1 - y0) * (x2 - x0) != (y2 - y0) * (x1 - x0):
            kept.append((x1, y1))
    if len(xs) > 1:
        kept.append((xs[-1], ys[-1]))
    return kept
