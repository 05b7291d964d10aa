"""YAML and JSON text to Python data that remembers where everything is, in one bounded pass.

libyaml (through ruamel.yaml.clib) turns the text into a stream of events
(mapping start, scalar, alias, end…) with an iterative state machine, so no
nesting can exhaust a stack there.  This module builds the data from those
events itself instead of letting a composer and a constructor do it, which
lets it

* refuse nesting deeper than :data:`~zopa.limits.MAX_DEPTH` and more than
  :data:`~zopa.limits.MAX_VALUES` values (YAML aliases expanded, so "billion
  laughs" files stop early) at the event that passes the limit: a refused file
  costs no more than the text up to that point;
* remember the line and column of every key, value and list item
  (:class:`Positions`), so that errors point into the file without parsing it
  a second time;
* read only the plain types of YAML 1.2's core schema (null, booleans,
  integers, floats, text) and refuse every other tag, so that no tag ever runs
  code or turns into an unexpected type; dates stay text for the model to check;
* refuse numbers that 64-bit arithmetic cannot hold exactly (``.inf``, ``.nan``,
  ``1e309``, integers beyond 64 bits, decimals with more digits than a double
  keeps) instead of rounding them silently.

The result is built of :class:`YamlMap` and :class:`YamlList` (a ``dict`` and a
``list`` with a ``lc`` attribute, the interface of ruamel's round-trip types),
and plain ``str``, ``int``, ``float``, ``bool`` and ``None``.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from zopa.limits import EXACT_DIGITS, MAX_DEPTH, MAX_INTEGER, MAX_VALUES

_CORE = "tag:yaml.org,2002:"
_MERGE = object()  # the '<<' key


class YamlError(Exception):
    """A problem in the text at a 1-based ``line`` and ``column``.

    Lines are counted at ``\n`` only, as editors show them (libyaml also breaks
    lines at U+0085, U+2028 and U+2029, as YAML 1.1 did), and columns in
    characters; :func:`read` derives both from the character offset ``index``.
    """

    def __init__(self, line: int, column: int, message: str, index: int | None = None) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.line = line
        self.column = column
        self.message = message
        self.index = index


class Positions:
    """Where a mapping or list starts, and where each of its keys, values and items start.

    Positions are 0-based ``(line, column)`` pairs, as ruamel's ``lc`` gives them.
    """

    __slots__ = ("_items", "_keys", "_values", "col", "line")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col
        self._keys: dict[Any, tuple[int, int]] = {}
        self._values: dict[Any, tuple[int, int]] = {}
        self._items: list[tuple[int, int]] = []

    def key(self, key: Any) -> tuple[int, int] | None:
        return self._keys.get(key)

    def value(self, key: Any) -> tuple[int, int] | None:
        return self._values.get(key)

    def item(self, index: int) -> tuple[int, int] | None:
        return self._items[index] if 0 <= index < len(self._items) else None


class YamlMap(dict[Any, Any]):
    """A mapping read from a file; ``lc`` holds its positions."""

    lc: Positions


class YamlList(list[Any]):
    """A list read from a file; ``lc`` holds its positions."""

    lc: Positions


# --------------------------------------------------------------------------- characters

# YAML's printable set (YAML 1.2 §5.1), plus the byte order mark libyaml accepts.
_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _check_characters(text: str) -> None:
    bad = _UNPRINTABLE.search(text)
    if bad is None:
        return
    i = bad.start()
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    code = ord(bad.group())
    names = {0: " (NUL)", 0x7F: " (DEL)", 0x1B: " (ESC)"}
    raise YamlError(
        line,
        col,
        f"the file contains the control character U+{code:04X}{names.get(code, '')}, "
        "which YAML does not allow; remove it",
    )


# --------------------------------------------------------------------------- scalars


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# YAML 1.2 core schema as ruamel.yaml reads it (underscores allowed in numbers), but a
# number needs a digit: '_' alone is text.
_INT_TEXT = re.compile(r"[-+]?(?:0b[0-1_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)")
_FLOAT_TEXT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|\.[0-9_]+(?:[eE][-+][0-9]+)?|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN)"
)
_HAS_DIGIT = re.compile(r"[0-9]|inf|Inf|INF|nan|NaN|NAN")


def _plain_scalar(value: str, event: Any) -> Any:
    """An untagged, unquoted scalar: null, a boolean, a number, the merge key, or text."""
    first = value[:1]
    if first in ("", "~", "n", "N") and value in _NULLS:
        return None
    if first in ("t", "T", "f", "F") and value in _BOOLS:
        return _BOOLS[value]
    if first and first in "-+0123456789." and _HAS_DIGIT.search(value):
        if _INT_TEXT.fullmatch(value):
            return _integer(value, event)
        if _FLOAT_TEXT.fullmatch(value):
            return _float(value, event)
    if value == "<<":
        return _MERGE
    return value  # text, dates included (the model checks them, with a position)


def _scalar(event: Any) -> Any:
    """The value of a scalar event under YAML 1.2's core schema; other tags are refused."""
    value: str = event.value
    tag = event.tag
    if tag is None and event.implicit[0]:
        return _plain_scalar(value, event)
    if tag is None or tag == "!":
        return value  # quoted: text
    _check_tag(tag, event, ("str", "int", "float", "bool", "null"))
    kind = tag[len(_CORE) :]
    if kind == "str":
        return value
    if kind == "null":
        if value not in _NULLS:
            raise _at(event, f"{value!r} is not null")
        return None
    if kind == "bool":
        if value not in _BOOLS:
            raise _at(event, f"{value!r} is not true or false")
        return _BOOLS[value]
    if kind == "int":
        return _integer(value, event)
    return _float(value, event)


def _check_tag(tag: str, event: Any, allowed: tuple[str, ...]) -> None:
    if not (tag.startswith(_CORE) and tag[len(_CORE) :] in allowed):
        shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
        raise _at(
            event,
            f"the YAML tag {shown} is not allowed: zopa files hold only text, numbers, "
            "true/false, null, mappings and lists",
        )


_INT = re.compile(r"[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9_]+)")


def _integer(text: str, event: Any) -> int:
    if len(text) < 19 and text.isascii() and text.isdigit():  # the common case: well inside 64 bits
        return int(text)
    cleaned = text.replace("_", "")
    if not _INT.fullmatch(cleaned) or cleaned.strip("+-") in ("", "0x", "0o", "0b"):
        raise _at(event, f"{text!r} is not an integer")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2], 10)
    if base != 10:
        digits = digits[2:]
    if len(digits.lstrip("0")) > 64:  # beyond 64 bits in any base: no need to convert
        raise _at(event, _too_large(text))
    number = sign * int(digits, base)
    if abs(number) > MAX_INTEGER:
        raise _at(event, _too_large(text))
    return number


def _too_large(text: str) -> str:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"the number {shown} is too large: integers in a zopa file fit in 64 bits"


_FLOAT = re.compile(r"[-+]?(?P<mantissa>\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE](?P<exp>[-+]?[0-9]+))?")


def _float(text: str, event: Any) -> float:
    """A decimal that a 64-bit double holds exactly, as the double.

    Up to 15 significant digits always round-trip (IEEE 754's DBL_DIG); more
    are accepted only when the text is exactly the shortest decimal of its
    double (as programs print doubles, e.g. GENIUS's 17-digit utilities),
    because zopa computes with that decimal (:func:`zopa.model.exact`).
    """
    cleaned = text.replace("_", "")
    lowered = cleaned.lower().lstrip("+-")
    if lowered in (".inf", ".nan"):
        raise _at(event, f"{text} is not a finite number; zopa's numbers are finite")
    match = _FLOAT.fullmatch(cleaned)
    if match is None:
        raise _at(event, f"{text!r} is not a number")
    shown = text if len(text) <= 40 else text[:37] + "..."
    exponent = int(match["exp"] or 0) if len(match["exp"] or "") <= 6 else None
    significant = match["mantissa"].replace(".", "").lstrip("0").rstrip("0")
    if exponent is None or abs(exponent) > 400 or len(significant) > 17:
        if not significant:
            return 0.0  # 0e99999999 is zero
        raise _at(event, _inexact(shown))
    number = float(cleaned)
    if number in (float("inf"), float("-inf")):
        raise _at(event, f"the number {shown} is too large for a 64-bit double")
    if len(significant) > EXACT_DIGITS and Fraction(cleaned) != Fraction(repr(number)):
        raise _at(event, _inexact(shown))
    if number == 0 and significant:
        raise _at(event, _inexact(shown))
    return number


def _inexact(shown: str) -> str:
    return (
        f"the number {shown} cannot be held exactly: zopa reads numbers as 64-bit doubles, "
        f"exact up to {EXACT_DIGITS} significant digits (round it)"
    )


def _at(event: Any, message: str) -> YamlError:
    mark = event.start_mark
    return YamlError(mark.line + 1, mark.column + 1, message, mark.index)


class _Lines:
    """Character offsets to 0-based (line, column), lines counted at ``\n`` only."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def __call__(self, index: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, index) - 1
        return line, index - self.starts[line]


# --------------------------------------------------------------------------- building


class _Frame:
    """A mapping or list being built."""

    __slots__ = ("anchor", "container", "count_at_start", "event", "key", "key_event", "merges")

    def __init__(self, container: YamlMap | YamlList, event: Any, count: int) -> None:
        self.container = container
        self.event = event
        self.anchor: str | None = event.anchor
        self.count_at_start = count
        self.key: Any = _NO_KEY
        self.key_event: Any = None
        self.merges: list[tuple[YamlMap, Any]] = []


_NO_KEY = object()


class _Builder:
    """Data from libyaml events, under the depth and value limits."""

    def __init__(self, kind: str, lines: _Lines) -> None:
        self.kind = kind  # "YAML" or "JSON", for messages
        self.where = lambda mark: lines(mark.index)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.count = 0
        self.root: Any = None
        self.documents = 0

    def run(self, events: Any) -> Any:
        from ruamel.yaml import events as ev

        for event in events:
            kind = type(event)
            if kind is ev.ScalarEvent:
                self._count(1, event, alias=False)
                self._add(_scalar(event), event, 1)
            elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
                self._open(event, kind is ev.MappingStartEvent)
            elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                self._close()
            elif kind is ev.AliasEvent:
                self._alias(event)
            elif kind is ev.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise _at(event, f"a scenario file holds one {self.kind} document")
        return self.root

    def _count(self, n: int, event: Any, alias: bool) -> None:
        self.count += n
        if self.count > MAX_VALUES:
            how = "expands to" if alias or self.anchors else "has"
            via = " through YAML aliases" if alias or self.anchors else ""
            raise _at(event, f"the file {how} more than {MAX_VALUES:,} values{via}")

    def _open(self, event: Any, mapping: bool) -> None:
        if event.tag not in (None, "!"):
            _check_tag(event.tag, event, ("map",) if mapping else ("seq",))
        if len(self.stack) >= MAX_DEPTH:
            raise _at(event, f"the file is nested more than {MAX_DEPTH} levels deep")
        self._count(1, event, alias=False)
        container: YamlMap | YamlList = YamlMap() if mapping else YamlList()
        container.lc = Positions(*self.where(event.start_mark))
        self.stack.append(_Frame(container, event, self.count))

    def _close(self) -> None:
        frame = self.stack.pop()
        container = frame.container
        if isinstance(container, YamlMap) and frame.merges:
            _merge(container, frame.merges)
        size = self.count - frame.count_at_start + 1
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (container, size)
        self._add(container, frame.event, size, anchored=True)

    def _alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            if any(f.anchor == event.anchor for f in self.stack):
                raise _at(event, f"the alias *{event.anchor} refers to a value that contains it")
            raise _at(event, f"unknown alias *{event.anchor}")
        value, size = self.anchors[event.anchor]
        self._count(size, event, alias=True)
        self._add(value, event, size, anchored=True)

    def _add(self, value: Any, event: Any, size: int, anchored: bool = False) -> None:
        if not anchored and event.anchor is not None:
            self.anchors[event.anchor] = (value, size)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        where = self.where(event.start_mark)
        container = frame.container
        if isinstance(container, YamlList):
            container.append(value)
            container.lc._items.append(where)
            return
        if frame.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise _at(event, "a key must be text or a number, not a mapping or a list")
            frame.key, frame.key_event = value, event
            return
        key, key_event = frame.key, frame.key_event
        frame.key = _NO_KEY
        if key is _MERGE:
            frame.merges.append((value, event))
            return
        if key in container:
            raise _at(key_event, f"{self.kind} syntax error: duplicate key {str(key)!r}")
        container[key] = value
        container.lc._keys[key] = self.where(key_event.start_mark)
        container.lc._values[key] = where


def _merge(container: YamlMap, merges: list[tuple[Any, Any]]) -> None:
    """YAML merge keys (``<<: *base``): keys not written in the mapping come from the merged ones.

    Earlier merged mappings win over later ones, and the mapping's own keys
    over all of them (the YAML merge key specification).
    """
    sources: list[YamlMap] = []
    for value, event in merges:
        parts = value if isinstance(value, list) else [value]
        for part in parts:
            if not isinstance(part, YamlMap):
                raise _at(event, "'<<' merges a mapping or a list of mappings")
            sources.append(part)
    for source in sources:
        for key, value in source.items():
            if key not in container:
                container[key] = value
                container.lc._keys[key] = source.lc._keys[key]
                container.lc._values[key] = source.lc._values[key]


def _events(text: str) -> Any:
    """libyaml's events for ``text`` (ruamel's pure-Python parser if the C one is missing)."""
    try:
        from _ruamel_yaml import CParser
    except ImportError:  # pragma: no cover - the C extension is a dependency
        from ruamel.yaml import YAML

        yield from YAML(typ="safe", pure=True).parse(text)
        return
    parser = CParser(text)
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return
            yield event
            if type(event).__name__ == "StreamEndEvent":
                return
    finally:
        parser.dispose()


def read(text: str, kind: str = "YAML") -> Any:
    """The data in ``text``; raise :class:`YamlError` (``kind``, YAML or JSON, names the syntax)."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    _check_characters(text)
    lines = _Lines(text)
    try:
        return _Builder(kind, lines).run(_events(text))
    except YamlError as err:
        if err.index is None:
            raise
        line, col = lines(err.index)
        raise YamlError(line + 1, col + 1, err.message) from None
    except MarkedYAMLError as err:
        raise _syntax_error(err, text, kind, lines) from None
    except YAMLError as err:
        raise YamlError(1, 1, f"{kind} syntax error: {err}") from None


def _syntax_error(err: Any, text: str, kind: str, lines: _Lines) -> YamlError:
    """libyaml's wording, with a hint for tabs and indentation and where an open bracket began."""
    here, start = err.problem_mark, err.context_mark
    problem = (err.problem or err.context or "invalid syntax").strip()
    problem = re.sub(r"^did not find expected ", "expected ", problem)
    at = min(here.index, len(text)) if here is not None else 0
    if here is not None and not text[at:].strip():  # at the end of the text
        at = len(text.rstrip())
        problem = (
            "the file ends unexpectedly"
            if "end of stream" in problem
            else f"{problem} at the end of the file"
        )
        here = None  # show where the open construct starts, even on the same line
    line, col = lines(at)
    if text[at : at + 1] == "\t":
        problem = "found a tab where YAML does not allow one (indent with spaces, not tabs)"
    at_end = start is not None and not text[min(start.index, len(text)) :].strip()
    if err.context and start and not at_end:
        start_line, start_col = lines(min(start.index, len(text)))
        if here is None or start_line != line:
            where = f"line {start_line + 1}, column {start_col + 1}"
            problem += f" ({err.context} that starts at {where})"
    if "block" in problem or "indicator" in problem:
        problem += "; check the indentation"
    return YamlError(line + 1, col + 1, f"{kind} syntax error: {problem}")
