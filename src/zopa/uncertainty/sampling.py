"""Draw realisations of an uncertain scenario, the same whatever the batching.

Every uncertain quantity of a scenario (a weight, value, reservation or
red-line threshold given as a distribution, and every red line with firmness
below 1) becomes one column of a sample matrix, in a fixed order.

Reproducibility: sample ``i`` of seed ``S`` reads only its own stream, that
of the counter-based generator Philox4x64-10 (Salmon, Moraes, Dror and Shaw,
"Parallel random numbers: as easy as 1, 2, 3", SC 2011) with the key
``SeedSequence(S).generate_state(2, uint64)`` and the counter starting at
``(0, 0, i, 0)`` — NumPy's ``Philox(counter=[0, 0, i, 0], key=key)``.  The
sample's draws advance the low counter words only, so streams never overlap,
and Philox's rounds make outputs for distinct counters independent for all
practical purposes (it passes BigCrush on such structured counters).  A
sample's numbers therefore depend on ``(S, i)`` alone, never on which worker
or batch draws it.

(Until November 2026 sample ``i`` read the ``i``-th block of 2⁶⁴ numbers of
one PCG64 generator.  PCG64 streams a power-of-two distance apart are
strongly correlated, which biased the estimates; see ``tests/test_uncertainty.py``.)

Transforms (one uniform per column, then inverse CDFs):

* ``uniform [lo, hi]``: ``lo + u·(hi − lo)``;
* ``triangular [lo, mode, hi]``: the closed-form inverse CDF;
* ``normal [mean, sd]`` truncated to the valid range ``[a, b]``:
  ``Φ⁻¹(Φ(a) + u·(Φ(b) − Φ(a)))`` (inverse-CDF sampling of a truncated
  distribution), mirrored when the range lies in the upper tail;
* ``beta [a, b(, lo, hi)]``: a Beta(a, b) draw from the sample's stream
  (NumPy's generator), scaled to ``[lo, hi]``;
* firmness ``f``: the red line is real when ``u < f``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

from zopa.model import UNIT, WEIGHT, Distribution, RedLine, Scenario
from zopa.streams import COUNTER_WORD, stream_key
from zopa.streams import stream as stream  # a sample's stream, built the plain way

Kind = Literal["weight", "value", "reservation", "threshold", "firmness"]
_NORMAL = NormalDist()


@dataclass(frozen=True)
class Quantity:
    """One uncertain number of a scenario, with where it sits."""

    kind: Kind
    owner: str  # party id, or red line id
    key: tuple[str, ...]  # (issue,) for a weight, (issue, option) for a value, (name,) ...
    dist: Distribution | None  # None for a firmness
    valid: tuple[float, float]
    firmness: float = 1.0

    @property
    def label(self) -> str:
        return ".".join((self.owner, self.kind, *self.key))

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "of": self.owner, "key": list(self.key)}
        out["distribution"] = self.dist.to_json() if self.dist else {"firmness": self.firmness}
        return out


def quantities(scenario: Scenario, red_lines: list[RedLine]) -> list[Quantity]:
    """Every uncertain number of ``scenario`` (red lines: only ``red_lines``), in a fixed order."""
    out: list[Quantity] = []
    for party in scenario.parties:
        if isinstance(party.reservation, Distribution):
            out.append(Quantity("reservation", party.id, (), party.reservation, UNIT))
        for issue, w in party.weights.items():
            if isinstance(w, Distribution):
                out.append(Quantity("weight", party.id, (issue,), w, WEIGHT))
        for issue, table in party.values.items():
            for option, v in table.items():
                if isinstance(v, Distribution):
                    out.append(Quantity("value", party.id, (issue, str(option)), v, UNIT))
    for red in red_lines:
        ranges = scenario.threshold_ranges(red)
        for name, dist in red.thresholds.items():
            out.append(Quantity("threshold", red.id, (name,), dist, ranges[name]))
        if red.firmness < 1:
            out.append(Quantity("firmness", red.id, (), None, (0.0, 1.0), red.firmness))
    return out


def draw(qs: list[Quantity], seed: int, start: int, stop: int) -> np.ndarray:
    """Samples ``start … stop−1``: a (samples × quantities) float matrix.

    A firmness column holds 1.0 when the red line is real in that sample, else 0.0.
    """
    n = stop - start
    out = np.zeros((n, len(qs)), dtype=np.float64)
    if not qs:
        return out
    key = stream_key(seed)
    bits = np.random.Philox(key=key)
    gen = np.random.Generator(bits)
    counter = np.zeros(4, dtype=np.uint64)
    state = {
        "bit_generator": "Philox",
        "state": {"counter": counter, "key": key},
        "buffer": np.zeros(4, dtype=np.uint64),
        "buffer_pos": 4,  # nothing buffered: the first draw computes a fresh block
        "has_uint32": 0,
        "uinteger": 0,
    }
    betas = [k for k, q in enumerate(qs) if q.dist is not None and q.dist.kind == "beta"]
    u = np.empty((n, len(qs)), dtype=np.float64)
    beta_draws = np.empty((n, len(betas)), dtype=np.float64)
    for row in range(n):
        counter[COUNTER_WORD] = start + row
        bits.state = state  # as Philox(counter=[0, 0, start + row, 0], key=key), but cheaper
        u[row] = gen.random(len(qs))
        for j, k in enumerate(betas):
            a, b = qs[k].dist.params[:2]  # type: ignore[union-attr]
            beta_draws[row, j] = gen.beta(a, b)
    for k, q in enumerate(qs):
        if q.dist is None:
            out[:, k] = (u[:, k] < q.firmness).astype(np.float64)
        elif q.dist.kind == "beta":
            lo, hi = q.dist.support(q.valid)
            out[:, k] = lo + (hi - lo) * beta_draws[:, betas.index(k)]
        else:
            out[:, k] = _inverse_cdf(q.dist, q.valid, u[:, k])
    return out


def _inverse_cdf(dist: Distribution, valid: tuple[float, float], u: np.ndarray) -> np.ndarray:
    xs = dist.params
    if dist.kind == "uniform":
        return xs[0] + u * (xs[1] - xs[0])
    if dist.kind == "triangular":
        lo, mode, hi = xs
        if hi == lo:
            return np.full_like(u, lo)
        cut = (mode - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
        return np.where(u < cut, left, right)
    return np.array([truncated_normal(xs[0], xs[1], *valid, float(p)) for p in u])


def truncated_normal(mu: float, sd: float, lo: float, hi: float, u: float) -> float:
    """The ``u``-quantile of N(mu, sd²) truncated to [lo, hi]."""
    a, b = (lo - mu) / sd, (hi - mu) / sd
    if a > 0:  # work in the lower tail, where the CDF keeps its precision
        return -truncated_normal(-mu, sd, -hi, -lo, 1 - u)
    fa = 0.0 if math.isinf(a) else _NORMAL.cdf(a)
    fb = 1.0 if math.isinf(b) else _NORMAL.cdf(b)
    p = min(max(fa + u * (fb - fa), 1e-300), 1 - 1e-16)
    return min(max(mu + sd * _NORMAL.inv_cdf(p), lo), hi)
