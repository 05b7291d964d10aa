"""The agreement set as a product of independent blocks of issues, cut by utility bounds.

Utilities are additive over issues (:mod:`zopa.problem`), so the only thing
that couples issues is a constraint.  The constraints of the agreement set are
split into their top-level conjuncts and sorted into three kinds:

* **issue rules** — conjuncts that name issues and no utility.  Issues linked
  by such rules (transitively) form a *block*; every joint option of a block
  that satisfies its rules is listed once, by a depth-first search that prunes
  partial assignments with three-valued evaluation.  Issues touched by no rule
  are blocks of one issue, with every option.
* **utility bounds** — a single comparison ``utility(p) OP t`` with an order
  operator (or ``==``): a lower and/or an upper bound on ``U_p``.
* **utility formulas** — any other conjunct that names utilities only
  (``utility(a) >= 0.6 or utility(b) >= 0.6``, ``!=``): checked on the
  utility vector of a complete package.

A conjunct that mixes issues and utilities inside one ``or`` or ``not`` does
not decompose: :func:`decompose` then returns None and callers use their
general CP-SAT method.  So does a block with more than :data:`MAX_BLOCK_OPTIONS`
joint options.

The agreement set is then exactly ``{x = (x_B)_B : every x_B listed, bounds and
formulas hold on Σ_B U(x_B)}`` — the structure that the label-setting frontier
(:mod:`zopa.engine.label_setting`) and the Lagrangian search
(:mod:`zopa.engine.lagrangian`) exploit.  This is the classical separation of a
constraint network into independent components (connected components of the
constraint hypergraph; e.g. Dechter, *Constraint Processing*, 2003, ch. 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zopa import rules
from zopa.problem import Problem

MAX_BLOCK_OPTIONS = 100_000  # joint options listed for one block of linked issues


@dataclass(frozen=True)
class Block:
    """Linked issues and the joint options that satisfy their rules."""

    issues: tuple[int, ...]
    options: np.ndarray  # (k, len(issues)) option index of each issue, in listing order
    utilities: np.ndarray  # (parties, k) integer utility every party gets from each option


@dataclass(frozen=True)
class Structure:
    """A problem's agreement set as blocks, utility bounds and utility formulas."""

    blocks: list[Block]
    lower: dict[int, int]  # party → least utility allowed (inclusive)
    upper: dict[int, int]  # party → greatest utility allowed (inclusive)
    formulas: list[rules.Bound]  # utility-only conditions on the whole utility vector
    feasible: bool  # False when some block has no joint option at all
    n_issues: int
    n_parties: int

    def package(self, choices: Sequence[int]) -> list[int]:
        """The package (option index per issue) of one joint option per block."""
        out = [0] * self.n_issues
        for block, k in zip(self.blocks, choices, strict=True):
            for issue, option in zip(block.issues, block.options[k].tolist(), strict=True):
                out[issue] = int(option)
        return out

    def packages(self, choices: np.ndarray) -> np.ndarray:
        """Packages, shape (N, issues), of N rows of per-block choices."""
        out = np.zeros((len(choices), self.n_issues), dtype=np.int64)
        for k, block in enumerate(self.blocks):
            out[:, list(block.issues)] = block.options[choices[:, k]]
        return out

    def bounded_parties(self) -> set[int]:
        return set(self.lower) | set(self.upper) | self.formula_parties()

    def formula_parties(self) -> set[int]:
        return set().union(*(rules.parties_of(f) for f in self.formulas))

    def holds(self, utilities: np.ndarray) -> np.ndarray:
        """Which rows of an (N, parties) utility matrix meet every bound and formula."""
        ok = np.ones(len(utilities), dtype=bool)
        for p, t in self.lower.items():
            ok &= utilities[:, p] >= t
        for p, t in self.upper.items():
            ok &= utilities[:, p] <= t
        for f in self.formulas:
            ok &= rules.evaluate_many(f, np.zeros((len(utilities), 0), dtype=np.int64), utilities)
        return ok


def conjuncts(bound: rules.Bound) -> list[rules.Bound]:
    """The top-level conjuncts of a bound formula."""
    if isinstance(bound, rules.BAnd):
        return [c for a in bound.args for c in conjuncts(a)]
    return [bound]


def decompose(problem: Problem) -> Structure | None:
    """The block structure of ``problem``'s agreement set, or None if it does not decompose."""
    issue_rules: list[tuple[rules.Bound, frozenset[int]]] = []
    lower: dict[int, int] = {}
    upper: dict[int, int] = {}
    formulas: list[rules.Bound] = []
    for c in problem.constraints:
        for part in conjuncts(c.bound):
            named, parties = rules.issues_of(part), rules.parties_of(part)
            if parties and named:
                return None  # an issue and a utility inside one or/not: does not separate
            if parties:
                if not _utility_bound(problem, part, lower, upper):
                    formulas.append(part)
            elif named:
                issue_rules.append((part, frozenset(named)))
            elif not rules.evaluate(part, [0] * problem.n_issues):
                return _infeasible(problem)  # a constant false rule
    blocks = _blocks(problem, issue_rules)
    if blocks is None:
        return None
    if any(len(b.options) == 0 for b in blocks) or any(
        upper.get(p, t) < t for p, t in lower.items()
    ):
        return _infeasible(problem)
    return Structure(blocks, lower, upper, formulas, True, problem.n_issues, len(problem.parties))


def _utility_bound(
    problem: Problem, part: rules.Bound, lower: dict[int, int], upper: dict[int, int]
) -> bool:
    """Record a single utility comparison as bounds; False if ``part`` is not one."""
    if not isinstance(part, rules.UtilityAtom) or part.op == "!=":
        return False
    p, t = part.party, part.threshold
    lo = {">=": t, ">": t + 1, "==": t}.get(part.op)
    hi = {"<=": t, "<": t - 1, "==": t}.get(part.op)
    if lo is not None and lo > problem.min_utility(p):  # otherwise it always holds
        lower[p] = max(lower.get(p, lo), lo)
    if hi is not None and hi < problem.max_utility(p):
        upper[p] = min(upper.get(p, hi), hi)
    return True


def _infeasible(problem: Problem) -> Structure:
    return Structure([], {}, {}, [], False, problem.n_issues, len(problem.parties))


def _blocks(
    problem: Problem, issue_rules: list[tuple[rules.Bound, frozenset[int]]]
) -> list[Block] | None:
    parent = list(range(problem.n_issues))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, named in issue_rules:
        first, *rest = sorted(named)
        for i in rest:
            parent[root(i)] = root(first)
    groups: dict[int, list[int]] = {}
    for i in range(problem.n_issues):
        groups.setdefault(root(i), []).append(i)
    out = []
    for members in sorted(groups.values()):
        own = [b for b, named in issue_rules if root(next(iter(named))) == root(members[0])]
        options = _joint_options(problem, members, own)
        if options is None:
            return None
        utilities = sum(
            problem.tables[:, i, options[:, k]] for k, i in enumerate(members)
        )  # (parties, k)
        out.append(Block(tuple(members), options, np.asarray(utilities, dtype=np.int64)))
    return out


def _joint_options(
    problem: Problem, members: list[int], own: list[rules.Bound]
) -> np.ndarray | None:
    """Every joint option of ``members`` that satisfies ``own`` (depth-first, pruned)."""
    if not own:
        (i,) = members
        return np.arange(int(problem.sizes[i]), dtype=np.int64)[:, None]
    package: list[int | None] = [None] * problem.n_issues
    found: list[list[int]] = []
    visits = 0

    def extend(k: int) -> bool:
        nonlocal visits
        if k == len(members):
            found.append([int(package[i]) for i in members])  # type: ignore[arg-type]
            return len(found) <= MAX_BLOCK_OPTIONS
        i = members[k]
        for o in range(int(problem.sizes[i])):
            visits += 1
            if visits > 20 * MAX_BLOCK_OPTIONS:
                return False
            package[i] = o
            if any(rules.evaluate_partial(b, package) is False for b in own):
                continue
            if not extend(k + 1):
                return False
        package[i] = None
        return True

    if not extend(0):
        return None
    return np.array(found, dtype=np.int64).reshape(len(found), len(members))
