"""GENIUS XML domains and profiles: import with GENIUS 10.4's own semantics.

A GENIUS negotiation is a domain file (root ``<negotiation_template>``) and one
profile per party (root ``<utility_space>``).  The reading follows
``genius.core.DomainImpl`` (issues, in tree order) and
``genius.core.utility.AdditiveUtilitySpace.loadTreeRecursive`` (weights by issue
index, one evaluator per weighted issue, reservation value, discount factor);
:mod:`zopa.interop.semantics` turns evaluators into values.  Writing goes the
other way in :func:`export_genius`.  ``docs/reference/genius.md`` documents
every rule and where NegMAS 0.16 departs from it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from zopa.interop import semantics as sem
from zopa.interop.build import (
    Imported,
    IssueSpec,
    PartySpec,
    affine_form,
    build,
    exact_form,
    plain,
)
from zopa.interop.semantics import ONE, ZERO, Semantics
from zopa.interop.xmlfile import XmlFile, read_xml
from zopa.model import MAX_OPTIONS, Scenario

DEFAULT_REAL_STEPS = 21  # genius.core.issue.IssueReal: 21 discretisation steps

Kind = Literal["discrete", "integer", "real"]
KINDS: tuple[Kind, ...] = ("discrete", "integer", "real")
WEIGHT_TOLERANCE = Fraction(1, 10**6)  # weight sums this close above 1 are rounding, not intent


@dataclass
class DomainIssue:
    """One issue of a GENIUS domain, with the element it was read from."""

    index: int
    name: str
    kind: Kind
    element: ET.Element
    values: list[str] = field(default_factory=list)  # discrete
    descriptions: list[str | None] = field(default_factory=list)
    lower: Fraction = ZERO  # integer and real
    upper: Fraction = ZERO

    def grid(self, real_steps: int) -> list[Fraction]:
        if self.kind == "integer":
            return [Fraction(x) for x in range(int(self.lower), int(self.upper) + 1)]
        return sem.real_grid(self.lower, self.upper, real_steps)


# --------------------------------------------------------------------------- import


def import_genius(
    domain: Path,
    profiles: Sequence[Path],
    semantics: Semantics = "genius",
    real_steps: int = DEFAULT_REAL_STEPS,
    scenario_id: str | None = None,
) -> Imported:
    """A zopa/1 scenario from a GENIUS domain file and its profiles, one party each."""
    domain_xml = read_xml(domain)
    issues = read_domain(domain_xml)
    domain_name = objective_name(domain_xml)
    warnings: list[str] = []
    parties = [
        read_profile(read_xml(p), issues, semantics, real_steps, warnings, domain_name)
        for p in profiles
    ]
    specs = [_issue_spec(i, real_steps) for i in issues]
    meta: dict[str, Any] = {
        "genius": {
            "domain": domain.name,
            "profiles": [p.name for p in profiles],
            "semantics": semantics,
        }
    }
    if any(i.kind == "real" for i in issues):
        meta["genius"]["real_steps"] = real_steps
    name = scenario_id or domain.stem
    return build(name, name, specs, parties, meta, domain_xml.name, warnings)


def _issue_spec(issue: DomainIssue, real_steps: int) -> IssueSpec:
    meta: dict[str, Any] = {"genius": {"index": issue.index, "type": issue.kind}}
    if issue.kind == "discrete":
        return IssueSpec(
            issue.name,
            options=list(issue.values),
            option_descriptions=list(issue.descriptions),
            meta=meta,
        )
    if issue.kind == "real":
        meta["genius"]["bounds"] = [plain(issue.lower), plain(issue.upper)]
    return IssueSpec(issue.name, grid=issue.grid(real_steps), meta=meta)


def root_kind(xml: XmlFile) -> Literal["domain", "profile"] | None:
    """Whether a parsed file is a GENIUS domain, a profile, or neither (by root element)."""
    if xml.root.tag == "negotiation_template":
        return "domain"
    if xml.root.tag == "utility_space":
        return "profile"
    return None


def objective_name(xml: XmlFile) -> str | None:
    """The ``name`` of the top ``<objective>`` of a domain or profile: the domain's name."""
    top = xml.root.find("utility_space/objective" if root_kind(xml) == "domain" else "objective")
    return top.get("name") if top is not None else None


def _names_domain(name: str | None) -> bool:
    """Whether an objective name names a domain: GENIUS's domain editor calls every one "root"."""
    return bool(name) and name != "root"


def read_domain(xml: XmlFile) -> list[DomainIssue]:
    """The issues of a domain file, in GENIUS order (``DomainImpl.buildTreeRecursive``)."""
    if xml.root.tag != "negotiation_template":
        hint = " (this looks like a profile)" if xml.root.tag == "utility_space" else ""
        xml.fail(
            xml.root,
            f"not a GENIUS domain: the root element is <{xml.root.tag}>, "
            f"expected <negotiation_template>{hint}",
        )
    space = xml.root.find("utility_space")
    top = space.find("objective") if space is not None else None
    if top is None:
        xml.fail(space if space is not None else xml.root, "no <utility_space><objective> found")
    issues = [_domain_issue(xml, el) for el in _issue_elements(top)]
    if not issues:
        xml.fail(top, "the domain has no <issue> elements")
    seen: dict[int, DomainIssue] = {}
    for issue in issues:
        if issue.index in seen:
            xml.fail(issue.element, f"issue index {issue.index} is used twice")
        seen[issue.index] = issue
    return issues


def _issue_elements(objective: ET.Element) -> list[ET.Element]:
    """Issues in GENIUS tree order: those of sub-objectives first, then this level's."""
    out: list[ET.Element] = []
    for child in objective.findall("objective"):
        out += _issue_elements(child)
    return out + objective.findall("issue")


def _index(xml: XmlFile, element: ET.Element) -> int:
    text = element.get("index")
    try:
        return int(text or "")
    except ValueError:
        xml.fail(element, f"<{element.tag}> needs an integer 'index' attribute, got {text!r}")


def _kind(xml: XmlFile, element: ET.Element) -> Kind:
    """``ISSUETYPE``: the ``type`` attribute, discrete when absent."""
    text = (element.get("type") or "discrete").lower()
    if text not in KINDS:
        xml.fail(
            element,
            f"unknown issue type {text!r} of issue {element.get('name')!r} "
            "(GENIUS knows discrete, integer and real)",
        )
    return text  # type: ignore[return-value]


def _num(xml: XmlFile, element: ET.Element, attr: str) -> Fraction:
    try:
        return sem.number(element.get(attr))
    except ValueError as err:
        xml.fail(element, f"attribute {attr!r} of <{element.tag}>: {err}")


def _bounds(
    xml: XmlFile, element: ET.Element, fallback: tuple[Fraction, Fraction] | None = None
) -> tuple[Fraction, Fraction]:
    """``lowerbound``/``upperbound`` on the element, else on its ``<range>`` child."""
    for holder in (element, element.find("range")):
        if holder is not None and holder.get("lowerbound") is not None:
            low, high = _num(xml, holder, "lowerbound"), _num(xml, holder, "upperbound")
            if high < low:
                xml.fail(holder, f"upperbound {plain(high)} is below lowerbound {plain(low)}")
            return low, high
    if fallback is not None:
        return fallback
    xml.fail(element, f"issue {element.get('name')!r} has no lowerbound/upperbound")


def _domain_issue(xml: XmlFile, element: ET.Element) -> DomainIssue:
    name = element.get("name")
    if not name:
        xml.fail(element, "an <issue> needs a 'name' attribute")
    issue = DomainIssue(_index(xml, element), name, _kind(xml, element), element)
    if issue.kind == "discrete":
        seen: set[str] = set()
        for item in element.findall("item"):
            value = item.get("value")
            if value is None:
                xml.fail(item, f"an <item> of issue {name!r} has no 'value' attribute")
            if value in seen:
                xml.fail(item, f"value {value!r} appears twice in issue {name!r}")
            seen.add(value)
            issue.values.append(value)
            issue.descriptions.append(item.get("description"))
        if not issue.values:
            xml.fail(element, f"discrete issue {name!r} has no <item> values")
    else:
        issue.lower, issue.upper = _bounds(xml, element)
        if issue.kind == "integer" and (issue.lower.denominator, issue.upper.denominator) != (1, 1):
            xml.fail(element, f"integer issue {name!r} has non-integer bounds")
    count = len(issue.values) if issue.kind == "discrete" else int(issue.upper - issue.lower) + 1
    if issue.kind != "real" and count > MAX_OPTIONS:
        xml.fail(element, f"issue {name!r} has {count:,} values; zopa's limit is {MAX_OPTIONS:,}")
    return issue


# --------------------------------------------------------------------------- profiles


def read_profile(
    xml: XmlFile,
    issues: Sequence[DomainIssue],
    semantics: Semantics,
    real_steps: int,
    warnings: list[str],
    domain_name: str | None = None,
) -> PartySpec:
    """One party from a profile (``AdditiveUtilitySpace``), its utility put in zopa form.

    A profile whose top ``<objective>`` names another domain than ``domain_name``
    but whose issues fit draws a warning (GENIUS does not compare the names).
    """
    root = xml.root
    if root.tag != "utility_space":
        hint = " (this looks like a domain)" if root.tag == "negotiation_template" else ""
        xml.fail(
            root,
            f"not a GENIUS profile: the root element is <{root.tag}>, "
            f"expected <utility_space>{hint}",
        )
    meta, reservation = _profile_meta(xml, warnings)
    weights, elements = _weighted_issues(xml, root)
    rows: list[list[Fraction]] = []
    coefficients: list[Fraction] = []
    for issue in issues:
        element = elements.get(issue.index)
        if element is None or issue.index not in weights:
            xml.fail(
                root if element is None else element,
                f"issue {issue.name!r} (index {issue.index}) has no weight and evaluator here; "
                "is this a profile for another domain?",
            )
        _check_same_issue(xml, element, issue, warnings)
        coefficients.append(weights[issue.index])
        rows.append(_issue_values(xml, element, issue, semantics, real_steps, warnings))
    named = objective_name(xml)
    if _names_domain(domain_name) and _names_domain(named) and named != domain_name:
        line, _ = xml.at(root.find("objective"))
        warnings.append(
            f"{xml.name}:{line}: the profile names domain {named!r}, not {domain_name!r}; "
            "its issues fit, so it is read (renamed copies of domains are common)"
        )

    party = Path(xml.name).stem
    if semantics == "negmas":
        return _negmas_party(party, coefficients, rows, reservation, meta, xml, warnings)
    return _genius_party(party, coefficients, rows, reservation, meta, xml, warnings)


def _profile_meta(xml: XmlFile, warnings: list[str]) -> tuple[dict[str, Any], Fraction | None]:
    """The utility space type (``UTILITYSPACETYPE``), reservation value and discount factor."""
    root = xml.root
    space_type = (root.get("type") or "linear").lower()
    if space_type in ("nonlinear", "constraint"):
        xml.fail(
            root,
            f"a {space_type} utility space is not additive; zopa/1 models additive utilities only",
        )
    if space_type not in ("linear", "uncertain"):
        xml.fail(root, f"unknown utility space type {space_type!r}")
    meta: dict[str, Any] = {"file": Path(xml.name).name}
    if space_type == "uncertain":
        warnings.append(
            f"{xml.name}: preference-uncertainty profile; its true additive utility is used"
        )
        meta["uncertain"] = True
    reservation = _optional_number(xml, root, "reservation", warnings)
    discount = _optional_number(xml, root, "discount_factor", warnings)
    if reservation is not None:
        meta["reservation_value"] = plain(reservation)
    if discount is not None:
        meta["discount_factor"] = plain(discount)
        meta["discount_factor_used_by_genius"] = plain(discount if ZERO < discount <= ONE else ONE)
    return meta, reservation


def _genius_party(
    name: str,
    weights: list[Fraction],
    rows: list[list[Fraction]],
    reservation: Fraction | None,
    meta: dict[str, Any],
    xml: XmlFile,
    warnings: list[str],
) -> PartySpec:
    """GENIUS: ``u = min(1, Σ w_i·v_i)``, reservation value (0 when absent) as disagreement."""
    for w in weights:
        if w < 0:
            xml.fail(xml.root, f"negative weight {plain(w)}; zopa weights are non-negative")
    zopa_weights, values, total = exact_form(weights, rows)
    d = reservation if reservation is not None else ZERO
    meta["weights_sum"] = plain(total)
    if total > ONE:
        d = d / total
    if total > ONE + WEIGHT_TOLERANCE:
        warnings.append(
            f"{xml.name}: weights sum to {float(total):.6g} > 1; GENIUS caps utility at 1, "
            f"zopa divides utilities and the reservation value by {float(total):.6g} instead"
        )
    norm = sum(zopa_weights, ZERO)
    best = sum((w * max(row) for w, row in zip(zopa_weights, values, strict=True)), ZERO)
    if d < ZERO:
        warnings.append(f"{xml.name}: reservation value {float(d):.6g} is below 0; 0 is used")
        d = ZERO
    if d > (best / norm if norm else ZERO):
        warnings.append(f"{xml.name}: the reservation value exceeds every utility: no deal")
        return PartySpec(name, zopa_weights, values, ONE, {"genius": meta}, accepts_nothing=True)
    return PartySpec(name, zopa_weights, values, d, {"genius": meta})


def _negmas_party(
    name: str,
    weights: list[Fraction],
    rows: list[list[Fraction]],
    reservation: Fraction | None,
    meta: dict[str, Any],
    xml: XmlFile,
    warnings: list[str],
) -> PartySpec:
    """NegMAS 0.16: raw ``Σ w_i·f_i``; Nash disagreement point ``max(reserved, min u)``."""
    contributions = [[w * f for f in row] for w, row in zip(weights, rows, strict=True)]
    zopa_weights, values, offset, scale = affine_form(contributions)
    reserved = reservation if reservation is not None else ZERO  # from_xml_str's default
    meta["negmas_utility"] = {"offset": plain(offset), "scale": plain(scale)}
    if reserved > offset + scale:  # NegMAS keeps no outcome as rational
        warnings.append(f"{xml.name}: the reserved value exceeds every utility: no deal")
        return PartySpec(name, zopa_weights, values, ONE, {"genius": meta}, accepts_nothing=True)
    d = (max(reserved, offset) - offset) / scale if scale else ZERO
    return PartySpec(name, zopa_weights, values, d, {"genius": meta})


def _weighted_issues(
    xml: XmlFile, root: ET.Element
) -> tuple[dict[int, Fraction], dict[int, ET.Element]]:
    """Weights and issue elements by index, level by level (``loadTreeRecursive``).

    A weight counts only for an issue at its own level, so the weight GENIUS
    files give the root objective (Fitness, index 1) is ignored, as in GENIUS.
    """
    weights: dict[int, Fraction] = {}
    elements: dict[int, ET.Element] = {}
    for level in root.iter():
        level_weights = {_index(xml, w): _num(xml, w, "value") for w in level.findall("weight")}
        for element in level.findall("issue"):
            index = _index(xml, element)
            if index in elements:
                xml.fail(element, f"issue index {index} is used twice")
            elements[index] = element
            if index in level_weights:
                weights[index] = level_weights[index]
    return weights, elements


def _optional_number(
    xml: XmlFile, root: ET.Element, tag: str, warnings: list[str]
) -> Fraction | None:
    """The value of ``<reservation>`` or ``<discount_factor>``; GENIUS skips unreadable ones."""
    element = next(root.iter(tag), None)
    if element is None:
        return None
    try:
        return sem.number(element.get("value"))
    except ValueError:
        line, _ = xml.at(element)
        warnings.append(
            f"{xml.name}:{line}: <{tag}> value {element.get('value')!r} is not a number; "
            "ignored, as GENIUS does"
        )
        return None


def _check_same_issue(
    xml: XmlFile, element: ET.Element, issue: DomainIssue, warnings: list[str]
) -> None:
    name = element.get("name")
    if name is not None and name != issue.name:  # GENIUS matches by index alone
        line, _ = xml.at(element)
        warnings.append(
            f"{xml.name}:{line}: issue index {issue.index} is named {name!r} here but "
            f"{issue.name!r} in the domain; matched by index, as GENIUS does"
        )
    kind = (element.get("type") or element.get("etype") or issue.kind).lower()
    if kind != issue.kind:
        xml.fail(
            element,
            f"issue {issue.name!r} is {kind} here but {issue.kind} in the domain; "
            "is this a profile for another domain?",
        )


def _issue_values(
    xml: XmlFile,
    element: ET.Element,
    issue: DomainIssue,
    semantics: Semantics,
    real_steps: int,
    warnings: list[str],
) -> list[Fraction]:
    """The value of each of the issue's options under ``semantics``."""
    if issue.kind == "discrete":
        return _discrete_values(xml, element, issue, semantics, warnings)
    evaluator = element.find("evaluator")
    grid = issue.grid(real_steps)
    if issue.kind == "integer":
        # EvaluatorInteger: slope and offset; some older files write parameter1/parameter0.
        # GENIUS 10.4 ignores ftype (always linear) and keeps slope = offset = 0 when the
        # <evaluator> is missing; zopa refuses other ftypes and warns about a missing one.
        slope = offset = ZERO
        if evaluator is None:
            line, _ = xml.at(element)
            warnings.append(
                f"{xml.name}:{line}: integer issue {issue.name!r} has no <evaluator>; "
                "every value is 0, as in GENIUS (slope and offset default to 0)"
            )
        else:
            ftype = evaluator.get("ftype")
            if ftype is not None and ftype.lower() != "linear":
                xml.fail(
                    evaluator,
                    f"unknown evaluator function {ftype!r} for integer issue {issue.name!r} "
                    "(GENIUS evaluates integer issues as linear: offset + slope·(x − lowerbound))",
                )
            slope_attr = "slope" if evaluator.get("slope") is not None else "parameter1"
            offset_attr = "offset" if evaluator.get("offset") is not None else "parameter0"
            slope, offset = _num(xml, evaluator, slope_attr), _num(xml, evaluator, offset_attr)
        lower, _ = _bounds(xml, element, (issue.lower, issue.upper))
        return [sem.integer_value(x, lower, offset, slope, semantics) for x in grid]
    if evaluator is None:
        xml.fail(element, f"real issue {issue.name!r} has no <evaluator>")
    ftype = (evaluator.get("ftype") or "").lower()
    arity = {"linear": 2, "constant": 1, "triangular": 3}.get(ftype)
    if arity is None:
        xml.fail(
            evaluator,
            f"unknown evaluator function {evaluator.get('ftype')!r} for real issue "
            f"{issue.name!r} (GENIUS evaluates linear, constant and triangular)",
        )
    params = [_num(xml, evaluator, f"parameter{k}") for k in range(arity)]
    values = [sem.real_value(ftype, params, x, semantics) for x in grid]
    if semantics == "genius" and any(not ZERO <= v <= ONE for v in values):
        xml.fail(evaluator, f"evaluator of real issue {issue.name!r} leaves [0, 1]")
    return values


def _discrete_values(
    xml: XmlFile,
    element: ET.Element,
    issue: DomainIssue,
    semantics: Semantics,
    warnings: list[str],
) -> list[Fraction]:
    evaluations: dict[str, Fraction] = {}
    for item in element.findall("item"):
        value = item.get("value")
        if value is None or item.get("evaluation") in (None, "null"):
            continue  # EvaluatorDiscrete.loadFromXML skips such items
        evaluations[value] = _num(xml, item, "evaluation")
    missing = [v for v in issue.values if v not in evaluations]
    if missing:
        xml.fail(
            element,
            f"issue {issue.name!r} gives no evaluation for "
            + ", ".join(repr(v) for v in missing)
            + "; is this a profile for another domain?",
        )
    known = set(issue.values)
    extra = [v for v in evaluations if v not in known]
    if extra:
        warnings.append(
            f"{xml.name}: issue {issue.name!r} evaluates values the domain does not have: "
            + ", ".join(repr(v) for v in extra)
        )
    raw = [evaluations[v] for v in issue.values]
    if semantics == "genius" and any(e < 0 for e in raw):
        xml.fail(element, f"issue {issue.name!r} has a negative evaluation")
    # GENIUS divides by the largest evaluation it holds, values outside the domain included.
    top = max(evaluations.values())
    scaled = sem.discrete_values([*raw, top], semantics)
    return scaled[:-1]


# --------------------------------------------------------------------------- export


@dataclass
class ExportReport:
    """What :func:`export_genius` wrote and what GENIUS cannot express."""

    files: list[Path]
    red_lines: list[str]
    notes: list[str]


class ExportError(Exception):
    """The output folder cannot take the export; nothing was written."""


def export_names(scenario: Scenario) -> tuple[str, list[str]]:
    """File names: ``<id>_domain.xml`` (``_2``, ``_3``… if a party took it), ``<party>.xml``."""
    profiles = [f"{p.id}.xml" for p in scenario.parties]
    taken = {name.lower() for name in profiles}
    domain, k = f"{scenario.id}_domain.xml", 2
    while domain.lower() in taken:
        domain, k = f"{scenario.id}_domain_{k}.xml", k + 1
    return domain, profiles


def export_genius(scenario: Scenario, folder: Path, force: bool = False) -> ExportReport:
    """Write ``scenario`` as a GENIUS domain and one profile per party.

    Exactness: GENIUS divides each discrete evaluation by the issue's largest
    and uses the weights as written.  Each categorical issue is therefore
    written with evaluations ``v/m`` (``m`` the party's largest value on that
    issue) and weight ``w·m`` (``w`` the normalised zopa weight), so GENIUS
    computes ``Σ w·v``, zopa's utility, to the precision of a double.  A numeric
    issue with step 1 whose values are linear for every party becomes a GENIUS
    integer issue (``offset + slope·(x − lowerbound)``); any other numeric issue
    becomes a discrete one.  Red lines, drafts and ``veto: false`` have no GENIUS
    form and are reported.

    The folder must be new or empty: GENIUS (and zopa) load every profile in
    a folder, so old ones would come back as extra parties.  With ``force``,
    the GENIUS domain and profile files already in it are replaced and every
    other file is left alone.  The new folder is written completely beside the
    old one and swapped in, so a failure or a kill leaves the old folder or the
    new one, never a mix.  Raises
    :class:`ExportError` when the folder cannot take the export.
    """
    from zopa.problem import option_values

    stale = _stale_files(folder, force)
    integer = [_integer_issue(scenario, k) for k in range(len(scenario.issues))]
    domain_name, profile_names = export_names(scenario)
    texts = [(domain_name, _xml_text(_domain_xml(scenario, integer)))]
    for party, name in zip(scenario.parties, profile_names, strict=True):
        vectors = [option_values(i, party) for i in scenario.issues]  # listed: none is None
        texts.append((name, _xml_text(_profile_xml(scenario, party, vectors, integer))))
    _write_folder(folder, texts, stale)
    files = [folder / name for name, _ in texts]
    notes: list[str] = []
    if domain_name != f"{scenario.id}_domain.xml":
        notes.append(
            f"the domain is {domain_name}: {scenario.id}_domain.xml is the profile of a party"
        )
    if scenario.drafts:
        notes.append(f"{len(scenario.drafts)} draft(s) not exported: GENIUS has no drafts")
    for party in scenario.parties:
        if not party.veto:
            notes.append(f"party {party.id!r} has veto: false, which GENIUS cannot express")
    for issue in scenario.issues:
        if issue.attributed:
            notes.append(
                f"issue {issue.id!r} is described by attributes, which GENIUS cannot express: "
                "its listed options are exported, valued as each party values them"
            )
    red_lines = [f"{r.id} ({r.party}): {r.rule}" for r in scenario.red_lines]
    return ExportReport(files, red_lines, notes)


def _stale_files(folder: Path, force: bool) -> list[Path]:
    """The GENIUS files ``force`` replaces; raise :class:`ExportError` if the folder won't do."""
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise ExportError(f"{folder} exists and is not a folder")
    entries = sorted(folder.iterdir())
    if not entries:
        return []
    if not force:
        shown = ", ".join(p.name for p in entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise ExportError(
            f"{folder} is not empty ({shown}); its profiles would load as extra parties. "
            "Export into a new or empty folder, or give --force to replace the GENIUS "
            "domain and profile files in it"
        )
    from zopa.parse import ScenarioError

    stale: list[Path] = []
    for path in entries:
        if not (path.is_file() and path.suffix.lower() == ".xml"):
            continue
        try:
            kind = root_kind(read_xml(path))
        except ScenarioError:
            if path.name.lower() == "pareto.xml":
                continue  # GENIUS's reference frontier, skipped when the folder is loaded
            raise ExportError(
                f"{path} is not readable XML, and the folder would not load with it; "
                "remove it or export elsewhere"
            ) from None
        if kind is not None:
            stale.append(path)
    return stale


def _write_folder(folder: Path, texts: list[tuple[str, bytes]], stale: list[Path]) -> None:
    """Write the export as a whole new folder and swap it in (:func:`zopa.fileio.replace_folder`).

    Files of the old folder that are not stale GENIUS files are carried into the
    new one; a kill at any instant leaves the old folder or the new one.
    """
    from zopa.fileio import replace_folder

    gone = {p.name for p in stale} | {name for name, _ in texts}
    keep = [p for p in folder.iterdir() if p.name not in gone] if folder.is_dir() else []
    replace_folder(folder, dict(texts), keep)


def _integer_issue(scenario: Scenario, k: int) -> tuple[Fraction, Fraction] | None:
    """(lowerbound, upperbound) when issue ``k`` can be a GENIUS integer issue."""
    from zopa.problem import value_vector

    issue = scenario.issues[k]
    if not issue.numeric or issue.range is None:
        return None
    xs = [Fraction(x) for x in issue.values]
    if any(x.denominator != 1 for x in xs) or (len(xs) > 1 and xs[1] - xs[0] != 1):
        return None
    for party in scenario.parties:
        row = value_vector(issue, party.values.get(issue.id, {}))
        if len(sem.breakpoints(xs, row)) > 2:
            return None
    return xs[0], xs[-1]


def _domain_xml(scenario: Scenario, integer: list[tuple[Fraction, Fraction] | None]) -> ET.Element:
    root = ET.Element("negotiation_template")
    space = ET.SubElement(root, "utility_space", number_of_issues=str(len(scenario.issues)))
    top = ET.SubElement(
        space,
        "objective",
        index="0",
        etype="objective",
        type="objective",
        description=scenario.title or "",
        name=scenario.id,
    )
    for k, issue in enumerate(scenario.issues):
        top.append(_issue_element(issue, k + 1, integer[k]))
    return root


def _issue_element(issue: Any, index: int, bounds: tuple[Fraction, Fraction] | None) -> ET.Element:
    if bounds is not None:
        return ET.Element(
            "issue",
            index=str(index),
            name=issue.id,
            etype="integer",
            type="integer",
            vtype="integer",
            lowerbound=str(bounds[0]),
            upperbound=str(bounds[1]),
        )
    element = ET.Element(
        "issue",
        index=str(index),
        name=issue.id,
        etype="discrete",
        type="discrete",
        vtype="discrete",
    )
    for j in range(len(issue.values)):
        ET.SubElement(
            element,
            "item",
            index=str(j + 1),
            value=_option_text(issue, j),
            description=issue.label(j),
        )
    return element


def _option_text(issue: Any, j: int) -> str:
    value = issue.option_json(j)
    return value if isinstance(value, str) else repr(value)


def _profile_xml(
    scenario: Scenario,
    party: Any,
    vectors: list[list[Fraction]],
    integer: list[tuple[Fraction, Fraction] | None],
) -> ET.Element:
    from zopa.model import exact

    raw = [exact(party.issue_weight(i.id)) for i in scenario.issues]
    total = sum(raw, ZERO)
    weights = [w / total if total else ZERO for w in raw]
    root = ET.Element("utility_space")
    top = ET.SubElement(
        root,
        "objective",
        index="0",
        etype="objective",
        type="objective",
        description="",
        name=scenario.id,
    )
    for k, issue in enumerate(scenario.issues):
        row, bounds = vectors[k], integer[k]
        if bounds is not None:
            element = _issue_element(issue, k + 1, bounds)
            slope = (row[-1] - row[0]) / (bounds[1] - bounds[0]) if bounds[1] > bounds[0] else ZERO
            ET.SubElement(
                element, "evaluator", ftype="linear", offset=_dec(row[0]), slope=_dec(slope)
            )
            weight = weights[k]
        else:
            top_value = max(row, default=ZERO)
            element = _issue_element(issue, k + 1, None)
            for item, v in zip(element.findall("item"), row, strict=True):
                item.set("evaluation", _dec(v / top_value if top_value else ZERO))
            weight = weights[k] * top_value
        top.append(element)
        ET.SubElement(top, "weight", index=str(k + 1), value=_dec(weight))
    genius_meta = party.meta.get("genius", {}) if isinstance(party.meta, dict) else {}
    discount = genius_meta.get("discount_factor", 1) if isinstance(genius_meta, dict) else 1
    ET.SubElement(root, "discount_factor", value=_dec(exact(discount)))
    ET.SubElement(root, "reservation", value=_dec(exact(party.reservation)))
    return root


def _dec(x: Fraction) -> str:
    """Decimal text of ``x``: exact when it terminates within 30 digits, else 17 significant."""
    if x.denominator == 1:
        return str(x.numerator)
    den = x.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den == 1:
        digits = 0
        scaled = x
        while scaled.denominator != 1 and digits < 30:
            scaled *= 10
            digits += 1
        if scaled.denominator == 1:
            sign = "-" if scaled < 0 else ""
            text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
            return f"{sign}{text[:-digits]}.{text[-digits:]}"
    return repr(float(x))


def _xml_text(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
