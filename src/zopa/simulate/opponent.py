"""Opponent models: what a proposer believes the other parties value.

Offers are chosen to be good for the others (:mod:`zopa.simulate.offers`), so a
proposer needs an estimate of their utilities, as a table of integer scores
per issue and option on a coarse grid (``COARSE`` = 1000 for a whole package).

* :class:`FrequencyModel` (the default) learns from the offers a party makes,
  after the frequency model of the *HardHeaded* agent (van Krimpen, Hennes &
  Hindriks, "HardHeaded", in *Complex Automated Negotiations*, Springer 2013;
  compared with other models in Baarslag, Hendrikx, Hindriks & Jonker,
  "Predicting the performance of opponent models in automated negotiation",
  IAT 2013).  The value of an option is how often the party offered it,
  relative to its most offered option on that issue; an issue's weight grows
  each time the party keeps its option unchanged between two offers
  (a party concedes first on what matters least to it).  Before any offer
  every option looks equally good.
* :class:`TrueModel` ("full information") uses the party's real utilities.

The other parties' red lines are public positions in a scenario, so both
models know them (:mod:`zopa.simulate.offers` uses them); only the full model
also knows the others' reservations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from zopa.problem import SCALE, Problem

COARSE = 1000  # the score of a package a party values at 1
LEARN = 0.2  # HardHeaded's learning coefficient for issue weights (divided by issues)


class FrequencyModel:
    """Estimated scores of one party, learnt from the packages it proposes."""

    def __init__(self, problem: Problem) -> None:
        self.sizes = problem.sizes
        width = int(problem.sizes.max())
        self.counts = np.ones((problem.n_issues, width))
        self.weights = np.full(problem.n_issues, 1.0 / problem.n_issues)
        self.last: tuple[int, ...] | None = None

    def observe(self, package: Sequence[int]) -> None:
        pkg = tuple(int(k) for k in package)
        if self.last is not None:
            same = np.array([a == b for a, b in zip(pkg, self.last, strict=True)])
            if same.any():
                self.weights = self.weights + same * (LEARN / len(self.weights))
                self.weights /= self.weights.sum()
        for i, k in enumerate(pkg):
            self.counts[i, k] += 1
        self.last = pkg

    def scores(self) -> np.ndarray:
        """Integer score per (issue, option); padding options score 0."""
        out = np.zeros(self.counts.shape, dtype=np.int64)
        for i, n in enumerate(self.sizes):
            counts = self.counts[i, : int(n)]
            out[i, : int(n)] = np.rint(COARSE * self.weights[i] * counts / counts.max())
        return out


class TrueModel:
    """A party's real utilities, on the coarse grid (full information)."""

    def __init__(self, problem: Problem, party: int) -> None:
        self._scores = true_scores(problem, party)

    def observe(self, package: Sequence[int]) -> None:
        pass

    def scores(self) -> np.ndarray:
        return self._scores


def total(scores: np.ndarray, sizes: np.ndarray, pick: Callable[[np.ndarray], Any] = np.max) -> int:
    """The highest (or, with ``pick=np.min``, lowest) total score of any package."""
    return int(sum(pick(scores[i, : int(n)]) for i, n in enumerate(sizes)))


def true_scores(problem: Problem, party: int) -> np.ndarray:
    """``problem.tables[party]`` rounded to the coarse grid."""
    return np.rint(problem.tables[party] * (COARSE / SCALE)).astype(np.int64)


MODELS = ("frequency", "full")
