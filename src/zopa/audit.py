"""Provenance and balance of a scenario file (``zopa audit``).

The audit reads a valid scenario and reports, without judging:

* **sources**: every source has a title, a publisher and a date; how many of
  each tier (official text, original reporting, repost or aggregator);
* **as-of purity**: an analysis as of a date D shows each red line, draft and
  stance as the record stood on D, citing only sources published by D
  (:meth:`zopa.model.RedLine.view`, :meth:`zopa.model.Draft.stance`).  The
  audit lists every item that would be shown on a date with no source
  published by then, and every wording or stance record that cites a source
  published after the date it is shown from (later reporting belongs in a
  later, dated wording);
* **assumptions**: every weight, value, reservation, capability, position,
  salience, firmness and threshold range written in the file has a one-line
  rationale under ``assumptions`` (a firmness may rest on the file's one
  stated rule, ``assumptions.firmness`` at the top level), and on an issue
  described by attributes each attribute and each ``exclude`` rule has its
  rationale under the issue's ``assumptions``;
* **reposts**: every fact (red line, draft, stance) whose sources are all
  reposts, unless each of those sources says in its ``note`` why no original
  is cited;
* **loaded terms**: words from a configurable list (``demand``, ``regime``,
  names used by one side only …) in the file's own voice, that is in its
  prose fields outside quotation marks, by party;
* **balance**, per party: red lines in force on each draft date, how many
  carry a stated reason, sources cited and their tiers, firmness values,
  assumptions without a rationale and loaded terms.

Each problem is reported as ``FILE:LINE:COL: message``.  The idea of a
per-item provenance and coding audit follows the practice of reference
datasets of peace agreements (Bell & Badanjak, "Introducing PA-X", *Journal
of Peace Research* 56(3), 2019: every coded provision traceable to the text
it comes from).
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zopa.load import Locator, display_name, parse_scenario, read_text, resolve
from zopa.model import Problem, RedLine, Scenario, Source

# The default list of loaded terms: (name, pattern).  ``*`` ends a stem; matching is
# case-insensitive and on whole words.  Users pass their own list (see :func:`read_terms`).
DEFAULT_TERMS: tuple[str, ...] = (
    "demand*",
    "regime*",
    "aggression",
    "aggressor*",
    "occupation",
    "occupied",
    "occupier*",
    "occupying",
    "terroris*",
    "Kiev",
    "Donbass",
    "DNR",
    "LNR",
    "DPR",
    "LPR",
    "Novorossiya",
    "special military operation",
    "liberat*",
    "Nazi*",
    "neo-Nazi*",
    "denazif*",
    "annex*",
    "new regions",
    "new territories",
    "illegitimate",
    "puppet*",
    "junta",
    "capitulat*",
)

PROSE_KEYS = frozenset({"title", "description", "label", "name", "text", "reason", "note"})
KINDS = ("source", "as_of", "anachronism", "assumption", "repost", "loaded_term")


@dataclass(frozen=True)
class Term:
    """A loaded term: its name as listed and the compiled whole-word pattern."""

    name: str
    pattern: re.Pattern[str]

    @classmethod
    def parse(cls, name: str) -> Term:
        stem = name.endswith("*")
        body = re.escape(name.rstrip("*")).replace(r"\ ", r"\s+")
        tail = r"\w*" if stem else ""
        return cls(name, re.compile(rf"(?<![\w-]){body}{tail}(?![\w-])", re.IGNORECASE))


def read_terms(path: str | Path) -> list[Term]:
    """A terms file: one term per line (``*`` ends a stem), ``#`` starts a comment.

    Read like a scenario (any kind of file, at most :data:`~zopa.limits.MAX_FILE_BYTES`),
    and at most :data:`~zopa.limits.MAX_TERMS` terms: each term is one more scan of every
    text in the scenario.  Raises :class:`zopa.load.ScenarioError` (FILE:LINE:COL).
    """
    from zopa.limits import MAX_TERMS
    from zopa.load import Diagnostic, ScenarioError

    lines = read_text(Path(path)).splitlines()
    terms: list[Term] = []
    for number, line in enumerate(lines, start=1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if len(terms) == MAX_TERMS:
            column = line.index(name[0]) + 1
            message = f"more than {MAX_TERMS:,} terms; the limit is {MAX_TERMS:,}"
            raise ScenarioError([Diagnostic(display_name(Path(path)), number, column, message)])
        terms.append(Term.parse(name))
    return terms


@dataclass(frozen=True)
class Finding:
    """One problem the audit lists, at a place in the file."""

    kind: str
    message: str
    path: tuple[str | int, ...]
    party: str | None = None
    on_key: bool = False
    offset: int | None = None
    line: int = 0
    column: int = 0

    def to_json(self, filename: str) -> dict[str, Any]:
        return {
            "file": filename,
            "line": self.line,
            "column": self.column,
            "kind": self.kind,
            "party": self.party,
            "message": self.message,
        }

    def text(self, filename: str) -> str:
        return f"{filename}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class ReasonGap:
    """A span of dates (inclusive; None: open) on which a red line is shown without a reason."""

    red_line: str
    start: dt.date | None
    end: dt.date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "red_line": self.red_line,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }

    def text(self) -> str:
        start = self.start.isoformat() if self.start else "the start"
        return f"{self.red_line}: from {start}" + (f" to {self.end}" if self.end else " on")


@dataclass
class PartyBalance:
    """The balance figures of one party."""

    party: str
    veto: bool
    red_lines: int = 0
    with_reason: int = 0  # red lines with a reason on every date they are shown
    in_force: dict[str, int] = field(default_factory=dict)  # draft id -> red lines in force
    # draft id -> red lines in force whose wording in force on the draft's date gives a reason
    in_force_with_reason: dict[str, int] = field(default_factory=dict)
    without_reason: list[ReasonGap] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    tiers: dict[str, int] = field(default_factory=dict)
    firmness: dict[str, float] = field(default_factory=dict)
    stances: int = 0
    without_rationale: int = 0
    loaded_terms: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "veto": self.veto,
            "red_lines": self.red_lines,
            "red_lines_with_reason": self.with_reason,
            "red_lines_in_force": self.in_force,
            "red_lines_in_force_with_reason": self.in_force_with_reason,
            "red_lines_without_reason": [g.to_json() for g in self.without_reason],
            "sources_cited": len(self.sources),
            "source_tiers": self.tiers,
            "firmness": self.firmness,
            "stances": self.stances,
            "assumptions_without_rationale": self.without_rationale,
            "loaded_terms": self.loaded_terms,
        }


@dataclass(frozen=True)
class Audit:
    """The whole report: problems (each at FILE:LINE:COL), source figures and balance."""

    scenario: str
    file: str
    reviewed: dt.date | None
    problems: list[Finding]
    sources: dict[str, Any]
    balance: list[PartyBalance]
    drafts: list[tuple[str, dt.date | None]]
    terms: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        counts = {k: sum(1 for f in self.problems if f.kind == k) for k in KINDS}
        return {
            "scenario": self.scenario,
            "file": self.file,
            "reviewed": self.reviewed.isoformat() if self.reviewed else None,
            "problems": [f.to_json(self.file) for f in self.problems],
            "problem_counts": counts,
            "sources": self.sources,
            "balance": [b.to_json() for b in self.balance],
            "drafts": [{"draft": d, "date": x.isoformat() if x else None} for d, x in self.drafts],
            "terms": self.terms,
        }


# --------------------------------------------------------------------------- entry points


def audit_file(ref: str | Path | None = None, terms: Sequence[Term] | None = None) -> Audit:
    """Audit a scenario file or built-in id; raises :class:`zopa.load.ScenarioError` if invalid."""
    path = resolve(str(ref) if ref is not None else None)
    name = display_name(path)
    text = read_text(path)
    return audit_text(text, name, terms)


def audit_text(text: str, filename: str, terms: Sequence[Term] | None = None) -> Audit:
    scenario = parse_scenario(text, filename)
    locator = Locator(text, filename)
    return audit(scenario, locator, terms)


def audit(scenario: Scenario, locator: Locator, terms: Sequence[Term] | None = None) -> Audit:
    """Every check of the module docstring, on a scenario and the file it was read from."""
    terms = list(terms) if terms is not None else [Term.parse(t) for t in DEFAULT_TERMS]
    dates = scenario.source_dates()
    found = [
        *_source_findings(scenario),
        *_purity_findings(scenario, dates),
        *_assumption_findings(scenario),
        *_repost_findings(scenario),
        *_term_findings(scenario, locator.plain(), terms),
    ]
    located = sorted(
        (_locate(locator, f) for f in found), key=lambda f: (f.line, f.column, f.message)
    )
    balance = _balance(scenario, located)
    return Audit(
        scenario.id,
        locator.filename,
        scenario.reviewed,
        located,
        _source_summary(scenario),
        balance,
        [(d.id, d.date) for d in scenario.drafts],
        [t.name for t in terms],
    )


def _locate(locator: Locator, f: Finding) -> Finding:
    line, col = locator.position(f.path, f.on_key, f.offset)
    return Finding(f.kind, f.message, f.path, f.party, f.on_key, f.offset, line, col)


# --------------------------------------------------------------------------- sources


def _source_findings(scenario: Scenario) -> Iterator[Finding]:
    for k, s in enumerate(scenario.sources):
        missing = [key for key in ("publisher", "date") if not getattr(s, key)]
        if not s.title.strip():
            missing.insert(0, "title")
        if missing:
            yield Finding(
                "source", f"source {s.id!r} has no {' and no '.join(missing)}", ("sources", k)
            )
        if scenario.reviewed and s.date and s.date > scenario.reviewed:
            yield Finding(
                "source",
                f"source {s.id!r} is dated {s.date}, after the date the scenario was reviewed "
                f"({scenario.reviewed})",
                ("sources", k, "date"),
            )


def _tier(s: Source | None) -> str:
    return s.tier if s is not None and s.tier else "unknown"


def _source_summary(scenario: Scenario) -> dict[str, Any]:
    tiers: dict[str, int] = {"official": 0, "original": 0, "repost": 0, "unknown": 0}
    cited = _cited(scenario)
    for s in scenario.sources:
        tiers[_tier(s)] += 1
    return {
        "count": len(scenario.sources),
        "without_title": [s.id for s in scenario.sources if not s.title.strip()],
        "without_publisher": [s.id for s in scenario.sources if not s.publisher],
        "without_date": [s.id for s in scenario.sources if not s.date],
        "unresolved": [],  # a file with an unresolved reference does not load
        "tiers": tiers,
        "cited": len(cited),
        "uncited": [s.id for s in scenario.sources if s.id not in cited],
    }


def _cited(scenario: Scenario) -> set[str]:
    """Sources cited by a red line, draft or stance, or tagged ``[id]`` in the file's prose."""
    known = {s.id for s in scenario.sources}
    out: set[str] = {
        m for m in re.findall(r"\[([a-z0-9_-]+)\]", scenario.model_dump_json()) if m in known
    }
    for red in scenario.red_lines:
        out |= set(red.sources) | {x for w in red.wording for x in w.sources}
    for d in scenario.drafts:
        out |= set(d.sources)
        for party, stances in d.positions.items():
            for issue in stances:
                out |= {x for r in d.records(party, issue) for x in r.sources}
    return out


# --------------------------------------------------------------------------- as-of purity


def start_date(scenario: Scenario) -> dt.date | None:
    """The first date an analysis of the file is about: its earliest draft date."""
    dated = [d.date for d in scenario.drafts if d.date]
    return min(dated) if dated else None


def _purity_findings(scenario: Scenario, dates: dict[str, dt.date | None]) -> Iterator[Finding]:
    first = start_date(scenario)
    for k, red in enumerate(scenario.red_lines):
        base = ("red_lines", k)
        start = red.since or first
        if start is None:
            continue
        if red.until is not None and red.until < start:
            continue  # never shown within the file's period
        if not red.view(start, dates).sources:
            yield Finding(
                "as_of",
                f"red line {red.id!r} is shown from {start} but cites no source published by then",
                (*base, "source") if red.source else (*base, "id"),
                red.party,
            )
        yield from _late_citations(red.source, dates, start, (*base, "source"), red.party, "text")
        for j, w in enumerate(red.wording):
            yield from _late_citations(
                w.source, dates, w.since, (*base, "wording", j, "source"), red.party, "wording"
            )
    for k, d in enumerate(scenario.drafts):
        if d.date is None:
            continue
        if not [x for x in d.sources if _by(dates.get(x), d.date)]:
            yield Finding(
                "as_of",
                f"draft {d.id!r} is dated {d.date} but cites no source published by then",
                ("drafts", k, "source") if d.source else ("drafts", k, "id"),
            )
        for party, stances in d.positions.items():
            for issue, entry in stances.items():
                path = ("drafts", k, "positions", party, issue)
                for j, r in enumerate(d.records(party, issue)):
                    at = (*path, j) if isinstance(entry, list) else path
                    if not [x for x in r.sources if _by(dates.get(x), r.date)]:
                        yield Finding(
                            "as_of",
                            f"{party}'s stance on {issue} in {d.id!r} is shown from {r.date} but "
                            "cites no source published by then",
                            at,
                            party,
                        )
                    own = r.source if not isinstance(entry, str) else None
                    raw = entry[j] if isinstance(entry, list) else entry
                    if own is not None and not isinstance(raw, str) and raw.source is not None:
                        yield from _late_citations(
                            raw.source, dates, r.date, (*at, "source"), party, "stance"
                        )


def _by(date: dt.date | None, on: dt.date | None) -> bool:
    return date is None or on is None or date <= on


def _late_citations(
    source: str | list[str] | None,
    dates: dict[str, dt.date | None],
    start: dt.date | None,
    path: tuple[str | int, ...],
    party: str | None,
    what: str,
) -> Iterator[Finding]:
    """A wording (or stance) shown from ``start`` that cites something published later."""
    if source is None or start is None:
        return
    refs = [source] if isinstance(source, str) else source
    for j, ref in enumerate(refs):
        date = dates.get(ref)
        if date is not None and date > start:
            where = path if isinstance(source, str) else (*path, j)
            yield Finding(
                "anachronism",
                f"this {what} is shown from {start} but cites {ref}, published {date}: "
                "give later reporting a wording of its own from that date",
                where,
                party,
            )


# --------------------------------------------------------------------------- assumptions


def _assumption_findings(scenario: Scenario) -> Iterator[Finding]:
    for k, party in enumerate(scenario.parties):
        base = ("parties", k)
        given = party.assumptions
        written = party.model_fields_set

        singles = [("reservation", "reservation" in written, "the reservation")]
        singles.append(("capability", party.capability is not None, "the capability"))
        for key, present, what in singles:
            if present and not (given and getattr(given, key)):
                yield Finding(
                    "assumption",
                    f"{party.id}: {what} has no rationale (assumptions.{key})",
                    (*base, key),
                    party.id,
                    on_key=True,
                )
        for key in ("weights", "values", "positions", "salience"):
            for issue in getattr(party, key):
                rationale = given and getattr(given, key).get(issue)
                if not rationale:
                    yield Finding(
                        "assumption",
                        f"{party.id}: the {key[:-1] if key != 'salience' else key} for {issue!r} "
                        f"has no rationale (assumptions.{key}.{issue})",
                        (*base, key, issue),
                        party.id,
                        on_key=True,
                    )
    yield from _attribute_choice_findings(scenario)
    rule = scenario.assumptions.firmness if scenario.assumptions else None
    for k, red in enumerate(scenario.red_lines):
        base = ("red_lines", k)
        own = red.assumptions
        if "firmness" in red.model_fields_set and not (rule or (own and own.firmness)):
            yield Finding(
                "assumption",
                f"{red.id}: firmness {red.firmness:g} has no rationale (assumptions.firmness "
                "here, or the file's rule under the top-level assumptions.firmness)",
                (*base, "firmness"),
                red.party,
                on_key=True,
            )
        for name in red.thresholds:
            if not (own and own.thresholds.get(name)):
                yield Finding(
                    "assumption",
                    f"{red.id}: the range of threshold {name!r} has no rationale "
                    f"(assumptions.thresholds.{name})",
                    (*base, "thresholds", name),
                    red.party,
                    on_key=True,
                )


def _attribute_choice_findings(scenario: Scenario) -> Iterator[Finding]:
    """Describing an issue by attributes is a modelling choice: each attribute and each
    ``exclude`` rule needs its rationale under the issue's ``assumptions``."""
    for k, issue in enumerate(scenario.issues):
        if issue.attributes is None:
            continue
        given = issue.assumptions
        for name in issue.attributes:
            if not (given and given.attributes.get(name)):
                yield Finding(
                    "assumption",
                    f"issue {issue.id}: attribute {name!r} has no rationale "
                    f"(assumptions.attributes.{name})",
                    ("issues", k, "attributes", name),
                    on_key=True,
                )
        for n, rule in enumerate(issue.exclude or []):
            if not (given and n < len(given.exclude) and given.exclude[n]):
                yield Finding(
                    "assumption",
                    f"issue {issue.id}: exclude rule {n + 1} ({rule}) has no rationale "
                    f"(assumptions.exclude, item {n + 1})",
                    ("issues", k, "exclude", n),
                )


# --------------------------------------------------------------------------- reposts


def _repost_findings(scenario: Scenario) -> Iterator[Finding]:
    by_id = {s.id: s for s in scenario.sources}

    def only_reposts(refs: list[str]) -> list[str]:
        known = [by_id[x] for x in refs if x in by_id]
        if not known or not all(s.repost for s in known):
            return []
        return [s.id for s in known if not s.note]

    for k, red in enumerate(scenario.red_lines):
        refs = [*red.sources, *(x for w in red.wording for x in w.sources)]
        silent = only_reposts(refs)
        if silent:
            yield Finding(
                "repost",
                f"red line {red.id!r} rests only on reposts ({', '.join(silent)} without a note "
                "saying why no original is cited)",
                ("red_lines", k, "source"),
                red.party,
            )
    for k, d in enumerate(scenario.drafts):
        silent = only_reposts(d.sources)
        if silent:
            yield Finding(
                "repost",
                f"draft {d.id!r} rests only on reposts ({', '.join(silent)} without a note "
                "saying why no original is cited)",
                ("drafts", k, "source"),
            )
        for party, stances in d.positions.items():
            for issue, entry in stances.items():
                if isinstance(entry, str):
                    continue  # rests on the draft's sources, checked above
                records = d.records(party, issue)
                silent = only_reposts([x for r in records for x in r.sources])
                if silent:
                    yield Finding(
                        "repost",
                        f"{party}'s stance on {issue} in {d.id!r} rests only on reposts "
                        f"({', '.join(silent)} without a note)",
                        ("drafts", k, "positions", party, issue),
                        party,
                    )


# --------------------------------------------------------------------------- loaded terms

_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|«[^»]*»|(?<![\w])'[^'\n]*'(?![\w])", re.DOTALL)


def unquoted_matches(text: str, terms: Sequence[Term]) -> Iterator[tuple[Term, int, str]]:
    """Each (term, offset, matched text) in ``text`` outside quotation marks."""
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    for term in terms:
        for m in term.pattern.finditer(text):
            if not any(a <= m.start() < b for a, b in quoted):
                yield term, m.start(), m.group(0)


def _prose(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, str]]:
    """Every string the file says in its own voice: prose keys, and all of meta and assumptions.

    Source titles are left out: they are the documents' own headlines, quoted.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*path, key)
            free = any(p in ("meta", "assumptions") for p in here if isinstance(p, str))
            if isinstance(value, str):
                is_source_title = len(path) == 2 and path[0] == "sources" and key == "title"
                if (key in PROSE_KEYS or free) and not is_source_title:
                    yield here, value
            else:
                yield from _prose(value, here)
    elif isinstance(node, list):
        for k, value in enumerate(node):
            if isinstance(value, str):
                free = any(p in ("meta", "assumptions") for p in path if isinstance(p, str))
                if free:
                    yield (*path, k), value
            else:
                yield from _prose(value, (*path, k))


def _owner(scenario: Scenario, path: tuple, text: str, offset: int) -> str | None:
    """The party a sentence is about: its red line's, party's or stance's, or the one named."""
    if len(path) >= 2 and path[0] == "red_lines":
        return scenario.red_lines[path[1]].party
    if len(path) >= 2 and path[0] == "parties":
        return scenario.parties[path[1]].id
    if len(path) >= 4 and path[0] == "drafts" and path[2] == "positions":
        return str(path[3])
    start = max(text.rfind(". ", 0, offset), text.rfind("; ", 0, offset)) + 1
    ends = [e for e in (text.find(". ", offset), text.find("; ", offset)) if e >= 0]
    sentence = text[start : min(ends) if ends else len(text)].lower()
    named = [
        p.id
        for p in scenario.parties
        if any(
            re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", sentence)
            for n in [p.id, p.name or p.id, *p.aliases]
        )
    ]
    return named[0] if len(named) == 1 else None


def _term_findings(scenario: Scenario, data: Any, terms: Sequence[Term]) -> Iterator[Finding]:
    for path, text in _prose(data):
        for term, offset, word in unquoted_matches(text, terms):
            party = _owner(scenario, path, text, offset)
            who = f" ({party})" if party else ""
            yield Finding(
                "loaded_term",
                f"loaded term {word!r} (listed as {term.name!r}) in the file's own voice{who}; "
                "quote the speaker or use a neutral word",
                path,
                party,
                offset=offset,
            )


# --------------------------------------------------------------------------- balance


def _balance(scenario: Scenario, problems: list[Finding]) -> list[PartyBalance]:
    by_id = {s.id: s for s in scenario.sources}
    out = []
    for party in scenario.parties:
        b = PartyBalance(party.id, party.veto)
        cited: list[str] = []
        for red in scenario.red_lines:
            if red.party != party.id:
                continue
            b.red_lines += 1
            gaps = reason_gaps(red, start_date(scenario))
            b.with_reason += not gaps
            b.without_reason += gaps
            b.firmness[red.id] = red.firmness
            cited += [*red.sources, *(x for w in red.wording for x in w.sources)]
        for d in scenario.drafts:
            shown = [r for r in scenario.red_lines if r.party == party.id and r.in_force(d.date)]
            b.in_force[d.id] = len(shown)
            b.in_force_with_reason[d.id] = sum(1 for r in shown if r.view(d.date, {}).reason)
            for issue in d.positions.get(party.id, {}):
                b.stances += 1
                cited += [x for r in d.records(party.id, issue) for x in r.sources]
        b.sources = sorted(set(cited))
        b.tiers = {t: 0 for t in ("official", "original", "repost", "unknown")}
        for x in b.sources:
            b.tiers[_tier(by_id.get(x))] += 1
        b.without_rationale = sum(
            1 for f in problems if f.kind == "assumption" and f.party == party.id
        )
        b.loaded_terms = sum(1 for f in problems if f.kind == "loaded_term" and f.party == party.id)
        out.append(b)
    return out


def reason_gaps(red: RedLine, first: dt.date | None) -> list[ReasonGap]:
    """The spans of dates on which ``red`` is shown without a reason.

    The reason shown on a date is the one :meth:`zopa.model.RedLine.view` gives (the
    wording in force then; a wording without a reason keeps the one given before), so
    it can change only where a wording starts: checking the line's first date and
    each wording's start covers every date.  The line is shown from its ``since``, or
    from the file's first draft date (as in the as-of purity check).
    """
    start = red.since or first
    if red.until is not None and start is not None and red.until < start:
        return []  # never shown within the file's period
    changes = sorted({w.since for w in red.wording if start is None or w.since > start})
    if start is None and changes:
        points: list[dt.date | None] = [None, *changes]
        reasons = [red.view(changes[0] - dt.timedelta(days=1), {}).reason]
    else:
        points = [start, *changes]
        reasons = [red.view(start, {}).reason] if start else [red.reason]
    reasons += [red.view(c, {}).reason for c in changes]
    gaps: list[ReasonGap] = []
    for k, (at, reason) in enumerate(zip(points, reasons, strict=True)):
        if red.until is not None and at is not None and at > red.until:
            break
        if reason:
            continue
        end = changes[k] - dt.timedelta(days=1) if k < len(changes) else red.until
        if gaps and at is not None and gaps[-1].end == at - dt.timedelta(days=1):
            gaps[-1] = ReasonGap(red.id, gaps[-1].start, end)  # the same gap goes on
        else:
            gaps.append(ReasonGap(red.id, at, end))
    return gaps


# --------------------------------------------------------------------------- text


def render(a: Audit) -> str:
    """The report as text for a terminal, at most 80 columns wide where it can be."""
    s = a.sources
    prose = [
        f"Sources: {s['count']} ({s['cited']} cited); "
        f"without a date {len(s['without_date'])}, without a publisher "
        f"{len(s['without_publisher'])}, without a title {len(s['without_title'])}.",
        "Tiers: "
        + ", ".join(f"{k} {v}" for k, v in s["tiers"].items())
        + " (official text, original reporting, repost or aggregator, not given).",
    ]
    lines = [
        f"Audit of {a.scenario} ({a.file})"
        + (f", reviewed up to {a.reviewed}" if a.reviewed else ", no review date"),
        "",
        *(line for text in prose for line in textwrap.wrap(text, 80, subsequent_indent="  ")),
        "",
        "Balance by party (the audit reports; it does not judge):",
    ]
    # two header lines, so that the table fits 80 columns with its words whole
    rows: list[Sequence[str]] = [
        ("", "red", "with", "", "official/", "", "without", "loaded"),
        ("party", "lines", "reason", "sources", "orig/rep", "firmness", "rationale", "terms"),
    ]
    for b in a.balance:
        firm = sorted(set(b.firmness.values()))
        rows.append(
            (
                b.party + ("" if b.veto else "*"),
                str(b.red_lines),
                f"{b.with_reason}/{b.red_lines}",
                str(len(b.sources)),
                f"{b.tiers['official']}/{b.tiers['original']}/{b.tiers['repost']}",
                ",".join(f"{x:g}" for x in firm) or "—",
                str(b.without_rationale),
                str(b.loaded_terms),
            )
        )
    lines += _table(rows)
    lines.append("* no veto")
    lines += ["", "Red lines in force on each draft's date (with a reason then / in force):"]
    rows = [("date", "draft", *(b.party for b in a.balance))]
    for draft, date in a.drafts:
        rows.append(
            (
                date.isoformat() if date else "",
                draft,
                *(
                    f"{b.in_force_with_reason.get(draft, 0)}/{b.in_force.get(draft, 0)}"
                    for b in a.balance
                ),
            )
        )
    lines += _table(rows)
    gaps = [(b.party, g) for b in a.balance for g in b.without_reason]
    if gaps:
        lines += ["", "Red lines shown without a reason (the wording then in force gives none):"]
        lines += [f"  {party}: {g.text()}" for party, g in gaps]
    lines.append("")
    if a.problems:
        lines.append(f"Problems ({len(a.problems)}):")
        lines += [f.text(a.file) for f in a.problems]
    else:
        lines.append("No problems found.")
    return "\n".join(lines)


def _table(rows: list[Sequence[str]]) -> list[str]:
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]


def as_problem(f: Finding) -> Problem:
    """A finding as a model problem (for tools that collect diagnostics)."""
    return Problem(f.path, f.message, f.on_key, f.offset)
