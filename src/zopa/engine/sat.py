"""Compile a problem's constraints to propositional logic (CNF) for PySAT.

Encoding
--------
* one Boolean ``x[i][o]`` per option of each issue, with an exactly-one
  constraint per issue (a cardinality encoding from PySAT);
* every bound formula (see :mod:`zopa.rules`) gets a literal through the
  Tseitin transformation; a :class:`~zopa.rules.Member` leaf is the
  disjunction of its allowed options;
* a utility comparison ``U_p ≥ T`` is a pseudo-Boolean constraint over the
  option literals, encoded with the adder encoding (Eén & Sörensson 2006,
  "Translating pseudo-Boolean constraints into SAT"), which stays small even
  with the ≈10⁹ integer scale of :mod:`zopa.problem` (the default PySAT
  encoding produced millions of clauses here).  It is *half-reified* by adding
  ``¬y`` to each clause, and the opposite direction is a second constraint,
  so ``y ↔ (U_p ≥ T)`` holds exactly;
* each constraint ``c`` of the agreement set gets a *selector* literal ``s_c``
  with ``s_c → c``: solving under assumptions ``{s_c : c ∈ S}`` decides
  whether the subset ``S`` of constraints is satisfiable, and a failed call
  returns a core (a subset of ``S`` that is already unsatisfiable).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import reduce

from zopa import rules
from zopa.problem import Constraint, Problem


class SatModel:
    """The CNF of a problem plus one selector literal per constraint."""

    def __init__(self, problem: Problem, constraints: Sequence[Constraint] | None = None) -> None:
        from pysat.card import CardEnc, EncType

        self.problem = problem
        self.constraints = list(problem.constraints if constraints is None else constraints)
        self.top = 0
        self.clauses: list[list[int]] = []
        self._pb_cache: dict[tuple[int, int], int] = {}
        self._pb_done: set[tuple[int, int, int]] = set()
        self._bit_cache: dict[int, tuple[list[tuple[int, int]], int]] = {}
        self.x: list[list[int]] = []
        for size in problem.sizes:
            self.x.append([self.new_var() for _ in range(int(size))])
        for lits in self.x:
            if len(lits) == 1:
                self.clauses.append([lits[0]])
                continue
            enc = CardEnc.equals(lits=lits, bound=1, top_id=self.top, encoding=EncType.seqcounter)
            self.top = max(self.top, enc.nv)
            self.clauses.extend(enc.clauses)
        self._true = self.new_var()
        self.clauses.append([self._true])
        self.selectors: list[int] = []
        for c in self.constraints:
            s = self.new_var()
            self.selectors.append(s)
            self.clauses.append([-s, self.literal(c.bound)])

    def new_var(self) -> int:
        self.top += 1
        return self.top

    # ------------------------------------------------------------------ Tseitin

    def literal(self, bound: rules.Bound, polarity: int = 1) -> int:
        """A literal for ``bound``, adding its defining clauses.

        Polarity-aware (Plaisted & Greenbaum 1986): with ``polarity`` 1 the
        literal only implies the formula, with −1 it is only implied by it, with
        0 both — enough for every use and half the clauses of full Tseitin.
        """
        if isinstance(bound, rules.Member):
            lits = [self.x[bound.issue][o] for o in sorted(bound.allowed)]
            if len(lits) == len(self.x[bound.issue]):
                return self._true
            if not lits:
                return -self._true
            if len(lits) == 1:
                return lits[0]
            return self._define_or(lits, polarity)
        if isinstance(bound, rules.UtilityAtom):
            return self._utility(bound, polarity)
        if isinstance(bound, rules.BNot):
            return -self.literal(bound.arg, -polarity)
        args = [self.literal(a, polarity) for a in bound.args]
        if isinstance(bound, rules.BAnd):
            return -self._define_or([-a for a in args], -polarity)
        return self._define_or(args, polarity)

    def _define_or(self, lits: list[int], polarity: int) -> int:
        y = self.new_var()
        if polarity >= 0:
            self.clauses.append([-y, *lits])
        if polarity <= 0:
            self.clauses.extend([[y, -lit] for lit in lits])
        return y

    def _utility(self, atom: rules.UtilityAtom, polarity: int) -> int:
        p, t = atom.party, atom.threshold
        if atom.op in ("==", "!="):
            both = rules.BAnd((rules.UtilityAtom(p, ">=", t), rules.UtilityAtom(p, "<=", t)))
            formula: rules.Bound = both if atom.op == "==" else rules.BNot(both)
            return self.literal(formula, polarity)
        if atom.op == ">=":
            return self._at_least(p, t, polarity)
        if atom.op == ">":
            return self._at_least(p, t + 1, polarity)
        if atom.op == "<=":
            return -self._at_least(p, t + 1, -polarity)
        return -self._at_least(p, t, -polarity)  # "<"

    def _at_least(self, party: int, t: int, polarity: int) -> int:
        """A literal ``y`` for ``U_party ≥ t`` (implying it, implied by it, or both)."""
        y = self._pb_cache.get((party, t))
        if y is None:
            y = self._pb_cache[(party, t)] = self.new_var()
        terms, bound = self._normalised_terms(party, t)
        total = sum(w for _, w in terms)
        if polarity >= 0 and (party, t, 1) not in self._pb_done:
            self._pb_done.add((party, t, 1))
            self._half_reified_at_least(y, terms, bound)
        if polarity <= 0 and (party, t, -1) not in self._pb_done:
            self._pb_done.add((party, t, -1))
            # ¬y → Σ ≤ bound − 1, i.e. Σ w·¬lit ≥ total − bound + 1
            self._half_reified_at_least(-y, [(-lit, w) for lit, w in terms], total - bound + 1)
        return y

    def _bits(self, party: int) -> tuple[list[tuple[int, int]], int]:
        """``U_party`` as ``Σ 2^b·z + offset`` with one literal per bit of each issue's value.

        With exactly one option per issue, bit ``b`` of issue ``i``'s (shifted)
        value is the disjunction of the options whose value has that bit, so a
        value needs ~30 literals however many options the issue has; the adder
        then sums bits instead of 30-bit numbers per option.
        """
        if party in self._bit_cache:
            return self._bit_cache[party]
        table = self.problem.tables[party]
        terms: list[tuple[int, int]] = []
        offset = 0
        for i, lits in enumerate(self.x):
            row = [int(v) for v in table[i, : len(lits)]]
            low = min(row)
            offset += low
            shifted = [v - low for v in row]
            for b in range(max(shifted).bit_length()):
                having = [lit for lit, v in zip(lits, shifted, strict=True) if v >> b & 1]
                z = having[0] if len(having) == 1 else self._define_or(having, 0)
                terms.append((z, 1 << b))
        self._bit_cache[party] = (terms, offset)
        return terms, offset

    def _normalised_terms(self, party: int, t: int) -> tuple[list[tuple[int, int]], int]:
        """``U_p ≥ t`` as ``Σ w·lit ≥ b`` over bit literals, divided by the weights' gcd."""
        terms, offset = self._bits(party)
        bound = t - offset
        g = reduce(math.gcd, (w for _, w in terms), 0)
        if g > 1:
            terms = [(lit, w // g) for lit, w in terms]
            bound = -(-bound // g)  # ceiling division keeps Σ ≥ bound exact for integers
        return terms, bound

    def _half_reified_at_least(self, y: int, terms: list[tuple[int, int]], bound: int) -> None:
        """Clauses for ``y → Σ w·lit ≥ bound``."""
        from pysat.pb import EncType, PBEnc

        total = sum(w for _, w in terms)
        if bound <= 0:
            return
        if bound > total:
            self.clauses.append([-y])
            return
        enc = PBEnc.atleast(
            lits=[lit for lit, _ in terms],
            weights=[w for _, w in terms],
            bound=bound,
            top_id=self.top,
            encoding=EncType.adder,
        )
        self.top = max(self.top, enc.nv)
        self.clauses.extend([[-y, *cl] for cl in enc.clauses])

    # ------------------------------------------------------------------ solving

    def solver(self) -> SatSolver:
        return SatSolver(self)

    def decode(self, model: Iterable[int]) -> list[int]:
        """The package (option index per issue) of a SAT model."""
        true = {lit for lit in model if lit > 0}
        return [next(o for o, v in enumerate(lits) if v in true) for lits in self.x]


class SatSolver:
    """An incremental SAT solver over a :class:`SatModel`; subsets via selectors."""

    def __init__(self, model: SatModel, name: str = "g4") -> None:
        from pysat.solvers import Solver

        self.model = model
        self.solver = Solver(name=name, bootstrap_with=model.clauses)
        self.calls = 0

    def check(self, subset: Iterable[int], extra: Sequence[int] = ()) -> bool:
        """Whether the constraints with these indices hold together in some package.

        ``extra`` are further literals to assume (e.g. options ruled out).
        """
        self.calls += 1
        assumptions = [self.model.selectors[c] for c in subset]
        return bool(self.solver.solve(assumptions=[*assumptions, *extra]))

    def core(self) -> list[int]:
        """Constraint indices of the unsatisfiable core of the last failed check."""
        index = {s: c for c, s in enumerate(self.model.selectors)}
        return sorted(index[lit] for lit in (self.solver.get_core() or []) if lit in index)

    def package(self) -> list[int]:
        return self.model.decode(self.solver.get_model())

    def satisfied(self) -> set[int]:
        """Constraints that hold in the last model (checked exactly, by evaluation)."""
        package = self.package()
        utils = self.model.problem.utility(package)
        return {
            k
            for k, c in enumerate(self.model.constraints)
            if rules.evaluate(c.bound, package, utils)
        }

    def close(self) -> None:
        self.solver.delete()

    def __enter__(self) -> SatSolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
