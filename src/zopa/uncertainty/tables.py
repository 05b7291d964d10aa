"""Integer utility tables for a batch of samples, vectorised over the samples.

A party whose numbers are all certain keeps the exact table of
:mod:`zopa.problem`.  For a party with a distribution, each sample's weights
are apportioned to integers summing to ``SCALE`` (largest remainder, as in
:func:`zopa.problem.apportion`, here in floating point over all samples at
once) and each entry is ``round(W_i · v_i(o))``.  The Monte Carlo uses these
very integers everywhere — in its own tests and in every solver call for that
sample (through :class:`zopa.problem.Realisation`) — so each sample is
analysed exactly as the numbers it drew.

Everything is elementwise per sample (sums run over issues in a fixed order),
so a sample's table does not depend on the other samples of its batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zopa.model import Attribute, Issue, Party
from zopa.problem import SCALE, Problem, scale
from zopa.uncertainty.sampling import Quantity


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
    W = _apportion(weights)
    return [np.rint(W[:, i, None] * values).astype(np.int64) for i, values in enumerate(rows)]


def _apportion(weights: list[np.ndarray]) -> np.ndarray:
    """Per sample, integers proportional to the weights summing to SCALE (largest remainder)."""
    n = len(weights[0])
    total = np.zeros(n)
    for w in weights:  # a fixed order of additions: the same sum in any batch
        total = total + w
    safe = np.where(total > 0, total, 1.0)
    shares = np.stack([w * SCALE / safe for w in weights], axis=1)
    floors = np.floor(shares)
    left = SCALE - floors.astype(np.int64).sum(axis=1)
    order = np.argsort(-(shares - floors), axis=1, kind="stable")
    rank = np.argsort(order, axis=1, kind="stable")
    out = floors.astype(np.int64) + (rank < left[:, None])
    return np.where(total[:, None] > 0, out, 0).astype(np.float64)


def _basis(issue: Issue, points: list[int]) -> np.ndarray:
    """(options, points) weights of piecewise-linear interpolation, flat outside the points."""
    grid = [float(v) for v in issue.values]  # type: ignore[arg-type]
    xs = [grid[k] for k in points]
    out = np.zeros((len(grid), len(points)))
    for o, v in enumerate(grid):
        if v <= xs[0]:
            out[o, 0] = 1.0
        elif v >= xs[-1]:
            out[o, -1] = 1.0
        else:
            j = int(np.searchsorted(xs, v, side="right")) - 1
            t = (v - xs[j]) / (xs[j + 1] - xs[j])
            out[o, j], out[o, j + 1] = 1 - t, t
    return out
