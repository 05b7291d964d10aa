"""Bridging formulas: new combinations of attribute values that dissolve a conflict.

A conflict between red lines is usually read as "someone must give way". Pruitt
("Achieving integrative agreements", in Bazerman & Lewicki (eds.), *Negotiating
in Organizations*, Sage 1983) calls the other way out *bridging*: a new option
that meets the interests behind both sides' positions; Fisher and Ury (*Getting
to Yes*, 1981) call it inventing options for mutual gain. When an issue is
described by attributes (who administers, whose forces are present, ...), the
options nobody has proposed yet are the combinations of attribute values not
listed so far, and this module searches them exhaustively.

Method (exact): the scenario is compiled twice, once over the listed options
(every other analysis) and once with each attribute issue *expanded* to every
combination that no ``exclude`` rule rules out (:class:`zopa.problem.Problem`
with ``expand``; the listed options keep their indices, the new ones follow).
The expanded problem becomes one CNF (:mod:`zopa.engine.sat`) with, per
attribute issue, two activation literals: "takes a listed option" and "takes
a new formula". Then

1. the conflicts are the minimal unsatisfiable subsets over the listed options
   (:mod:`zopa.engine.blockers`, MARCO);
2. for each conflict and each attribute issue it involves, every new formula
   with which the conflict's constraints can all hold (the other attribute
   issues on listed options) is enumerated by incremental SAT: solve, record the
   new formula of the model, exclude it by an assumption, solve again until
   unsatisfiable; one call per bridge plus one;
3. feasibility with new formulas on every attribute issue at once is one SAT
   call; when a deal exists, the bargaining solutions over that larger space
   are :func:`zopa.engine.solutions.solve` on the expanded problem, and the
   fewest issues that need new formulas are found by trying sets of issues in
   order of size (every set of the smallest size is reported).

A party that values an attribute issue as a whole (values for the listed
options only) states no value for a new formula of that issue. Nothing is
guessed: a constraint that needs that value (the party's reservation, a
``utility()`` rule) is *undetermined* on such a formula; the formula is then
reported as undetermined rather than as a bridge, and the combined question
keeps that issue on its listed options and says so.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from zopa import rules
from zopa.engine.blockers import DEFAULT_LIMIT, DEFAULT_TIME_LIMIT, blockers
from zopa.engine.sat import SatModel, SatSolver
from zopa.engine.solutions import Solutions, solve
from zopa.problem import SCALE, Constraint, Problem


@dataclass(frozen=True)
class Formula:
    """A new combination of attribute values of one issue, and why it is listed."""

    issue: str
    option: str  # the id it takes in the expanded problem (readable, derived from its values)
    attributes: dict[str, Any]
    label: str
    text: str
    package: dict[str, Any]  # a package, other issues on listed options, that shows it
    combo: tuple[int, ...] = field(repr=False, default=())
    issue_index: int = field(repr=False, default=0)

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "attributes": self.attributes,
            "id": self.option,
            "label": self.label,
            "text": self.text,
            "package": self.package,
        }


@dataclass(frozen=True)
class Undetermined:
    """A new formula on which a conflict's red lines hold, but a constraint needs a value
    the scenario does not state (a party values the issue for its listed options only)."""

    issue: str
    attributes: dict[str, Any]
    label: str
    parties: list[str]
    constraints: list[str]
    combo: tuple[int, ...] = field(repr=False, default=())
    issue_index: int = field(repr=False, default=0)

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "attributes": self.attributes,
            "label": self.label,
            "parties": self.parties,
            "constraints": self.constraints,
        }


@dataclass(frozen=True)
class BridgedConflict:
    constraints: list[Constraint]
    issues: list[str]
    bridged_by: list[Formula]
    undetermined: list[Undetermined]
    complete: bool = True  # false when the time limit stopped the search for this conflict

    @property
    def ids(self) -> list[str]:
        return sorted(c.id for c in self.constraints)

    def to_json(self) -> dict[str, Any]:
        return {
            "constraints": self.ids,
            "issues": self.issues,
            "bridged_by": [f.to_json() for f in self.bridged_by],
            "undetermined": [u.to_json() for u in self.undetermined],
            "complete": self.complete,
        }


@dataclass(frozen=True)
class BridgeSolution:
    concept: str
    value: float | None
    utilities: dict[str, float | None]
    package: dict[str, Any]
    new: list[str]
    optimal: bool
    objections: list[str]
    indices: list[int] = field(repr=False, default_factory=list)  # in the expanded problem

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "utilities": self.utilities,
            "package": self.package,
            "new": self.new,
            "optimal": self.optimal,
            "objections": self.objections,
        }


@dataclass(frozen=True)
class FewestSet:
    issues: list[str]
    package: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"issues": self.issues, "package": self.package}


@dataclass(frozen=True)
class Space:
    """The option space of one attribute issue."""

    issue: str
    combinations: int  # every combination of attribute values
    excluded: int
    listed: int
    new: int

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "combinations": self.combinations,
            "excluded": self.excluded,
            "listed": self.listed,
            "new": self.new,
        }


@dataclass(frozen=True)
class Bridges:
    scenario: str
    as_of: Any
    opened: list[str]  # the attribute issues whose new formulas were searched
    space: list[Space]
    feasible_listed: bool
    conflicts: list[BridgedConflict]
    unbridgeable: list[list[str]]
    feasible_with_new_formulas: bool | None  # None: depends on values nobody stated
    solutions: dict[str, BridgeSolution]
    fewest_new_formulas: int | None
    fewest_sets: list[FewestSet]
    solutions_issues: list[str]  # the issues whose new formulas the solutions may take
    unvalued: list[dict[str, Any]]  # parties that state no value for an issue's new formulas
    complete: bool
    stats: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "issues": self.opened,
            "space": [s.to_json() for s in self.space],
            "feasible_listed": self.feasible_listed,
            "conflicts": [c.to_json() for c in self.conflicts],
            "unbridgeable": self.unbridgeable,
            "feasible_with_new_formulas": self.feasible_with_new_formulas,
            "solutions": {k: v.to_json() for k, v in self.solutions.items()},
            "fewest_new_formulas": (
                None
                if self.fewest_new_formulas is None
                else {
                    "count": self.fewest_new_formulas,
                    "sets": [s.to_json() for s in self.fewest_sets],
                }
            ),
            "solutions_issues": self.solutions_issues,
            "unvalued": self.unvalued,
            "complete": self.complete,
        }


# --------------------------------------------------------------------------- the search


class _Gated:
    """The expanded problem's SAT solver, with per-issue "listed" / "new" activation literals."""

    def __init__(self, expanded: Problem, opened: list[int]) -> None:
        model = SatModel(expanded)
        self.model = model
        self.listed: dict[int, int] = {}
        self.new: dict[int, int] = {}
        for i in opened:
            cut = expanded.issues[i].listed
            lits = model.x[i]
            self.listed[i] = model.new_var()
            model.clauses.append([-self.listed[i], *lits[:cut]])
            self.new[i] = model.new_var()
            model.clauses.append([-self.new[i], *lits[cut:]])
        self.solver = SatSolver(model)

    def check(self, constraints: Sequence[int], assumptions: Sequence[int]) -> bool:
        return self.solver.check(constraints, assumptions)

    def close(self) -> None:
        self.solver.close()


def bridge(
    problem: Problem,
    issues: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> Bridges:
    """Every new formula that dissolves a conflict of ``problem`` (listed options), and the
    deal once new formulas are allowed on every attribute issue at once.

    ``issues`` restricts the search to these attribute issues (default: all of them);
    raises ValueError for an issue that is unknown or not described by attributes.
    """
    start = time.monotonic()
    scenario = problem.scenario
    opened_ids = opened_issues(problem, issues)
    listed_result = blockers(problem, limit=limit, time_limit=time_limit, explain=False)
    expanded = _expanded(problem, opened_ids)
    opened = [expanded.issue_index[i] for i in opened_ids]
    unknown = _unknown_dependence(expanded, opened)
    deadline = time.monotonic() + time_limit if time_limit else None
    gated = _Gated(expanded, opened)
    try:
        conflicts = [
            _bridge_conflict(expanded, gated, opened, unknown, c.constraints, deadline)
            for c in listed_result.conflicts
        ]
        # New formulas are searched together on the issues where no constraint needs an
        # unstated value; the solutions need every veto party's value as well.
        searched = [i for i in opened if not unknown[i]]
        everything = list(range(len(expanded.constraints)))
        feasible = gated.check(everything, [gated.listed[i] for i in opened if i not in searched])
        fewest, sets = _fewest(expanded, gated, searched, opened) if feasible else (None, [])
    finally:
        gated.close()
    feasible_new: bool | None = feasible or (None if len(searched) < len(opened) else False)
    valued = [
        i for i in searched if not any((i, p) in expanded.unvalued for p in expanded.veto_parties)
    ]
    solutions: dict[str, BridgeSolution] = {}
    solved_optimal = True
    if feasible:
        over = (
            expanded
            if len(valued) == len(opened)
            else _expanded(problem, [expanded.issues[i].id for i in valued])
        )
        found = solve(over, time_limit=time_limit)
        solutions = _solutions(over, found)
        solved_optimal = found.all_optimal
    unbridgeable = [
        c.ids for c in conflicts if c.complete and not c.bridged_by and not c.undetermined
    ]
    return Bridges(
        scenario.id,
        problem.as_of,
        opened_ids,
        [_space(expanded.issues[i]) for i in opened],
        listed_result.feasible,
        conflicts,
        unbridgeable,
        feasible_new,
        solutions,
        fewest,
        sets,
        [expanded.issues[i].id for i in valued],
        _unvalued_json(expanded, opened, searched, valued),
        listed_result.conflicts_complete and solved_optimal and all(c.complete for c in conflicts),
        {"seconds": time.monotonic() - start, "oracle_calls": gated.solver.calls},
    )


def _expanded(problem: Problem, issues: Sequence[str]) -> Problem:
    """``problem`` (same date, numbers and dropped constraints) with ``issues`` expanded."""
    out = Problem(problem.scenario, problem.as_of, problem.realisation, expand=issues)
    return out.without(problem.dropped) if problem.dropped else out


def opened_issues(problem: Problem, issues: Sequence[str] | None) -> list[str]:
    """The attribute issues to search (all by default); ValueError for an issue that is
    unknown or not described by attributes."""
    attributed = [i.id for i in problem.issues if i.attributed]
    if issues is None:
        return attributed
    out = []
    for ident in issues:
        if ident not in problem.issue_index:
            raise ValueError(f"no issue {ident!r} in scenario {problem.scenario.id!r}")
        if ident not in attributed:
            known = ", ".join(attributed) or "none"
            raise ValueError(
                f"issue {ident!r} is not described by attributes (issues with attributes: {known})"
            )
        if ident not in out:
            out.append(ident)
    return sorted(out, key=problem.issue_index.__getitem__)


def _unknown_dependence(expanded: Problem, opened: list[int]) -> dict[int, dict[int, set[str]]]:
    """Per opened issue, the constraints (index → parties) that need a value nobody stated
    for the issue's new formulas: a utility comparison of a party that values the issue as
    a whole. ``U ≥ t`` with ``t ≤ 0`` holds whatever the value (values lie in [0, 1])."""
    out: dict[int, dict[int, set[str]]] = {i: {} for i in opened}
    for k, c in enumerate(expanded.constraints):
        for atom in _utility_atoms(c.bound):
            if atom.op in (">=", ">") and atom.threshold < (1 if atom.op == ">=" else 0):
                continue
            for i in opened:
                if (i, atom.party) in expanded.unvalued:
                    out[i].setdefault(k, set()).add(expanded.parties[atom.party].id)
    return out


def _utility_atoms(bound: rules.Bound) -> list[rules.UtilityAtom]:
    if isinstance(bound, rules.UtilityAtom):
        return [bound]
    if isinstance(bound, rules.Member):
        return []
    if isinstance(bound, rules.BNot):
        return _utility_atoms(bound.arg)
    return [a for arg in bound.args for a in _utility_atoms(arg)]


def _bridge_conflict(
    expanded: Problem,
    gated: _Gated,
    opened: list[int],
    unknown: dict[int, dict[int, set[str]]],
    members: list[Constraint],
    deadline: float | None = None,
) -> BridgedConflict:
    """Every new formula, issue by issue, with which the conflict's constraints all hold
    (those found before ``deadline``, and ``complete`` false, if it passes)."""
    slot = {c.id: k for k, c in enumerate(expanded.constraints)}
    indices = [slot[c.id] for c in members]
    bridges: list[Formula] = []
    undetermined: list[Undetermined] = []
    complete = True
    for i in opened:
        if not complete:
            break
        if not any(i in expanded.constraints[k].issues for k in indices):
            continue  # the conflict does not depend on this issue
        needs = {k: unknown[i][k] for k in indices if k in unknown[i]}
        checked = [k for k in indices if k not in needs]
        others = [gated.listed[j] for j in opened if j != i]
        found: list[int] = []
        x = gated.model.x[i]
        while gated.check(checked, [gated.new[i], *others, *(-x[o] for o in found)]):
            if deadline is not None and time.monotonic() > deadline:
                complete = False
                break
            package = gated.solver.package()
            found.append(package[i])
            issue = expanded.issues[i]
            combo = issue.combos[package[i]]
            if needs:
                parties = sorted({p for ps in needs.values() for p in ps})
                undetermined.append(
                    Undetermined(
                        issue.id,
                        issue.combo_json(combo),
                        issue.combo_text(combo),
                        parties,
                        sorted(expanded.constraints[k].id for k in needs),
                        combo,
                        i,
                    )
                )
            else:
                bridges.append(_formula(expanded, members, i, package))
    order = lambda f: (f.issue_index, f.combo)  # noqa: E731 - attribute order, then value order
    issues = sorted(
        {expanded.issues[i].id for c in members for i in c.issues},
        key=expanded.issue_index.__getitem__,
    )
    return BridgedConflict(
        members, issues, sorted(bridges, key=order), sorted(undetermined, key=order), complete
    )


def _fewest(
    expanded: Problem, gated: _Gated, searched: list[int], opened: list[int]
) -> tuple[int, list[FewestSet]]:
    """The fewest issues that need a new formula for a deal, and every such set of issues.

    Sets of issues are tried by size; a set is feasible when the constraints hold with
    new formulas allowed on it and listed options elsewhere. At the smallest feasible
    size every model takes a new formula on every issue of its set (else a smaller set
    would be feasible), so the feasible sets of that size are exactly the answers.
    """
    everything = list(range(len(expanded.constraints)))
    for size in range(len(searched) + 1):
        found = []
        for chosen in itertools.combinations(searched, size):
            listed = [gated.listed[i] for i in opened if i not in chosen]
            if gated.check(everything, listed):
                package = gated.solver.package()
                found.append(
                    FewestSet(
                        [expanded.issues[i].id for i in chosen],
                        package_json(expanded, package),
                    )
                )
        if found:
            return size, found
    raise AssertionError("called only when a deal exists with new formulas")


# --------------------------------------------------------------------------- presenting


def package_json(problem: Problem, package: Sequence[int]) -> dict[str, Any]:
    """Option ids / numbers by issue; a new formula as the mapping of its attribute values."""
    out = problem.package_json(package)
    for i, issue in enumerate(problem.issues):
        if issue.attributes is not None and package[i] >= issue.listed:
            out[issue.id] = issue.combo_json(issue.combos[package[i]])
    return out


def new_issues(problem: Problem, package: Sequence[int]) -> list[str]:
    return [issue.id for i, issue in enumerate(problem.issues) if package[i] >= issue.listed]


def _solutions(over: Problem, found: Solutions) -> dict[str, BridgeSolution]:
    out = {}
    for concept, sol in found.solutions.items():
        package = sol.indices
        unknown = {p for i, p in over.unvalued if package[i] >= over.issues[i].listed}
        out[concept] = BridgeSolution(
            concept,
            sol.value,
            {
                p.id: None if k in unknown else sol.utilities[p.id]
                for k, p in enumerate(over.parties)
            },
            package_json(over, package),
            new_issues(over, package),
            sol.optimal,
            sol.objections,
            package,
        )
    return out


def _space(issue: Any) -> Space:
    total = issue.space_size()
    allowed = len(issue.space())
    return Space(issue.id, total, total - allowed, issue.listed, allowed - issue.listed)


def _unvalued_json(
    expanded: Problem, opened: list[int], searched: list[int], valued: list[int]
) -> list[dict[str, Any]]:
    """Which parties state no value for an issue's new formulas, and what that leaves out:
    ``searched`` false when a constraint needs the value (the issue stays on its listed
    options in the combined question), ``solved`` false when the solutions cannot value
    its new formulas."""
    out = []
    for i in opened:
        parties = sorted(expanded.parties[p].id for j, p in expanded.unvalued if j == i)
        if parties:
            out.append(
                {
                    "issue": expanded.issues[i].id,
                    "parties": parties,
                    "searched": i in searched,
                    "solved": i in valued,
                }
            )
    return out


def _formula(expanded: Problem, members: list[Constraint], i: int, package: list[int]) -> Formula:
    issue = expanded.issues[i]
    combo = issue.combos[package[i]]
    return Formula(
        issue.id,
        issue.values[package[i]],  # type: ignore[arg-type]
        issue.combo_json(combo),
        issue.combo_text(combo),
        explain(expanded, members, i, package),
        package_json(expanded, package),
        combo,
        i,
    )


def explain(expanded: Problem, members: list[Constraint], i: int, package: list[int]) -> str:
    """A new formula in words: each attribute's value and the red lines of the conflict that
    name it (all of which hold); then how the conflict's other constraints hold."""
    issue = expanded.issues[i]
    combo = issue.combos[package[i]]
    utils = expanded.utility(package)
    parts = []
    used: set[str] = set()
    for a, (name, attr) in enumerate(issue.attribute_list()):
        ref = f"{issue.id}.{name}"
        naming = [c for c in members if ref in _named(c)]
        used |= {c.id for c in naming}
        value = f"{attr.title or name}: {attr.label(combo[a])}"
        reasons = [
            f"as {_owner(expanded, c)} red line {c.id} requires"
            if _named(c) == {ref} and _is_leaf(c)
            else f"meeting {_owner(expanded, c)} red line {c.id} ({_rule(c)})"
            for c in naming
        ]
        parts.append(", ".join([value, *reasons]))
    text = f"{issue.title or issue.id}: " + "; ".join(parts) + "."
    rest = [c for c in members if c.id not in used]
    if rest:
        others = [
            f"{expanded.issues[j].title or expanded.issues[j].id}: "
            f"{expanded.issues[j].label(package[j])}"
            for j in sorted({j for c in rest for j in c.issues if j != i})
        ]
        words = [_constraint_words(expanded, c, utils) for c in rest]
        verb = "holds" if len(words) == 1 else "hold"
        where = f" (with {'; '.join(others)})" if others else ""
        text += f" {_join(words)} {verb} too{where}."
    return text


def _named(c: Constraint) -> frozenset[str]:
    """The issues and ``ISSUE.ATTR`` names a red line's rule compares."""
    return frozenset() if c.red_line is None else _names_in(c.red_line.rule)


@functools.lru_cache(maxsize=4096)
def _names_in(rule: str) -> frozenset[str]:
    leaves = rules.comparisons(rules.parse(rule))
    return frozenset(leaf.issue for leaf in leaves if isinstance(leaf, rules.Cmp | rules.In))


def _is_leaf(c: Constraint) -> bool:
    """Whether the red line is a single comparison (so it does require the value)."""
    assert c.red_line is not None
    return _single_comparison(c.red_line.rule)


@functools.lru_cache(maxsize=4096)
def _single_comparison(rule: str) -> bool:
    return isinstance(rules.parse(rule), rules.Cmp | rules.In)


def _rule(c: Constraint) -> str:
    assert c.red_line is not None
    return c.red_line.rule


def _owner(problem: Problem, c: Constraint) -> str:
    return f"{problem.parties[problem.party_index[c.party]].label}'s"


def _constraint_words(problem: Problem, c: Constraint, utils: list[int]) -> str:
    if c.kind == "reservation":
        p = problem.party_index[c.party]
        got, floor = utils[p] / SCALE, problem.reservations[p] / SCALE
        return f"{_owner(problem, c)} reservation ({got:.2f} against {floor:.2f})"
    return f"{_owner(problem, c)} red line {c.id} ({_rule(c)})"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
