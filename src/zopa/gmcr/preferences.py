"""A decision maker's preference over states: a direct ranking, or option prioritisation.

*Option prioritisation* (Fang, Hipel, Kilgour & Peng, "A decision support system
for interactive decision making — Part I", *IEEE Trans. SMC C* 33(1), 2003)
orders states by preference statements over options, most important first:
statement ``k`` of ``L`` is worth ``2^(L−1−k)``, so each statement outweighs all
the statements after it together, and a state's score is the sum over the
statements it satisfies.  Comparing scores is then comparing, lexicographically,
the truth values of the statements in order of importance — which is how it is
computed here, with no limit on the number of statements.  States with the
same truth values tie.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zopa import rules


def ranking_ranks(groups: Sequence[Sequence[int]], n: int) -> np.ndarray:
    """Ranks from groups of state indices, best first (a group is a tie)."""
    out = np.zeros(n, dtype=np.int64)
    for k, group in enumerate(groups):
        out[list(group)] = len(groups) - 1 - k
    return out


def priority_ranks(statements: Sequence[rules.Bound], states: np.ndarray) -> np.ndarray:
    """Ranks of ``states`` (an (n, options) table of 0/1) under prioritised statements."""
    sizes = dict.fromkeys(range(states.shape[1]), 2)
    truth = np.stack([rules.evaluate_many(s, states, sizes=sizes) for s in statements], axis=1)
    # np.unique sorts rows lexicographically, False before True, first column first:
    # exactly the order of scores Σ truth_k · 2^(L−1−k)
    _, inverse = np.unique(truth, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


def scores(statements: Sequence[rules.Bound], states: np.ndarray) -> list[int]:
    """The scores Σ truth_k · 2^(L−1−k) themselves (exact integers), for display."""
    sizes = dict.fromkeys(range(states.shape[1]), 2)
    truth = [rules.evaluate_many(s, states, sizes=sizes) for s in statements]
    top = len(statements)
    return [
        sum(1 << (top - 1 - k) for k in range(top) if truth[k][row]) for row in range(len(states))
    ]
