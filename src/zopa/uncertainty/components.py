"""Exact conflicts of red lines that fall apart into small independent components.

Red lines that name no ``utility(...)`` are constraints on the issues they
name.  Two red lines sharing an issue are *connected*; a connected group and
its issues form a **component**.  A conflict (minimal unsatisfiable subset)
never spans two components — if it did, its parts would share no issue, so
one part alone would be unsatisfiable and the conflict not minimal — so the
conflicts of all red lines are the union of each component's, and the
maximal satisfiable subsets (MSSes) are the products of each component's.

A component is small in practice (a handful of red lines on one or two
issues), so it is solved **by enumeration**: every combination of its issues'
options is scored with a bitmask of the red lines it satisfies.  A set ``S``
of red lines is satisfiable iff some combination's mask contains ``S``; the
conflicts and MSSes of the firm red lines follow from the distinct masks by
bit operations.  Only the red lines' *signature* matters — which are firm,
and which grid interval each uncertain threshold fell into — so results are
cached by signature and most samples cost a dictionary look-up.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from zopa import rules

MAX_COMBINATIONS = 200_000  # option combinations enumerated per component
MAX_RED_LINES = 12  # red lines per component (subsets are enumerated as bitmasks)


@dataclass(frozen=True)
class Part:
    """One maximal satisfiable subset of a component's firm red lines and its region."""

    mask: int  # local bitmask of the red lines kept
    allowed: np.ndarray  # which combinations satisfy all of them


@dataclass(frozen=True)
class Outcome:
    """The exact analysis of one component under one signature."""

    conflicts: list[int]  # local bitmasks of the minimal unsatisfiable subsets
    parts: list[Part]  # the MSSes; exactly one, the whole firm set, when it is satisfiable
    conflict_lines: frozenset[int] = frozenset()  # the caller's red lines in some conflict

    @property
    def feasible(self) -> bool:
        return not self.conflicts


@dataclass
class Component:
    """Issues joined by red lines, and every combination of their options."""

    issues: list[int]
    members: list[int]  # indices of the red lines (in the caller's list)
    combos: np.ndarray  # (combinations, issues): option indices
    packages: np.ndarray  # (combinations, all issues): the combinations, other issues 0
    _sat: dict[tuple[int, tuple], np.ndarray] = field(default_factory=dict, repr=False)
    _outcomes: dict[tuple, Outcome] = field(default_factory=dict, repr=False)

    def satisfied(self, k: int, key: tuple, bind: Callable[[], rules.Bound]) -> np.ndarray:
        """Which combinations satisfy member ``k`` bound under threshold class ``key``."""
        cached = self._sat.get((k, key))
        if cached is None:
            bound = bind()
            cached = rules.evaluate_many(bound, self.packages)
            self._sat[(k, key)] = cached
        return cached

    def outcome(self, signature: tuple, masks: np.ndarray | None) -> Outcome:
        """The outcome for ``signature`` (firm mask, threshold classes); ``masks`` are the
        per-combination bitmasks, needed only the first time a signature is seen."""
        found = self._outcomes.get(signature)
        if found is None:
            assert masks is not None
            found = analyse(signature[0], masks)
            union = 0
            for c in found.conflicts:
                union |= c
            lines = frozenset(k for b, k in enumerate(self.members) if union >> b & 1)
            found = self._outcomes[signature] = Outcome(found.conflicts, found.parts, lines)
        return found

    def known(self, signature: tuple) -> bool:
        return signature in self._outcomes


def components(
    sizes: Sequence[int],
    red_issues: Sequence[frozenset[int]],
    fixed: Sequence[int | None] | None = None,
) -> list[Component] | None:
    """Split issues into components joined by red lines (each red line given by the issues it
    names); issues no red line names are components of their own.  ``fixed`` restricts issues
    to one option.  None when a component is too large to enumerate."""
    n = len(sizes)
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for named in red_issues:
        first, *rest = sorted(named) or [None]
        for other in rest:
            parent[find(other)] = find(first)  # type: ignore[arg-type]
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out = []
    for issues in groups.values():
        members = [
            k for k, named in enumerate(red_issues) if named and find(min(named)) == find(issues[0])
        ]
        options = [
            [fixed[i]] if fixed is not None and fixed[i] is not None else range(int(sizes[i]))
            for i in issues
        ]
        count = int(np.prod([len(o) for o in options]))
        if count > MAX_COMBINATIONS or len(members) > MAX_RED_LINES:
            return None
        combos = np.array(list(itertools.product(*options)), dtype=np.int64).reshape(
            -1, len(issues)
        )
        packages = np.zeros((len(combos), n), dtype=np.int64)
        packages[:, issues] = combos
        out.append(Component(issues, members, combos, packages))
    return out


def analyse(firm: int, masks: np.ndarray) -> Outcome:
    """Conflicts and MSSes of the red lines in ``firm`` (a bitmask), from the bitmask of red lines
    each combination satisfies.  A set is satisfiable iff it is inside some combination's mask."""
    seen = sorted({int(m) & firm for m in masks}, reverse=True)
    maximal = [m for m in seen if not any(o != m and o & m == m for o in seen)]

    def satisfiable(s: int) -> bool:
        return any(m & s == s for m in maximal)

    if satisfiable(firm):
        return Outcome([], [Part(firm, (masks & firm) == firm)])
    bits = [b for b in range(firm.bit_length()) if firm >> b & 1]
    conflicts: list[int] = []
    for size in range(1, len(bits) + 1):
        for chosen in itertools.combinations(bits, size):
            s = sum(1 << b for b in chosen)
            if any(c & s == c for c in conflicts) or satisfiable(s):
                continue  # contains a smaller conflict, or no conflict at all
            conflicts.append(s)
    parts = [Part(m, (masks & m) == m) for m in maximal]
    return Outcome(conflicts, parts)
