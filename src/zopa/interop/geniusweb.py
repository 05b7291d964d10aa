"""GeniusWeb JSON domains and ``LinearAdditiveUtilitySpace`` profiles.

Follows GeniusWeb's own classes (``geniusweb.issuevalue`` and
``geniusweb.profile.utilityspace``):

* a domain maps each issue to ``{"values": [...]}`` (``DiscreteValueSet``) or
  ``{"range": [low, high, step]}`` (``NumberValueSet``);
* ``u(bid) = Σ_i weight_i · utility_i(value_i)``, weights summing to 1 and
  utilities in [0, 1] as written (no normalisation);
* ``DiscreteValueSetUtilities`` maps each value to its utility;
  ``NumberValueSetUtilities`` interpolates linearly from ``lowValue`` to
  ``highValue`` (0 outside) and rounds to 8 decimals, half up;
* the reservation is a bid; a deal is acceptable when it is worth at least as
  much, so zopa's reservation is ``u(reservationBid)`` (0 without one).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn

from zopa.interop.build import Imported, IssueSpec, PartySpec, build, exact_form, plain
from zopa.interop.semantics import ONE, ZERO
from zopa.limits import MAX_INTEROP_BYTES
from zopa.model import MAX_OPTIONS
from zopa.parse import Diagnostic, ScenarioError

MAX_JSON_BYTES = MAX_INTEROP_BYTES
ADDITIVE = "LinearAdditiveUtilitySpace"
QUANTUM = Fraction(1, 10**8)  # NumberValueSetUtilities rounds to 8 decimals


@dataclass
class JsonFile:
    """A parsed JSON file with its text, to point at the key a problem concerns."""

    name: str
    text: str
    data: Any

    def fail(self, path: Sequence[str], message: str) -> NoReturn:
        line, col = _locate(self.text, path)
        where = ".".join(path)
        raise ScenarioError(
            [Diagnostic(self.name, line, col, f"{where}: {message}" if where else message)]
        )


@dataclass
class DomainIssue:
    name: str
    values: list[str] | None = None
    grid: list[Fraction] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.values) if self.values is not None else len(self.grid)


def read_json(path: Path) -> JsonFile:
    from zopa.fileio import TooLarge, read_bounded

    name = str(path)
    try:
        text = read_bounded(path, MAX_JSON_BYTES).decode("utf-8-sig")
    except TooLarge as err:
        raise ScenarioError([Diagnostic(name, 1, 1, err.strerror)]) from None
    except IsADirectoryError:
        raise ScenarioError([Diagnostic(name, 1, 1, "is a folder, not a JSON file")]) from None
    except OSError as err:
        raise ScenarioError(
            [Diagnostic(name, 1, 1, f"cannot read the file: {err.strerror}")]
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError([Diagnostic(name, 1, 1, "the file is not valid UTF-8")]) from None
    try:
        data = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as err:
        raise ScenarioError(
            [Diagnostic(name, err.lineno, err.colno, f"malformed JSON: {err.msg}")]
        ) from None
    except RecursionError:
        raise ScenarioError([Diagnostic(name, 1, 1, "the JSON is nested too deeply")]) from None
    return JsonFile(name, text, data)


def _locate(text: str, path: Sequence[str]) -> tuple[int, int]:
    """Line and column of the last key of ``path``, each key searched after the previous."""
    pos = 0
    for key in path:
        found = text.find(json.dumps(key), pos)
        if found < 0:
            break
        pos = found
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _number(file: JsonFile, path: Sequence[str], value: Any) -> Fraction:
    """An exact number from JSON (numbers were kept as their text)."""
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            pass
    file.fail(path, f"expected a number, got {value!r}")


# --------------------------------------------------------------------------- import


def import_geniusweb(
    domain: Path, profiles: Sequence[Path], scenario_id: str | None = None
) -> Imported:
    """A zopa/1 scenario from a GeniusWeb domain and its profiles, one party each."""
    domain_file = read_json(domain)
    issues = read_domain(domain_file)
    warnings: list[str] = []
    named = domain_file.data.get("name")
    domain_name = named if isinstance(named, str) else None
    parties = [read_profile(read_json(p), issues, warnings, domain_name) for p in profiles]
    specs = [
        IssueSpec(i.name, options=i.values)
        if i.values is not None
        else IssueSpec(i.name, grid=i.grid)
        for i in issues
    ]
    name = scenario_id or str(domain_file.data.get("name") or domain.stem)
    meta = {"geniusweb": {"domain": domain.name, "profiles": [p.name for p in profiles]}}
    return build(name, name, specs, parties, meta, domain_file.name, warnings)


def read_domain(file: JsonFile) -> list[DomainIssue]:
    data = file.data
    if not isinstance(data, dict) or not isinstance(data.get("issuesValues"), dict):
        hint = " (this looks like a profile)" if isinstance(data, dict) and ADDITIVE in data else ""
        file.fail([], f"not a GeniusWeb domain: no 'issuesValues' mapping{hint}")
    issues = [_domain_issue(file, name, spec) for name, spec in data["issuesValues"].items()]
    if not issues:
        file.fail(["issuesValues"], "the domain has no issues")
    return issues


def _domain_issue(file: JsonFile, name: str, spec: Any) -> DomainIssue:
    path = ["issuesValues", name]
    if isinstance(spec, dict) and isinstance(spec.get("values"), list):
        values = [str(v) for v in spec["values"]]
        if len(set(values)) != len(values) or not values:
            file.fail(path, "values must be a non-empty list without repeats")
        return DomainIssue(name, values=values)
    if isinstance(spec, dict) and "range" in spec:
        low, high, step = _range(file, [*path, "range"], spec["range"])
        count = math.floor((high - low) / step) + 1
        if count > MAX_OPTIONS:
            file.fail(path, f"the range has {count:,} values; zopa's limit is {MAX_OPTIONS:,}")
        return DomainIssue(name, grid=[low + k * step for k in range(count)])
    file.fail(path, "an issue needs 'values' (a list) or 'range' ([low, high, step])")


def _range(file: JsonFile, path: list[str], spec: Any) -> tuple[Fraction, Fraction, Fraction]:
    if isinstance(spec, list) and len(spec) == 3:
        raw = spec
    elif isinstance(spec, dict) and {"low", "high", "step"} <= spec.keys():
        raw = [spec["low"], spec["high"], spec["step"]]
    else:
        file.fail(path, "a range is [low, high, step]")
    low, high, step = (_number(file, path, x) for x in raw)
    if step <= 0 or high < low:
        file.fail(path, "a range needs low ≤ high and a positive step")
    return low, high, step


def read_profile(
    file: JsonFile,
    issues: Sequence[DomainIssue],
    warnings: list[str],
    domain_name: str | None = None,
) -> PartySpec:
    """One party from a ``LinearAdditiveUtilitySpace`` profile.

    A profile whose ``domain.name`` is not ``domain_name`` but whose issues fit
    draws a warning.
    """
    data = file.data
    if not isinstance(data, dict) or ADDITIVE not in data:
        kinds = ", ".join(data) if isinstance(data, dict) else type(data).__name__
        hint = (
            " (this looks like a domain)"
            if isinstance(data, dict) and "issuesValues" in data
            else ""
        )
        file.fail([], f"not a {ADDITIVE} profile (found: {kinds}){hint}; zopa/1 is additive")
    space = data[ADDITIVE]
    root = [ADDITIVE]
    utilities = space.get("issueUtilities") if isinstance(space, dict) else None
    weights = space.get("issueWeights") if isinstance(space, dict) else None
    if not isinstance(utilities, dict) or not isinstance(weights, dict):
        file.fail(root, "needs 'issueUtilities' and 'issueWeights' mappings")
    names = [i.name for i in issues]
    for key, table in (("issueUtilities", utilities), ("issueWeights", weights)):
        if set(table) != set(names):
            file.fail(
                [*root, key],
                f"issues {sorted(table)} do not match the domain's {names}; "
                "is this a profile for another domain?",
            )
    ws = [_number(file, [*root, "issueWeights", n], weights[n]) for n in names]
    if any(w < 0 for w in ws):
        file.fail([*root, "issueWeights"], "weights must be non-negative")
    rows = [
        _issue_utilities(file, [*root, "issueUtilities", i.name], i, utilities[i.name])
        for i in issues
    ]
    zopa_weights, values, total = exact_form(ws, rows)
    if total != ONE:
        warnings.append(
            f"{file.name}: weights sum to {float(total):.6g}, GeniusWeb requires exactly 1"
        )
    domain = space.get("domain")
    named = domain.get("name") if isinstance(domain, dict) else None
    if domain_name is not None and isinstance(named, str) and named != domain_name:
        line, _ = _locate(file.text, [ADDITIVE, "domain", "name"])
        warnings.append(
            f"{file.name}:{line}: the profile names domain {named!r}, not {domain_name!r}; "
            "its issues fit, so it is read (renamed copies of domains are common)"
        )
    reservation = _reservation(file, space, issues, ws, rows)
    if total > ONE:
        reservation /= total
    meta: dict[str, Any] = {"file": Path(file.name).name, "weights_sum": plain(total)}
    if space.get("name"):
        meta["name"] = str(space["name"])
    return PartySpec(Path(file.name).stem, zopa_weights, values, reservation, {"geniusweb": meta})


def _issue_utilities(
    file: JsonFile, path: list[str], issue: DomainIssue, spec: Any
) -> list[Fraction]:
    if isinstance(spec, dict) and "discreteutils" in spec and issue.values is not None:
        table = (spec["discreteutils"] or {}).get("valueUtilities")
        if not isinstance(table, dict) or set(table) != set(issue.values):
            file.fail(
                [*path, "discreteutils"],
                "valueUtilities must give a utility for exactly the domain's values "
                f"{issue.values}; is this a profile for another domain?",
            )
        out = [_number(file, [*path, v], table[v]) for v in issue.values]
    elif isinstance(spec, dict) and "numberutils" in spec and issue.values is None:
        out = _number_utilities(file, [*path, "numberutils"], issue.grid, spec["numberutils"])
    else:
        kind = "discrete" if issue.values is not None else "number"
        found = ", ".join(spec) if isinstance(spec, dict) else repr(spec)
        file.fail(path, f"expected utilities for a {kind} issue, found {found}")
    if any(not ZERO <= u <= ONE for u in out):
        file.fail(path, "utilities must lie in [0, 1]")
    return out


def _number_utilities(
    file: JsonFile, path: list[str], grid: Sequence[Fraction], spec: Any
) -> list[Fraction]:
    """``NumberValueSetUtilities.getUtility`` at every value of the range."""
    keys = ("lowValue", "lowUtility", "highValue", "highUtility")
    if not isinstance(spec, dict) or not set(keys) <= spec.keys():
        file.fail(path, "needs lowValue, lowUtility, highValue and highUtility")
    low_v, low_u, high_v, high_u = (_number(file, [*path, k], spec[k]) for k in keys)
    if high_v <= low_v:
        file.fail(path, "highValue must be above lowValue")
    out = []
    for x in grid:
        if x < low_v or x > high_v:
            out.append(ZERO)
            continue
        u = low_u + (high_u - low_u) * (x - low_v) / (high_v - low_v)
        out.append(Fraction(math.floor(u / QUANTUM + Fraction(1, 2))) * QUANTUM)
    return out


def _reservation(
    file: JsonFile,
    space: dict[str, Any],
    issues: Sequence[DomainIssue],
    weights: Sequence[Fraction],
    rows: Sequence[Sequence[Fraction]],
) -> Fraction:
    """``u(reservationBid)``; issues missing from the bid count 0 (``LinearAdditive``)."""
    bid = space.get("reservationBid")
    if not bid:
        return ZERO
    values = bid.get("issuevalues") if isinstance(bid, dict) else None
    path = [ADDITIVE, "reservationBid"]
    if not isinstance(values, dict):
        file.fail(path, "expected {'issuevalues': {issue: value}}")
    total = ZERO
    for issue, w, row in zip(issues, weights, rows, strict=True):
        if issue.name not in values:
            continue
        raw = values[issue.name]
        if issue.values is not None:
            if str(raw) not in issue.values:
                file.fail([*path, issue.name], f"{raw!r} is not a value of issue {issue.name!r}")
            total += w * row[issue.values.index(str(raw))]
        else:
            x = _number(file, [*path, issue.name], raw)
            if x not in issue.grid:
                file.fail([*path, issue.name], f"{raw} is not in the range of {issue.name!r}")
            total += w * row[issue.grid.index(x)]
    return total
