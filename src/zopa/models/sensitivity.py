"""How much a forecast moves under the model's own uncertain inputs and choices.

A seeded Monte Carlo.  Each draw perturbs every actor's capability and
salience by an independent uniform factor in ``[1 − spread, 1 + spread]``
(salience capped at 100) and, for the expected-utility model, draws ``Q``
uniformly from ``[0.5, 1]``; the expected-utility model then runs that draw
under every reading in :data:`zopa.models.bdm.VARIANTS` (common random
numbers: each reading sees the same draws).  The compromise and median models
have no ``Q`` and no readings, so only the perturbation applies to them.

Draw ``i`` of seed ``S`` reads its own counter-based stream, Philox4x64-10
keyed by ``SeedSequence(S)`` with the counter at ``(0, 0, i, 0)`` — the
scheme of the scenario Monte Carlo, both from :mod:`zopa.streams`.  A draw
takes one uniform for ``Q``, then one per actor for capability and one for
salience, actors taken in the order of their names: the draws, and so the
result, do not depend on the order the actors are listed in.

The summary is the range of all forecasts (``low``, ``high``), their median,
the 10th and 90th percentiles, and a histogram; for the expected-utility
model also each reading's forecast at the given inputs and its own range.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zopa.models import bdm
from zopa.streams import keyed_stream, stream_key

SPREAD = 0.1
Q_RANGE = (0.5, 1.0)
SAMPLES = 200
MAX_SAMPLES = 2_000
BINS = 10
_BAR = 40  # characters of the longest histogram bar


@dataclass(frozen=True)
class Sensitivity:
    """The forecasts of every draw (and reading), with their summary."""

    model: str
    values: np.ndarray  # every forecast: draws × readings
    draws: int
    seed: int
    spread: float
    q_range: tuple[float, float] | None = None
    by_variant: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def low(self) -> float:
        return float(self.values.min())

    @property
    def high(self) -> float:
        return float(self.values.max())

    @property
    def median(self) -> float:
        return float(np.median(self.values))

    def percentile(self, p: float) -> float:
        return float(np.percentile(self.values, p))

    def histogram(self, bins: int = BINS) -> tuple[list[float], list[int]]:
        """Equal-width bins from ``low`` to ``high`` (one bin when every forecast agrees)."""
        if self.high - self.low <= 1e-12 * max(1.0, abs(self.high)):
            return [self.low, self.high], [len(self.values)]
        counts, edges = np.histogram(self.values, bins=bins, range=(self.low, self.high))
        return [float(e) for e in edges], [int(c) for c in counts]

    def to_json(self) -> dict[str, Any]:
        edges, counts = self.histogram()
        out: dict[str, Any] = {
            "low": _num(self.low),
            "high": _num(self.high),
            "median": _num(self.median),
            "p10": _num(self.percentile(10)),
            "p90": _num(self.percentile(90)),
            "samples": len(self.values),
            "draws": self.draws,
            "seed": self.seed,
            "spread": self.spread,
            "q_range": list(self.q_range) if self.q_range else None,
            "variants": list(self.by_variant) if self.by_variant else None,
            "histogram": {"edges": [_num(e) for e in edges], "counts": counts},
        }
        if self.by_variant:
            out["by_variant"] = {
                name: {k: _num(v) for k, v in doc.items()} for name, doc in self.by_variant.items()
            }
        return out

    def to_text(
        self, show: Callable[[float], str], unit: str | None = None, current: str | None = None
    ) -> list[str]:
        """Lines for people (80 columns): what was varied, the range, a histogram, each reading.

        ``current`` names the reading the forecast itself used (marked in the list).
        """
        u = f" {unit}" if unit else ""
        spread = f"±{self.spread * 100:g} %"
        if self.by_variant:
            lo, hi = self.q_range or (0.0, 1.0)
            what = (
                f"{self.draws} draws (seed {self.seed}) × {len(self.by_variant)} readings of the"
                f" model; each draw varies Q from {show(lo)} to {show(hi)} and every capability"
                f" and salience by up to {spread}"
            )
        else:
            what = (
                f"{self.draws} draws (seed {self.seed}), each varying every capability and"
                f" salience by up to {spread}"
            )
        summary = (
            f"Sensitivity: {what}. The forecast ranges from {show(self.low)} to"
            f" {show(self.high)}{u}, median {show(self.median)}; 80 % of runs lie from"
            f" {show(self.percentile(10))} to {show(self.percentile(90))}."
        )
        lines = textwrap.wrap(summary, 79)
        edges, counts = self.histogram()
        if len(counts) == 1:
            lines.append(f"  All {counts[0]} runs give {show(edges[0])}{u}.")
        else:
            labels = [f"{show(a)} to {show(b)}" for a, b in itertools.pairwise(edges)]
            width = max(len(x) for x in labels)
            bar_width = max(10, min(_BAR, 79 - width - 10))
            top = max(counts)
            for label, n in zip(labels, counts, strict=True):
                bar = "#" * round(bar_width * n / top)
                lines.append(f"  {label:>{width}}  {bar:<{bar_width}} {n:>5}")
        if self.by_variant:
            lines.append("  Each reading: forecast at these inputs; range over the draws.")
            name_width = max(len(n) for n in self.by_variant) + len(" (used)")
            for name, doc in self.by_variant.items():
                label = f"{name} (used)" if name == current else name
                lines.append(
                    f"    {label:<{name_width}}  {show(doc['forecast']):>9}"
                    f"   {show(doc['low'])} to {show(doc['high'])}"
                )
        return lines


def sensitivity(
    model: str,
    ids: Sequence[str],
    positions: Sequence[float],
    capabilities: Sequence[float],
    saliences: Sequence[float],
    *,
    rounds: int = 10,
    q: float = 1.0,
    samples: int = SAMPLES,
    seed: int = 0,
    spread: float = SPREAD,
) -> Sensitivity:
    """Forecasts of ``model`` over ``samples`` seeded draws (saliences on the 0–100 scale)."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"the number of samples must be between 1 and {MAX_SAMPLES:,}")
    n = len(ids)
    by_name = sorted(range(n), key=lambda k: ids[k])  # names are unique: a canonical order
    x = np.asarray(positions, dtype=float)[by_name]
    c0 = np.asarray(capabilities, dtype=float)[by_name]
    s0 = np.asarray(saliences, dtype=float)[by_name]
    key = stream_key(seed)
    u = np.stack([keyed_stream(key, i).random(1 + 2 * n) for i in range(samples)])
    c = c0 * (1 + spread * (2 * u[:, 1 : 1 + n] - 1))
    s = np.minimum(100.0, s0 * (1 + spread * (2 * u[:, 1 + n :] - 1)))
    xs = np.broadcast_to(x, c.shape)
    if model == "compromise":
        w = c * s
        return Sensitivity(model, (w * xs).sum(axis=1) / w.sum(axis=1), samples, seed, spread)
    if model == "median":
        return Sensitivity(model, bdm.weighted_medians(xs, c * s), samples, seed, spread)
    if model != "bdm":
        raise ValueError(f"unknown model {model!r}")
    qs = Q_RANGE[0] + (Q_RANGE[1] - Q_RANGE[0]) * u[:, 0]
    values, by_variant = [], {}
    for name in bdm.VARIANTS:
        final, _ = bdm.run_batch(xs, c, s, qs, rounds, name)
        got = bdm.weighted_medians(final, c * s)
        here, _ = bdm.run_batch(x[None, :], c0[None, :], s0[None, :], np.array([q]), rounds, name)
        by_variant[name] = {
            "forecast": float(bdm.weighted_medians(here, (c0 * s0)[None, :])[0]),
            "low": float(got.min()),
            "high": float(got.max()),
            "median": float(np.median(got)),
        }
        values.append(got)
    return Sensitivity(model, np.concatenate(values), samples, seed, spread, Q_RANGE, by_variant)


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)
