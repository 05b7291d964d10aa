"""Inverse GMCR: over every strict ranking of one DM's states, how many make a state an equilibrium.

Kinsara, Kilgour & Hipel ("Inverse approach to the graph model for conflict
resolution", *IEEE Trans. SMC: Systems* 45(5), 2015) ask which preferences of a
decision maker ``v`` would make a chosen state ``s`` an equilibrium, with the
others' preferences as given.  Here that question is answered with exact counts
over all ``n!`` strict rankings of ``v``, without listing them:

* Whether ``s`` is Nash, GMR, SMR or SEQ stable *for v* depends only on which
  states ``v`` ranks above ``s`` (the set ``W``): Nash needs ``W ∩ R_v(s) = ∅``;
  GMR fails exactly when some move ``a ∈ W`` has every sanction in ``W`` too.
  By symmetry each set of ``k`` of the ``m`` relevant states lies above ``s`` in
  ``k!(m−k)!·n!/(m+1)!`` rankings, so counts follow from the relevant states alone:
  Nash has ``n!/(|R_v(s)|+1)``; GMR and SEQ count by inclusion–exclusion over
  ``v``'s moves (``Σ_T (−1)^{|T|} n!/(|U_T|+1)`` with ``U_T`` the moves in ``T``
  and all their sanctions); SMR by running through the subsets of the relevant
  states.
* Nash, GMR and SMR stability of the *other* DMs do not depend on ``v``'s
  preferences (sanctions are any moves); SEQ stability does, since ``v``'s
  sanctions must be improvements for ``v``.  With two DMs each of the other's
  improvements needs one of its credible sanctions ranked above it by ``v``:
  a condition checked when a state is placed, so a count over the orders of
  the relevant states by dynamic programming over subsets (placing states best
  first) is exact.  With more DMs, sanctions chain through several movers and
  the orders of the relevant states are run through one by one, within a limit.

Counts that would exceed a limit are left out and the reason is given.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from zopa.gmcr.model import GraphModel
from zopa.gmcr.reach import reachable_set
from zopa.gmcr.stability import NAMES, analyse

CONCEPTS = ("nash", "gmr", "smr", "seq")
MAX_SUBSET_STATES = 20  # relevant states for subset counts and the DP (2^20 subsets)
MAX_INCLUSION_MOVES = 20  # moves of v for inclusion–exclusion (2^20 terms)
MAX_ORDER_STATES = 8  # relevant states whose 8! orders are run through one by one
MAX_CONDITIONS = 8  # states or moves named in one condition in words


@dataclass
class Inverse:
    state: int
    vary: int
    rankings: int
    counts: dict[str, int] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    conditions: list[str] = field(default_factory=list)


def inverse(model: GraphModel, state: int, vary: int) -> Inverse:
    """Exact counts, per concept, of the strict rankings of DM ``vary`` making ``state`` an
    equilibrium (every other DM keeping its preferences)."""
    n = model.n
    out = Inverse(state, vary, math.factorial(n))
    units = model.units()
    others = [u for u in units if u.members != (vary,)]
    other_moves = [model.moves(u.mask) for u in others]
    other_imps = [model.improvements(u) for u in others]
    own = model.moves(model.dm_mask(vary))
    moves_v = [int(a) for a in own.targets(state)]
    sanctions = {a: reachable_set(n, other_moves, a) for a in moves_v}
    credible = {a: reachable_set(n, other_imps, a) for a in moves_v}
    base = analyse(model)  # the others' stability; v's own ranking is replaced below
    others_stable = {
        c: all(bool(u.stable[c][state]) for u in base.per_unit if u.unit.members != (vary,))
        for c in ("nash", "gmr", "smr")
    }
    fact = math.factorial

    # Nash
    out.counts["nash"] = fact(n) // (len(moves_v) + 1) if others_stable["nash"] else 0
    out.methods["nash"] = "closed form n!/(moves+1)"
    # GMR (v's part by inclusion–exclusion)
    for concept, table in (("gmr", sanctions), ("seq_v", credible)):
        events = [frozenset({a, *table[a]}) for a in moves_v if state not in table[a]]
        if len(events) > MAX_INCLUSION_MOVES:
            out.missing[concept] = (
                f"{len(events)} moves of {model.dms[vary].id} exceed the "
                f"inclusion–exclusion limit of {MAX_INCLUSION_MOVES}"
            )
            continue
        count = _avoid_supersets(n, events)
        if concept == "gmr":
            out.counts["gmr"] = count if others_stable["gmr"] else 0
            out.methods["gmr"] = f"inclusion–exclusion over {len(events)} moves"
        else:
            seq_v = count
    # SMR (v's part by subsets of the relevant states)
    if others_stable["smr"]:
        try:
            out.counts["smr"], out.methods["smr"] = _smr_count(model, state, vary, sanctions)
        except _Limit as err:
            out.missing["smr"] = str(err)
    else:
        out.counts["smr"], out.methods["smr"] = 0, "another DM is not SMR stable"
    # SEQ: v's part and the others' credible sanctions by v
    if "seq_v" in out.missing:
        out.missing["seq"] = out.missing.pop("seq_v")
    else:
        try:
            out.counts["seq"], out.methods["seq"] = _seq_count(model, state, vary, credible, seq_v)
        except _Limit as err:
            out.missing["seq"] = str(err)
    out.conditions = _conditions(model, state, vary, moves_v, sanctions, others_stable)
    return out


class _Limit(Exception):
    pass


def _avoid_supersets(n: int, events: list[frozenset[int]]) -> int:
    """Rankings in which no event set lies entirely above the focal state.

    Inclusion–exclusion: a given set of ``u`` states lies above the focal state in
    ``n!/(u+1)`` rankings; the signed terms are first summed by union size, so the
    (possibly huge) factorial is divided once per size.
    """
    signed: dict[int, int] = {}
    for r in range(len(events) + 1):
        for chosen in itertools.combinations(events, r):
            size = len(frozenset().union(*chosen))
            signed[size] = signed.get(size, 0) + (-1) ** r
    whole = math.factorial(n)
    return sum(k * (whole // (size + 1)) for size, k in signed.items() if k)


def _weights(n: int, m: int) -> np.ndarray:
    """Rankings of n states in which a given set of k of m relevant states is above the
    focal state (k = 0 … m)."""
    per = math.factorial(n) // math.factorial(m + 1)
    return np.array(
        [math.factorial(k) * math.factorial(m - k) * per for k in range(m + 1)], dtype=object
    )


def _smr_count(
    model: GraphModel, state: int, vary: int, sanctions: dict[int, set[int]]
) -> tuple[int, str]:
    own = model.moves(model.dm_mask(vary))
    # a sanction b works when neither b nor any move of v from b is above the state
    spoil = {
        b: ({b} | {int(y) for y in own.targets(b)}) - {state}
        for targets in sanctions.values()
        for b in targets
    }
    relevant = sorted(set(sanctions) | {x for h in spoil.values() for x in h})
    m = len(relevant)
    if m > MAX_SUBSET_STATES:
        raise _Limit(
            f"SMR needs the subsets of {m} relevant states; the limit is {MAX_SUBSET_STATES}"
        )
    bit = {x: 1 << k for k, x in enumerate(relevant)}
    subsets = np.arange(1 << m, dtype=np.int64)
    valid = np.ones(1 << m, dtype=bool)
    for a, targets in sanctions.items():
        deterred = np.zeros(1 << m, dtype=bool)
        for b in targets:
            mask = sum(bit[x] for x in spoil[b])
            deterred |= (subsets & mask) == 0
        valid &= ((subsets & bit[a]) == 0) | deterred
    sizes = np.bitwise_count(subsets) if hasattr(np, "bitwise_count") else _popcount(subsets)
    per_size = np.bincount(sizes[valid], minlength=m + 1)
    count = int(sum(int(c) * w for c, w in zip(per_size, _weights(model.n, m), strict=True)))
    return count, f"subsets of {m} relevant states"


def _popcount(x: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    y = x.copy()
    while y.any():
        out += y & 1
        y >>= 1
    return out


def _seq_count(
    model: GraphModel, state: int, vary: int, credible: dict[int, set[int]], seq_v: int
) -> tuple[int, str]:
    """Rankings making ``state`` SEQ stable for every DM (v's and the others' conditions)."""
    units = model.units()
    others = [u for u in units if u.members != (vary,)]
    pivot = {a: credible[a] for a in credible if state not in credible[a]}
    if len(units) == 2:
        (j,) = [u.members[0] for u in others]
        return _seq_two(model, state, vary, j, pivot)
    # more DMs: the others' credible sanctions may chain through v's improvements
    needs_v = _others_need_v(model, state, vary)
    if needs_v is None:  # the others are stable (or not) whatever v prefers
        imps = [model.improvements(u) for u in units]
        stable = all(_seq_at(model, state, u.members[0], imps, None) for u in others)
        return (seq_v if stable else 0), "inclusion–exclusion; the others do not depend on v"
    return _seq_by_orders(model, state, vary, pivot, needs_v)


def _seq_two(
    model: GraphModel, state: int, vary: int, j: int, pivot: dict[int, set[int]]
) -> tuple[int, str]:
    own = model.moves(model.dm_mask(vary))
    improvements_j = [int(a) for a in model.improvements(model.units()[j]).targets(state)]
    need: dict[int, set[int]] = {}  # j's improvement a needs one of these above a, for v
    for a in improvements_j:
        need[a] = {int(b) for b in own.targets(a) if model.ranks[j, b] <= model.ranks[j, state]}
        if not need[a]:
            return 0, f"{model.dms[j].id} has an improvement no move of v can deter"
    relevant = sorted(
        {state, *pivot, *(b for t in pivot.values() for b in t), *need}
        | {b for t in need.values() for b in t}
    )
    m = len(relevant)
    if m > MAX_SUBSET_STATES:
        raise _Limit(
            f"SEQ needs the orders of {m} relevant states; the limit is {MAX_SUBSET_STATES}"
        )
    bit = {x: 1 << k for k, x in enumerate(relevant)}
    above_ok = {  # placed before x (above it in v's ranking)
        bit[a]: sum(bit[b] for b in bs) for a, bs in need.items()
    }
    events = [(bit[a], sum(bit[b] for b in bs)) for a, bs in pivot.items()]
    count = _count_orders(m, bit[state], events, above_ok)
    total = count * math.factorial(model.n) // math.factorial(m)
    return total, f"dynamic programming over the orders of {m} relevant states"


def _count_orders(m: int, pivot: int, events: list[tuple[int, int]], need: dict[int, int]) -> int:
    """Orders (best first) of m states in which, when the pivot is placed, no event
    (a move a already placed with all its sanctions placed) holds, and each state
    with a ``need`` mask is placed after at least one state of that mask."""
    size = 1 << m
    dp = np.zeros(size, dtype=np.uint64)
    dp[0] = 1
    subsets = np.arange(size, dtype=np.int64)
    pivot_ok = np.ones(size, dtype=bool)
    for a, sanctions in events:
        pivot_ok &= ~(((subsets & a) != 0) & ((subsets & sanctions) == sanctions))
    sizes = np.bitwise_count(subsets) if hasattr(np, "bitwise_count") else _popcount(subsets)
    layers = np.argsort(sizes, kind="stable")
    bounds = np.searchsorted(sizes[layers], np.arange(m + 2))
    for k in range(m):
        layer = layers[bounds[k] : bounds[k + 1]]
        for x in range(m):
            b = 1 << x
            sel = layer[(layer & b) == 0]
            if b == pivot:
                sel = sel[pivot_ok[sel]]
            elif b in need:
                sel = sel[(sel & need[b]) != 0]
            dp[sel | b] += dp[sel]
    return int(dp[size - 1])


def _others_need_v(model: GraphModel, state: int, vary: int) -> set[int] | None:
    """States whose order in v's ranking can matter to the others' SEQ stability at
    ``state``, or None when v's improvements never enter their sanctions."""
    units = model.units()
    v_moves = model.moves(model.dm_mask(vary))
    touched: set[int] = set()
    for u in units:
        if u.members == (vary,):
            continue
        if not len(model.improvements(u).targets(state)):
            continue
        # explore with every v move allowed: an upper bound on what v's improvements can add
        movers = [
            v_moves if w.members == (vary,) else model.improvements(w) for w in units if w != u
        ]
        region = set()
        for a in model.improvements(u).targets(state):
            region |= reachable_set(model.n, movers, int(a)) | {int(a)}
        for x in region:
            for y in v_moves.targets(x):
                touched |= {x, int(y)}
    return touched or None


def _seq_by_orders(
    model: GraphModel, state: int, vary: int, pivot: dict[int, set[int]], touched: set[int]
) -> tuple[int, str]:
    relevant = sorted(touched | {state} | set(pivot) | {b for t in pivot.values() for b in t})
    m = len(relevant)
    if m > MAX_ORDER_STATES:
        raise _Limit(
            f"SEQ with {len(model.dms)} decision makers runs through the orders of the "
            f"relevant states; {m} states exceed the limit of {MAX_ORDER_STATES}"
        )
    units = model.units()
    v_moves = model.moves(model.dm_mask(vary))
    fixed = {k: model.improvements(u) for k, u in enumerate(units) if u.members != (vary,)}
    ranks = np.full(model.n, -1, dtype=np.int64)  # states that cannot matter rank lowest
    good = 0
    for order in itertools.permutations(relevant):
        ranks[list(order)] = np.arange(m, 0, -1)  # best first
        better = ranks[v_moves.dst] > ranks[v_moves.src]
        imps = [fixed.get(k) or v_moves.subset(better) for k in range(len(units))]
        good += all(
            _seq_at(model, state, k, imps, ranks if units[k].members == (vary,) else None)
            for k in range(len(units))
        )
    total = good * math.factorial(model.n) // math.factorial(m)
    return total, f"all {math.factorial(m):,} orders of {m} relevant states"


def _seq_at(model: GraphModel, state: int, k: int, imps: list, ranks: np.ndarray | None) -> bool:
    """SEQ stability of ``state`` for DM ``k`` given every mover's improvements."""
    r = model.ranks[k] if ranks is None else ranks
    movers = [mv for j, mv in enumerate(imps) if j != k]
    for a in imps[k].targets(state):
        if not any(r[b] <= r[state] for b in reachable_set(model.n, movers, int(a))):
            return False
    return True


def _conditions(
    model: GraphModel,
    state: int,
    vary: int,
    moves_v: list[int],
    sanctions: dict[int, set[int]],
    others_stable: dict[str, bool],
) -> list[str]:
    """The simple conditions, in words."""
    v = model.dms[vary].id
    s = model.text(state)
    out = []
    if moves_v:
        listed = ", ".join(model.text(a) for a in moves_v[:MAX_CONDITIONS])
        more = f" and {len(moves_v) - MAX_CONDITIONS} more" if len(moves_v) > MAX_CONDITIONS else ""
        out.append(f"Nash: {v} ranks {s} above each of {listed}{more}.")
    else:
        out.append(f"Nash: {v} cannot move from {s}; every ranking makes it stable for {v}.")
    for k, a in enumerate(moves_v):
        t = model.text(a)
        if k == MAX_CONDITIONS:
            out.append(f"GMR: and likewise for {len(moves_v) - k} more moves of {v}.")
            break
        if state in sanctions[a]:
            out.append(f"GMR: the move to {t} is always deterred (the others can return to {s}).")
        elif not sanctions[a]:
            out.append(f"GMR: {v} ranks {s} above {t} (the others cannot respond).")
        elif len(sanctions[a]) <= MAX_CONDITIONS:
            listed = ", ".join(model.text(b) for b in sorted(sanctions[a]))
            out.append(
                f"GMR: {v} ranks {s} above {t}, or ranks one of {listed} no higher than {s}."
            )
        else:
            out.append(
                f"GMR: {v} ranks {s} above {t}, or ranks one of the {len(sanctions[a])} states "
                f"the others can reach from {t} no higher than {s}."
            )
    for concept, ok in others_stable.items():
        if not ok:
            name = NAMES[concept]
            out.append(
                f"{name}: another decision maker is not {name} stable at {s} whatever {v} "
                "prefers, so no ranking makes it an equilibrium."
            )
    return out
