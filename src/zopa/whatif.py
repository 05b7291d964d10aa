"""What-if analysis: a sourced scenario with a few deliberate, recorded changes.

A what-if is written as a small *overrides* object — red lines dropped,
numeric thresholds moved, weights and reservations changed — and
:func:`apply` turns a scenario plus overrides into a **new, fully validated
scenario** together with the list of its *departures* from the sourced one.
Every analysis then runs unchanged on the new scenario, so the web app, the
JSON API and the library share one definition of "what if" and no engine
logic is copied anywhere.

Validation goes through :func:`zopa.load.parse_scenario`, the same path a file
takes, so an override can never produce a scenario a file could not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zopa import rules
from zopa.load import Diagnostic, Locator, ScenarioError, parse_scenario
from zopa.model import Problem, RedLine, Scenario, new_formula_id, plain_number
from zopa.parse import pydantic_problems

MAX_OVERRIDES = 1_000  # entries per field; a what-if is a handful of changes
RESERVATION_SUFFIX = ":reservation"
ORDER_OPS = ("<", "<=", ">", ">=")

Name = Annotated[str, Field(min_length=1, max_length=200)]


class Overrides(BaseModel):
    """Changes to a scenario, all optional (the JSON API accepts exactly this object).

    * ``drop``: red-line ids to set aside, or ``PARTY:reservation`` to drop a
      party's reservation (it becomes 0, so the constraint always holds);
    * ``thresholds``: a new number for a red line with one order comparison on
      a numeric issue (``army_cap >= 800000``) or on a utility (``utility(a) >= 0.6``);
    * ``weights``: new weights, by party then issue (other weights are kept);
    * ``reservations``: new reservation utilities in [0, 1], by party;
    * ``formulas``: new formulas to put on the table, by issue described by attributes,
      each the mapping of its attribute values (it becomes a listed option).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    drop: Annotated[list[Name], Field(max_length=MAX_OVERRIDES)] = Field(default_factory=list)
    thresholds: Annotated[
        dict[Name, Annotated[float, Field(allow_inf_nan=False)]],
        Field(max_length=MAX_OVERRIDES),
    ] = Field(default_factory=dict)
    weights: Annotated[
        dict[
            Name,
            Annotated[
                dict[Name, Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]],
                Field(max_length=MAX_OVERRIDES),
            ],
        ],
        Field(max_length=MAX_OVERRIDES),
    ] = Field(default_factory=dict)
    reservations: Annotated[
        dict[Name, Annotated[float, Field(ge=0, le=1)]], Field(max_length=MAX_OVERRIDES)
    ] = Field(default_factory=dict)
    formulas: Annotated[
        dict[
            Name,
            Annotated[
                list[Annotated[dict[Name, str | int | float], Field(max_length=100)]],
                Field(max_length=MAX_OVERRIDES),
            ],
        ],
        Field(max_length=MAX_OVERRIDES),
    ] = Field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            self.drop or self.thresholds or self.weights or self.reservations or self.formulas
        )


@dataclass(frozen=True)
class Departure:
    """One change from the sourced scenario, in words and as data."""

    kind: str  # drop | threshold | weight | reservation | formula
    target: str  # the red line, party or ``party.issue`` changed
    before: Any
    after: Any
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "from": self.before,
            "to": self.after,
            "text": self.text,
        }


@dataclass(frozen=True)
class WhatIf:
    scenario: Scenario
    departures: list[Departure]

    def to_json(self) -> list[dict[str, Any]]:
        return [d.to_json() for d in self.departures]


class WhatIfError(ValueError):
    """Overrides that do not fit the scenario; ``problems`` lists each, in words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Threshold:
    """A red line whose one order comparison can be moved with a slider."""

    red_line: str
    party: str
    subject: str  # the issue id, or ``utility(p)``
    op: str
    value: float | int
    minimum: float | int
    maximum: float | int
    step: float | int
    unit: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "red_line": self.red_line,
            "party": self.party,
            "subject": self.subject,
            "op": self.op,
            "value": self.value,
            "min": self.minimum,
            "max": self.maximum,
            "step": self.step,
            "unit": self.unit,
        }


# --------------------------------------------------------------------------- thresholds


def _forget_threshold(entry: dict[str, Any], name: str) -> None:
    """Remove a named threshold the moved rule no longer uses, with the assumption that
    explained its range (an assumption about a threshold that is gone is invalid input)."""
    for holder in (entry, entry.get("assumptions") or {}):
        holder.get("thresholds", {}).pop(name, None)
        if "thresholds" in holder and not holder["thresholds"]:
            holder.pop("thresholds")
    if "assumptions" in entry and not entry["assumptions"]:
        entry.pop("assumptions")


def _order_leaf(red: RedLine) -> rules.Cmp | rules.UtilityCmp | None:
    """The rule itself when it is one order comparison with a number (or threshold name)."""
    try:
        expr = rules.parse(red.rule)
    except rules.RuleSyntaxError:
        return None
    if isinstance(expr, rules.Cmp | rules.UtilityCmp) and expr.op in ORDER_OPS:
        return expr
    return None


def thresholds(scenario: Scenario) -> list[Threshold]:
    """Every red line a threshold override can move, with the range its slider spans."""
    out: list[Threshold] = []
    issues = {i.id: i for i in scenario.issues}
    for red in scenario.red_lines:
        leaf = _order_leaf(red)
        if leaf is None:
            continue
        current = _current_number(scenario, red, leaf)
        if current is None:
            continue
        if isinstance(leaf, rules.UtilityCmp):
            out.append(
                Threshold(
                    red.id, red.party, f"utility({leaf.party})", leaf.op, current, 0, 1, 0.01, None
                )
            )
            continue
        issue = issues.get(leaf.issue)
        if issue is None or not issue.numeric:
            continue
        assert issue.range is not None
        r = issue.range
        out.append(
            Threshold(
                red.id,
                red.party,
                issue.id,
                leaf.op,
                current,
                plain_number_of(r.min),
                plain_number_of(r.max),
                plain_number_of(r.step),
                issue.unit,
            )
        )
    return out


def plain_number_of(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _current_number(
    scenario: Scenario, red: RedLine, leaf: rules.Cmp | rules.UtilityCmp
) -> int | float | None:
    if leaf.value.number is not None:
        return plain_number(leaf.value.number)
    # A named (uncertain) threshold: point analyses use its mean.
    means = getattr(scenario, "threshold_means", None)
    if means is None or leaf.value.text not in getattr(red, "thresholds", {}):
        return None
    return plain_number(means(red)[leaf.value.text])


def _moved_rule(leaf: rules.Cmp | rules.UtilityCmp, number: float) -> str:
    """The rule with its number replaced (printed back by the rule language itself)."""
    text = repr(plain_number_of(number))
    if "e" in text:  # the rule language has no exponent notation
        text = f"{number:.12f}".rstrip("0").rstrip(".")
    probe = rules.parse(f"x >= {text}")
    assert isinstance(probe, rules.Cmp)
    if isinstance(leaf, rules.UtilityCmp):
        return rules.to_text(rules.UtilityCmp(leaf.party, leaf.op, probe.value))
    return rules.to_text(rules.Cmp(leaf.issue, leaf.op, probe.value))


_OP_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least"}


def _issue_name(scenario: Scenario, key: str) -> str:
    """An issue, or ``ISSUE.ATTR`` (an attribute of it), by its title."""
    ident, _, name = key.partition(".")
    issue = scenario.issue(ident)
    title = issue.title or issue.id
    if name and issue.attributes and name in issue.attributes:
        return f"{title}: {issue.attributes[name].title or name}"
    return title


def _limit_text(
    scenario: Scenario, red: RedLine, leaf: rules.Cmp | rules.UtilityCmp, number: float | None
) -> str:
    """A red line's limit in words: ``Ceiling on armed forces below 850,000 personnel``;
    ``number`` None is the limit as the scenario sets it (a named threshold by its mean)."""
    if isinstance(leaf, rules.UtilityCmp):
        who = next((p for p in scenario.parties if p.id == leaf.party), None)
        subject, unit = f"{who.label if who and who.label else leaf.party}'s utility", None
    else:
        issue = next((i for i in scenario.issues if i.id == leaf.issue), None)
        subject = (issue.title or issue.id) if issue else leaf.issue
        unit = issue.unit if issue else None
    assumed = ""
    if number is None:
        current = _current_number(scenario, red, leaf)
        if leaf.value.number is None:
            assumed = f" (the mean of the assumed range {leaf.value.text})"
        number = current if current is not None else 0
    shown = f"{plain_number_of(number):,}" + (f" {unit}" if unit else "")
    return f"{subject} {_OP_WORDS.get(leaf.op, leaf.op)} {shown}{assumed}"


# --------------------------------------------------------------------------- apply


def apply(scenario: Scenario, overrides: Overrides) -> WhatIf:
    """A new validated scenario with ``overrides`` applied, and its departures.

    Raises :class:`WhatIfError` when an override names nothing in the scenario
    or produces a scenario that is not valid (every problem is listed).
    """
    if overrides.empty:
        return WhatIf(scenario, [])
    data = scenario.model_dump(mode="json", exclude_none=True)
    parties = {p["id"]: p for p in data["parties"]}
    reds = {r["id"]: r for r in data["red_lines"]}
    problems: list[str] = []
    departures: list[Departure] = []
    by_id = {r.id: r for r in scenario.red_lines}
    label = {p.id: p.label for p in scenario.parties}

    dropped: set[str] = set()
    for ident in dict.fromkeys(overrides.drop):
        if ident.endswith(RESERVATION_SUFFIX) and ident[: -len(RESERVATION_SUFFIX)] in parties:
            pid = ident[: -len(RESERVATION_SUFFIX)]
            before = parties[pid].get("reservation", 0.0)
            parties[pid]["reservation"] = 0.0
            departures.append(
                Departure(
                    "drop",
                    ident,
                    before,
                    0.0,
                    f"{label[pid]}'s reservation utility is dropped (set to 0)",
                )
            )
        elif ident in reds:
            dropped.add(ident)
            red = by_id[ident]
            departures.append(
                Departure(
                    "drop",
                    ident,
                    red.rule,
                    None,
                    f"{label.get(red.party, red.party)} drops red line {ident}: "
                    f"{red.text or red.rule}",
                )
            )
        else:
            problems.append(f"drop: no red line or reservation {ident!r}")

    movable = {t.red_line for t in thresholds(scenario)} if overrides.thresholds else set()
    for ident, number in overrides.thresholds.items():
        red = by_id.get(ident)
        leaf = _order_leaf(red) if red else None
        if red is None:
            problems.append(f"thresholds: no red line {ident!r}")
            continue
        if leaf is None or ident not in movable:
            problems.append(
                f"thresholds: red line {ident!r} is not a single order comparison with a number "
                f"({red.rule!r}); drop it instead"
            )
            continue
        if ident in dropped:
            problems.append(f"thresholds: red line {ident!r} is also dropped")
            continue
        new_rule = _moved_rule(leaf, number)
        entry = reds[ident]
        entry["rule"] = new_rule
        if leaf.value.number is None:  # a named threshold is replaced by the number
            _forget_threshold(entry, leaf.value.text)
        departures.append(
            Departure(
                "threshold",
                ident,
                red.rule,
                new_rule,
                f"{label.get(red.party, red.party)}'s red line {ident} moves from "
                f"{_limit_text(scenario, red, leaf, None)} "
                f"to {_limit_text(scenario, red, leaf, number)}",
            )
        )

    for pid, table in overrides.weights.items():
        if pid not in parties:
            problems.append(f"weights: no party {pid!r}")
            continue
        issues = {i.id for i in scenario.issues} | {
            f"{i.id}.{name}" for i in scenario.issues for name in i.attributes or {}
        }
        weights = parties[pid].setdefault("weights", {})
        for issue_id, w in table.items():
            if issue_id not in issues:
                problems.append(f"weights: no issue {issue_id!r} (party {pid!r})")
                continue
            before = weights.get(issue_id, 0)
            weights[issue_id] = w
            departures.append(
                Departure(
                    "weight",
                    f"{pid}.{issue_id}",
                    before,
                    w,
                    f"{label[pid]}'s weight on {_issue_name(scenario, issue_id)} changes "
                    f"from {_show(before)} to {_show(w)}",
                )
            )

    for pid, r in overrides.reservations.items():
        if pid not in parties:
            problems.append(f"reservations: no party {pid!r}")
            continue
        before = parties[pid].get("reservation", 0.0)
        parties[pid]["reservation"] = r
        departures.append(
            Departure(
                "reservation",
                pid,
                before,
                r,
                f"{label[pid]}'s reservation utility changes from {_show(before)} to {_show(r)}",
            )
        )

    for issue_id, formulas in overrides.formulas.items():
        found = _formulas(scenario, issue_id, formulas, data)
        problems += found[0]
        departures += found[1]

    if problems:
        raise WhatIfError(problems)
    data["red_lines"] = [r for r in data["red_lines"] if r["id"] not in dropped]
    try:
        changed = parse_scenario(json.dumps(data), f"<what-if of {scenario.id}>")
    except ScenarioError as err:
        raise WhatIfError([d.message for d in err.diagnostics]) from None
    # Free-form meta went through JSON (dates became text); keep the original.
    return WhatIf(changed.model_copy(update={"meta": scenario.meta}), departures)


def _formulas(
    scenario: Scenario, issue_id: str, formulas: list[dict[str, Any]], data: dict[str, Any]
) -> tuple[list[str], list[Departure]]:
    """Put new formulas of an attribute issue on the table as listed options of ``data``."""
    issue = next((i for i in scenario.issues if i.id == issue_id), None)
    if issue is None or issue.attributes is None:
        what = "no issue" if issue is None else "no issue described by attributes"
        return [f"formulas: {what} {issue_id!r}"], []
    problems: list[str] = []
    departures: list[Departure] = []
    names = [n for n, _ in issue.attribute_list()]
    entry = next(i for i in data["issues"] if i["id"] == issue_id)
    space = set(issue.space())
    listed = {c: o.id for c, o in zip(issue.combos, issue.options or [], strict=True)}
    used = set(issue.values)
    for formula in formulas:
        unknown = [k for k in formula if k not in names]
        missing = [n for n in names if n not in formula]
        if unknown or missing:
            problems.append(
                f"formulas: a formula of {issue_id!r} gives every attribute once "
                f"({', '.join(names)}); "
                + (f"unknown {unknown[0]!r}" if unknown else f"missing {missing[0]!r}")
            )
            continue
        combo = tuple(issue.attributes[n].index_of(formula[n]) for n in names)
        if None in combo:
            bad = next(n for n, k in zip(names, combo, strict=True) if k is None)
            problems.append(f"formulas: {formula[bad]!r} is no value of {issue_id}.{bad}")
            continue
        text = issue.combo_text(combo)  # type: ignore[arg-type]
        if combo in listed:
            problems.append(f"formulas: {text} is already listed, as option {listed[combo]!r}")
            continue
        if combo not in space:
            problems.append(f"formulas: {text} is ruled out by an exclude rule of {issue_id!r}")
            continue
        for party in data["parties"]:  # weights as the what-if leaves them
            if party.get("weights", {}).get(issue_id, 0) != 0:  # valued as a whole
                problems.append(
                    f"formulas: {party.get('name') or party['id']} values {issue_id!r} for its "
                    f"listed options only and states no value for {text}"
                )
        ident = new_formula_id(issue, combo, used)  # type: ignore[arg-type]
        used.add(ident)
        listed[combo] = ident  # type: ignore[index]
        entry["options"].append({"id": ident, "label": text, **issue.combo_json(combo)})  # type: ignore[arg-type]
        departures.append(
            Departure(
                "formula",
                issue_id,
                None,
                issue.combo_json(combo),  # type: ignore[arg-type]
                f"a new formula for {issue.title or issue_id} is on the table: {text}",
            )
        )
    return problems, departures


def _show(x: Any) -> str:
    if isinstance(x, dict):  # a distribution
        return json.dumps(x)
    return f"{x:g}" if isinstance(x, float) else str(x)


def parse_overrides(data: Any) -> Overrides:
    """Overrides from decoded JSON (``None`` for none); raises pydantic's ValidationError."""
    return Overrides() if data is None else Overrides.model_validate(data)


# --------------------------------------------------------------------------- reading a file

# What each key of the overrides object holds, for a value of the wrong shape.
_SHAPES = {
    "drop": "'drop' must be a list of red-line ids (or PARTY:reservation)",
    "thresholds": "'thresholds' must be an object of red-line id: number",
    "weights": "'weights' must be an object of party id: {issue id: weight}",
    "reservations": "'reservations' must be an object of party id: number in [0, 1]",
    "formulas": "'formulas' must be an object of issue id: [formula, ...]",
}

# The JSON decoder's messages (json.JSONDecodeError.msg) in plain words.
_JSON_WORDS = {
    "Expecting value": "expected a value here (a number, text in double quotes, a list, "
    "an object, true, false or null)",
    "Expecting property name enclosed in double quotes": "expected a key in double quotes "
    "(or '}' with no ',' before it)",
    "Expecting ',' delimiter": "expected ',' between two items, or the closing bracket",
    "Expecting ':' delimiter": "expected ':' after the key",
    "Extra data": "more text after the end of the JSON object",
    "Unterminated string starting at": "text in quotes that is never closed",
    "Invalid control character at": "a line break or control character inside quotes "
    "(write it as \\n or \\t)",
    "Invalid \\escape": "an invalid escape after '\\' inside quotes",
}


def overrides_problems(err: ValidationError, data: Any) -> list[Problem]:
    """The overrides model's validation error as problems in plain words, at paths into
    ``data``: the key's expected shape for a value of the wrong kind, and the dotted path
    (``reservations.ukraine: ...``) before a message about a value inside one."""
    out: list[Problem] = []
    for problem in pydantic_problems(err, Overrides, data):
        path = problem.path
        if len(path) == 1 and problem.message.startswith(("expected a list", "expected a mapping")):
            out.append(Problem(path, _SHAPES.get(str(path[0]), problem.message)))
        elif len(path) > 1 and not problem.on_key:
            where = "".join(f"[{seg}]" if isinstance(seg, int) else f".{seg}" for seg in path)
            out.append(Problem(path, f"{where.lstrip('.')}: {problem.message}"))
        elif not path and problem.message.startswith("expected a mapping"):
            out.append(Problem(path, "a what-if file holds one JSON object (the overrides)"))
        else:
            out.append(problem)
    return out


def read_overrides(text: str, filename: str) -> Overrides:
    """The overrides in the text of a JSON file, accepted exactly as the JSON API accepts its
    ``overrides`` object: decoded by :func:`json.loads` and validated by :class:`Overrides`.

    Raises :class:`ScenarioError` with ``FILE:LINE:COL: message`` for each problem: where
    the decoder stopped for malformed JSON, else at the offending key or value (found by
    :class:`zopa.load.Locator`, the scenario loader's positions; 1:1 if it cannot read it).
    """
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        words = _JSON_WORDS.get(err.msg, err.msg)
        message = f"not valid JSON: {words}"
        raise ScenarioError([Diagnostic(filename, err.lineno, err.colno, message)]) from None
    except RecursionError:
        raise ScenarioError([Diagnostic(filename, 1, 1, "the file is nested too deeply")]) from None
    try:
        return parse_overrides(data)
    except ValidationError as err:
        problems = overrides_problems(err, data)
    try:
        locator: Locator | None = Locator(text, "overrides.json")
    except ScenarioError:  # e.g. a key given twice: json.loads keeps the last, as the API
        locator = None
    diagnostics = []
    for p in problems:
        line, col = locator.position(p.path, p.on_key) if locator else (1, 1)
        diagnostics.append(Diagnostic(filename, line, col, p.message))
    raise ScenarioError(sorted(set(diagnostics)))
