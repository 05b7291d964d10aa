"""Turn an imported domain and its profiles into a validated ``zopa/1`` scenario.

Importers describe what they read with :class:`IssueSpec` and :class:`PartySpec`
(exact rationals, original names).  :func:`build` gives every issue, option and
party an id (``[a-z0-9_-]+``, unique, the original name kept as its title or
label), writes the scenario as YAML and validates that text with
:func:`zopa.parse.parse_scenario`, so an imported scenario is exactly what
``zopa import … -o FILE`` writes and what ``zopa check FILE`` accepts.

Two ways of writing an additive utility ``u(x) = Σ_i c_i(x_i)`` as zopa/1
weights and values (which zopa normalises and keeps in [0, 1]):

* :func:`exact_form` keeps ``u`` itself when ``Σ_i max c_i ≤ 1`` (GENIUS, GeniusWeb);
* :func:`affine_form` keeps ``u`` up to ``u = offset + scale·u_zopa`` (NegMAS, whose
  utilities may be negative or above 1).  A positive affine change of one
  party's utility, applied to its disagreement point too, changes neither the
  Pareto frontier nor the Nash bargaining solution.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from io import StringIO
from typing import Any

from zopa import rules
from zopa.fileio import write_atomic as write_atomic  # the one writer; `zopa import -o` uses it
from zopa.interop.semantics import ONE, ZERO, breakpoints
from zopa.model import MAX_OPTIONS, Scenario
from zopa.parse import Diagnostic, ScenarioError, parse_scenario


@dataclass
class IssueSpec:
    """An issue as read: categorical ``options`` or a numeric ``grid`` of exact numbers."""

    name: str
    options: list[str] | None = None
    grid: list[Fraction] | None = None
    description: str | None = None
    option_descriptions: list[str | None] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.options if self.options is not None else self.grid or [])


@dataclass
class PartySpec:
    """A party as read: zopa weights (≥ 0) and values in [0, 1] per issue and option."""

    name: str
    weights: list[Fraction]
    values: list[list[Fraction]]
    reservation: Fraction = ZERO
    meta: dict[str, Any] = field(default_factory=dict)
    accepts_nothing: bool = False  # its reservation lies above every utility it can reach


@dataclass
class Imported:
    """The result of an import: the scenario, its YAML text, and what the user should know."""

    scenario: Scenario
    text: str
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- utility forms


def exact_form(
    weights: Sequence[Fraction], values: Sequence[Sequence[Fraction]]
) -> tuple[list[Fraction], list[list[Fraction]], Fraction]:
    """zopa weights and values for ``u = Σ_i w_i·v_i`` with ``v_i ∈ [0, 1]``, kept exact.

    zopa divides by ``S = Σ_i w_i``; multiplying every value by ``S`` undoes that
    when ``S ≤ 1``.  When ``S > 1`` the values are kept and zopa's ``u/S`` is a
    rescaled utility.  Returns the weights, the values and ``S``.
    """
    total = sum(weights, ZERO)
    factor = total if ZERO < total < ONE else ONE
    return list(weights), [[factor * v for v in row] for row in values], total


def affine_form(
    contributions: Sequence[Sequence[Fraction]], bias: Fraction = ZERO
) -> tuple[list[Fraction], list[list[Fraction]], Fraction, Fraction]:
    """zopa weights and values with ``bias + Σ_i c_i(x_i) = offset + scale·u_zopa(x)``.

    Each issue's contributions are shifted to start at 0 and divided by their
    range, which becomes the issue's weight.  Returns weights, values,
    ``offset`` (the least possible utility) and ``scale`` (0 for a constant utility).
    """
    weights: list[Fraction] = []
    values: list[list[Fraction]] = []
    offset = bias
    for row in contributions:
        low, high = min(row), max(row)
        offset += low
        weights.append(high - low)
        values.append([(c - low) / (high - low) if high > low else ZERO for c in row])
    return weights, values, offset, sum(weights, ZERO)


# --------------------------------------------------------------------------- ids


def slug(text: str, fallback: str) -> str:
    """A zopa id from free text: lowercase letters, digits, '_' and '-'."""
    out = re.sub(r"[^a-z0-9_-]+", "_", text.strip().lower()).strip("_")
    return out or fallback


def unique_ids(names: Iterable[str], fallback: str, reserved: Iterable[str] = ()) -> list[str]:
    """Slugs of ``names``, made unique by a ``_2``, ``_3``… suffix."""
    taken = set(reserved)
    out: list[str] = []
    for name in names:
        base = slug(name, fallback)
        ident, k = base, 2
        while ident in taken:
            ident, k = f"{base}_{k}", k + 1
        taken.add(ident)
        out.append(ident)
    return out


def plain(x: Fraction) -> int | float:
    """An int when integral, else the nearest float (the YAML number zopa reads back)."""
    return int(x) if x.denominator == 1 else float(x)


def _exact_plain(x: Fraction) -> int | float | None:
    """``plain(x)`` when zopa reads it back as exactly ``x``, else None."""
    p = plain(x)
    return p if Fraction(repr(p)) == x else None


# --------------------------------------------------------------------------- building


def build(
    scenario_id: str,
    title: str | None,
    issues: Sequence[IssueSpec],
    parties: Sequence[PartySpec],
    meta: dict[str, Any],
    source: str,
    warnings: list[str] | None = None,
) -> Imported:
    """The validated scenario for ``issues`` and ``parties`` (see the module docstring)."""
    warnings = list(warnings or [])
    issue_ids = unique_ids((i.name for i in issues), "issue", reserved=rules.KEYWORDS)
    issue_docs = [
        _issue_doc(ident, spec, source) for ident, spec in zip(issue_ids, issues, strict=True)
    ]
    keys = [_value_keys(doc) for doc in issue_docs]
    party_ids = unique_ids((p.name for p in parties), "party")
    grids = [i.grid for i in issues]
    party_docs = [
        _party_doc(ident, spec, issue_ids, keys, grids)
        for ident, spec in zip(party_ids, parties, strict=True)
    ]
    document: dict[str, Any] = {"format": "zopa/1", "id": slug(scenario_id, "imported")}
    if title:
        document["title"] = title
    document["meta"] = meta
    document["issues"] = issue_docs
    document["parties"] = party_docs
    red_lines = [
        _nothing_acceptable(ident)
        for ident, p in zip(party_ids, parties, strict=True)
        if p.accepts_nothing
    ]
    if red_lines:
        document["red_lines"] = red_lines
    text = dump_yaml(document)
    scenario = parse_scenario(text, f"{source} (as imported)")
    return Imported(scenario, text, warnings)


def _nothing_acceptable(party: str) -> dict[str, str]:
    """A red line no package meets: zopa's reservation cannot exceed 1."""
    return {
        "id": f"{party}-reservation-above-every-utility",
        "party": party,
        "rule": f"utility({party}) > 1",
        "text": f"{party}'s reservation value is above every utility it can reach",
    }


def _issue_doc(ident: str, spec: IssueSpec, source: str) -> dict[str, Any]:
    """The zopa/1 mapping of one issue."""
    if spec.size == 0:
        raise ScenarioError([Diagnostic(source, 1, 1, f"issue {spec.name!r} has no values")])
    if spec.size > MAX_OPTIONS:
        raise ScenarioError(
            [
                Diagnostic(
                    source,
                    1,
                    1,
                    f"issue {spec.name!r} has {spec.size:,} values; "
                    f"zopa's limit is {MAX_OPTIONS:,} per issue",
                )
            ]
        )
    doc: dict[str, Any] = {"id": ident, "title": spec.name}
    if spec.description:
        doc["description"] = spec.description
    numeric = _numeric_range(spec.grid) if spec.grid is not None else None
    if numeric is not None:
        doc["range"] = numeric
    else:
        labels = spec.options if spec.options is not None else [_text(x) for x in spec.grid or []]
        keys = unique_ids(labels, "option")
        notes = spec.option_descriptions or [None] * len(keys)
        doc["options"] = [
            _option_doc(k, label, note) for k, label, note in zip(keys, labels, notes, strict=True)
        ]
        if spec.grid is not None:
            doc["ordered"] = True  # a numeric grid zopa cannot write exactly as a range
    if spec.meta:
        doc["meta"] = spec.meta
    return doc


def _option_doc(ident: str, label: str, description: str | None) -> str | dict[str, str]:
    doc = {"id": ident}
    if label != ident:
        doc["label"] = label
    if description and description != label:
        doc["description"] = description
    return doc if len(doc) > 1 else ident


def _value_keys(doc: dict[str, Any]) -> list[Any] | None:
    """Option ids of a categorical issue; None for a numeric one (keyed by number)."""
    if "range" in doc:
        return None
    return [o if isinstance(o, str) else o["id"] for o in doc["options"]]


def _numeric_range(grid: Sequence[Fraction]) -> dict[str, Any] | None:
    """``{min, max, step}`` for an evenly spaced grid zopa can read back exactly."""
    step = grid[1] - grid[0] if len(grid) > 1 else ONE
    if any(b - a != step for a, b in itertools.pairwise(grid)):
        return None
    numbers = [_exact_plain(grid[0]), _exact_plain(grid[-1]), _exact_plain(step)]
    if any(n is None for n in numbers) or any(_exact_plain(x) is None for x in grid):
        return None
    return dict(zip(("min", "max", "step"), numbers, strict=True))


def _text(x: Fraction) -> str:
    return f"{float(x):.10g}"


def _party_doc(
    ident: str,
    spec: PartySpec,
    issue_ids: Sequence[str],
    value_keys: Sequence[list[Any] | None],
    grids: Sequence[Sequence[Fraction] | None],
) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": ident, "name": spec.name}
    if spec.reservation:
        doc["reservation"] = plain(spec.reservation)
    doc["weights"] = {i: plain(w) for i, w in zip(issue_ids, spec.weights, strict=True)}
    values: dict[str, Any] = {}
    for i, keys, grid, row in zip(issue_ids, value_keys, grids, spec.values, strict=True):
        if keys is None:
            assert grid is not None
            values[i] = {plain(x): plain(v) for x, v in breakpoints(grid, row)}
        else:
            values[i] = {k: plain(v) for k, v in zip(keys, row, strict=True)}
    doc["values"] = values
    if spec.meta:
        doc["meta"] = spec.meta
    return doc


# --------------------------------------------------------------------------- writing


def dump_yaml(document: dict[str, Any]) -> str:
    """YAML text of a plain document: keys in insertion order, innermost mappings and
    lists on one line, written by libyaml for speed."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    yaml.representer.sort_base_mapping_type_on_output = False
    yaml.default_flow_style = None
    yaml.allow_unicode = True
    yaml.width = 4096
    out = StringIO()
    yaml.dump(document, out)
    return out.getvalue()
