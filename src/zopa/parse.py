"""Read and validate one scenario text (YAML or JSON) with line and column numbers.

Files are read in one bounded pass over libyaml's events (:mod:`zopa.yamltree`),
which remembers where every key and value sits, so that each problem found by
:mod:`zopa.model` is reported as ``FILE:LINE:COL: message``.  Every input limit
(:mod:`zopa.limits`) is checked before the data reaches anything slower.  All
problems in a file are reported together, and nothing is computed from a file
that has any.

This module sits below :mod:`zopa.interop` (whose importers validate the
scenario text they build here) and :mod:`zopa.load` (the front door, which
also opens GENIUS folders through :mod:`zopa.interop`); both re-use its
:class:`Diagnostic` and :class:`ScenarioError`.  :mod:`zopa.load` re-exports
the public names, so ``from zopa.load import ScenarioError`` keeps working.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from zopa import limits, model
from zopa.model import Problem, Scenario

DEFAULT_SCENARIO = "ukraine-2025"
MAX_FILE_BYTES = limits.MAX_FILE_BYTES
MAX_NODES = limits.MAX_VALUES
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


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The text of a file of any kind (regular, device, pipe), at most ``limit`` bytes of it."""
    from zopa.fileio import TooLarge, read_bounded

    name = display_name(path)
    try:
        data = read_bounded(path, limit)
    except IsADirectoryError:
        raise ScenarioError([Diagnostic(name, 1, 1, "is a folder; give a file")]) from None
    except TooLarge as err:
        raise ScenarioError([Diagnostic(name, 1, 1, err.strerror)]) from None
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
    and the result; each problem is reported as ``FILE:LINE:COL: message``.  The
    text is read once, with positions, under every input limit (:mod:`zopa.yamltree`).
    """
    # a byte-order mark is not content: a file read by path loses it when decoded
    # (utf-8-sig); a text sent to the web app must too, or the YAML reader counts it
    # in its columns and the two report the same problem at different places
    text = text.removeprefix("\ufeff")
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


def _read_tree(text: str, filename: str) -> Any:
    """The data of a YAML or JSON text with positions (:mod:`zopa.yamltree`), never empty."""
    from zopa import yamltree

    kind = "JSON" if filename.lower().endswith(".json") else "YAML"
    if len(text) > MAX_FILE_BYTES:  # text that did not come from a file (the web app, say)
        message = f"the text is {len(text):,} characters; the limit is {MAX_FILE_BYTES:,}"
        raise ScenarioError([Diagnostic(filename, 1, 1, message)])
    try:
        tree = yamltree.read(text, kind)
    except yamltree.YamlError as err:
        raise ScenarioError([Diagnostic(filename, err.line, err.column, err.message)]) from None
    if tree is None:
        raise ScenarioError([Diagnostic(filename, 1, 1, "the file is empty")])
    return tree


def _plain(node: Any, seen: dict[int, Any] | None = None) -> Any:
    """The tree as plain ``dict`` and ``list``; a value shared through a YAML alias stays shared."""
    if not isinstance(node, dict | list):
        return node
    seen = {} if seen is None else seen
    if id(node) in seen:
        return seen[id(node)]
    if isinstance(node, dict):
        out: Any = {}
        seen[id(node)] = out
        out.update((k, _plain(v, seen)) for k, v in node.items())
    else:
        out = []
        seen[id(node)] = out
        out.extend(_plain(v, seen) for v in node)
    return out


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
    salvaged: dict[str, list[Any]] = {}
    pruned: list[tuple[str | int, ...]] = []
    broken: set[str] = set()
    for field, cls in _PARTS.items():
        items: list[Any] = []
        rescued: list[Any] = []
        raw_items = data.get(field)
        for k, raw in enumerate(raw_items if isinstance(raw_items, list) else []):
            try:
                items.append(cls.model_validate(raw))
                rescued.append(items[-1])
            except ValidationError as err:
                items.append(None)
                problems += _pydantic_problems(err, cls, raw, (field, k))
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    broken.add(raw["id"])
                item, cut = _salvage(cls, raw, err)
                rescued.append(item)
                pruned += [(field, k, *path) for path in cut]
        parts[field] = items
        salvaged[field] = rescued

    # The cross-checks run on every item, a broken one with its bad parts cut out, so that
    # one error in an item does not hide its other problems.
    draft = model.Scenario.model_construct(
        id=header.id if header else "scenario",
        **{f: salvaged[f] for f in _PARTS},
    )
    problems += [
        p
        for p in model.semantic_problems(draft, frozenset(broken))
        if not any(_related(p.path, cut) for cut in pruned)
    ]
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


def _salvage(
    cls: type[BaseModel], raw: Any, err: ValidationError
) -> tuple[Any, list[tuple[str | int, ...]]]:
    """The item validated without the keys its errors point at, and the paths cut out.

    Gives up (None) on errors that cutting a key cannot cure: a missing
    required key, or a problem with the item as a whole.
    """
    import copy

    if not isinstance(raw, dict):
        return None, []
    trimmed = copy.deepcopy(raw)
    cut: list[tuple[str | int, ...]] = []
    for _ in range(3):  # a cut can reveal a problem the first errors hid
        for e in err.errors(include_url=False):
            path, _on_key = _clean_loc(trimmed, e["loc"])
            zero = _as_zero(path)
            if zero:  # the whole entry, a distribution included
                path = path[: 3 if path[0] == "values" else 2]
            if e["type"] == "missing" or not _cut(trimmed, path, zero):
                return None, cut
            cut.append(path)
        try:
            return cls.model_validate(trimmed), cut
        except ValidationError as again:
            err = again
    return None, cut


def _as_zero(path: tuple[str | int, ...]) -> bool:
    """Whether a bad entry at ``path`` is read as 0 for the cross-checks rather than cut.

    A party's weight or value: cutting it would report a missing value too.
    """
    return len(path) >= 2 and path[0] in ("weights", "values") and path[-1] != path[0]


def _cut(data: dict[Any, Any], path: tuple[str | int, ...], zero: bool = False) -> bool:
    """Delete (or set to 0) the deepest mapping key on ``path``; False when there is none."""
    node: Any = data
    last: tuple[dict[Any, Any], Any] | None = None
    for seg in path:
        if isinstance(node, dict):
            key = _dict_key(node, seg)
            if key is _MISSING:
                break
            last = (node, key)
            node = node[key]
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        else:
            break
    if last is None:
        return False
    if zero and last[0] is not data:
        last[0][last[1]] = 0
    else:
        del last[0][last[1]]
    return True


def _related(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> bool:
    """Whether one path lies inside the other."""
    n = min(len(a), len(b))
    return [str(x) for x in a[:n]] == [str(x) for x in b[:n]]


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
        if "weights" in path and kind == "greater_than_equal":  # an upper bound is no sign
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
    if isinstance(value, bool):  # as YAML writes it
        return "true" if value else "false"
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
