"""All concessions: the minimal correction subsets (MCSes), smallest first.

A concession is a minimal set of constraints whose removal makes the agreement
set non-empty.  They are enumerated in order of size by MaxSAT: each
constraint's selector is a soft clause of weight 1, so an optimal MaxSAT model
drops a *minimum* correction set; blocking it (at least one of its constraints
must be kept from now on) and solving again gives the next smallest, and so
on (the "MCS enumeration by MaxSAT" scheme; see Marques-Silva et al., "On
computing minimal correction subsets", IJCAI 2013, and Morgado et al.,
"Iterative and core-guided MaxSAT solving", *Constraints* 18(4), 2013).  The
MaxSAT solver is RC2 (Ignatiev, Morgado & Marques-Silva, *JSAT* 11, 2019).

Each answer is minimal: a proper subset would be a cheaper correction set that
no blocking clause forbids.  Because sizes never decrease, a run stopped by a
limit still returns every concession smaller than the last size reached.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from zopa.engine.sat import SatModel


@dataclass(frozen=True)
class McsResult:
    mcses: list[frozenset[int]]
    complete: bool
    complete_up_to: int  # every concession of at most this size was found


def enumerate_mcses(
    model: SatModel,
    universe: list[int] | None = None,
    limit: int | None = None,
    deadline: float | None = None,
) -> McsResult:
    """Minimal correction subsets of ``model``'s constraints in ``universe``, by size.

    Constraints outside ``universe`` are simply not required (their selectors
    stay free).
    """
    from pysat.examples.rc2 import RC2
    from pysat.formula import WCNF

    wcnf = WCNF()
    for clause in model.clauses:
        wcnf.append(clause)
    chosen = range(len(model.selectors)) if universe is None else universe
    for c in chosen:
        wcnf.append([model.selectors[c]], weight=1)
    index = {model.selectors[c]: c for c in chosen}
    found: list[frozenset[int]] = []
    if deadline is not None and time.monotonic() > deadline:
        return McsResult([], False, 0)
    with RC2(wcnf) as rc2:
        # RC2 enumerates smallest first; a timer interrupts a MaxSAT call that runs past the
        # deadline (the call then yields nothing, so nothing unproven is reported)
        timer = _interrupt_at(rc2, deadline)
        try:
            for assignment in rc2.enumerate(block=-1, expect_interrupt=timer is not None):
                dropped = frozenset(index[-lit] for lit in assignment if -lit in index)
                if not dropped:  # everything holds: no concession needed
                    return McsResult([], True, 0)
                found.append(dropped)
                out_of_time = deadline is not None and time.monotonic() > deadline
                if (limit is not None and len(found) >= limit) or out_of_time:
                    return McsResult(found, False, len(dropped) - 1)
        finally:
            if timer is not None:
                timer.cancel()
        if timer is not None and (rc2.interrupted or time.monotonic() > deadline):  # type: ignore[operator]
            last = len(found[-1]) if found else 1
            return McsResult(found, False, last - 1)
    return McsResult(found, True, len(chosen))


def _interrupt_at(rc2: Any, deadline: float | None) -> Any:
    """A started timer that interrupts ``rc2`` at ``deadline`` (None without a deadline)."""
    import threading

    if deadline is None:
        return None
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), rc2.interrupt)
    timer.daemon = True
    timer.start()
    return timer


def hitting_sets(
    conflicts: list[frozenset[int]], limit: int | None = None, deadline: float | None = None
) -> McsResult:
    """Concessions from a *complete* list of conflicts, smallest first.

    The minimal correction sets are exactly the minimal hitting sets of the
    minimal unsatisfiable sets (Reiter, "A theory of diagnosis from first
    principles", *Artificial Intelligence* 32, 1987; Liffiton & Sakallah,
    *J. Automated Reasoning* 40, 2008), so once every conflict is known the
    concessions need no further SAT calls on the scenario: PySAT's ``Hitman``
    enumerates the minimal hitting sets in order of size.
    """
    from pysat.examples.hitman import Hitman

    if not conflicts:
        return McsResult([], True, 0)
    found: list[frozenset[int]] = []
    with Hitman(bootstrap_with=[sorted(c) for c in conflicts], htype="sorted") as hitman:
        for hs in hitman.enumerate():
            found.append(frozenset(hs))
            out_of_time = deadline is not None and time.monotonic() > deadline
            if (limit is not None and len(found) >= limit) or out_of_time:
                return McsResult(found, False, len(hs) - 1)
    return McsResult(found, True, max(len(m) for m in found))
