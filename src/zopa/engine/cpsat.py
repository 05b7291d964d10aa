"""Compile a problem to an OR-Tools CP-SAT model.

* one Boolean per option of each issue, exactly one per issue;
* one integer variable ``U[p]`` per party, ``U[p] = Σ q[p,i,o]·x[i,o]`` with the
  integer tables of :mod:`zopa.problem` (so every value is exact);
* each constraint of the agreement set is posted; nested rules are linked
  with reified constraints (a Member leaf needs no reification at all: with
  exactly one option per issue, ``b = Σ_{o∈S} x[i,o]`` is already Boolean).

CP-SAT reasons over integers exactly, so an ``OPTIMAL`` status is a proof.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zopa import rules, signals
from zopa.problem import Constraint, Problem

WORKERS = 1  # one worker gives the same package on every run (ties are common)
PRESOLVE = False  # measured: presolve costs more than it saves on these models


def cp_model_module() -> types.ModuleType:
    """OR-Tools' ``cp_model``, imported without loading pandas when that is safe.

    ``cp_model`` imports pandas (about 0.25 s, a third of the imports of a cold
    ``zopa analyze``) only for its ``*_series`` helpers, which zopa never
    calls; at import time it merely names ``pd.Index`` and ``pd.Series`` in
    annotations.  When pandas is not loaded yet and no other thread runs (so
    none can import pandas meanwhile), a stand-in with those two names takes
    its place while ``cp_model`` loads, and ``cp_model.pd`` then becomes a
    lazy import of the real pandas, so the helpers still work if called.
    """
    loaded = sys.modules.get("ortools.sat.python.cp_model")
    if loaded is not None:
        return loaded
    if "pandas" in sys.modules or threading.active_count() > 1:
        from ortools.sat.python import cp_model

        return cp_model
    stand_in = types.ModuleType("pandas")
    stand_in.Index = type("Index", (), {})  # type: ignore[attr-defined]
    stand_in.Series = type("Series", (), {})  # type: ignore[attr-defined]
    sys.modules["pandas"] = stand_in
    try:
        from ortools.sat.python import cp_model
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]
    cp_model.pd = _LazyPandas()  # type: ignore[attr-defined]
    return cp_model


class _LazyPandas:
    """Imports pandas on first use (see :func:`cp_model_module`)."""

    def __getattr__(self, name: str) -> Any:
        import pandas

        return getattr(pandas, name)


@dataclass(frozen=True)
class Solved:
    status: str  # "optimal", "feasible", "infeasible", "unknown"
    package: list[int] | None
    objective: int | None
    bound: int | None


class CpModel:
    """A CP-SAT model of the agreement set (or of any list of constraints)."""

    def __init__(
        self,
        problem: Problem,
        constraints: Sequence[Constraint] | None = None,
        utility_parties: Sequence[int] | None = None,
    ) -> None:
        cp_model = cp_model_module()
        self.cp = cp_model
        self.problem = problem
        self.model = cp_model.CpModel()
        m = self.model
        self.x = [
            [m.new_bool_var(f"x{i}_{o}") for o in range(int(n))]
            for i, n in enumerate(problem.sizes)
        ]
        for lits in self.x:
            m.add_exactly_one(lits)
        self.U: dict[int, Any] = {}
        parties = range(len(problem.parties)) if utility_parties is None else utility_parties
        for p in parties:
            self.utility(p)
        for c in problem.constraints if constraints is None else constraints:
            self.post(c.bound)

    def utility(self, p: int) -> Any:
        """The integer variable ``U[p]`` (created on first use)."""
        if p not in self.U:
            table = self.problem.tables[p]
            lo = sum(int(table[i, : len(xs)].min()) for i, xs in enumerate(self.x))
            hi = sum(int(table[i, : len(xs)].max()) for i, xs in enumerate(self.x))
            u = self.model.new_int_var(lo, hi, f"U{p}")
            self.model.add(
                u
                == sum(
                    int(table[i, o]) * x
                    for i, xs in enumerate(self.x)
                    for o, x in enumerate(xs)
                    if table[i, o]
                )
            )
            self.U[p] = u
        return self.U[p]

    # ------------------------------------------------------------------ rules

    def post(self, bound: rules.Bound) -> None:
        """Require ``bound`` to hold."""
        m = self.model
        if isinstance(bound, rules.BAnd):
            for a in bound.args:
                self.post(a)
        elif isinstance(bound, rules.Member):
            m.add_bool_or([self.x[bound.issue][o] for o in sorted(bound.allowed)])
        elif isinstance(bound, rules.UtilityAtom) and bound.op != "!=":
            m.add(self._compare(bound))
        else:
            m.add_bool_or([self.literal(bound)])

    def literal(self, bound: rules.Bound) -> Any:
        """A Boolean literal equivalent to ``bound``."""
        m = self.model
        if isinstance(bound, rules.Member):
            b = m.new_bool_var("")
            m.add(b == sum(self.x[bound.issue][o] for o in bound.allowed))
            return b
        if isinstance(bound, rules.UtilityAtom):
            return self._utility_literal(bound)
        if isinstance(bound, rules.BNot):
            return self.literal(bound.arg).Not()
        args = [self.literal(a) for a in bound.args]
        b = m.new_bool_var("")
        if isinstance(bound, rules.BAnd):
            for a in args:
                m.add_implication(b, a)
            m.add_bool_or([*(a.Not() for a in args), b])
        else:
            m.add_bool_or(args).only_enforce_if(b)
            for a in args:
                m.add_implication(a, b)
        return b

    def _compare(self, atom: rules.UtilityAtom) -> Any:
        return rules.compare(self.utility(atom.party), atom.op, atom.threshold)

    def _utility_literal(self, atom: rules.UtilityAtom) -> Any:
        m = self.model
        if atom.op in ("==", "!="):
            ge = self._utility_literal(rules.UtilityAtom(atom.party, ">=", atom.threshold))
            le = self._utility_literal(rules.UtilityAtom(atom.party, "<=", atom.threshold))
            eq = m.new_bool_var("")
            m.add_bool_and([ge, le]).only_enforce_if(eq)
            m.add_bool_or([ge.Not(), le.Not(), eq])
            return eq if atom.op == "==" else eq.Not()
        negation = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[atom.op]
        b = m.new_bool_var("")
        m.add(self._compare(atom)).only_enforce_if(b)
        m.add(
            self._compare(rules.UtilityAtom(atom.party, negation, atom.threshold))
        ).only_enforce_if(  # type: ignore[arg-type]
            b.Not()
        )
        return b

    # ------------------------------------------------------------------ solving

    def changes_from(self, package: Sequence[int | None]) -> Any:
        """Number of fixed issues of a (partial) package that a solution changes."""
        return sum(1 - self.x[i][k] for i, k in enumerate(package) if k is not None)

    def forbid_vector(self, parties: Sequence[int], values: Sequence[int]) -> None:
        """No solution may have exactly these utilities for these parties."""
        m = self.model
        flags = []
        for p, v in zip(parties, values, strict=True):
            b = m.new_bool_var("")
            m.add(self.utility(p) != v).only_enforce_if(b)
            flags.append(b)
        m.add_bool_or(flags)

    def solve(
        self,
        maximize: Any = None,
        time_limit: float | None = None,
        hint: Sequence[int] | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> Solved:
        """Solve (maximising ``maximize`` if given); ``parameters`` are extra CP-SAT settings."""
        cp = self.cp
        if maximize is not None:
            self.model.maximize(maximize)
        else:
            self.model.clear_objective()
        if hint is not None:
            self.model.clear_hints()
            for i, k in enumerate(hint):
                for o, x in enumerate(self.x[i]):
                    self.model.add_hint(x, o == k)
        solver = cp.CpSolver()
        solver.parameters.num_workers = WORKERS
        solver.parameters.cp_model_presolve = PRESOLVE
        # SIGINT is zopa's to handle (zopa.signals): CP-SAT's own handler would swallow it
        solver.parameters.catch_sigint_signal = False
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
        for key, value in (parameters or {}).items():
            setattr(solver.parameters, key, value)
        with signals.stops(solver.stop_search):  # a stop signal ends the search at once
            status = solver.solve(self.model)
        name = {
            cp.OPTIMAL: "optimal",
            cp.FEASIBLE: "feasible",
            cp.INFEASIBLE: "infeasible",
        }.get(status, "unknown")
        if maximize is None and name == "feasible":
            name = "optimal"  # a satisfaction problem is settled by any solution
        if name in ("optimal", "feasible"):
            package = [
                next(o for o, x in enumerate(xs) if solver.boolean_value(x)) for xs in self.x
            ]
            objective = round(solver.objective_value) if maximize is not None else None
            bound = round(solver.best_objective_bound) if maximize is not None else None
            return Solved(name, package, objective, bound)
        return Solved(name, None, None, None)
