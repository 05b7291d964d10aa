"""All conflicts: the minimal unsatisfiable subsets (MUSes) of the constraints.

Algorithm: MARCO (Liffiton, Previti, Malik & Marques-Silva, "Fast, flexible MUS
enumeration", *Constraints* 21(2), 2016).  A *map* solver over one Boolean per
constraint holds the subsets not yet explored.  Each round takes an unexplored
subset (biased towards maximal ones) and asks the SAT oracle about it:

* satisfiable → *grow* it to a maximal satisfiable subset (using each model to
  add every constraint it happens to satisfy) and block all of its subsets;
* unsatisfiable → *shrink* it to a MUS by deletion, refining with the
  oracle's unsatisfiable cores (Marques-Silva & Lynce's core-guided
  deletion), and block all of its supersets.

When the map is exhausted every MUS has been found.  A limit on count or time
stops early with ``complete = False``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from zopa.engine.sat import SatSolver


@dataclass(frozen=True)
class MusResult:
    muses: list[frozenset[int]]  # constraint indices
    complete: bool
    oracle_calls: int


def enumerate_muses(
    oracle: SatSolver,
    universe: list[int],
    limit: int | None = None,
    deadline: float | None = None,
    known: list[frozenset[int]] = (),
) -> MusResult:
    """Every minimal unsatisfiable subset of the oracle's constraints in ``universe``.

    ``known`` MUSes (found for another subset of the same oracle's constraints)
    are taken as found when they lie inside ``universe``: being a MUS does not
    depend on the other constraints, and blocking their supersets up front
    leaves MARCO only the rest to discover.
    """
    muses = list(_marco(oracle, universe, limit, deadline, known))
    stopped = muses and muses[-1] is None
    found = [m for m in muses if m is not None]
    return MusResult(found, not stopped, oracle.calls)


def _marco(
    oracle: SatSolver,
    universe: list[int],
    limit: int | None,
    deadline: float | None,
    known: list[frozenset[int]] = (),
) -> Iterator[frozenset[int] | None]:
    """Yield MUSes; yield None once if a limit stops the enumeration.

    Map variable ``k + 1`` stands for constraint ``universe[k]`` of the oracle.
    """
    from pysat.solvers import Solver

    n = len(universe)
    if n == 0:
        return
    slot = {c: k for k, c in enumerate(universe)}
    found = 0
    with Solver(name="g4") as map_solver:
        map_solver.set_phases(list(range(1, n + 1)))  # prefer large seeds: fewer grow steps
        inside = set(universe)
        for mus in known:
            if mus <= inside and (limit is None or found < limit):
                map_solver.add_clause([-(slot[c] + 1) for c in mus])
                found += 1
                yield mus
        while map_solver.solve():
            if (limit is not None and found >= limit) or (
                deadline is not None and time.monotonic() > deadline
            ):
                yield None
                return
            model = map_solver.get_model()
            seed = [universe[k] for k in range(n) if model[k] > 0]
            if oracle.check(seed):
                mss = _grow(oracle, seed, universe, deadline)
                if mss is None:  # out of time: a set not proven maximal blocks nothing
                    yield None
                    return
                outside = [slot[c] + 1 for c in universe if c not in mss]
                if not outside:  # every constraint holds together: nothing left
                    return
                map_solver.add_clause(outside)
            else:
                mus = _shrink(oracle, oracle.core(), deadline)
                if mus is None:  # out of time: a core not proven minimal is no conflict
                    yield None
                    return
                map_solver.add_clause([-(slot[c] + 1) for c in mus])
                found += 1
                yield frozenset(mus)


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _grow(
    oracle: SatSolver, seed: list[int], universe: list[int], deadline: float | None = None
) -> set[int] | None:
    """A maximal satisfiable superset (within ``universe``) of a satisfiable ``seed``;
    None when the deadline passes first."""
    inside = set(universe)
    current = set(seed) | (oracle.satisfied() & inside)
    for c in universe:
        if _late(deadline):
            return None
        if c not in current and oracle.check([*current, c]):
            current |= {c} | (oracle.satisfied() & inside)
    return current


def _shrink(oracle: SatSolver, core: list[int], deadline: float | None = None) -> list[int] | None:
    """A minimal unsatisfiable subset of an unsatisfiable ``core`` (deletion-based);
    None when the deadline passes first."""
    mus = list(core)
    k = 0
    while k < len(mus):
        if _late(deadline):
            return None
        trial = mus[:k] + mus[k + 1 :]
        if oracle.check(trial):
            k += 1  # mus[k] is needed
        else:
            smaller = set(oracle.core())
            mus = [c for c in trial if c in smaller]
    return mus
