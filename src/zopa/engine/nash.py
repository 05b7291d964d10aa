"""The Nash bargaining solution over the agreement set, proven optimal.

Maximise ``Π_{p∈V} G_p(x)`` with gains ``G_p = U_p − D_p`` (integers, see
:mod:`zopa.problem`).  A product constraint in CP-SAT is far too slow (8 s to
over 60 s measured at 3 parties × 30 issues × 5 options), so the product is
handled by **outer approximation** of its logarithm (Duran & Grossmann,
"An outer-approximation algorithm for a class of MINLPs", *Math. Prog.* 36,
1986):

1. each ``ln G_p`` is bounded above by tangent cuts — ln is concave, so every
   tangent over-estimates it; in integers, with ``L_p ≈ K·ln G_p``, the cut at
   ``a`` is ``a·L_p − K·G_p ≤ ⌈K·a·(ln a − 1)⌉``;
2. CP-SAT maximises ``Σ L_p``; the optimum ``UB`` bounds ``K·ln Π G`` of every
   package from above (up to ``|V|`` for the floors), and the package found is
   evaluated *exactly* (integer product);
3. a tangent is added at the package's gains and the model re-solved, until
   the bound meets the incumbent;
4. **exact finish**: any package with a strictly larger product must reach
   ``Σ L_p ≥ K·ln P* − |V|``; such packages are searched for directly, each
   candidate's utility vector is evaluated exactly and then excluded, until
   none is left.  Only then is the incumbent reported as optimal.

If no package gives every veto party a positive gain, the optimal product is
0 and every package of the agreement set attains it; the one with the highest
sum of gains is reported.

When the agreement set decomposes into blocks of issues and the product is
over the veto parties (:mod:`zopa.engine.blocks`), the faster exact method of
:mod:`zopa.engine.bargaining` is used instead (a linear relaxation guides, an
exact search over an arithmetic–geometric-mean inequality proves).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from zopa.engine.cpsat import CpModel
from zopa.problem import Constraint, Problem

K = 10**7  # log scale: K·ln(SCALE·n) stays far below 2⁶³ even multiplied by a
INITIAL_TANGENTS = 16
MAX_REFINEMENTS = 500


@dataclass(frozen=True)
class NashResult:
    package: list[int] | None
    product: int  # exact Π G_p on the integer grid (SCALE^|V| times the real product)
    optimal: bool
    iterations: int


def nash(
    problem: Problem,
    parties: Sequence[int] | None = None,
    constraints: Sequence[Constraint] | None = None,
    extra: list | None = None,
    time_limit: float | None = None,
    blocks: bool = True,
) -> NashResult:
    """The package of the agreement set maximising the Nash product of ``parties``.

    ``extra`` is a list of callables applied to the :class:`CpModel` before
    solving (used by :mod:`zopa.engine.amend` to fix the number of changes).
    ``blocks=False`` forces the outer approximation in CP-SAT.
    """
    deadline = time.monotonic() + time_limit if time_limit else None
    V = list(problem.veto_parties if parties is None else parties)
    D = [int(problem.reservations[p]) for p in V]
    if blocks and constraints is None and not extra and problem.veto_parties == V:
        by_blocks = _by_blocks(problem, deadline)
        if by_blocks is not None:
            return by_blocks
    cp = CpModel(problem, constraints, utility_parties=V)
    for f in extra or []:
        f(cp)
    gains = [cp.U[p] - d for p, d in zip(V, D, strict=True)]
    for g in gains:  # a positive product needs every gain ≥ 1 (on the integer grid)
        cp.model.add(g >= 1)

    hi = [max(1, problem.max_utility(p) - d) for p, d in zip(V, D, strict=True)]
    L = [
        cp.model.new_int_var(0, math.ceil(K * math.log(h)) + 1, f"L{p}")
        for p, h in zip(V, hi, strict=True)
    ]
    cuts: list[set[int]] = [set() for _ in V]

    def add_cut(j: int, a: int) -> None:
        if a >= 1 and a not in cuts[j]:
            cuts[j].add(a)
            rhs = math.ceil(K * a * (math.log(a) - 1)) + 1  # +1 absorbs float rounding
            cp.model.add(a * L[j] - K * gains[j] <= rhs)

    for j, h in enumerate(hi):
        add_cut(j, 1)
        for step in range(INITIAL_TANGENTS):  # halving from the top: gains that matter are large
            add_cut(j, max(1, h >> step))

    def exact(package: list[int]) -> tuple[int, list[int]]:
        utils = problem.utility(package)
        g = [utils[p] - d for p, d in zip(V, D, strict=True)]
        return math.prod(g), g

    objective = sum(L)
    first = cp.solve(maximize=objective, time_limit=_left(deadline))
    if first.status == "infeasible":  # no package gives everyone a positive gain
        return _zero_product(problem, V, D, constraints, extra, deadline)
    if first.package is None:
        return NashResult(None, 0, False, 1)
    best_pkg, best, best_g = first.package, -1, [0] * len(V)
    sol, iterations = first, 1
    # phase 1: outer approximation until the bound meets the incumbent
    while True:
        assert sol.package is not None
        value, g = exact(sol.package)
        if value > best:
            best, best_pkg, best_g = value, sol.package, g
        for j, a in enumerate(g):
            add_cut(j, a)
        if sol.status != "optimal" or sol.bound is None:
            return NashResult(best_pkg, best, False, iterations)
        if sol.bound <= K * math.log(best) + len(V) + 1 or iterations > MAX_REFINEMENTS:
            break
        iterations += 1
        sol = cp.solve(maximize=objective, time_limit=_left(deadline), hint=best_pkg)
        if sol.package is None:
            return NashResult(best_pkg, best, False, iterations)
    # phase 2: exact finish — rule out every strictly better package
    cp.model.add(objective >= math.floor(K * math.log(best)) - len(V) - 1)
    cp.forbid_vector(V, [g + d for g, d in zip(best_g, D, strict=True)])
    for _ in range(MAX_REFINEMENTS):
        iterations += 1
        sol = cp.solve(time_limit=_left(deadline), hint=best_pkg)
        if sol.status == "infeasible":
            return NashResult(best_pkg, best, True, iterations)
        if sol.package is None:
            return NashResult(best_pkg, best, False, iterations)
        value, g = exact(sol.package)
        cp.forbid_vector(V, [x + d for x, d in zip(g, D, strict=True)])
        for j, a in enumerate(g):
            add_cut(j, a)
        if value > best:
            best, best_pkg, best_g = value, sol.package, g
            cp.model.add(objective >= math.floor(K * math.log(best)) - len(V) - 1)
    return NashResult(best_pkg, best, False, iterations)


def _zero_product(
    problem: Problem,
    V: list[int],
    D: list[int],
    constraints: Sequence[Constraint] | None,
    extra: list | None,
    deadline: float | None,
) -> NashResult:
    """Every acceptable package has product 0: report the one with the largest total gain."""
    cp = CpModel(problem, constraints, utility_parties=V)
    for f in extra or []:
        f(cp)
    sol = cp.solve(
        maximize=sum(cp.U[p] - d for p, d in zip(V, D, strict=True)), time_limit=_left(deadline)
    )
    if sol.package is None:
        return NashResult(None, 0, sol.status == "infeasible", 2)
    return NashResult(sol.package, 0, sol.status == "optimal", 2)


def _by_blocks(problem: Problem, deadline: float | None) -> NashResult | None:
    """The Nash optimum by :mod:`zopa.engine.bargaining`; None when it does not apply
    or cannot prove its answer (then the outer approximation in CP-SAT takes over)."""
    from zopa.engine import bargaining

    ctx = bargaining.prepare(problem, deadline)
    if ctx is None:
        return None
    try:
        found, product = bargaining.nash(ctx)
    except OverflowError:  # scores beyond exact int64 arithmetic
        return None
    if not found.optimal and (deadline is None or time.monotonic() < deadline):
        return None
    return NashResult(found.package, product, found.optimal, 0)


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.01, deadline - time.monotonic())
