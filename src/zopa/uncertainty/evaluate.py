"""Analyse a batch of Monte Carlo samples exactly, calling a solver only where needed.

For each sample (see :mod:`zopa.uncertainty` for the definitions):

1. **Red lines alone**, by components (:mod:`zopa.uncertainty.components`):
   the conflicts among the firm red lines of veto parties, and the maximal
   satisfiable subsets (MSSes) of them, from cached enumeration.
2. **Utility constraints** (each veto party's reservation, and firm red lines
   of the form ``utility(p) >= t``) are lower bounds ``U_p ≥ L_p``.  If every
   MSS ``S`` of the red lines stays satisfiable with all of them, no utility
   constraint is in any conflict (a conflict containing one would have a
   satisfiable red-line part inside some MSS ``S``, and ``S`` with every
   bound is satisfiable) — so the conflicts are exactly those of step 1, and
   a deal exists iff the red lines are satisfiable.  Over an MSS's region (a
   product of per-component option sets) the check is separable:
   ``max U_p < L_p`` for some ``p`` proves a bound takes part in a conflict;
   a package maximising a weighted sum of the gains, chosen component by
   component, that meets every bound proves the MSS is fine.
3. Anything else — a bound in a conflict, no witness found, a rule of
   another shape, a component too large to enumerate — goes to the exact
   engine (:func:`zopa.engine.blockers.blockers`) on that sample's problem.
4. Where a deal exists, the **Nash package** is computed exactly by
   :func:`zopa.engine.nash.nash` on the sample's problem (cached: samples that
   differ only in numbers that leave the problem unchanged share one call).
5. **Draft acceptance** per party: the draft leaves the party a package it
   accepts — some completion of the draft meets all its firm red lines and
   its reservation — again by components (with the draft's options fixed).

Every step is a function of the sample alone, so results do not depend on
how samples are batched or which worker runs them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from zopa import rules
from zopa.model import RedLine, Scenario, exact
from zopa.problem import Problem, Realisation, scale_threshold
from zopa.uncertainty.components import Component, Outcome, components
from zopa.uncertainty.sampling import Quantity, draw, quantities
from zopa.uncertainty.tables import Tables

MAX_MSS = 256  # MSS combinations checked per sample before handing it to the engine
ENGINE_LIMIT = 1000  # conflicts and concessions per engine call (as `zopa blockers`)


@dataclass(frozen=True)
class Job:
    """One Monte Carlo run: what every worker needs (picklable)."""

    scenario: Scenario
    as_of: dt.date | None
    draft: str | None
    seed: int
    samples: int
    nash: bool = True

    @property
    def key(self) -> str:
        """Identifies the job across processes (for caching the compiled model)."""
        text = self.scenario.model_dump_json() + repr((self.as_of, self.draft, self.seed))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class BatchResult:
    """Counts over a batch of samples; summed over batches by :mod:`zopa.uncertainty.aggregate`."""

    samples: int
    deals: int
    blocking: np.ndarray  # per issue
    red_in_conflict: np.ndarray  # per veto red line in force
    reservation_in_conflict: np.ndarray  # per party
    draft_accepted: np.ndarray  # per party
    nash: list[tuple[int, tuple[int, ...], tuple[int, ...], bool]]  # sample, package, utils, proven
    candidates: Counter[tuple[int, ...]] = field(default_factory=Counter)
    engine_samples: int = 0
    incomplete: int = 0
    deal_samples: list[int] = field(default_factory=list)  # sample indices with a deal


@dataclass(frozen=True)
class Line:
    """A red line in force, compiled for fast re-binding."""

    red: RedLine
    party: int
    veto: bool
    expr: rules.Expr
    uses: dict[str, list[int]]  # threshold name → numeric issues it meets
    issues: frozenset[int]
    utility: bool  # names utility(...)
    lower: tuple[int, int, int] | None  # (party, op offset, threshold) for `utility(q) >= t`


class Model:
    """A job compiled once per process: quantities, red lines, components, caches."""

    def __init__(self, job: Job) -> None:
        s = job.scenario
        self.job = job
        self.draft = s.draft(job.draft) if job.draft else (s.drafts[-1] if s.drafts else None)
        self.in_force = [r for r in s.red_lines if r.in_force(job.as_of)]
        self.qs: list[Quantity] = quantities(s, self.in_force)
        self.column = {(q.kind, q.owner, q.key): k for k, q in enumerate(self.qs)}
        # Every red line in force counts as firm here (firmness is per sample); red lines
        # not yet in force are left out altogether, as they have no threshold numbers
        # (their thresholds are not drawn) and the problem as of ``as_of`` drops them anyway.
        means = {r.id: s.threshold_means(r) for r in self.in_force if r.thresholds}
        every_line = Realisation(
            tuple(p.point() for p in s.parties), means, frozenset(r.id for r in self.in_force)
        )
        self.base = base = Problem(s, job.as_of, every_line)
        self.domains = s.domains()
        self.party_ids = [p.id for p in base.parties]
        bound_of = {r.id: b for r, b in base.red_lines}
        self.lines = [self._line(r, bound_of[r.id]) for r in self.in_force]
        self.veto_lines = [k for k, line in enumerate(self.lines) if line.veto]
        pure = [k for k in self.veto_lines if not self.lines[k].utility]
        self.pure = pure
        self.utility_lines = [k for k in self.veto_lines if self.lines[k].utility]
        sizes = [int(n) for n in base.sizes]
        self.deal = components(sizes, [self.lines[k].issues for k in pure])
        for comp in self.deal or []:
            comp.members = [pure[j] for j in comp.members]  # as indices of self.lines
        fixed = base.package_indices(self.draft.package) if self.draft else None
        self.accept: list[list[Component] | None] = []
        self.own: list[list[int]] = []
        for p in range(len(base.parties)):
            own = [k for k, line in enumerate(self.lines) if line.party == p and not line.utility]
            self.own.append(own)
            comps = components(sizes, [self.lines[k].issues for k in own], fixed) if fixed else None
            for comp in comps or []:
                comp.members = [own[j] for j in comp.members]
            self.accept.append(comps)
        self.fixed = fixed
        self.grids = [[v for v in d.options] for d in self.domains]
        self.float_grids = [
            np.array([float(v) for v in d.options]) if d.numeric else None for d in self.domains
        ]
        self._nash: dict[tuple, tuple[tuple[int, ...], tuple[int, ...], bool]] = {}
        self._candidate_sat: dict[tuple[int, tuple, str], np.ndarray] = {}

    def _line(self, red: RedLine, bound: rules.Bound) -> Line:
        expr = rules.parse(red.rule)
        p = self.base.party_index[red.party]
        lower = None
        if isinstance(bound, rules.UtilityAtom) and bound.op in (">=", ">"):
            lower = (bound.party, 1 if bound.op == ">" else 0, bound.threshold)
        return Line(
            red,
            p,
            self.base.veto[p],
            expr,
            rules.threshold_uses(expr, self.domains, red.thresholds),
            frozenset(rules.issues_of(bound)),
            bool(rules.parties_of(bound)),
            lower,
        )

    # ------------------------------------------------------------------ one sample's numbers

    def firm(self, x: np.ndarray) -> np.ndarray:
        """(samples, lines) whether each red line in force is real in each sample."""
        out = np.ones((len(x), len(self.lines)), dtype=bool)
        for k, line in enumerate(self.lines):
            col = self.column.get(("firmness", line.red.id, ()))
            if col is not None:
                out[:, k] = x[:, col] > 0.5
        return out

    def classes(self, x: np.ndarray) -> list[list[tuple]]:
        """Per line, per sample: the grid interval of each threshold (what binding depends on)."""
        out: list[list[tuple]] = []
        for line in self.lines:
            if not line.red.thresholds:
                out.append([()] * len(x))
                continue
            per_name = []
            for name in line.red.thresholds:
                t = x[:, self.column[("threshold", line.red.id, (name,))]]
                per_name.append([self._interval(i, t) for i in line.uses[name]])
            out.append(
                [tuple(tuple(c[s] for c in name) for name in per_name) for s in range(len(x))]
            )
        return out

    def _interval(self, i: int, t: np.ndarray) -> list[tuple[int, int]]:
        """(options below t, options at or below t) on issue ``i``, compared exactly."""
        grid = self.float_grids[i]
        assert grid is not None
        left = np.searchsorted(grid, t, side="left")
        right = np.searchsorted(grid, t, side="right")
        near = np.zeros(len(t), dtype=bool)
        for k in (left - 1, left, right - 1, right):
            k = np.clip(k, 0, len(grid) - 1)
            near |= np.abs(grid[k] - t) <= 1e-9 * np.maximum(1.0, np.abs(t))
        out = list(zip(left.tolist(), right.tolist(), strict=True))
        for s in np.nonzero(near)[0]:  # a tie within rounding: decide with exact rationals
            v = exact(float(t[s]))
            out[s] = (bisect.bisect_left(self.grids[i], v), bisect.bisect_right(self.grids[i], v))
        return out

    def thresholds(self, x: np.ndarray, s: int) -> dict[str, dict[str, Fraction]]:
        out: dict[str, dict[str, Fraction]] = {}
        for line in self.lines:
            if line.red.thresholds:
                out[line.red.id] = {
                    n: exact(float(x[s, self.column[("threshold", line.red.id, (n,))]]))
                    for n in line.red.thresholds
                }
        return out

    def bind(self, k: int, x: np.ndarray, s: int) -> rules.Bound:
        """Red line ``k`` bound with sample ``s``'s thresholds."""
        line = self.lines[k]
        named = self.thresholds(x, s).get(line.red.id)
        return rules.bind(line.expr, self.domains, self.party_ids, scale_threshold, named)

    def realisation(self, x: np.ndarray, s: int, tables: Tables, firm: np.ndarray) -> Realisation:
        """Sample ``s`` as a :class:`Realisation` (for a solver call on that sample)."""
        parties = []
        for p, party in enumerate(self.base.parties):
            raw = self.job.scenario.parties[p]
            if not raw.uncertain:
                parties.append(party)
                continue

            def num(kind: str, key: tuple[str, ...], written: object, owner: str = raw.id) -> float:
                col = self.column.get((kind, owner, key))
                return float(x[s, col]) if col is not None else written  # type: ignore[return-value]

            parties.append(
                raw.model_copy(
                    update={
                        "reservation": num("reservation", (), raw.reservation),
                        "weights": {i: num("weight", (i,), w) for i, w in raw.weights.items()},
                        "values": {
                            i: {o: num("value", (i, str(o)), v) for o, v in t.items()}
                            for i, t in raw.values.items()
                        },
                    }
                )
            )
        real_firm = {line.red.id for k, line in enumerate(self.lines) if firm[s, k]}
        return Realisation(
            tuple(parties), self.thresholds(x, s), frozenset(real_firm), tables.sample(s)
        )


# --------------------------------------------------------------------------- the batch


_MODELS: dict[str, Model] = {}


def model_for(job: Job) -> Model:
    """The compiled model of ``job``, built once per process."""
    key = job.key
    if key not in _MODELS:
        _MODELS.clear()  # one job at a time per process
        _MODELS[key] = Model(job)
    return _MODELS[key]


def analyse(job: Job, start: int, stop: int) -> BatchResult:
    """Analyse samples ``start … stop−1`` of ``job``."""
    m = model_for(job)
    x = draw(m.qs, job.seed, start, stop)
    n = len(x)
    tables = Tables(m.base, m.qs, x)
    firm = m.firm(x)
    classes = m.classes(x)
    parties, issues = len(m.base.parties), m.base.n_issues
    result = BatchResult(
        n,
        0,
        np.zeros(issues, dtype=np.int64),
        np.zeros(len(m.veto_lines), dtype=np.int64),
        np.zeros(parties, dtype=np.int64),
        np.zeros(parties, dtype=np.int64),
        [],
    )
    deal, engine, conflict_lines, witnesses = _deals(m, x, tables, firm, classes)
    for s in range(n):
        if engine[s]:
            _engine_sample(m, job, x, s, tables, firm, result)
            continue
        in_conflict = conflict_lines[s]
        for j, k in enumerate(m.veto_lines):
            if k in in_conflict:
                result.red_in_conflict[j] += 1
        for i in {i for k in in_conflict for i in m.lines[k].issues}:
            result.blocking[i] += 1
        for package in witnesses[s]:
            result.candidates[package] += 1
        if deal[s]:
            result.deals += 1
            result.deal_samples.append(s)
            if job.nash:
                _nash(m, job, x, s, tables, firm, classes, result)
    result.draft_accepted += _draft_acceptance(m, x, tables, firm, classes)
    result.nash = [(start + s, *rest) for s, *rest in result.nash]  # global sample indices
    result.deal_samples = [start + s for s in result.deal_samples]
    return result


def _deals(
    m: Model, x: np.ndarray, tables: Tables, firm: np.ndarray, classes: list[list[tuple]]
) -> tuple[np.ndarray, np.ndarray, list[set[int]], list[list[tuple[int, ...]]]]:
    """Per sample: a deal exists; needs the engine; red lines in conflict; witness packages."""
    n = len(x)
    engine = np.zeros(n, dtype=bool)
    deal = np.zeros(n, dtype=bool)
    conflicts: list[set[int]] = [set() for _ in range(n)]
    witnesses: list[list[tuple[int, ...]]] = [[] for _ in range(n)]
    if m.deal is None:
        return deal, np.ones(n, dtype=bool), conflicts, witnesses
    for k in m.utility_lines:
        if m.lines[k].lower is None:
            engine |= firm[:, k]  # a utility rule of another shape: the engine decides
    bounded, lower = _lower_bounds(m, tables, firm)
    weights = _gain_weights(m, tables, bounded, lower)
    found = [_component_parts(m, c, x, tables, firm, classes, bounded, weights) for c in m.deal]
    # components with one MSS part in every sample add the same way to every MSS: sum them once
    single = [c for c, f in enumerate(found) if (f.count == 1).all()]
    multi = [c for c in range(len(found)) if c not in single]
    top = sum((found[c].top[:, 0] for c in single), np.zeros((n, len(bounded)), np.int64))
    got = sum((found[c].got[:, 0] for c in single), np.zeros((n, len(bounded)), np.int64))
    base = np.zeros((n, m.base.n_issues), dtype=np.int64)
    for c in single:
        comp = m.deal[c]
        base[:, comp.issues] = comp.combos[found[c].pick[:, 0]]
    for s in range(n):
        if engine[s]:
            continue
        for f in found:
            conflicts[s] |= f.outcomes[s].conflict_lines
        counts = [int(found[c].count[s]) for c in multi]
        if int(np.prod(counts)) > MAX_MSS:
            engine[s] = True
            continue
        for choice in itertools.product(*(range(k) for k in counts)):
            t, g = top[s].copy(), got[s].copy()
            for c, j in zip(multi, choice, strict=True):
                t += found[c].top[s, j]
                g += found[c].got[s, j]
            if (t < lower[s]).any() or (g < lower[s]).any():
                engine[s] = True  # a bound may be in a conflict, or no witness: ask the engine
                break
            package = base[s].copy()
            for c, j in zip(multi, choice, strict=True):
                package[m.deal[c].issues] = m.deal[c].combos[found[c].pick[s, j]]
            witnesses[s].append(tuple(package.tolist()))
        if engine[s]:
            witnesses[s] = []
            continue
        deal[s] = not conflicts[s]
    return deal, engine, conflicts, witnesses


def _lower_bounds(m: Model, tables: Tables, firm: np.ndarray) -> tuple[list[int], np.ndarray]:
    """The parties with a lower bound, and (samples, bounded parties) bounds ``L_p``."""
    bounded = sorted(
        {p for p in m.base.veto_parties}
        | {m.lines[k].lower[0] for k in m.utility_lines if m.lines[k].lower}  # type: ignore[index]
    )
    lower = np.full((tables.n, len(bounded)), np.iinfo(np.int64).min // 4, dtype=np.int64)
    for j, p in enumerate(bounded):
        if m.base.veto[p]:
            lower[:, j] = tables.reservations[:, p]
    for k in m.utility_lines:
        low = m.lines[k].lower
        if low is not None:
            j = bounded.index(low[0])
            t = low[2] + low[1]
            lower[:, j] = np.where(firm[:, k], np.maximum(lower[:, j], t), lower[:, j])
    return bounded, lower


def _gain_weights(m: Model, tables: Tables, bounded: list[int], lower: np.ndarray) -> np.ndarray:
    """Weights of the witness objective: each bounded party's gain relative to its range."""
    top = np.zeros((tables.n, len(bounded)), dtype=np.float64)
    for j, p in enumerate(bounded):
        for i in range(m.base.n_issues):
            top[:, j] += tables.best(p, i)
    return 1.0 / np.maximum(1.0, top - np.maximum(lower, 0))


@dataclass
class Found:
    """One component over a batch: per sample its outcome and, per MSS part ``j``, the bounded
    parties' maximum utilities, the witness's utilities and the witness combination."""

    outcomes: list[Outcome]
    count: np.ndarray  # (samples,) number of parts
    top: np.ndarray  # (samples, parts, bounded)
    got: np.ndarray  # (samples, parts, bounded)
    pick: np.ndarray  # (samples, parts) combination index


def _component_parts(
    m: Model,
    comp: Component,
    x: np.ndarray,
    tables: Tables,
    firm: np.ndarray,
    classes: list[list[tuple]],
    bounded: list[int],
    weights: np.ndarray,
) -> Found:
    n, b = len(x), len(bounded)
    by_signature: dict[tuple, list[int]] = {}
    for s in range(n):
        by_signature.setdefault(_signature(comp, firm, classes, s), []).append(s)
    outcomes: dict[tuple, Outcome] = {
        sig: comp.outcome(sig, None if comp.known(sig) else _masks(m, comp, x, sig, rows[0]))
        for sig, rows in by_signature.items()
    }
    width = max(len(o.parts) for o in outcomes.values())
    found = Found(
        [None] * n,  # type: ignore[list-item]
        np.zeros(n, dtype=np.int64),
        np.zeros((n, width, b), dtype=np.int64),
        np.zeros((n, width, b), dtype=np.int64),
        np.zeros((n, width), dtype=np.int64),
    )
    utils = np.zeros((n, b, len(comp.combos)), dtype=np.int64)
    for j, p in enumerate(bounded):
        for pos, i in enumerate(comp.issues):
            utils[:, j, :] += tables.at(p, i, comp.combos[:, pos])
    floor = np.iinfo(np.int64).min // 4
    for sig, rows in by_signature.items():
        outcome = outcomes[sig]
        idx = np.array(rows)
        U = utils[idx]  # (rows, bounded, combos)
        score = np.einsum("rj,rjc->rc", weights[idx], U.astype(np.float64))
        for r in rows:
            found.outcomes[r] = outcome
        found.count[idx] = len(outcome.parts)
        for j, part in enumerate(outcome.parts):
            found.top[idx, j] = np.where(part.allowed[None, None, :], U, floor).max(axis=2)
            pick = np.where(part.allowed[None, :], score, -np.inf).argmax(axis=1)
            found.pick[idx, j] = pick
            found.got[idx, j] = U[np.arange(len(rows)), :, pick]
    return found


def _signature(comp: Component, firm: np.ndarray, classes: list[list[tuple]], s: int) -> tuple:
    if not comp.members:
        return (0, ())
    mask = sum(1 << b for b, k in enumerate(comp.members) if firm[s, k])
    return (mask, tuple(classes[k][s] if firm[s, k] else None for k in comp.members))


def _masks(m: Model, comp: Component, x: np.ndarray, sig: tuple, s: int) -> np.ndarray:
    """Per combination, the bitmask of the component's firm red lines it satisfies."""
    masks = np.zeros(len(comp.combos), dtype=np.int64)
    for b, k in enumerate(comp.members):
        if sig[0] >> b & 1:
            sat = comp.satisfied(b, sig[1][b], lambda k=k: m.bind(k, x, s))
            masks |= sat.astype(np.int64) << b
    return masks


# --------------------------------------------------------------------------- solver calls


def _engine_sample(
    m: Model,
    job: Job,
    x: np.ndarray,
    s: int,
    tables: Tables,
    firm: np.ndarray,
    result: BatchResult,
) -> None:
    """The exact engine on one sample: feasibility, conflicts, blocking issues."""
    from zopa.engine.blockers import blockers

    problem = Problem(job.scenario, job.as_of, m.realisation(x, s, tables, firm))
    found = blockers(problem, limit=ENGINE_LIMIT, time_limit=None, explain=False)
    result.engine_samples += 1
    result.incomplete += not found.conflicts_complete
    in_conflict = {c.id for conflict in found.conflicts for c in conflict.constraints}
    for j, k in enumerate(m.veto_lines):
        result.red_in_conflict[j] += m.lines[k].red.id in in_conflict
    for p, party in enumerate(m.base.parties):
        result.reservation_in_conflict[p] += f"{party.id}:reservation" in in_conflict
    for issue in found.blocking_issues:
        result.blocking[m.base.issue_index[issue]] += 1
    if found.feasible:
        result.deals += 1
        result.deal_samples.append(s)
        assert found.example is not None
        package = problem.package_indices(found.example)
        result.candidates[tuple(int(k) for k in package)] += 1  # type: ignore[arg-type]
        if job.nash:
            _nash_on(m, problem, s, (s,), result)


def _nash(
    m: Model,
    job: Job,
    x: np.ndarray,
    s: int,
    tables: Tables,
    firm: np.ndarray,
    classes: list[list[tuple]],
    result: BatchResult,
) -> None:
    """The exact Nash package of a sample with a deal (shared by samples with the same problem)."""
    table = tables.sample(s)
    key = (
        tuple(firm[s].tolist()),
        tuple(c[s] for c in classes),
        hashlib.sha1(table.tobytes()).hexdigest(),
        tuple(tables.reservations[s].tolist()),
    )
    cached = m._nash.get(key)
    if cached is None:
        problem = Problem(job.scenario, job.as_of, m.realisation(x, s, tables, firm))
        _nash_on(m, problem, s, key, result)
    else:
        result.nash.append((s, *cached))
        result.candidates[cached[0]] += 1


def _nash_on(m: Model, problem: Problem, s: int, key: tuple, result: BatchResult) -> None:
    from zopa.engine.nash import nash

    found = nash(problem)
    if found.package is None:
        return
    package = tuple(int(k) for k in found.package)
    utils = tuple(problem.utility(list(package)))
    m._nash[key] = (package, utils, found.optimal)
    result.nash.append((s, package, utils, found.optimal))
    result.candidates[package] += 1


# --------------------------------------------------------------------------- the draft


def _draft_acceptance(
    m: Model, x: np.ndarray, tables: Tables, firm: np.ndarray, classes: list[list[tuple]]
) -> np.ndarray:
    """Per party, the number of samples where some completion of the draft is acceptable to it."""
    P = len(m.base.parties)
    out = np.zeros(P, dtype=np.int64)
    if m.fixed is None:
        return out
    n = len(x)
    for p in range(P):
        comps = m.accept[p]
        utility_lines = [k for k, line in enumerate(m.lines) if line.party == p and line.utility]
        lower = tables.reservations[:, p].copy()
        undecided = np.zeros(n, dtype=bool)
        for k in utility_lines:
            low = m.lines[k].lower
            if low is not None and low[0] == p:
                lower = np.where(firm[:, k], np.maximum(lower, low[2] + low[1]), lower)
            else:
                undecided |= firm[:, k]
        if comps is None:
            undecided[:] = True
            comps = []
        best = np.zeros(n, dtype=np.int64)
        possible = np.ones(n, dtype=bool)
        for comp in comps:
            utils = np.zeros((n, len(comp.combos)), dtype=np.int64)
            for pos, i in enumerate(comp.issues):
                utils += tables.at(p, i, comp.combos[:, pos])
            by_signature: dict[tuple, list[int]] = {}
            for s in range(n):
                by_signature.setdefault(_signature(comp, firm, classes, s), []).append(s)
            for sig, rows in by_signature.items():
                outcome = comp.outcome(
                    sig, None if comp.known(sig) else _masks(m, comp, x, sig, rows[0])
                )
                if not outcome.feasible:
                    possible[rows] = False
                    continue
                allowed = outcome.parts[0].allowed
                best[rows] += np.where(
                    allowed[None, :], utils[rows], np.iinfo(np.int64).min // 4
                ).max(axis=1)
        accepted = possible & (best >= lower)
        for s in np.nonzero(undecided)[0]:
            accepted[s] = _accepts_by_solver(m, p, x, int(s), tables, firm)
        out[p] = int(accepted.sum())
    return out


def _accepts_by_solver(
    m: Model, p: int, x: np.ndarray, s: int, tables: Tables, firm: np.ndarray
) -> bool:
    """Some completion of the draft meets party ``p``'s firm red lines and reservation (CP-SAT)."""
    from zopa.engine.cpsat import CpModel

    problem = Problem(m.job.scenario, m.job.as_of, m.realisation(x, s, tables, firm))
    party = problem.parties[p].id
    cp = CpModel(problem, [], utility_parties=[p])
    cp.model.add(cp.U[p] >= int(problem.reservations[p]))
    for red, bound in problem.red_lines:
        if red.party == party:
            cp.post(bound)
    assert m.fixed is not None
    for i, k in enumerate(m.fixed):
        if k is not None:
            cp.model.add(cp.x[i][k] == 1)
    return cp.solve().package is not None


# --------------------------------------------------------------------------- robust package


def count_accepting(job: Job, start: int, stop: int, candidates: np.ndarray) -> np.ndarray:
    """Per candidate package (rows of ``candidates``), the samples in which every veto party
    accepts it: all firm red lines of veto parties hold and every veto party's reservation."""
    m = model_for(job)
    x = draw(m.qs, job.seed, start, stop)
    tables = Tables(m.base, m.qs, x)
    firm = m.firm(x)
    classes = m.classes(x)
    n, k = len(x), len(candidates)
    tag = hashlib.sha1(candidates.tobytes() + repr(candidates.shape).encode()).hexdigest()
    ok = np.ones((n, k), dtype=bool)
    veto = m.base.veto_parties
    utils = tables.utilities(candidates, range(len(m.base.parties)))  # (n, k, parties)
    for p in veto:
        ok &= utils[:, :, p] >= tables.reservations[:, p, None]
    for line_index in m.veto_lines:
        line = m.lines[line_index]
        by_class: dict[tuple, list[int]] = {}
        for s in range(n):
            if firm[s, line_index]:
                by_class.setdefault(classes[line_index][s], []).append(s)
        for key, rows in by_class.items():
            if line.utility:
                for s in rows:  # utility rules depend on each sample's utilities
                    bound = m.bind(line_index, x, s)
                    ok[s] &= rules.evaluate_many(bound, candidates, utils[s])
                continue
            sat = m._candidate_sat.get((line_index, key, tag))
            if sat is None:
                sat = rules.evaluate_many(m.bind(line_index, x, rows[0]), candidates)
                m._candidate_sat[(line_index, key, tag)] = sat
            ok[rows] &= sat[None, :]
    return ok.sum(axis=0)
