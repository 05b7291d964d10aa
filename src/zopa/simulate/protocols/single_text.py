"""The single negotiating text (Raiffa, *The Art and Science of Negotiation*,
Harvard 1982, ch. 14; the procedure of the 1978 Camp David talks, where the
United States mediator revised one text through some twenty drafts).

A mediator party drafts one full package; every party answers accept or
reject, and a rejecting party states its objections: the red lines the text
violates (its reservation counts as one) and the issues whose change would
raise its utility most.  The mediator then revises the text; talks end in
agreement when every veto party accepts the same text, or break down when the
rounds run out.  Nobody is committed to a text before then.

**The mediator's revision** is one CP-SAT optimisation per round over a model
compiled once.  Hard: the mediator's own red lines and reservation.  Each
veto party has *demands*: every red line (or reservation) it has objected to
in any round so far (the mediator learns the red lines from objections), and,
if it rejected a text that broke none of them, a rise of its utility by
``step`` of its range (``step · (max − d)``) — or, if it accepted, no loss.
Then, lexicographically:

1. the fewest unmet demands for the party with the most unmet (so that no
   side wins by having more red lines or more allies), then the fewest in all;
2. the fewest issues changed from the current text (Raiffa's texts are revised
   point by point);
3. the largest smallest normalised gain ``min_p (u_p − d_p) / (max_p − d_p)``
   over the veto parties (a fair text);
4. the mediator's own utility.

The first text is the selected draft (its fixed issues kept where the
mediator's red lines allow, the rest chosen by 3 and 4) or, with ``start=fair``
or no draft, the text that maximises 3 then 4.  The mediator's own strategy is
not used; when the mediator is a veto party it accepts its own text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from zopa import rules
from zopa.engine.cpsat import CpModel
from zopa.problem import SCALE, Problem
from zopa.simulate.core import Objection, Outcome, Parameter, Protocol, Step, Turn
from zopa.simulate.offers import lexicographic, resolve
from zopa.simulate.opponent import COARSE, total, true_scores

GRID = 1000  # normalised gains are compared in thousandths
WANTS = 3  # issues a rejecting party names


class SingleText(Protocol):
    """A mediator revises one text until every veto party accepts (Raiffa)."""

    name = "single-text"
    parameters: ClassVar[dict[str, Parameter]] = {
        "mediator": Parameter(
            "", "the drafting party (default: the first party without veto)", kind=str
        ),
        "step": Parameter(
            0.1, "utility rise asked for a party that wants more, share of its range", low=0, high=1
        ),
        "start": Parameter(
            "draft",
            "draft: start from the selected draft; fair: the fairest text",
            kind=str,
            choices=("draft", "fair"),
        ),
    }

    @classmethod
    def validate(cls, problem: Problem, params: Mapping[str, Any]) -> None:
        mediator_of(problem, params.get("mediator", ""))

    def run(self) -> tuple[list[Step], Outcome]:
        problem = self.problem
        m = mediator_of(problem, self.params["mediator"])
        self.params["mediator"] = problem.parties[m].id
        stop = self.hopeless()
        if stop is not None:
            return [], stop
        writer = Mediator(problem, m)
        if writer.infeasible:
            who = problem.parties[m].id
            reason = f"the mediator {who} accepts no text: its own red lines exclude them all"
            return [], Outcome(None, 0, reason)
        start = self.draft if self.params["start"] == "draft" and self.draft else None
        text = writer.first(start)
        steps: list[Step] = []
        for r in range(1, self.rounds + 1):
            turn = Turn(
                r,
                self.rounds,
                Turn.clock(r, self.rounds),
                Turn.clock(r + 1, self.rounds),
                self.discount,
            )
            package = self.checked(m, text)
            assert package is not None
            utils = problem.utility(package)
            responses = {
                q: self.respond(q, package, utils[q], turn)
                for q in range(len(problem.parties))
                if q != m
            }
            objections = {
                q: objection(problem, q, package, utils) for q, ok in responses.items() if not ok
            }
            step = Step(r, m, package, tuple(utils), responses, objections)
            steps.append(step)
            for q in responses:
                self.strategies[q].observe(step)
            if self.agreed(m, responses):
                who = problem.parties[m].id
                return steps, Outcome(package, r, f"every veto party accepted {who}'s text")
            text = writer.revise(package, utils, responses, objections, self.params["step"])
            self.round_done()
        reason = f"deadline: no text was accepted by every veto party in {self.rounds} rounds"
        return steps, Outcome(None, self.rounds, reason)


def mediator_of(problem: Problem, chosen: str) -> int:
    """The mediator's index: ``chosen``, or the first party without veto."""
    if chosen:
        if chosen not in problem.party_index:
            known = ", ".join(problem.party_index)
            raise ValueError(f"mediator: no party {chosen!r} (parties: {known})")
        return problem.party_index[chosen]
    for k, party in enumerate(problem.parties):
        if not party.veto:
            return k
    raise ValueError(
        "every party has a veto; name the mediator (--mediator PARTY, or mediator: in the config)"
    )


def objection(
    problem: Problem, party: int, package: Sequence[int], utils: Sequence[int]
) -> Objection:
    """The red lines of ``party`` that ``package`` violates, and the issues it wants changed."""
    pid = problem.parties[party].id
    violated = [
        red.id
        for red, bound in problem.red_lines
        if red.party == pid and not rules.evaluate(bound, package, utils)
    ]
    if utils[party] < problem.reservations[party]:
        violated.append(f"{pid}:reservation")
    table = problem.tables[party]
    gains = [
        int(table[i, : int(n)].max() - table[i, package[i]]) for i, n in enumerate(problem.sizes)
    ]
    order = sorted((i for i, g in enumerate(gains) if g > 0), key=lambda i: (-gains[i], i))
    return Objection(tuple(violated), tuple(problem.issues[i].id for i in order[:WANTS]))


class Mediator:
    """The mediator's CP-SAT model, compiled once; :meth:`revise` re-solves it.

    Which demands count in a round is set through the bounds of fixed Boolean
    switches (``known`` per red line, ``active`` per utility demand), so the
    model never changes shape.
    """

    def __init__(self, problem: Problem, mediator: int) -> None:
        self.problem = problem
        self.me = mediator
        self.V = [p for p in problem.veto_parties if p != mediator]
        cp = CpModel(problem, constraints=[], utility_parties=[*self.V, mediator])
        pid = problem.parties[mediator].id
        for red, bound in problem.red_lines:
            if red.party == pid:
                cp.post(bound)
        cp.post(rules.UtilityAtom(mediator, ">=", int(problem.reservations[mediator])))
        self.cp = cp
        m = cp.model
        unmet: dict[str, list[Any]] = {problem.parties[q].id: [] for q in self.V}
        self.known: dict[str, Any] = {}  # red line id -> switch: objected to so far
        for c in problem.constraints:
            if c.party != pid:
                self.known[c.id] = m.new_bool_var(f"known {c.id}")
                unmet[c.party].append(_unmet(m, cp.literal(c.bound), self.known[c.id]))
        self.levels: dict[int, Any] = {}  # demand U_q ≥ level_q, switched by active_q
        self.active: dict[int, Any] = {}
        for q in self.V:
            level = m.new_int_var(problem.min_utility(q), problem.max_utility(q), f"level {q}")
            met = m.new_bool_var(f"utility {q}")
            m.add(cp.U[q] >= level).only_enforce_if(met)
            self.levels[q], self.active[q] = level, m.new_bool_var(f"active {q}")
            unmet[problem.parties[q].id].append(_unmet(m, met, self.active[q]))
        demands = [x for xs in unmet.values() for x in xs]
        self.worst = m.new_int_var(0, max((len(xs) for xs in unmet.values()), default=0), "worst")
        for xs in unmet.values():
            m.add(self.worst >= sum(xs))
        self.unmet = sum(demands)
        self.cells = [(i, o) for i, xs in enumerate(cp.x) for o in range(len(xs))]
        self.literals = [x for xs in cp.x for x in xs]
        self.gain, gain_range = self._min_gain(problem.veto_parties)
        self.own = true_scores(problem, mediator)
        spans = [total(self.own, problem.sizes), gain_range, problem.n_issues, len(demands)]
        self.w_gain, self.w_change, self.w_unmet, self.w_worst = lexicographic(spans)
        self.objected: set[str] = set()
        for switch in [*self.known.values(), *self.active.values()]:
            _fix(switch, 0)
        self.infeasible = cp.solve().package is None

    def _min_gain(self, veto: list[int]) -> tuple[Any, int]:
        """A variable ``t ≤ GRID · (u_p − d_p) / (max_p − d_p)`` for every veto party.

        On the coarse grid of the opponent models (a tie-break, so 1/1000 is
        enough; exact utilities here would put 10¹² coefficients in the model).
        """
        problem, cp = self.problem, self.cp
        low, bounded = 0, []
        for p in veto:
            scores = true_scores(problem, p)
            d = round(int(problem.reservations[p]) * COARSE / SCALE)
            top, bottom = total(scores, problem.sizes), total(scores, problem.sizes, np.min)
            if top > d:
                bounded.append((scores, d, top - d))
                low = min(low, (GRID * (bottom - d)) // (top - d))
        t = cp.model.new_int_var(low, GRID, "gain")
        for scores, d, span in bounded:
            score = cp.cp.LinearExpr.weighted_sum(
                self.literals, [int(scores[i, o]) for i, o in self.cells]
            )
            cp.model.add(t * span <= GRID * (score - d))
        return t, GRID - low

    def first(self, draft: Sequence[int | None] | None) -> list[int]:
        """The first text: the draft (kept where possible) or the fairest text."""
        return self._solve(list(draft) if draft is not None else [None] * self.problem.n_issues)

    def revise(
        self,
        text: Sequence[int],
        utils: Sequence[int],
        responses: dict[int, bool],
        objections: dict[int, Objection],
        step: float,
    ) -> list[int]:
        """The next text (see the module docstring for the order of aims)."""
        problem = self.problem
        for obj in objections.values():
            self.objected.update(c for c in obj.red_lines if c in self.known)
        for c, switch in self.known.items():
            _fix(switch, int(c in self.objected))
        for q in self.V:
            if responses.get(q):
                want = utils[q]  # accepted: lose nothing
            elif not objections[q].red_lines:
                top = problem.max_utility(q)
                span = top - int(problem.reservations[q])
                want = min(top, utils[q] + max(1, int(np.ceil(step * span))))
            else:
                _fix(self.active[q], 0)  # its red lines speak for it
                continue
            _fix(self.levels[q], want)
            _fix(self.active[q], 1)
        return self._solve(list(text))

    def _solve(self, keep: Sequence[int | None]) -> list[int]:
        cp = self.cp
        coeffs = [
            int(self.own[i, o]) + (self.w_change if keep[i] == o else 0) for i, o in self.cells
        ]
        objective = (
            cp.cp.LinearExpr.weighted_sum([*self.literals, self.gain], [*coeffs, self.w_gain])
            - self.w_unmet * self.unmet
            - self.w_worst * self.worst
        )
        solved = resolve(cp, objective, keep)
        if solved.package is None:
            raise RuntimeError(f"the mediator found no text ({solved.status})")
        return solved.package


def _unmet(model: Any, met: Any, switch: Any) -> Any:
    """A Boolean that must be 1 when ``switch`` is on and ``met`` is false (minimised)."""
    unmet = model.new_bool_var("")
    model.add(unmet + met >= switch)
    return unmet


def _fix(var: Any, value: int) -> None:
    """Fix a variable to ``value`` through its bounds (the model keeps its shape)."""
    var.proto.domain[0] = var.proto.domain[1] = value
