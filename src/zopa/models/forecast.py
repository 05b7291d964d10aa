"""Forecasting the outcome of one numeric issue from positions, saliences and capabilities.

Each actor *i* has a position ``x_i`` on the issue, a salience ``s_i`` in
0–100 (how much the issue matters to it) and a capability ``c_i`` ≥ 0 (its
power on the issue); its *weight* is ``w_i = c_i · s_i``.

- **Compromise model** (weighted mean), ``Σ w_i x_i / Σ w_i``: the most accurate
  simple forecaster of EU legislative outcomes in Thomson, Stokman, Achen &
  König (eds.), *The European Union Decides* (2006), and Achen's chapter there.
- **Weighted median**, the minimiser of ``Σ w_i |x − x_i|`` (Black's median
  voter with linear loss).  When the weight splits exactly in half the
  minimisers form an interval; the forecast is its midpoint.
- **Condorcet winner** among the actors' positions: with linear loss, ``y``
  receives ``Σ w_i (|x_i − z| − |x_i − y|)`` votes against ``z`` (votes as in
  Bueno de Mesquita's model), a margin equal to ``F(z) − F(y)`` with
  ``F(y) = Σ w_i |x_i − y|``; the winner is the position that beats every
  other.  There is none when two positions tie at the minimum (the exact-half
  case), and it is then reported as None with the tied positions.
- **Expected-utility model** of Bueno de Mesquita: see :mod:`zopa.models.bdm`.

The compromise and median models are exact (:class:`fractions.Fraction`);
inputs written as decimals are read as the decimals written.  They and the
:class:`Actor` type live in :mod:`zopa.models.spatial` (below both this module
and :mod:`zopa.models.bdm`) and are re-exported here.

Actors come from a standalone table (``actor,capability,position,salience``)
or from a scenario's parties (:func:`actors_from_scenario`), where missing
inputs take documented defaults (see that function).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from zopa.models.spatial import (
    Actor,
    compromise,
    condorcet,
    json_number,
    linear_loss,
    undefeated,
    votes,
    weighted_median,
)

__all__ = [
    "HUNDRED",
    "MODELS",
    "Actor",
    "Forecast",
    "IssueForecast",
    "actors_from_scenario",
    "best_position",
    "compromise",
    "condorcet",
    "default_salience",
    "forecasts_for",
    "linear_loss",
    "read_actors",
    "run",
    "undefeated",
    "votes",
    "weighted_median",
]

MODELS = ("compromise", "median", "bdm")
HUNDRED = Fraction(100)


# --------------------------------------------------------------------------- running a model


@dataclass(frozen=True)
class Forecast:
    """The result of one model on one set of actors, ready for JSON or text."""

    model: str
    actors: list[Actor]
    value: Fraction | float
    details: dict[str, Any]
    issue: str | None = None
    unit: str | None = None
    sensitivity: Any = None  # zopa.models.sensitivity.Sensitivity, None when not computed

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "forecast": json_number(self.value)}
        if isinstance(self.value, Fraction):
            out["forecast_exact"] = _text(self.value)
        out.update(self.details)
        if self.sensitivity is not None:
            out["sensitivity"] = self.sensitivity.to_json()
        if self.issue is not None:
            out["issue"] = self.issue
        out["actors"] = [a.to_json() for a in self.actors]
        return out

    def to_text(self, names: Mapping[str, str] | None = None, title: str | None = None) -> str:
        """The actor table, the forecast and its sensitivity, within 80 columns.

        ``names`` gives the actors' display names (a scenario's party names) and
        ``title`` the issue's; without them, the ids are shown.  A long name wraps
        in its column.
        """
        names = names or {}
        shown = {a.id: names.get(a.id, a.id) for a in self.actors}
        width = min(max([len("actor"), *(len(n) for n in shown.values())]), _NAME_WIDTH)
        if self.issue:
            what = f"issue {self.issue}" if title is None else title
        else:
            what = "the actor table"
        lines = [
            *textwrap.wrap(f"Forecast for {what} ({_MODEL_TITLES[self.model]})", 79),
            "",
            f"{'actor':<{width}}  {'capability':>12}  {'position':>14}  {'salience':>9}",
        ]
        for a in self.actors:
            note = "  (assumed: " + ", ".join(a.assumed) + ")" if a.assumed else ""
            label = textwrap.wrap(shown[a.id], width, break_long_words=False) or [""]
            lines.append(
                f"{label[0]:<{width}}  {show(a.capability):>12}  {show(a.position):>14}"
                f"  {show(a.salience):>9}{note}"
            )
            lines += ["  " + rest for rest in label[1:]]
        unit = f" {self.unit}" if self.unit else ""
        lines += ["", f"Forecast: {show(self.value)}{unit}"]
        if self.model == "bdm":
            lines[-1] += " (the weighted median after the last round)"
        if self.model == "median":
            c = self.details["condorcet"]
            lines.append(
                "Condorcet winner among the positions: "
                + (
                    show(Fraction(c))
                    if c is not None
                    else "none (tied: "
                    + ", ".join(show(Fraction(y)) for y in self.details["undefeated"])
                    + ")"
                )
            )
        if self.model == "bdm":
            lines += self._rounds_text(names)
        if self.sensitivity is not None:
            current = self.details.get("variant")
            lines += ["", *self.sensitivity.to_text(show, self.unit, current)]
        return "\n".join(lines)

    def _rounds_text(self, names: Mapping[str, str]) -> list[str]:
        from zopa.models.bdm import VARIANTS

        d = self.details
        reading = VARIANTS[d["variant"]]
        start = d["initial"]
        lines = [
            *textwrap.wrap(f"Reading {reading.name}, Q = {show(d['q'])}: {reading.summary}", 79),
            "",
            f"Start: median {show(start['median'])}, mean {show(start['mean'])}",
        ]
        for r in d["rounds"]:
            lines.append(f"Round {r['round']}: median {show(r['median'])}, mean {show(r['mean'])}")
            for m in r["moves"]:
                before, after = _pair(m["from"], m["to"])
                who, rival = (names.get(m[k], m[k]) for k in ("actor", "challenger"))
                lines += textwrap.wrap(
                    f"{who} {before} -> {after} ({_MOVES[m['kind']]} {rival})",
                    79,
                    initial_indent="  ",
                    subsequent_indent="    ",
                    break_long_words=False,
                )
        if d["converged"]:
            lines.append("Nobody moved in the last round: the positions are stable.")
        elif d.get("cycle"):
            lines += textwrap.wrap(
                f"The positions repeat every {d['cycle']} rounds: the forecast depends on"
                " where the rounds stop.",
                79,
            )
        else:
            lines += textwrap.wrap(
                "Actors were still moving after the last round: the forecast depends on"
                " where the rounds stop.",
                79,
            )
        return lines


_NAME_WIDTH = 80 - 41  # what the capability, position and salience columns leave

_MOVES = {
    "conflict": "lost a conflict to",
    "compel": "gave in to",
    "compromise": "compromised with",
}

_MODEL_TITLES = {
    "compromise": "compromise model: weighted mean",
    "median": "weighted median and Condorcet winner",
    "bdm": "expected-utility model",
}


def run(
    actors: Sequence[Actor],
    model: str = "compromise",
    rounds: int = 10,
    q: float = 1.0,
    issue: str | None = None,
    unit: str | None = None,
    *,
    variant: str | None = None,
    sensitivity: bool = True,
    samples: int | None = None,
    seed: int = 0,
) -> Forecast:
    """Run one model (``compromise``, ``median`` or ``bdm``) on the actors.

    ``variant`` names the reading of the expected-utility model (default
    ``scholz``; see :data:`zopa.models.bdm.VARIANTS`).  Unless ``sensitivity``
    is False, the forecast carries its sensitivity analysis
    (:func:`zopa.models.sensitivity.sensitivity`, ``samples`` draws, ``seed``).
    """
    from zopa.models import bdm

    actors = list(actors)
    variant = bdm.DEFAULT_VARIANT if variant is None else variant
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r} (models: {', '.join(MODELS)})")
    if variant not in bdm.VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (variants: {', '.join(bdm.VARIANTS)})")
    _check_work(len(actors), model, sensitivity, samples)
    if model == "compromise":
        value: Fraction | float = compromise(actors)
        details: dict[str, Any] = {}
    elif model == "median":
        median = weighted_median(actors)
        tied = undefeated(actors)
        winner = tied[0] if len(tied) == 1 else None
        value = median
        details = {
            "weighted_median": json_number(median),
            "weighted_median_exact": _text(median),
            "condorcet": None if winner is None else json_number(winner),
            "undefeated": [json_number(y) for y in tied],
        }
    else:
        result = bdm.simulate(actors, rounds=rounds, q=q, variant=variant)
        value, details = result.forecast, result.to_json()
    spread = None
    if sensitivity:
        from zopa.models import sensitivity as sens

        spread = sens.sensitivity(
            model,
            [a.id for a in actors],
            [float(a.position) for a in actors],
            [float(a.capability) for a in actors],
            [float(a.salience) for a in actors],
            rounds=rounds,
            q=q,
            samples=sens.SAMPLES if samples is None else samples,
            seed=seed,
        )
    return Forecast(model, actors, value, details, issue, unit, spread)


def _check_work(n: int, model: str, sensitivity: bool, samples: int | None) -> None:
    """Refuse, before any work, a forecast beyond the limits of docs/reference/limits.md.

    The expected-utility model holds an actors x actors x actors tensor of votes per
    sample and round, so its sensitivity analysis costs samples x actors^3.
    """
    from zopa.limits import MAX_ACTORS, MAX_BDM_CELLS
    from zopa.models.sensitivity import SAMPLES

    if n > MAX_ACTORS:
        raise ValueError(f"{n:,} actors; the limit is {MAX_ACTORS}")
    draws = SAMPLES if samples is None else samples
    if model == "bdm" and sensitivity and draws * n**3 > MAX_BDM_CELLS:
        most = max(1, MAX_BDM_CELLS // n**3)
        raise ValueError(
            f"the sensitivity analysis of bdm on {n} actors can take at most {most} samples "
            f"(samples x actors^3 <= {MAX_BDM_CELLS:,}): use {most} or fewer, or none"
        )


# --------------------------------------------------------------------------- inputs


def read_actors(path: str | Path) -> list[Actor]:
    """An actor table: header ``actor,capability,position,salience`` (any order, any case).

    Capability must be ≥ 0 and salience within 0–100; every problem is a
    :class:`zopa.load.ScenarioError` naming the file, line and column.
    """
    from zopa.models.tables import read_table

    table = read_table(path)
    wanted = ("actor", "capability", "position", "salience")
    columns: dict[str, int] = {}
    for k, cell in enumerate(table.header):
        name = cell.text.lower()
        if name not in wanted:
            raise table.error(
                cell,
                f"unknown column {cell.text!r}: the header is actor,capability,position,salience",
            )
        if name in columns:
            raise table.error(cell, f"duplicate column {cell.text!r}")
        columns[name] = k
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise table.error(
            table.header[0],
            "missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing),
        )
    if not table.rows:
        raise table.error(table.header[0], "the table has no actors")
    from zopa.limits import MAX_ACTORS

    if len(table.rows) > MAX_ACTORS:
        raise table.error(
            table.rows[MAX_ACTORS][0], f"more than {MAX_ACTORS} actors; the limit is {MAX_ACTORS}"
        )
    actors: list[Actor] = []
    seen: set[str] = set()
    for row in table.rows:
        cell = row[columns["actor"]]
        name = cell.text
        if not name:
            raise table.error(cell, "an actor needs a name")
        if name in seen:
            raise table.error(cell, f"duplicate actor {name!r}")
        seen.add(name)
        capability = table.number(
            row[columns["capability"]], f"capability of {name!r}", Fraction(0)
        )
        position = table.number(row[columns["position"]], f"position of {name!r}")
        salience_cell = row[columns["salience"]]
        salience = table.number(salience_cell, f"salience of {name!r}", Fraction(0))
        if salience > HUNDRED:
            raise table.error(
                salience_cell, f"salience of {name!r}: {salience_cell.text} is above 100"
            )
        actors.append(Actor(name, capability, position, salience))
    if sum((a.weight for a in actors), Fraction(0)) == 0:
        raise table.error(table.header[0], "no actor has both a capability and a salience above 0")
    return actors


def actors_from_scenario(scenario: Any, issue_id: str) -> list[Actor]:
    """The parties of a scenario as actors on numeric issue ``issue_id``.

    A party takes part if it gives a position on the issue or has values for
    it (so that its best value can stand in for a position).  Missing inputs
    take these defaults, recorded in :attr:`Actor.assumed`:

    - **position**: the party's best option on the issue (the grid option of
      highest value); among tied options, the one closest to the centre of the
      issue's range, the lower if two are equally close.  Values are held flat
      beyond a party's last value point, so a plateau at one end of the range
      is usually an artefact of interpolation, not a demand for the extreme:
      the option closest to the centre is the point the party wrote, the
      least extreme of its best options.
    - **salience**: ``100 × w / w_max``, the party's weight on the issue over
      its largest weight on any issue (0 if it weights nothing): the issue it
      cares about most has salience 100.
    - **capability**: 1 for every party (equal power), unless given.

    A scenario with distributions is read at its point estimate (the means).
    """
    from zopa.model import exact

    scenario = scenario.point_estimate()  # itself when no party has a distribution
    issue = scenario.issue(issue_id)
    if not issue.numeric:
        raise ValueError(f"issue {issue_id!r} is not numeric; forecasting needs a numeric issue")
    actors = []
    for party in scenario.parties:
        has_position = issue_id in party.positions
        table = party.values.get(issue_id)
        if not has_position and not table:
            continue
        assumed = []
        if has_position:
            position = issue.point(party.positions[issue_id])
            assert position is not None, "validated by zopa.model.semantic_problems"
        else:
            position = best_position(issue, table)
            assumed.append("position")
        if issue_id in party.salience:
            salience = exact(party.salience[issue_id])
        else:
            salience = default_salience(party.weights, issue_id)
            assumed.append("salience")
        if party.capability is not None:
            capability = exact(party.capability)
        else:
            capability = Fraction(1)
            assumed.append("capability")
        actors.append(Actor(party.id, capability, position, salience, tuple(assumed)))
    return actors


def best_position(issue: Any, table: Any) -> Fraction:
    """The option of highest value; ties go to the one nearest the range's centre, then lower."""
    from zopa.problem import value_vector

    values = value_vector(issue, table)
    top = max(values)
    options = [x for x, v in zip(issue.values, values, strict=True) if v == top]
    centre = (issue.values[0] + issue.values[-1]) / 2
    return min(options, key=lambda x: (abs(x - centre), x))


def default_salience(weights: dict[str, float], issue_id: str) -> Fraction:
    """``100 × w_issue / w_max`` over the party's issue weights (0 if it weights nothing)."""
    from zopa.model import exact

    # weights on the attributes of an issue (``ISSUE.ATTR``) add up to the issue's weight
    per_issue: dict[str, Fraction] = {}
    for key, w in weights.items():
        issue = key.partition(".")[0]
        per_issue[issue] = per_issue.get(issue, Fraction(0)) + exact(w)
    largest = max(per_issue.values(), default=Fraction(0))
    if largest == 0:
        return Fraction(0)
    return HUNDRED * per_issue.get(issue_id, Fraction(0)) / largest


# --------------------------------------------------------------------------- for `zopa analyze`


@dataclass(frozen=True)
class IssueForecast:
    """Compromise, median and expected-utility forecasts for one numeric issue of a scenario.

    ``left_out`` says why an issue has no forecasts (it is beyond ``zopa
    forecast``'s limits), so that an overview never drops an issue silently.
    """

    issue: str
    unit: str | None
    actors: list[Actor]
    forecasts: dict[str, Forecast]
    left_out: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "issue": self.issue,
            "unit": self.unit,
            "actors": [a.to_json() for a in self.actors],
        }
        if self.left_out:
            out["left_out"] = self.left_out
        for name, f in self.forecasts.items():
            doc = f.to_json()
            doc.pop("actors", None)
            doc.pop("issue", None)
            out[name] = doc
        return out

    def to_text(self) -> str:
        """The issue, then one line per model: its forecast and, when computed, its range.

        ``army_cap (personnel):`` then ``compromise 580,000 (sensitivity runs:
        547,922 to 618,841)`` and so on, so that no model reads as one certain
        number.
        """
        lines = [f"{self.issue}" + (f" ({self.unit})" if self.unit else "") + ":"]
        if self.left_out:
            return f"{lines[0]} left out: {self.left_out}"
        for name, label in (
            ("compromise", "compromise"),
            ("median", "weighted median"),
            ("bdm", "expected utility"),
        ):
            f = self.forecasts.get(name)
            if f is None:
                continue
            line = f"  {label} {show(f.value)}"
            if f.sensitivity is not None:
                lo, hi = f.sensitivity.low, f.sensitivity.high
                line += (
                    f" (sensitivity runs: all {show(lo)})"
                    if show(lo) == show(hi)
                    else f" (sensitivity runs: {show(lo)} to {show(hi)})"
                )
            lines.append(line)
        return "\n".join(lines)


def forecasts_for(
    scenario: Any,
    rounds: int = 10,
    q: float = 1.0,
    *,
    variant: str | None = None,
    sensitivity: bool = True,
    samples: int | None = None,
    seed: int = 0,
) -> list[IssueForecast]:
    """Forecasts for every numeric issue on which at least two veto parties have positions.

    A position may be given (``positions:``) or defaulted from the party's
    values (see :func:`actors_from_scenario`); non-veto parties with positions
    take part as actors too, since influence does not need a veto.  Issues on
    which no actor has weight are skipped.  A scenario with distributions is
    read at its point estimate (the means).  Each forecast carries its
    sensitivity analysis unless ``sensitivity`` is False (see :func:`run`).
    """
    from zopa.limits import MAX_ACTORS

    scenario = scenario.point_estimate()  # itself when no party has a distribution
    veto = {p.id for p in scenario.parties if p.veto}
    out = []
    for issue in scenario.issues:
        if not issue.numeric:
            continue
        actors = actors_from_scenario(scenario, issue.id)
        if sum(a.id in veto for a in actors) < 2 or all(a.weight == 0 for a in actors):
            continue
        if len(actors) > MAX_ACTORS:  # beyond zopa forecast's limit: said, not computed
            reason = f"{len(actors):,} actors; zopa forecast answers for at most {MAX_ACTORS}"
            out.append(IssueForecast(issue.id, issue.unit, [], {}, left_out=reason))
            continue
        forecasts = {
            m: run(
                actors,
                m,
                rounds,
                q,
                issue.id,
                issue.unit,
                variant=variant,
                sensitivity=sensitivity,
                samples=_samples_within_limit(m, len(actors), samples),
                seed=seed,
            )
            for m in MODELS
        }
        out.append(IssueForecast(issue.id, issue.unit, actors, forecasts))
    return out


def _samples_within_limit(model: str, n: int, samples: int | None) -> int | None:
    """The sensitivity samples an overview runs: as asked, or as many as bdm's limit allows
    (samples x actors^3 <= MAX_BDM_CELLS); the document records how many were drawn."""
    from zopa.limits import MAX_BDM_CELLS
    from zopa.models.sensitivity import SAMPLES

    if model != "bdm":
        return samples
    return min(SAMPLES if samples is None else samples, max(1, MAX_BDM_CELLS // n**3))


# --------------------------------------------------------------------------- helpers


def _text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _pair(a: float, b: float) -> tuple[str, str]:
    """Two different numbers shown so that they look different (``9.99966 -> 9.99999``)."""
    if show(a) != show(b) or a == b:
        return show(a), show(b)
    digits = 5
    while digits < 17 and f"{a:,.{digits}g}" == f"{b:,.{digits}g}":
        digits += 1
    return f"{a:,.{digits}g}", f"{b:,.{digits}g}"


def show(x: Fraction | float) -> str:
    """For people: ``800,000``, ``7.39``."""
    if isinstance(x, Fraction) and x.denominator == 1:
        return f"{x.numerator:,}"
    value = float(x)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
