"""Brute-force reference answers by enumerating every package (small problems only).

Everything here follows the definitions of docs/explanation/concepts.md literally, with the
integer utilities of :class:`zopa.problem.Problem`; the exact engine must agree.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from zopa.problem import SCALE, Problem


def packages(problem: Problem) -> np.ndarray:
    return problem.all_packages(limit=200_000)


def agreement(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Packages of the agreement set and their integer utilities."""
    X = packages(problem)
    mask = problem.agreement_mask(X)
    return X[mask], problem.utilities(X[mask])


def satisfiable_sets(problem: Problem) -> dict[frozenset[int], bool]:
    X = packages(problem)
    M = problem.satisfied(X)
    n = M.shape[1]
    out = {}
    for r in range(n + 1):
        for subset in itertools.combinations(range(n), r):
            out[frozenset(subset)] = bool(M[:, list(subset)].all(axis=1).any()) if subset else True
    return out


def muses_and_mcses(problem: Problem) -> tuple[list[list[str]], list[list[str]]]:
    sat = satisfiable_sets(problem)
    n = len(problem.constraints)
    everyone = frozenset(range(n))
    muses = [s for s, ok in sat.items() if not ok and all(sat[s - {c}] for c in s)]
    mcses = [s for s in sat if sat[everyone - s] and all(not sat[everyone - (s - {c})] for c in s)]
    if sat[everyone]:
        mcses = []
    ids = [c.id for c in problem.constraints]

    def order(sets: list[frozenset[int]]) -> list[list[str]]:
        return sorted((sorted(ids[k] for k in s) for s in sets), key=lambda s: (len(s), s))

    return order(muses), order(mcses)


def solution_values(problem: Problem) -> dict[str, Fraction | None]:
    """Optimal values of the four concepts over the agreement set (None if empty)."""
    X, U = agreement(problem)
    V = problem.veto_parties
    if len(X) == 0:
        return {}
    D = problem.reservations
    gains = [[Fraction(int(u[p]) - int(D[p]), SCALE) for p in V] for u in U]
    out: dict[str, Fraction | None] = {
        "utilitarian": max(Fraction(int(sum(int(u[p]) for p in V)), SCALE) for u in U),
        "egalitarian": max(min(g) for g in gains) if V else None,
        "nash": max(math.prod(g) for g in gains) if V else None,
    }
    ideals = {p: int(U[:, p].max()) for p in V}
    ks = [p for p in V if ideals[p] > D[p]]
    out["kalai_smorodinsky"] = (
        max(min(Fraction(int(u[p]) - int(D[p]), ideals[p] - int(D[p])) for p in ks) for u in U)
        if ks
        else None
    )
    return out


def frontier(problem: Problem, parties: list[int]) -> set[tuple[int, ...]]:
    _, U = agreement(problem)
    vecs = {tuple(int(u[p]) for p in parties) for u in U}
    return {
        v
        for v in vecs
        if not any(all(w[k] >= v[k] for k in range(len(v))) and w != v for w in vecs)
    }


def amendment(problem: Problem, start: list[int | None]) -> tuple[int, Fraction] | None:
    """Fewest changes of the draft ``start`` to reach the agreement set, and the best Nash
    product among the packages with that many changes (None if the set is empty)."""
    X, U = agreement(problem)
    if len(X) == 0:
        return None
    fixed = [(i, k) for i, k in enumerate(start) if k is not None]
    changes = [sum(int(x[i]) != k for i, k in fixed) for x in X]
    fewest = min(changes)
    V = problem.veto_parties
    D = problem.reservations
    best = max(
        math.prod(Fraction(int(u[p]) - int(D[p]), SCALE) for p in V)
        for u, c in zip(U, changes, strict=True)
        if c == fewest
    )
    return fewest, best
