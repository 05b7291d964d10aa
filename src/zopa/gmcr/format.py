"""The file format ``zopa-gmcr/1`` (YAML or JSON): read, check, build a graph model.

.. code-block:: yaml

    format: zopa-gmcr/1
    id: example
    decision_makers:
      - {id: syria, name: Syria, options: [release, escalate]}
      - {id: iraq, name: Iraq, options: [attack]}
    infeasible: ["release and escalate"]      # statements over options (true = chosen)
    irreversible: {attack: fwd}               # fwd: cannot be undone; back: cannot be retaken
    preferences:
      syria: {ranking: [NNN, [NYN, NYY], YNN]} # best first; a list inside the list is a tie
      iraq: {priorities: ["not attack", "attack if escalate"]}
    status_quo: NNN

Statements use the rule language of scenarios (:mod:`zopa.rules`) over yes/no
options: a bare option id means the option is chosen, with ``and``, ``or``,
``not``, parentheses, and a final ``if`` or ``iff``.  Files are read by the
loader scenarios use (:func:`zopa.parse.parse_document`), so every problem is
reported as ``FILE:LINE:COL: message`` and nothing is computed from a file that
has one.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zopa import rules
from zopa.gmcr.model import (
    MAX_OPTIONS,
    DecisionMaker,
    GraphModel,
    ModelLimit,
    Option,
    text_code,
)
from zopa.gmcr.preferences import priority_ranks, ranking_ranks
from zopa.model import Id, Problem, Source
from zopa.parse import display_name, parse_document, pydantic_problems, read_text

FORMAT = "zopa-gmcr/1"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionSpec(_Part):
    id: Id
    label: str | None = None
    description: str | None = None
    meta: Any = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v).lower() if isinstance(v, bool) else str(v) if isinstance(v, int) else v


class DecisionMakerSpec(_Part):
    id: Id
    name: str | None = None
    description: str | None = None
    options: Annotated[list[OptionSpec], Field(min_length=1)]
    meta: Any = None

    @field_validator("options", mode="before")
    @classmethod
    def _strings(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"id": o} if isinstance(o, str | int | bool) else o for o in v]
        return v


State = Annotated[str, Field(min_length=1)]


class PreferenceSpec(_Part):
    """A ranking of the feasible states (best first, ties nested) or prioritised statements."""

    ranking: list[State | list[State]] | None = None
    priorities: Annotated[list[str], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one(self) -> PreferenceSpec:
        if (self.ranking is None) == (self.priorities is None):
            raise ValueError("give either 'ranking' or 'priorities'")
        return self


class Header(_Part):
    format: Literal["zopa-gmcr/1"]
    id: Id
    title: str | None = None
    description: str | None = None
    sources: list[Any] = Field(default_factory=list)
    decision_makers: Annotated[list[Any], Field(min_length=1)]
    infeasible: list[str] = Field(default_factory=list)
    irreversible: dict[str, Literal["fwd", "back"]] = Field(default_factory=dict)
    preferences: dict[str, Any]
    status_quo: str | None = None
    meta: Any = None


# --------------------------------------------------------------------------- public API


def load_model(path: str | Path) -> GraphModel:
    """Read and check a ``zopa-gmcr/1`` file; raise :class:`zopa.load.ScenarioError` for
    problems in it and :class:`zopa.gmcr.model.ModelLimit` when it is too large."""
    path = Path(path)
    return parse_model(read_text(path), display_name(path))


def parse_model(text: str, filename: str = "<text>") -> GraphModel:
    return parse_document(text, filename, validate)


def is_model(data: Any) -> bool:
    """Whether parsed data declares this format."""
    return isinstance(data, dict) and data.get("format") == FORMAT


def validate(data: Any) -> tuple[list[Problem], GraphModel | None]:
    """Every problem in ``data`` (paths into it), or the graph model it describes.

    Checks go on past a problem wherever what they need is sound, so that a file
    with several mistakes gets them all at once.
    """
    if not isinstance(data, dict):
        return [Problem((), "a graph model must be a mapping (key: value) at the top level")], None
    problems: list[Problem] = []
    header = _part(Header, data, (), problems)
    sources = [
        _part(Source, s, ("sources", k), problems) for k, s in enumerate(_list(data, "sources"))
    ]
    dms = [
        _part(DecisionMakerSpec, d, ("decision_makers", k), problems)
        for k, d in enumerate(_list(data, "decision_makers"))
    ]
    prefs_raw = data.get("preferences") if isinstance(data.get("preferences"), dict) else {}
    prefs = {
        key: _part(PreferenceSpec, value, ("preferences", key), problems)
        for key, value in prefs_raw.items()
    }
    if not dms or any(d is None for d in dms):
        return problems, None  # without every option, no statement or state can be checked
    specs: list[DecisionMakerSpec] = [d for d in dms if d is not None]
    named = _name_problems(specs)
    if named:
        return problems + named, None
    options = [o.id for d in specs for o in d.options]
    if len(options) > MAX_OPTIONS:  # a valid file, too large for this implementation
        raise ModelLimit(
            f"{len(options)} options give 2^{len(options)} states; the limit is "
            f"{MAX_OPTIONS} options"
        )
    domains = [rules.option_domain(o) for o in options]
    raw_rules = _list(data, "infeasible")
    infeasible = [
        _statement(t, ("infeasible", k), domains, problems)
        for k, t in enumerate(raw_rules)
        if isinstance(t, str)
    ]
    raw_irreversible = data.get("irreversible")
    for key in raw_irreversible if isinstance(raw_irreversible, dict) else {}:
        if key not in options:
            problems.append(
                Problem(("irreversible", key), _unknown("option", str(key), options), on_key=True)
            )
    table = _all_states(len(options))
    codes: np.ndarray | None = None
    if all(b is not None for b in infeasible):
        feasible = np.ones(len(table), dtype=bool)
        sizes = dict.fromkeys(range(len(options)), 2)
        for bound in infeasible:
            feasible &= ~rules.evaluate_many(bound, table, sizes=sizes)  # type: ignore[arg-type]
        codes = np.nonzero(feasible)[0].astype(np.int64)
        if len(codes) == 0:
            problems.append(Problem(("infeasible",), "these rules leave no feasible state"))
            codes = None
    ranks = _preferences(specs, prefs, options, codes, table, domains, problems)
    status_quo = None
    raw_sq = data.get("status_quo")
    if isinstance(raw_sq, str):
        status_quo = _state_index(raw_sq, ("status_quo",), options, codes, problems)
    if problems or header is None or ranks is None or codes is None:
        return problems, None
    return [], _build(header, specs, sources, codes, ranks, status_quo)


# --------------------------------------------------------------------------- parts


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _part(cls: type[Any], raw: Any, path: tuple[str | int, ...], problems: list[Problem]) -> Any:
    try:
        return cls.model_validate(raw)
    except ValidationError as err:
        problems += pydantic_problems(err, cls, raw, path)
        return None


def _unknown(kind: str, name: str, known: list[str]) -> str:
    match = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {match[0]!r}?" if match else ""
    return f"unknown {kind} {name!r}{hint}"


def _name_problems(specs: list[DecisionMakerSpec]) -> list[Problem]:
    out: list[Problem] = []
    seen_dm: set[str] = set()
    seen_opt: dict[str, str] = {}
    for k, dm in enumerate(specs):
        if dm.id in seen_dm:
            out.append(
                Problem(("decision_makers", k, "id"), f"duplicate decision maker id {dm.id!r}")
            )
        seen_dm.add(dm.id)
        for j, opt in enumerate(dm.options):
            path = ("decision_makers", k, "options", j)
            if opt.id in seen_opt:
                owner = seen_opt[opt.id]
                out.append(
                    Problem(path, f"duplicate option {opt.id!r} (also an option of {owner!r})")
                )
            elif not _nameable(opt.id):
                out.append(
                    Problem(
                        path,
                        f"a statement cannot name option {opt.id!r}: it is a reserved word "
                        "(and, or, not, in, if, iff) or reads as a number",
                    )
                )
            seen_opt.setdefault(opt.id, dm.id)
    return out


def _nameable(option: str) -> bool:
    try:
        expr = rules.parse(option, options=True)
    except rules.RuleSyntaxError:
        return False
    return isinstance(expr, rules.Cmp) and expr.issue == option


def _statement(
    text: str,
    path: tuple[str | int, ...],
    domains: list[rules.IssueDomain],
    problems: list[Problem],
) -> rules.Bound | None:
    """A statement over options, bound; problems point at the column inside the text."""
    try:
        return rules.bind(rules.parse(text, options=True), domains, [])
    except rules.RuleSyntaxError as err:
        message = err.message
        if err.name is not None and message.startswith("unknown issue"):
            message = _unknown("option", err.name, [d.id for d in domains])
        elif "utility" in message and "party" in message:
            message = "statements over options cannot use utility(...)"
        elif "needs a numeric or ordered issue" in message:
            message = (
                f"options are yes or no: name the option alone, or compare it with == Y or == N "
                f"(found '{message.split(chr(39))[1]}')"
            )
        problems.append(Problem(path, message, offset=err.column - 1))
        return None


def _all_states(m: int) -> np.ndarray:
    """Every code 0 … 2^m − 1 as an (N, m) table of 0/1 (option k in column k)."""
    codes = np.arange(1 << m, dtype=np.int64)
    return ((codes[:, None] >> np.arange(m)) & 1).astype(np.int8)


def _state_index(
    text: str,
    path: tuple[str | int, ...],
    options: list[str],
    codes: np.ndarray | None,
    problems: list[Problem],
) -> int | None:
    """The feasible state a Y/N string names, or a problem saying what is wrong with it
    (feasibility is checked only when ``codes``, the feasible states, are known)."""
    m = len(options)
    bad = next((ch for ch in text if ch not in "YN"), None)
    if bad is not None:
        problems.append(Problem(path, f"state {text!r} has {bad!r}; write states with Y and N"))
        return None
    if len(text) != m:
        problems.append(
            Problem(
                path,
                f"state {text!r} has {len(text)} letters; states here have {m}, one per option "
                f"in order ({', '.join(options)})",
            )
        )
        return None
    code = text_code(text)
    if codes is None:
        return None
    k = int(np.searchsorted(codes, code))
    if k >= len(codes) or codes[k] != code:
        problems.append(Problem(path, f"state {text!r} is infeasible (an 'infeasible' rule holds)"))
        return None
    return k


def _preferences(
    specs: list[DecisionMakerSpec],
    prefs: dict[str, PreferenceSpec | None],
    options: list[str],
    codes: np.ndarray | None,
    table: np.ndarray,
    domains: list[rules.IssueDomain],
    problems: list[Problem],
) -> np.ndarray | None:
    ids = [d.id for d in specs]
    for key in prefs:
        if key not in ids:
            problems.append(
                Problem(("preferences", key), _unknown("decision maker", key, ids), on_key=True)
            )
    missing = [d for d in ids if d not in prefs]
    if missing:
        problems.append(
            Problem(("preferences",), "no preferences for " + ", ".join(repr(d) for d in missing))
        )
    out = np.zeros((len(specs), len(codes) if codes is not None else 0), dtype=np.int64)
    before = len(problems)
    for i, dm in enumerate(ids):
        spec = prefs.get(dm)
        if spec is None:
            continue
        base = ("preferences", dm)
        if spec.ranking is not None:
            groups = _ranking(spec.ranking, (*base, "ranking"), options, codes, problems)
            if groups is not None and codes is not None:
                out[i] = ranking_ranks(groups, len(codes))
        else:
            assert spec.priorities is not None
            bound = [
                _statement(t, (*base, "priorities", k), domains, problems)
                for k, t in enumerate(spec.priorities)
            ]
            if all(b is not None for b in bound) and codes is not None:
                states = table[codes]
                out[i] = priority_ranks([b for b in bound if b is not None], states)
    return None if len(problems) > before or missing or codes is None else out


def _ranking(
    ranking: list[str | list[str]],
    path: tuple[str | int, ...],
    options: list[str],
    codes: np.ndarray | None,
    problems: list[Problem],
) -> list[list[int]] | None:
    """The ranking as groups of state indices, best first; problems for bad or missing states."""
    groups: list[list[int]] = []
    first: dict[int, str] = {}
    before = len(problems)
    for k, entry in enumerate(ranking):
        items = (
            [(entry, (*path, k))]
            if isinstance(entry, str)
            else [(text, (*path, k, j)) for j, text in enumerate(entry)]
        )
        group = []
        for text, where in items:
            idx = _state_index(text, where, options, codes, problems)
            if idx is None:
                continue
            if idx in first:
                problems.append(
                    Problem(where, f"state {text!r} is ranked twice (first at {first[idx]})")
                )
                continue
            first[idx] = "entry " + ".".join(str(x + 1) for x in where[len(path) :])
            group.append(idx)
        groups.append(group)
    if len(problems) > before or codes is None:
        return None
    left = [s for s in range(len(codes)) if s not in first]
    if left:
        shown = ", ".join(_text(int(codes[s]), len(options)) for s in left[:8])
        more = f" and {len(left) - 8} more" if len(left) > 8 else ""
        problems.append(
            Problem(path, f"the ranking misses {len(left)} feasible state(s): {shown}{more}")
        )
        return None
    return groups


def _text(code: int, m: int) -> str:
    return "".join("Y" if code >> k & 1 else "N" for k in range(m))


def _build(
    header: Header,
    specs: list[DecisionMakerSpec],
    sources: list[Source | None],
    codes: np.ndarray,
    ranks: np.ndarray,
    status_quo: int | None,
) -> GraphModel:
    options: list[Option] = []
    dms: list[DecisionMaker] = []
    for i, spec in enumerate(specs):
        first = len(options)
        options += [Option(o.id, o.label or o.id, i) for o in spec.options]
        dms.append(DecisionMaker(spec.id, spec.name or spec.id, tuple(range(first, len(options)))))
    index = {o.id: k for k, o in enumerate(options)}
    fwd = sum(1 << index[o] for o, way in header.irreversible.items() if way == "fwd")
    back = sum(1 << index[o] for o, way in header.irreversible.items() if way == "back")
    return GraphModel(
        id=header.id,
        title=header.title,
        dms=tuple(dms),
        options=tuple(options),
        codes=codes,
        ranks=ranks,
        fwd=fwd,
        back=back,
        status_quo=status_quo,
        sources=[s.model_dump(mode="json", exclude_none=True) for s in sources if s is not None],
        description=header.description,
    )
