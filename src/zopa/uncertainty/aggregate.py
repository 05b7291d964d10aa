"""Sum batch results into probabilities, with Wilson score intervals.

Everything here is a function of integer counts and of per-sample values
sorted by sample index, so the summary is the same for any batching.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.problem import SCALE
from zopa.uncertainty.evaluate import BatchResult, Model
from zopa.uncertainty.robust import Robust

Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
CANDIDATES = 200  # most frequent packages compared with the exact robust package (ties)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson, *JASA* 22, 1927): unlike the
    normal approximation it stays inside [0, 1] and is sensible at 0 and n successes."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = 0.0 if k == 0 else max(0.0, centre - half)  # exact at the ends, not 1e-19
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def merge(results: list[BatchResult]) -> BatchResult:
    first = results[0]
    total = BatchResult(
        0,
        0,
        np.zeros_like(first.blocking),
        np.zeros_like(first.red_in_conflict),
        np.zeros_like(first.reservation_in_conflict),
        np.zeros_like(first.draft_accepted),
        [],
        Counter(),
    )
    for r in results:
        total.samples += r.samples
        total.deals += r.deals
        total.blocking += r.blocking
        total.red_in_conflict += r.red_in_conflict
        total.reservation_in_conflict += r.reservation_in_conflict
        total.draft_accepted += r.draft_accepted
        total.nash.extend(r.nash)
        total.candidates.update(r.candidates)
        total.engine_samples += r.engine_samples
        total.incomplete += r.incomplete
        total.deal_samples.extend(r.deal_samples)
    total.nash.sort()
    total.deal_samples.sort()
    return total


def candidates(total: BatchResult, model: Model) -> np.ndarray:
    """The packages tried for the robust package: the most frequent witnesses and Nash packages
    (ties by package), plus the draft when it fixes every issue."""
    ranked = sorted(total.candidates.items(), key=lambda kv: (-kv[1], kv[0]))
    chosen = [p for p, _ in ranked[:CANDIDATES]]
    if model.fixed is not None and all(k is not None for k in model.fixed):
        draft = tuple(int(k) for k in model.fixed)  # type: ignore[arg-type]
        if draft not in chosen:
            chosen.append(draft)
    return np.array(chosen, dtype=np.int64).reshape(-1, model.base.n_issues)


@dataclass(frozen=True)
class MonteCarlo:
    """The answer of ``zopa montecarlo``."""

    model: Model
    total: BatchResult
    pool: np.ndarray
    accepted: np.ndarray  # per candidate, the samples in which every veto party accepts it
    robust: Robust | None = None  # the exact step (None: the best candidate alone)

    def to_json(self) -> dict[str, Any]:
        m, t = self.model, self.total
        job, base = m.job, m.base
        n = t.samples
        out: dict[str, Any] = {
            "scenario": job.scenario.id,
            "as_of": job.as_of.isoformat() if job.as_of else None,
            "draft": m.draft.id if m.draft else None,
            "samples": n,
            "seed": job.seed,
            "p_deal": {"estimate": t.deals / n, "ci95": list(wilson(t.deals, n))},
            "p_blocking_issue": {
                issue.id: int(c) / n for issue, c in zip(base.issues, t.blocking, strict=True)
            },
            "p_red_line_in_conflict": {
                m.lines[k].red.id: int(c) / n
                for k, c in zip(m.veto_lines, t.red_in_conflict, strict=True)
            },
            "p_reservation_in_conflict": {
                base.parties[p].id: int(t.reservation_in_conflict[p]) / n for p in base.veto_parties
            },
        }
        out["nash_options"], out["nash_utilities"] = self._nash()
        out["nash_samples"] = len(t.nash)
        out["nash_unproven"] = sum(1 for *_, proven in t.nash if not proven)
        out["robust_package"] = self._robust()
        out["draft_acceptance"] = (
            {p.id: int(c) / n for p, c in zip(base.parties, t.draft_accepted, strict=True)}
            if m.draft
            else {}
        )
        out["uncertain"] = [q.to_json() for q in m.qs]
        out["engine_samples"] = t.engine_samples
        out["complete"] = t.incomplete == 0
        return out

    def _nash(self) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
        base, nash = self.model.base, self.total.nash
        if not nash:
            return {}, {}
        options: dict[str, dict[str, float]] = {}
        for i, issue in enumerate(base.issues):
            counts = Counter(package[i] for _, package, _, _ in nash)
            options[issue.id] = {
                str(issue.option_json(k)): c / len(nash) for k, c in sorted(counts.items())
            }
        utilities: dict[str, dict[str, float]] = {}
        for p, party in enumerate(base.parties):
            values = sorted(u[p] for _, _, u, _ in nash)
            summary = {"mean": sum(values) / len(values) / SCALE}
            for q in QUANTILES:
                at = values[min(len(values) - 1, int(q * len(values)))]
                summary[f"p{round(q * 100):02d}"] = at / SCALE
            utilities[party.id] = summary
        return options, utilities

    def _robust(self) -> dict[str, Any]:
        n = self.total.samples
        r = self.robust
        if r is None:  # the candidates alone
            method = f"best of {len(self.pool)} candidates"
            if len(self.pool) == 0:
                return {"package": None, "p_accepted": 0.0, "ci95": [0.0, 1.0], "method": method}
            best = int(np.argmax(self.accepted))  # the first of equals: candidates are ranked
            r = Robust(
                tuple(int(v) for v in self.pool[best]),
                int(self.accepted[best]),
                self.total.deals,  # no package is accepted in a sample without a deal
                False,
                method,
                self.total.deals,
                0,
            )
        return {
            "package": (
                self.model.base.package_json(list(r.package)) if r.package is not None else None
            ),
            "p_accepted": r.accepted / n,
            "ci95": list(wilson(r.accepted, n)),
            "method": r.method,
            "optimal": r.optimal,
            "p_upper_bound": r.bound / n,
            "candidates": len(self.pool),
            "deal_samples": r.deal_samples,
            "constraint_groups": r.groups,
        }
