"""The exact Pareto frontier of the agreement set (docs/explanation/concepts.md).

Two exact methods, chosen automatically:

* **Decomposition** (no enumeration of packages).  When every constraint is
  either a rule on a single issue or a lower bound on the utility of a
  frontier party (reservations, ``utility(p) >= t``), the agreement set is a
  product of per-issue option sets cut by a box.  With additive utilities the
  frontier of a product is the frontier of the Minkowski sum of per-issue
  frontiers, so partial sums are merged issue by issue, dropping dominated
  partial vectors after each step with the skyline of :mod:`zopa.engine.skyline`
  (the idea of GENIUS's ``ParetoFrontierF`` and NegMAS's MOBANOS sampler, here
  with an O(k log k) two-party skyline and any number of parties).  The box is
  applied at the end: a package dominating a boxed one is inside the box too.
* **Dominance cuts** otherwise.  CP-SAT repeatedly maximises the sum of the
  frontier parties' utilities over packages not weakly dominated by any point
  found so far (for each found ``f``: some party gets strictly more than
  ``f_p``).  Each optimum is a new frontier point, and the search ends when
  none is left — the "ε-constraint with dominance cuts" family of exact
  multi-objective integer methods (e.g. Kirlik & Sayın, *EJOR* 232, 2014).

Both return every distinct non-dominated utility vector with one witness
package; ``complete`` is False when a point or time limit stopped the search.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa import rules
from zopa.engine.cpsat import CpModel
from zopa.engine.skyline import skyline
from zopa.problem import SCALE, Problem

DEFAULT_LIMIT = 100_000
FRONTIER_SCAN_LIMIT = 20_000  # largest decomposed frontier the Nash scan tries


@dataclass(frozen=True)
class Frontier:
    scenario: str
    as_of: Any
    parties: list[str]
    vectors: np.ndarray  # (points, parties) integer utilities of the frontier parties
    packages: np.ndarray  # (points, issues) one witness package each
    complete: bool
    method: str
    all_utilities: np.ndarray  # (points, all parties) integer utilities of every party

    def points(self, problem: Problem) -> list[dict[str, Any]]:
        return [
            {
                "utilities": {p: int(u) / SCALE for p, u in zip(self.parties, vec, strict=True)},
                "package": problem.package_json([int(k) for k in pkg]),
            }
            for vec, pkg in zip(self.vectors, self.packages, strict=True)
        ]

    def to_json(self, problem: Problem) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "parties": self.parties,
            "points": self.points(problem),
            "complete": self.complete,
            "method": self.method,
        }


def frontier(
    problem: Problem,
    parties: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    time_limit: float | None = None,
    method: str = "auto",
) -> Frontier:
    """Every non-dominated utility vector of ``parties`` (default: the veto parties)."""
    P = (
        [problem.party_index[p] for p in parties]
        if parties
        else list(problem.veto_parties or range(len(problem.parties)))
    )
    separable = _separable(problem, P)
    if method == "decomposition" and separable is None:
        raise ValueError(
            "the decomposition method needs single-issue rules and utility lower bounds"
        )
    if separable is not None and method in ("auto", "decomposition"):
        vectors, packages, complete = _decompose(problem, P, *separable, limit=limit)
        used = "decomposition"
    else:
        vectors, packages, complete = _dominance_cuts(problem, P, limit, time_limit)
        used = "dominance-cuts"
    order = (
        np.lexsort(tuple(-vectors[:, j] for j in reversed(range(len(P))))) if len(vectors) else []
    )
    vectors, packages = vectors[order], packages[order]
    everyone = (
        problem.utilities(packages)
        if len(packages)
        else np.zeros((0, len(problem.parties)), dtype=np.int64)
    )
    return Frontier(
        problem.scenario.id,
        problem.as_of,
        [problem.parties[p].id for p in P],
        vectors,
        packages,
        complete,
        used,
        everyone,
    )


# --------------------------------------------------------------------------- decomposition


def decomposed_frontier(
    problem: Problem, parties: list[int], limit: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """(vectors, packages) of the exact frontier by decomposition, or None if it
    does not apply or would exceed ``limit`` points."""
    separable = _separable(problem, parties)
    if separable is None:
        return None
    vectors, packages, complete = _decompose(problem, parties, *separable, limit=limit)
    return (vectors, packages) if complete else None


def _separable(problem: Problem, P: list[int]) -> tuple[list[np.ndarray], dict[int, int]] | None:
    """Per-issue allowed options and per-party lower bounds, or None if not separable."""
    allowed = [np.ones(int(n), dtype=bool) for n in problem.sizes]
    lower: dict[int, int] = {}
    for c in problem.constraints:
        b = c.bound
        if isinstance(b, rules.UtilityAtom) and b.op in (">=", ">"):
            t = b.threshold + (1 if b.op == ">" else 0)
            if t <= problem.min_utility(b.party):
                continue  # always holds
            if b.party not in P:
                return None
            lower[b.party] = max(lower.get(b.party, t), t)
            continue
        if rules.parties_of(b):
            return None
        issues = rules.issues_of(b)
        if len(issues) > 1:
            return None
        if not issues:  # a constant rule
            if not rules.evaluate(b, [0] * problem.n_issues):
                return [np.zeros(int(n), dtype=bool) for n in problem.sizes], lower
            continue
        (i,) = issues
        probe = [0] * problem.n_issues
        for o in range(int(problem.sizes[i])):
            probe[i] = o
            if not rules.evaluate(b, probe):
                allowed[i][o] = False
    return allowed, lower


def _decompose(
    problem: Problem,
    P: list[int],
    allowed: list[np.ndarray],
    lower: dict[int, int],
    limit: int,
) -> tuple[np.ndarray, np.ndarray, bool]:
    n = problem.n_issues
    tables = problem.tables[P]  # (|P|, issues, options)
    if any(not a.any() for a in allowed):
        return _empty(len(P), n)
    vectors = np.zeros((1, len(P)), dtype=np.int64)
    parents: list[np.ndarray] = []
    choices: list[np.ndarray] = []
    for i in range(n):
        opts = np.nonzero(allowed[i])[0]
        if len(opts) == 1 or not tables[:, i, opts].any():
            # a fixed or indifferent issue adds a constant; any allowed option is a witness
            best = (
                opts[int(np.argmax(tables[:, i, opts].sum(axis=0)))] if len(opts) > 1 else opts[0]
            )
            vectors = vectors + tables[:, i, best]
            parents.append(np.arange(len(vectors)))
            choices.append(np.full(len(vectors), best))
            continue
        add = tables[:, i, opts].T  # (options, |P|)
        cand = (vectors[:, None, :] + add[None, :, :]).reshape(-1, len(P))
        keep = skyline(cand)
        vectors = cand[keep]
        parents.append(keep // len(opts))
        choices.append(opts[keep % len(opts)])
        if len(vectors) > limit:  # partial frontiers only grow: stop, say so
            return _trace(vectors, parents, choices, n, lower, P, limit, complete=False)
    return _trace(vectors, parents, choices, n, lower, P, limit, complete=True)


def _trace(
    vectors: np.ndarray,
    parents: list[np.ndarray],
    choices: list[np.ndarray],
    n: int,
    lower: dict[int, int],
    P: list[int],
    limit: int,
    complete: bool,
) -> tuple[np.ndarray, np.ndarray, bool]:
    keep = np.ones(len(vectors), dtype=bool)
    for j, p in enumerate(P):
        if p in lower:
            keep &= vectors[:, j] >= lower[p]
    rows = np.nonzero(keep)[0]
    if len(rows) > limit:
        rows, complete = rows[:limit], False
    packages = np.zeros((len(rows), n), dtype=np.int64)
    cursor = rows.copy()
    for i in reversed(range(len(choices))):
        packages[:, i] = choices[i][cursor]
        cursor = parents[i][cursor]
    if len(choices) < n:  # stopped early: not a frontier of the whole problem
        complete = False
    return vectors[rows], packages, complete


def _empty(parties: int, issues: int) -> tuple[np.ndarray, np.ndarray, bool]:
    return np.zeros((0, parties), dtype=np.int64), np.zeros((0, issues), dtype=np.int64), True


# --------------------------------------------------------------------------- dominance cuts


def _dominance_cuts(
    problem: Problem, P: list[int], limit: int, time_limit: float | None
) -> tuple[np.ndarray, np.ndarray, bool]:
    deadline = time.monotonic() + time_limit if time_limit else None
    cp = CpModel(problem, utility_parties=P)
    total = sum(cp.U[p] for p in P)
    vectors: list[list[int]] = []
    packages: list[list[int]] = []
    while True:
        if len(vectors) >= limit or (deadline is not None and time.monotonic() > deadline):
            return _arrays(vectors, packages, problem, P, complete=False)
        left = None if deadline is None else max(0.01, deadline - time.monotonic())
        sol = cp.solve(maximize=total, time_limit=left)
        if sol.status == "infeasible":
            return _arrays(vectors, packages, problem, P, complete=True)
        if sol.status != "optimal" or sol.package is None:
            return _arrays(vectors, packages, problem, P, complete=False)
        utils = problem.utility(sol.package)
        vec = [utils[p] for p in P]
        vectors.append(vec)
        packages.append(sol.package)
        flags = []
        for p, v in zip(P, vec, strict=True):
            b = cp.model.new_bool_var("")
            cp.model.add(cp.U[p] >= v + 1).only_enforce_if(b)
            flags.append(b)
        cp.model.add_bool_or(flags)


def _arrays(
    vectors: list[list[int]],
    packages: list[list[int]],
    problem: Problem,
    P: list[int],
    complete: bool,
) -> tuple[np.ndarray, np.ndarray, bool]:
    if not vectors:
        v, p, _ = _empty(len(P), problem.n_issues)
        return v, p, complete
    return np.array(vectors, dtype=np.int64), np.array(packages, dtype=np.int64), complete
