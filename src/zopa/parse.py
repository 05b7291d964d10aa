"""Read and validate one scenario text (YAML or JSON) with line and column numbers.

Files are read with ruamel.yaml's round-trip loader, which remembers where
every key and value sits, so that each problem found by :mod:`zopa.model` is
reported as ``FILE:LINE:COL: message``.  All problems in a file are reported
together, and nothing is computed from a file that has any.

This module sits below :mod:`zopa.interop` (whose importers validate the
scenario text they build here) and :mod:`zopa.load` (the front door, which
also opens GENIUS folders through :mod:`zopa.interop`); both re-use its
:class:`Diagnostic` and :class:`ScenarioError`.  :mod:`zopa.load` re-exports
the public names, so ``from zopa.load import ScenarioError`` keeps working.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from zopa import model
from zopa.model import Problem, Scenario

DEFAULT_SCENARIO = "ukraine-2025"
MAX_FILE_BYTES = 10 * 1024 * 1024  # far above any real scenario; guards memory
MAX_NODES = 1_000_000  # values after expanding YAML aliases; stops "billion laughs" files
T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be used; ``diagnostics`` lists every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


# --------------------------------------------------------------------------- files and built-ins


def builtin_ids() -> list[str]:
    """Ids of the scenarios shipped with zopa."""
    folder = resources.files("zopa") / "scenarios"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def builtin_path(scenario_id: str) -> Path:
    return Path(str(resources.files("zopa") / "scenarios" / f"{scenario_id}.yaml"))


def display_name(path: Path) -> str:
    """How a file is named in messages: built-ins by id, others as given."""
    try:
        if path.parent.samefile(builtin_path(DEFAULT_SCENARIO).parent):
            return f"<built-in>/{path.name}"
    except OSError:
        pass
    return str(path)


def read_text(path: Path) -> str:
    name = display_name(path)
    try:
        if path.is_dir():
            raise ScenarioError([Diagnostic(name, 1, 1, "is a folder, not a scenario file")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                [Diagnostic(name, 1, 1, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")]
            )
        data = path.read_bytes()
    except OSError as err:
        raise ScenarioError(
            [Diagnostic(name, 1, 1, f"cannot read the file: {err.strerror}")]
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        message = f"the file is not valid UTF-8 (byte 0x{data[err.start]:02x}); save it as UTF-8"
        raise ScenarioError([Diagnostic(name, line, col, message)]) from None


def parse_scenario(text: str, filename: str = "<text>") -> Scenario:
    """Validate scenario text; raise :class:`ScenarioError` listing every problem."""
    return parse_document(text, filename, _validate)


def parse_document(
    text: str, filename: str, validate: Callable[[Any], tuple[list[Problem], T | None]]
) -> T:
    """Read YAML or JSON text and validate it; raise :class:`ScenarioError` on any problem.

    Shared by every file format zopa reads (scenarios, graph models): ``validate``
    takes the plain data and returns the problems found (paths into the data)
    and the result; each problem is reported as ``FILE:LINE:COL: message``.
    """
    data = _fast_load(text)
    if data is not None and not _too_big(data):  # the common case: a valid file, no positions
        problems, result = validate(data)
        if result is not None and not problems:
            return result
    tree = _read_tree(text, filename)
    problems, result = validate(_plain(tree))
    if problems:
        diags = sorted({_diagnostic(filename, tree, p, text) for p in problems})
        raise ScenarioError(diags)
    assert result is not None
    return result


def pydantic_problems(
    err: ValidationError, cls: type[BaseModel], raw: Any, prefix: tuple[str | int, ...] = ()
) -> list[Problem]:
    """A pydantic validation error as problems at paths into the file (readable messages)."""
    return _pydantic_problems(err, cls, raw, prefix)


# --------------------------------------------------------------------------- reading


def _fast_load(text: str) -> Any:
    """Parse with libyaml through ruamel's C loader (5× faster, no positions).

    Any problem, even one this loader would tolerate, sends the file down the
    slow path, which re-reads it with positions and reports every problem.
    """
    from ruamel.yaml import YAML

    try:
        return YAML(typ="safe", pure=False).load(text)
    except Exception:  # the position-keeping reader reports it properly
        return None


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        """Keeps timestamps as text so that pydantic reports bad dates with a position."""

    Constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
    )
    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def _read_tree(text: str, filename: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        with warnings.catch_warnings():  # a reused anchor is legal YAML; keep stderr clean
            warnings.simplefilter("ignore")
            tree = _yaml().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioError(
            [Diagnostic(filename, line, col, _syntax_message(err, filename))]
        ) from None
    except YAMLError as err:
        raise ScenarioError([Diagnostic(filename, 1, 1, f"YAML error: {err}")]) from None
    except RecursionError:
        raise ScenarioError([Diagnostic(filename, 1, 1, "the file is nested too deeply")]) from None
    except (ValueError, TypeError) as err:  # a constructor rejecting a scalar
        raise ScenarioError([Diagnostic(filename, 1, 1, f"cannot read the YAML: {err}")]) from None
    if tree is None:
        raise ScenarioError([Diagnostic(filename, 1, 1, "the file is empty")])
    if _too_big(tree):
        message = f"the file expands to more than {MAX_NODES:,} values (through YAML aliases?)"
        raise ScenarioError([Diagnostic(filename, 1, 1, message)])
    return tree


def _syntax_message(err: Any, filename: str) -> str:
    """ruamel's wording, shortened for duplicate keys, plus where an open bracket began."""
    kind = "JSON" if filename.lower().endswith(".json") else "YAML"
    problem = (err.problem or err.context or "invalid syntax").strip()
    duplicate = re.match(r'found duplicate key "(.*?)" with value', problem, re.DOTALL)
    if duplicate:
        return f"{kind} syntax error: duplicate key {duplicate.group(1)!r}"
    if "\\t" in problem:
        problem += " (indent with spaces, not tabs)"
    start, here = err.context_mark, err.problem_mark
    if err.context and start and here and start.line != here.line:
        where = f"line {start.line + 1}, column {start.column + 1}"
        problem += f" ({err.context} that starts at {where})"
    if "<block end>" in problem:
        problem += "; check the indentation"
    return f"{kind} syntax error: {problem}"


def _too_big(tree: Any) -> bool:
    """Whether the tree has more than MAX_NODES values once aliases are expanded."""
    count, stack = 0, [tree]
    while stack:  # iterative, so self-referencing aliases cannot recurse without end
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _plain(node: Any) -> Any:
    """ruamel's node types to plain Python (dict, list, str, int, float, bool, date)."""
    if isinstance(node, dict):
        return {_plain(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


# --------------------------------------------------------------------------- validating

_PARTS: dict[str, type[BaseModel]] = {
    "sources": model.Source,
    "issues": model.Issue,
    "parties": model.Party,
    "red_lines": model.RedLine,
    "drafts": model.Draft,
}


def _validate(data: Any) -> tuple[list[Problem], Scenario | None]:
    if not isinstance(data, dict):
        return [Problem((), "a scenario must be a mapping (key: value) at the top level")], None
    problems: list[Problem] = []
    header: model.Header | None = None
    try:
        header = model.Header.model_validate(data)
    except ValidationError as err:
        problems += _pydantic_problems(err, model.Header, data, ())

    parts: dict[str, list[Any]] = {}
    broken: set[str] = set()
    for field, cls in _PARTS.items():
        items: list[Any] = []
        raw_items = data.get(field)
        for k, raw in enumerate(raw_items if isinstance(raw_items, list) else []):
            try:
                items.append(cls.model_validate(raw))
            except ValidationError as err:
                items.append(None)
                problems += _pydantic_problems(err, cls, raw, (field, k))
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    broken.add(raw["id"])
        parts[field] = items

    draft = model.Scenario.model_construct(
        id=header.id if header else "scenario",
        **{f: parts[f] for f in _PARTS},
    )
    problems += model.semantic_problems(draft, frozenset(broken))
    if problems or header is None:
        return problems, None
    parts["issues"] = [_canonical_attributes(i) for i in parts["issues"]]
    issues = {i.id: i for i in parts["issues"]}
    parts["parties"] = [_canonical_values(p, issues) for p in parts["parties"]]
    parts["drafts"] = [_canonical_package(d, issues) for d in parts["drafts"]]
    scenario = model.Scenario(
        format=header.format,
        id=header.id,
        title=header.title,
        description=header.description,
        reviewed=header.reviewed,
        assumptions=header.assumptions,
        meta=header.meta,
        **{f: parts[f] for f in _PARTS},
    )
    return [], scenario


def _canonical_values(party: model.Party, issues: dict[str, model.Issue]) -> model.Party:
    """Key value tables by the options they name: ``"400000"`` (JSON) as ``400000`` (YAML)."""
    values = {
        i: {_option(_target(i, issues), key): v for key, v in table.items()}
        for i, table in party.values.items()
    }
    return party.model_copy(update={"values": values})


def _target(key: str, issues: dict[str, model.Issue]) -> Any:
    """The issue, or the attribute (``ISSUE.ATTR``), a weights/values key names."""
    issue_id, _, attr = key.partition(".")
    issue = issues[issue_id]
    return issue.attributes[attr] if attr and issue.attributes else issue


def _canonical_attributes(issue: model.Issue) -> model.Issue:
    """Attribute values of listed options as the attribute's ids or numbers."""
    if issue.attributes is None or issue.options is None:
        return issue
    options = [
        o.model_copy(
            update={
                "attributes": {n: _option(issue.attributes[n], v) for n, v in o.attributes.items()}
            }
        )
        for o in issue.options
    ]
    return issue.model_copy(update={"options": options})


def _canonical_package(draft: model.Draft, issues: dict[str, model.Issue]) -> model.Draft:
    package = {i: _option(issues[i], value) for i, value in draft.package.items()}
    return draft.model_copy(update={"package": package})


def _option(issue: Any, written: Any) -> str | int | float:
    """The option id or number that ``written`` names (checked to exist beforehand)."""
    k = issue.index_of(written)
    assert k is not None
    return issue.option_json(k)


def _pydantic_problems(
    err: ValidationError, cls: type[BaseModel], raw: Any, prefix: tuple[str | int, ...]
) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    missing: list[tuple[Problem, str]] = []
    typos: set[tuple[tuple[str | int, ...], str]] = set()  # (mapping path, suggested key)
    for e in err.errors(include_url=False):
        path, on_key = _clean_loc(raw, e["loc"])
        kind = e["type"]
        if kind == "missing":
            key = path[-1] if path else ""
            problem = Problem((*prefix, *path[:-1]), f"missing required key {key!r}")
            missing.append((problem, str(key)))
        elif kind == "extra_forbidden":
            problem = Problem((*prefix, *path), _unknown_key(cls, path), on_key=True)
            suggestion = _suggest_key(cls, path)
            if suggestion:
                typos.add(((*prefix, *path[:-1]), suggestion))
        else:
            problem = Problem((*prefix, *path), _message(e, path), on_key=on_key)
        key = (problem.path, problem.on_key)
        if key not in seen:  # unions report once per member; keep the first
            seen.add(key)
            out.append(problem)
    # A misspelt required key is reported once: as the unknown key, with its suggestion.
    typo_of = [p for p, key in missing if (p.path, key) in typos]
    return [p for p in out if p not in typo_of]


def _clean_loc(raw: Any, loc: tuple[Any, ...]) -> tuple[tuple[str | int, ...], bool]:
    """Drop pydantic's internal loc segments (union tags, validators) by walking the data."""
    path: list[str | int] = []
    node = raw
    on_key = False
    for seg in loc:
        if seg == "[key]":
            on_key = True
            continue
        if isinstance(node, dict):
            match = _dict_key(node, seg)
            if match is _MISSING:
                if isinstance(seg, str) and not _looks_internal(seg):
                    path.append(seg)  # a missing or unknown key
                    node = None
                continue
            path.append(match)
            node = node[match]
        elif isinstance(node, list) and isinstance(seg, int):
            path.append(seg)
            node = node[seg] if 0 <= seg < len(node) else None
    return tuple(path), on_key


_MISSING = object()


def _dict_key(node: dict[Any, Any], seg: Any) -> Any:
    if seg in node:
        return seg
    for k in node:
        if str(k) == str(seg):
            return k
    return _MISSING


def _looks_internal(seg: str) -> bool:
    return any(ch in seg for ch in "[]()") or seg in {"str", "int", "float", "bool", "list", "dict"}


def _unknown_key(cls: type[BaseModel], path: tuple[str | int, ...]) -> str:
    key = str(path[-1]) if path else "?"
    owner = _model_at(cls, path[:-1])
    fields = list(owner.model_fields) if owner else []
    match = _suggest_key(cls, path)
    hint = f"; did you mean {match!r}?" if match else ""
    if owner is model.Option:  # attribute values are keys of the options of attribute issues
        fields.remove("attributes")
        allowed = ", ".join(fields) + "; attribute values only in an issue with 'attributes'"
        return f"unknown key {key!r}{hint or f' (allowed: {allowed})'}"
    allowed = f" (allowed: {', '.join(fields)})" if fields and not match else ""
    return f"unknown key {key!r}{hint}{allowed}"


def _suggest_key(cls: type[BaseModel], path: tuple[str | int, ...]) -> str | None:
    """The allowed key closest to the unknown key at ``path``, if any is close."""
    import difflib

    owner = _model_at(cls, path[:-1])
    if not path or owner is None:
        return None
    match = difflib.get_close_matches(str(path[-1]), list(owner.model_fields), n=1)
    return match[0] if match else None


def _model_at(cls: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the mapping at ``path`` inside ``cls``."""
    annotation: Any = cls
    for seg in path:
        annotation = _unwrap(annotation, seg)
        if annotation is None:
            return None
    annotation = _unwrap_optional(annotation)
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _unwrap(annotation: Any, seg: str | int) -> Any:
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(seg))
        return field.annotation if field else None
    origin = get_origin(annotation)
    if origin is list and isinstance(seg, int):
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    return None


def _unwrap_optional(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not None and get_origin(annotation) not in (list, dict) and args:
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else (args[0] if len(args) == 1 else annotation)
    return annotation


def _message(e: Any, path: tuple[str | int, ...]) -> str:
    kind: str = e["type"]
    value = e.get("input")
    ctx = e.get("ctx") or {}
    shown = _show(value)
    unit_field = any(seg in ("values", "reservation") for seg in path if isinstance(seg, str))
    if kind == "string_pattern_mismatch":
        return f"invalid id {shown}: ids use lowercase letters, digits, '_' and '-'"
    if kind in ("greater_than_equal", "less_than_equal"):
        if unit_field:
            return f"value {shown} is outside [0, 1]"
        if "weights" in path:
            return f"weight {shown} is negative; weights are 0 or more"
        bound = _bound(ctx.get("ge", ctx.get("le")))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return f"value {shown} must be {word} {bound}"
    if kind == "greater_than":
        name = f"{path[-1]} " if path and isinstance(path[-1], str) else "value "
        return f"{name}{shown} must be greater than {_bound(ctx.get('gt'))}"
    if kind == "finite_number":
        return f"expected a finite number, got {shown}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {shown}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"expected a number, got {shown}"
    if kind in ("string_type",):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"expected text, got the number {shown} (put it in quotes)"
        return f"expected text, got {shown}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {shown}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"expected a date (YYYY-MM-DD), got {shown}"
    if kind in ("list_type",):
        return f"expected a list, got {shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping (key: value), got {shown}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "value_error":
        return str(e["msg"]).removeprefix("Value error, ")
    return str(e["msg"])


def _bound(x: Any) -> str:
    """A bound from a pydantic constraint, ``0`` rather than ``0.0``."""
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------- positions


def _diagnostic(filename: str, tree: Any, problem: Problem, text: str) -> Diagnostic:
    line, col, node = _locate(tree, problem.path, problem.on_key)
    if problem.offset is not None and isinstance(node, str):
        line, col = _inside_scalar(text, line, col, node, problem.offset)
    return Diagnostic(filename, line, col, problem.message)


def _inside_scalar(text: str, line: int, col: int, value: str, offset: int) -> tuple[int, int]:
    """Line and column in ``text`` of ``value[offset]``, for a scalar that starts at (line, col).

    Walks the source and the parsed value side by side.  Quotes, block-scalar
    headers (``|``, ``>``), indentation and line folding exist only in the
    source, so a run of whitespace in the value matches any run of whitespace
    in the source; escapes are skipped in quoted scalars.
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    if line > len(starts):
        return line, col + offset
    i = starts[line - 1] + col - 1
    style = text[i : i + 1]
    if style in ("|", ">"):
        i = text.find("\n", i) + 1 or len(text)
    elif style in ("'", '"'):
        i += 1
    for ch in value[:offset]:
        if not ch.isspace():
            i = _skip_space(text, i)  # the indentation of a continuation line
        if style == '"' and text[i : i + 1] == "\\":
            i += 2  # an escape such as \" or \n stands for one character of the value
        elif ch.isspace():
            i = _skip_space(text, i)
        else:
            i += 2 if style == "'" and text[i : i + 2] == "''" else 1
    if offset < len(value):
        i = _skip_space(text, i)
    i = min(i, len(text))
    line = text.count("\n", 0, i) + 1
    return line, i - starts[line - 1] + 1


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _locate(tree: Any, path: tuple[str | int, ...], on_key: bool) -> tuple[int, int, Any]:
    """1-based line and column of the node at ``path`` (or of its nearest ancestor)."""
    line, col = _start(tree)
    node = tree
    for i, seg in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, dict):
            key = _dict_key(node, seg)
            if key is _MISSING:
                break
            pos = node.lc.key(key) if (last and on_key) else node.lc.value(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            pos = node.lc.item(seg)
            node = node[seg]
        elif isinstance(node, list) and seg == "options":
            continue  # an attribute written as a bare list is short for its options
        else:
            break
        if pos is not None:
            line, col = pos[0] + 1, pos[1] + 1
    return line, col, node


def _start(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None:
        return lc.line + 1, lc.col + 1
    return 1, 1


class Locator:
    """Line and column of any node of a scenario file, for tools that report on valid files.

    ``position(path)`` answers like the parser's own diagnostics: the node at
    ``path`` (or its nearest ancestor), its key with ``on_key``, and with
    ``offset`` the character that far into a string value.
    """

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.tree = _read_tree(text, filename)

    def position(
        self, path: tuple[str | int, ...], on_key: bool = False, offset: int | None = None
    ) -> tuple[int, int]:
        line, col, node = _locate(self.tree, path, on_key)
        if offset is not None and isinstance(node, str):
            line, col = _inside_scalar(self.text, line, col, node, offset)
        return line, col

    def plain(self) -> Any:
        """The file's data as plain Python values (what the model was validated from)."""
        return _plain(self.tree)
