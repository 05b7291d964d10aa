"""A scenario as of a date, in the index form every analysis works on.

:class:`Problem` numbers issues, options and parties, binds every red line in
force, and turns preferences into **integer utility tables**.

Exact arithmetic (why utilities are integers)
---------------------------------------------
Each party's utility ``u_p(x) = Σ_i w_{p,i} v_{p,i}(x_i)`` is held as an
integer ``U_p(x) = Σ_i q_{p,i}(x_i)`` on the grid ``1/SCALE`` with
``SCALE = 720 720 000`` (the least common multiple of 1…16, times 1000):

1. the weights are normalised and apportioned to integers ``W_{p,i}`` that sum
   to exactly ``SCALE`` (largest-remainder rounding), so ``|W_{p,i} − w_{p,i}·SCALE| < 1``;
2. ``q_{p,i}(o) = round(W_{p,i} · v_{p,i}(o))`` with the value taken as the exact
   decimal the user wrote (piecewise-linear interpolation done in rationals).

Hence ``|q_{p,i}(o)/SCALE − w_{p,i} v_{p,i}(o)| < 1.5/SCALE`` per issue and
``|U_p(x)/SCALE − u_p(x)| < 1.5·n/SCALE``: below 10⁻⁶ for up to 480 issues.
Reservations and the thresholds of ``utility(p)`` rules are rounded to the
same grid.

The scale is highly composite so that the grid is *exact* for the numbers
people usually write: whole-number weights summing to at most 16 with values,
reservations and thresholds of up to three decimals (or weights summing to 1
with two decimals, and values with two).  Then no term is rounded at all,
and a package whose utility equals a reservation exactly (three equal
weights, each at value 0.5, against a reservation of 0.5) is accepted — a
power of ten would round ``1/3`` and could flip such a tie.

Uncertain scenarios
-------------------
A scenario may give distributions instead of numbers, and red lines a
firmness (:mod:`zopa.model`).  A :class:`Realisation` fixes a number for each;
by default a problem uses :meth:`Realisation.point` — every distribution at its
mean and the red lines with firmness ≥ 0.5 — which is what every point
analysis reports.  Monte Carlo samples (:mod:`zopa.uncertainty`) are other
realisations.  Every comparison (acceptance, rules, optimality) is then exact
integer arithmetic, identical in the solvers, the vectorised evaluator and the
brute-force tests; a party whose best options all have value 1 reaches exactly
1.0.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

import numpy as np

from zopa import rules
from zopa.model import Attribute, Draft, Issue, Party, RedLine, Scenario, Source, StanceView, exact

# lcm(1, …, 16) · 10³ (see above); below 10⁹, so that the products in the Nash and
# Kalai–Smorodinsky models stay well inside CP-SAT's int64 range.
SCALE = 720_720_000


def scale(x: Fraction | float) -> int:
    """A utility level on the integer grid (round half to even)."""
    return round(exact(x) * SCALE)


def scale_threshold(x: Fraction | float) -> int:
    """The threshold of a ``utility(p) OP x`` rule on the integer grid, within 64 bits.

    Utilities lie in ``[0, SCALE]``, so every threshold above ``SCALE + 1`` (or
    below ``-1``) decides each comparison exactly as ``SCALE + 1`` (or ``-1``)
    does: clamping keeps the rule's meaning and keeps solvers in int64
    (``utility(b) <= 12800000000`` is simply always true).
    """
    return min(max(scale(x), -1), SCALE + 1)


def unscale(u: int | np.integer) -> float:
    return int(u) / SCALE


@dataclass(frozen=True)
class Constraint:
    """One constraint of the agreement set: a veto party's red line or its reservation.

    ``issues`` are the issues the constraint names: those in the rule, plus, for
    a reservation or a ``utility(p)`` rule, the issues party ``p`` weights.
    """

    id: str
    party: str
    kind: Literal["red_line", "reservation"]
    bound: rules.Bound
    issues: frozenset[int]
    red_line: RedLine | None = None

    @property
    def text(self) -> str:
        if self.red_line is not None:
            return self.red_line.text or self.red_line.rule
        return f"{self.party} will not accept less than its reservation utility"


@dataclass(frozen=True)
class Realisation:
    """A number for every uncertain quantity of a scenario.

    ``parties`` hold only numbers; ``thresholds`` give, per red line, the number
    each threshold name stands for; ``firm`` lists the red lines that are real
    red lines here (the others are opening positions and are left out).
    ``tables`` are integer utility tables computed elsewhere (the Monte Carlo
    computes them vectorised); when None they are computed from ``parties``.
    """

    parties: tuple[Party, ...]
    thresholds: Mapping[str, Mapping[str, Fraction]]
    firm: frozenset[str]
    tables: np.ndarray | None = None

    @classmethod
    def point(cls, scenario: Scenario) -> Realisation:
        """Every distribution at its mean, and the red lines with firmness ≥ 0.5."""
        return cls(
            tuple(p.point() for p in scenario.parties),
            {r.id: scenario.threshold_means(r) for r in scenario.red_lines if r.thresholds},
            frozenset(r.id for r in scenario.red_lines if r.firm),
        )


class Problem:
    """A scenario compiled as of a date (``None``: every red line in force).

    Uncertain numbers take the values of ``realisation``; by default their means,
    with the red lines of firmness ≥ 0.5 (:meth:`Realisation.point`).
    """

    def __init__(
        self,
        scenario: Scenario,
        as_of: dt.date | None = None,
        realisation: Realisation | None = None,
        expand: Collection[str] = (),
    ) -> None:
        real = realisation if realisation is not None else Realisation.point(scenario)
        self.scenario = scenario
        self.as_of = as_of
        self.realisation = real
        # ``expand``: issues described by attributes whose new formulas (every combination
        # not listed and not excluded) become options after the listed ones (zopa bridge).
        self.issues: list[Issue] = [i.expanded() if i.id in expand else i for i in scenario.issues]
        self.parties: list[Party] = list(real.parties)
        self.issue_index = {i.id: k for k, i in enumerate(self.issues)}
        self.party_index = {p.id: k for k, p in enumerate(self.parties)}
        self.sizes = np.array([len(i.values) for i in self.issues], dtype=np.int64)
        self.veto = [p.veto for p in self.parties]
        # (issue, party) pairs whose values are unstated for some option: a party that
        # values an attribute issue as a whole has no value for its new formulas.
        self.unvalued: frozenset[tuple[int, int]] = frozenset()
        if real.tables is not None and not expand:
            self.tables = real.tables
        else:
            self.tables, self.unvalued = _utility_tables(self.issues, self.parties)
        self.reservations = np.array([scale(p.reservation) for p in self.parties], dtype=np.int64)
        domains = [i.domain() for i in self.issues]
        party_ids = [p.id for p in self.parties]
        self._all_red_lines: list[tuple[RedLine, rules.Bound]] = [
            (
                r,
                rules.bind(
                    rules.parse(r.rule),
                    domains,
                    party_ids,
                    scale_threshold,
                    real.thresholds.get(r.id),
                ),
            )
            for r in scenario.red_lines
            if r.id in real.firm
        ]
        self._dates = scenario.source_dates()
        self.red_lines = self._in_force(as_of)
        self.constraints = self._constraints()
        self.dropped: tuple[str, ...] = ()  # constraints removed by :meth:`without`

    def _in_force(self, as_of: dt.date | None) -> list[tuple[RedLine, rules.Bound]]:
        """The red lines in force on ``as_of``, each worded and cited as the record stood then."""
        return [
            (r.view(as_of, self._dates), b) for r, b in self._all_red_lines if r.in_force(as_of)
        ]

    def at(self, as_of: dt.date | None) -> Problem:
        """The same scenario as of another date (reuses the utility tables)."""
        clone = copy.copy(self)
        clone.__dict__.pop("objections", None)
        clone.as_of = as_of
        clone.red_lines = clone._in_force(as_of)
        clone.constraints = clone._constraints()
        clone.dropped = ()
        return clone

    def stance(self, draft: Draft, party: str, issue: str) -> StanceView | None:
        """A party's stance on a point of ``draft`` as reported by the problem's date."""
        return draft.stance(party, issue, self.as_of, self._dates)

    def sources_shown(self) -> list[Source]:
        """The scenario's sources published by the problem's date (as-of purity)."""
        return self.scenario.sources_by(self.as_of)

    # ----------------------------------------------------------------- structure

    @classmethod
    def for_draft(
        cls, scenario: Scenario, draft_id: str | None = None, as_of: dt.date | None = None
    ) -> tuple[Problem, Draft | None]:
        """The problem at the analysis date (see ``Scenario.select``), and the selected draft."""
        draft, date = scenario.select(draft_id, as_of)
        return cls(scenario, date), draft

    @property
    def n_issues(self) -> int:
        return len(self.issues)

    @property
    def veto_parties(self) -> list[int]:
        return [k for k, v in enumerate(self.veto) if v]

    def weighted_issues(self, party: int) -> frozenset[int]:
        """Issues to which ``party`` gives a positive weight."""
        p = self.parties[party]
        return frozenset(k for k, i in enumerate(self.issues) if p.issue_weight(i.id) > 0)

    def _constraints(self) -> list[Constraint]:
        out: list[Constraint] = []
        for red, bound in self.red_lines:
            p = self.party_index[red.party]
            if not self.veto[p]:
                continue
            named = rules.issues_of(bound)
            for q in rules.parties_of(bound):
                named |= self.weighted_issues(q)
            out.append(Constraint(red.id, red.party, "red_line", bound, frozenset(named), red))
        for p in self.veto_parties:
            party = self.parties[p]
            atom = rules.UtilityAtom(p, ">=", int(self.reservations[p]))
            out.append(
                Constraint(
                    f"{party.id}:reservation",
                    party.id,
                    "reservation",
                    atom,
                    self.weighted_issues(p),
                )
            )
        return out

    def without(self, constraint_ids: Iterable[str]) -> Problem:
        """The same problem with some constraints dropped: a hypothetical concession."""
        drop = set(constraint_ids)
        clone = copy.copy(self)
        clone.constraints = [c for c in self.constraints if c.id not in drop]
        clone.dropped = tuple(sorted(drop | set(self.dropped)))
        return clone

    @cached_property
    def objections(self) -> list[tuple[RedLine, rules.Bound]]:
        """Red lines in force of parties without veto: reported, never binding."""
        return [(r, b) for r, b in self.red_lines if not self.veto[self.party_index[r.party]]]

    def objections_to(self, package: Sequence[int]) -> list[str]:
        """Red lines in force of parties without veto that ``package`` violates."""
        utils = self.utility(package)
        return [r.id for r, b in self.objections if not rules.evaluate(b, package, utils)]

    # ----------------------------------------------------------------- evaluation

    def utilities(self, packages: np.ndarray) -> np.ndarray:
        """Integer utilities, shape (N, parties), of N packages (option indices)."""
        packages = np.asarray(packages, dtype=np.int64)
        total = np.zeros((len(self.parties), len(packages)), dtype=np.int64)
        for i in range(self.n_issues):  # one issue at a time keeps memory at N × parties
            total += self.tables[:, i, packages[:, i]]
        return total.T

    def utility(self, package: Sequence[int]) -> list[int]:
        return [int(u) for u in self.utilities(np.asarray([package]))[0]]

    def max_utility(self, party: int) -> int:
        """An upper bound on ``U_party`` (its best option on every issue)."""
        return int(sum(self.tables[party, i, : int(n)].max() for i, n in enumerate(self.sizes)))

    def min_utility(self, party: int) -> int:
        return int(sum(self.tables[party, i, : int(n)].min() for i, n in enumerate(self.sizes)))

    def satisfied(self, packages: np.ndarray) -> np.ndarray:
        """Boolean matrix (N, constraints): which constraint holds on which package."""
        packages = np.asarray(packages, dtype=np.int64)
        utils = self.utilities(packages)
        sizes = {i: int(s) for i, s in enumerate(self.sizes)}
        if not self.constraints:
            return np.ones((len(packages), 0), dtype=bool)
        return np.stack(
            [rules.evaluate_many(c.bound, packages, utils, sizes) for c in self.constraints], axis=1
        )

    def agreement_mask(self, packages: np.ndarray) -> np.ndarray:
        """Which packages every veto party accepts (docs/explanation/concepts.md)."""
        return self.satisfied(packages).all(axis=1)

    def accepts(self, party: int, package: Sequence[int]) -> bool:
        """Whether ``party`` accepts ``package``: its red lines in force hold and U ≥ d."""
        utils = self.utility(package)
        if utils[party] < self.reservations[party]:
            return False
        pid = self.parties[party].id
        return all(rules.evaluate(b, package, utils) for r, b in self.red_lines if r.party == pid)

    # ----------------------------------------------------------------- packages

    @cached_property
    def _options_json(self) -> list[tuple[str, tuple[str | int | float, ...]]]:
        """Per issue, its id and every option as JSON (packages are written often)."""
        return [
            (issue.id, tuple(issue.option_json(k) for k in range(len(issue.values))))
            for issue in self.issues
        ]

    def package_json(self, package: Sequence[int | None]) -> dict[str, Any]:
        """Option ids / numbers by issue id, as JSON gives them; unfixed issues are left out."""
        return {
            ident: options[int(k)]
            for (ident, options), k in zip(self._options_json, package, strict=True)
            if k is not None
        }

    def package_indices(self, package: Mapping[str, Any]) -> list[int | None]:
        """Option indices of a (possibly partial) package written with option ids/numbers."""
        out: list[int | None] = [None] * self.n_issues
        for issue_id, value in package.items():
            i = self.issue_index[issue_id]
            k = self.issues[i].index_of(value)
            if k is None:
                raise ValueError(f"{value!r} is not an option of issue {issue_id!r}")
            out[i] = k
        return out

    def space_size(self) -> int:
        return int(np.prod([int(s) for s in self.sizes], dtype=object))

    def all_packages(self, limit: int = 5_000_000) -> np.ndarray:
        """Every package, as an (N, issues) array; for small problems and tests only."""
        if self.space_size() > limit:
            raise ValueError(
                f"{self.space_size():,} packages exceed the enumeration limit {limit:,}"
            )
        grids = np.meshgrid(*[np.arange(s) for s in self.sizes], indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)

    def iter_packages(self) -> Iterator[tuple[int, ...]]:
        return itertools.product(*(range(int(s)) for s in self.sizes))


# --------------------------------------------------------------------------- tables


def apportion(weights: Sequence[float], total: int = SCALE) -> list[int]:
    """Integers proportional to ``weights`` that sum to ``total`` (largest remainder)."""
    exact_w = [exact(w) for w in weights]
    mass = sum(exact_w)
    if mass == 0:
        return [0] * len(weights)
    shares = [w * total / mass for w in exact_w]
    floors = [int(s) for s in shares]  # shares are non-negative
    left = total - sum(floors)
    order = sorted(range(len(shares)), key=lambda k: (-(shares[k] - floors[k]), k))
    for k in order[:left]:
        floors[k] += 1
    return floors


def interpolate(points: Mapping[Fraction, Fraction], x: Fraction) -> Fraction:
    """Piecewise-linear through ``points``, flat outside them (docs/explanation/concepts.md)."""
    xs = sorted(points)
    if x <= xs[0]:
        return points[xs[0]]
    if x >= xs[-1]:
        return points[xs[-1]]
    for a, b in itertools.pairwise(xs):
        if a <= x <= b:
            return points[a] + (points[b] - points[a]) * (x - a) / (b - a)
    raise AssertionError("unreachable")


def _sweep(points: Mapping[Fraction, Fraction], grid: Sequence[Fraction]) -> list[Fraction]:
    """:func:`interpolate` at every grid number, in one pass over both (the grid ascends).

    O(options + points) instead of O(options × points): a 10,000-option range
    with a value at every option no longer takes seconds.
    """
    xs = sorted(points)
    out: list[Fraction] = []
    j, slope = 0, None
    for x in grid:
        while j + 1 < len(xs) and xs[j + 1] <= x:
            j, slope = j + 1, None
        if x <= xs[0]:
            out.append(points[xs[0]])
        elif j + 1 >= len(xs):
            out.append(points[xs[-1]])
        else:
            a = xs[j]
            if slope is None:  # once per segment
                slope = (points[xs[j + 1]] - points[a]) / (xs[j + 1] - a)
            out.append(points[a] + slope * (x - a))
    return out


def value_vector(issue: Issue | Attribute, table: Mapping[Any, float]) -> list[Fraction]:
    """Exact values of every option of ``issue`` (or of an attribute) from a value table."""
    if not table:
        return [Fraction(0)] * len(issue.values)
    if issue.numeric:
        points = {issue.values[issue.index_of(k)]: exact(v) for k, v in table.items()}  # type: ignore[index]
        return _sweep(points, issue.values)  # type: ignore[arg-type]
    by_index = {issue.index_of(k): exact(v) for k, v in table.items()}
    return [by_index.get(k, Fraction(0)) for k in range(len(issue.values))]


def option_values(issue: Issue, party: Party) -> list[Fraction | None]:
    """The party's exact value of every option of ``issue``; None where it states none.

    On an issue described by attributes, a party that weights the attributes
    values an option by the weighted mean of its part-worths, ``Σ_a w_a v_a(o_a)
    / Σ_a w_a`` (additive over attributes, as in conjoint analysis); a party
    that values the issue as a whole has values for the listed options only.
    """
    names = party.by_attribute(issue.id)
    if issue.attributes is not None and names:
        weights = [exact(party.issue_weight(f"{issue.id}.{n}")) for n in issue.attributes]
        total = sum(weights)
        if total == 0:
            return [Fraction(0)] * len(issue.values)
        vectors = [
            value_vector(attr, party.values.get(f"{issue.id}.{n}", {})) if w else []
            for (n, attr), w in zip(issue.attribute_list(), weights, strict=True)
        ]
        return [
            sum(
                (
                    w * vectors[a][k]
                    for a, (w, k) in enumerate(zip(weights, combo, strict=True))
                    if w
                ),
                Fraction(0),
            )
            / total
            for combo in issue.combos
        ]
    values: list[Fraction | None] = list(value_vector(issue, party.values.get(issue.id, {})))
    if issue.listed < len(values):
        values[issue.listed :] = [None] * (len(values) - issue.listed)
    return values


def party_rows(issues: list[Issue], party: Party) -> tuple[list[list[int]], set[int]]:
    """One party's integer utilities per issue and option (the module docstring's rule), and
    the issues on which it leaves some option without a value (held as 0)."""
    weights = apportion([party.issue_weight(i.id) for i in issues])
    rows: list[list[int]] = []
    unvalued: set[int] = set()
    for i, issue in enumerate(issues):
        if weights[i] == 0:
            rows.append([0] * len(issue.values))
            continue
        values = option_values(issue, party)
        if any(v is None for v in values):
            unvalued.add(i)
        rows.append([round(weights[i] * (v or 0)) for v in values])
    return rows, unvalued


def _utility_tables(
    issues: list[Issue], parties: list[Party]
) -> tuple[np.ndarray, frozenset[tuple[int, int]]]:
    """Integer table (parties, issues, max options), padding never indexed; and the
    (issue, party) pairs with an unstated value (held as 0 in the table)."""
    width = max(len(i.values) for i in issues)
    out = np.zeros((len(parties), len(issues), width), dtype=np.int64)
    unvalued: set[tuple[int, int]] = set()
    for p, party in enumerate(parties):
        rows, missing = party_rows(issues, party)
        for i, row in enumerate(rows):
            out[p, i, : len(row)] = row
        unvalued |= {(i, p) for i in missing}
    return out, frozenset(unvalued)
