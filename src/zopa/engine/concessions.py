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

from zopa.engine.sat import SatModel


@dataclass(frozen=True)
class McsResult:
    mcses: list[frozenset[int]]
    complete: bool
    complete_up_to: int  # every concession of at most this size was found


def enumerate_mcses(
    model: SatModel, limit: int | None = None, deadline: float | None = None
) -> McsResult:
    """Minimal correction subsets of ``model``'s constraints, in order of size."""
    from pysat.examples.rc2 import RC2
    from pysat.formula import WCNF

    wcnf = WCNF()
    for clause in model.clauses:
        wcnf.append(clause)
    for s in model.selectors:
        wcnf.append([s], weight=1)
    index = {s: c for c, s in enumerate(model.selectors)}
    found: list[frozenset[int]] = []
    with RC2(wcnf) as rc2:
        for assignment in rc2.enumerate(block=-1):
            dropped = frozenset(index[-lit] for lit in assignment if -lit in index)
            if not dropped:  # everything holds: no concession needed
                return McsResult([], True, 0)
            found.append(dropped)
            out_of_time = deadline is not None and time.monotonic() > deadline
            if (limit is not None and len(found) >= limit) or out_of_time:
                return McsResult(found, False, len(dropped) - 1)
    largest = max((len(m) for m in found), default=0)
    return McsResult(found, True, max(largest, len(model.selectors)))
