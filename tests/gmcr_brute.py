"""Direct transcriptions of the GMCR stability definitions (small models only).

Nothing here uses :mod:`zopa.gmcr`'s moves, reachability or matrices: states are
Y/N codes, moves are found by trying every state, reachable sets by following
legal sequences one move at a time, and each concept is its logical definition
(Fang, Hipel & Kilgour 1993) written out with ``all`` and ``any``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from zopa.gmcr.model import GraphModel

Unit = tuple[int, ...]  # the decision makers moving as one


def mask(model: GraphModel, unit: Unit) -> int:
    return sum(1 << k for i in unit for k in model.dms[i].options)


def moves(model: GraphModel, unit: Unit, s: int) -> list[int]:
    """States the unit can move to from ``s``: change its options, stay feasible, obey fwd/back."""
    out = []
    cs = int(model.codes[s])
    m = mask(model, unit)
    for t, ct in enumerate(int(c) for c in model.codes):
        changed = cs ^ ct
        if t == s or changed & ~m:
            continue
        if cs & changed & model.fwd or ~cs & changed & model.back:
            continue
        out.append(t)
    return out


def better(model: GraphModel, unit: Unit, x: int, y: int) -> bool:
    """``x`` is strictly better than ``y`` for every member."""
    return all(model.ranks[i, x] > model.ranks[i, y] for i in unit)


def improvements(model: GraphModel, unit: Unit, s: int) -> list[int]:
    return [t for t in moves(model, unit, s) if better(model, unit, t, s)]


def reach(model: GraphModel, units: Sequence[Unit], s: int, credible: bool) -> set[int]:
    """States at the end of a non-empty legal sequence of the units' moves (or improvements)."""
    step = improvements if credible else moves
    seen: set[tuple[int, int]] = set()
    todo = [(t, j) for j, u in enumerate(units) for t in step(model, u, s)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        x, last = node
        todo += [(t, j) for j, u in enumerate(units) if j != last for t in step(model, u, x)]
    return {x for x, _ in seen}


def combine(model: GraphModel, parts: Sequence[tuple[Unit, int]], base: int) -> int | None:
    """The state where each unit holds its options from its own state, the rest from ``base``."""
    code = int(model.codes[base])
    for unit, state in parts:
        m = mask(model, unit)
        code = (code & ~m) | (int(model.codes[state]) & m)
    hits = [k for k, c in enumerate(model.codes) if int(c) == code]
    return hits[0] if hits else None


def stable(model: GraphModel, units: Sequence[Unit], k: int, s: int, concept: str) -> bool:
    """Whether state ``s`` is stable for ``units[k]`` under ``concept``, by definition."""
    u = units[k]
    others = [o for j, o in enumerate(units) if j != k]

    def ok(x: int) -> bool:  # s ≿_u x: x is not better than s for every member
        return not better(model, u, x, s)

    def gmr(s1: int) -> bool:
        return any(ok(s2) for s2 in reach(model, others, s1, False))

    def smr(s1: int) -> bool:
        return any(
            ok(s2) and all(ok(s3) for s3 in moves(model, u, s2))
            for s2 in reach(model, others, s1, False)
        )

    def seq(s1: int) -> bool:
        return any(ok(s2) for s2 in reach(model, others, s1, True))

    def sim(s1: int) -> bool:
        choices = [[None, *improvements(model, o, s)] for o in others]
        for pick in itertools.product(*choices):
            movers = [(o, t) for o, t in zip(others, pick, strict=True) if t is not None]
            if not movers:
                continue
            x = combine(model, [(u, s1), *movers], s)
            if x is not None and ok(x):
                return True
        return False

    deterrent = {
        "nash": lambda s1: False,
        "gmr": gmr,
        "smr": smr,
        "seq": seq,
        "sim": sim,
        "seq_sim": lambda s1: seq(s1) or sim(s1),
    }[concept]
    return all(deterrent(s1) for s1 in improvements(model, u, s))


def equilibria(model: GraphModel, units: Sequence[Unit], concept: str) -> list[int]:
    return [
        s
        for s in range(model.n)
        if all(stable(model, units, k, s, concept) for k in range(len(units)))
    ]
