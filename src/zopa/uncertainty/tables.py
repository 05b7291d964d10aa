"""Integer utility tables for a batch of samples, vectorised over the samples.

A party whose numbers are all certain keeps the exact table of
:mod:`zopa.problem`.  For a party with a distribution, each sample's table is
exactly the table :mod:`zopa.problem` computes for the party with the numbers
that sample drew (weights apportioned to integers summing to ``SCALE`` by
largest remainder, entries ``round(W_i · v_i(o))`` half to even, the drawn
floats read as their decimals), but computed for all samples at once:

* in floating point first, tracking how close each rounding decision comes
  to changing: a floor or a round near a boundary, or two remainders of the
  apportionment near a tie;
* then in exact rational arithmetic for each decision closer than a bound on
  the floating-point error (:func:`zopa.problem.option_values`, and
  :func:`zopa.problem.party_rows` for a whole sample whose apportionment is in
  doubt) — a floating-point filter with an exact fallback, as in Shewchuk's
  adaptive predicates ("Adaptive precision floating-point arithmetic and fast
  robust geometric predicates", *Discrete Comput. Geom.* 18, 1997).

The float errors are at most a few units in the last place of numbers below
``SCALE`` (about 10⁻⁶ grid units); the margins are ten times that, so every
decision taken in floating point is the exact one.  Values written with few
decimals put many entries exactly on half a unit; those are rounded in
integers, once per distinct value table.  The Monte Carlo uses these integers
everywhere — in its own tests and in every solver call for that sample
(through :class:`zopa.problem.Realisation`) — so each sample is analysed
exactly as the numbers it drew.

Everything is elementwise per sample (sums run over issues in a fixed order),
so a sample's table does not depend on the other samples of its batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zopa.model import Attribute, Issue, Party
from zopa.problem import SCALE, Problem, option_values, party_rows, scale
from zopa.uncertainty.sampling import Quantity

# Rounding decisions this close (in grid units) to a boundary are re-made exactly.  The
# float error of W·v is below 10·W·2⁻⁵³ < 10⁻⁶ (W ≤ SCALE < 2³⁰, v in [0, 1] to a few ulps).
ROUND_MARGIN = 1e-5


class Tables:
    """Per party and issue, the integer utilities of every option: (samples, options) or
    (options,) when the same in every sample."""

    def __init__(self, base: Problem, qs: Sequence[Quantity], x: np.ndarray) -> None:
        self.n = len(x)
        self.parties = base.parties
        self.sizes = [int(s) for s in base.sizes]
        column = {(q.kind, q.owner, q.key): k for k, q in enumerate(qs)}
        self.rows: list[list[np.ndarray]] = []
        self.reservations = np.tile(base.reservations, (self.n, 1))
        for p, party in enumerate(base.parties):
            res = column.get(("reservation", party.id, ()))
            if res is not None:
                self.reservations[:, p] = [scale(float(v)) for v in x[:, res]]
            if any(q.owner == party.id and q.kind in ("weight", "value") for q in qs):
                self.rows.append(_sampled_rows(base.issues, party, column, x))
            else:
                self.rows.append([base.tables[p, i, :n] for i, n in enumerate(self.sizes)])

    def at(self, p: int, i: int, options: np.ndarray) -> np.ndarray:
        """Utilities of party ``p`` on issue ``i`` for ``options``: (samples, len(options))."""
        row = self.rows[p][i]
        out = row[..., options]
        return out if out.ndim == 2 else np.broadcast_to(out, (self.n, len(options)))

    def best(self, p: int, i: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Per sample, party ``p``'s best utility on issue ``i`` (among ``allowed`` options)."""
        options = np.arange(self.sizes[i]) if allowed is None else np.nonzero(allowed)[0]
        return self.at(p, i, options).max(axis=1)

    def utilities(self, packages: np.ndarray, parties: Sequence[int]) -> np.ndarray:
        """(samples, packages, parties) integer utilities of ``packages`` (K × issues)."""
        out = np.zeros((self.n, len(packages), len(parties)), dtype=np.int64)
        for j, p in enumerate(parties):
            for i in range(len(self.sizes)):
                out[:, :, j] += self.at(p, i, packages[:, i])
        return out

    def sample(self, s: int) -> np.ndarray:
        """The (parties, issues, max options) table of sample ``s`` (as in :class:`Problem`)."""
        width = max(self.sizes)
        out = np.zeros((len(self.rows), len(self.sizes), width), dtype=np.int64)
        for p, rows in enumerate(self.rows):
            for i, row in enumerate(rows):
                out[p, i, : self.sizes[i]] = row[s] if row.ndim == 2 else row
        return out


def _sampled_rows(
    issues: list[Issue], party: Party, column: dict[tuple, int], x: np.ndarray
) -> list[np.ndarray]:
    n = len(x)

    def number(kind: str, key: tuple[str, ...], written: object) -> np.ndarray:
        k = column.get((kind, party.id, key))
        return x[:, k] if k is not None else np.full(n, float(written))  # type: ignore[arg-type]

    def weight(key: str) -> np.ndarray:
        return number("weight", (key,), party.weights.get(key, 0.0))

    def vector(target: Issue | Attribute, key: str) -> np.ndarray:
        """(samples, options) values of one issue or attribute from the party's table."""
        table = party.values.get(key, {})
        values = np.zeros((n, len(target.values)))
        if table and target.numeric:
            keys = sorted(table, key=lambda o: target.index_of(o))  # type: ignore[arg-type,return-value]
            ys = np.stack([number("value", (key, str(o)), table[o]) for o in keys], axis=1)
            values = ys @ _basis(target, [target.index_of(o) for o in keys]).T  # type: ignore[misc]
        elif table:
            for o, v in table.items():
                values[:, target.index_of(o)] = number("value", (key, str(o)), v)  # type: ignore[index]
        return values

    weights, rows = [], []
    for issue in issues:
        names = party.by_attribute(issue.id)
        if issue.attributes is None or not names:
            weights.append(weight(issue.id))
            rows.append(vector(issue, issue.id))
            continue
        # part-worths: the weighted mean of the attribute values of each combination
        parts = [(a, weight(f"{issue.id}.{name}")) for a, name in enumerate(issue.attributes)]
        total = sum((w for _, w in parts), np.zeros(n))
        values = np.zeros((n, len(issue.values)))
        for a, w in parts:
            attr = issue.attribute_list()[a]
            columns = [combo[a] for combo in issue.combos]
            values += w[:, None] * vector(attr[1], f"{issue.id}.{attr[0]}")[:, columns]
        weights.append(total)
        rows.append(values / np.where(total > 0, total, 1.0)[:, None])
    W, unsure = _apportion(weights)
    out = []
    for i, values in enumerate(rows):
        product = W[:, i, None] * values
        row = np.rint(product).astype(np.int64)
        near = np.abs(product - np.floor(product) - 0.5) < ROUND_MARGIN
        near &= ~unsure[:, None]  # those samples are recomputed whole below
        if near.any():  # round exactly what floating point cannot decide
            _round_exactly(row, near, W[:, i], issues[i], party, column, x)
        out.append(row)
    for s in np.nonzero(unsure)[0]:  # the apportionment itself was too close to call
        exact_rows, _ = party_rows(issues, _drawn(party, column, x[s]))
        for i, exact_row in enumerate(exact_rows):
            out[i][s] = exact_row
    return out


def _round_exactly(
    row: np.ndarray,
    near: np.ndarray,
    weight: np.ndarray,
    issue: Issue,
    party: Party,
    column: dict[tuple, int],
    x: np.ndarray,
) -> None:
    """Set ``row[s, o] = round(W_s · v_s(o))`` in exact arithmetic where ``near`` says so.

    The exact values of the issue depend only on the party's value tables for it
    (and on its attribute weights); most are written numbers, the same in every
    sample, so they are computed once per distinct set of drawn numbers, and the
    rounding runs in int64 when it cannot overflow.
    """
    own = [
        k
        for (kind, owner, key), k in column.items()
        if owner == party.id
        and (
            (kind == "value" and key[0].partition(".")[0] == issue.id)
            or (kind == "weight" and key[0].startswith(f"{issue.id}."))
        )
    ]
    samples, options = np.nonzero(near)
    drawn = x[samples][:, own] if own else np.zeros((len(samples), 0))
    keys, which = np.unique(drawn, axis=0, return_inverse=True)
    which = which.reshape(-1)
    for k in range(len(keys)):
        pick = which == k
        s, o = samples[pick], options[pick]
        exact = option_values(issue, _drawn(party, column, x[s[0]]))
        num = [(exact[j] or 0).numerator for j in o]
        den = [(exact[j] or 0).denominator for j in o]
        if max(map(abs, num)) < 2**62 // SCALE and max(den) < 2**61:
            n = weight[s].astype(np.int64) * np.array(num, dtype=np.int64)
            d = np.array(den, dtype=np.int64)
            q, r = np.divmod(n, d)
            row[s, o] = q + ((2 * r > d) | ((2 * r == d) & (q % 2 == 1)))
        else:
            for t, (a, b) in enumerate(zip(num, den, strict=True)):
                row[s[t], o[t]] = _round_half_even(int(weight[s[t]]) * a, b)


def _round_half_even(numerator: int, denominator: int) -> int:
    """``round(numerator / denominator)`` with ties to even, in integers."""
    q, r = divmod(numerator, denominator)
    twice = 2 * r
    return q + (twice > denominator or (twice == denominator and q % 2 == 1))


def _drawn(party: Party, column: dict[tuple, int], xs: np.ndarray) -> Party:
    """The party with the numbers one sample drew (as :class:`zopa.problem.Realisation` has it)."""

    def num(kind: str, key: tuple[str, ...], written: object) -> object:
        k = column.get((kind, party.id, key))
        return float(xs[k]) if k is not None else written

    return party.model_copy(
        update={
            "weights": {i: num("weight", (i,), w) for i, w in party.weights.items()},
            "values": {
                i: {o: num("value", (i, str(o)), v) for o, v in t.items()}
                for i, t in party.values.items()
            },
        }
    )


def _apportion(weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per sample, integers proportional to the weights summing to SCALE (largest remainder),
    and which samples took a decision too close to call in floating point.

    Equal weights have equal remainders in floating point as in exact arithmetic,
    and both break the tie by issue order, so only unequal weights can be ranked
    differently: a sample is unsure when a share is near an integer, or when
    remainders of unequal weights lie near each other across the cut.
    """
    n, m = len(weights[0]), len(weights)
    total = np.zeros(n)
    for w in weights:  # a fixed order of additions: the same sum in any batch
        total = total + w
    safe = np.where(total > 0, total, 1.0)
    ws = np.stack(weights, axis=1)
    shares = ws * SCALE / safe[:, None]
    floors = np.floor(shares)
    left = SCALE - floors.astype(np.int64).sum(axis=1)
    remainders = shares - floors
    order = np.argsort(-remainders, axis=1, kind="stable")
    rank = np.argsort(order, axis=1, kind="stable")
    out = floors.astype(np.int64) + (rank < left[:, None])
    # a share is m + 4 roundings away from exact, each within 2⁻⁵³ of numbers below SCALE
    margin = 10 * SCALE * (m + 4) * 2.0**-53
    unsure = (((remainders < margin) | (remainders > 1 - margin)) & (ws != 0)).any(axis=1)
    inside = (left > 0) & (left < m)
    if m > 1 and inside.any():
        cut = np.clip(left, 1, m - 1)[:, None]
        ranked = np.take_along_axis(remainders, order, axis=1)
        ranked_w = np.take_along_axis(ws, order, axis=1)
        hi = np.take_along_axis(ranked, cut - 1, axis=1)
        lo = np.take_along_axis(ranked, cut, axis=1)
        window = (ranked >= lo - 2 * margin) & (ranked <= hi + 2 * margin)
        same = ranked_w == np.take_along_axis(ranked_w, cut, axis=1)
        close = (hi - lo)[:, 0] < 2 * margin
        unsure |= inside & close & (window & ~same).any(axis=1)
    unsure &= total > 0
    return np.where(total[:, None] > 0, out, 0).astype(np.float64), unsure


def _basis(issue: Issue | Attribute, points: list[int]) -> np.ndarray:
    """(options, points) weights of piecewise-linear interpolation, flat outside the points.

    Each weight is computed exactly from the option numbers, then rounded once.
    """
    import bisect

    grid = issue.values
    xs = [grid[k] for k in points]
    out = np.zeros((len(grid), len(points)))
    for o, v in enumerate(grid):
        if v <= xs[0]:  # type: ignore[operator]
            out[o, 0] = 1.0
        elif v >= xs[-1]:  # type: ignore[operator]
            out[o, -1] = 1.0
        else:
            j = bisect.bisect_right(xs, v) - 1  # type: ignore[type-var]
            t = (v - xs[j]) / (xs[j + 1] - xs[j])  # type: ignore[operator]
            out[o, j], out[o, j + 1] = float(1 - t), float(t)
    return out
