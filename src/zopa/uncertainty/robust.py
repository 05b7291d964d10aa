"""The robust package, exactly: a maximum-coverage model over the samples with a deal.

A package every veto party accepts in a sample lies in that sample's
agreement set, so only samples with a deal can count.  Over just those
samples (gathered after aggregation, in sample order, so the answer is the
same for every executor) this module finds the package maximising the number
of samples in which every veto party accepts it, with OR-Tools CP-SAT:

* one Boolean per option, exactly one per issue (:class:`zopa.engine.cpsat.CpModel`);
* one indicator per *group* of deal samples with identical constraints
  (the same integer utility tables of the parties concerned, reservations
  and firm red lines bound with the sample's thresholds), weighted by the
  group's size; the indicator implies every constraint of the group: each
  veto party's utility under the sample's own table is at least its
  reservation, and each firm red line of a veto party holds;
* maximise the weighted sum of indicators.

The solver runs with one worker and a limit in *deterministic* time
(``max_deterministic_time``), so the same data give the same answer on any
machine load.  Ties between packages covering equally many samples go to the
first candidate package in candidate order (the most frequent witness and
Nash packages first; see :func:`zopa.uncertainty.aggregate.candidates`), and
otherwise to the lexicographically smallest package (option indices in
issue order).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa import rules
from zopa.engine.cpsat import CpModel
from zopa.uncertainty.evaluate import Job, Model, model_for
from zopa.uncertainty.sampling import draw
from zopa.uncertainty.tables import Tables

TIME_LIMIT = 30.0  # CP-SAT deterministic time per solve (about seconds of one core)
GAP = 64  # deal samples at most this far apart are drawn in one block


@dataclass(frozen=True)
class Group:
    """Deal samples with identical acceptance constraints."""

    weight: int
    tables: dict[int, np.ndarray]  # party → (issues, max options) integer utilities
    reservations: dict[int, int]  # veto party → integer reservation
    bounds: tuple[rules.Bound, ...]  # firm red lines of veto parties, bound for the sample


@dataclass(frozen=True)
class Robust:
    """The robust package found by :func:`robust_package`."""

    package: tuple[int, ...] | None
    accepted: int  # samples in which every veto party accepts ``package``
    bound: int  # proven upper bound on that number for any package
    optimal: bool
    method: str
    deal_samples: int
    groups: int


def gather(job: Job, deals: Sequence[int]) -> list[Group]:
    """The deal samples' constraints, grouped (groups in order of their first sample)."""
    m = model_for(job)
    veto = m.base.veto_parties
    found: dict[tuple, list[Any]] = {}
    for lo, hi, rows in _blocks(sorted(deals)):
        x = draw(m.qs, job.seed, lo, hi)
        tables = Tables(m.base, m.qs, x)
        firm = m.firm(x)
        classes = m.classes(x)
        bound_of: dict[tuple[int, tuple], rules.Bound] = {}
        for s in rows:
            r = s - lo
            table = tables.sample(r)
            bounds = []
            parties = set(veto)
            for k in m.veto_lines:
                if not firm[r, k]:
                    continue
                if m.lines[k].utility:  # bound with this sample's thresholds
                    bound = m.bind(k, x, r)
                    parties |= rules.parties_of(bound)
                else:  # the binding depends only on the thresholds' grid intervals
                    key = (k, classes[k][r])
                    if key not in bound_of:
                        bound_of[key] = m.bind(k, x, r)
                    bound = bound_of[key]
                bounds.append(bound)
            own = {p: table[p] for p in sorted(parties)}
            reservations = {p: int(tables.reservations[r, p]) for p in veto}
            group_key = (
                tuple((p, hashlib.sha1(t.tobytes()).hexdigest()) for p, t in own.items()),
                tuple(reservations.items()),
                tuple(bounds),
            )
            if group_key in found:
                found[group_key][0] += 1
            else:
                found[group_key] = [1, own, reservations, tuple(bounds)]
    return [Group(*v) for v in found.values()]


def _blocks(deals: list[int]) -> list[tuple[int, int, list[int]]]:
    out: list[tuple[int, int, list[int]]] = []
    for s in deals:
        if out and s - out[-1][1] < GAP:
            lo, _, rows = out[-1]
            rows.append(s)
            out[-1] = (lo, s + 1, rows)
        else:
            out.append((s, s + 1, [s]))
    return out


def coverage(m: Model, groups: Sequence[Group], packages: np.ndarray) -> np.ndarray:
    """Per package (rows of ``packages``), the deal samples in which every veto party accepts
    it — the plain evaluation the solver's answer is checked against."""
    out = np.zeros(len(packages), dtype=np.int64)
    if len(packages) == 0:
        return out
    cols = np.arange(m.base.n_issues)
    for g in groups:
        utils = np.zeros((len(packages), len(m.base.parties)), dtype=np.int64)
        for p, table in g.tables.items():
            utils[:, p] = table[cols[None, :], packages].sum(axis=1)
        ok = np.ones(len(packages), dtype=bool)
        for p, r in g.reservations.items():
            ok &= utils[:, p] >= r
        for bound in g.bounds:
            ok &= rules.evaluate_many(bound, packages, utils)
        out += g.weight * ok
    return out


class _Coverage(CpModel):
    """CP-SAT over the packages with one indicator per group of deal samples."""

    def __init__(self, m: Model, groups: Sequence[Group]) -> None:
        super().__init__(m.base, [], utility_parties=[])
        self.sizes = [int(n) for n in m.base.sizes]
        self._tables: dict[int, np.ndarray] = {}  # the group being compiled
        self._vars: dict[tuple[int, bytes], Any] = {}
        self._literals: dict[tuple, Any] = {}
        self.y = []
        for g in groups:
            y = self.model.new_bool_var("")
            self._tables = g.tables
            for p, r in g.reservations.items():
                self.model.add(self.utility(p) >= r).only_enforce_if(y)
            for bound in g.bounds:
                self._require(y, bound)
            self.y.append(y)
        self.objective = sum(g.weight * y for g, y in zip(groups, self.y, strict=True))

    def utility(self, p: int) -> Any:
        """``U[p]`` under the table of the group being compiled (one variable per table)."""
        table = self._tables[p]
        key = (p, table.tobytes())
        if key not in self._vars:
            rows = [table[i, :n] for i, n in enumerate(self.sizes)]
            u = self.model.new_int_var(
                sum(int(r.min()) for r in rows), sum(int(r.max()) for r in rows), f"U{p}"
            )
            self.model.add(
                u
                == sum(
                    int(v) * x
                    for r, xs in zip(rows, self.x, strict=True)
                    for v, x in zip(r, xs, strict=True)
                    if v
                )
            )
            self._vars[key] = u
        return self._vars[key]

    def _require(self, y: Any, bound: rules.Bound) -> None:
        m = self.model
        if isinstance(bound, rules.BAnd):
            for a in bound.args:
                self._require(y, a)
        elif isinstance(bound, rules.Member):
            m.add_bool_or([self.x[bound.issue][o] for o in sorted(bound.allowed)]).only_enforce_if(
                y
            )
        elif isinstance(bound, rules.UtilityAtom) and bound.op != "!=":
            m.add(self._compare(bound)).only_enforce_if(y)
        else:
            m.add_implication(y, self._literal(bound))

    def _literal(self, bound: rules.Bound) -> Any:
        parties = rules.parties_of(bound)
        key = (bound, tuple((p, self._tables[p].tobytes()) for p in sorted(parties)))
        if key not in self._literals:
            self._literals[key] = self.literal(bound)
        return self._literals[key]

    def fix(self, package: Sequence[int]) -> None:
        for xs, k in zip(self.x, package, strict=True):
            self.model.add(xs[k] == 1)


def robust_package(
    job: Job,
    deals: Sequence[int],
    candidates: np.ndarray,
    accepted: np.ndarray,
    time_limit: float = TIME_LIMIT,
) -> Robust:
    """The package accepted by every veto party in the most samples (``deals``: the samples with
    a deal; ``accepted``: each candidate's count, the fallback when the solver is stopped)."""
    m = model_for(job)
    groups = gather(job, deals)
    n_candidates = f"best of {len(candidates)} candidates"
    best_candidate = int(np.argmax(accepted)) if len(candidates) else None
    c_count = int(accepted[best_candidate]) if best_candidate is not None else 0
    if not groups:  # no sample has a deal: no package is ever accepted
        package = tuple(int(v) for v in candidates[0]) if len(candidates) else None
        return Robust(package, 0, 0, True, "exact", 0, 0)
    cp = _Coverage(m, groups)
    hint = [int(v) for v in candidates[best_candidate]] if best_candidate is not None else None
    params = {"max_deterministic_time": time_limit}
    solved = cp.solve(maximize=cp.objective, hint=hint, parameters=params)
    top = int(solved.bound) if solved.bound is not None else len(deals)
    if solved.package is None:  # nothing found within the limit: the candidates stand
        package = tuple(int(v) for v in candidates[best_candidate]) if hint else None
        return Robust(package, c_count, top, False, n_candidates, len(deals), len(groups))
    found = int(coverage(m, groups, np.array([solved.package]))[0])
    optimal = solved.status == "optimal" and found == solved.objective
    if c_count >= found:  # a candidate is as good: the first such candidate, in candidate order
        package = tuple(int(v) for v in candidates[best_candidate])  # type: ignore[index]
        method = "exact" if optimal else n_candidates
        return Robust(package, c_count, top, optimal, method, len(deals), len(groups))
    if not optimal:
        package = tuple(solved.package)
        method = "best found within the time limit"
        return Robust(package, found, top, False, method, len(deals), len(groups))
    # ties: the lexicographically smallest package covering as many samples
    cp.model.add(cp.objective >= found)
    package = list(solved.package)
    for i, xs in enumerate(cp.x):
        if package[i] == 0:
            cp.model.add(xs[0] == 1)
            continue
        step = cp.solve(
            maximize=-sum(o * x for o, x in enumerate(xs) if o),
            hint=package,
            parameters=params,
        )
        if step.package is not None:
            package = step.package
        cp.model.add(xs[package[i]] == 1)
    count = int(coverage(m, groups, np.array([package]))[0])
    assert count == found, (count, found)
    return Robust(tuple(package), found, top, True, "exact", len(deals), len(groups))
