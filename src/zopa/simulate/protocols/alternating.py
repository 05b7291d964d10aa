"""Stacked alternating offers, multilateral (Aydoğan, Festen, Hindriks & Jonker,
"Alternating offers protocols for multilateral negotiation", in *Modern
Approaches to Agent-based Complex Automated Negotiation*, Springer 2017; the
protocol of the ANAC multilateral leagues).

Parties take turns in the scenario's order; a *round* gives every party one
turn.  On its turn a party proposes a package and every other party answers
accept or reject; the proposal becomes the agreement when every veto party
accepts it (the proposer accepts its own).  Talks break down when the last
round ends.  Unlike ANAC's version, where the next party's counter-offer is
its rejection and later parties never see the offer, every party answers every
proposal here, so the trace shows who would have signed what.  A party
without veto that accepts no package at all passes its turns.
"""

from __future__ import annotations

from zopa.simulate.core import Outcome, Protocol, Step, Turn


class AlternatingOffers(Protocol):
    """Stacked alternating offers: parties propose in turn, every veto party must accept."""

    name = "alternating"

    def run(self) -> tuple[list[Step], Outcome]:
        stop = self.hopeless()
        if stop is not None:
            return [], stop
        problem = self.problem
        order = list(range(len(problem.parties)))
        steps: list[Step] = []
        for r in range(1, self.rounds + 1):
            now, later = Turn.clock(r, self.rounds), Turn.clock(r + 1, self.rounds)
            for pos, p in enumerate(order):
                offer = self.strategies[p].propose(Turn(r, self.rounds, now, now, self.discount))
                package = self.checked(p, offer)
                if package is None:
                    continue
                utils = problem.utility(package)
                responses = {
                    q: self.respond(
                        q,
                        package,
                        utils[q],
                        Turn(r, self.rounds, now, now if k > pos else later, self.discount),
                    )
                    for k, q in enumerate(order)
                    if q != p
                }
                step = Step(r, p, package, tuple(utils), responses)
                steps.append(step)
                for q in order:
                    if q != p:
                        self.strategies[q].observe(step)
                if self.agreed(p, responses):
                    who = problem.parties[p].id
                    return steps, Outcome(package, r, f"every veto party accepted {who}'s proposal")
            self.round_done()
        reason = f"deadline: no proposal was accepted by every veto party in {self.rounds} rounds"
        return steps, Outcome(None, self.rounds, reason)
