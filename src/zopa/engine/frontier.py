"""The exact Pareto frontier of the agreement set (docs/explanation/concepts.md).

Two exact methods, chosen automatically:

* **Decomposition** (no enumeration of packages).  When the agreement set is a
  product of blocks of linked issues cut by utility bounds
  (:mod:`zopa.engine.blocks`: every red line names either issues only or
  utilities only), the frontier is built block by block by the label-setting
  programme of :mod:`zopa.engine.label_setting`, which keeps, after each
  block, only the partial utility vectors that no other one dominates — the
  frontier parties' utilities together with those of every party whose
  reservation or utility red line must still be met, so that those stay exact.
* **Dominance cuts** otherwise, or when the labels outgrow their limit.
  CP-SAT repeatedly maximises the sum of the frontier parties' utilities over
  packages not weakly dominated by any point found so far (for each found
  ``f``: some party gets strictly more than ``f_p``).  Each optimum is a new
  frontier point, and the search ends when none is left — the "ε-constraint
  with dominance cuts" family of exact multi-objective integer methods (e.g.
  Kirlik & Sayın, *EJOR* 232, 2014).

Both return every distinct non-dominated utility vector with one witness
package; ``complete`` is False when a point or time limit stopped the search,
and then every point returned is still a verified frontier point (a subset of
the true frontier).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.engine.blocks import Structure, decompose
from zopa.engine.cpsat import CpModel
from zopa.engine.label_setting import TooManyLabels, label_frontier
from zopa.problem import SCALE, Problem

DEFAULT_LIMIT = 100_000


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
        # the option of every issue written once: frontiers can have tens of thousands of points
        ids = [issue.id for issue in problem.issues]
        options = [
            [issue.option_json(k) for k in range(len(issue.values))] for issue in problem.issues
        ]
        return [
            {
                "utilities": {p: u / SCALE for p, u in zip(self.parties, vec, strict=True)},
                "package": {i: opts[k] for i, opts, k in zip(ids, options, pkg, strict=True)},
            }
            for vec, pkg in zip(self.vectors.tolist(), self.packages.tolist(), strict=True)
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
    deadline = time.monotonic() + time_limit if time_limit else None
    found = None
    if method in ("auto", "decomposition"):
        structure = decompose(problem)
        if structure is None and method == "decomposition":
            raise ValueError(
                "the decomposition method needs red lines that name either issues or utilities"
            )
        if structure is not None:
            found = _decomposed(problem, structure, P, limit, deadline, strict=method != "auto")
    if found is not None:
        vectors, packages, complete = found
        used = "decomposition"
    else:
        left = None if deadline is None else max(0.01, deadline - time.monotonic())
        vectors, packages, complete = _dominance_cuts(problem, P, limit, left)
        used = "dominance-cuts"
    vectors, packages, complete = _verified(problem, P, vectors, packages, complete)
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


def _decomposed(
    problem: Problem,
    structure: Structure,
    P: list[int],
    limit: int,
    deadline: float | None,
    strict: bool,
) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """The label-setting frontier, or None when it gives up (unless ``strict``)."""
    if not structure.feasible:
        return _empty(len(P), problem.n_issues)
    try:
        result = label_frontier(structure, P, deadline)
    except TooManyLabels:
        if strict:
            return (*_empty(len(P), problem.n_issues)[:2], False)
        return None
    rows = np.arange(min(len(result.vectors), limit))
    packages = structure.packages(result.choices[rows])
    return result.vectors[rows], packages, len(rows) == len(result.vectors)


def _verified(
    problem: Problem, P: list[int], vectors: np.ndarray, packages: np.ndarray, complete: bool
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Only points whose witness every veto party accepts, with their real utilities.

    Right or silent: a search cut short by a limit reports a subset of the
    frontier, never a point it has not checked.
    """
    if not len(packages):
        return vectors, packages, complete
    real = problem.utilities(packages)[:, P] == vectors
    ok = problem.agreement_mask(packages) & real.all(axis=1)
    if ok.all():
        return vectors, packages, complete
    return vectors[ok], packages[ok], False


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
