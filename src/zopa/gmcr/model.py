"""A graph model in option form: decision makers, options, feasible states, moves.

The Graph Model for Conflict Resolution (Kilgour, Hipel & Fang, *Automatica* 23,
1987; Fang, Hipel & Kilgour, *Interactive Decision Making*, Wiley 1993) describes a
conflict by its decision makers (DMs), the states it can be in, which DM can move
the conflict from which state to which, and how each DM ranks the states.  In
*option form* each DM controls a few yes/no options; a state says which options
are chosen, written as a string of ``Y`` and ``N`` over all options in the order
declared (decision makers in order, each one's options in order).

Here a state is held as an integer *code*: bit ``k`` is option ``k``.  Sorting
the codes numbers the states as GMCR II does (the first option is the least
significant digit).  A DM's **unilateral move** changes any non-empty set of its
own options, provided the result is feasible and no irreversible option goes the
forbidden way (``fwd``: once taken it cannot be undone; ``back``: once given up it
cannot be taken again).  Moves are held as sparse Boolean matrices in edge-list
form (sources sorted, with row pointers), which keeps memory proportional to
the number of moves rather than to the square of the number of states
(Xu, Hipel, Kilgour & Fang, *Conflict Resolution Using the Graph Model*,
Springer 2018, ch. 3, hold them as dense ``n × n`` matrices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

MAX_OPTIONS = 20  # 2^20 states; a dense code -> state table stays at 4 MB
MAX_MOVES = 40_000_000  # unilateral moves of one mover: memory stays below ~1 GB


class ModelLimit(Exception):
    """The model is too large for a limit of this implementation (exit 3)."""


@dataclass(frozen=True)
class DecisionMaker:
    id: str
    name: str
    options: tuple[int, ...]  # indices into GraphModel.options


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    dm: int  # index of the decision maker who controls it


@dataclass(frozen=True)
class Moves:
    """One mover's moves (or improvements) as a sparse Boolean matrix in CSR form."""

    src: np.ndarray  # int64, sorted
    dst: np.ndarray  # int64
    indptr: np.ndarray  # int64, n + 1

    @classmethod
    def from_edges(cls, n: int, src: np.ndarray, dst: np.ndarray, ordered: bool = False) -> Moves:
        """From edge lists; ``ordered`` when ``src`` is already sorted."""
        if not ordered:
            order = np.argsort(src, kind="stable")
            src, dst = src[order], dst[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        return cls(src.astype(np.int64), dst.astype(np.int64), indptr)

    def subset(self, keep: np.ndarray) -> Moves:
        """The moves where ``keep`` (one flag per move) is true."""
        n = len(self.indptr) - 1
        return Moves.from_edges(n, self.src[keep], self.dst[keep], ordered=True)

    @property
    def count(self) -> int:
        return len(self.src)

    def targets(self, state: int) -> np.ndarray:
        return self.dst[self.indptr[state] : self.indptr[state + 1]]

    def any_from(self) -> np.ndarray:
        """Which states have at least one move."""
        return np.diff(self.indptr) > 0


@dataclass(frozen=True)
class Unit:
    """Who moves: one decision maker, or a coalition moving as one (Kilgour et al. 2001).

    A coalition controls the union of its members' options; a move is an
    *improvement* for it when it is strictly better for every member.
    """

    id: str
    members: tuple[int, ...]
    mask: int  # the options it controls, as a bit mask


@dataclass(eq=False)
class GraphModel:
    """A graph model with every feasible state and every DM's ranking of them.

    ``ranks[i, s]`` is DM ``i``'s rank of state ``s``: larger is preferred, equal
    ranks are ties.  ``status_quo`` is a state index or None.
    """

    id: str
    title: str | None
    dms: tuple[DecisionMaker, ...]
    options: tuple[Option, ...]
    codes: np.ndarray  # int64, sorted: the feasible states
    ranks: np.ndarray  # int64 (DMs, states)
    fwd: int = 0
    back: int = 0
    status_quo: int | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    description: str | None = None

    # ----------------------------------------------------------------- states

    @property
    def n(self) -> int:
        return len(self.codes)

    @property
    def m(self) -> int:
        return len(self.options)

    @cached_property
    def lookup(self) -> np.ndarray:
        """State index of every code (−1: infeasible)."""
        table = np.full(1 << self.m, -1, dtype=np.int64)
        table[self.codes] = np.arange(self.n)
        return table

    def dm_mask(self, dm: int) -> int:
        return sum(1 << k for k in self.dms[dm].options)

    def text(self, state: int) -> str:
        """The Y/N string of a state."""
        return code_text(int(self.codes[state]), self.m)

    def index(self, text: str) -> int | None:
        """The state of a Y/N string, or None when it is not a feasible state."""
        code = text_code(text)
        if code is None or len(text) != self.m:
            return None
        k = int(self.lookup[code])
        return k if k >= 0 else None

    def chosen(self, state: int, dm: int) -> list[str]:
        """The ids of the options ``dm`` has chosen at ``state``."""
        code = int(self.codes[state])
        return [self.options[k].id for k in self.dms[dm].options if code >> k & 1]

    def dm_index(self, dm_id: str) -> int:
        return next(k for k, d in enumerate(self.dms) if d.id == dm_id)

    # ----------------------------------------------------------------- movers

    def units(self, coalitions: list[tuple[int, ...]] = ()) -> list[Unit]:
        """The movers: each coalition as one, then every DM outside the coalitions."""
        inside = {i for c in coalitions for i in c}
        out = [
            Unit("+".join(self.dms[i].id for i in c), tuple(c), sum(self.dm_mask(i) for i in c))
            for c in coalitions
        ]
        order = {c[0]: u for c, u in zip(coalitions, out, strict=True)}
        units: list[Unit] = []
        for i in range(len(self.dms)):  # keep declaration order: a coalition at its first member
            if i in order:
                units.append(order[i])
            elif i not in inside:
                units.append(Unit(self.dms[i].id, (i,), self.dm_mask(i)))
        return units

    def moves(self, mask: int) -> Moves:
        """Unilateral moves of a mover controlling the options in ``mask``."""
        cached = self._moves_cache.get(mask)
        if cached is None:
            cached = self._moves_cache[mask] = _moves(self, mask)
        return cached

    @cached_property
    def _moves_cache(self) -> dict[int, Moves]:
        return {}

    def improvements(self, unit: Unit) -> Moves:
        """The unit's unilateral improvements: moves strictly better for every member."""
        mv = self.moves(unit.mask)
        better = np.ones(mv.count, dtype=bool)
        for i in unit.members:
            better &= self.ranks[i, mv.dst] > self.ranks[i, mv.src]
        return mv.subset(better)


def code_text(code: int, m: int) -> str:
    return "".join("Y" if code >> k & 1 else "N" for k in range(m))


def text_code(text: str) -> int | None:
    """The code of a Y/N string (None when it has other characters)."""
    if any(ch not in "YN" for ch in text):
        return None
    return sum(1 << k for k, ch in enumerate(text) if ch == "Y")


def _submasks(mask: int) -> list[int]:
    """Every subset of the bits of ``mask`` (including 0 and ``mask``)."""
    out, sub = [], mask
    while True:
        out.append(sub)
        if sub == 0:
            return sorted(out)
        sub = (sub - 1) & mask


def _moves(model: GraphModel, mask: int) -> Moves:
    """All changes of the options in ``mask`` from every state that land on a feasible state."""
    subs = _submasks(mask)
    if model.n * (len(subs) - 1) > MAX_MOVES:
        raise ModelLimit(
            f"a mover with {mask.bit_count()} options has up to "
            f"{model.n * (len(subs) - 1):,} moves; the limit is {MAX_MOVES:,}"
        )
    codes = model.codes
    sub = np.array(subs, dtype=np.int64)
    target = (codes & ~mask)[:, None] | sub[None, :]  # (states, settings of the mover's options)
    changed = (codes[:, None] ^ target) & mask
    ok = changed != 0
    ok &= (codes[:, None] & changed & model.fwd) == 0  # a fwd option once taken stays taken
    ok &= (~codes[:, None] & changed & model.back) == 0  # a back option once dropped stays so
    idx = model.lookup[target]
    ok &= idx >= 0
    src, _ = np.nonzero(ok)  # row-major: sources come out sorted
    return Moves.from_edges(model.n, src, idx[ok], ordered=True)


def dense_ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks 0, 1, … by increasing score, equal scores sharing a rank."""
    _, inverse = np.unique(scores, return_inverse=True)
    return inverse.astype(np.int64).reshape(scores.shape)
