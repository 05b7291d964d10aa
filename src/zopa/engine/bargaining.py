"""Bargaining solutions over an agreement set of blocks, each proven optimal exactly.

For a problem that decomposes into blocks (:mod:`zopa.engine.blocks`), every
concept of :mod:`zopa.engine.solutions` is found in two stages:

1. **Guide** — the linear relaxation over the blocks' option variables is
   solved by HiGHS (:mod:`zopa.engine.highs`).  Its solution, rounded to one
   option per block, is a first incumbent, and its dual values are Lagrange
   multipliers.
2. **Prove** — an inequality that every strictly better acceptable package
   must satisfy is written as an integer score over the blocks, and every
   package reaching it is listed exactly (:mod:`zopa.engine.lagrangian`).
   Finding none proves the incumbent optimal; finding a better one replaces
   it and raises the bar.  Floating point only chooses the multipliers; the
   inequalities hold for any non-negative multipliers and are checked in
   integers.

The inequalities:

* a linear objective ``Σ w_p U_p`` under utility floors (ideal points,
  utilitarian, the tie-breaks): ``Σ w_p U_p + Σ μ_r (U_r − t_r) ≥ z* + 1`` for
  multipliers ``μ ≥ 0`` of the floors (weak Lagrangian duality, Fisher 1981);
* egalitarian (max-min gain): a package with every gain ``≥ g* + 1`` has
  ``Σ λ_p (G_p − g* − 1) ≥ 0`` for ``λ ≥ 0``, the duals of the max-min LP;
* Kalai–Smorodinsky: the same with gains relative to ``I_p − D_p``;
* Nash: with ``a_p`` the gains at the optimum of the relaxation (found by
  outer approximation of ``Σ ln G_p`` — tangent cuts, Duran & Grossmann 1986 —
  on the LP), the inequality of arithmetic and geometric means gives
  ``Π G_p ≤ (Σ_p c_p G_p)ⁿ / (nⁿ Aⁿ⁻¹)`` with ``A = Π a_p`` and
  ``c_p = A / a_p``; so a product above ``P*`` needs
  ``(Σ c_p G_p)ⁿ > nⁿ Aⁿ⁻¹ P*``, a linear score threshold found by an integer
  n-th root.

With good multipliers the region is tiny for Nash: on random 8-party,
200-issue scenarios it holds a few dozen packages at most.  For the max-min
concepts it is as wide as the relaxation's integrality gap, which grows with
the number of parties (see below).  Egalitarian and Kalai–Smorodinsky share
one search when every party's ideal gain is the same (their ratios then differ
by a constant factor).

When a search outgrows its node limit the concept is reported unproven, with
the best package found and an exact upper bound: every package better than it
scores at most the best score of the blocks or, when some widening rounds of
the search finished, just below the lowest score those rounds covered.  As in
the rigorous bounds of Neumaier & Shcherbina ("Safe bounds in linear and
mixed-integer linear programming", *Math. Programming* 99, 2004), the
multipliers come from floating point but the bound is their exact Lagrangian
value, so it holds whatever their accuracy.

Why the max-min optimum of many parties is hard to prove: its decision
question ("does some package give every party at least ``T``?") is a
multiple-choice multidimensional knapsack problem with one dimension per
party.  On random 8-party, 200-issue scenarios the integer optimum lies about
6·10⁻⁴ below the relaxation, and about 10¹¹ packages score within that gap.
Measured on one seed (bench/README.md), neither this search (also with cuts
from node-LP duals) nor HiGHS's branch and bound nor CP-SAT proves that
optimum within minutes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from zopa.engine.blocks import Structure, decompose
from zopa.engine.highs import LpSolution, Relaxation
from zopa.engine.label_setting import coordinates
from zopa.engine.lagrangian import Bounds, Leaf, Searched, search
from zopa.engine.skyline import skyline
from zopa.problem import SCALE, Problem

K = 1 << 20  # integer resolution of multipliers (any non-negative value is valid)
NASH_WEIGHT = 1 << 20  # the largest integer weight of the Nash inequality
OA_ITERATIONS = 40
OA_TOLERANCE = 1e-11


@dataclass(frozen=True)
class Found:
    package: list[int] | None  # None: the agreement set is empty (or nothing was found)
    optimal: bool  # proven (for None: proven empty)
    bound: Fraction | None = None  # unproven: an exact upper bound on the objective


@dataclass(frozen=True)
class Fair:
    """A max-min result: ``min_p G_p / R_p`` of the package found, and what is proven."""

    found: Found  # proven: the tie-broken optimum; else the best found, bound on the ratio
    ratio: Fraction | None  # None: no acceptable package (proven or not, see found)


@dataclass
class Context:
    """A problem's blocks reduced to the options that matter for the veto parties."""

    problem: Problem
    structure: Structure
    V: list[int]
    D: dict[int, int]
    utilities: list[np.ndarray]  # per block: (parties, options) of the reduced options
    rows: list[np.ndarray]  # per block: reduced option → joint option of the block
    deadline: float | None = None
    # max-min results by the parties' ratio scales divided by their gcd (egalitarian and
    # Kalai–Smorodinsky coincide when every party's ideal gain is the same)
    fair: dict[tuple[tuple[int, int], ...], Fair] = field(default_factory=dict)

    def package(self, choices: list[int]) -> list[int]:
        picks = [int(r[c]) for r, c in zip(self.rows, choices, strict=True)]
        return self.structure.package(picks)


def prepare(problem: Problem, deadline: float | None = None) -> Context | None:
    """The context for the veto parties, or None when the problem does not decompose."""
    structure = decompose(problem)
    V = problem.veto_parties
    if structure is None or not V:
        return None
    D = {p: int(problem.reservations[p]) for p in V}
    if not structure.feasible:
        return Context(problem, structure, V, D, [], [], deadline)
    coords = coordinates(structure, V)
    signs = np.array([s for _, s in coords], dtype=np.int64)
    who = [p for p, _ in coords]
    utilities, rows = [], []
    for block in structure.blocks:
        keep = np.sort(skyline(block.utilities[who].T * signs))
        utilities.append(block.utilities[:, keep])
        rows.append(keep)
    return Context(problem, structure, V, D, utilities, rows, deadline)


# --------------------------------------------------------------------------- helpers


def _scores(ctx: Context, weights: dict[int, int]) -> list[list[int]]:
    """Per block and option: ``Σ_p w_p·u_p`` in Python integers."""
    out = []
    for u in ctx.utilities:
        rows = u.tolist()
        k = u.shape[1]
        out.append([sum(w * rows[p][o] for p, w in weights.items()) for o in range(k)])
    return out


def _relaxation(ctx: Context, floors: dict[int, int]) -> tuple[Relaxation, list[tuple]]:
    """The LP with the structure's bounds and ``floors``; the bound rows as (p, sign, t, row)."""
    lp = Relaxation(ctx.utilities)
    bounds: list[tuple[int, int, int, int]] = []
    lower = dict(ctx.structure.lower)
    for p, t in floors.items():
        lower[p] = max(lower.get(p, t), t)
    for p, t in sorted(lower.items()):
        bounds.append((p, 1, t, lp.bound_row({p: 1.0}, t / SCALE, lp.inf)))
    for p, t in sorted(ctx.structure.upper.items()):
        bounds.append((p, -1, t, lp.bound_row({p: 1.0}, -lp.inf, t / SCALE)))
    return lp, bounds


def _multipliers(
    sol: LpSolution, bounds: list[tuple], factor: int | Fraction
) -> tuple[dict[int, int], int]:
    """``Σ μ̂_r·sign_r·U_r`` as integer weights per party, and ``Σ μ̂_r·sign_r·t_r``."""
    weights: dict[int, int] = {}
    const = 0
    for p, sign, t, row in bounds:
        dual = float(sol.duals[row])
        mu = -dual if sign > 0 else dual
        m = _floor(mu, factor)
        if m > 0:
            weights[p] = weights.get(p, 0) + sign * m
            const += sign * m * t
    return weights, const


def _floor(x: float, factor: int | Fraction) -> int:
    """``⌊x·factor⌋`` for a float ``x`` ≥ 0 and a (possibly huge) integer factor."""
    if not x > 0 or not math.isfinite(x):
        return 0
    return math.floor(Fraction(x) * factor)


def _add(a: dict[int, int], b: dict[int, int]) -> dict[int, int]:
    out = dict(a)
    for p, w in b.items():
        out[p] = out.get(p, 0) + w
    return out


def _rounded(ctx: Context, lp: Relaxation, sol: LpSolution) -> list[int] | None:
    """The LP solution rounded to the largest option variable of each block."""
    if sol.status != "optimal":
        return None
    return [int(np.argmax(y)) for y in lp.block_values(sol.columns)]


def _utility(ctx: Context, choices: list[int]) -> np.ndarray:
    """Utilities of every party, shape (1, parties), of one package given as block choices."""
    total = sum(
        (table[:, c] for table, c in zip(ctx.utilities, choices, strict=True)),
        np.zeros(ctx.utilities[0].shape[0], dtype=np.int64),
    )
    return np.asarray(total, dtype=np.int64)[None, :]


def _ok(ctx: Context, U: np.ndarray, floors: dict[int, int]) -> np.ndarray:
    """Which rows of a utility matrix meet ``floors`` and the agreement set's bounds."""
    ok = ctx.structure.holds(U)
    for p, t in floors.items():
        ok &= U[:, p] >= t
    return ok


def _left_over(ctx: Context) -> bool:
    return ctx.deadline is not None and time.monotonic() > ctx.deadline


def _search(ctx: Context, weights: dict[int, int], region: Bounds, leaf: Leaf) -> Searched:
    """The exact search (``complete`` False when a limit stopped it).

    Raises OverflowError when the scores would not stay exact in int64 (then
    the callers use CP-SAT).
    """
    from zopa.engine import lagrangian

    scores = _scores(ctx, weights)
    return search(scores, ctx.utilities, region, leaf, ctx.deadline, lagrangian.MAX_NODES)


def _reach(ctx: Context, weights: dict[int, int], searched: Searched) -> int:
    """The highest score a package the unfinished search never listed can have."""
    top = sum(max(s) for s in _scores(ctx, weights))
    return top if searched.covered is None else min(top, searched.covered - 1)


# --------------------------------------------------------------------------- linear


def maximise(
    ctx: Context,
    objective: dict[int, int],
    floors: dict[int, int] | None = None,
    start: list[int] | None = None,
) -> tuple[Found, int | None]:
    """Maximise ``Σ w_p U_p`` over the acceptable packages meeting ``floors``.

    ``start`` is a known package (block choices) to begin from.  Returns the
    package (None if there is none) and the optimal value.
    """
    floors = dict(floors or {})
    if not ctx.structure.feasible:
        return Found(None, True), None
    lp, bounds = _relaxation(ctx, floors)
    lp.maximise({p: float(w) for p, w in objective.items()})
    sol = lp.solve()
    if sol.status == "infeasible" and _no_package(ctx, sol, bounds):
        return Found(None, True), None
    mult, const = _multipliers(sol, bounds, K) if sol.status == "optimal" else ({}, 0)
    weights = _add({p: K * w for p, w in objective.items()}, mult)
    lowest = sum(min(s) for s in _scores(ctx, objective))
    all_floors = _add_floors(ctx, floors)
    w = np.zeros(ctx.utilities[0].shape[0], dtype=np.int64)
    for p, x in objective.items():
        w[p] = x
    best: list = [None, None]  # choices, value

    def consider(choices: np.ndarray, U: np.ndarray) -> None:
        ok = np.nonzero(_ok(ctx, U, all_floors))[0]
        if len(ok) == 0:
            return
        values = U[ok] @ w
        i = int(np.argmax(values))  # the first of equals: a fixed choice
        if best[1] is None or int(values[i]) > best[1]:
            best[0], best[1] = choices[ok[i]].tolist(), int(values[i])
            region.threshold = K * (best[1] + 1) + const

    region = Bounds(K * lowest + const, all_floors, dict(ctx.structure.upper))
    for known in (start, _rounded(ctx, lp, sol)):
        if known is not None:
            consider(np.array([known]), _utility(ctx, known))
    complete = _search(ctx, weights, region, consider).complete
    if best[0] is None:
        return Found(None, complete), None
    return Found(ctx.package(best[0]), complete), best[1]


def _add_floors(ctx: Context, floors: dict[int, int]) -> dict[int, int]:
    out = dict(ctx.structure.lower)
    for p, t in floors.items():
        out[p] = max(out.get(p, t), t)
    return out


def _no_package(ctx: Context, sol: LpSolution, bounds: list[tuple]) -> bool:
    """An exact proof that no package meets the bounds, from the LP's dual ray.

    With multipliers ``μ ≥ 0``, every acceptable package has
    ``Σ μ_r·sign_r·(U_r − t_r) ≥ 0``; if even the best package of the blocks
    (computed exactly, block by block) falls short, there is none.  The ray's
    sign convention is not relied upon: each reading is checked.
    """
    if sol.ray is None or not bounds:
        return False
    for flip in (1, -1):
        for by_sign in (False, True):
            weights: dict[int, int] = {}
            const = 0
            for p, sign, t, row in bounds:
                m = _floor(flip * float(sol.ray[row]) * (sign if by_sign else 1), K)
                if m > 0:
                    weights[p] = weights.get(p, 0) + sign * m
                    const += sign * m * t
            if weights and sum(max(s) for s in _scores(ctx, weights)) < const:
                return True
    return False


# --------------------------------------------------------------------------- concepts


def ideals(ctx: Context) -> tuple[dict[int, int], bool] | None:
    """Each veto party's best utility over the agreement set (None: the set is empty)."""
    out: dict[int, int] = {}
    proven = True
    for p in ctx.V:
        found, value = maximise(ctx, {p: 1})
        if found.package is None:
            return None if found.optimal else ({}, False)
        out[p] = int(value)  # type: ignore[arg-type]
        proven &= found.optimal
    return out, proven


def utilitarian(ctx: Context) -> Found:
    return maximise(ctx, {p: 1 for p in ctx.V})[0]


def egalitarian(ctx: Context) -> Found:
    """Max-min gain; among the optima the largest total utility."""
    fair = _fair(ctx, {p: 1 for p in ctx.V})
    bound = fair.found.bound
    return replace(fair.found, bound=None if bound is None else bound / SCALE)


def kalai_smorodinsky(ctx: Context, ideal: dict[int, int]) -> tuple[Found, Fraction | None]:
    """Max-min of gains relative to the ideal; among the optima the largest total utility."""
    R = {p: ideal[p] - ctx.D[p] for p in ctx.V if ideal[p] > ctx.D[p]}
    if not R:
        return utilitarian(ctx), None
    fair = _fair(ctx, R)
    return fair.found, fair.ratio


def _fair(ctx: Context, R: dict[int, int]) -> Fair:
    """The max-min of ``G_p / R_p``, tie-broken by the largest total utility.

    ``R`` is 1 for every party for the egalitarian solution; for
    Kalai–Smorodinsky it is ``I_p − D_p``.  Scales that differ by a common
    factor have the same optimum (the ratio divided by the factor), so each is
    solved once per context.
    """
    g = math.gcd(*R.values())
    key = tuple(sorted((p, r // g) for p, r in R.items()))
    if key not in ctx.fair:
        ctx.fair[key] = _tie_broken(ctx, dict(key))
    fair = ctx.fair[key]
    if fair.ratio is None or g == 1:
        return fair
    bound = fair.found.bound
    return Fair(replace(fair.found, bound=None if bound is None else bound / g), fair.ratio / g)


def _tie_broken(ctx: Context, R: dict[int, int]) -> Fair:
    ratio, choices, proven, bound = _max_min(ctx, R)
    if ratio is None:
        return Fair(Found(None, proven), None)
    if not proven:  # the tie-break needs the optimum: report the best found as it is
        return Fair(Found(ctx.package(choices), False, bound), ratio)  # type: ignore[arg-type]
    floors = {p: ctx.D[p] + -(-ratio.numerator * r // ratio.denominator) for p, r in R.items()}
    found, _ = maximise(ctx, {p: 1 for p in ctx.V}, floors, choices)
    if not found.optimal:  # the value is proven, only the tie-break is not
        found = replace(found, bound=ratio)
    return Fair(found, ratio)


def _max_min(
    ctx: Context, R: dict[int, int]
) -> tuple[Fraction | None, list[int] | None, bool, Fraction | None]:
    """The largest ``min_p G_p / R_p`` over the acceptable packages (exact), a package
    (block choices) reaching it, a proof flag and, unproven, an exact upper bound.
    """
    if not ctx.structure.feasible:
        return None, None, True, None
    lp, bounds = _relaxation(ctx, {})
    # t is the ratio times max(R) on the unit scale, so that it lies in [0, 1]
    t = lp.add_column(-4.0, 4.0)
    top = max(R.values())
    rows = {
        p: lp.bound_row({p: 1.0}, ctx.D[p] / SCALE, lp.inf, columns={t: -r / top})
        for p, r in R.items()
    }
    lp.maximise({}, {t: 1.0})
    sol = lp.solve()
    if sol.status == "infeasible" and _no_package(ctx, sol, bounds):
        return None, None, True, None
    mult, const = _multipliers(sol, bounds, K) if sol.status == "optimal" else ({}, 0)
    lam = (
        {p: _floor(-float(sol.duals[row]), K) for p, row in rows.items()}
        if sol.status == "optimal"
        else {}
    )
    if not any(lam.values()):
        lam = dict.fromkeys(R, 1)
    weights = _add(lam, mult)
    base_floors = _add_floors(ctx, {})
    best: list = [None, None]  # ratio, choices
    parties = list(R)
    D = np.array([ctx.D[p] for p in parties], dtype=np.int64)
    scale = np.array([float(R[p]) for p in parties])

    def require(better_than: Fraction | None) -> None:
        """Floors and threshold for a ratio strictly above ``better_than``."""
        floors = dict(base_floors)
        for p, r in R.items():
            if better_than is None:  # what every acceptable package has anyway
                need = base_floors.get(p, ctx.problem.min_utility(p))
            else:  # b·G_p > a·R_p, i.e. G_p ≥ ⌊a·R_p/b⌋ + 1
                need = ctx.D[p] + better_than.numerator * r // better_than.denominator + 1
            floors[p] = max(floors.get(p, need), need)
        region.floors = floors
        region.threshold = sum(w * floors[p] for p, w in lam.items()) + const

    def consider(choices: np.ndarray, U: np.ndarray) -> None:
        ok = np.nonzero(_ok(ctx, U, base_floors))[0]
        if len(ok) == 0:
            return
        G = U[ok][:, parties] - D
        approx = (G / scale).min(axis=1)  # floats only shortlist; the choice is exact
        top = float(approx.max())
        shortlist = np.nonzero(approx >= top - 1e-9 * max(1.0, abs(top)))[0]
        ratios = [
            min(Fraction(int(g), R[p]) for g, p in zip(G[i], parties, strict=True))
            for i in shortlist
        ]
        j = max(range(len(ratios)), key=lambda k: (ratios[k], -k))
        if best[0] is None or ratios[j] > best[0]:
            best[0], best[1] = ratios[j], choices[ok[shortlist[j]]].tolist()
            require(ratios[j])

    region = Bounds(0, {}, dict(ctx.structure.upper))
    require(None)
    start = _rounded(ctx, lp, sol)
    if start is not None:
        consider(np.array([start]), _utility(ctx, start))
    searched = _search(ctx, weights, region, consider)
    bound = None
    spread = sum(lam[p] * R[p] for p in lam)
    if not searched.complete and spread > 0:
        # Σλ·(U − D) ≥ t·Σλ·R for every acceptable package with ratio t, and
        # Σλ·U ≤ score − const; a better package the search never listed scores at most
        # the reach
        reach = _reach(ctx, weights, searched)
        bound = Fraction(reach - const - sum(lam[p] * ctx.D[p] for p in lam), spread)
        if best[0] is not None:
            bound = max(bound, best[0])
    return best[0], best[1], searched.complete, bound


# --------------------------------------------------------------------------- Nash


def nash(ctx: Context) -> tuple[Found, int]:
    """The largest product of gains ``Π (U_p − D_p)`` (exact integer), proven optimal.

    With no acceptable package giving every veto party a positive gain, the
    product is 0 everywhere and the package with the largest total gain is
    reported (as :mod:`zopa.engine.nash` does).
    """
    V, D = ctx.V, ctx.D
    if not ctx.structure.feasible:
        return Found(None, True), 0
    positive = {p: D[p] + 1 for p in V}
    lp, bounds = _relaxation(ctx, positive)
    sol, a = _outer_approximation(ctx, lp)
    if sol.status == "infeasible" and _no_package(ctx, sol, bounds):
        return utilitarian(ctx), 0
    if a is None:  # the relaxation did not settle: weights from the reservations' gaps
        a = [max(1, ctx.problem.max_utility(p) - D[p]) for p in V]
    n = len(V)
    # weights w_p ∝ 1/a_p (the gradient of Σ ln G at the relaxation's optimum), rounded
    low = min(a)
    c = {p: max(1, round(NASH_WEIGHT * low / a_p)) for p, a_p in zip(V, a, strict=True)}
    W = math.prod(c.values())
    factor = Fraction(NASH_WEIGHT * low, SCALE)  # LP multipliers → the weights' units
    mult, const = _multipliers(sol, bounds, factor) if sol.status == "optimal" else ({}, 0)
    weights = _add(c, mult)
    offset = sum(c[p] * D[p] for p in V) + const
    all_floors = _add_floors(ctx, positive)
    Dv = np.array([D[p] for p in V], dtype=np.int64)
    best: list = [None, 0]

    def consider(choices: np.ndarray, U: np.ndarray) -> None:
        ok = np.nonzero(_ok(ctx, U, all_floors))[0]
        if len(ok) == 0:
            return
        G = U[ok][:, V] - Dv  # every gain ≥ 1 here
        logs = np.log(G.astype(np.float64)).sum(axis=1)  # floats only shortlist
        top = float(logs.max())
        shortlist = np.nonzero(logs >= top - 1e-9 * max(1.0, abs(top)))[0]
        products = [math.prod(int(g) for g in G[i]) for i in shortlist]
        j = max(range(len(products)), key=lambda k: (products[k], -k))
        if best[0] is None or products[j] > best[1]:
            best[0], best[1] = choices[ok[shortlist[j]]].tolist(), products[j]
            region.threshold = _amgm(n, W, products[j]) + offset

    region = Bounds(sum(c.values()) + offset, all_floors, dict(ctx.structure.upper))
    start = _rounded(ctx, lp, sol)
    if start is not None:
        consider(np.array([start]), _utility(ctx, start))
    searched = _search(ctx, weights, region, consider)
    complete = searched.complete
    if best[0] is None:
        if complete:  # no package with every gain positive: the product is 0
            return utilitarian(ctx), 0
        return Found(None, False), 0
    bound = None
    if not complete:  # AM-GM: Π G ≤ (Σ w·G)ⁿ / (nⁿ·Π w), and Σ w·G ≤ score − offset
        reach = max(0, _reach(ctx, weights, searched) - offset)
        bound = max(Fraction(reach**n, n**n * W * SCALE**n), Fraction(best[1], SCALE**n))
    return Found(ctx.package(best[0]), complete, bound), best[1]


def _amgm(n: int, W: int, product: int) -> int:
    """The least integer ``s`` with ``sⁿ > nⁿ·W·product``.

    By the inequality of arithmetic and geometric means, for positive weights
    ``w_p``: ``Π w_p·G_p ≤ (Σ w_p·G_p / n)ⁿ``, so ``Π G_p > product`` needs
    ``(Σ w_p·G_p)ⁿ > nⁿ·(Π w_p)·product``, i.e. ``Σ w_p·G_p ≥ s``.
    """
    rhs = n**n * W * product
    s = _iroot(rhs, n)
    while s**n <= rhs:
        s += 1
    return s


def _iroot(x: int, n: int) -> int:
    """``⌊x^(1/n)⌋`` for a non-negative integer (Newton's method in integers)."""
    if x < 2:
        return x
    s = 1 << -(-x.bit_length() // n)  # above the root
    while True:
        t = ((n - 1) * s + x // s ** (n - 1)) // n
        if t >= s:
            return s
        s = t


def _outer_approximation(ctx: Context, lp: Relaxation) -> tuple[LpSolution, list[int] | None]:
    """Maximise ``Σ ln G_p`` over the relaxation by tangent cuts; the gains at the optimum."""
    V, D = ctx.V, ctx.D
    gains = [lp.add_column(-4.0, 4.0) for _ in V]  # positivity comes from the floor rows
    logs = [lp.add_column(-60.0, 2.0) for _ in V]
    for p, g in zip(V, gains, strict=True):  # G_p = (U_p − D_p) / SCALE
        lp.bound_row({p: 1.0}, D[p] / SCALE, D[p] / SCALE, columns={g: -1.0})
    cuts: list[set[float]] = [set() for _ in V]

    def cut(j: int, x: float) -> None:
        x = max(x, 1.0 / SCALE)
        if x in cuts[j]:
            return
        cuts[j].add(x)
        # L ≤ ln x + (G − x)/x
        lp.add_row(
            -lp.inf, math.log(x) - 1.0, np.array([logs[j], gains[j]]), np.array([1.0, -1.0 / x])
        )

    for j, p in enumerate(V):
        top = max(1, ctx.problem.max_utility(p) - D[p]) / SCALE
        for step in range(12):
            cut(j, top / 2**step)
    lp.maximise({}, {col: 1.0 for col in logs})
    sol = lp.solve()
    for _ in range(OA_ITERATIONS):
        if sol.status != "optimal" or _left_over(ctx):
            break
        values = [float(sol.columns[g]) for g in gains]
        gap = sol.objective - sum(math.log(max(v, 1.0 / SCALE)) for v in values)
        if gap < OA_TOLERANCE:
            break
        for j, v in enumerate(values):
            cut(j, v)
        sol = lp.solve()
    if sol.status != "optimal":
        return sol, None
    a = [max(1, round(float(sol.columns[g]) * SCALE)) for g in gains]
    return sol, a
