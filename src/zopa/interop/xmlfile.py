"""Read untrusted XML files safely, remembering where every element starts.

GENIUS files come from the internet, so the parser refuses document type
declarations with entities (the "billion laughs" and external-entity attacks;
the same rule defusedxml applies) and files above a size limit.  Each element's
line and column are kept so that a problem is reported as ``FILE:LINE:COL``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from xml.parsers import expat

from zopa.limits import MAX_INTEROP_BYTES
from zopa.parse import Diagnostic, ScenarioError

MAX_XML_BYTES = MAX_INTEROP_BYTES  # the largest GENIUS profile is a few MB


@dataclass
class XmlFile:
    """A parsed XML file: its root element and the position of each element."""

    name: str
    root: ET.Element
    positions: dict[int, tuple[int, int]] = field(default_factory=dict)

    def at(self, element: ET.Element | None) -> tuple[int, int]:
        """1-based line and column of ``element`` (1, 1 when unknown)."""
        if element is None:
            return 1, 1
        return self.positions.get(id(element), (1, 1))

    def fail(self, element: ET.Element | None, message: str) -> NoReturn:
        line, col = self.at(element)
        raise ScenarioError([Diagnostic(self.name, line, col, message)])


_LATE_DECLARATION = re.compile(rb"^(?:\s|<!--.*?-->)+(<\?xml[^>]*\?>)", re.S)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][A-Za-z0-9._-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_GLUED_ATTRIBUTE = re.compile(rb'"(?=[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*")')


def _lenient(data: bytes, name: str) -> bytes:
    """Repair slips that GENIUS's own lenient parser accepts, keeping line numbers.

    Found in ANAC files: an XML declaration after blank lines or a comment
    (blanked out, its encoding applied first), text in Windows-1252 without a
    declaration (decoded as such), a bare ``&`` ("AT & T", read as ``&amp;``),
    and attributes without a space between them (``type="a"vtype="b"``).
    """
    declared = _DECLARATION.match(data)
    late = None if declared else _LATE_DECLARATION.match(data)
    encoding = "utf-8"
    if late:
        found = _ENCODING.search(late.group(1))
        encoding = found.group(1).decode("ascii") if found else encoding
        start, end = late.span(1)
        data = data[:start] + b" " * (end - start) + data[end:]
    if not declared:
        try:
            data = data.decode(encoding).encode("utf-8")
        except LookupError:
            raise ScenarioError(
                [Diagnostic(name, 1, 1, f"unknown encoding {encoding!r}")]
            ) from None
        except UnicodeDecodeError:
            data = data.decode("cp1252", errors="replace").encode("utf-8")
    data = _BARE_AMPERSAND.sub(b"&amp;", data)
    return _GLUED_ATTRIBUTE.sub(b'" ', data)


def _forbid_entities(*_: Any) -> NoReturn:
    raise ValueError("entity declarations are not allowed")


def read_xml(path: Path, name: str | None = None) -> XmlFile:
    """Parse ``path``; raise :class:`ScenarioError` (file, line, column) if it is not XML."""
    from zopa.fileio import TooLarge, read_bounded

    shown = name or str(path)
    try:
        data = read_bounded(path, MAX_XML_BYTES)
    except IsADirectoryError:
        raise ScenarioError([Diagnostic(shown, 1, 1, "is a folder, not an XML file")]) from None
    except TooLarge as err:
        raise ScenarioError([Diagnostic(shown, 1, 1, err.strerror)]) from None
    except OSError as err:
        raise ScenarioError(
            [Diagnostic(shown, 1, 1, f"cannot read the file: {err.strerror}")]
        ) from None
    return parse_xml(data, shown)


def parse_xml(data: bytes, name: str) -> XmlFile:
    """Parse XML bytes with expat into an ElementTree, refusing entity declarations."""
    data = _lenient(data, name)
    builder = ET.TreeBuilder()
    positions: dict[int, tuple[int, int]] = {}
    keep: list[ET.Element] = []  # element ids stay valid while the elements live
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(tag, attrs)
        positions[id(element)] = (
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
        )
        keep.append(element)

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = _forbid_entities
    parser.UnparsedEntityDeclHandler = _forbid_entities
    parser.ExternalEntityRefHandler = _forbid_entities
    try:
        parser.Parse(data, True)
        root = builder.close()
    except expat.ExpatError as err:
        message = expat.ErrorString(err.code)
        line, col = err.lineno, err.offset + 1
        raise ScenarioError([Diagnostic(name, line, col, f"malformed XML: {message}")]) from None
    except ValueError as err:
        line, col = parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        raise ScenarioError([Diagnostic(name, line, col, f"refused XML: {err}")]) from None
    except AssertionError:  # TreeBuilder.close() on a document without elements
        raise ScenarioError([Diagnostic(name, 1, 1, "malformed XML: no element found")]) from None
    return XmlFile(name, root, positions)
