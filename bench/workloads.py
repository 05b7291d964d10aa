"""Seeded benchmark workloads: random additive scenarios like those measured for NegMAS.

Each party gives each option of each issue a random evaluation in [0, 1] with
the best option of every issue at 1 (GENIUS style) and random weights; with
``opposed=True`` the second party's evaluations are 1 minus the first's plus
5 % noise (the research note's "opposed preferences" workload).
"""

from __future__ import annotations

import numpy as np

from zopa.model import Scenario


def random_scenario(
    parties: int,
    issues: int,
    options: int,
    seed: int,
    opposed: bool = False,
    reservation: float = 0.0,
    decimals: int = 4,
) -> Scenario:
    rng = np.random.default_rng(seed)
    evals = rng.random((parties, issues, options))
    if opposed and parties >= 2:
        noise = rng.normal(0, 0.05, (issues, options))
        evals[1] = np.clip(1 - evals[0] + noise, 0, 1)
    evals = evals / evals.max(axis=2, keepdims=True)
    weights = rng.random((parties, issues)) + 0.01
    data = {
        "format": "zopa/1",
        "id": f"bench-{parties}p-{issues}x{options}-s{seed}{'-opposed' if opposed else ''}",
        "issues": [
            {"id": f"i{i}", "options": [f"o{o}" for o in range(options)]} for i in range(issues)
        ],
        "parties": [
            {
                "id": f"p{p}",
                "reservation": reservation,
                "weights": {f"i{i}": round(float(weights[p, i]), decimals) for i in range(issues)},
                "values": {
                    f"i{i}": {
                        f"o{o}": round(float(evals[p, i, o]), decimals) for o in range(options)
                    }
                    for i in range(issues)
                },
            }
            for p in range(parties)
        ],
    }
    return Scenario.model_validate(data)
